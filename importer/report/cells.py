"""Typed cells for XlsxWriter: each value written as what it is, text never as a formula.

One :class:`CellFormats` per workbook creates each (kind, mark) format once; a mark is
"error", "warning" or an outcome, coloured as in :data:`OUTCOME_CELL_COLOURS`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from numbers import Integral, Real
from typing import Any

import xlsxwriter
from pandas import NaT
from xlsxwriter.worksheet import Worksheet

# (fill, font colour) of the outcome cells: the legend is in the Summary sheet.
OUTCOME_CELL_COLOURS: dict[str, tuple[str, str]] = {
    "created": ("#C6EFCE", "#006100"),
    "modified": ("#C6EFCE", "#006100"),
    "deleted": ("#C6EFCE", "#006100"),
    "unchanged": ("#E7E6E6", "#3A3838"),
    "valid": ("#DDEBF7", "#1F4E78"),
    "invalid": ("#FFC7CE", "#9C0006"),
    "failed": ("#FFC7CE", "#9C0006"),
    "not_sent": ("#FFEB9C", "#9C5700"),
    "found": ("#C6EFCE", "#006100"),
    "refused": ("#FFC7CE", "#9C0006"),
    "not_found": ("#FFEB9C", "#9C5700"),
}
ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_KIND_PROPS: dict[str, dict[str, Any]] = {
    "datetime": {"num_format": "dd/mm/yyyy hh:mm"},
    "date": {"num_format": "dd/mm/yyyy"},
    "time": {"num_format": "hh:mm"},
    "duration": {"num_format": "[h]:mm:ss"},
    "text": {"quote_prefix": True},  # stays text when edited in Excel
    "header": {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True},
    "added_header": {"bold": True, "bg_color": "#BDD7EE", "border": 1, "text_wrap": True},
    "title": {"bold": True, "font_size": 14},
    "bold": {"bold": True},
}
_MARK_PROPS: dict[str, dict[str, Any]] = {
    "error": {"bg_color": ERROR_FILL},
    "warning": {"bg_color": WARNING_FILL},
    **{o: {"bg_color": bg, "font_color": fg} for o, (bg, fg) in OUTCOME_CELL_COLOURS.items()},
}


class CellFormats:
    """The workbook's cell formats, created once per (kind, mark) combination."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.cache: dict[tuple[str | None, str | None], Any] = {}

    def get(self, kind: str | None, mark: str | None = None) -> Any:
        """Return the format of a ``kind`` of value with a ``mark``; None when plain."""
        key = (kind, mark)
        if key not in self.cache:
            props = {**_KIND_PROPS.get(kind or "", {}), **_MARK_PROPS.get(mark or "", {})}
            self.cache[key] = self.workbook.add_format(props) if props else None
        return self.cache[key]


def put_value(
    ws: Worksheet, row: int, col: int, value: Any, formats: CellFormats, mark: str | None = None
) -> int:
    """Write one raw value with its type (text stays text, never a formula); returns width."""
    cls = type(value)
    if cls is str:
        if not value:
            if mark:
                ws.write_blank(row, col, None, formats.get(None, mark))
            return 0
        if value[0] in FORMULA_START:
            ws.write_string(row, col, value, formats.get("text", mark))
        else:
            ws.write_string(row, col, value, formats.get(None, mark) if mark else None)
        return len(value)
    if value is None:
        if mark:
            ws.write_blank(row, col, None, formats.get(None, mark))
        return 0
    if cls is int and -(2**53) < value < 2**53:
        ws.write_number(row, col, value, formats.get(None, mark) if mark else None)
        return len(str(value))
    if cls is datetime and value.year >= 1900:
        ws.write_datetime(row, col, value, formats.get("datetime", mark))
        return 16
    if cls is float or (isinstance(value, Real) and not isinstance(value, Integral)):
        if math.isfinite(value):
            ws.write_number(row, col, float(value), formats.get(None, mark) if mark else None)
            return min(len(str(value)), 12)
        if math.isnan(value):
            ws.write_blank(row, col, None, formats.get(None, mark))
            return 0
        return put_value(ws, row, col, str(value), formats, mark)
    return _put_other(ws, row, col, value, formats, mark)


def _put_other(
    ws: Worksheet, row: int, col: int, value: Any, formats: CellFormats, mark: str | None
) -> int:
    """The rarer types: booleans, dates and times, pandas' NaT, numpy scalars, the rest."""
    if value is NaT:
        ws.write_blank(row, col, None, formats.get(None, mark))
        return 0
    if isinstance(value, bool) or type(value).__name__ in ("bool", "bool_"):  # numpy too
        ws.write_boolean(row, col, bool(value), formats.get(None, mark))
        return 5
    if isinstance(value, Integral) and abs(int(value)) < 2**53:
        ws.write_number(row, col, int(value), formats.get(None, mark))
        return len(str(value))
    kind = _date_kind(value)
    if kind:
        ws.write_datetime(row, col, value, formats.get(kind, mark))
        return 16 if kind == "datetime" else 10
    return put_value(ws, row, col, str(value), formats, mark)


def _date_kind(value: Any) -> str | None:
    if isinstance(value, datetime):
        return "datetime" if value.year >= 1900 else None
    if isinstance(value, date):
        return "date" if value.year >= 1900 else None
    if isinstance(value, time):
        return "time"
    if isinstance(value, timedelta):
        return "duration"
    return None


class RowWriter:
    """:func:`put_value` for many unmarked cells, the common types inline (the hot loop).

    Writes exactly what :func:`put_value` writes, with the same formats created on first
    use (so in the same order); anything but text, whole numbers, finite floats and
    datetimes goes through :func:`put_value` itself.
    """

    def __init__(self, ws: Worksheet, formats: CellFormats) -> None:
        self.ws, self.formats = ws, formats
        self.write_string, self.write_number = ws.write_string, ws.write_number

    def put_row(self, row: int, values: Any) -> None:
        """Write ``values`` in columns 0, 1, ... of ``row``."""
        write_string, write_number, formats = self.write_string, self.write_number, self.formats
        col = -1
        for value in values:
            col += 1
            cls = value.__class__
            if cls is str:
                if value:
                    if value[0] in FORMULA_START:
                        write_string(row, col, value, formats.get("text"))
                    else:
                        write_string(row, col, value, None)
            elif value is None:
                continue
            elif (cls is float and value - value == 0.0) or (  # a finite float
                cls is int and -(2**53) < value < 2**53
            ):
                write_number(row, col, value, None)
            elif cls is datetime and value.year >= 1900:
                self.ws.write_datetime(row, col, value, formats.get("datetime"))
            else:
                put_value(self.ws, row, col, value, formats)

    def put_cells(
        self, row: int, cols: Sequence[int], values: Sequence[Any], widths: list[int]
    ) -> None:
        """Write each non-empty value in its column; widen ``widths`` to fit it."""
        write_string = self.write_string
        for col, value in zip(cols, values, strict=True):
            cls = value.__class__
            if cls is str:
                if not value:
                    continue
                if value[0] in FORMULA_START:
                    write_string(row, col, value, self.formats.get("text"))
                else:
                    write_string(row, col, value, None)
                width = len(value)
            elif value is None:
                continue
            else:
                width = put_value(self.ws, row, col, value, self.formats)
            if width > widths[col]:
                widths[col] = width
