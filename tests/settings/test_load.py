"""Tests for importer.settings.load: precedence, discovery, the TOML layout, checks and display."""

from __future__ import annotations

import dataclasses
import os
import re
import sys
from pathlib import Path

import platformdirs
import pytest
from helpers import PROJECT_ROOT

from importer.errors import ExitCode, UsageError
from importer.messages import catalogue, set_language
from importer.settings import load as config_module
from importer.settings import table
from importer.settings.load import (
    CONFIG_FILE_NAME,
    Settings,
    effective_settings,
    find_config_file,
    load_configuration,
    resolve_language,
)
from importer.settings.table import KINDS, SECTIONS, env_variable, toml_key

TEMPLATE = PROJECT_ROOT / "templates" / "mission-importer.toml"
ORIGINAL_USER_CONFIG_PATH = platformdirs.user_config_path
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


@pytest.fixture(autouse=True)
def user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the user's configuration folder at an empty temporary folder; English messages."""
    folder = tmp_path / "user-config"
    monkeypatch.setattr(platformdirs, "user_config_path", lambda *a, **k: folder)
    set_language("en")
    yield folder
    set_language("en")


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    """The current folder of the tests (holds no config unless a test writes one)."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def write(folder: Path, text: str, name: str = CONFIG_FILE_NAME, mode: int = 0o600) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def load(work: Path, cli: dict | None = None, environ: dict | None = None, **kw) -> Settings:
    return load_configuration(cli, environ=environ or {}, cwd=work, **kw).settings


def error_of(work: Path, text: str, environ: dict | None = None, cli: dict | None = None) -> str:
    path = write(work, text)
    with pytest.raises(UsageError) as caught:
        load(work, cli=cli, environ=environ)
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    return str(caught.value).replace(str(path), "FILE")


# --- structure ------------------------------------------------------------------------


def test_every_setting_has_a_kind_a_toml_key_and_an_env_variable() -> None:
    names = {f.name for f in dataclasses.fields(Settings)}
    assert set(KINDS) == names
    in_sections = {setting for keys in SECTIONS.values() for setting in keys.values()}
    assert in_sections | {"columns"} == names
    assert len({env_variable(n) for n in names}) == len(names)
    assert env_variable("workers") == "MISSION_IMPORTER_WORKERS"
    assert env_variable("watch_interval") == "MISSION_IMPORTER_WATCH_INTERVAL"
    assert env_variable("password") == "OCEAN_PASSWORD"
    assert toml_key("watch_settle_seconds") == "[watch] settle_seconds"
    assert toml_key("api_url") == "api_url"


def test_messages_have_the_same_keys_in_english_and_french() -> None:
    from importer.messages import config as messages

    assert set(messages.EN) == set(messages.FR)
    assert all(key.startswith("config.") for key in messages.EN)
    assert catalogue()["fr"]["config.set"] == "défini"


# --- precedence -----------------------------------------------------------------------


FILE_FOR_PRECEDENCE = """
api_url = "https://file.example.com/ocean"
customer_id = 11
timezone = "Europe/London"
[import]
workers = 2
rate = 3.5
mode = "create"
[http]
read_timeout = 12
"""


def test_defaults_when_nothing_is_given(work: Path) -> None:
    configuration = load_configuration(environ={}, cwd=work)
    assert configuration.file is None
    assert configuration.settings == Settings()
    assert configuration.origins["workers"] == "default"
    assert configuration.notes == []


def test_command_line_beats_environment_beats_file_beats_defaults(work: Path) -> None:
    path = write(work, FILE_FOR_PRECEDENCE)
    environ = {
        "MISSION_IMPORTER_WORKERS": "4",
        "MISSION_IMPORTER_TIMEZONE": "America/New_York",
        "OCEAN_CUSTOMER_ID": "22",
        "MISSION_IMPORTER_MODE": "modify",
    }
    cli = {"workers": 6, "customer_id": None, "mode": "delete", "rate": None}
    configuration = load_configuration(cli, environ=environ, cwd=work)
    s = configuration.settings
    assert s.workers == 6  # command line
    assert s.mode == "delete"  # command line over environment
    assert s.customer_id == 22  # environment (the command line gave None)
    assert s.timezone == "America/New_York"  # environment over file
    assert s.rate == 3.5  # file (command line None, no environment)
    assert s.read_timeout == 12.0  # file
    assert s.api_url == "https://file.example.com/ocean"
    assert s.connect_timeout == 5.0  # default
    assert configuration.file == path
    assert configuration.origins["workers"] == "--workers (command line)"
    assert configuration.origins["timezone"] == "MISSION_IMPORTER_TIMEZONE (environment)"
    assert configuration.origins["rate"] == f"{path}, [import] rate"
    assert configuration.origins["connect_timeout"] == "default"


def test_ocean_variables_set_the_connection(work: Path) -> None:
    environ = {
        "OCEAN_API_URL": "http://127.0.0.1:8080/",
        "OCEAN_LOGIN": " demo ",
        "OCEAN_PASSWORD": " pa ss ",
        "OCEAN_CUSTOMER_ID": "100",
    }
    s = load(work, environ=environ)
    assert s.api_url == "http://127.0.0.1:8080"  # trailing slash removed
    assert s.login == "demo"
    assert s.password == " pa ss "  # a password is never trimmed
    assert s.customer_id == 100


def test_empty_environment_variable_counts_as_not_set(work: Path) -> None:
    write(work, "[import]\nworkers = 3\n")
    assert load(work, environ={"MISSION_IMPORTER_WORKERS": "  "}).workers == 3


# --- discovery ------------------------------------------------------------------------


def test_file_in_current_folder_wins_over_user_folder(work: Path, user_dir: Path) -> None:
    write(user_dir, "[import]\nworkers = 5\n")
    local = write(work, "[import]\nworkers = 7\n")
    assert find_config_file(environ={}, cwd=work) == local
    assert load(work).workers == 7


def test_user_folder_is_used_when_the_current_folder_has_none(work: Path, user_dir: Path) -> None:
    path = write(user_dir, "[import]\nworkers = 5\n")
    configuration = load_configuration(environ={}, cwd=work)
    assert configuration.file == path
    assert configuration.settings.workers == 5


@pytest.mark.skipif(sys.platform != "linux", reason="XDG_CONFIG_HOME is the Linux convention")
def test_user_folder_follows_xdg_config_home(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platformdirs, "user_config_path", ORIGINAL_USER_CONFIG_PATH)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    path = write(tmp_path / "xdg" / "ocean-mission-importer", 'lang = "fr"\n')
    assert config_module.user_config_file() == path
    assert load(work).lang == "fr"


def test_explicit_config_path_wins_and_must_exist(work: Path, tmp_path: Path) -> None:
    write(work, "[import]\nworkers = 7\n")
    other = write(tmp_path / "elsewhere", "[import]\nworkers = 9\n", name="job.toml")
    assert load(work, config_path=other).workers == 9
    assert load(work, config_path=Path("../elsewhere/job.toml")).workers == 9  # from cwd
    missing = tmp_path / "nope.toml"
    with pytest.raises(UsageError) as caught:
        load(work, config_path=missing)
    assert str(caught.value) == (
        f"The configuration file {missing} does not exist; check the --config path "
        "(or MISSION_IMPORTER_CONFIG)."
    )
    with pytest.raises(UsageError, match="it is a folder"):
        load(work, config_path=tmp_path)


def test_mission_importer_config_variable_names_the_file(work: Path, tmp_path: Path) -> None:
    write(work, "[import]\nworkers = 7\n")
    other = write(tmp_path / "elsewhere", "[import]\nworkers = 9\n", name="job.toml")
    assert load(work, environ={"MISSION_IMPORTER_CONFIG": str(other)}).workers == 9


# --- the file -------------------------------------------------------------------------


def test_full_layout_is_read_into_settings(work: Path) -> None:
    write(work, "", name="ca.pem")
    text = """
api_url = "https://v3.oceansystem.com/ocean"
customer_id = 12345
login = "planning@example.com"
timezone = "Europe/Paris"
lang = "fr"
[import]
workers = 4
rate = 2
mode = "ajout"
max_rows = 500
sheet = "Planning"
journal = "state/journal.sqlite3"
default_a_envoyer = false
mission_types = ["Livraison", "Maintenance"]
[http]
connect_timeout = 3
read_timeout = 20.5
max_attempts = 2
max_retry_seconds = 0
ca_bundle = "ca.pem"
failure_patterns = ["échec", "KO"]
[columns]
"Réf. chantier" = "idMission"
Camion = "nomVeh"
[watch]
inbox = "/srv/inbox"
interval = 1.5
settle_seconds = 0
outbox = "results"
"""
    write(work, text)
    s = load(work)
    assert (s.customer_id, s.login, s.lang, s.workers, s.rate) == (
        12345,
        "planning@example.com",
        "fr",
        4,
        2.0,
    )
    assert s.mode == "create"  # French name accepted
    assert (s.max_rows, s.sheet, s.default_a_envoyer) == (500, "Planning", False)
    assert s.journal == work / "state" / "journal.sqlite3"  # relative to the file's folder
    assert s.mission_types == ["Livraison", "Maintenance"]
    assert (s.connect_timeout, s.read_timeout, s.max_attempts, s.max_retry_seconds) == (
        3.0,
        20.5,
        2,
        0.0,
    )
    assert s.ca_bundle == str(work / "ca.pem")
    assert s.failure_patterns == ["échec", "KO"]
    assert s.columns == {"Réf. chantier": "idMission", "Camion": "nomVeh"}
    assert s.inbox == Path("/srv/inbox")
    assert (s.watch_interval, s.watch_settle_seconds) == (1.5, 0.0)
    assert s.outbox == work / "results"


def test_byte_order_mark_is_accepted(work: Path) -> None:
    (work / CONFIG_FILE_NAME).write_bytes("\ufeff[import]\nworkers = 3\n".encode())
    assert load(work).workers == 3


def test_unknown_key_names_the_closest_known_key(work: Path) -> None:
    message = error_of(work, "[import]\nwokers = 3\n")
    assert message == 'FILE: unknown key "wokers" in [import]; did you mean "workers"?'


def test_unknown_top_level_key_names_the_closest_known_key(work: Path) -> None:
    message = error_of(work, 'api_ur = "https://x.example.com"\n')
    assert message == 'FILE: unknown key "api_ur"; did you mean "api_url"?'


def test_key_in_the_wrong_section_says_where_it_belongs(work: Path) -> None:
    message = error_of(work, "workers = 3\n")
    assert (
        message
        == 'FILE: the key "workers" is not allowed at the top of the file; it belongs in [import].'
    )
    message = error_of(work, "[http]\nworker = 3\n")
    assert message == ('FILE: unknown key "worker" in [http]; did you mean "workers" in [import]?')
    message = error_of(work, "[watch]\ntimezone = 'UTC'\n")
    assert message == (
        'FILE: the key "timezone" is not allowed in [watch]; it belongs at the top of the '
        "file (before any [section])."
    )


def test_unknown_key_without_close_match_lists_the_known_keys(work: Path) -> None:
    message = error_of(work, "[watch]\nzzz = 1\n")
    assert message == (
        'FILE: unknown key "zzz" in [watch]; the known keys here are: '
        "inbox, interval, settle_seconds, incomplete_seconds, grace_minutes, retry_seconds, "
        "max_tries, max_hours, outbox."
    )


def test_unknown_section_names_the_closest_section(work: Path) -> None:
    assert error_of(work, "[imports]\nworkers = 3\n") == (
        "FILE: unknown section [imports]; did you mean [import]?"
    )
    known = "the known sections are [import], [http], [status], [watch], [serve], [columns]"
    assert known in error_of(work, "[zzz]\na = 1\n")
    assert error_of(work, "http = 3\n").startswith('FILE: "http" must be a section')


def test_unknown_key_message_in_french(work: Path) -> None:
    set_language("fr")
    message = error_of(work, "[import]\nwokers = 3\n")
    assert message == (
        "FILE : clé « wokers » inconnue dans [import] ; vouliez-vous dire « workers » ?"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[import]\nworkers = "many"', '[import] workers: expected a whole number, not "many".'),
        ("[import]\nworkers = true", "[import] workers: expected a whole number, not True."),
        ('[import]\ndefault_a_envoyer = "maybe"', 'expected true or false, not "maybe".'),
        ("api_url = 5", "api_url: expected a text in quotes, not 5."),
        ("[http]\nfailure_patterns = [1, 2]", "failure_patterns: expected a list of texts"),
        ("[http]\nread_timeout = inf", "read_timeout: expected a number, not inf."),
        ('[columns]\nCamion = ["nomVeh"]', "[columns]: expected a table"),
        ("columns = 3", 'FILE: "columns" must be a section'),
    ],
)
def test_wrong_types_are_explained(work: Path, text: str, expected: str) -> None:
    assert expected in error_of(work, text + "\n")


def test_password_of_the_wrong_type_is_never_shown(work: Path) -> None:
    message = error_of(work, "password = 123456789\n")
    assert message == "FILE, password: expected a text in quotes, not ***."


def test_lenient_values_in_the_file(work: Path) -> None:
    text = """customer_id = "12345"
login = ""
[import]
workers = "4"
mission_types = "Livraison, Maintenance"
default_a_envoyer = "oui"
rate = "0,5"
sheet = ""
"""
    write(work, text)
    s = load(work)
    assert (s.customer_id, s.workers, s.rate) == (12345, 4, 0.5)
    assert s.mission_types == ["Livraison", "Maintenance"]
    assert s.default_a_envoyer is True
    assert s.login is None and s.sheet is None  # empty text: not set


def test_toml_syntax_error_names_file_and_line(work: Path) -> None:
    message = error_of(work, '# comment\napi_url = "https://x.example.com"\nlogin = \n')
    assert message == (
        "FILE, line 3: this is not valid TOML (Invalid value); check the quotes around "
        "texts and the = between each key and its value."
    )


def test_file_that_is_not_utf8_is_refused(work: Path) -> None:
    (work / CONFIG_FILE_NAME).write_bytes('login = "h\xe9l\xe8ne"\n'.encode("latin-1"))
    with pytest.raises(UsageError, match="is not UTF-8 text; save it again"):
        load(work)


# --- [columns] --------------------------------------------------------------------------


def test_columns_mapping_must_target_mission_fields(work: Path) -> None:
    message = error_of(work, '[columns]\n"Réf. chantier" = "idMision"\n')
    assert message == (
        'FILE, [columns]: the column mapping sends "Réf. chantier" to "idMision", which is not '
        'a mission field. Did you mean "idMission"?'
    )
    message = error_of(work, '[columns]\nCamion = "Véhicule"\n')
    assert message.endswith('Did you mean "nomVeh"?')  # a label, not the field name


def test_columns_mapping_from_the_environment(work: Path) -> None:
    s = load(work, environ={"MISSION_IMPORTER_COLUMNS": "Camion=nomVeh, Réf=idMission"})
    assert s.columns == {"Camion": "nomVeh", "Réf": "idMission"}
    with pytest.raises(UsageError) as caught:
        load(work, environ={"MISSION_IMPORTER_COLUMNS": "Camion"})
    assert str(caught.value).startswith(
        'MISSION_IMPORTER_COLUMNS (environment): expected a table of "Their header" = "apiField"'
    )


# --- environment conversion -----------------------------------------------------------


def test_environment_values_are_converted(work: Path) -> None:
    environ = {
        "MISSION_IMPORTER_RATE": "0,5",
        "MISSION_IMPORTER_DEFAULT_A_ENVOYER": "non",
        "MISSION_IMPORTER_MISSION_TYPES": "Livraison, Maintenance,,",
        "MISSION_IMPORTER_JOURNAL": "~/journal.sqlite3",
        "MISSION_IMPORTER_CA_BUNDLE": str(work),
        "MISSION_IMPORTER_WATCH_SETTLE_SECONDS": "0",
        "MISSION_IMPORTER_LANG": "fr_FR.UTF-8",
        "MISSION_IMPORTER_MAX_ROWS": "10 000",
    }
    s = load(work, environ=environ)
    assert s.rate == 0.5
    assert s.default_a_envoyer is False
    assert s.mission_types == ["Livraison", "Maintenance"]
    assert s.journal == Path("~/journal.sqlite3").expanduser()
    assert s.ca_bundle == str(work)
    assert s.watch_settle_seconds == 0.0
    assert s.lang == "fr"
    assert s.max_rows == 10_000


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("MISSION_IMPORTER_WORKERS", "eight", "a whole number"),
        ("OCEAN_CUSTOMER_ID", "ACME", "a whole number"),
        ("MISSION_IMPORTER_RATE", "fast", "a number"),
        ("MISSION_IMPORTER_DEFAULT_A_ENVOYER", "peut-être", "true or false"),
    ],
)
def test_bad_environment_value_names_the_variable_and_the_type(
    work: Path, variable: str, value: str, expected: str
) -> None:
    with pytest.raises(UsageError) as caught:
        load(work, environ={variable: value})
    assert str(caught.value) == f'{variable} (environment): expected {expected}, not "{value}".'


def test_unknown_environment_variable_is_a_note(work: Path) -> None:
    configuration = load_configuration(environ={"MISSION_IMPORTER_WORKRS": "3"}, cwd=work)
    assert configuration.settings.workers == 8
    assert configuration.notes == [
        "The environment variable MISSION_IMPORTER_WORKRS is not a setting and is ignored; "
        "did you mean MISSION_IMPORTER_WORKERS?"
    ]


def test_french_environment_error(work: Path) -> None:
    set_language("fr")
    with pytest.raises(UsageError) as caught:
        load(work, environ={"MISSION_IMPORTER_WORKERS": "huit"})
    assert str(caught.value) == (
        'MISSION_IMPORTER_WORKERS (environnement) : un nombre entier est attendu, pas "huit".'
    )


# --- checks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cli", "expected"),
    [
        ({"workers": 0}, "--workers (command line): the value must be between 1 and 64, not 0."),
        ({"workers": 65}, "between 1 and 64, not 65."),
        ({"rate": 0}, "--rate (command line): the value must be greater than 0, not 0.0."),
        ({"connect_timeout": -1}, "must be greater than 0, not -1.0."),
        ({"read_timeout": 0}, "must be greater than 0"),
        ({"max_attempts": 0}, "--max-attempts (command line): the value must be at least 1"),
        ({"customer_id": 0}, "must be at least 1, not 0."),
        ({"watch_interval": 0}, "--interval (command line): the value must be greater than 0"),
        ({"max_retry_seconds": -1}, "must be at least 0, not -1.0."),
        (
            {"mode": "insert"},
            '--mode (command line): "insert" is not allowed; use one of: '
            "create, modify, delete, upsert.",
        ),
        ({"lang": "de"}, '"de" is not allowed; use one of: en, fr.'),
        (
            {"api_url": "ftp://files.example.com"},
            '--api-url (command line): "ftp://files.example.com" is not a web address',
        ),
        ({"api_url": "v3.oceansystem.com/ocean"}, "must start with http:// or https://"),
        ({"ca_bundle": "/no/such/ca.pem"}, "the certificate file /no/such/ca.pem does not exist"),
    ],
)
def test_ranges_and_choices_are_checked(work: Path, cli: dict, expected: str) -> None:
    with pytest.raises(UsageError) as caught:
        load(work, cli=cli)
    assert expected in str(caught.value)


def test_timezone_is_checked_with_a_suggestion(work: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load(work, environ={"MISSION_IMPORTER_TIMEZONE": "Europe/Pari"})
    assert str(caught.value) == (
        'MISSION_IMPORTER_TIMEZONE (environment): "Europe/Pari" is not a known time zone; '
        "use a name such as Europe/Paris."
    )
    with pytest.raises(UsageError, match="use a name such as Europe/Paris"):
        load(work, cli={"timezone": "Paris time"})
    assert load(work, cli={"timezone": "europe/paris"}).timezone == "Europe/Paris"
    assert load(work, cli={"timezone": "UTC"}).timezone == "UTC"


def test_url_credentials_are_hidden_in_errors_and_display(work: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load(work, cli={"api_url": "ftp://bob:s3cret@files.example.com"})
    assert "s3cret" not in str(caught.value)
    s = load(work, cli={"api_url": "https://bob:s3cret@ocean.example.com/ocean"})
    assert effective_settings(s)["api_url"] == "https://***@ocean.example.com/ocean"


def test_password_is_refused_on_the_command_line(work: Path) -> None:
    with pytest.raises(UsageError) as caught:
        load(work, cli={"password": "hunter2"})
    assert "hunter2" not in str(caught.value)
    assert str(caught.value).startswith("The password cannot be given on the command line")
    assert load(work, cli={"password": None}).password is None


def test_unknown_command_line_setting_is_a_programming_error(work: Path) -> None:
    with pytest.raises(ValueError, match="'wokers' is not a setting"):
        load(work, cli={"wokers": 3})


# --- the password file warning ----------------------------------------------------------


@POSIX_ONLY
def test_password_in_a_file_readable_by_others_is_warned(work: Path) -> None:
    path = write(work, 'password = "s3cret"\n', mode=0o644)
    configuration = load_configuration(environ={}, cwd=work)
    assert configuration.settings.password == "s3cret"
    assert configuration.notes == [
        f"The configuration file {path} holds the password and can be read by other users; "
        f"run chmod 600 {path} or use OCEAN_PASSWORD instead."
    ]


@POSIX_ONLY
def test_password_warning_follows_the_language_of_the_settings(work: Path) -> None:
    path = write(work, 'lang = "fr"\npassword = "s3cret"\n', mode=0o640)
    notes = load_configuration(environ={}, cwd=work).notes
    assert notes == [
        f"Le fichier de configuration {path} contient le mot de passe et peut être lu par "
        f"d'autres utilisateurs ; lancez chmod 600 {path} ou utilisez plutôt OCEAN_PASSWORD."
    ]


@POSIX_ONLY
def test_no_warning_for_a_private_file_or_a_file_without_password(work: Path) -> None:
    write(work, 'password = "s3cret"\n', mode=0o600)
    assert load_configuration(environ={}, cwd=work).notes == []
    write(work, 'login = "demo"\n', mode=0o644)
    assert load_configuration(environ={}, cwd=work).notes == []


# --- display and language -------------------------------------------------------------


def test_effective_settings_never_contain_the_password(work: Path) -> None:
    write(work, 'login = "demo"\npassword = "s3cret-Value"\n[columns]\nCamion = "nomVeh"\n')
    s = load(work)
    shown = effective_settings(s)
    assert set(shown) == {f.name for f in dataclasses.fields(Settings)}
    assert all(isinstance(v, str) for v in shown.values())
    assert not any("s3cret" in value for value in shown.values())
    assert shown["password"] == "set"
    assert shown["login"] == "demo"
    assert shown["columns"] == "Camion = nomVeh"
    assert shown["default_a_envoyer"] == "true"
    assert shown["rate"] == "not set"
    assert effective_settings(Settings())["password"] == "not set"
    assert effective_settings(s, lang="fr")["password"] == "défini"
    assert "s3cret" not in repr(s)


def test_resolve_language() -> None:
    assert resolve_language(Settings(lang="fr"), {"LANG": "en_US.UTF-8"}) == "fr"
    assert resolve_language(Settings(), {"LANG": "fr_FR.UTF-8"}) == "fr"
    assert resolve_language(Settings(), {"LC_ALL": "en_GB.UTF-8", "LANG": "fr_FR"}) == "en"


# --- the template ---------------------------------------------------------------------


def test_template_loads_as_is(work: Path) -> None:
    configuration = load_configuration(config_path=TEMPLATE, environ={}, cwd=work)
    assert configuration.file == TEMPLATE
    assert configuration.settings == Settings()


def uncommented_template() -> str:
    """The template with every example line switched on."""
    example = re.compile(r'^# ((?:[a-z_]+|"[^"]*") = .+)$')
    return "\n".join(
        match.group(1) if (match := example.match(line)) else line
        for line in TEMPLATE.read_text(encoding="utf-8").splitlines()
    )


def test_template_documents_every_setting() -> None:
    text = uncommented_template()
    section = ""
    found: set[str] = set()
    for line in text.splitlines():
        if header := re.match(r"^\[(\w+)\]$", line):
            section = header.group(1)
        elif key := re.match(r"^([a-z_]+) = ", line):
            found.add(SECTIONS[section][key.group(1)])
        elif section == "columns" and line.startswith('"'):
            found.add("columns")
    assert found == {f.name for f in dataclasses.fields(Settings)}


def test_template_examples_are_all_valid(work: Path) -> None:
    write(work, "", name="company-ca.pem")
    path = write(work, uncommented_template(), name="example.toml")
    s = load(work, config_path=path)
    assert s.login == "planning@example.com"
    assert s.customer_id == 12345
    assert s.lang == "fr"
    assert s.columns["Réf. chantier"] == "idMission"
    assert s.ca_bundle == str(work / "company-ca.pem")
    assert s.inbox == work / "inbox"
    assert s.failure_patterns == list(table.DEFAULT_FAILURE_PATTERNS)


def test_require_destination_from_the_file_and_the_environment(work: Path) -> None:
    assert load(work).require_destination is False
    write(work, "[import]\nrequire_destination = true\n")
    assert load(work).require_destination is True
    environ = {"MISSION_IMPORTER_REQUIRE_DESTINATION": "non"}
    assert load(work, environ=environ).require_destination is False


# --- one table of settings ---------------------------------------------------------------


def test_the_settings_dataclass_is_the_table_with_its_types_and_defaults() -> None:
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    assert list(fields) == sorted(fields, key=list(fields).index)  # (order: the display's)
    assert set(fields) == set(table.BY_NAME)
    defaults = Settings()
    for setting in table.SETTINGS:
        expected = table.KIND_TYPES[setting.kind]
        annotation = str(fields[setting.name].type)
        assert annotation.startswith(getattr(expected, "__name__", str(expected))), setting.name
        assert annotation.endswith("| None") == setting.nullable, setting.name
        assert getattr(defaults, setting.name) == setting.default_value(), setting.name
    assert Settings().mission_types is not Settings().mission_types  # never shared


BOUNDED = [s for s in table.SETTINGS if s.low is not None]


@pytest.mark.parametrize("setting", BOUNDED, ids=[s.name for s in BOUNDED])
def test_every_bound_of_the_table_holds_in_every_source(work: Path, setting) -> None:
    """The value just outside the bound is refused from the command line, the environment
    and the file alike, with the same sentence but for where it came from."""
    outside = setting.low if setting.above else setting.low - 1
    if setting.kind == "float":
        outside = float(outside)
    messages = []
    for source in ("cli", "env", "file"):
        write(work, f"[{setting.section}]\n{setting.toml_key} = {outside}\n" if source == "file"
              and setting.section else f"{setting.toml_key} = {outside}\n" if source == "file"
              else "")  # fmt: skip
        with pytest.raises(UsageError) as caught:
            load(
                work,
                cli={setting.name: str(outside)} if source == "cli" else None,
                environ={setting.env_variable: str(outside)} if source == "env" else None,
            )
        messages.append(str(caught.value).split(": ", 1)[1])
    assert messages[0] == messages[1] == messages[2], messages
    inside = setting.low + (0.5 if setting.above else 0)
    assert getattr(load(work, environ={setting.env_variable: str(inside)}), setting.name) == inside
    (work / CONFIG_FILE_NAME).unlink()


def test_the_rate_of_the_table_accepts_a_slow_rate_everywhere(work: Path) -> None:
    assert load(work, cli={"rate": "0.05"}).rate == 0.05
    assert load(work, environ={"MISSION_IMPORTER_RATE": "0.05"}).rate == 0.05
    write(work, "[import]\nrate = 0.05\n")
    assert load(work).rate == 0.05
