"""Messages about headers, and the label of each mission field (``columns.label.<name>``).

The labels are those of :data:`importer.fields.FIELDS`: what a planner reads for a field.
"""

from importer.fields import FIELDS

EN = {
    "columns.duplicate_field": (
        '{file}: the columns "{first}" and "{second}" both mean {field}; '
        "keep one of them or rename the other."
    ),
    "columns.none_recognised": (
        "{file}: no column is recognised; the first row should hold headers such as "
        '"idMission" or "Date d\'intervention" (see `mission-importer template`).'
    ),
    "columns.unknown_target": (
        'the column mapping sends "{header}" to "{field}", which is not a mission field.'
    ),
    "columns.unknown_column": 'column "{column}" is not a mission field; it is kept but not sent.',
}

FR = {
    "columns.duplicate_field": (
        "{file} : les colonnes « {first} » et « {second} » désignent toutes deux {field} ; "
        "gardez-en une ou renommez l'autre."
    ),
    "columns.none_recognised": (
        "{file} : aucune colonne n'est reconnue ; la première ligne doit porter des en-têtes "
        "comme « idMission » ou « Date d'intervention » (voir `mission-importer template`)."
    ),
    "columns.unknown_target": (
        "la correspondance de colonnes envoie « {header} » vers « {field} », "
        "qui n'est pas un champ de mission."
    ),
    "columns.unknown_column": (
        "la colonne « {column} » n'est pas un champ de mission ; elle est conservée mais non envoyée."
    ),
}

for _field in FIELDS:
    EN[f"columns.label.{_field.name}"] = _field.label_en
    FR[f"columns.label.{_field.name}"] = _field.label_fr
