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
}
