"""Messages of `status` (and the unknown missions of `delete`)."""

EN = {
    "status.refused": "refused by the driver: {reason}",
    "status.not_found": "mission {id} is unknown to Ocean (check the idMission)",
    "status.refused_note": (
        "{count} mission(s) refused by their driver: see the red rows and plan them again"
    ),
    "status.delete_not_found_note": (
        "{count} mission(s) not found in Ocean, so nothing to delete: check their idMission"
    ),
    "status.range.source_column": "sent from",
    "status.range.note": (
        "{count} mission(s) of the journal planned from {first} to {last} ({zone})"
    ),
    "status.range.note_onward": (
        "{count} mission(s) of the journal planned from {first} onward ({zone})"
    ),
    "status.range.none": (
        "no mission of the journal {journal} is planned {days} ({zone}) for this API, login "
        "and customer: check the dates, --timezone, --customer-id or --journal"
    ),
    "status.range.days": "from {first} to {last}",
    "status.range.onward": "from {first} onward",
    "status.range.dated": (
        "{count} mission(s) sent before the journal kept intervention times were dated from "
        "Ocean's answer ({kept} of them in the range)"
    ),
    "status.range.undated": (
        "{count} mission(s) sent before the journal kept intervention times could not be dated "
        "(not found in Ocean, or no answer): not listed; they are asked again next time"
    ),
    "status.range.bad_day": (
        "{option} {value}: not a day; write it dd/mm/yyyy (e.g. 07/12/2026) or yyyy-mm-dd"
    ),
    "status.range.bad_week": (
        "--week {value}: not a week; write it as an ISO week, e.g. 2026-W50 (Monday to "
        "Sunday), or give --week alone for this week"
    ),
    "status.range.to_alone": (
        "--to needs --from (the first day); for a single day, give it to both"
    ),
    "status.range.to_before_from": "--to {last} is before --from {first}: swap them",
    "status.range.week_and_days": "give either --week or --from/--to, not both",
}

FR = {
    "status.refused": "refusée par le chauffeur\u202f: {reason}",
    "status.not_found": "la mission {id} est inconnue d'Ocean (vérifiez l'idMission)",
    "status.refused_note": (
        "{count} mission(s) refusée(s) par leur chauffeur\u202f: voyez les lignes en rouge et "
        "replanifiez-les"
    ),
    "status.delete_not_found_note": (
        "{count} mission(s) introuvable(s) dans Ocean, donc rien à supprimer\u202f: vérifiez "
        "leur idMission"
    ),
    "status.range.source_column": "envoyée depuis",
    "status.range.note": ("{count} mission(s) du journal prévue(s) du {first} au {last} ({zone})"),
    "status.range.note_onward": (
        "{count} mission(s) du journal prévue(s) à partir du {first} ({zone})"
    ),
    "status.range.none": (
        "aucune mission du journal {journal} n'est prévue {days} ({zone}) pour cette API, cet "
        "identifiant et ce client\u202f: vérifiez les dates, --timezone, --customer-id ou "
        "--journal"
    ),
    "status.range.days": "du {first} au {last}",
    "status.range.onward": "à partir du {first}",
    "status.range.dated": (
        "{count} mission(s) envoyée(s) avant que le journal ne garde les heures d'intervention "
        "ont été datée(s) d'après la réponse d'Ocean (dont {kept} dans la période)"
    ),
    "status.range.undated": (
        "{count} mission(s) envoyée(s) avant que le journal ne garde les heures d'intervention "
        "n'ont pas pu être datée(s) (introuvables dans Ocean, ou sans réponse)\u202f: non "
        "listée(s)\u202f; elles seront redemandées la prochaine fois"
    ),
    "status.range.bad_day": (
        "{option} {value}\u202f: ce n'est pas un jour\u202f; écrivez-le jj/mm/aaaa (par exemple "
        "07/12/2026) ou aaaa-mm-jj"
    ),
    "status.range.bad_week": (
        "--week {value}\u202f: ce n'est pas une semaine\u202f; écrivez une semaine ISO, par "
        "exemple 2026-W50 (du lundi au dimanche), ou --week seul pour cette semaine"
    ),
    "status.range.to_alone": (
        "--to demande --from (le premier jour)\u202f; pour un seul jour, donnez-le aux deux"
    ),
    "status.range.to_before_from": "--to {last} est avant --from {first}\u202f: inversez-les",
    "status.range.week_and_days": "indiquez soit --week, soit --from/--to, pas les deux",
}
