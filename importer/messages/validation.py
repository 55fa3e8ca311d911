"""Messages about cell values and row rules (what is wrong, and what would be right).

Each sentence is about one cell; the results show it after the column's header
("Date d'intervention: ..."), so the sentence itself does not repeat the column. Another
column is named by its field's placeholder (``{nomVeh}``): the file's own header for that
field ("Technicien"), or the field's label when the file has no such column; never the
API name.
"""

EN = {
    # dates
    "validation.date_format": (
        '"{value}" is not a date; write it as dd/mm/yyyy hh:mm, e.g. 03/12/2026 08:30'
    ),
    "validation.date_no_time": (
        '"{value}" has a date but no time; add the time, e.g. {example} (for midnight, '
        "type 00:00 in a cell formatted to show the time, e.g. dd/mm/yyyy hh:mm)"
    ),
    "validation.midnight_assumed": (
        '"{value}" was taken as midnight (00:00): the cell\'s format could not be read to '
        "tell a time of 00:00 from a date alone; check the time"
    ),
    "validation.day_impossible": (
        '"{value}" is not a real date: that month has {last} days, not {day}; '
        "the nearest real dates are {before} and {after}"
    ),
    "validation.month_impossible": (
        '"{value}" is not a real date: there is no month {month}; write the day first, then '
        "the month (dd/mm/yyyy hh:mm), e.g. 03/12/2026 08:30"
    ),
    "validation.month_impossible_swapped": (
        '"{value}" is not a real date: there is no month {month}; dates are written day '
        "first (dd/mm/yyyy): if you meant month/day, write {swapped}"
    ),
    "validation.time_impossible": (
        '"{value}" has no such time as {time}: hours go from 00 to 23 and minutes from 00 '
        "to 59, e.g. 03/12/2026 08:30"
    ),
    "validation.time_no_date": (
        '"{value}" is a time without a date; write both, e.g. 03/12/2026 {value}'
    ),
    "validation.date_range": (
        '"{value}" is not a plausible date (year {year}); write it as dd/mm/yyyy hh:mm, '
        "e.g. 03/12/2026 08:30"
    ),
    "validation.date_gap": (
        '"{value}" does not exist in {zone}: the clocks jump forward an hour at that time '
        "(daylight saving); write the time as the clocks show it, e.g. {suggestion}"
    ),
    "validation.date_ambiguous": (
        '"{value}" happens twice in {zone} (the clocks go back an hour that night); '
        "the first one was taken ({utc} UTC); for the second ({other} UTC) write {iso}"
    ),
    "validation.date_past": (
        '"{value}" is in the past ({utc} UTC); the mission is sent anyway: check the date'
    ),
    "validation.inter_required": (
        "the intervention date is empty; every mission needs one, e.g. 03/12/2026 08:30"
    ),
    "validation.inter_column_missing": (
        'the file has no intervention date column; add a column "{jourHeureInter}" '
        "with dates such as 03/12/2026 08:30"
    ),
    "validation.peremp_before_inter": (
        '"{value}" is not after the intervention date ({inter}, column '
        '"{jourHeureInter}"); the expiry date must come later, or leave it empty'
    ),
    # the mission ID
    "validation.id_required": (
        "the mission ID is empty; give every row its own ID, e.g. M-2026-0001"
    ),
    "validation.id_column_missing": (
        'the file has no mission ID column; add a column "{idMission}" with one unique ID per row'
    ),
    "validation.duplicate_id": (
        '"{value}" is also the mission ID of row {rows}; each mission ID must appear once '
        "in the file: change one of them or remove the extra row"
    ),
    "validation.duplicate_ids": (
        '"{value}" is also the mission ID of rows {rows}; each mission ID must appear once '
        "in the file: change them or remove the extra rows"
    ),
    "validation.customer_id": (
        '"{value}" is not a customer ID; write a whole number, e.g. 100, or leave it empty'
    ),
    # recipient and destination
    "validation.recipient_missing": (
        'no recipient: fill the column "{nomVeh}" (the vehicle), or the columns '
        '"{nomIndi}" and "{prenomIndi}" (last and first names), or the column '
        '"{nomPrenom}" (the full name)'
    ),
    "validation.recipient_no_first_name": (
        'the last name "{value}" has no first name beside it; fill the column '
        '"{prenomIndi}", or use the column "{nomPrenom}" (full name) or "{nomVeh}" '
        "(vehicle)"
    ),
    "validation.recipient_no_last_name": (
        'the first name "{value}" has no last name beside it; fill the column '
        '"{nomIndi}", or use the column "{nomPrenom}" (full name) or "{nomVeh}" '
        "(vehicle)"
    ),
    "validation.destination_missing": (
        'no destination: fill the column "{ville}" (city), "{codPost}" (postal code) '
        'or "{adrRefCli}" (the client\'s reference address), or both "{latitude}" and '
        '"{longitude}"; require_destination is on in the settings'
    ),
    "validation.destination_none": (
        'no destination (nothing in "{ville}", "{codPost}", "{adrRefCli}", '
        '"{latitude}" or "{longitude}"); the mission is sent without one: check that '
        "the driver knows where to go"
    ),
    "validation.street_alone": (
        '"{value}" has no city or postal code beside it (columns "{ville}" and '
        '"{codPost}"); the mission is sent, but add one so the street can be found'
    ),
    "validation.coordinate": (
        '"{value}" is not a number; write decimal degrees with a dot or a comma, e.g. 48.8566'
    ),
    "validation.latitude_range": (
        '"{value}" is not a latitude: it must be between -90 and 90 (decimal degrees, '
        "e.g. 48.8566 for Paris)"
    ),
    "validation.longitude_range": (
        '"{value}" is not a longitude: it must be between -180 and 180 (decimal degrees, '
        "e.g. 2.3522 for Paris)"
    ),
    "validation.latitude_alone": (
        'the latitude "{value}" has no longitude beside it (column "{longitude}"); '
        "fill both coordinates, or neither"
    ),
    "validation.longitude_alone": (
        'the longitude "{value}" has no latitude beside it (column "{latitude}"); fill '
        "both coordinates, or neither"
    ),
    "validation.coordinates_swapped": (
        'latitude "{value}" and longitude "{other}" look swapped for France (latitudes '
        "there are about 41 to 52, longitudes -6 to 10); check the columns "
        '"{latitude}" and "{longitude}"'
    ),
    "validation.postcode": (
        '"{value}" is not a postal code; write it as text, e.g. 75001 or 01000'
    ),
    # other values
    "validation.boolean": (
        '"{value}" is not yes or no; write TRUE or FALSE (also VRAI/FAUX, oui/non, 1/0, '
        "x, or leave it empty for the default)"
    ),
    "validation.action": (
        '"{value}" is not an action; write create, modify, delete or upsert '
        "(or ajout, modification, suppression), or leave it empty"
    ),
    "validation.mission_type": (
        '"{value}" is not one of the configured mission types; use one of: {types}'
    ),
    "validation.adr_ref_long": (
        '"{value}" has {length} characters; the Ocean screens show only the first 20: "{shown}"'
    ),
    "validation.unknown_timezone": (
        'unknown time zone "{zone}"; give a name such as Europe/Paris '
        "(--timezone or timezone in the config file)"
    ),
}

FR = {
    # dates
    "validation.date_format": (
        "« {value} » n'est pas une date ; écrivez-la jj/mm/aaaa hh:mm, par exemple 03/12/2026 08:30"
    ),
    "validation.date_no_time": (
        "« {value} » a une date mais pas d'heure ; ajoutez l'heure, par exemple {example} "
        "(pour minuit, saisissez 00:00 dans une cellule au format qui montre l'heure, par "
        "exemple jj/mm/aaaa hh:mm)"
    ),
    "validation.midnight_assumed": (
        "« {value} » a été lu comme minuit (00:00) : le format de la cellule n'a pas pu être "
        "lu pour distinguer une heure 00:00 d'une date seule ; vérifiez l'heure"
    ),
    "validation.day_impossible": (
        "« {value} » n'est pas une date réelle : ce mois a {last} jours, pas {day} ; "
        "les dates réelles les plus proches sont {before} et {after}"
    ),
    "validation.month_impossible": (
        "« {value} » n'est pas une date réelle : il n'y a pas de mois {month} ; écrivez "
        "le jour d'abord, puis le mois (jj/mm/aaaa hh:mm), par exemple 03/12/2026 08:30"
    ),
    "validation.month_impossible_swapped": (
        "« {value} » n'est pas une date réelle : il n'y a pas de mois {month} ; les dates "
        "s'écrivent le jour d'abord (jj/mm/aaaa) : si vous pensiez mois/jour, écrivez {swapped}"
    ),
    "validation.time_impossible": (
        "« {value} » n'a pas d'heure {time} : les heures vont de 00 à 23 et les minutes de "
        "00 à 59, par exemple 03/12/2026 08:30"
    ),
    "validation.time_no_date": (
        "« {value} » est une heure sans date ; écrivez les deux, par exemple 03/12/2026 {value}"
    ),
    "validation.date_range": (
        "« {value} » n'est pas une date plausible (année {year}) ; écrivez-la "
        "jj/mm/aaaa hh:mm, par exemple 03/12/2026 08:30"
    ),
    "validation.date_gap": (
        "« {value} » n'existe pas dans le fuseau {zone} : les horloges avancent d'une heure "
        "à ce moment (heure d'été) ; écrivez l'heure affichée par les horloges, par exemple "
        "{suggestion}"
    ),
    "validation.date_ambiguous": (
        "« {value} » existe deux fois dans le fuseau {zone} (les horloges reculent d'une "
        "heure cette nuit-là) ; la première a été retenue ({utc} UTC) ; pour la seconde "
        "({other} UTC), écrivez {iso}"
    ),
    "validation.date_past": (
        "« {value} » est dans le passé ({utc} UTC) ; la mission est envoyée quand même : "
        "vérifiez la date"
    ),
    "validation.inter_required": (
        "la date d'intervention est vide ; chaque mission en a besoin, par exemple 03/12/2026 08:30"
    ),
    "validation.inter_column_missing": (
        "le fichier n'a pas de colonne de date d'intervention ; ajoutez une colonne "
        "« {jourHeureInter} » avec des dates comme 03/12/2026 08:30"
    ),
    "validation.peremp_before_inter": (
        "« {value} » n'est pas après la date d'intervention ({inter}, colonne "
        "« {jourHeureInter} ») ; la date de péremption doit venir après, ou laissez-la "
        "vide"
    ),
    # the mission ID
    "validation.id_required": (
        "l'identifiant de mission est vide ; donnez à chaque ligne son propre "
        "identifiant, par exemple M-2026-0001"
    ),
    "validation.id_column_missing": (
        "le fichier n'a pas de colonne d'identifiant de mission ; ajoutez une colonne "
        "« {idMission} » avec un identifiant unique par ligne"
    ),
    "validation.duplicate_id": (
        "« {value} » est aussi l'identifiant de mission de la ligne {rows} ; chaque "
        "identifiant ne doit apparaître qu'une fois dans le fichier : changez l'un d'eux ou "
        "supprimez la ligne en trop"
    ),
    "validation.duplicate_ids": (
        "« {value} » est aussi l'identifiant de mission des lignes {rows} ; chaque "
        "identifiant ne doit apparaître qu'une fois dans le fichier : changez-les ou "
        "supprimez les lignes en trop"
    ),
    "validation.customer_id": (
        "« {value} » n'est pas un identifiant client ; écrivez un nombre entier, par exemple "
        "100, ou laissez vide"
    ),
    # recipient and destination
    "validation.recipient_missing": (
        "aucun destinataire : remplissez la colonne « {nomVeh} » (le véhicule), ou les "
        "colonnes « {nomIndi} » et « {prenomIndi} » (le nom et le prénom), ou la "
        "colonne « {nomPrenom} » (le nom complet)"
    ),
    "validation.recipient_no_first_name": (
        "le nom « {value} » n'a pas de prénom à côté ; remplissez la colonne "
        "« {prenomIndi} », ou utilisez la colonne « {nomPrenom} » (nom complet) ou "
        "« {nomVeh} » (véhicule)"
    ),
    "validation.recipient_no_last_name": (
        "le prénom « {value} » n'a pas de nom à côté ; remplissez la colonne "
        "« {nomIndi} », ou utilisez la colonne « {nomPrenom} » (nom complet) ou "
        "« {nomVeh} » (véhicule)"
    ),
    "validation.destination_missing": (
        "aucune destination : remplissez la colonne « {ville} » (ville), « {codPost} » "
        "(code postal) ou « {adrRefCli} » (adresse de référence du client), ou les "
        "deux « {latitude} » et « {longitude} » ; require_destination est activé dans "
        "les réglages"
    ),
    "validation.destination_none": (
        "aucune destination (rien dans « {ville} », « {codPost} », « {adrRefCli} », "
        "« {latitude} » ni « {longitude} ») ; la mission est envoyée sans : vérifiez "
        "que le chauffeur sait où aller"
    ),
    "validation.street_alone": (
        "« {value} » n'a ni ville ni code postal à côté (colonnes « {ville} » et "
        "« {codPost} ») ; la mission est envoyée, mais ajoutez-en un pour que la rue "
        "soit trouvée"
    ),
    "validation.coordinate": (
        "« {value} » n'est pas un nombre ; écrivez des degrés décimaux avec un point ou une "
        "virgule, par exemple 48,8566"
    ),
    "validation.latitude_range": (
        "« {value} » n'est pas une latitude : elle doit être comprise entre -90 et 90 (degrés "
        "décimaux, par exemple 48,8566 pour Paris)"
    ),
    "validation.longitude_range": (
        "« {value} » n'est pas une longitude : elle doit être comprise entre -180 et 180 (degrés "
        "décimaux, par exemple 2,3522 pour Paris)"
    ),
    "validation.latitude_alone": (
        "la latitude « {value} » n'a pas de longitude à côté (colonne "
        "« {longitude} ») ; remplissez les deux coordonnées, ou aucune"
    ),
    "validation.longitude_alone": (
        "la longitude « {value} » n'a pas de latitude à côté (colonne "
        "« {latitude} ») ; remplissez les deux coordonnées, ou aucune"
    ),
    "validation.coordinates_swapped": (
        "la latitude « {value} » et la longitude « {other} » semblent inversées pour "
        "la France (les latitudes y vont d'environ 41 à 52, les longitudes de -6 à "
        "10) ; vérifiez les colonnes « {latitude} » et « {longitude} »"
    ),
    "validation.postcode": (
        "« {value} » n'est pas un code postal ; écrivez-le en texte, par exemple 75001 ou 01000"
    ),
    # other values
    "validation.boolean": (
        "« {value} » n'est ni oui ni non ; écrivez VRAI ou FAUX (ou TRUE/FALSE, oui/non, 1/0, "
        "x, ou laissez vide pour la valeur par défaut)"
    ),
    "validation.action": (
        "« {value} » n'est pas une action ; écrivez ajout, modification, suppression ou "
        "upsert (ou create, modify, delete), ou laissez vide"
    ),
    "validation.mission_type": (
        "« {value} » n'est pas un des types de mission configurés ; utilisez l'un de : {types}"
    ),
    "validation.adr_ref_long": (
        "« {value} » fait {length} caractères ; les écrans Ocean n'en montrent que les 20 "
        "premiers : « {shown} »"
    ),
    "validation.unknown_timezone": (
        "fuseau horaire inconnu « {zone} » ; donnez un nom comme Europe/Paris "
        "(--timezone ou timezone dans le fichier de configuration)"
    ),
}
