"""Messages of the results workbook and of the planning template.

The help and example of each field are those of :data:`importer.fields.FIELDS`.
"""

from importer.fields import FIELDS

EN = {
    # sheets of the results workbook
    "results.sheet.results": "Results",
    "results.sheet.errors": "Errors",
    "results.sheet.summary": "Summary",
    # the columns added after the source's own (English: exactly the design's keys)
    "results.col.row": "row",
    "results.col.outcome": "outcome",
    "results.col.action": "action",
    "results.col.http_status": "http_status",
    "results.col.message": "message",
    "results.col.errors": "errors",
    "results.col.warnings": "warnings",
    "results.col.attempts": "attempts",
    "results.col.utc_inter": "jourHeureInter (UTC)",
    "results.col.utc_peremp": "jourHeurePeremp (UTC)",
    "results.col.lookups": "lookups",
    # outcome names and meanings (the Summary's legend)
    "results.outcome.created": "created",
    "results.outcome.modified": "modified",
    "results.outcome.deleted": "deleted",
    "results.outcome.unchanged": "unchanged",
    "results.outcome.valid": "valid",
    "results.outcome.invalid": "invalid",
    "results.outcome.failed": "failed",
    "results.outcome.not_sent": "not sent",
    "results.outcome.found": "found",
    "results.outcome.refused": "refused",
    "results.outcome.not_found": "not found",
    "results.meaning.created": "the mission was created in Ocean",
    "results.meaning.modified": "the mission was modified in Ocean",
    "results.meaning.deleted": "the mission was deleted from Ocean",
    "results.meaning.unchanged": "already sent with the same content: nothing to do",
    "results.meaning.valid": "checked and correct; nothing was sent",
    "results.meaning.invalid": "not sent: fix the red cells, then import this workbook again",
    "results.meaning.failed": "sent but refused or unanswered: see the message, then import again",
    "results.meaning.not_sent": "correct but not sent (run stopped): import this workbook again",
    "results.meaning.found": "the mission exists in Ocean and no driver refused it",
    "results.meaning.refused": "a driver refused the mission: read the reason, then plan again",
    "results.meaning.not_found": "Ocean does not know this mission: check the idMission",
    # the Errors sheet
    "results.err.row": "row",
    "results.err.column": "column",
    "results.err.value": "value",
    "results.err.severity": "severity",
    "results.err.explanation": "explanation",
    "results.err.code": "code",
    "results.err.cell": "cell",
    "results.severity.error": "error",
    "results.severity.warning": "warning",
    "results.err.whole_row": "(whole row)",
    # the Summary sheet
    "results.sum.title": "Run summary",
    "results.sum.command": "Command",
    "results.sum.input": "Input file",
    "results.sum.sheet": "Sheet",
    "results.sum.rows": "Rows",
    "results.sum.started": "Started",
    "results.sum.finished": "Finished",
    "results.sum.duration": "Duration",
    "results.sum.duration_value": "{seconds} s",
    "results.sum.throughput": "Throughput",
    "results.sum.throughput_value": "{rate} rows/s",
    "results.sum.outcomes": "Rows per outcome",
    "results.sum.outcome": "outcome",
    "results.sum.name": "name",
    "results.sum.count": "rows",
    "results.sum.meaning": "meaning",
    "results.sum.problems": "Most frequent problems (fix these first)",
    "results.sum.problem_rows": "rows",
    "results.sum.problem_text": "problem",
    "results.sum.problem_example": "{text} (first at row {row})",
    "results.sum.problem_example_one": "{text} (row {row})",
    "results.sum.no_problems": "No problem found.",
    "results.sum.settings": "Settings",
    "results.sum.notes": "Notes",
    "results.sum.none": "(none)",
    "results.sum.comments_capped": (
        "Only the first {limit} problem cells carry a comment; the errors column and the "
        "Errors sheet list every problem."
    ),
    "results.sum.links_capped": (
        "Excel allows {limit} links per sheet: the Errors sheet's later lines name the cell "
        "without a link."
    ),
    # writing the file
    "results.cannot_write": (
        "{path}: cannot write the results workbook ({reason}); choose another place "
        "with -o/--output."
    ),
    "results.no_folder": (
        "{path}: the folder {folder} does not exist; create it or choose another place "
        "with -o/--output."
    ),
    "results.written_beside": (
        "{target} is locked or not writable (open in Excel?); the results were written to "
        "{path} instead."
    ),
    # the planning template
    "results.template.sheet": "Missions",
    "results.template.instructions": "Instructions",
    "results.template.title": "How to fill the Missions sheet",
    "results.template.intro1": (
        "One row per mission. Keep the headers of the first row as they are; you may add "
        "your own columns (they are kept in the results but not sent)."
    ),
    "results.template.intro2": (
        "Each mission needs a Mission ID, an intervention date with its time, a recipient "
        "(a Vehicle, or a Last name + First name, or a Full name) and a destination "
        "(Longitude + Latitude, or a City or Postal code)."
    ),
    "results.template.intro3": (
        "Dates are local times (Europe/Paris unless configured otherwise): the tool converts "
        "them to UTC for Ocean."
    ),
    "results.template.intro4": (
        "Check the file with `mission-importer validate FILE`, then send it with "
        "`mission-importer import FILE`."
    ),
    "results.template.intro5": (
        "Orange headers are required; in each yellow group (recipient, destination) fill "
        "at least one way."
    ),
    "results.template.h.column": "Column",
    "results.template.h.field": "API name",
    "results.template.h.required": "Required",
    "results.template.h.format": "Format",
    "results.template.h.example": "Example",
    "results.template.h.help": "Explanation",
    "results.template.req.required": "yes",
    "results.template.req.recipient": "one recipient",
    "results.template.req.destination": "one destination",
    "results.template.req.optional": "no",
    "results.template.req.multi_client": "multi-client accounts only",
    "results.template.fmt.text": "text",
    "results.template.fmt.date": "date and time dd/mm/yyyy hh:mm",
    "results.template.fmt.integer": "whole number",
    "results.template.fmt.decimal": "decimal number",
    "results.template.fmt.postcode": "text (keeps leading zeros)",
    "results.template.fmt.bool": "TRUE / FALSE",
    "results.template.fmt.action": "create / modify / delete / upsert",
    "results.template.fmt.short_text": "text, 20 characters at most",
    "results.template.list_title": "Value not in the list",
    "results.template.list_message": (
        "Choose a value from the list (other spellings may be refused)."
    ),
}

FR = {
    "results.sheet.results": "Résultats",
    "results.sheet.errors": "Erreurs",
    "results.sheet.summary": "Résumé",
    "results.col.row": "ligne",
    "results.col.outcome": "résultat",
    "results.col.action": "appel",
    "results.col.http_status": "statut_http",
    "results.col.message": "message",
    "results.col.errors": "erreurs",
    "results.col.warnings": "avertissements",
    "results.col.attempts": "tentatives",
    "results.col.utc_inter": "jourHeureInter (UTC)",
    "results.col.utc_peremp": "jourHeurePeremp (UTC)",
    "results.col.lookups": "consultations",
    "results.outcome.created": "créée",
    "results.outcome.modified": "modifiée",
    "results.outcome.deleted": "supprimée",
    "results.outcome.unchanged": "inchangée",
    "results.outcome.valid": "valide",
    "results.outcome.invalid": "invalide",
    "results.outcome.failed": "en échec",
    "results.outcome.not_sent": "non envoyée",
    "results.outcome.found": "trouvée",
    "results.outcome.refused": "refusée",
    "results.outcome.not_found": "introuvable",
    "results.meaning.created": "la mission a été créée dans Ocean",
    "results.meaning.modified": "la mission a été modifiée dans Ocean",
    "results.meaning.deleted": "la mission a été supprimée d'Ocean",
    "results.meaning.unchanged": "déjà envoyée avec le même contenu : rien à faire",
    "results.meaning.valid": "vérifiée et correcte ; rien n'a été envoyé",
    "results.meaning.invalid": (
        "non envoyée : corrigez les cellules en rouge, puis importez à nouveau ce classeur"
    ),
    "results.meaning.failed": (
        "envoyée mais refusée ou sans réponse : lisez le message, puis importez à nouveau"
    ),
    "results.meaning.not_sent": (
        "correcte mais non envoyée (exécution arrêtée) : importez à nouveau ce classeur"
    ),
    "results.meaning.found": "la mission existe dans Ocean et aucun chauffeur ne l'a refusée",
    "results.meaning.refused": (
        "un chauffeur a refusé la mission\u202f: lisez le motif, puis replanifiez-la"
    ),
    "results.meaning.not_found": "Ocean ne connaît pas cette mission\u202f: vérifiez l'idMission",
    "results.err.row": "ligne",
    "results.err.column": "colonne",
    "results.err.value": "valeur",
    "results.err.severity": "gravité",
    "results.err.explanation": "explication",
    "results.err.code": "code",
    "results.err.cell": "cellule",
    "results.severity.error": "erreur",
    "results.severity.warning": "avertissement",
    "results.err.whole_row": "(toute la ligne)",
    "results.sum.title": "Résumé de l'exécution",
    "results.sum.command": "Commande",
    "results.sum.input": "Fichier d'entrée",
    "results.sum.sheet": "Feuille",
    "results.sum.rows": "Lignes",
    "results.sum.started": "Début",
    "results.sum.finished": "Fin",
    "results.sum.duration": "Durée",
    "results.sum.duration_value": "{seconds} s",
    "results.sum.throughput": "Débit",
    "results.sum.throughput_value": "{rate} lignes/s",
    "results.sum.outcomes": "Lignes par résultat",
    "results.sum.outcome": "résultat",
    "results.sum.name": "libellé",
    "results.sum.count": "lignes",
    "results.sum.meaning": "signification",
    "results.sum.problems": "Problèmes les plus fréquents (à corriger en premier)",
    "results.sum.problem_rows": "lignes",
    "results.sum.problem_text": "problème",
    "results.sum.problem_example": "{text} (première à la ligne {row})",
    "results.sum.problem_example_one": "{text} (ligne {row})",
    "results.sum.no_problems": "Aucun problème trouvé.",
    "results.sum.settings": "Paramètres",
    "results.sum.notes": "Remarques",
    "results.sum.none": "(aucune)",
    "results.sum.comments_capped": (
        "Seules les {limit} premières cellules en cause portent un commentaire ; la colonne "
        "des erreurs et la feuille Erreurs listent tous les problèmes."
    ),
    "results.sum.links_capped": (
        "Excel accepte {limit} liens par feuille : les lignes suivantes de la feuille Erreurs "
        "nomment la cellule sans lien."
    ),
    "results.cannot_write": (
        "{path} : impossible d'écrire le classeur de résultats ({reason}) ; choisissez un "
        "autre emplacement avec -o/--output."
    ),
    "results.no_folder": (
        "{path} : le dossier {folder} n'existe pas ; créez-le ou choisissez un autre "
        "emplacement avec -o/--output."
    ),
    "results.written_beside": (
        "{target} est verrouillé ou protégé en écriture (ouvert dans Excel ?) ; les résultats "
        "ont été écrits dans {path}."
    ),
    "results.template.sheet": "Missions",
    "results.template.instructions": "Instructions",
    "results.template.title": "Comment remplir la feuille Missions",
    "results.template.intro1": (
        "Une ligne par mission. Gardez les en-têtes de la première ligne tels quels ; vous "
        "pouvez ajouter vos propres colonnes (elles sont conservées dans les résultats mais "
        "non envoyées)."
    ),
    "results.template.intro2": (
        "Chaque mission demande un identifiant, une date d'intervention avec l'heure, un "
        "destinataire (un véhicule, ou un nom + prénom, ou un nom et prénom) et une "
        "destination (longitude + latitude, ou une ville ou un code postal)."
    ),
    "results.template.intro3": (
        "Les dates sont en heure locale (Europe/Paris sauf réglage contraire) : l'outil les "
        "convertit en UTC pour Ocean."
    ),
    "results.template.intro4": (
        "Vérifiez le fichier avec `mission-importer validate FICHIER`, puis envoyez-le avec "
        "`mission-importer import FICHIER`."
    ),
    "results.template.intro5": (
        "Les en-têtes orange sont obligatoires ; dans chaque groupe jaune (destinataire, "
        "destination), remplissez au moins une des possibilités."
    ),
    "results.template.h.column": "Colonne",
    "results.template.h.field": "Nom dans l'API",
    "results.template.h.required": "Obligatoire",
    "results.template.h.format": "Format",
    "results.template.h.example": "Exemple",
    "results.template.h.help": "Explication",
    "results.template.req.required": "oui",
    "results.template.req.recipient": "un destinataire",
    "results.template.req.destination": "une destination",
    "results.template.req.optional": "non",
    "results.template.req.multi_client": "comptes multi-clients seulement",
    "results.template.fmt.text": "texte",
    "results.template.fmt.date": "date et heure jj/mm/aaaa hh:mm",
    "results.template.fmt.integer": "nombre entier",
    "results.template.fmt.decimal": "nombre décimal",
    "results.template.fmt.postcode": "texte (garde les zéros en tête)",
    "results.template.fmt.bool": "VRAI / FAUX",
    "results.template.fmt.action": "ajout / modification / suppression / upsert",
    "results.template.fmt.short_text": "texte, 20 caractères au plus",
    "results.template.list_title": "Valeur hors liste",
    "results.template.list_message": (
        "Choisissez une valeur de la liste (une autre écriture peut être refusée)."
    ),
}

# Each field's help and example in the template come from the table of fields.
for _field in FIELDS:
    for _lang, _texts in (("en", EN), ("fr", FR)):
        _texts[f"results.template.help.{_field.name}"] = _field.help(_lang)
        _texts[f"results.template.example.{_field.name}"] = _field.example(_lang)
