"""Every conversion of a date: a date cell -> the API's UTC text, and that text -> a moment.

The API takes and gives date-times as ``dd/MM/yyyy HH:mm`` in UTC (:data:`API_DATE_FORMAT`).
:func:`parse_datetime` reads a cell (text, Excel serial, datetime) typed in a local time
zone and returns a :class:`When` holding that text; :func:`read_api_date` reads the text
back (the sandbox checks what it receives with it); :func:`api_time_in_zone` shows an API
time in a local zone (the ``status`` workbook). Messages show date-times with
:func:`shown_date_time`, and :func:`impossible_day` explains a date that does not exist.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from importer.model import UnsureMidnight
from importer.rows.values import ValueProblem, is_empty
from importer.zones import find_zone

API_DATE_FORMAT = "%d/%m/%Y %H:%M"  # the API's date-times, always in UTC
MIN_YEAR, MAX_YEAR = 1900, 9998  # plausible dates; keeps every UTC conversion in range
EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel serial dates (1900 date system)
_MAX_SERIAL = (datetime(MAX_YEAR + 1, 1, 1) - EXCEL_EPOCH).days
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = EPOCH.toordinal()
_HOURS_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1440))
_API_DATE = re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}")


class When(NamedTuple):
    """A date-time as the API wants it, with a warning when the local time was ambiguous."""

    minutes: int  # whole minutes since 1970-01-01 00:00 UTC (seconds dropped)
    text: str  # "dd/MM/yyyy HH:mm" in UTC, exactly as sent
    warning: ValueProblem | None = None

    @property
    def utc(self) -> datetime:
        """The moment as an aware UTC datetime."""
        return EPOCH + timedelta(minutes=self.minutes)


def shown_date_time(moment: datetime) -> str:
    """How messages show a date-time: ``dd/MM/yyyy HH:mm`` of the time as given (no zone)."""
    day = f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"
    return f"{day} {moment.hour:02d}:{moment.minute:02d}"


def api_date_text(moment: datetime) -> str:
    """An aware moment -> the API's UTC text ``dd/MM/yyyy HH:mm`` (seconds dropped)."""
    return _utc_when(moment).text


def read_api_date(text: str) -> datetime | None:
    """The API's UTC text -> an aware UTC moment; None unless exactly ``dd/MM/yyyy HH:mm``."""
    if not _API_DATE.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, API_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None


def api_time_in_zone(text: str, zone: str) -> str:
    """The API's UTC text shown in the local ``zone`` (the text unchanged if unreadable)."""
    try:
        moment = datetime.strptime(text.strip(), API_DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return text
    return shown_date_time(moment.astimezone(find_zone(zone) or ZoneInfo(zone)))


# -- a date cell -> the API's UTC text -----------------------------------------------------

_TIME = r"(?:[ T]+(\d{1,2})[:hH](\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
# dd/mm/yyyy, dd-mm-yyyy, dd.mm.yyyy (or a 2-digit year), then an optional time
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})" + _TIME)
# yyyy-mm-dd (or / .), then an optional time and an optional offset or Z
_YEAR_FIRST = re.compile(
    r"(\d{4})([/.-])(\d{1,2})\2(\d{1,2})" + _TIME + r"\s*(Z|UTC|[+-]\d{2}(?::?\d{2})?)?",
    re.IGNORECASE,
)


def parse_datetime(value: object, zone: tzinfo) -> When | None:
    """A date-time cell -> :class:`When` in UTC; naive times are local times in ``zone``."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        return _parse_text_date(value.strip(), zone)
    if isinstance(value, datetime):
        if type(value) is UnsureMidnight:
            when = _local_when(value.year, value.month, value.day, 0, 0, zone)
            return when._replace(
                warning=when.warning or ValueProblem("validation.midnight_assumed")
            )
        if value.utcoffset() is not None:
            _check_year(value.year)
            return _utc_when(value)
        return _local_when(value.year, value.month, value.day, value.hour, value.minute, zone)
    if isinstance(value, date):
        raise ValueProblem("validation.date_no_time", example=_example(value))
    if isinstance(value, time):
        raise ValueProblem("validation.time_no_date")
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_serial(value)
        return _local_when(moment.year, moment.month, moment.day, moment.hour, moment.minute, zone)
    raise ValueProblem("validation.date_format")


def _parse_text_date(text: str, zone: tzinfo) -> When:
    offset = None
    if match := _DAY_FIRST.fullmatch(text):
        day, _, month, year, hour, minute, second = match.groups()
        number = int(year)
        if len(year) == 2:  # as strptime's %y: 69-99 -> 19xx, 00-68 -> 20xx
            number += 1900 if number >= 69 else 2000
    elif match := _YEAR_FIRST.fullmatch(text):
        year, _, month, day, hour, minute, second, offset = match.groups()
        number = int(year)
    else:
        raise ValueProblem("validation.date_format")
    _check_year(number)
    shown_time = f" {int(hour):02d}:{minute}" if hour is not None else ""
    impossible = impossible_day(number, int(month), int(day), shown_time)
    if impossible is not None:
        raise ValueProblem(impossible[0], **impossible[1])
    if hour is None:
        raise ValueProblem(
            "validation.date_no_time", example=_example(date(number, int(month), int(day)))
        )
    if int(hour) > 23 or int(minute) > 59 or (second is not None and int(second) > 59):
        raise ValueProblem("validation.time_impossible", time=f"{hour}:{minute}")
    try:
        if offset is None:
            return _local_when(number, int(month), int(day), int(hour), int(minute), zone)
        moment = datetime(
            number, int(month), int(day), int(hour), int(minute), tzinfo=_offset_zone(offset)
        )
    except ValueError:  # (checked above: kept for a time zone that refuses a time)
        raise ValueProblem("validation.date_format") from None
    return _utc_when(moment)


def _offset_zone(text: str) -> tzinfo:
    if text.upper() in ("Z", "UTC"):
        return UTC
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueProblem("validation.date_format")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if text[0] == "-" else delta)


def _from_serial(serial: float) -> datetime:
    """An Excel serial number (days since 1899-12-30, the fraction is the time of day)."""
    if not (isinstance(serial, int) or math.isfinite(serial)) or not 1 <= serial < _MAX_SERIAL:
        raise ValueProblem("validation.date_format")
    seconds = round(serial * 86400)
    moment = EXCEL_EPOCH + timedelta(seconds=seconds)
    _check_year(moment.year)
    if seconds % 86400 == 0:
        raise ValueProblem("validation.date_no_time", example=_example(moment))
    return moment


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValueProblem("validation.date_range", year=year)


def _example(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d} 08:30"


def _utc_when(moment: datetime) -> When:
    """An aware datetime -> :class:`When` (seconds dropped)."""
    delta = moment - EPOCH
    return _when(delta.days * 1440 + delta.seconds // 60)


def _when(minutes: int, warning: ValueProblem | None = None) -> When:
    day, minute = divmod(minutes, 1440)
    return When(minutes, _day_text(day) + _HOURS_MINUTES[minute], warning)


@functools.lru_cache(maxsize=4096)
def _day_text(day: int) -> str:
    """``"dd/mm/yyyy "`` of a day counted from 1970-01-01."""
    moment = date.fromordinal(day + _EPOCH_DAY)
    return f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d} "


def _local_when(year: int, month: int, day: int, hour: int, minute: int, zone: tzinfo) -> When:
    """A local time in ``zone`` -> UTC; raises ValueError when there is no such day or time."""
    _check_year(year)
    start = _day_start(zone, year, month, day)
    if start is None:  # the clocks change that day
        return _changing_day(datetime(year, month, day, hour, minute), zone)
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"{hour}:{minute}")
    return _when((start + hour * 3600 + minute * 60) // 60)


@functools.lru_cache(maxsize=4096)
def _day_start(zone: tzinfo, year: int, month: int, day: int) -> int | None:
    """Seconds from the epoch to a local day's midnight, or None when the clocks change that day."""
    start = datetime(year, month, day)
    end = start + timedelta(hours=23, minutes=59, seconds=59)
    offsets = {zone.utcoffset(m) for m in (start, start.replace(fold=1), end, end.replace(fold=1))}
    offset = offsets.pop() if len(offsets) == 1 else None
    if offset is None:
        return None
    return (start.toordinal() - _EPOCH_DAY) * 86400 - int(offset.total_seconds())


def _changing_day(naive: datetime, zone: tzinfo) -> When:
    """A local time on a day of clock change: a gap time is an error, a fold time a warning."""
    first = zone.utcoffset(naive)
    second = zone.utcoffset(naive.replace(fold=1))
    if first is None or second is None:  # not a real time zone
        raise ValueProblem("validation.date_format")
    moment = (naive - first).replace(tzinfo=UTC)
    if first == second:
        return _utc_when(moment)
    if first < second:  # clocks jump forward: this local time never happens
        raise ValueProblem(
            "validation.date_gap",
            zone=str(zone),
            suggestion=shown_date_time(naive + (second - first)),
        )
    other = (naive - second).replace(tzinfo=UTC)
    warning = ValueProblem(
        "validation.date_ambiguous",
        zone=str(zone),
        utc=shown_date_time(moment),
        other=shown_date_time(other),
        iso=naive.isoformat(timespec="minutes") + _offset_text(second),
    )
    return _when(_utc_when(moment).minutes, warning)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# -- impossible dates explained ---------------------------------------------------------------


def impossible_day(
    year: int, month: int, day: int, shown_time: str
) -> tuple[str, dict[str, Any]] | None:
    """None for a real date, else (message key, details) naming the nearest real dates.

    ``shown_time`` (" 08:30" or "") is added to the dates suggested.
    """
    if not 1 <= month <= 12:
        swapped = ""
        if 1 <= day <= 12 and 1 <= month <= calendar.monthrange(year, day)[1]:
            swapped = f"{month:02d}/{day:02d}/{year:04d}{shown_time}"
        key = "validation.month_impossible_swapped" if swapped else "validation.month_impossible"
        return key, {"month": month, "swapped": swapped}
    last = calendar.monthrange(year, month)[1]
    if 1 <= day <= last:
        return None
    first_of_month = date(year, month, 1)
    if day > last:
        before = date(year, month, last)
        after = first_of_month + timedelta(days=last) if year < MAX_YEAR or month < 12 else None
    else:  # day 0
        before = first_of_month - timedelta(days=1) if year > MIN_YEAR or month > 1 else None
        after = first_of_month
    before, after = before or after, after or before  # (1900 and 9998 have one side only)
    return "validation.day_impossible", {
        "day": day,
        "last": last,
        "before": _day_month_year(before) + shown_time,
        "after": _day_month_year(after) + shown_time,
    }


def _day_month_year(day: date | None) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}" if day else ""
