"""The import page's own wording of shared sentences, in English and French.

A sentence ``K`` of another domain that names a command-line option, an HTTP code, an API
call or an API field name has here its page variant ``page.K``: the same facts in the
planner's words, with what to do on the page. :func:`importer.messages.t` uses it while
rendering for the page (``language_context(lang, page=True)``); a variant may use fewer
placeholders than its sentence, never more.
"""

EN: dict[str, str] = {
    "page.engine.unchanged": "unchanged since it was last sent: nothing to send",
    "page.engine.would_send": "would be sent to Ocean",
    "page.engine.api_error": "Ocean refused the row: {reason}",
    "page.engine.ambiguous": (
        "no certain answer from Ocean ({reason}); the change may have been made: send the same "
        "file again, each mission is checked with Ocean before anything is sent twice"
    ),
    "page.engine.all_or_nothing": "nothing sent: {count} row(s) have errors; fix them first",
    "page.client.forbidden": (
        "this account may not manage this mission's customer. If the "
        "account manages several customers, choose the customer at the top of the page "
        "(or fill in the customer column); otherwise ask your Ocean administrator."
    ),
    "page.client.not_found": "mission {id} is unknown to Ocean.",
    "page.client.unprocessable": (
        "Ocean refused a value of this row{detail}: correct the row and send it again."
    ),
    "page.client.bad_request": (
        "Ocean refused this row{detail}: check the row's values and send it again."
    ),
    "page.client.unauthorized": (
        "Ocean refused this account's session right after signing in again: check with "
        "your Ocean administrator that the account may import missions."
    ),
    "page.client.redirect": (
        "Ocean sent the request elsewhere: the Ocean address the page uses is out of date; "
        "ask the administrator of this page."
    ),
    "page.client.http_error": "Ocean answered with an error{detail}.",
    "page.client.reason.http": "Ocean answered with an error",
    "page.client.reason.throttled": "Ocean asked to slow down",
    "page.client.reason.tls": (
        "the secure connection to Ocean failed ({detail}); ask the administrator of this page"
    ),
    "page.client.bad_url": (
        'the Ocean address "{url}" the page uses is not a web address; ask the administrator '
        "of this page."
    ),
    "page.client.ca_bundle_missing": (
        "the certificate file the page uses to reach Ocean is missing; ask the administrator "
        "of this page."
    ),
    "page.client.auth_bad_answer": (
        "Ocean at {url} did not answer the sign-in as expected{detail}; try again later, or "
        "ask the administrator of this page to check the Ocean address."
    ),
    "page.client.auth_no_token": (
        "Ocean at {url} accepted the sign-in but did not open a session; ask the "
        "administrator of this page to check the Ocean address."
    ),
    "page.client.gave_up_ambiguous": (
        "no clear answer after {attempts} attempt(s) in {spent} s ({reason}); the change may "
        "have been made: send the file again, each mission is checked with Ocean before "
        "anything is sent twice."
    ),
    "page.sources.sheet_empty": ('{file}: sheet "{sheet}" holds no data; choose another sheet.'),
    "page.sources.only_hidden_data": (
        "{file}: no visible sheet holds data (hidden sheets: {sheets}); unhide the sheet in "
        "Excel, or choose it by its name."
    ),
    "page.validation.unknown_timezone": (
        'unknown time zone "{zone}" in the page\'s settings; ask the administrator of this page'
    ),
    "page.journal.locked": (
        "another program is using the record of what was sent; try again in a few minutes, "
        "or ask the administrator of this page."
    ),
    "page.journal.locked_unknown_pid": (
        "another program is using the record of what was sent; try again in a few minutes, "
        "or ask the administrator of this page."
    ),
    "page.journal.corrupt": (
        "the record of what was sent is damaged ({reason}); ask the administrator of this page."
    ),
    "page.journal.newer_version": (
        "the record of what was sent comes from a newer version of this tool; ask the "
        "administrator of this page."
    ),
    "page.journal.cannot_open": (
        "the record of what was sent cannot be opened ({reason}); ask the administrator of "
        "this page."
    ),
    "page.journal.write_failed": (
        "the record of what was sent cannot be written ({reason}); ask the administrator of "
        "this page. Missions already sent are checked with Ocean before being sent again."
    ),
    "page.results.cannot_write": (
        "the results workbook cannot be written ({reason}); ask the administrator of this page."
    ),
    "page.results.no_folder": (
        "the folder for the results workbooks is missing; ask the administrator of this page."
    ),
    "page.client.unreachable": "Ocean ({url}) cannot be reached: {reason}.",
    "page.columns.none_recognised": (
        '{file}: no column is recognised; the first row should hold headers such as "Mission ID" '
        'or "Intervention date" (the template, on the command line, has them all).'
    ),
    "page.journal.older_running": (
        "an older version of this tool is using the record of what was sent; try again once "
        "it has finished, or ask the administrator of this page."
    ),
}

FR: dict[str, str] = {
    "page.engine.unchanged": "inchangée depuis le dernier envoi\u202f: rien à envoyer",
    "page.engine.would_send": "serait envoyée à Ocean",
    "page.engine.api_error": "Ocean a refusé la ligne\u202f: {reason}",
    "page.engine.ambiguous": (
        "pas de réponse certaine d’Ocean ({reason})\u202f; la modification a peut-être été faite\u202f: "
        "renvoyez le même fichier, chaque mission est vérifiée auprès d’Ocean avant tout "
        "nouvel envoi"
    ),
    "page.engine.all_or_nothing": (
        "rien n’a été envoyé\u202f: {count} ligne(s) en erreur\u202f; corrigez-les d’abord"
    ),
    "page.client.forbidden": (
        "ce compte ne peut pas gérer le client de cette mission. Si le "
        "compte gère plusieurs clients, choisissez le client en haut de la page (ou "
        "remplissez la colonne du client)\u202f; sinon, demandez à votre administrateur Ocean."
    ),
    "page.client.not_found": "la mission {id} est inconnue d’Ocean.",
    "page.client.unprocessable": (
        "Ocean a refusé une valeur de cette ligne{detail}\u202f: corrigez la ligne puis "
        "renvoyez-la."
    ),
    "page.client.bad_request": (
        "Ocean a refusé cette ligne{detail}\u202f: vérifiez ses valeurs puis renvoyez-la."
    ),
    "page.client.unauthorized": (
        "Ocean a refusé la session de ce compte juste après une nouvelle connexion\u202f: "
        "vérifiez avec votre administrateur Ocean que le compte peut importer des missions."
    ),
    "page.client.redirect": (
        "Ocean a renvoyé la demande ailleurs\u202f: l’adresse d’Ocean utilisée par la page n’est "
        "plus la bonne\u202f; prévenez l’administrateur de cette page."
    ),
    "page.client.http_error": "Ocean a répondu par une erreur{detail}.",
    "page.client.reason.http": "Ocean a répondu par une erreur",
    "page.client.reason.throttled": "Ocean a demandé de ralentir",
    "page.client.reason.tls": (
        "la connexion sécurisée à Ocean a échoué ({detail})\u202f; prévenez l’administrateur de "
        "cette page"
    ),
    "page.client.bad_url": (
        "l’adresse d’Ocean «\u202f{url}\u202f» utilisée par la page n’est pas une adresse web\u202f; "
        "prévenez l’administrateur de cette page."
    ),
    "page.client.ca_bundle_missing": (
        "le fichier de certificats qu’utilise la page pour joindre Ocean est introuvable\u202f; "
        "prévenez l’administrateur de cette page."
    ),
    "page.client.auth_bad_answer": (
        "Ocean ({url}) n’a pas répondu comme prévu à la connexion{detail}\u202f; réessayez plus "
        "tard, ou demandez à l’administrateur de cette page de vérifier l’adresse d’Ocean."
    ),
    "page.client.auth_no_token": (
        "Ocean ({url}) a accepté la connexion sans ouvrir de session\u202f; demandez à "
        "l’administrateur de cette page de vérifier l’adresse d’Ocean."
    ),
    "page.client.gave_up_ambiguous": (
        "pas de réponse claire après {attempts} tentative(s) en {spent} s ({reason})\u202f; la "
        "modification a peut-être été faite\u202f: renvoyez le fichier, chaque mission est "
        "vérifiée auprès d’Ocean avant tout nouvel envoi."
    ),
    "page.sources.sheet_empty": (
        "{file}\u202f: la feuille «\u202f{sheet}\u202f» ne contient aucune donnée\u202f; choisissez une autre "
        "feuille."
    ),
    "page.sources.only_hidden_data": (
        "{file}\u202f: aucune feuille visible ne contient de données (feuilles masquées\u202f: "
        "{sheets})\u202f; affichez la feuille dans Excel, ou choisissez-la par son nom."
    ),
    "page.validation.unknown_timezone": (
        "fuseau horaire inconnu «\u202f{zone}\u202f» dans les réglages de la page\u202f; prévenez "
        "l’administrateur de cette page"
    ),
    "page.journal.locked": (
        "un autre programme utilise le registre des envois\u202f; réessayez dans quelques "
        "minutes, ou prévenez l’administrateur de cette page."
    ),
    "page.journal.locked_unknown_pid": (
        "un autre programme utilise le registre des envois\u202f; réessayez dans quelques "
        "minutes, ou prévenez l’administrateur de cette page."
    ),
    "page.journal.corrupt": (
        "le registre des envois est endommagé ({reason})\u202f; prévenez l’administrateur de "
        "cette page."
    ),
    "page.journal.newer_version": (
        "le registre des envois vient d’une version plus récente de cet outil\u202f; prévenez "
        "l’administrateur de cette page."
    ),
    "page.journal.cannot_open": (
        "impossible d’ouvrir le registre des envois ({reason})\u202f; prévenez l’administrateur "
        "de cette page."
    ),
    "page.journal.write_failed": (
        "impossible d’écrire dans le registre des envois ({reason})\u202f; prévenez "
        "l’administrateur de cette page. Les missions déjà envoyées sont vérifiées auprès "
        "d’Ocean avant tout nouvel envoi."
    ),
    "page.results.cannot_write": (
        "impossible d’écrire le classeur de résultats ({reason})\u202f; prévenez "
        "l’administrateur de cette page."
    ),
    "page.results.no_folder": (
        "le dossier des classeurs de résultats est absent\u202f; prévenez l’administrateur de "
        "cette page."
    ),
    "page.client.unreachable": "Ocean ({url}) est injoignable\u202f: {reason}.",
    "page.columns.none_recognised": (
        "{file}\u202f: aucune colonne n’est reconnue\u202f; la première ligne doit porter des "
        "en-têtes comme «\u202fIdentifiant mission\u202f» ou «\u202fDate d’intervention\u202f» (le modèle, en ligne "
        "de commande, les a tous)."
    ),
    "page.journal.older_running": (
        "une version plus ancienne de cet outil utilise le registre des envois\u202f; "
        "réessayez quand elle aura fini, ou prévenez l’administrateur de cette page."
    ),
}
