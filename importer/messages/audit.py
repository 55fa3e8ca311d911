"""Messages of the audit log, `--quiet` and `check`."""

EN = {
    "audit.cannot_open": "cannot open the log file {path} ({reason}); choose another --log-file",
    "audit.quiet_failure": "{problems} of {rows} row(s) not done ({counts}); see {path}",
    "audit.quiet_failure_no_workbook": "{problems} of {rows} row(s) not done ({counts})",
    "audit.interrupted": "interrupted: {counts}; run the same command again to finish",
    "audit.api_lost": "the API stopped answering midway ({reason}); {counts}",
    "check.config_file": "Config file: {path}",
    "check.where.state_folder": "default (your state folder)",
    "check.where.locale": "locale ({name}={value})",
    "check.where.system_locale": "the system's locale",
}

FR = {
    "audit.cannot_open": (
        "impossible d'ouvrir le journal {path} ({reason})\u202f; choisissez un autre --log-file"
    ),
    "audit.quiet_failure": "{problems} ligne(s) sur {rows} non faite(s) ({counts})\u202f; voir {path}",
    "audit.quiet_failure_no_workbook": "{problems} ligne(s) sur {rows} non faite(s) ({counts})",
    "audit.interrupted": (
        "interrompu\u202f: {counts}\u202f; relancez la même commande pour terminer"
    ),
    "audit.api_lost": "l'API a cessé de répondre en cours de route ({reason})\u202f; {counts}",
    "check.config_file": "Fichier de réglages\u202f: {path}",
    "check.where.state_folder": "valeur par défaut (votre dossier d'état)",
    "check.where.locale": "langue du système ({name}={value})",
    "check.where.system_locale": "la langue du système",
}
