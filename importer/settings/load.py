"""Settings: command line > environment > TOML file > defaults.

This module holds the :class:`Settings` every step reads, and loads them:

* :func:`load_settings` returns the effective :class:`Settings`;
* :func:`load_configuration` returns the same plus the file read, where each setting came
  from and the notes for a person (e.g. a password file readable by other users);
* :func:`effective_settings` gives the settings for display, never the password;
* :func:`resolve_language` gives the language of the messages, ``"en"`` or ``"fr"``.

The TOML file puts the connection at the top and the rest in sections (see
``templates/mission-importer.toml``)::

    api_url, customer_id, login, password, timezone, lang
    [import]  workers, rate, mode, max_rows, sheet, journal, default_a_envoyer, mission_types,
              require_destination
    [http]    connect_timeout, read_timeout, max_attempts, max_retry_seconds, call_timeout,
              ca_bundle, failure_patterns
    [status]  refused_statuses
    [columns] "Their header" = "apiField"
    [watch]   inbox, interval, settle_seconds, incomplete_seconds, grace_minutes,
              retry_seconds, max_tries, max_hours, outbox

The environment uses ``OCEAN_API_URL``, ``OCEAN_LOGIN``, ``OCEAN_PASSWORD``,
``OCEAN_CUSTOMER_ID`` and ``MISSION_IMPORTER_<SETTING>`` for the others (lists
comma-separated, the column mapping as ``Header=field,Header=field``); an empty variable
counts as not set. ``MISSION_IMPORTER_CONFIG`` names the file when ``--config`` is not given.
Errors raised while loading are rendered in the current language (:func:`set_language`);
the notes are rendered in the language of the loaded settings. Each setting's type and the
conversion of its values are in :mod:`importer.settings.values`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import platformdirs

from importer.errors import UsageError
from importer.messages import LANGUAGES, detect_language, t
from importer.ocean_api import url_without_credentials
from importer.rows.columns import FIELD_NAMES, check_user_mapping, match_header
from importer.settings.values import KINDS, Value, convert, given, name_map
from importer.settings.values import NULLABLE as NULLABLE  # (re-exported: defined here before)
from importer.tls_trust import ca_bundle_missing
from importer.zones import find_zone

DEFAULT_API_URL = "https://v3.oceansystem.com/ocean"
DEFAULT_FAILURE_PATTERNS: tuple[str, ...] = (
    "échec",
    "echec",
    "erreur",
    "existe déjà",
    "existe deja",
    "impossible",
    "refus",
    "invalide",
    "error",
    "failed",
    "failure",
    "already exists",
    "not found",
    "invalid",
    "denied",
)
DEFAULT_REFUSED_STATUSES: tuple[str, ...] = ("REFUSEE", "REFUSED")


@dataclass
class Settings:
    """Every setting of the tool, with its default."""

    api_url: str = DEFAULT_API_URL
    login: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed
    customer_id: int | None = None
    timezone: str = "Europe/Paris"
    lang: str | None = None  # None: from the environment's locale
    # reading and validation
    sheet: str | None = None
    max_rows: int = 1_000_000
    columns: dict[str, str] = field(default_factory=dict)  # "Their header" -> apiField
    mission_types: list[str] = field(default_factory=list)  # empty: any type accepted
    default_a_envoyer: bool = True
    require_destination: bool = False  # a row without any destination: error, not warning
    # sending
    mode: str = "upsert"
    workers: int = 8
    rate: float | None = None  # requests per second, shared by all workers
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 5
    max_retry_seconds: float = 120.0
    call_timeout: float = 120.0  # the most one call may take, retries included
    ca_bundle: str | None = None
    failure_patterns: list[str] = field(default_factory=lambda: list(DEFAULT_FAILURE_PATTERNS))
    journal: Path | None = None  # None: the user's state folder
    # status: a mission whose status or statusCode is one of these was refused
    refused_statuses: list[str] = field(default_factory=lambda: list(DEFAULT_REFUSED_STATUSES))
    # drop folder
    watch_interval: float = 5.0
    watch_settle_seconds: float = 15.0  # see docs/unattended.md, "How long a file must settle"
    watch_incomplete_seconds: float = 60.0  # quiet time of a file that looks unfinished
    watch_grace_minutes: float = 30.0  # a zip still unreadable after this goes to failed/
    watch_retry_seconds: float = 60.0  # first pause before a waiting file is tried again
    watch_max_tries: int = 10  # a waiting file goes to to_fix/ after this many tries...
    watch_max_hours: float = 24.0  # ...or this many hours after its first try
    outbox: Path | None = None
    inbox: Path | None = None  # the folder `watch` uses when none is given on the command line


@dataclass
class Configuration:
    """The loaded settings, the file they came from, and what a person should know."""

    settings: Settings
    file: Path | None  # the TOML file read, None when there was none
    origins: dict[str, str]  # setting -> where its value came from (for `check`)
    notes: list[str]  # warnings for a person (e.g. password file readable by others)


APP_NAME = "ocean-mission-importer"
CONFIG_FILE_NAME = "mission-importer.toml"
CONFIG_ENV = "MISSION_IMPORTER_CONFIG"
ENV_PREFIX = "MISSION_IMPORTER_"
OCEAN_ENV = {
    name: f"OCEAN_{name.upper()}" for name in ("api_url", "login", "password", "customer_id")
}
MODES = ("create", "modify", "delete", "upsert")
MODE_ALIASES = dict(ajout="create", modification="modify", suppression="delete")
LANGUAGE_ALIASES = dict(english="en", anglais="en", french="fr", francais="fr", français="fr")
MAX_WORKERS = 64
CLI_OPTIONS = {"watch_interval": "--interval", "watch_settle_seconds": "--settle"}


# The TOML layout: section ("" is the top of the file) -> key -> setting.
SECTIONS: dict[str, dict[str, str]] = {
    "": name_map("api_url customer_id login password timezone lang"),
    "import": name_map(
        "workers rate mode max_rows sheet journal default_a_envoyer mission_types "
        "require_destination"
    ),
    "http": name_map(
        "connect_timeout read_timeout max_attempts max_retry_seconds call_timeout ca_bundle "
        "failure_patterns"
    ),
    "status": name_map("refused_statuses"),
    "watch": dict(
        inbox="inbox",
        interval="watch_interval",
        settle_seconds="watch_settle_seconds",
        incomplete_seconds="watch_incomplete_seconds",
        grace_minutes="watch_grace_minutes",
        retry_seconds="watch_retry_seconds",
        max_tries="watch_max_tries",
        max_hours="watch_max_hours",
        outbox="outbox",
    ),
}
COLUMNS_SECTION = "columns"  # free keys: "Their header" = "apiField"


# --- public API -------------------------------------------------------------------------


def load_settings(
    cli: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Settings:
    """Load the settings (command line > environment > file > defaults); return Settings."""
    return load_configuration(cli, config_path=config_path, environ=environ, cwd=cwd).settings


def load_configuration(
    cli: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Configuration:
    """Load and check every setting; return them with their origins and notes.

    ``cli`` maps setting names to command line values, None meaning "not given"; it must
    never carry the password. Raises UsageError for anything wrong, naming where it is.
    """
    env = os.environ if environ is None else environ
    cli_values = _from_cli(cli or {})
    env_values, env_notes = _from_env(env)
    path = find_config_file(config_path, environ=env, cwd=cwd)
    file_values: dict[str, Value] = {}
    password_in_file = False
    if path is not None:
        data = _read_toml(path)
        file_values = _from_file(path, data)
        password_in_file = bool(file_values.get("password", (None, ""))[0])

    defaults, default_where = Settings(), t("config.where.default")
    merged = {f.name: (getattr(defaults, f.name), default_where) for f in fields(Settings)}
    for layer in (file_values, env_values, cli_values):
        merged.update(layer)
    settings = Settings(**{name: value for name, (value, _) in merged.items()})
    origins = {name: where for name, (_, where) in merged.items()}
    _validate(settings, origins)

    lang = resolve_language(settings, env)
    notes = [t(key, lang=lang, **values) for key, values in env_notes]
    if password_in_file and _readable_by_others(path):
        notes.append(t("config.password_readable", lang=lang, file=path))
    return Configuration(settings=settings, file=path, origins=origins, notes=notes)


def find_config_file(
    config_path: Path | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Path | None:
    """The TOML file to read: --config, $MISSION_IMPORTER_CONFIG, ./, user folder; or None."""
    env = os.environ if environ is None else environ
    base = Path.cwd() if cwd is None else Path(cwd)
    if config_path is None and env.get(CONFIG_ENV, "").strip():
        config_path = Path(env[CONFIG_ENV].strip())
    if config_path is not None:
        path = Path(config_path).expanduser()
        path = path if path.is_absolute() else base / path
        if not path.exists():
            raise UsageError(t("config.file_missing", file=path))
        if not path.is_file():
            raise UsageError(t("config.file_unreadable", file=path, reason=t("config.is_folder")))
        return path
    for candidate in (base / CONFIG_FILE_NAME, user_config_file()):
        if candidate.is_file():
            return candidate
    return None


def user_config_file() -> Path:
    """The configuration file in the user's configuration folder (may not exist)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / CONFIG_FILE_NAME


def env_variable(name: str) -> str:
    """The environment variable of setting ``name`` (OCEAN_... or MISSION_IMPORTER_...)."""
    return OCEAN_ENV.get(name, ENV_PREFIX + name.upper())


def toml_key(name: str) -> str:
    """Where setting ``name`` goes in the TOML file: ``"api_url"`` or ``"[import] workers"``."""
    if name == "columns":
        return f"[{COLUMNS_SECTION}]"
    for section, keys in SECTIONS.items():
        for key, setting in keys.items():
            if setting == name:
                return f"[{section}] {key}" if section else key
    raise KeyError(name)


def effective_settings(settings: Settings, *, lang: str | None = None) -> dict[str, str]:
    """Every setting as display text (check command, Summary sheet); never the password."""
    shown: dict[str, str] = {}
    for f in fields(settings):
        value = getattr(settings, f.name)
        if f.name == "password":
            shown[f.name] = t("config.set" if value else "config.not_set", lang=lang)
        elif value is None:
            shown[f.name] = t("config.not_set", lang=lang)
        elif f.name == "api_url":
            shown[f.name] = url_without_credentials(value, mark="***@")
        elif isinstance(value, bool):
            shown[f.name] = "true" if value else "false"
        elif isinstance(value, dict):
            shown[f.name] = ", ".join(f"{header} = {target}" for header, target in value.items())
        elif isinstance(value, list):
            shown[f.name] = ", ".join(value)
        else:
            shown[f.name] = str(value)
    return shown


def resolve_language(settings: Settings, environ: Mapping[str, str] | None = None) -> str:
    """The language of the messages: settings.lang when set, else the locale's; "en" or "fr"."""
    if settings.lang in LANGUAGES:
        return settings.lang
    return detect_language(environ)


# --- the three sources --------------------------------------------------------------------


def _from_cli(cli: Mapping[str, Any]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for name, value in cli.items():
        if name == "password" and value is not None:
            raise UsageError(t("config.password_on_cli"))
        if name not in KINDS:
            raise ValueError(f"{name!r} is not a setting (known: {', '.join(KINDS)})")
        if value is None:
            continue
        option = CLI_OPTIONS.get(name, "--" + name.replace("_", "-"))
        where = t("config.where.cli", option=option)
        values[name] = given(name, value, where, base=None)
    return values


def _from_env(environ: Mapping[str, str]) -> tuple[dict[str, Value], list[tuple[str, dict]]]:
    values: dict[str, Value] = {}
    variables = {env_variable(name): name for name in KINDS}
    for variable, name in variables.items():
        raw = environ.get(variable)
        if raw is None or not raw.strip():
            continue
        where = t("config.where.env", name=variable)
        values[name] = (convert(name, raw if name == "password" else raw.strip(), where), where)
    notes: list[tuple[str, dict]] = []
    for variable in sorted(environ):
        if variable.startswith(ENV_PREFIX) and variable not in variables and variable != CONFIG_ENV:
            close = difflib.get_close_matches(variable, [*variables, CONFIG_ENV], n=1)
            key = "config.unknown_env" if close else "config.unknown_env_plain"
            notes.append((key, {"name": variable, "suggestion": close[0] if close else ""}))
    return values, notes


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(t("config.file_unreadable", file=path, reason=reason)) from None
    try:
        text = raw.decode("utf-8-sig")  # Windows Notepad may add a byte order mark
    except UnicodeDecodeError:
        raise UsageError(t("config.not_utf8", file=path)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"line (\d+)", message)
        line = getattr(exc, "lineno", None) or (found.group(1) if found else "?")
        detail = getattr(exc, "msg", None) or re.sub(r"\s*\(at .*\)$", "", message)
        raise UsageError(t("config.syntax", file=path, line=line, detail=detail)) from None


def _from_file(path: Path, data: Mapping[str, Any]) -> dict[str, Value]:
    values: dict[str, Value] = {}
    for key, value in data.items():
        if key == COLUMNS_SECTION or (key in SECTIONS and key):
            if not isinstance(value, dict):
                raise UsageError(t("config.not_a_section", file=path, section=key))
            if key == COLUMNS_SECTION:
                values["columns"] = given("columns", value, _where_file(path, f"[{key}]"), None)
                continue
            for sub, sub_value in value.items():
                if sub not in SECTIONS[key]:
                    raise _unknown_key(path, sub, key)
                name = SECTIONS[key][sub]
                where = _where_file(path, f"[{key}] {sub}")
                values[name] = given(name, sub_value, where, base=path.parent)
        elif key in SECTIONS[""]:
            values[key] = given(key, value, _where_file(path, key), base=path.parent)
        elif isinstance(value, dict):
            raise _unknown_section(path, key)
        else:
            raise _unknown_key(path, key, "")
    return values


def _where_file(path: Path, key: str) -> str:
    return t("config.where.file", file=path, key=key)


def _unknown_section(path: Path, section: str) -> UsageError:
    known = [s for s in SECTIONS if s] + [COLUMNS_SECTION]
    close = difflib.get_close_matches(section, known, n=1)
    if close:
        return UsageError(
            t("config.unknown_section", file=path, section=section, suggestion=close[0])
        )
    return UsageError(
        t(
            "config.unknown_section_plain",
            file=path,
            section=section,
            known=", ".join(f"[{s}]" for s in known),
        )
    )


def _unknown_key(path: Path, key: str, section: str) -> UsageError:
    place = t("config.in_section", section=section) if section else ""
    here = list(SECTIONS[section])
    close = difflib.get_close_matches(key, here, n=1)
    if close:
        return UsageError(
            t("config.unknown_key", file=path, key=key, place=place, suggestion=close[0])
        )
    elsewhere = {k: s for s, keys in SECTIONS.items() if s != section for k in keys}
    close = difflib.get_close_matches(key, list(elsewhere), n=1)
    if close:
        target = elsewhere[close[0]]
        where = t("config.in_section", section=target) if target else t("config.at_top")
        message_key = "config.wrong_section" if close[0] == key else "config.unknown_key_elsewhere"
        if message_key == "config.wrong_section" and not section:
            place = t("config.at_top_short")
        return UsageError(
            t(message_key, file=path, key=key, place=place, suggestion=close[0], target=where)
        )
    return UsageError(
        t("config.unknown_key_plain", file=path, key=key, place=place, known=", ".join(here))
    )


# --- checks -----------------------------------------------------------------------------


def _validate(s: Settings, origins: Mapping[str, str]) -> None:
    """Check ranges and names; normalise mode, lang, time zone and URL in place."""
    s.api_url = _check_url(s.api_url, origins["api_url"])
    s.timezone = _check_timezone(s.timezone, origins["timezone"])
    s.mode = _check_choice(s.mode.strip().lower(), MODES, MODE_ALIASES, origins["mode"])
    if s.lang is not None:
        code = re.split(r"[-_.@]", s.lang.strip().lower())[0]
        s.lang = _check_choice(code, LANGUAGES, LANGUAGE_ALIASES, origins["lang"])
    if s.login is not None:
        s.login = s.login.strip() or None
    _check_range(s.workers, origins["workers"], 1, MAX_WORKERS)
    for name in ("max_rows", "max_attempts", "customer_id", "watch_max_tries"):
        _check_range(getattr(s, name), origins[name], 1, None)
    for name in (
        "rate",
        "connect_timeout",
        "read_timeout",
        "call_timeout",
        "watch_interval",
        "watch_max_hours",
    ):
        _check_positive(getattr(s, name), origins[name])
    for name in (
        "max_retry_seconds",
        "watch_settle_seconds",
        "watch_incomplete_seconds",
        "watch_grace_minutes",
        "watch_retry_seconds",
    ):
        _check_range(getattr(s, name), origins[name], 0, None)
    if ca_bundle_missing(s.ca_bundle):
        raise UsageError(t("config.no_ca_bundle", where=origins["ca_bundle"], path=s.ca_bundle))
    _check_columns(s.columns, origins["columns"])


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(
            t("config.bad_url", where=where, value=url_without_credentials(url, mark="***@"))
        )
    return url.strip().rstrip("/")


def _check_timezone(name: str, where: str) -> str:
    name = name.strip()
    zone = find_zone(name)
    if zone is not None:
        return zone.key
    close = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=1)
    raise UsageError(
        t(
            "config.bad_timezone",
            where=where,
            value=name,
            example=close[0] if close else "Europe/Paris",
        )
    )


def _check_choice(
    value: str, choices: tuple[str, ...], aliases: Mapping[str, str], where: str
) -> str:
    value = aliases.get(value, value)
    if value not in choices:
        raise UsageError(
            t("config.bad_choice", where=where, value=value, choices=", ".join(choices))
        )
    return value


def _check_range(value: float | None, where: str, low: float, high: float | None) -> None:
    if value is None:
        return
    if high is not None and not low <= value <= high:
        raise UsageError(t("config.out_of_range", where=where, value=value, low=low, high=high))
    if value < low:
        raise UsageError(t("config.too_small", where=where, value=value, low=low))


def _check_positive(value: float | None, where: str) -> None:
    if value is not None and not value > 0:
        raise UsageError(t("config.not_positive", where=where, value=value))


def _check_columns(mapping: Mapping[str, str], where: str) -> None:
    try:
        check_user_mapping(mapping)
    except UsageError as exc:
        bad = next(target for target in mapping.values() if target not in FIELD_NAMES)
        alias = match_header(bad)
        close = [alias] if alias else difflib.get_close_matches(bad, FIELD_NAMES, n=1)
        hint = " " + t("config.did_you_mean", suggestion=close[0]) if close else ""
        raise UsageError(t("config.located", where=where, message=exc.message + hint)) from None


def _readable_by_others(path: Path) -> bool:
    if os.name != "posix":
        return False
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False
