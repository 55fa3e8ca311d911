"""Time zones by name: the one lookup that the settings, the rows and the reports share."""

from __future__ import annotations

import zoneinfo
from zoneinfo import ZoneInfo


def find_zone(name: str) -> ZoneInfo | None:
    """The IANA time zone called ``name`` (case ignored: "europe/paris"), or None."""
    name = str(name).strip()
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        pass
    spelled = {key.casefold(): key for key in zoneinfo.available_timezones()}
    key = spelled.get(name.casefold())  # "europe/paris" on a case-sensitive disk
    return None if key is None else ZoneInfo(key)
