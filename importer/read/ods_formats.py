"""Which cells of an OpenDocument sheet have a data style that shows a time of day.

A cell names its style (``table:style-name``, else its column's default cell style); the
style names a data style (``style:data-style-name``, possibly through its parent style);
a date or time data style shows a time when it holds hours or seconds.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree.ElementTree import Element

Cell = tuple[int, int]

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_NUMBER = "urn:oasis:names:tc:opendocument:xmlns:datastyle:1.0"
_T = f"{{{_TABLE}}}"
_S = f"{{{_STYLE}}}"
_N = f"{{{_NUMBER}}}"
_CELLS = (f"{_T}table-cell", f"{_T}covered-table-cell")


class _Styles:
    """Cell styles -> data styles -> whether they show a time."""

    def __init__(self) -> None:
        self.data_style: dict[str, str] = {}
        self.parent: dict[str, str] = {}
        self.timed: set[str] = set()

    def read(self, element: Element) -> None:
        """Record a style:style or a number:*-style element (others are ignored)."""
        tag, get = element.tag, element.get
        name = get(f"{_S}name")
        if name is None:
            return
        if tag == f"{_S}style":
            if data_style := get(f"{_S}data-style-name"):
                self.data_style[name] = data_style
            if parent := get(f"{_S}parent-style-name"):
                self.parent[name] = parent
        elif tag in (f"{_N}date-style", f"{_N}time-style"):
            parts = {child.tag for child in element}
            if parts & {f"{_N}hours", f"{_N}seconds"}:
                self.timed.add(name)

    def shows_time(self, style: str | None) -> bool:
        for _ in range(10):  # a short chain of parents
            if style is None:
                return False
            if style in self.data_style:
                return self.data_style[style] in self.timed
            style = self.parent.get(style)
        return False


def ods_time_cells(path: Path, sheet: str | None, wanted: set[Cell]) -> set[Cell] | None:
    """The cells among ``wanted`` (1-based) of ``sheet`` whose data style shows a time."""
    from defusedxml.ElementTree import fromstring, iterparse

    styles = _Styles()
    with zipfile.ZipFile(path) as zf:
        if "styles.xml" in zf.namelist():
            for element in fromstring(zf.read("styles.xml")).iter():
                styles.read(element)
        by_row: dict[int, set[int]] = {}
        for row, col in wanted:
            by_row.setdefault(row, set()).add(col)
        found: set[Cell] = set()
        inside, row, col = False, 0, 0
        columns: list[tuple[int, str | None]] = []  # (last column, default cell style)
        rows_here: list[int] = []
        with zf.open("content.xml") as stream:
            for event, element in iterparse(stream, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    if tag == f"{_T}table":
                        inside, row, columns = element.get(f"{_T}name") == sheet, 0, []
                    elif inside and tag == f"{_T}table-row":
                        repeat = int(element.get(f"{_T}number-rows-repeated", "1"))
                        rows_here = _rows_in(by_row, row, repeat)
                        row, col = row + repeat, 0
                    continue
                if tag in _CELLS and inside:
                    repeat = int(element.get(f"{_T}number-columns-repeated", "1"))
                    style = element.get(f"{_T}style-name")
                    for r in rows_here:
                        for c in by_row[r]:
                            if col < c <= col + repeat and styles.shows_time(
                                style or _column_style(columns, c)
                            ):
                                found.add((r, c))
                    col += repeat
                elif tag == f"{_T}table-column" and inside:
                    repeat = int(element.get(f"{_T}number-columns-repeated", "1"))
                    last = columns[-1][0] if columns else 0
                    columns.append((last + repeat, element.get(f"{_T}default-cell-style-name")))
                elif tag == f"{_T}table" and inside:
                    return found
                elif not inside:
                    styles.read(element)
                if tag != f"{_T}table-column":
                    element.clear()
    return None  # no such sheet


def _rows_in(by_row: dict[int, set[int]], row: int, repeat: int) -> list[int]:
    """The wanted rows among ``row + 1 .. row + repeat`` (a row repeated a million times too)."""
    if repeat <= len(by_row):
        return [r for r in range(row + 1, row + repeat + 1) if r in by_row]
    return [r for r in by_row if row < r <= row + repeat]


def _column_style(columns: list[tuple[int, str | None]], col: int) -> str | None:
    for last, style in columns:
        if col <= last:
            return style
    return None
