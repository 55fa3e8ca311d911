"""Messages shared by several steps."""

EN = {
    "common.error_prefix": "Error: {message}",
}

FR = {
    "common.error_prefix": "Erreur : {message}",
}
