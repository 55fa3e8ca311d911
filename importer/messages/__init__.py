"""The message catalogue: every user-facing sentence, in English and French.

Each domain keeps its sentences in its own module here (``EN`` and ``FR`` dicts with the
same keys, prefixed by the domain); this package merges them into one catalogue. A package
above that owns its texts (the sandbox) adds them with :func:`register` when it is
imported: the catalogue imports nothing from above it. Use :func:`t` to render a message
in the current language.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import locale
import os
import string
from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import Any

LANGUAGES = ("en", "fr")
_DOMAINS = (
    "common",
    "sources",
    "columns",
    "validation",
    "problems",
    "results",
    "client",
    "journal",
    "engine",
    "config",
    "watch",
    "cli",
    "status",
    "audit",
    "web",
    "web_page",
    "follow",
)

_catalogue: dict[str, dict[str, str]] | None = None
# Texts added by the packages that own them (register), merged after the domains above.
_registered: list[tuple[Mapping[str, str], Mapping[str, str]]] = []
_language = "en"
# A language for the current context only (one web request, one run of the page); None:
# the process-wide language above (the command line sets that one).
_context_language: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "importer_language", default=None
)
# True while rendering for the import page: a shared sentence ``K`` that names a command-line
# option, an HTTP code or an API call has a page variant ``page.K`` said in the planner's words.
_page_wording: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "importer_page_wording", default=False
)
PAGE_PREFIX = "page."


def catalogue() -> dict[str, dict[str, str]]:
    """Return ``{"en": {key: text}, "fr": {key: text}}`` merged from every domain."""
    global _catalogue
    if _catalogue is None:
        merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
        for domain in _DOMAINS:
            module = import_module(f"importer.messages.{domain}")
            merged["en"].update(module.EN)
            merged["fr"].update(module.FR)
        for en, fr in _registered:
            merged["en"].update(en)
            merged["fr"].update(fr)
        _catalogue = merged
    return _catalogue


def register(en: Mapping[str, str], fr: Mapping[str, str]) -> None:
    """Add the texts a package owns (``EN`` and ``FR`` with the same keys) to the catalogue."""
    _registered.append((en, fr))
    if _catalogue is not None:
        _catalogue["en"].update(en)
        _catalogue["fr"].update(fr)


def set_language(lang: str) -> None:
    """Choose the language of every message rendered from now on (``en`` or ``fr``)."""
    global _language
    _language = lang if lang in LANGUAGES else "en"


def get_language() -> str:
    return _context_language.get() or _language


@contextlib.contextmanager
def language_context(lang: str, *, page: bool | None = None) -> Iterator[str]:
    """Render messages in ``lang`` within this context only (e.g. one web request).

    With ``page``, a message that has a page variant (``page.`` + its key) is said with it;
    None keeps the enclosing context's choice.
    """
    chosen = lang if lang in LANGUAGES else "en"
    token = _context_language.set(chosen)
    page_token = _page_wording.set(_page_wording.get() if page is None else page)
    try:
        yield chosen
    finally:
        _page_wording.reset(page_token)
        _context_language.reset(token)


def detect_language(environ: Mapping[str, str] | None = None) -> str:
    """The language of the environment's locale (LC_ALL, LC_MESSAGES, LANG), else English."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return "fr" if value.lower().startswith("fr") else "en"
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return "fr" if code.lower().startswith("fr") else "en"


def t(key: str, /, lang: str | None = None, **values: Any) -> str:
    """Render message ``key`` in the current language (falls back to English)."""
    texts = catalogue()
    chosen = lang or get_language()
    if _page_wording.get() and PAGE_PREFIX + key in texts["en"]:
        key = PAGE_PREFIX + key
    template = texts.get(chosen, {}).get(key) or texts["en"].get(key)
    if template is None:
        raise KeyError(f"message {key!r} is not in the catalogue")
    if not values:
        return template
    if chosen == "fr":
        values = {name: _french_number(value) for name, value in values.items()}
    return template.format(**values)


def t_count(key: str, n: int, /, lang: str | None = None, **values: Any) -> str:
    """Message ``key`` about ``n`` things: ``<key>_one`` when there is one (0 or 1 in
    French) and the catalogue has it, else ``key``."""
    one = n == 1 or (n == 0 and (lang or get_language()) == "fr")
    singular = f"{key}_one"
    return t(singular if one and singular in catalogue()["en"] else key, lang=lang, **values)


def field_label(name: str, lang: str | None = None) -> str:
    """The label a planner reads for the mission field ``name`` in the current language.

    ``codPost`` -> "Code postal" in French, "Postal code" in English; a name that is not a
    mission field comes back unchanged.
    """
    key = f"columns.label.{name}"
    return t(key, lang=lang) if key in catalogue()["en"] else name


@functools.cache
def message_fields(key: str) -> tuple[str, ...]:
    """The mission fields a message names by placeholder (``{nomVeh}``: that field's column).

    Such a placeholder is filled with the file's own header for the field when the file has
    one (:attr:`importer.model.RowIssue.details`), else with the field's label
    (:func:`field_values`).
    """
    from importer.fields import BY_NAME

    template = catalogue()["en"].get(key, "")
    names = (name for _, name, _, _ in string.Formatter().parse(template) if name)
    return tuple(dict.fromkeys(name for name in names if name in BY_NAME))


def field_values(key: str, lang: str | None = None) -> dict[str, str]:
    """The labels of the fields message ``key`` names, in ``lang``: the placeholders' defaults."""
    return {name: field_label(name, lang) for name in message_fields(key)}


def _french_number(value: Any) -> Any:
    """A float written the French way (2,5; 5 for 5.0); any other value unchanged."""
    if value.__class__ is not float:
        return value
    text = repr(value)
    return (text[:-2] if text.endswith(".0") else text).replace(".", ",")
