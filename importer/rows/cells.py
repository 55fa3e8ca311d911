"""Cell values -> the exact Ocean API parameters (UTC dates, booleans, coordinates...).

Each ``parse_*`` function takes one raw cell value (str, int, float, bool, datetime, date,
time or None) and returns its normalised value, ``None`` for an empty cell, or raises
:class:`ValueProblem` naming a ``validation.*`` message. :func:`build_params` turns one
row of normalised values into the parameters the API receives.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from typing import Any, NamedTuple

from importer.model import Action, UnsureMidnight
from importer.rows.columns import API_FIELDS
from importer.rows.day_check import MAX_YEAR, MIN_YEAR, impossible_day

EXCEL_EPOCH = datetime(1899, 12, 30)  # day 0 of Excel serial dates (1900 date system)
_MAX_SERIAL = (datetime(MAX_YEAR + 1, 1, 1) - EXCEL_EPOCH).days
_INT64_MAX = 2**63 - 1
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_DAY = EPOCH.toordinal()
DATE_FIELDS = ("jourHeureInter", "jourHeurePeremp")
DELETE_FIELDS = ("idMission", "customerId")  # all that supprimerMission receives
_HOURS_MINUTES = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1440))


class ValueProblem(Exception):
    """A cell value that cannot be used: ``code`` is a message key, ``details`` its values."""

    def __init__(self, code: str, **details: Any) -> None:
        super().__init__(code)
        self.code = code
        self.details = details

    def __repr__(self) -> str:
        return f"ValueProblem({self.code!r}, {self.details!r})"


class When(NamedTuple):
    """A date-time as the API wants it, with a warning when the local time was ambiguous."""

    minutes: int  # whole minutes since 1970-01-01 00:00 UTC (seconds dropped)
    text: str  # "dd/MM/yyyy HH:mm" in UTC, exactly as sent
    warning: ValueProblem | None = None

    @property
    def utc(self) -> datetime:
        """The moment as an aware UTC datetime."""
        return EPOCH + timedelta(minutes=self.minutes)


def is_empty(value: object) -> bool:
    """True for an empty cell: None, blank text, NaN (or pandas' NaT/NA)."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return type(value).__name__ in ("NaTType", "NAType")


def format_date_time(moment: datetime) -> str:
    """``dd/MM/yyyy HH:mm``: the API's only date format (also how messages show times)."""
    day = f"{moment.day:02d}/{moment.month:02d}/{moment.year:04d}"
    return f"{day} {moment.hour:02d}:{moment.minute:02d}"


SHOWN_VALUE_MAX = 60  # a longer value is cut in messages (a 32,767-character cell stays readable)


def show_value(value: object) -> str:
    """A raw cell value as a person would recognise it in a message (long text cut)."""
    if is_empty(value):
        return ""
    if isinstance(value, str):
        text = value.strip()
        return text if len(text) <= SHOWN_VALUE_MAX else text[: SHOWN_VALUE_MAX - 1] + "…"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        shown = format_date_time(value)
        return f"{shown}:{value.second:02d}" if value.second else shown
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    if isinstance(value, time):
        return f"{value.hour:02d}:{value.minute:02d}"
    return str(value)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() else repr(value)


# -- dates ---------------------------------------------------------------------------------

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
            suggestion=format_date_time(naive + (second - first)),
        )
    other = (naive - second).replace(tzinfo=UTC)
    warning = ValueProblem(
        "validation.date_ambiguous",
        zone=str(zone),
        utc=format_date_time(moment),
        other=format_date_time(other),
        iso=naive.isoformat(timespec="minutes") + _offset_text(second),
    )
    return _when(_utc_when(moment).minutes, warning)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


# -- other values --------------------------------------------------------------------------

_TRUE = frozenset({"true", "vrai", "oui", "yes", "y", "o", "1", "x", "1.0"})
_FALSE = frozenset({"false", "faux", "non", "no", "n", "0", "0.0"})


def parse_boolean(value: object) -> str | None:
    """A yes/no cell -> ``"true"``/``"false"``; None when empty (the default applies)."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        if value in (0, 1):
            return "true" if value == 1 else "false"
        raise ValueProblem("validation.boolean")
    if isinstance(value, str):
        word = value.strip().casefold()
        if word in _TRUE:
            return "true"
        if word in _FALSE:
            return "false"
    raise ValueProblem("validation.boolean")


def parse_coordinate(value: object) -> str | None:
    """A coordinate (number, or text with a decimal comma or dot) -> text with a dot."""
    if type(value) is float and math.isfinite(value):  # the usual number cell, made quick
        return format_decimal(value)
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem("validation.coordinate")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip().replace("\u2212", "-").replace(" ", "")
        if text.count(",") == 1 and "." not in text:
            text = text.replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise ValueProblem("validation.coordinate") from None
    else:
        raise ValueProblem("validation.coordinate")
    if not math.isfinite(number):
        raise ValueProblem("validation.coordinate")
    return format_decimal(number)


def format_decimal(number: float) -> str:
    """A decimal with a dot, at most 7 decimals, no trailing zeros: 2.3522, 48, -0.5."""
    text = f"{number:.7f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


_NUMERIC_TEXT = re.compile(r"(\d+)\.0*")


def parse_postcode(value: object) -> str | None:
    """A postal code -> text; a 4-digit number regains its leading zero (1000 -> "01000")."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        text = value.strip()
        if match := _NUMERIC_TEXT.fullmatch(text):  # "1000.0" from a spreadsheet export
            return _pad_postcode(match.group(1))
        return text
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueProblem("validation.postcode")
    if (isinstance(value, float) and not value.is_integer()) or value < 0:
        raise ValueProblem("validation.postcode")
    return _pad_postcode(str(int(value)))


def _pad_postcode(digits: str) -> str:
    return digits.zfill(5) if len(digits) == 4 else digits


def parse_customer_id(value: object) -> str | None:
    """A customer ID -> the text of a whole number ("100")."""
    if is_empty(value):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if match := _NUMERIC_TEXT.fullmatch(text):
            text = match.group(1)
        if text.isascii() and text.isdigit():
            number = int(text)
    if number is None or not 0 <= number <= _INT64_MAX:
        raise ValueProblem("validation.customer_id")
    return str(number)


def parse_text(value: object) -> str | None:
    """Any cell -> trimmed text (a whole number 1234.0 -> "1234"); None when empty."""
    if value is None:
        return None
    if type(value) is str:
        return value.strip() or None
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, date | time):
        return show_value(value)
    return str(value).strip() or None


def _fold(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).casefold()
    return re.sub(r"[\s_\-']+", " ", folded).strip()


_ACTION_WORDS: dict[Action, str] = {
    Action.CREATE: "create, creation, creer, ajout, ajouter, add, new, nouveau, nouvelle",
    Action.MODIFY: "modify, modification, modifier, update, maj, mise a jour, change",
    Action.DELETE: "delete, suppression, supprimer, supprime, remove, del",
    Action.UPSERT: "upsert, create or update, ajout ou modification",
}
ACTIONS: dict[str, Action] = {
    _fold(word): action for action, words in _ACTION_WORDS.items() for word in words.split(", ")
}


def parse_action(value: object) -> Action | None:
    """The action column -> :class:`Action` (English or French, any case or accents)."""
    if is_empty(value):
        return None
    action = ACTIONS.get(_fold(value)) if isinstance(value, str) else None
    if action is None:
        raise ValueProblem("validation.action")
    return action


def parser_for(field_name: str, zone: tzinfo) -> Callable[[object], Any]:
    """The parser of one field (dates read their local times in ``zone``)."""
    if field_name in DATE_FIELDS:
        return lambda value: parse_datetime(value, zone)
    return _PARSERS.get(field_name, parse_text)


_PARSERS: dict[str, Callable[[object], Any]] = {
    "customerId": parse_customer_id,
    "aEnvoyer": parse_boolean,
    "latitude": parse_coordinate,
    "longitude": parse_coordinate,
    "codPost": parse_postcode,
    "action": parse_action,
}


def build_params(
    values: Mapping[str, Any], *, default_a_envoyer: bool = True, action: Action | None = None
) -> dict[str, str]:
    """One row's normalised values -> exactly the parameters the API receives.

    ``values`` maps API fields to what the parsers returned (text, :class:`When` or None).
    Returns only the non-empty ones, with ``aEnvoyer`` always present; for a delete, only
    ``idMission`` and ``customerId``.
    """
    columns = {name: [value or None] for name, value in values.items()}
    params = build_params_columns(columns, [action], default_a_envoyer=default_a_envoyer)[0]
    assert params is not None
    return params


def build_params_columns(
    columns: Mapping[str, Sequence[Any]],
    actions: Sequence[Action | None],
    *,
    default_a_envoyer: bool = True,
    keep: Sequence[bool] | None = None,
) -> list[dict[str, str] | None]:
    """:func:`build_params` for a whole table given column by column (fast).

    ``columns`` maps API fields to the parsed values of every row (None where empty);
    returns each row's parameters, or None for a row whose ``keep`` is False.
    """
    size = len(actions)
    default = "true" if default_a_envoyer else "false"
    full: dict[str, Sequence[str]] = {}  # the columns filled on every row
    sparse: dict[str, Sequence[str | None]] = {}
    for name in API_FIELDS:
        column = columns.get(name)
        if name == "aEnvoyer":
            column = [value or default for value in column] if column else [default] * size
        elif column is None:
            continue
        elif name in DATE_FIELDS:
            column = [when.text if when is not None else None for when in column]
        if None not in column:
            full[name] = column
        elif column.count(None) < size:
            sparse[name] = column
    names = list(full)
    rows: list[dict[str, str]] = [
        dict(zip(names, row, strict=True)) for row in zip(*full.values(), strict=True)
    ]
    for name, column in sparse.items():
        for row, value in zip(rows, column, strict=True):
            if value is not None:
                row[name] = value
    params: list[dict[str, str] | None] = list(rows)
    if Action.DELETE in actions:
        for pos, action in enumerate(actions):
            if action is Action.DELETE:
                params[pos] = {k: v for k, v in rows[pos].items() if k in DELETE_FIELDS}
    if keep is not None and not all(keep):
        for pos, kept in enumerate(keep):
            if not kept:
                params[pos] = None
    return params
