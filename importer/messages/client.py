"""Messages of the Ocean client (importer/send/: client, transport, tokens, answers)."""

EN = {
    "client.bad_url": (
        'the Ocean API address "{url}" is not an http:// or https:// address; give one such as '
        "https://v3.oceansystem.com/ocean with --api-url or OCEAN_API_URL."
    ),
    "client.ca_bundle_missing": (
        'the CA bundle "{path}" does not exist; give the path of the company proxy\'s '
        "certificate file (PEM) with --ca-bundle."
    ),
    "client.auth_refused": (
        "the Ocean API at {url} refused the login and password (HTTP {status}); check "
        "OCEAN_LOGIN and OCEAN_PASSWORD (or the login and password in the configuration file) "
        "and try again."
    ),
    "client.sign_in_again": (
        "the Ocean API at {url} ended the session and the password is not kept: sign in again"
    ),
    "client.auth_bad_answer": (
        "the Ocean API at {url} answered HTTP {status} to the login request{detail}; check that "
        "--api-url is the Ocean API address (such as https://v3.oceansystem.com/ocean), "
        "or try again later."
    ),
    "client.auth_no_token": (
        "the Ocean API at {url} accepted the login but sent no token; check that --api-url "
        "is the Ocean API address (such as https://v3.oceansystem.com/ocean)."
    ),
    "client.unreachable": "the Ocean API at {url} cannot be reached: {reason}.",
    "client.reason.refused": (
        "the connection was refused (check the address and port, and that the service is running)"
    ),
    "client.reason.dns": (
        "the host name cannot be resolved (check the address, the network and the proxy settings)"
    ),
    "client.reason.connect_timeout": (
        "no connection within {seconds} s (check the network, a firewall or the proxy)"
    ),
    "client.reason.read_timeout": "no answer within {seconds} s per attempt",
    "client.reason.tls": (
        "the secure (TLS) connection failed ({detail}); behind a company proxy that inspects "
        "HTTPS, give its certificate with --ca-bundle"
    ),
    "client.reason.proxy": (
        "the proxy failed or refused the connection (check HTTPS_PROXY, HTTP_PROXY and NO_PROXY)"
    ),
    "client.reason.dropped": "the connection was closed before an answer came",
    "client.reason.connection": "connection error ({detail})",
    "client.reason.http": "HTTP {status}",
    "client.reason.throttled": "the service asked to slow down (HTTP 429)",
    "client.detail": ': "{message}"',
    "client.forbidden": (
        "Ocean refused access (HTTP 403){detail}. An account that manages several customers "
        "must give the customerId (--customer-id or a customerId column); check that the "
        "account may manage this customer."
    ),
    "client.not_found": "mission {id} is unknown to Ocean (HTTP 404).",
    "client.unprocessable": (
        'Ocean rejected a value (HTTP 422){detail}; dates must be UTC "dd/MM/yyyy HH:mm" '
        "and decimals use a dot: correct the row and import it again."
    ),
    "client.bad_request": (
        "Ocean rejected the request (HTTP 400){detail}; check the row's values and import it again."
    ),
    "client.unauthorized": (
        "Ocean refused the token again right after a new login (HTTP 401); check that the "
        "account may use the mission web services."
    ),
    "client.redirect": (
        'Ocean answered with a redirection (HTTP {status}) to "{location}"; put the right '
        "address in --api-url (redirections are not followed, to keep the token safe)."
    ),
    "client.failure_message": 'Ocean answered with a failure: "{message}".',
    "client.http_error": "Ocean answered HTTP {status}{detail}.",
    "client.gave_up": (
        "no success after {attempts} attempt(s) in {spent} s ({reason}; at most {limit} s per "
        "call, retries included); nothing was changed for this mission: try again later."
    ),
    "client.gave_up_ambiguous": (
        "no clear answer after {attempts} attempt(s) in {spent} s ({reason}; at most {limit} s "
        "per call, retries included); the change may have been applied: the next run checks "
        "with statutMission before sending anything again."
    ),
}

FR = {
    "client.bad_url": (
        "l'adresse de l'API Ocean « {url} » n'est pas une adresse http:// ou https:// ; "
        "indiquez-en une comme https://v3.oceansystem.com/ocean avec --api-url ou OCEAN_API_URL."
    ),
    "client.ca_bundle_missing": (
        "le fichier de certificats « {path} » n'existe pas ; indiquez avec --ca-bundle le "
        "chemin du certificat (PEM) du proxy de l'entreprise."
    ),
    "client.auth_refused": (
        "l'API Ocean ({url}) a refusé l'identifiant et le mot de passe (HTTP {status}) ; "
        "vérifiez OCEAN_LOGIN et OCEAN_PASSWORD (ou l'identifiant et le mot de passe du "
        "fichier de configuration) puis réessayez."
    ),
    "client.sign_in_again": (
        "l'API Ocean ({url}) a mis fin à la session et le mot de passe n'est pas conservé : "
        "reconnectez-vous"
    ),
    "client.auth_bad_answer": (
        "l'API Ocean ({url}) a répondu HTTP {status} à la demande de connexion{detail} ; "
        "vérifiez que --api-url est bien l'adresse de l'API Ocean (par exemple "
        "https://v3.oceansystem.com/ocean) ou réessayez plus tard."
    ),
    "client.auth_no_token": (
        "l'API Ocean ({url}) a accepté la connexion mais n'a renvoyé aucun jeton ; vérifiez "
        "que --api-url est bien l'adresse de l'API Ocean (par exemple "
        "https://v3.oceansystem.com/ocean)."
    ),
    "client.unreachable": "l'API Ocean ({url}) est injoignable : {reason}.",
    "client.reason.refused": (
        "la connexion a été refusée (vérifiez l'adresse et le port, et que le service tourne)"
    ),
    "client.reason.dns": (
        "le nom d'hôte est introuvable (vérifiez l'adresse, le réseau et les réglages du proxy)"
    ),
    "client.reason.connect_timeout": (
        "aucune connexion en {seconds} s (vérifiez le réseau, un pare-feu ou le proxy)"
    ),
    "client.reason.read_timeout": "aucune réponse en {seconds} s par tentative",
    "client.reason.tls": (
        "la connexion sécurisée (TLS) a échoué ({detail}) ; derrière un proxy d'entreprise "
        "qui inspecte le HTTPS, indiquez son certificat avec --ca-bundle"
    ),
    "client.reason.proxy": (
        "le proxy a échoué ou refusé la connexion (vérifiez HTTPS_PROXY, HTTP_PROXY et NO_PROXY)"
    ),
    "client.reason.dropped": "la connexion a été coupée avant toute réponse",
    "client.reason.connection": "erreur de connexion ({detail})",
    "client.reason.http": "HTTP {status}",
    "client.reason.throttled": "le service a demandé de ralentir (HTTP 429)",
    "client.detail": " : « {message} »",
    "client.forbidden": (
        "Ocean a refusé l'accès (HTTP 403){detail}. Un compte qui gère plusieurs clients doit "
        "indiquer le customerId (--customer-id ou une colonne customerId) ; vérifiez que le "
        "compte peut gérer ce client."
    ),
    "client.not_found": "la mission {id} est inconnue d'Ocean (HTTP 404).",
    "client.unprocessable": (
        "Ocean a refusé une valeur (HTTP 422){detail} ; les dates doivent être en UTC au format "
        "« jj/MM/aaaa HH:mm » et les décimales s'écrivent avec un point : corrigez la ligne "
        "puis importez-la de nouveau."
    ),
    "client.bad_request": (
        "Ocean a refusé la requête (HTTP 400){detail} ; vérifiez les valeurs de la ligne "
        "puis importez-la de nouveau."
    ),
    "client.unauthorized": (
        "Ocean a de nouveau refusé le jeton juste après une nouvelle connexion (HTTP 401) ; "
        "vérifiez que le compte a accès aux web services de missions."
    ),
    "client.redirect": (
        "Ocean a répondu par une redirection (HTTP {status}) vers « {location} » ; indiquez "
        "la bonne adresse dans --api-url (les redirections ne sont pas suivies, pour protéger "
        "le jeton)."
    ),
    "client.failure_message": "Ocean a répondu par un échec : « {message} ».",
    "client.http_error": "Ocean a répondu HTTP {status}{detail}.",
    "client.gave_up": (
        "aucun succès après {attempts} tentative(s) en {spent} s ({reason}\u202f; au plus "
        "{limit} s par appel, nouvelles tentatives comprises)\u202f; rien n'a été modifié pour "
        "cette mission\u202f: réessayez plus tard."
    ),
    "client.gave_up_ambiguous": (
        "pas de réponse claire après {attempts} tentative(s) en {spent} s ({reason}\u202f; au "
        "plus {limit} s par appel, nouvelles tentatives comprises)\u202f; la modification a "
        "peut-être été appliquée\u202f: la prochaine exécution vérifiera avec statutMission "
        "avant de renvoyer quoi que ce soit."
    ),
}
