"""Messages of the import engine and the jobs."""

EN = {
    "engine.progress": "{done}/{total} rows, {rate} rows/s, ETA {eta}, {failures} failed",
    "engine.unchanged": "unchanged since the last successful send (use --force to resend)",
    "engine.would_send": "dry run: would call {call}",
    "engine.no_answer": "no answer from the API",
    "engine.api_error": "the API refused the row: {reason}",
    "engine.ambiguous": (
        "no certain answer ({reason}); the API may have applied it: run the same import "
        "again, it will check with statutMission before sending anything"
    ),
    "engine.delete_absent": "mission {id} was not found in Ocean: nothing to delete (check the id)",
    "engine.internal_error": "internal error while sending this row ({reason}); please report it",
    "engine.all_or_nothing": (
        "nothing sent: {count} row(s) are invalid and --all-or-nothing is set"
    ),
    "engine.not_sent_interrupted": "not sent: the run was interrupted",
    "engine.not_sent_signed_out": (
        "not sent: Ocean ended the session; sign in again, then send the rest"
    ),
    "engine.run_lapsed": (
        "not sent: this run was paused for {seconds} s (the computer slept or the process "
        "was stopped), long enough for another run to take over its missions; run again: "
        "each row is then compared with what was sent"
    ),
    "engine.not_sent_api_lost": "not sent: the API stopped answering ({reason})",
    "engine.created_meanwhile": (
        "not created by this run: it was paused for {seconds} s, and meanwhile another run "
        "created mission {id}; this run's create, sent as it woke, was refused as a "
        "duplicate (Ocean has the mission once); run again: the row is then compared with "
        "what the other run sent"
    ),
    "engine.mission_busy": (
        "not sent: another run on the same journal (import, watch or the import page) is "
        "sending mission {id}; run again once it has finished: this row is then compared "
        "with what it sent"
    ),
    "engine.api_lost": "the API stopped answering midway ({reason}); the remaining rows were not sent",
}

FR = {
    "engine.progress": "{done}/{total} lignes, {rate} lignes/s, reste {eta}, {failures} en échec",
    "engine.unchanged": "inchangée depuis le dernier envoi réussi (--force pour renvoyer)",
    "engine.would_send": "simulation : appellerait {call}",
    "engine.no_answer": "pas de réponse de l'API",
    "engine.api_error": "l'API a refusé la ligne : {reason}",
    "engine.ambiguous": (
        "pas de réponse certaine ({reason}) ; l'API l'a peut-être appliquée : relancez le même "
        "import, il vérifiera avec statutMission avant de renvoyer quoi que ce soit"
    ),
    "engine.delete_absent": "mission {id} introuvable dans Ocean : rien à supprimer (vérifiez l'identifiant)",
    "engine.internal_error": "erreur interne pendant l'envoi de cette ligne ({reason}) ; merci de la signaler",
    "engine.all_or_nothing": (
        "rien n'a été envoyé : {count} ligne(s) invalide(s) et --all-or-nothing est demandé"
    ),
    "engine.not_sent_interrupted": "non envoyée : l'import a été interrompu",
    "engine.not_sent_signed_out": (
        "non envoyée : Ocean a mis fin à la session ; reconnectez-vous, puis envoyez le reste"
    ),
    "engine.run_lapsed": (
        "non envoyée : cet envoi a été suspendu {seconds} s (ordinateur en veille ou "
        "processus arrêté), assez longtemps pour qu'un autre envoi reprenne ses missions ; "
        "relancez : chaque ligne sera alors comparée à ce qui a été envoyé"
    ),
    "engine.not_sent_api_lost": "non envoyée : l'API ne répond plus ({reason})",
    "engine.created_meanwhile": (
        "non créée par cet envoi : il a été suspendu {seconds} s, et entre-temps un autre "
        "envoi a créé la mission {id} ; la création envoyée au réveil a été refusée comme "
        "doublon (Ocean n'a la mission qu'une fois) ; relancez : la ligne sera alors "
        "comparée à ce que l'autre envoi a envoyé"
    ),
    "engine.mission_busy": (
        "non envoyée : un autre envoi sur le même journal (import, watch ou la page "
        "d'import) envoie la mission {id} ; relancez quand il aura fini : cette ligne "
        "sera alors comparée à ce qu'il a envoyé"
    ),
    "engine.api_lost": "l'API a cessé de répondre en cours de route ({reason}) ; les lignes restantes n'ont pas été envoyées",
}
