"""Messages of the command line."""

EN = {
    "cli.aborted": "Aborted.",
    "cli.password_prompt": "Ocean password for {login}",
    "cli.credentials_missing": (
        "no Ocean credentials: set OCEAN_LOGIN and OCEAN_PASSWORD (or login/password in the "
        "config file), or try --sandbox to rehearse locally"
    ),
    "cli.file_or_ids": "give a FILE or at least one --id",
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
    "cli.password_prompt": "Mot de passe Ocean de {login}",
    "cli.credentials_missing": (
        "aucun identifiant Ocean : définissez OCEAN_LOGIN et OCEAN_PASSWORD (ou login/password "
        "dans le fichier de configuration), ou essayez --sandbox pour répéter en local"
    ),
    "cli.file_or_ids": "indiquez un FICHIER ou au moins un --id",
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
