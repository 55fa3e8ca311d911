"""The checks of loaded settings: bounds and choices from the table, names, URL, time zone.

Every error is a UsageError that names where the value came from (the option, the
environment variable or the file and key) and what is allowed.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from importer.errors import UsageError
from importer.messages import t
from importer.ocean_api import url_without_credentials
from importer.rows.columns import FIELD_NAMES, check_user_mapping, match_header
from importer.settings.table import LANGUAGE_CODES, MODES, SETTINGS, Setting
from importer.tls_trust import ca_bundle_missing
from importer.zones import find_zone

MODE_ALIASES = dict(ajout="create", modification="modify", suppression="delete")
LANGUAGE_ALIASES = dict(english="en", anglais="en", french="fr", francais="fr", français="fr")


def check_settings(settings: Any, origins: Mapping[str, str]) -> None:
    """Check every bound and name; normalise mode, lang, time zone and URL in place."""
    s = settings
    s.api_url = _check_url(s.api_url, origins["api_url"])
    s.timezone = check_timezone(s.timezone, origins["timezone"])
    s.mode = _check_choice(s.mode.strip().lower(), MODES, MODE_ALIASES, origins["mode"])
    if s.lang is not None:
        code = re.split(r"[-_.@]", s.lang.strip().lower())[0]
        s.lang = _check_choice(code, LANGUAGE_CODES, LANGUAGE_ALIASES, origins["lang"])
    if s.login is not None:
        s.login = s.login.strip() or None
    for setting in SETTINGS:
        if setting.low is not None:
            check_bounds(setting, getattr(s, setting.name), origins[setting.name])
    if ca_bundle_missing(s.ca_bundle):
        raise UsageError(t("config.no_ca_bundle", where=origins["ca_bundle"], path=s.ca_bundle))
    _check_columns(s.columns, origins["columns"])


def check_bounds(setting: Setting, value: float | None, where: str) -> None:
    """Refuse a number outside the setting's bounds, saying which bounds."""
    low, high = setting.low, setting.high
    if value is None or low is None:
        return
    if high is not None and not low <= value <= high:
        raise UsageError(t("config.out_of_range", where=where, value=value, low=low, high=high))
    if setting.above and not value > low:
        raise UsageError(t("config.not_above", where=where, value=value, low=low))
    if value < low:
        raise UsageError(t("config.too_small", where=where, value=value, low=low))


def check_timezone(name: str, where: str) -> str:
    """The canonical name of time zone ``name`` (any letter case); UsageError if unknown."""
    name = name.strip()
    zone = find_zone(name)
    if zone is not None:
        return zone.key
    close = difflib.get_close_matches(name, sorted(zoneinfo.available_timezones()), n=1)
    example = close[0] if close else "Europe/Paris"
    raise UsageError(t("config.bad_timezone", where=where, value=name, example=example))


def without_userinfo(url: str) -> str:
    """The URL without any user:password@ part (never shown)."""
    return url_without_credentials(url, mark="***@")


def _check_url(url: str, where: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise UsageError(t("config.bad_url", where=where, value=without_userinfo(url)))
    return url.strip().rstrip("/")


def _check_choice(
    value: str, choices: tuple[str, ...], aliases: Mapping[str, str], where: str
) -> str:
    value = aliases.get(value, value)
    if value not in choices:
        raise UsageError(
            t("config.bad_choice", where=where, value=value, choices=", ".join(choices))
        )
    return value


def _check_columns(mapping: Mapping[str, str], where: str) -> None:
    try:
        check_user_mapping(mapping)
    except UsageError as exc:
        bad = next(target for target in mapping.values() if target not in FIELD_NAMES)
        alias = match_header(bad)
        close = [alias] if alias else difflib.get_close_matches(bad, FIELD_NAMES, n=1)
        hint = " " + t("config.did_you_mean", suggestion=close[0]) if close else ""
        raise UsageError(t("config.located", where=where, message=exc.message + hint)) from None
