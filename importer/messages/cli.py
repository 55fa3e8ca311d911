"""Messages of the command line."""

EN = {
    "cli.aborted": "Aborted.",
    "cli.declined": "Nothing was done: the deletion was not confirmed.",
    "cli.confirm_choices": "[y/N]",
    "cli.no_inbox": "no inbox: give INBOX, or set inbox in the [watch] section of the config file (or MISSION_IMPORTER_INBOX)",
    "cli.click.no_such_option": "No such option: {option}",
    "cli.click.did_you_mean": "(did you mean {suggestion}?)",
    "cli.click.no_such_command": "No such command: {name}.",
    "cli.click.missing_argument": "Missing argument {name}.",
    "cli.click.missing_option": "Missing option {name}.",
    "cli.click.bad_value": "Invalid value for {name}: {reason}",
    "cli.click.needs_value": "Option {option} needs a value.",
    "cli.click.takes_no_value": "Option {option} does not take a value.",
    "cli.click.extra_arguments": "Unexpected extra argument(s): {arguments}.",
    "cli.click.try_help": "Try '{command} {option}' for help.",
    "cli.help.default": "default: {value}",
    "cli.help.between": "{low} to {high}",
    "cli.help.above": "more than {low}",
    "cli.help.at_least": "at least {low}",
    "cli.default.lang": "from the config file or your locale",
    "cli.default.sheet": "the first sheet holding a table",
    "cli.default.journal": "in your state folder",
    "cli.default.outbox": "INBOX/results",
    "cli.password_prompt": "Ocean password for {login}",
    "cli.credentials_missing": (
        "no Ocean credentials: set OCEAN_LOGIN and OCEAN_PASSWORD (or login/password in the "
        "config file), or try --sandbox to rehearse locally"
    ),
    "cli.file_or_ids": "give a FILE or at least one --id",
    "cli.file_ids_or_days": (
        "give a FILE, at least one --id, or days of the journal (--from DATE [--to DATE], "
        "or --week)"
    ),
    "cli.one_source": (
        "give only one of a FILE, --id or days (--from/--to, --week): they cannot be combined"
    ),
    "cli.no_id_column": '{file}: no idMission column; name the missions\' ids in a column "idMission"',
    "cli.yes_required": "not a terminal, so nothing can be confirmed: add --yes to delete",
    "cli.every_row_of": "every mission of {file}",
    "cli.confirm_delete": "Delete {count} mission(s) in Ocean?",
    "cli.template_written": "Template written to {path}",
    "cli.sandbox_started": "Embedded sandbox running at {url} (nothing leaves this machine).",
    "cli.summary_title": "{command}: {rows} rows in {seconds} s ({rate} rows/s)",
    "cli.first_problems": "{count} problem(s); the first ones:",
    "cli.row": "row {row}",
    "cli.workbook_at": "Results workbook: {path}",
    "cli.outcome.created": "created",
    "cli.outcome.modified": "modified",
    "cli.outcome.deleted": "deleted",
    "cli.outcome.unchanged": "unchanged",
    "cli.outcome.valid": "valid",
    "cli.outcome.invalid": "invalid",
    "cli.outcome.failed": "failed",
    "cli.outcome.not_sent": "not sent",
    "cli.outcome.found": "found",
    "cli.outcome.refused": "refused",
    "cli.outcome.not_found": "not found",
}

FR = {
    "cli.aborted": "Abandon.",
    "cli.declined": "Rien n'a été fait : la suppression n'a pas été confirmée.",
    "cli.confirm_choices": "[o/N]",
    "cli.no_inbox": "pas de dossier de dépôt : indiquez INBOX, ou inbox dans la section [watch] du fichier de configuration (ou MISSION_IMPORTER_INBOX)",
    "cli.click.no_such_option": "Option inconnue : {option}",
    "cli.click.did_you_mean": "(vouliez-vous dire {suggestion} ?)",
    "cli.click.no_such_command": "Commande inconnue : {name}.",
    "cli.click.missing_argument": "Argument manquant : {name}.",
    "cli.click.missing_option": "Option manquante : {name}.",
    "cli.click.bad_value": "Valeur invalide pour {name} : {reason}",
    "cli.click.needs_value": "L'option {option} demande une valeur.",
    "cli.click.takes_no_value": "L'option {option} ne prend pas de valeur.",
    "cli.click.extra_arguments": "Argument(s) en trop : {arguments}.",
    "cli.click.try_help": "Essayez « {command} {option} » pour l'aide.",
    "cli.help.default": "défaut : {value}",
    "cli.help.between": "de {low} à {high}",
    "cli.help.above": "plus de {low}",
    "cli.help.at_least": "au moins {low}",
    "cli.default.lang": "fichier de configuration ou langue du système",
    "cli.default.sheet": "la première feuille contenant un tableau",
    "cli.default.journal": "dans votre dossier d'état",
    "cli.default.outbox": "INBOX/results",
    "cli.password_prompt": "Mot de passe Ocean de {login}",
    "cli.credentials_missing": (
        "aucun identifiant Ocean : définissez OCEAN_LOGIN et OCEAN_PASSWORD (ou login/password "
        "dans le fichier de configuration), ou essayez --sandbox pour répéter en local"
    ),
    "cli.file_or_ids": "indiquez un FICHIER ou au moins un --id",
    "cli.file_ids_or_days": (
        "indiquez un FICHIER, au moins un --id, ou des jours du journal (--from DATE "
        "[--to DATE], ou --week)"
    ),
    "cli.one_source": (
        "indiquez un seul choix parmi un FICHIER, --id ou des jours (--from/--to, --week)\u202f: "
        "ils ne se combinent pas"
    ),
    "cli.no_id_column": "{file} : pas de colonne idMission ; mettez les identifiants des missions dans une colonne « idMission »",
    "cli.yes_required": "pas de terminal, donc pas de confirmation possible : ajoutez --yes pour supprimer",
    "cli.every_row_of": "toutes les missions de {file}",
    "cli.confirm_delete": "Supprimer {count} mission(s) dans Ocean ?",
    "cli.template_written": "Modèle écrit dans {path}",
    "cli.sandbox_started": "Bac à sable intégré lancé sur {url} (rien ne quitte cette machine).",
    "cli.summary_title": "{command} : {rows} lignes en {seconds} s ({rate} lignes/s)",
    "cli.first_problems": "{count} problème(s) ; les premiers :",
    "cli.row": "ligne {row}",
    "cli.workbook_at": "Classeur de résultats : {path}",
    "cli.outcome.created": "créées",
    "cli.outcome.modified": "modifiées",
    "cli.outcome.deleted": "supprimées",
    "cli.outcome.unchanged": "inchangées",
    "cli.outcome.valid": "valides",
    "cli.outcome.invalid": "invalides",
    "cli.outcome.failed": "en échec",
    "cli.outcome.not_sent": "non envoyées",
    "cli.outcome.found": "trouvées",
    "cli.outcome.refused": "refusées",
    "cli.outcome.not_found": "introuvables",
}
