"""How the check page counts problems: one sentence per rule and column, without a value.

``problems.<code>`` (several) and ``problems.<code>.one`` for each ``validation.<code>``: the
check page's "Problems by kind" says "2 unreadable dates in "Date intervention"". ``{column}``
is the file's header; a field's placeholder (``{idMission}``) its header or label, as in the
row's own message.
"""

EN = {
    "problems.date_format_one": '{count} unreadable date in "{column}"',
    "problems.date_format": '{count} unreadable dates in "{column}"',
    "problems.date_no_time_one": '{count} date without a time in "{column}"',
    "problems.date_no_time": '{count} dates without a time in "{column}"',
    "problems.midnight_assumed_one": '{count} date taken as midnight in "{column}"',
    "problems.midnight_assumed": '{count} dates taken as midnight in "{column}"',
    "problems.day_impossible_one": '{count} date whose day does not exist in "{column}"',
    "problems.day_impossible": '{count} dates whose day does not exist in "{column}"',
    "problems.month_impossible_one": '{count} date whose month does not exist in "{column}"',
    "problems.month_impossible": '{count} dates whose month does not exist in "{column}"',
    "problems.time_impossible_one": '{count} impossible time in "{column}"',
    "problems.time_impossible": '{count} impossible times in "{column}"',
    "problems.time_no_date_one": '{count} time without a date in "{column}"',
    "problems.time_no_date": '{count} times without a date in "{column}"',
    "problems.date_range_one": '{count} implausible year in "{column}"',
    "problems.date_range": '{count} implausible years in "{column}"',
    "problems.date_gap_one": '{count} time skipped by the change to summer time in "{column}"',
    "problems.date_gap": '{count} times skipped by the change to summer time in "{column}"',
    "problems.date_ambiguous_one": (
        '{count} time that happens twice (change to winter time) in "{column}"'
    ),
    "problems.date_ambiguous": (
        '{count} times that happen twice (change to winter time) in "{column}"'
    ),
    "problems.date_past_one": '{count} date in the past in "{column}"',
    "problems.date_past": '{count} dates in the past in "{column}"',
    "problems.inter_required_one": '{count} empty intervention date in "{column}"',
    "problems.inter_required": '{count} empty intervention dates in "{column}"',
    "problems.inter_column_missing_one": (
        '{count} row without an intervention date: the file has no column "{jourHeureInter}"'
    ),
    "problems.inter_column_missing": (
        '{count} rows without an intervention date: the file has no column "{jourHeureInter}"'
    ),
    "problems.peremp_before_inter_one": (
        '{count} expiry date not after the intervention in "{column}"'
    ),
    "problems.peremp_before_inter": '{count} expiry dates not after the intervention in "{column}"',
    "problems.id_required_one": '{count} empty mission ID in "{column}"',
    "problems.id_required": '{count} empty mission IDs in "{column}"',
    "problems.id_column_missing_one": (
        '{count} row without a mission ID: the file has no column "{idMission}"'
    ),
    "problems.id_column_missing": (
        '{count} rows without a mission ID: the file has no column "{idMission}"'
    ),
    "problems.duplicate_id_one": '{count} mission ID used more than once in "{column}"',
    "problems.duplicate_id": '{count} mission IDs used more than once in "{column}"',
    "problems.customer_id_one": '{count} customer ID that is not a whole number in "{column}"',
    "problems.customer_id": '{count} customer IDs that are not whole numbers in "{column}"',
    "problems.recipient_missing_one": "{count} row without a recipient",
    "problems.recipient_missing": "{count} rows without a recipient",
    "problems.recipient_no_first_name_one": '{count} last name without a first name in "{column}"',
    "problems.recipient_no_first_name": '{count} last names without a first name in "{column}"',
    "problems.recipient_no_last_name_one": '{count} first name without a last name in "{column}"',
    "problems.recipient_no_last_name": '{count} first names without a last name in "{column}"',
    "problems.destination_missing_one": "{count} row without a destination (one is required)",
    "problems.destination_missing": "{count} rows without a destination (one is required)",
    "problems.destination_none_one": "{count} row sent without a destination",
    "problems.destination_none": "{count} rows sent without a destination",
    "problems.street_alone_one": '{count} street without a city or postal code in "{column}"',
    "problems.street_alone": '{count} streets without a city or postal code in "{column}"',
    "problems.coordinate_one": '{count} coordinate that is not a number in "{column}"',
    "problems.coordinate": '{count} coordinates that are not numbers in "{column}"',
    "problems.latitude_range_one": '{count} latitude out of range in "{column}"',
    "problems.latitude_range": '{count} latitudes out of range in "{column}"',
    "problems.longitude_range_one": '{count} longitude out of range in "{column}"',
    "problems.longitude_range": '{count} longitudes out of range in "{column}"',
    "problems.latitude_alone_one": '{count} latitude without a longitude in "{column}"',
    "problems.latitude_alone": '{count} latitudes without a longitude in "{column}"',
    "problems.longitude_alone_one": '{count} longitude without a latitude in "{column}"',
    "problems.longitude_alone": '{count} longitudes without a latitude in "{column}"',
    "problems.coordinates_swapped_one": (
        '{count} latitude that looks swapped with its longitude in "{column}"'
    ),
    "problems.coordinates_swapped": (
        '{count} latitudes that look swapped with their longitudes in "{column}"'
    ),
    "problems.postcode_one": '{count} unreadable postal code in "{column}"',
    "problems.postcode": '{count} unreadable postal codes in "{column}"',
    "problems.boolean_one": '{count} value that is not yes or no in "{column}"',
    "problems.boolean": '{count} values that are not yes or no in "{column}"',
    "problems.action_one": '{count} unknown action in "{column}"',
    "problems.action": '{count} unknown actions in "{column}"',
    "problems.mission_type_one": '{count} mission type not configured in "{column}"',
    "problems.mission_type": '{count} mission types not configured in "{column}"',
    "problems.adr_ref_long_one": (
        '{count} reference address of more than 20 characters in "{column}"'
    ),
    "problems.adr_ref_long": '{count} reference addresses of more than 20 characters in "{column}"',
}

FR = {
    "problems.date_format_one": "{count} date illisible dans « {column} »",
    "problems.date_format": "{count} dates illisibles dans « {column} »",
    "problems.date_no_time_one": "{count} date sans heure dans « {column} »",
    "problems.date_no_time": "{count} dates sans heure dans « {column} »",
    "problems.midnight_assumed_one": "{count} date lue comme minuit dans « {column} »",
    "problems.midnight_assumed": "{count} dates lues comme minuit dans « {column} »",
    "problems.day_impossible_one": "{count} date dont le jour n'existe pas dans « {column} »",
    "problems.day_impossible": "{count} dates dont le jour n'existe pas dans « {column} »",
    "problems.month_impossible_one": "{count} date dont le mois n'existe pas dans « {column} »",
    "problems.month_impossible": "{count} dates dont le mois n'existe pas dans « {column} »",
    "problems.time_impossible_one": "{count} heure impossible dans « {column} »",
    "problems.time_impossible": "{count} heures impossibles dans « {column} »",
    "problems.time_no_date_one": "{count} heure sans date dans « {column} »",
    "problems.time_no_date": "{count} heures sans date dans « {column} »",
    "problems.date_range_one": "{count} année invraisemblable dans « {column} »",
    "problems.date_range": "{count} années invraisemblables dans « {column} »",
    "problems.date_gap_one": "{count} heure sautée au passage à l'heure d'été dans « {column} »",
    "problems.date_gap": "{count} heures sautées au passage à l'heure d'été dans « {column} »",
    "problems.date_ambiguous_one": (
        "{count} heure qui existe deux fois (passage à l'heure d'hiver) dans « {column} »"
    ),
    "problems.date_ambiguous": (
        "{count} heures qui existent deux fois (passage à l'heure d'hiver) dans « {column} »"
    ),
    "problems.date_past_one": "{count} date passée dans « {column} »",
    "problems.date_past": "{count} dates passées dans « {column} »",
    "problems.inter_required_one": "{count} date d'intervention vide dans « {column} »",
    "problems.inter_required": "{count} dates d'intervention vides dans « {column} »",
    "problems.inter_column_missing_one": (
        "{count} ligne sans date d'intervention : le fichier n'a pas de "
        "colonne « {jourHeureInter} »"
    ),
    "problems.inter_column_missing": (
        "{count} lignes sans date d'intervention : le fichier n'a pas de "
        "colonne « {jourHeureInter} »"
    ),
    "problems.peremp_before_inter_one": (
        "{count} date de péremption pas après l'intervention dans « {column} »"
    ),
    "problems.peremp_before_inter": (
        "{count} dates de péremption pas après l'intervention dans « {column} »"
    ),
    "problems.id_required_one": "{count} identifiant de mission vide dans « {column} »",
    "problems.id_required": "{count} identifiants de mission vides dans « {column} »",
    "problems.id_column_missing_one": (
        "{count} ligne sans identifiant de mission : le fichier n'a pas de colonne « {idMission} »"
    ),
    "problems.id_column_missing": (
        "{count} lignes sans identifiant de mission : le fichier n'a pas de colonne « {idMission} »"
    ),
    "problems.duplicate_id_one": "{count} identifiant de mission en double dans « {column} »",
    "problems.duplicate_id": "{count} identifiants de mission en double dans « {column} »",
    "problems.customer_id_one": (
        "{count} identifiant client qui n'est pas un nombre entier dans « {column} »"
    ),
    "problems.customer_id": (
        "{count} identifiants client qui ne sont pas des nombres entiers dans « {column} »"
    ),
    "problems.recipient_missing_one": "{count} ligne sans destinataire",
    "problems.recipient_missing": "{count} lignes sans destinataire",
    "problems.recipient_no_first_name_one": "{count} nom sans prénom dans « {column} »",
    "problems.recipient_no_first_name": "{count} noms sans prénom dans « {column} »",
    "problems.recipient_no_last_name_one": "{count} prénom sans nom dans « {column} »",
    "problems.recipient_no_last_name": "{count} prénoms sans nom dans « {column} »",
    "problems.destination_missing_one": "{count} ligne sans destination (obligatoire)",
    "problems.destination_missing": "{count} lignes sans destination (obligatoire)",
    "problems.destination_none_one": "{count} ligne envoyée sans destination",
    "problems.destination_none": "{count} lignes envoyées sans destination",
    "problems.street_alone_one": "{count} rue sans ville ni code postal dans « {column} »",
    "problems.street_alone": "{count} rues sans ville ni code postal dans « {column} »",
    "problems.coordinate_one": "{count} coordonnée qui n'est pas un nombre dans « {column} »",
    "problems.coordinate": "{count} coordonnées qui ne sont pas des nombres dans « {column} »",
    "problems.latitude_range_one": "{count} latitude hors limites dans « {column} »",
    "problems.latitude_range": "{count} latitudes hors limites dans « {column} »",
    "problems.longitude_range_one": "{count} longitude hors limites dans « {column} »",
    "problems.longitude_range": "{count} longitudes hors limites dans « {column} »",
    "problems.latitude_alone_one": "{count} latitude sans longitude dans « {column} »",
    "problems.latitude_alone": "{count} latitudes sans longitude dans « {column} »",
    "problems.longitude_alone_one": "{count} longitude sans latitude dans « {column} »",
    "problems.longitude_alone": "{count} longitudes sans latitude dans « {column} »",
    "problems.coordinates_swapped_one": (
        "{count} latitude qui semble inversée avec sa longitude dans « {column} »"
    ),
    "problems.coordinates_swapped": (
        "{count} latitudes qui semblent inversées avec leur longitude dans « {column} »"
    ),
    "problems.postcode_one": "{count} code postal illisible dans « {column} »",
    "problems.postcode": "{count} codes postaux illisibles dans « {column} »",
    "problems.boolean_one": "{count} valeur qui n'est ni oui ni non dans « {column} »",
    "problems.boolean": "{count} valeurs qui ne sont ni oui ni non dans « {column} »",
    "problems.action_one": "{count} action inconnue dans « {column} »",
    "problems.action": "{count} actions inconnues dans « {column} »",
    "problems.mission_type_one": "{count} type de mission non configuré dans « {column} »",
    "problems.mission_type": "{count} types de mission non configurés dans « {column} »",
    "problems.adr_ref_long_one": (
        "{count} adresse de référence de plus de 20 caractères dans « {column} »"
    ),
    "problems.adr_ref_long": (
        "{count} adresses de référence de plus de 20 caractères dans « {column} »"
    ),
}
