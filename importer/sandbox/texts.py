"""The sandbox's own texts, in English and French: its API answers, its page, its errors.

The package registers them with the message catalogue (:func:`importer.messages.register`)
when it is imported.

The ``sandbox.api.*`` and ``sandbox.status.*`` texts are what the simulated web service
answers; like the real Ocean API it answers in French by default (``api_lang``).
"""

EN = {
    # --- answers of the simulated API -----------------------------------------------------
    "sandbox.api.created": "Mission {mission} created",
    "sandbox.api.duplicate": "Failure: mission {mission} already exists",
    "sandbox.api.modified": "Mission {mission} modified",
    "sandbox.api.deleted": "Mission {mission} deleted",
    "sandbox.api.not_found": "Mission {mission} not found",
    "sandbox.api.missing_param": "Required request parameter '{name}' is not present",
    "sandbox.api.bad_date": (
        'Invalid date for {name}: "{value}". Expected UTC in the format dd/MM/yyyy HH:mm, '
        "for example 03/12/2026 07:30."
    ),
    "sandbox.api.bad_boolean": 'Invalid value for {name}: "{value}". Expected true or false.',
    "sandbox.api.bad_number": (
        'Invalid value for {name}: "{value}". Expected a decimal number with a dot, '
        "for example 2.3522."
    ),
    "sandbox.api.bad_range": (
        'Invalid value for {name}: "{value}". Expected a number between {low} and {high}.'
    ),
    "sandbox.api.bad_customer": 'Invalid value for customerId: "{value}". Expected an integer.',
    "sandbox.api.customer_required": (
        "customerId is required: this account manages several customers ({customers})."
    ),
    "sandbox.api.customer_not_allowed": (
        "customerId {customer} is not allowed for this account (allowed: {customers})."
    ),
    "sandbox.api.no_token": "Authentication required: send the token in the X-AUTH-TOKEN header.",
    "sandbox.api.bad_token": "The token is unknown or has expired; authenticate again.",
    "sandbox.api.bad_credentials": "Bad credentials.",
    "sandbox.api.bad_json": ('The request body must be a JSON object with "login" and "password".'),
    "sandbox.api.too_many_requests": "Too many requests; retry later.",
    "sandbox.api.internal_error": "Internal server error.",
    "sandbox.api.bad_gateway": "Bad gateway.",
    "sandbox.api.unavailable": "Service temporarily unavailable.",
    "sandbox.api.gateway_timeout": "Gateway timeout.",
    "sandbox.api.unknown_path": "No such endpoint: {path}",
    "sandbox.api.method_not_allowed": "Method {method} is not allowed on {path}.",
    "sandbox.api.body_too_large": "The request body is too large (at most {limit} bytes).",
    "sandbox.api.bad_request": "Bad request: {reason}",
    # --- mission status ---------------------------------------------------------------------
    "sandbox.status.PREPARED": "Prepared",
    "sandbox.status.SENT": "Sent",
    "sandbox.status.ACCEPTED": "Accepted",
    "sandbox.status.REFUSED": "Refused",
    "sandbox.status.IN_PROGRESS": "In progress",
    "sandbox.status.DONE": "Done",
    "sandbox.refuse.0": "Vehicle unavailable",
    "sandbox.refuse.1": "Address not found by the driver",
    "sandbox.refuse.2": "Time slot already taken",
    "sandbox.complement.sent_to": "Sent to {recipient}",
    "sandbox.complement.sent_again": "Sent again to {recipient} (attempt {attempt})",
    # --- the page ---------------------------------------------------------------------------
    "sandbox.page.title": "Ocean sandbox",
    "sandbox.page.intro": (
        "A local simulation of the Ocean GéoMission API for rehearsals. Nothing here reaches "
        "the real service. Base URL: {url}"
    ),
    "sandbox.page.missions": "Missions ({count})",
    "sandbox.page.none": "No mission yet.",
    "sandbox.page.customer": "Customer",
    "sandbox.page.mission": "Mission",
    "sandbox.page.date": "Intervention (UTC)",
    "sandbox.page.recipient": "Vehicle / person",
    "sandbox.page.city": "City",
    "sandbox.page.status": "Status",
    "sandbox.page.creates": "Creates",
    "sandbox.page.modifies": "Modifications",
    "sandbox.page.refused": "Duplicate creates refused",
    "sandbox.page.deleted": "Deleted",
    "sandbox.page.external": "Ocean id",
    "sandbox.page.attempt": "Sent to a driver",
    "sandbox.page.yes": "yes",
    "sandbox.page.no": "no",
    "sandbox.page.counters": "Counters",
    "sandbox.page.json": "The same data as JSON: {link}",
    # --- the sandbox's own errors and notices -------------------------------------------------
    "sandbox.remote_refused": (
        "the sandbox will not listen on {host}: it only binds to this computer (127.0.0.1) "
        "unless remote access is explicitly allowed."
    ),
    "sandbox.remote_warning": (
        "the sandbox listens on {host}: other computers on the network can reach it."
    ),
    "sandbox.bad_fault_kind": 'unknown fault kind "{kind}"; known kinds: {kinds}.',
    "sandbox.bad_fault_rate": "the fault rate must be between 0 and 1, not {rate}.",
    "sandbox.bad_state_file": (
        "{file} is not a sandbox state file or is damaged ({reason}); "
        "choose another --state file or move this one aside."
    ),
    "sandbox.cannot_bind": (
        "the sandbox cannot listen on {host}:{port} ({reason}); try another --port."
    ),
    "sandbox.serving": (
        "Ocean sandbox listening on {url}\n"
        "  single-client account: login {login} / password {password} (customerId {customer})\n"
        "  multi-client account: login {multi_login} / password {multi_password} "
        "(customerId {multi_customers}, required)\n"
        "  missions: {url}/ (page) and {url}/sandbox/missions (JSON)\n"
        "Press Ctrl-C to stop."
    ),
    "sandbox.stopped": "Sandbox stopped.",
}

FR = {
    # --- réponses de l'API simulée ----------------------------------------------------------
    "sandbox.api.created": "Mission {mission} créée",
    "sandbox.api.duplicate": "Échec : la mission {mission} existe déjà",
    "sandbox.api.modified": "Mission {mission} modifiée",
    "sandbox.api.deleted": "Mission {mission} supprimée",
    "sandbox.api.not_found": "Mission {mission} introuvable",
    "sandbox.api.missing_param": "Le paramètre obligatoire « {name} » est absent",
    "sandbox.api.bad_date": (
        "Date invalide pour {name} : « {value} ». Format attendu en UTC : jj/MM/aaaa HH:mm, "
        "par exemple 03/12/2026 07:30."
    ),
    "sandbox.api.bad_boolean": (
        "Valeur invalide pour {name} : « {value} ». Attendu : true ou false."
    ),
    "sandbox.api.bad_number": (
        "Valeur invalide pour {name} : « {value} ». Attendu : un nombre décimal avec un point, "
        "par exemple 2.3522."
    ),
    "sandbox.api.bad_range": (
        "Valeur invalide pour {name} : « {value} ». Attendu : un nombre entre {low} et {high}."
    ),
    "sandbox.api.bad_customer": (
        "Valeur invalide pour customerId : « {value} ». Attendu : un nombre entier."
    ),
    "sandbox.api.customer_required": (
        "customerId est obligatoire : ce compte gère plusieurs clients ({customers})."
    ),
    "sandbox.api.customer_not_allowed": (
        "customerId {customer} n'est pas autorisé pour ce compte (autorisés : {customers})."
    ),
    "sandbox.api.no_token": (
        "Authentification requise : envoyez le jeton dans l'en-tête X-AUTH-TOKEN."
    ),
    "sandbox.api.bad_token": "Le jeton est inconnu ou a expiré ; authentifiez-vous de nouveau.",
    "sandbox.api.bad_credentials": "Identifiants incorrects.",
    "sandbox.api.bad_json": (
        "Le corps de la requête doit être un objet JSON avec « login » et « password »."
    ),
    "sandbox.api.too_many_requests": "Trop de requêtes ; réessayez plus tard.",
    "sandbox.api.internal_error": "Erreur interne du serveur.",
    "sandbox.api.bad_gateway": "Passerelle en erreur.",
    "sandbox.api.unavailable": "Service momentanément indisponible.",
    "sandbox.api.gateway_timeout": "Délai de la passerelle dépassé.",
    "sandbox.api.unknown_path": "Point d'accès inconnu : {path}",
    "sandbox.api.method_not_allowed": "La méthode {method} n'est pas permise sur {path}.",
    "sandbox.api.body_too_large": (
        "Le corps de la requête est trop volumineux (au plus {limit} octets)."
    ),
    "sandbox.api.bad_request": "Requête incorrecte : {reason}",
    # --- statut des missions ----------------------------------------------------------------
    "sandbox.status.PREPARED": "Préparée",
    "sandbox.status.SENT": "Envoyée",
    "sandbox.status.ACCEPTED": "Acceptée",
    "sandbox.status.REFUSED": "Refusée",
    "sandbox.status.IN_PROGRESS": "En cours",
    "sandbox.status.DONE": "Terminée",
    "sandbox.refuse.0": "Véhicule indisponible",
    "sandbox.refuse.1": "Adresse introuvable par le conducteur",
    "sandbox.refuse.2": "Créneau déjà occupé",
    "sandbox.complement.sent_to": "Envoyée à {recipient}",
    "sandbox.complement.sent_again": "Envoyée de nouveau à {recipient} ({attempt}e envoi)",
    # --- la page ----------------------------------------------------------------------------
    "sandbox.page.title": "Bac à sable Ocean",
    "sandbox.page.intro": (
        "Une simulation locale de l'API Ocean GéoMission pour les répétitions. Rien ici "
        "n'atteint le vrai service. URL de base : {url}"
    ),
    "sandbox.page.missions": "Missions ({count})",
    "sandbox.page.none": "Aucune mission pour l'instant.",
    "sandbox.page.customer": "Client",
    "sandbox.page.mission": "Mission",
    "sandbox.page.date": "Intervention (UTC)",
    "sandbox.page.recipient": "Véhicule / personne",
    "sandbox.page.city": "Ville",
    "sandbox.page.status": "Statut",
    "sandbox.page.creates": "Créations",
    "sandbox.page.modifies": "Modifications",
    "sandbox.page.refused": "Créations en double refusées",
    "sandbox.page.deleted": "Supprimée",
    "sandbox.page.external": "Identifiant Ocean",
    "sandbox.page.attempt": "Envois au conducteur",
    "sandbox.page.yes": "oui",
    "sandbox.page.no": "non",
    "sandbox.page.counters": "Compteurs",
    "sandbox.page.json": "Les mêmes données en JSON : {link}",
    # --- erreurs et avis du bac à sable -------------------------------------------------------
    "sandbox.remote_refused": (
        "le bac à sable n'écoutera pas sur {host} : il n'écoute que sur cet ordinateur "
        "(127.0.0.1), sauf si l'accès à distance est explicitement autorisé."
    ),
    "sandbox.remote_warning": (
        "le bac à sable écoute sur {host} : d'autres ordinateurs du réseau peuvent l'atteindre."
    ),
    "sandbox.bad_fault_kind": "type de panne inconnu « {kind} » ; types connus : {kinds}.",
    "sandbox.bad_fault_rate": "le taux de pannes doit être compris entre 0 et 1, et non {rate}.",
    "sandbox.bad_state_file": (
        "{file} n'est pas un fichier d'état du bac à sable ou il est endommagé ({reason}) ; "
        "choisissez un autre fichier --state ou mettez celui-ci de côté."
    ),
    "sandbox.cannot_bind": (
        "le bac à sable ne peut pas écouter sur {host}:{port} ({reason}) ; essayez un autre --port."
    ),
    "sandbox.serving": (
        "Bac à sable Ocean à l'écoute sur {url}\n"
        "  compte mono-client : identifiant {login} / mot de passe {password} "
        "(customerId {customer})\n"
        "  compte multi-clients : identifiant {multi_login} / mot de passe {multi_password} "
        "(customerId {multi_customers}, obligatoire)\n"
        "  missions : {url}/ (page) et {url}/sandbox/missions (JSON)\n"
        "Appuyez sur Ctrl-C pour arrêter."
    ),
    "sandbox.stopped": "Bac à sable arrêté.",
}
