"""Messages about reading the input file (importer/sources.py)."""

EN = {
    "sources.not_found": "{file}: no such file; check the path and the spelling of its name.",
    "sources.is_folder": (
        "{file} is a folder, not a file; give the path of the spreadsheet itself."
    ),
    "sources.cannot_open": "{file} cannot be opened ({reason}); check that you may read it.",
    "sources.unknown_extension": (
        '{file}: files of type "{ext}" cannot be read; save it as one of {supported}.'
    ),
    "sources.empty_file": ("{file} is empty; export the planning again or choose another file."),
    "sources.no_data_rows": (
        "{file}: the headers are on row {row} but no data row follows them; "
        "fill in at least one mission below the headers."
    ),
    "sources.too_many_rows": (
        "{file} has more than {limit} data rows; split it into smaller files "
        "or raise max_rows in the [import] section of the configuration."
    ),
    "sources.corrupt_workbook": (
        "{file} cannot be read as a workbook of type {kind}: it is damaged or incomplete; "
        "open it in Excel or LibreOffice and save it again."
    ),
    "sources.text_as_workbook": (
        "{file} is a text file (probably CSV), not a workbook of type {kind}; "
        "rename it with the .csv extension."
    ),
    "sources.workbook_as_text": (
        "{file} is a workbook of type {kind}, not a CSV text file; "
        "rename it with the {ext} extension."
    ),
    "sources.wrong_workbook_type": (
        "{file} is really a workbook of type {kind}; rename it with the {ext} extension."
    ),
    "sources.not_a_spreadsheet": (
        "{file} is not a spreadsheet; open it in Excel or LibreOffice and save it as .xlsx."
    ),
    "sources.web_page_as_xls": (
        "{file} is a web page or text export, not a real Excel workbook; "
        "open it in Excel and save it as .xlsx."
    ),
    "sources.encrypted": (
        "{file} is protected by a password; open it in Excel, remove the password "
        "(File > Info > Protect Workbook) and save it again."
    ),
    "sources.xml_entities": (
        "{file} was refused: it declares XML entities (a known attack pattern that normal "
        "spreadsheets never use); save it again from Excel or LibreOffice."
    ),
    "sources.zip_bomb": (
        "{file} was refused: it would unpack to {size}, far beyond what a planning needs "
        "(limit {limit}); save it again from Excel, or split it."
    ),
    "sources.too_many_cells": (
        '{file}: sheet "{sheet}" spans {rows} rows by {cols} columns (up to cell {cell}), '
        "too large to read safely; delete the stray cells far below or to the right "
        "of your data and save again."
    ),
    "sources.sheet_not_found": ('{file} has no sheet named "{sheet}"; its sheets are: {sheets}.'),
    "sources.sheet_skipped": (
        '{file}: sheet "{skipped}" holds no planning table; sheet read: "{sheet}".'
    ),
    "sources.sheet_empty": (
        '{file}: sheet "{sheet}" holds no data; choose another sheet with --sheet.'
    ),
    "sources.no_sheet_with_data": (
        "{file}: no sheet holds any data; fill in the planning or choose another file."
    ),
    "sources.only_hidden_data": (
        "{file}: no visible sheet holds data (hidden sheets: {sheets}); "
        "unhide the sheet in Excel or name it with --sheet."
    ),
    "sources.bad_encoding": (
        "{file} is not in a text encoding the tool understands (UTF-8 or the Western "
        'Windows encoding Excel uses); save it again as "CSV UTF-8".'
    ),
    "sources.mixed_encoding": (
        "{file} mixes two text encodings (line {line} is not UTF-8 while other lines are); "
        'save it again as "CSV UTF-8".'
    ),
    "sources.nul_bytes": (
        "{file}: line {line} contains NUL characters, so this is not a plain text CSV; "
        "export it again as CSV from Excel."
    ),
    "sources.unterminated_quote": (
        '{file}: the quote (") opened on line {line} is never closed; '
        "fix that line or export the file again."
    ),
    "sources.field_too_large": (
        "{file}: line {line} holds a value longer than {limit} characters, usually a quote "
        '(") that is never closed; fix that line or export the file again.'
    ),
    "sources.bad_csv_line": (
        "{file}: line {line} cannot be read as CSV ({reason}); fix that line or export the "
        "file again."
    ),
    "sources.results_columns_dropped": (
        '{file} is a results workbook: its {count} added columns, from "{first}" on, '
        "are ignored and the source columns are read again."
    ),
    "sources.error_cells": (
        '{count} cell(s) of sheet "{sheet}" show a formula error (for example {value} '
        "in {cell}); they are read as that text."
    ),
    "sources.kind_xlsx": "Excel (.xlsx)",
    "sources.kind_xls": "Excel 97-2003 (.xls)",
    "sources.kind_ods": "OpenDocument (.ods)",
}

FR = {
    "sources.not_found": (
        "{file} : fichier introuvable ; vérifiez le chemin et l'orthographe de son nom."
    ),
    "sources.is_folder": (
        "{file} est un dossier, pas un fichier ; indiquez le chemin du tableur lui-même."
    ),
    "sources.cannot_open": (
        "{file} ne peut pas être ouvert ({reason}) ; vérifiez que vous avez le droit de le lire."
    ),
    "sources.unknown_extension": (
        "{file} : les fichiers de type « {ext} » ne sont pas lus ; enregistrez-le dans "
        "l'un de ces formats : {supported}."
    ),
    "sources.empty_file": (
        "{file} est vide ; exportez de nouveau le planning ou choisissez un autre fichier."
    ),
    "sources.no_data_rows": (
        "{file} : les en-têtes sont en ligne {row} mais aucune ligne de données ne suit ; "
        "saisissez au moins une mission sous les en-têtes."
    ),
    "sources.too_many_rows": (
        "{file} compte plus de {limit} lignes de données ; découpez-le en fichiers plus "
        "petits ou augmentez max_rows dans la section [import] de la configuration."
    ),
    "sources.corrupt_workbook": (
        "{file} ne peut pas être lu comme un classeur {kind} : il est abîmé ou incomplet ; "
        "ouvrez-le dans Excel ou LibreOffice et enregistrez-le de nouveau."
    ),
    "sources.text_as_workbook": (
        "{file} est un fichier texte (sans doute un CSV), pas un classeur {kind} ; "
        "renommez-le avec l'extension .csv."
    ),
    "sources.workbook_as_text": (
        "{file} est un classeur {kind}, pas un fichier texte CSV ; "
        "renommez-le avec l'extension {ext}."
    ),
    "sources.wrong_workbook_type": (
        "{file} est en réalité un classeur {kind} ; renommez-le avec l'extension {ext}."
    ),
    "sources.not_a_spreadsheet": (
        "{file} n'est pas un tableur ; ouvrez-le dans Excel ou LibreOffice et "
        "enregistrez-le au format .xlsx."
    ),
    "sources.web_page_as_xls": (
        "{file} est une page web ou un export texte, pas un vrai classeur Excel ; "
        "ouvrez-le dans Excel et enregistrez-le au format .xlsx."
    ),
    "sources.encrypted": (
        "{file} est protégé par un mot de passe ; ouvrez-le dans Excel, retirez le mot de "
        "passe (Fichier > Informations > Protéger le classeur) et enregistrez-le de nouveau."
    ),
    "sources.xml_entities": (
        "{file} a été refusé : il déclare des entités XML (un procédé d'attaque connu que "
        "les vrais tableurs n'utilisent jamais) ; enregistrez-le de nouveau depuis Excel "
        "ou LibreOffice."
    ),
    "sources.zip_bomb": (
        "{file} a été refusé : une fois décompressé il occuperait {size}, bien plus qu'un "
        "planning n'en demande (limite {limit}) ; enregistrez-le de nouveau depuis Excel "
        "ou découpez-le."
    ),
    "sources.too_many_cells": (
        "{file} : la feuille « {sheet} » s'étend sur {rows} lignes et {cols} colonnes "
        "(jusqu'à la cellule {cell}), trop pour être lue sans risque ; supprimez les "
        "cellules isolées loin en dessous ou à droite de vos données et enregistrez de nouveau."
    ),
    "sources.sheet_not_found": (
        "{file} n'a pas de feuille nommée « {sheet} » ; ses feuilles sont : {sheets}."
    ),
    "sources.sheet_skipped": (
        "{file} : la feuille « {skipped} » ne contient pas de tableau de planning ; "
        "feuille lue : « {sheet} »."
    ),
    "sources.sheet_empty": (
        "{file} : la feuille « {sheet} » ne contient aucune donnée ; choisissez une autre "
        "feuille avec --sheet."
    ),
    "sources.no_sheet_with_data": (
        "{file} : aucune feuille ne contient de données ; remplissez le planning ou "
        "choisissez un autre fichier."
    ),
    "sources.only_hidden_data": (
        "{file} : aucune feuille visible ne contient de données (feuilles masquées : "
        "{sheets}) ; affichez la feuille dans Excel ou nommez-la avec --sheet."
    ),
    "sources.bad_encoding": (
        "{file} n'est pas dans un encodage de texte reconnu (UTF-8 ou l'encodage Windows "
        "occidental d'Excel) ; enregistrez-le de nouveau au format « CSV UTF-8 »."
    ),
    "sources.mixed_encoding": (
        "{file} mélange deux encodages de texte (la ligne {line} n'est pas en UTF-8 alors "
        "que d'autres le sont) ; enregistrez-le de nouveau au format « CSV UTF-8 »."
    ),
    "sources.nul_bytes": (
        "{file} : la ligne {line} contient des caractères NUL, ce n'est donc pas un CSV en "
        "texte brut ; exportez-le de nouveau en CSV depuis Excel."
    ),
    "sources.unterminated_quote": (
        "{file} : le guillemet (\") ouvert en ligne {line} n'est jamais refermé ; "
        "corrigez cette ligne ou exportez de nouveau le fichier."
    ),
    "sources.field_too_large": (
        "{file} : la ligne {line} contient une valeur de plus de {limit} caractères, "
        'en général un guillemet (") jamais refermé ; corrigez cette ligne ou exportez '
        "de nouveau le fichier."
    ),
    "sources.bad_csv_line": (
        "{file} : la ligne {line} ne peut pas être lue comme du CSV ({reason}) ; "
        "corrigez cette ligne ou exportez de nouveau le fichier."
    ),
    "sources.results_columns_dropped": (
        "{file} est un classeur de résultats : ses {count} colonnes ajoutées, à partir de "
        "« {first} », sont ignorées et les colonnes d'origine sont relues."
    ),
    "sources.error_cells": (
        "{count} cellule(s) de la feuille « {sheet} » affichent une erreur de formule "
        "(par exemple {value} en {cell}) ; elles sont lues telles quelles."
    ),
    "sources.kind_xlsx": "Excel (.xlsx)",
    "sources.kind_xls": "Excel 97-2003 (.xls)",
    "sources.kind_ods": "OpenDocument (.ods)",
}
