"""Settings: command line > environment > TOML file > defaults.

This module holds the :class:`Settings` every step reads, and loads them:

* :func:`load_configuration` returns the effective :class:`Settings` (its ``settings``)
  with the file read, where each setting came from and the notes for a person (e.g. a
  password file readable by other users);
* :func:`effective_settings` gives the settings for display, never the password;
* :func:`resolve_language` gives the language of the messages, ``"en"`` or ``"fr"``.

The TOML file puts the connection at the top and the rest in sections (see
``templates/mission-importer.toml``)::

    api_url, customer_id, login, password, timezone, lang
    [import]  workers, rate, mode, max_rows, sheet, journal, keep_values_days,
              default_a_envoyer, mission_types, require_destination, claim_wait
    [http]    connect_timeout, read_timeout, max_attempts, max_retry_seconds, call_timeout,
              ca_bundle, failure_patterns
    [status]  refused_statuses, follow_rate, follow_minutes
    [columns] "Their header" = "apiField"
    [watch]   inbox, interval, settle_seconds, incomplete_seconds, grace_minutes,
              retry_seconds, max_tries, max_hours, outbox
    [serve]   proxy, upload_limit_mb, rows_per_file, columns_per_file, draft_cells,
              signin_per_login, signin_per_address

The environment uses ``OCEAN_API_URL``, ``OCEAN_LOGIN``, ``OCEAN_PASSWORD``,
``OCEAN_CUSTOMER_ID`` and ``MISSION_IMPORTER_<SETTING>`` for the others (lists
comma-separated, the column mapping as ``Header=field,Header=field``); an empty variable
counts as not set. ``MISSION_IMPORTER_CONFIG`` names the file when ``--config`` is not given.
Errors raised while loading are rendered in the current language (:func:`set_language`);
the notes are rendered in the language of the loaded settings. Each setting's type and the
conversion of its values are in :mod:`importer.settings.values`, the checks in
:mod:`importer.settings.checks`, every setting's row in :mod:`importer.settings.table`.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

import platformdirs

from importer.errors import UsageError
from importer.messages import LANGUAGES, detect_language, t
from importer.settings.checks import check_settings, without_userinfo
from importer.settings.table import (
    BY_NAME,
    COLUMNS_SECTION,
    ENV_PREFIX,
    SECTIONS,
    SETTINGS,
)
from importer.settings.values import Value, convert, given

T = TypeVar("T")


def _default(name: str) -> Any:
    """The dataclass default of setting ``name``, from the table (a factory for lists)."""
    setting = BY_NAME[name]
    if isinstance(setting.default, tuple | list | dict):
        return field(default_factory=setting.default_value)
    return field(default=setting.default, repr=name != "password")  # never printed


def _defaults_from_the_table(cls: type[T]) -> type[T]:
    """Give each annotated field of ``cls`` its default from the table of settings."""
    for name in cls.__annotations__:
        setattr(cls, name, _default(name))
    return cls


@dataclass
@_defaults_from_the_table
class Settings:
    """Every setting of the tool, typed; each default, bound and source is in settings.table.

    Every field has the table's default (so ``Settings()`` is the defaults). A test checks
    that these fields are the table's rows, with the table's types.
    """

    api_url: str
    login: str | None
    password: str | None
    customer_id: int | None
    timezone: str
    lang: str | None  # None: from the environment's locale
    sheet: str | None
    max_rows: int
    columns: dict[str, str]
    mission_types: list[str]
    default_a_envoyer: bool
    require_destination: bool
    claim_wait: float
    mode: str
    workers: int
    rate: float | None
    connect_timeout: float
    read_timeout: float
    max_attempts: int
    max_retry_seconds: float
    call_timeout: float
    ca_bundle: str | None
    failure_patterns: list[str]
    journal: Path | None  # None: the user's state folder
    keep_values_days: float  # after the intervention
    refused_statuses: list[str]
    follow_rate: float  # the page's follow-up, requests per second
    follow_minutes: float  # between two refreshes of a week
    watch_interval: float
    watch_settle_seconds: float
    watch_incomplete_seconds: float
    watch_grace_minutes: float
    watch_retry_seconds: float
    watch_max_tries: int
    watch_max_hours: float
    outbox: Path | None
    inbox: Path | None
    serve_proxy: list[str]
    serve_upload_limit_mb: float
    serve_max_rows: int
    serve_max_columns: int
    serve_draft_cells: int
    serve_signin_per_login: int
    serve_signin_per_address: int

    def as_keywords(self, names: Iterable[str], prefix: str = "") -> dict[str, Any]:
        """Settings ``prefix + name`` as keyword arguments ``name`` (e.g. for a constructor
        whose parameters are named as the settings)."""
        return {name: getattr(self, prefix + name) for name in names}


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


# --- public API -------------------------------------------------------------------------


def load_configuration(
    cli: Mapping[str, Any] | None = None,
    *,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Configuration:
    """Load and check every setting (command line > environment > file > defaults); return
    them (``.settings``) with their origins and notes.

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
    check_settings(settings, origins)

    lang = resolve_language(settings, env)
    notes = [t(key, lang=lang, **values) for key, values in env_notes]
    if password_in_file and path is not None and _readable_by_others(path):
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
            shown[f.name] = without_userinfo(value)
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
        if name not in BY_NAME:
            raise ValueError(f"{name!r} is not a setting (known: {', '.join(BY_NAME)})")
        if value is None:
            continue
        where = t("config.where.cli", option=BY_NAME[name].cli_option)
        values[name] = given(name, value, where, base=None)
    return values


def _from_env(environ: Mapping[str, str]) -> tuple[dict[str, Value], list[tuple[str, dict]]]:
    values: dict[str, Value] = {}
    variables = {setting.env_variable: setting.name for setting in SETTINGS}
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


def _readable_by_others(path: Path) -> bool:
    if os.name != "posix":
        return False
    try:
        return bool(path.stat().st_mode & 0o077)
    except OSError:
        return False
