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
    "watch.picked_up": "{file}: picked up ({size} bytes)",
    "watch.file_end": "{file}: {counts}; moved to {folder}/: {reason}",
    "watch.file_waits": "{file}: {counts}; stays in the inbox: {reason}",
    "watch.results_in": "; results in {results}",
    "watch.took": " ({seconds} s)",
    "watch.why_done": "every row reached a final outcome",
    "watch.why_to_fix": (
        "{count} row(s) need a person (invalid, or refused by the API): fix them in the "
        "results workbook beside the file and drop it into the inbox again"
    ),
    "watch.why_waiting": (
        "{count} row(s) not sent yet (interrupted, or the API did not answer); "
        "the file stays in the inbox and is tried again in {seconds} s"
    ),
    "watch.why_waiting_once": (
        "{count} row(s) not sent yet (interrupted, or the API did not answer); "
        "the file stays in the inbox and is tried again at the next run"
    ),
    "watch.why_gave_up": (
        "{count} row(s) still not sent after {tries} tries over {hours} h; "
        "see the results workbook beside the file"
    ),
    "watch.why_unfinished": (
        "the file is still not a complete workbook after {minutes} min: "
        "was its copy interrupted? Drop it again"
    ),
    "watch.still_unfinished": (
        "{file}: still being written (not a complete workbook yet); left for the next run"
    ),
    "watch.changed": "{file}: changed while it was read; it will be read again once it settles",
    "watch.started_once": "processing what is in {inbox}; results go to {outbox}",
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
    "watch.picked_up": "{file} : pris en charge ({size} octets)",
    "watch.file_end": "{file} : {counts} ; déplacé vers {folder}/ : {reason}",
    "watch.file_waits": "{file} : {counts} ; reste dans le dossier : {reason}",
    "watch.results_in": " ; résultats dans {results}",
    "watch.took": " ({seconds} s)",
    "watch.why_done": "chaque ligne a reçu un résultat définitif",
    "watch.why_to_fix": (
        "{count} ligne(s) demandent une intervention (invalides, ou refusées par l'API) : "
        "corrigez-les dans le classeur de résultats placé à côté du fichier et redéposez-le "
        "dans le dossier"
    ),
    "watch.why_waiting": (
        "{count} ligne(s) pas encore envoyées (interruption, ou l'API n'a pas répondu) ; "
        "le fichier reste dans le dossier et sera repris dans {seconds} s"
    ),
    "watch.why_waiting_once": (
        "{count} ligne(s) pas encore envoyées (interruption, ou l'API n'a pas répondu) ; "
        "le fichier reste dans le dossier et sera repris au prochain passage"
    ),
    "watch.why_gave_up": (
        "{count} ligne(s) toujours pas envoyées après {tries} essais en {hours} h ; "
        "voyez le classeur de résultats placé à côté du fichier"
    ),
    "watch.why_unfinished": (
        "le fichier n'est toujours pas un classeur complet après {minutes} min : "
        "sa copie a-t-elle été interrompue ? Déposez-le à nouveau"
    ),
    "watch.still_unfinished": (
        "{file} : encore en cours d'écriture (classeur pas encore complet) ; "
        "laissé pour le prochain passage"
    ),
    "watch.changed": ("{file} : modifié pendant sa lecture ; il sera relu une fois stable"),
    "watch.started_once": "traitement du contenu de {inbox} ; résultats dans {outbox}",
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
