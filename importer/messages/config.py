"""Messages about the configuration (file, environment, command line)."""

EN = {
    # where a value came from
    "config.where.cli": "{option} (command line)",
    "config.where.env": "{name} (environment)",
    "config.where.file": "{file}, {key}",
    "config.where.default": "default",
    "config.located": "{where}: {message}",
    # what type was expected
    "config.kind.text": "a text in quotes",
    "config.kind.int": "a whole number",
    "config.kind.float": "a number",
    "config.kind.bool": "true or false",
    "config.kind.path": "a file or folder path",
    "config.kind.path_text": "a file or folder path",
    "config.kind.list": 'a list of texts, such as ["a", "b"] (comma-separated in the environment)',
    "config.kind.mapping": (
        'a table of "Their header" = "apiField" (Header=apiField,Header=apiField in the '
        "environment)"
    ),
    # the file
    "config.file_missing": (
        "The configuration file {file} does not exist; check the --config path "
        "(or MISSION_IMPORTER_CONFIG)."
    ),
    "config.file_unreadable": "The configuration file {file} cannot be read ({reason}).",
    "config.is_folder": "it is a folder",
    "config.not_utf8": "{file} is not UTF-8 text; save it again with the UTF-8 encoding.",
    "config.syntax": (
        "{file}, line {line}: this is not valid TOML ({detail}); check the quotes around "
        "texts and the = between each key and its value."
    ),
    "config.not_a_section": (
        '{file}: "{section}" must be a section, written [{section}] on a line of its own '
        "with its keys below it."
    ),
    "config.unknown_section": "{file}: unknown section [{section}]; did you mean [{suggestion}]?",
    "config.unknown_section_plain": (
        "{file}: unknown section [{section}]; the known sections are {known}."
    ),
    "config.in_section": " in [{section}]",
    "config.at_top": " at the top of the file (before any [section])",
    "config.at_top_short": " at the top of the file",
    "config.unknown_key": '{file}: unknown key "{key}"{place}; did you mean "{suggestion}"?',
    "config.unknown_key_elsewhere": (
        '{file}: unknown key "{key}"{place}; did you mean "{suggestion}"{target}?'
    ),
    "config.wrong_section": '{file}: the key "{key}" is not allowed{place}; it belongs{target}.',
    "config.unknown_key_plain": (
        '{file}: unknown key "{key}"{place}; the known keys here are: {known}.'
    ),
    "config.did_you_mean": 'Did you mean "{suggestion}"?',
    # values
    "config.bad_type": "{where}: expected {expected}, not {found}.",
    "config.out_of_range": "{where}: the value must be between {low} and {high}, not {value}.",
    "config.too_small": "{where}: the value must be at least {low}, not {value}.",
    "config.not_above": "{where}: the value must be greater than {low}, not {value}.",
    "config.bad_choice": '{where}: "{value}" is not allowed; use one of: {choices}.',
    "config.bad_timezone": (
        '{where}: "{value}" is not a known time zone; use a name such as {example}.'
    ),
    "config.bad_url": (
        '{where}: "{value}" is not a web address; it must start with http:// or https://, '
        "such as https://v3.oceansystem.com/ocean."
    ),
    "config.no_ca_bundle": (
        "{where}: the certificate file {path} does not exist; give the path of the PEM file "
        "of your company's certificate authorities."
    ),
    # the password
    "config.password_on_cli": (
        "The password cannot be given on the command line (other users of the computer could "
        "see it); set OCEAN_PASSWORD, put it in the configuration file, or let the tool ask "
        "for it."
    ),
    "config.password_readable": (
        "The configuration file {file} holds the password and can be read by other users; "
        "run chmod 600 {file} or use OCEAN_PASSWORD instead."
    ),
    # the environment
    "config.unknown_env": (
        "The environment variable {name} is not a setting and is ignored; "
        "did you mean {suggestion}?"
    ),
    "config.unknown_env_plain": "The environment variable {name} is not a setting and is ignored.",
    # display
    "config.set": "set",
    "config.not_set": "not set",
}

FR = {
    "config.where.cli": "{option} (ligne de commande)",
    "config.where.env": "{name} (environnement)",
    "config.where.file": "{file}, {key}",
    "config.where.default": "valeur par défaut",
    "config.located": "{where} : {message}",
    "config.kind.text": "un texte entre guillemets",
    "config.kind.int": "un nombre entier",
    "config.kind.float": "un nombre",
    "config.kind.bool": "true ou false",
    "config.kind.path": "un chemin de fichier ou de dossier",
    "config.kind.path_text": "un chemin de fichier ou de dossier",
    "config.kind.list": (
        'une liste de textes, comme ["a", "b"] (séparés par des virgules dans l\'environnement)'
    ),
    "config.kind.mapping": (
        'une table « "Leur en-tête" = "champApi" » (En-tête=champApi,En-tête=champApi dans '
        "l'environnement)"
    ),
    "config.file_missing": (
        "Le fichier de configuration {file} n'existe pas ; vérifiez le chemin donné à --config "
        "(ou à MISSION_IMPORTER_CONFIG)."
    ),
    "config.file_unreadable": "Le fichier de configuration {file} est illisible ({reason}).",
    "config.is_folder": "c'est un dossier",
    "config.not_utf8": (
        "{file} n'est pas un texte UTF-8 ; enregistrez-le de nouveau avec l'encodage UTF-8."
    ),
    "config.syntax": (
        "{file}, ligne {line} : ce n'est pas du TOML valide ({detail}) ; vérifiez les guillemets "
        "autour des textes et le signe = entre chaque clé et sa valeur."
    ),
    "config.not_a_section": (
        "{file} : « {section} » doit être une section, écrite [{section}] seule sur sa ligne, "
        "avec ses clés en dessous."
    ),
    "config.unknown_section": (
        "{file} : section [{section}] inconnue ; vouliez-vous dire [{suggestion}] ?"
    ),
    "config.unknown_section_plain": (
        "{file} : section [{section}] inconnue ; les sections connues sont {known}."
    ),
    "config.in_section": " dans [{section}]",
    "config.at_top": " en haut du fichier (avant toute [section])",
    "config.at_top_short": " en haut du fichier",
    "config.unknown_key": (
        "{file} : clé « {key} » inconnue{place} ; vouliez-vous dire « {suggestion} » ?"
    ),
    "config.unknown_key_elsewhere": (
        "{file} : clé « {key} » inconnue{place} ; vouliez-vous dire « {suggestion} »{target} ?"
    ),
    "config.wrong_section": (
        "{file} : la clé « {key} » n'est pas admise{place} ; elle se place{target}."
    ),
    "config.unknown_key_plain": (
        "{file} : clé « {key} » inconnue{place} ; les clés connues ici sont : {known}."
    ),
    "config.did_you_mean": "Vouliez-vous dire « {suggestion} » ?",
    "config.bad_type": "{where} : {expected} est attendu, pas {found}.",
    "config.out_of_range": (
        "{where} : la valeur doit être comprise entre {low} et {high}, pas {value}."
    ),
    "config.too_small": "{where} : la valeur doit être au moins {low}, pas {value}.",
    "config.not_above": "{where} : la valeur doit être supérieure à {low}, pas {value}.",
    "config.bad_choice": (
        "{where} : « {value} » n'est pas admis ; utilisez l'une des valeurs : {choices}."
    ),
    "config.bad_timezone": (
        "{where} : « {value} » n'est pas un fuseau horaire connu ; utilisez un nom comme {example}."
    ),
    "config.bad_url": (
        "{where} : « {value} » n'est pas une adresse web ; elle doit commencer par http:// ou "
        "https://, comme https://v3.oceansystem.com/ocean."
    ),
    "config.no_ca_bundle": (
        "{where} : le fichier de certificats {path} n'existe pas ; indiquez le chemin du fichier "
        "PEM des autorités de certification de votre entreprise."
    ),
    "config.password_on_cli": (
        "Le mot de passe ne peut pas être donné sur la ligne de commande (les autres utilisateurs "
        "de l'ordinateur pourraient le voir) ; définissez OCEAN_PASSWORD, placez-le dans le "
        "fichier de configuration, ou laissez l'outil le demander."
    ),
    "config.password_readable": (
        "Le fichier de configuration {file} contient le mot de passe et peut être lu par "
        "d'autres utilisateurs ; lancez chmod 600 {file} ou utilisez plutôt OCEAN_PASSWORD."
    ),
    "config.unknown_env": (
        "La variable d'environnement {name} n'est pas un réglage et est ignorée ; "
        "vouliez-vous dire {suggestion} ?"
    ),
    "config.unknown_env_plain": (
        "La variable d'environnement {name} n'est pas un réglage et est ignorée."
    ),
    "config.set": "défini",
    "config.not_set": "non défini",
}
