"""The table of settings: one row per setting, the single place a setting is declared.

Each row gives the setting's name, kind (how its values are converted, see
:mod:`importer.settings.values`), default, bounds, environment variable, place in the
TOML file, command line option and help text. The :class:`~importer.settings.load.Settings`
dataclass, the environment and TOML readers, the checks of the bounds and the command
line's options with their ``[default: ...]`` help are all made from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
MODES = ("create", "modify", "delete", "upsert")
LANGUAGE_CODES = ("en", "fr")
ENV_PREFIX = "MISSION_IMPORTER_"
COLUMNS_SECTION = "columns"  # free keys: "Their header" = "apiField"

# The Python type of each kind of setting (the dataclass field's type).
KIND_TYPES: dict[str, Any] = {
    "text": str,
    "int": int,
    "float": float,
    "bool": bool,
    "list": list[str],
    "mapping": dict[str, str],
    "path": Path,
    "path_text": str,
}


@dataclass(frozen=True)
class Setting:
    """One setting: its type, default, bounds, and where it is read from.

    ``low``/``high`` bound a number (``above``: the value must be greater than ``low``,
    not equal); ``section`` and ``key`` place it in the TOML file (``""``: the top);
    ``env`` overrides the ``MISSION_IMPORTER_<NAME>`` variable; ``option`` overrides the
    ``--name`` command line option; ``help`` is the option's English help (its French twin
    is ``opt.<name>`` in :mod:`importer.messages.help_fr`); ``shown_default`` describes a
    default that is not a plain value (``default.<name>`` in the catalogue).
    """

    name: str
    kind: str
    default: Any
    section: str
    key: str = ""
    low: float | None = None
    high: float | None = None
    above: bool = False
    choices: tuple[str, ...] = ()
    env: str = ""
    option: str = ""
    help: str = ""
    shown_default: bool = False

    @property
    def env_variable(self) -> str:
        """The environment variable that sets it."""
        return self.env or ENV_PREFIX + self.name.upper()

    @property
    def toml_key(self) -> str:
        """Its key within its TOML section."""
        return self.key or self.name

    @property
    def cli_option(self) -> str:
        """Its command line option, e.g. ``--workers``."""
        return self.option or "--" + self.name.replace("_", "-")

    @property
    def nullable(self) -> bool:
        """Whether "not set" (None) is a valid value; an empty text then means not set."""
        return self.default is None

    def default_value(self) -> Any:
        """A fresh copy of the default (lists and mappings are never shared)."""
        if isinstance(self.default, tuple | list):
            return list(self.default)
        if isinstance(self.default, dict):
            return dict(self.default)
        return self.default


def _s(name: str, kind: str, default: Any, section: str, **more: Any) -> Setting:
    return Setting(name, kind, default, section, **more)


def _named_by_section(section: str) -> Callable[..., Setting]:
    """Rows of ``section`` whose setting is named ``<section>_<key>`` (``[watch] max_tries``
    is ``watch_max_tries``): each row gives its key, kind, default and what else differs."""

    def row(key: str, kind: str, default: Any, **more: Any) -> Setting:
        return Setting(f"{section}_{key}", kind, default, section, key=key, **more)

    return row


_watch, _serve = _named_by_section("watch"), _named_by_section("serve")


SETTINGS: tuple[Setting, ...] = (
    # connection, at the top of the file
    _s("api_url", "text", DEFAULT_API_URL, "", env="OCEAN_API_URL",
       help="Ocean base URL (env OCEAN_API_URL)."),
    _s("login", "text", None, "", env="OCEAN_LOGIN"),
    _s("password", "text", None, "", env="OCEAN_PASSWORD"),
    _s("customer_id", "int", None, "", low=1, env="OCEAN_CUSTOMER_ID",
       help="customerId, for accounts that manage several customers (env OCEAN_CUSTOMER_ID)."),
    _s("timezone", "text", "Europe/Paris", "",
       help="Time zone of the times typed in the sheet."),
    _s("lang", "text", None, "", choices=LANGUAGE_CODES, shown_default=True,
       help="Language of messages and workbooks."),
    # reading and validation
    _s("workers", "int", 8, "import", low=1, high=64, help="Parallel requests."),
    _s("rate", "float", None, "import", low=0, above=True,
       help="At most this many requests per second, all workers together."),
    _s("mode", "text", "upsert", "import", choices=MODES,
       help="Action for rows without an action column (upsert: create or modify as needed)."),
    _s("max_rows", "int", 1_000_000, "import", low=1),
    _s("sheet", "text", None, "import", shown_default=True, help="Sheet to read."),
    _s("journal", "path", None, "import", shown_default=True, help="Journal file."),
    _s("keep_values_days", "float", 90.0, "import", low=0),  # the journal's mission values
    _s("default_a_envoyer", "bool", True, "import"),
    _s("mission_types", "list", (), "import"),  # empty: any type accepted
    _s("require_destination", "bool", False, "import"),
    _s("claim_wait", "float", 60.0, "import", low=0,
       help="Seconds a row waits for a mission another run is sending, then not sent."),
    # sending
    _s("connect_timeout", "float", 5.0, "http", low=0, above=True),
    _s("read_timeout", "float", 30.0, "http", low=0, above=True),
    _s("max_attempts", "int", 5, "http", low=1),
    _s("max_retry_seconds", "float", 120.0, "http", low=0),
    _s("call_timeout", "float", 120.0, "http", low=0, above=True),  # retries included
    _s("ca_bundle", "path_text", None, "http",
       help="CA certificates to trust, e.g. a company proxy's (TLS is always verified)."),
    _s("failure_patterns", "list", DEFAULT_FAILURE_PATTERNS, "http"),
    # status: a mission whose status or statusCode is one of these was refused
    _s("refused_statuses", "list", DEFAULT_REFUSED_STATUSES, "status"),
    # the page's follow-up: statutMission at most this many per second (never above rate),
    # every so many minutes while someone has the page open
    _s("follow_rate", "float", 2.0, "status", low=0, above=True),
    _s("follow_minutes", "float", 5.0, "status", low=0, above=True),
    # "Their header" -> apiField: a section of free keys of its own
    _s("columns", "mapping", {}, COLUMNS_SECTION),
    # drop folder (see docs/unattended.md)
    _s("inbox", "path", None, "watch"),  # the folder `watch` uses when none is given
    _watch("interval", "float", 5.0, low=0, above=True,
           option="--interval", help="Seconds between two looks at the inbox."),
    _watch("settle_seconds", "float", 15.0, low=0,
           option="--settle", help="Seconds a file must stay unchanged before it is taken."),
    _watch("incomplete_seconds", "float", 60.0, low=0),
    _watch("grace_minutes", "float", 30.0, low=0),
    _watch("retry_seconds", "float", 60.0, low=0),
    _watch("max_tries", "int", 10, low=1),
    _watch("max_hours", "float", 24.0, low=0, above=True),
    _s("outbox", "path", None, "watch", shown_default=True,
       help="Where results workbooks go."),
    # the import page (`serve`); each limit is in SECURITY.md
    _serve("proxy", "list", (), option="--proxy",
           help="Address (or network) of a trusted reverse proxy, whose X-Forwarded-For and "
                "X-Forwarded-Proto are believed; repeat for several. None: they are ignored."),
    _serve("upload_limit_mb", "float", 50.0, low=0.1,
           option="--upload-limit-mb", help="Largest file accepted, in MB."),
    _s("serve_max_rows", "int", 100_000, "serve", key="rows_per_file", low=1),
    _s("serve_max_columns", "int", 300, "serve", key="columns_per_file", low=1),
    _serve("draft_cells", "int", 2_000_000, low=1),
    _serve("signin_per_login", "int", 5, low=1),
    _serve("signin_per_address", "int", 20, low=1),
)  # fmt: skip

BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
KINDS: dict[str, str] = {setting.name: setting.kind for setting in SETTINGS}

# The TOML layout: section ("" is the top of the file) -> key -> setting name.
SECTIONS: dict[str, dict[str, str]] = {}
for _setting in SETTINGS:
    if _setting.section != COLUMNS_SECTION:
        SECTIONS.setdefault(_setting.section, {})[_setting.toml_key] = _setting.name
del _setting


def env_variable(name: str) -> str:
    """The environment variable of setting ``name`` (OCEAN_... or MISSION_IMPORTER_...)."""
    return BY_NAME[name].env_variable


def toml_key(name: str) -> str:
    """Where setting ``name`` goes in the TOML file: ``"api_url"`` or ``"[import] workers"``."""
    setting = BY_NAME[name]
    if setting.section == COLUMNS_SECTION:
        return f"[{COLUMNS_SECTION}]"
    return f"[{setting.section}] {setting.toml_key}" if setting.section else setting.toml_key
