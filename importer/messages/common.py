"""Messages shared by several steps."""

EN = {
    "common.error_prefix": "Error: {message}",
    "common.issue": "{column}: {message}",
}

FR = {
    "common.error_prefix": "Erreur : {message}",
    "common.issue": "{column} : {message}",
}
