"""Ranges of local days, as `status --from/--to/--week` and the follow-up page select them.

Pure: text and dates in, dates and UTC instants out; no clock (today is given), no I/O.
A :class:`DayRange` holds its first and last day, both included (``last`` None: from the
first day onward); a week is ISO's, Monday to Sunday, named ``2026-W50``. Days are written
``dd/mm/yyyy`` (the planners' order) or ``yyyy-mm-dd``.

A day starts at its local midnight in the time zone, whatever the offset that day (a day
when clocks change lasts 23 or 25 hours); where a change skips midnight itself, the day
starts at the first local time that exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})|(\d{4})-(\d{2})-(\d{2})")
_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


def parse_day(text: str) -> date:
    """The day written ``dd/mm/yyyy`` (``7/12/2026`` too) or ``yyyy-mm-dd``; ValueError
    when the text is neither or names no real day (31/02/2026)."""
    found = _DAY.fullmatch(str(text).strip())
    if found is None:
        raise ValueError(f"not a day: {text!r}")
    day, month, year = found.group(1, 2, 3) if found.group(1) else found.group(6, 5, 4)
    return date(int(year), int(month), int(day))


def parse_week(text: str) -> DayRange:
    """The ISO week named ``2026-W50`` (``2026W50``, ``2026-w5`` too), Monday to Sunday;
    ValueError when the text is not one or the year has no such week (W53 of most years)."""
    found = _WEEK.fullmatch(str(text).strip())
    if found is None:
        raise ValueError(f"not a week: {text!r}")
    year, week = int(found.group(1)), int(found.group(2))
    return week_of(date.fromisocalendar(year, week, 1))  # ValueError for a week not there


def week_of(day: date) -> DayRange:
    """The ISO week (Monday to Sunday) that holds ``day``."""
    monday = day - timedelta(days=day.isoweekday() - 1)
    return DayRange(monday, monday + timedelta(days=6), week=week_name(day))


def week_name(day: date) -> str:
    """The name of the ISO week holding ``day`` (``2026-W50``; 31/12/2024 is in 2025-W01)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The first moment of ``day`` in ``zone``, in UTC: its local midnight, the earlier one
    when midnight happens twice, the moment of the change when a change skips it (a
    skipped local time is read with the offset before the change, PEP 495)."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True)
class DayRange:
    """Local days from ``first`` to ``last`` (both included; ``last`` None: onward).
    ``week``: the ISO week's name when the range is one."""

    first: date
    last: date | None = None
    week: str | None = None

    def __post_init__(self) -> None:
        if self.last is not None and self.last < self.first:
            raise ValueError(f"{self.last} is before {self.first}")

    def utc_bounds(self, zone: ZoneInfo) -> tuple[datetime, datetime | None]:
        """The range in UTC: from its first moment (included) to the first moment after
        it (excluded; None: no end)."""
        end = None if self.last is None else day_start(self.last + timedelta(days=1), zone)
        return day_start(self.first, zone), end

    def contains(self, moment: datetime, zone: ZoneInfo) -> bool:
        """Whether the aware ``moment`` falls on one of the range's days in ``zone``."""
        day = moment.astimezone(zone).date()
        return self.first <= day and (self.last is None or day <= self.last)

    def label(self) -> str:
        """A name for files: ``2026-W50``, ``2026-12-07_2026-12-13`` or ``2026-12-07_``."""
        if self.week:
            return self.week
        return f"{self.first.isoformat()}_{self.last.isoformat() if self.last else ''}"

    def shown(self) -> tuple[str, str]:
        """The first and last day as people read them (``dd/mm/yyyy``; "" for no end)."""
        return f"{self.first:%d/%m/%Y}", f"{self.last:%d/%m/%Y}" if self.last else ""
