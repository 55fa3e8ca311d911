"""Messages of the drop-folder service and the connection check."""

EN = {
    "watch.no_free_name": "no free file name for {name} in {folder}",
    "watch.already_running": (
        "another mission-importer service is already watching {inbox}; stop it first "
        "(one service per inbox)"
    ),
    "watch.already_processed": (
        "this content was already processed on {when} (results: {results}); "
        "rows already sent are unchanged and were not sent again"
    ),
    "watch.file_failed": "{file}: not imported ({reason}); moved to {target}",
    "watch.file_done": "{file}: {counts} in {seconds} s; results in {results}",
    "watch.stopping": "stopping after the current file (press Ctrl-C again to abort now)",
    "watch.started": "watching {inbox} every {interval} s; results go to {outbox}",
    "watch.stopped": "stopped; {count} file(s) processed",
    "watch.no_inbox": "the inbox {inbox} does not exist or is not a folder",
    "watch.api_down": "the API is unavailable ({reason}); the file stays in the inbox",
    "check.settings": "Settings in effect:",
    "check.ok": "OK: {url} answers, the credentials of {login} are accepted and missions can be read{customer}.",
    "check.customer": " for customer {customer}",
    "check.forbidden": "the credentials are accepted but reading missions is refused ({message}): check customerId",
    "check.failed": "the read call failed: {reason}",
}

FR = {
    "watch.no_free_name": "aucun nom de fichier libre pour {name} dans {folder}",
    "watch.already_running": (
        "un autre service mission-importer surveille déjà {inbox} ; arrêtez-le d'abord "
        "(un seul service par dossier)"
    ),
    "watch.already_processed": (
        "ce contenu a déjà été traité le {when} (résultats : {results}) ; "
        "les lignes déjà envoyées sont inchangées et n'ont pas été renvoyées"
    ),
    "watch.file_failed": "{file} : non importé ({reason}) ; déplacé vers {target}",
    "watch.file_done": "{file} : {counts} en {seconds} s ; résultats dans {results}",
    "watch.stopping": "arrêt après le fichier en cours (Ctrl-C à nouveau pour arrêter tout de suite)",
    "watch.started": "surveillance de {inbox} toutes les {interval} s ; résultats dans {outbox}",
    "watch.stopped": "arrêté ; {count} fichier(s) traité(s)",
    "watch.no_inbox": "le dossier {inbox} n'existe pas ou n'est pas un dossier",
    "watch.api_down": "l'API est indisponible ({reason}) ; le fichier reste dans le dossier",
    "check.settings": "Réglages en vigueur :",
    "check.ok": "OK : {url} répond, les identifiants de {login} sont acceptés et les missions sont lisibles{customer}.",
    "check.customer": " pour le client {customer}",
    "check.forbidden": "identifiants acceptés mais lecture des missions refusée ({message}) : vérifiez customerId",
    "check.failed": "l'appel de lecture a échoué : {reason}",
}
