"""A value typed in the import page's grid -> the cell it stands for, of its column's kind.

The grid shows every cell as text (dates ``dd/mm/yyyy hh:mm``, decimals with the reader's
separator); what a person types back is read as the kind of cell it replaces, so the results
workbook keeps a date cell a date and a number a number. Text that does not read as that
kind stays text: the rules then explain it as they would any typed cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time

from importer.rows.cells import parse_boolean
from importer.rows.dates import MAX_YEAR, MIN_YEAR
from importer.rows.values import ValueProblem

_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T]+(\d{1,2})[:hH](\d{2})(?::(\d{2}))?)?")
_TIME = re.compile(r"(\d{1,2})[:hH](\d{2})(?::(\d{2}))?")
_WHOLE = re.compile(r"[+-]?(0|[1-9]\d*)")
_DECIMAL = re.compile(r"[+-]?(?:0|[1-9]\d*)[.,]\d+")


def column_kind(before: object, column: Iterable[object]) -> object:
    """What a new value of a cell should be like: the cell's value, else its column's.

    A cell that held text or nothing takes the kind of the column's first typed value (a
    date column with one unreadable text cell is still a date column); None: plain text.
    """
    if before is not None and not isinstance(before, str):
        return before
    return next((v for v in column if v is not None and not isinstance(v, str)), None)


def typed_value(text: str, like: object) -> object:
    """``text`` as a cell of the kind ``like`` is (date, date-time, time, number, yes/no).

    Empty text is an empty cell (None); text that does not read as that kind stays text.
    """
    if not text.strip():
        return None
    typed: object = None
    if isinstance(like, bool):
        typed = _boolean(text)
    elif isinstance(like, datetime | date):
        typed = _day(text.strip())
    elif isinstance(like, time):
        typed = _time(text.strip())
    elif isinstance(like, int | float):
        typed = _number(text.strip())
    return text if typed is None else typed


def _boolean(text: str) -> bool | None:
    try:
        word = parse_boolean(text)
    except ValueProblem:
        return None
    return None if word is None else word == "true"


def _day(text: str) -> date | datetime | None:
    """``dd/mm/yyyy`` -> a date, with ``hh:mm`` (or ``hh:mm:ss``) -> a date-time."""
    match = _DAY.fullmatch(text)
    if match is None:
        return None
    day, month, year, hour, minute, second = match.groups()
    if not MIN_YEAR <= int(year) <= MAX_YEAR:
        return None
    try:
        if hour is None:
            return date(int(year), int(month), int(day))
        return datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:  # 31/02, 25:00: the rules explain it from the text
        return None


def _time(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    if match is None:
        return None
    try:
        return time(int(match[1]), int(match[2]), int(match[3] or 0))
    except ValueError:
        return None


def _number(text: str) -> int | float | None:
    """A whole number (no leading zero: "007" is text) or a decimal with a dot or a comma."""
    if _WHOLE.fullmatch(text):
        return int(text)
    if _DECIMAL.fullmatch(text):
        return float(text.replace(",", "."))
    return None
