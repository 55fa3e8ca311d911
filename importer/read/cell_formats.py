"""Which cells' number formats show a time of day (for date-time cells at exactly 00:00).

python-calamine gives a bare ``date`` for any date-time cell whose time is 00:00, whatever
its format. Only the cell's number format tells midnight typed as "02/03/2027 00:00" from a
date typed alone: :func:`time_cells` reads the formats of the cells asked for, and only
those (an .xlsx sheet is scanned for their ``s`` attributes; an .ods content is parsed; an
.xls stream is walked record by record). It returns None when it cannot tell.
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from importer.model import UnsureMidnight

Cell = tuple[int, int]  # (row, column), both 1-based as in the spreadsheet

# Excel's built-in number formats (ECMA-376 18.8.30) that show a time of day
BUILTIN_TIME_FORMATS = frozenset({18, 19, 20, 21, 22, 45, 46, 47})
_IGNORED = re.compile(r'"[^"]*"|\\.|_.|\*.|\[(?![hms]+\])[^\]]*\]', re.IGNORECASE)


def shows_time(code: str) -> bool:
    """True when an Excel number format code shows hours or seconds ("dd/mm/yyyy hh:mm")."""
    bare = _IGNORED.sub("", code)
    return any(c in bare for c in "hHsS")


def read_midnights(
    cells: Any, dated: list[int], numbers: list[int], place: tuple[int, str | None], path: Path
) -> None:
    """In the table ``cells``, bare dates whose number format shows a time become midnight.

    ``dated`` are the columns holding bare dates, ``numbers`` the rows' spreadsheet numbers,
    ``place`` the sheet's first column (0-based) and its name. When the format cannot be
    read, the cell is taken as midnight, marked (:class:`UnsureMidnight`) for a warning.
    """
    offset, sheet = place
    where: dict[Cell, tuple[int, int]] = {}
    for j in dated:
        column = offset + j + 1
        for i, value in enumerate(cells[:, j].tolist()):
            if value.__class__ is date:
                where[(numbers[i], column)] = (i, j)
    timed = time_cells(path, path.suffix.lower(), sheet, where)
    kind = UnsureMidnight if timed is None else datetime
    made: dict[date, datetime] = {}  # one object per day (a column of ERP dates repeats them)
    for cell, (i, j) in where.items():
        if timed is None or cell in timed:
            day = cells[i, j]
            moment = made.get(day)
            if moment is None:
                moment = made[day] = kind(day.year, day.month, day.day)
            cells[i, j] = moment


def time_cells(path: Path, ext: str, sheet: str | None, cells: Iterable[Cell]) -> set[Cell] | None:
    """The cells among ``cells`` whose format shows a time; None when the formats are unknown."""
    wanted = set(cells)
    if not wanted:
        return set()
    try:
        if ext in (".xlsx", ".xlsm"):
            return _xlsx_time_cells(path, sheet, wanted)
        if ext == ".ods":
            from importer.read.ods_formats import ods_time_cells

            return ods_time_cells(path, sheet, wanted)
        if ext == ".xls":
            return _xls_time_cells(path, sheet, wanted)
    except Exception:  # a damaged or unusual file: the formats are unknown, not an error
        return None
    return None


# -- xlsx ------------------------------------------------------------------------------------


def _column_letters(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _xlsx_time_cells(path: Path, sheet: str | None, wanted: set[Cell]) -> set[Cell] | None:
    from importer.read.guard import _sheet_parts

    with zipfile.ZipFile(path) as zf:
        part = _sheet_parts(zf).get(sheet or "")
        if part is None:
            return None
        timed = _xlsx_time_styles(zf)
        xml = zf.read(part)
    letters = {_column_letters(col).encode(): col for col in {c for _, c in wanted}}
    alternatives = b"|".join(sorted(letters, key=len, reverse=True))
    found: set[Cell] = set()
    seen = 0
    styles: dict[bytes, bool] = {}  # a cell's other attributes -> its style shows a time
    for prefix in (rb'<c r="', rb'<\w+:c r="'):  # (a literal start is searched fast)
        pattern = re.compile(prefix + b"(" + alternatives + rb')(\d+)"([^>]*)>')
        for letters_found, row, attributes in pattern.findall(xml):
            cell = (int(row), letters[letters_found])
            if cell not in wanted:
                continue
            seen += 1
            shows = styles.get(attributes)
            if shows is None:
                style = re.search(rb'\ss="(\d+)"', attributes)
                shows = styles[attributes] = bool(style) and int(style.group(1)) in timed
            if shows:
                found.add(cell)
        if seen:
            return found
    return None  # no "r" attribute written first: cannot tell


def _xlsx_time_styles(zf: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell styles (cellXfs) whose number format shows a time."""
    from defusedxml.ElementTree import fromstring

    root = fromstring(zf.read("xl/styles.xml"))
    custom = {
        int(el.get("numFmtId", "-1")): el.get("formatCode", "")
        for el in root.iter()
        if el.tag.rsplit("}", 1)[-1] == "numFmt"
    }
    xfs = next((el for el in root if el.tag.rsplit("}", 1)[-1] == "cellXfs"), None)
    timed = set()
    for index, xf in enumerate(xfs if xfs is not None else []):
        number = int(xf.get("numFmtId", "0"))
        code = custom.get(number)
        if (code is not None and shows_time(code)) or (
            code is None and number in BUILTIN_TIME_FORMATS
        ):
            timed.add(index)
    return timed


# -- xls (BIFF8) -------------------------------------------------------------------------------

_FORMAT, _XF, _SHEET, _BOF, _EOF = 0x041E, 0x00E0, 0x0085, 0x0809, 0x000A
_NUMBER, _RK, _MULRK, _FORMULA = 0x0203, 0x027E, 0x00BD, 0x0006


def _records(stream: bytes, start: int = 0) -> Iterable[tuple[int, int, int]]:
    """(record type, offset of its body, its length) from ``start``."""
    at = start
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        yield kind, at + 4, length
        at += 4 + length


def _xls_string(stream: bytes, at: int) -> str:
    count, flags = struct.unpack_from("<HB", stream, at)
    wide = flags & 1
    raw = stream[at + 3 : at + 3 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _xls_time_cells(path: Path, sheet: str | None, wanted: set[Cell]) -> set[Cell] | None:
    from importer.read.guard import _ole_stream, _xls_sheet_name

    stream = _ole_stream(path.read_bytes(), ("workbook", "book"))
    formats: dict[int, str] = {}
    xf_formats: list[int] = []
    offsets: dict[str, int] = {}
    for kind, body, _length in _records(stream):
        if kind == _FORMAT:
            formats[struct.unpack_from("<H", stream, body)[0]] = _xls_string(stream, body + 2)
        elif kind == _XF:
            xf_formats.append(struct.unpack_from("<H", stream, body + 2)[0])
        elif kind == _SHEET:
            offsets[_xls_sheet_name(stream, body)] = struct.unpack_from("<I", stream, body)[0]
        elif kind == _EOF:
            break
    if sheet not in offsets:
        return None
    timed = {
        i
        for i, number in enumerate(xf_formats)
        if (number in formats and shows_time(formats[number]))
        or (number not in formats and number in BUILTIN_TIME_FORMATS)
    }
    found: set[Cell] = set()
    for kind, body, length in _records(stream, offsets[sheet]):
        if kind in (_NUMBER, _RK, _FORMULA):
            row, col, xf = struct.unpack_from("<HHH", stream, body)
            if (row + 1, col + 1) in wanted and xf in timed:
                found.add((row + 1, col + 1))
        elif kind == _MULRK:
            row, first = struct.unpack_from("<HH", stream, body)
            for k in range((length - 6) // 6):
                xf = struct.unpack_from("<H", stream, body + 4 + 6 * k)[0]
                if (row + 1, first + k + 1) in wanted and xf in timed:
                    found.add((row + 1, first + k + 1))
        elif kind == _EOF:
            break
    return found
