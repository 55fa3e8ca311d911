"""Messages about the journal (the SQLite ledger of what was sent)."""

EN = {
    "journal.locked": (
        "an older version of the importer is using the journal {file} (pid {pid}), and it "
        "does not share the journal; wait for it to finish or use --journal to choose "
        "another file."
    ),
    "journal.locked_unknown_pid": (
        "an older version of the importer is using the journal {file}, and it does not "
        "share the journal; wait for it to finish or use --journal to choose another file."
    ),
    "journal.corrupt": (
        "the journal {file} is damaged ({reason}). Move it aside (for example rename it to "
        "{file}.broken) and run again: the next run checks each mission with statutMission "
        "instead of trusting the journal, so no mission is lost or created twice; only the "
        "memory of unchanged rows is rebuilt."
    ),
    "journal.reason.not_sqlite": "it is not a SQLite database",
    "journal.reason.check_failed": "the integrity check failed: {detail}",
    "journal.reason.missing_table": 'the table "{table}" is missing',
    "journal.reason.sqlite": "SQLite says: {detail}",
    "journal.newer_version": (
        "the journal {file} was written by a newer version of the importer (format {found}, "
        "this version reads up to {supported}); upgrade the importer or use --journal to "
        "choose another file."
    ),
    "journal.cannot_open": (
        "cannot open the journal {file} ({reason}); check that the folder exists and is "
        "writable, or use --journal to choose another file."
    ),
    "journal.write_failed": (
        "cannot write to the journal {file} ({reason}); check the free disk space and the "
        "permissions, then run again: missions already sent are checked with statutMission."
    ),
    "journal.older_running": (
        "the journal {file} is being used by an older version of the importer (pid {pid}); "
        "this version must upgrade the journal first: wait for that run to finish, then run "
        "again, or use --journal to choose another file."
    ),
}

FR = {
    "journal.locked": (
        "une version plus ancienne de l'importeur utilise le journal {file} (processus {pid}) "
        "et ne le partage pas ; attendez qu'elle se termine ou choisissez un autre "
        "fichier avec --journal."
    ),
    "journal.locked_unknown_pid": (
        "une version plus ancienne de l'importeur utilise le journal {file} et ne le partage "
        "pas ; attendez qu'elle se termine ou choisissez un autre fichier avec --journal."
    ),
    "journal.corrupt": (
        "le journal {file} est endommagé ({reason}). Mettez-le de côté (renommez-le par "
        "exemple en {file}.broken) et relancez : le prochain import vérifiera chaque mission "
        "avec statutMission au lieu de se fier au journal, si bien qu'aucune mission ne sera "
        "perdue ni créée deux fois ; seule la mémoire des lignes inchangées sera reconstituée."
    ),
    "journal.reason.not_sqlite": "ce n'est pas une base SQLite",
    "journal.reason.check_failed": "la vérification d'intégrité a échoué : {detail}",
    "journal.reason.missing_table": "la table « {table} » est absente",
    "journal.reason.sqlite": "message de SQLite : {detail}",
    "journal.newer_version": (
        "le journal {file} a été écrit par une version plus récente de l'importeur (format "
        "{found}, cette version lit jusqu'au format {supported}) ; mettez l'importeur à jour "
        "ou choisissez un autre fichier avec --journal."
    ),
    "journal.cannot_open": (
        "impossible d'ouvrir le journal {file} ({reason}) ; vérifiez que le dossier existe et "
        "qu'il est accessible en écriture, ou choisissez un autre fichier avec --journal."
    ),
    "journal.write_failed": (
        "impossible d'écrire dans le journal {file} ({reason}) ; vérifiez l'espace disque "
        "libre et les droits, puis relancez : les missions déjà envoyées seront vérifiées "
        "avec statutMission."
    ),
    "journal.older_running": (
        "le journal {file} est utilisé par une version plus ancienne de l'importeur "
        "(processus {pid}) ; cette version doit d'abord mettre le journal à jour : "
        "attendez la fin de cette exécution puis relancez, ou choisissez un autre fichier "
        "avec --journal."
    ),
}
