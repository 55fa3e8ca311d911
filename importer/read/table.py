"""Read a planning spreadsheet (CSV, XLSX/XLSM, XLS, ODS) into a :class:`SourceTable`.

Values stay raw (text, numbers, dates, booleans; an empty cell is None) and every row keeps
the number the user sees: the Excel row, or the CSV line where the record starts. Every
way a file can be unreadable ends in one :class:`InputError` sentence naming the file.

CSV files are parsed by :mod:`importer.read.csv_text`. Workbooks go through
:mod:`importer.read.guard` (zip bombs, XML entities, sheets spanning a huge area, an
encrypted or oversized .xls) before python-calamine reads them; .xls and .ods are read in a
child process, so a calamine abort on a damaged file only kills the child.
"""

from __future__ import annotations

import contextlib
import sys
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from importer.errors import InputError
from importer.messages import t
from importer.model import SourceTable
from importer.read.calamine_child import read_in_child
from importer.read.cell_formats import read_midnights
from importer.read.csv_text import read_csv
from importer.read.guard import (
    MAX_UNCOMPRESSED_BYTES,
    OLE_MAGIC,
    ZIP_MAGIC,
    ZipGuard,
    check_xls,
    column_letters,
    guard_os,
    kind_name,
    ole_encrypted,
)
from importer.result_columns import RESULT_COLUMNS
from importer.rows.columns import count_known

CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
SUPPORTED_EXTENSIONS = (*CSV_EXTENSIONS, *XLSX_EXTENSIONS, ".xls", ".ods")
HEADER_SEARCH_ROWS = 10  # the header row is looked for among the first 10 non-empty rows

T = TypeVar("T")


@dataclass
class _Grid:
    """Non-empty rows as read, with their row numbers."""

    rows: list[list[Any]]
    numbers: list[int]
    col_offset: int = 0  # 0-based column of the first cell (for "column N" names)
    sheet: str | None = None
    warnings: list[str] = field(default_factory=list)
    numeric: bool = False  # workbook values: whole floats become ints


def read_table(
    path: Path | str,
    *,
    sheet: str | None = None,
    max_rows: int = 1_000_000,
    user_mapping: Mapping[str, str] | None = None,
) -> SourceTable:
    """Read a CSV or workbook; return its table (raw values, user's row numbers as index).

    Raises InputError with one plain sentence naming the file when it cannot be read.
    """
    path = Path(path)
    name = path.name or str(path)
    ext = _check_path(path)
    if ext in CSV_EXTENSIONS:
        rows, numbers = read_csv(
            path, name, max_rows=max_rows, header_rows=HEADER_SEARCH_ROWS, user_mapping=user_mapping
        )
        grid = _Grid(rows, numbers)
    else:
        grid = _read_workbook(path, name, ext, sheet, max_rows, user_mapping)
    return _build_table(path, name, grid, max_rows, user_mapping)


# --- building the table ------------------------------------------------------------------


def _build_table(
    path: Path, name: str, grid: _Grid, max_rows: int, user_mapping: Mapping[str, str] | None
) -> SourceTable:
    if not grid.rows:
        raise InputError(t("sources.empty_file", file=name))
    index = _header_index(grid.rows, user_mapping)
    index = 0 if index is None else index
    data, numbers = grid.rows[index + 1 :], grid.numbers[index + 1 :]
    if not data:
        raise InputError(t("sources.no_data_rows", file=name, row=grid.numbers[index]))
    if len(data) > max_rows:
        raise InputError(t("sources.too_many_rows", file=name, limit=max_rows))
    width = max(len(grid.rows[index]), max(map(len, data)))
    texts = [_header_text(v) for v in grid.rows[index]]
    texts += [""] * (width - len(texts))
    data = [row if len(row) == width else [*row, *[""] * (width - len(row))] for row in data]
    cells = np.array(data, dtype=object).reshape(len(data), width)
    del data
    cells[cells == ""] = None
    if grid.numeric:
        dated = _whole_floats_to_int(cells)
        if dated:
            read_midnights(cells, dated, numbers, (grid.col_offset, grid.sheet), path)
    low, high = 0, width  # drop unnamed empty columns at both edges (a title in A1...)
    while high - low > 1 and not texts[high - 1] and not _column_has_data(cells, high - 1):
        high -= 1
    while high - low > 1 and not texts[low] and not _column_has_data(cells, low):
        low += 1
    warnings = list(grid.warnings)
    cut = _results_columns_start(texts[low:high])
    if cut is not None:
        warnings.append(
            t(
                "sources.results_columns_dropped",
                file=name,
                count=high - low - cut,
                first=texts[low + cut],
            )
        )
        high = low + cut
    headers = _unique_headers(texts[low:high], grid.col_offset + low)
    frame = pd.DataFrame(
        cells[:, low:high],
        columns=headers,
        dtype=object,
        copy=False,
        index=pd.Index(numbers, dtype="int64"),
    )
    return SourceTable(
        path=path,
        headers=headers,
        data=frame,
        sheet=grid.sheet,
        header_row=grid.numbers[index],
        warnings=warnings,
    )


def _header_index(rows: list[list[Any]], user_mapping: Mapping[str, str] | None) -> int | None:
    """Where the header row is (two known column names) among the first rows, or None."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if count_known([_header_text(v) for v in row[:1000]], user_mapping) >= 2:
            return i
    return None


def _holds_table(grid: _Grid, user_mapping: Mapping[str, str] | None) -> bool:
    """A header row with known column names, and at least one row below it."""
    index = _header_index(grid.rows, user_mapping)
    return index is not None and index + 1 < len(grid.rows)


def _header_text(value: Any) -> str:
    if value is None:
        return ""
    if value.__class__ is float and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _has_value(value: Any) -> bool:
    if value.__class__ is str:
        return bool(value) and not value.isspace()
    return value is not None


def _column_has_data(cells: np.ndarray, j: int) -> bool:
    return any(map(_has_value, cells[:, j]))


def _has_data(row: list[Any]) -> bool:
    for value in row:  # (the first cell decides for most rows: keep this loop plain)
        if value.__class__ is str:
            if value and not value.isspace():
                return True
        elif value is not None:
            return True
    return False


def _whole_floats_to_int(cells: np.ndarray) -> list[int]:
    """Numbers come as floats from calamine: 1000.0 becomes 1000 (a postal code stays whole).

    Returns the columns that hold bare dates (date-time cells at 00:00, see
    :func:`importer.read.cell_formats.read_midnights`).
    """
    dated = []
    for j in range(cells.shape[1]):
        column = cells[:, j]
        kinds = set(map(type, column))
        if date in kinds:
            dated.append(j)
        if float not in kinds:
            continue
        if kinds <= {float, type(None)}:  # a number column: convert it in one go
            numbers = np.array(column, dtype=float)  # None becomes NaN, never whole
            whole = np.isfinite(numbers) & (numbers == np.trunc(numbers))
            small = whole & (np.abs(numbers) < 2.0**62)
            column[small] = numbers[small].astype(np.int64).tolist()
            column[whole & ~small] = [int(v) for v in numbers[whole & ~small]]
        else:
            column[:] = np.array(
                [int(v) if v.__class__ is float and v.is_integer() else v for v in column],
                dtype=object,
            )
    return dated


def _unique_headers(texts: list[str], offset: int) -> list[str]:
    seen: set[str] = set()
    next_number: dict[str, int] = {}  # per base text: no rescan from 2 (10,000 equal headers)
    headers = []
    for j, text in enumerate(texts):
        base = text or f"column {offset + j + 1}"
        header, n = base, next_number.get(base, 2)
        while header in seen:
            header, n = f"{base} ({n})", n + 1
        next_number[base] = n
        seen.add(header)
        headers.append(header)
    return headers


def _results_columns_start(texts: list[str]) -> int | None:
    """Where our results workbook's added columns begin, or None for an ordinary input.

    A results workbook is recognised by the headers of the columns every results workbook
    has (in English or French); the newer ones, and ``status``'s, are cut with them.
    """
    accepted = []
    for column in RESULT_COLUMNS:
        if column.newer:
            break
        with contextlib.suppress(KeyError):  # the results catalogue may not exist yet
            accepted.append({column.header(lang).casefold() for lang in ("en", "fr")})
    folded = [text.casefold() for text in texts]
    for i in range(1, len(texts) - len(accepted) + 1):
        if all(folded[i + k] in names for k, names in enumerate(accepted)):
            return i
    return None


# --- files and their kinds ---------------------------------------------------------------


def _check_path(path: Path) -> str:
    if not guard_os(str(path), path.exists):
        raise InputError(t("sources.not_found", file=str(path)))
    if path.is_dir():
        raise InputError(t("sources.is_folder", file=str(path)))
    ext = path.suffix.lower()
    if ext not in SUPPORTED_EXTENSIONS:
        raise InputError(
            t(
                "sources.unknown_extension",
                file=path.name,
                ext=ext or path.name,
                supported=", ".join(SUPPORTED_EXTENSIONS),
            )
        )
    if guard_os(path.name, path.stat).st_size == 0:
        raise InputError(t("sources.empty_file", file=path.name))
    return ext


def _read_head(path: Path, size: int = 4096) -> bytes:
    def read() -> bytes:
        with path.open("rb") as stream:
            return stream.read(size)

    return guard_os(path.name, read)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    controls = sum(head.count(bytes([c])) for c in (*range(1, 9), *range(14, 32)))
    return controls * 20 < max(len(head), 1)


# --- workbooks ---------------------------------------------------------------------------


def _read_workbook(
    path: Path,
    name: str,
    ext: str,
    sheet: str | None,
    max_rows: int,
    user_mapping: Mapping[str, str] | None = None,
) -> _Grid:
    kind = kind_name(ext)
    head = _read_head(path)
    if head.startswith(OLE_MAGIC):
        if guard_os(name, lambda: ole_encrypted(path)):
            raise InputError(t("sources.encrypted", file=name))
        if ext != ".xls":
            raise InputError(
                t("sources.wrong_workbook_type", file=name, kind=kind_name(".xls"), ext=".xls")
            )
        check_xls(path, name)
        return _read_isolated(path, name, kind, sheet, max_rows, user_mapping)
    if not head.startswith(ZIP_MAGIC):
        if not _looks_like_text(head):
            raise InputError(t("sources.corrupt_workbook", file=name, kind=kind))
        key = "sources.web_page_as_xls" if ext == ".xls" else "sources.text_as_workbook"
        raise InputError(t(key, file=name, kind=kind))
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # BadZipFile, but also NotImplementedError, ValueError...
        raise InputError(t("sources.corrupt_workbook", file=name, kind=kind)) from exc
    with zf:
        # (the size limit is read here at call time: tests lower it on this module)
        guard = ZipGuard(zf, name, kind, ext, max_bytes=MAX_UNCOMPRESSED_BYTES)
        if ext == ".ods":
            return _read_isolated(path, name, kind, sheet, max_rows, user_mapping)
        return _read_in_process(path, name, kind, sheet, max_rows, guard, user_mapping)


def _read_in_process(
    path: Path,
    name: str,
    kind: str,
    wanted: str | None,
    max_rows: int,
    guard: ZipGuard | None,
    user_mapping: Mapping[str, str] | None = None,
) -> _Grid:
    book = _calamine(name, kind, lambda: CalamineWorkbook.from_path(str(path)))
    sheets = [
        _SheetInfo(m.name, m.typ == SheetTypeEnum.WorkSheet, m.visible == SheetVisibleEnum.Visible)
        for m in book.sheets_metadata
    ]
    return _choose_sheet(
        sheets,
        wanted,
        name,
        lambda n: _load_sheet(book, n, name, kind, guard, max_rows),
        lambda grid: _holds_table(grid, user_mapping),
    )


@dataclass(frozen=True)
class _SheetInfo:
    name: str
    worksheet: bool
    visible: bool


def _calamine(name: str, kind: str, call: Callable[[], T]) -> T:
    """Run a calamine call; any failure (even a Rust panic) becomes an InputError."""
    try:
        return call()
    except InputError:
        raise
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        _calamine_failed(name, kind, type(exc).__name__, str(exc))


def _calamine_failed(name: str, kind: str, error: str, text: str) -> NoReturn:
    text = text.lower()
    if error == "PasswordError" or "password" in text or "encrypt" in text:
        raise InputError(t("sources.encrypted", file=name))
    raise InputError(t("sources.corrupt_workbook", file=name, kind=kind))


def _choose_sheet(
    sheets: list[_SheetInfo],
    wanted: str | None,
    name: str,
    load: Callable[[str], _Grid],
    holds_table: Callable[[_Grid], bool] = lambda grid: True,
) -> _Grid:
    """The sheet asked for, else the first visible worksheet holding a table (a header row
    and rows below it), else the first holding any data. A sheet read after others that
    hold data (a "Read me" first sheet) is named in a warning."""
    if wanted is not None:
        chosen = _match_sheet(wanted, [s.name for s in sheets])
        if chosen is None:
            listed = ", ".join(f'"{s.name}"' for s in sheets) or "-"
            raise InputError(t("sources.sheet_not_found", file=name, sheet=wanted, sheets=listed))
        grid = load(chosen)
        if not grid.rows:
            raise InputError(t("sources.sheet_empty", file=name, sheet=chosen))
        return grid
    first: _Grid | None = None
    for info in sheets:
        if info.worksheet and info.visible:
            grid = load(info.name)
            if grid.rows and holds_table(grid):
                if first is not None:
                    said = t(
                        "sources.sheet_skipped", file=name, sheet=info.name, skipped=first.sheet
                    )
                    grid.warnings.insert(0, said)
                return grid
            if grid.rows and first is None:
                first = grid
    if first is not None:
        return first
    hidden = [f'"{s.name}"' for s in sheets if s.worksheet and not s.visible]
    if hidden:
        raise InputError(t("sources.only_hidden_data", file=name, sheets=", ".join(hidden)))
    raise InputError(t("sources.no_sheet_with_data", file=name))


def _match_sheet(wanted: str, names: list[str]) -> str | None:
    if wanted in names:
        return wanted
    folded = [n for n in names if n.strip().casefold() == wanted.strip().casefold()]
    return folded[0] if len(folded) == 1 else None


def _load_sheet(
    book: CalamineWorkbook,
    sheet: str,
    name: str,
    kind: str,
    guard: ZipGuard | None,
    max_rows: int,
) -> _Grid:
    errors = guard.check_sheet(sheet) if guard else {}  # before calamine touches the sheet
    data = _calamine(name, kind, lambda: book.get_sheet_by_name(sheet))
    if data.start is None:
        return _Grid([], [], sheet=sheet)
    limit = max_rows + HEADER_SEARCH_ROWS
    if data.height > limit + 1:  # read only what can tell "too many rows"...
        raw = _calamine(name, kind, lambda: data.to_python(nrows=limit + 1))
        if len(_keep_rows(raw, 0)[0]) > limit:
            raise InputError(t("sources.too_many_rows", file=name, limit=max_rows))
    raw = _calamine(name, kind, lambda: data.to_python())  # ...else read everything
    warnings = _restore_error_cells(raw, errors, *data.start, sheet) if errors else []
    return _sheet_grid(sheet, data.start, raw, name, max_rows, warnings)


def _sheet_grid(
    sheet: str,
    start: tuple[int, int],
    raw: list[list[Any]],
    name: str,
    max_rows: int,
    warnings: list[str] | None = None,
) -> _Grid:
    rows, numbers = _keep_rows(raw, start[0])
    if len(rows) > max_rows + HEADER_SEARCH_ROWS:
        raise InputError(t("sources.too_many_rows", file=name, limit=max_rows))
    return _Grid(rows, numbers, start[1], sheet, warnings or [], numeric=True)


def _read_isolated(
    path: Path,
    name: str,
    kind: str,
    wanted: str | None,
    max_rows: int,
    user_mapping: Mapping[str, str] | None = None,
) -> _Grid:
    outcome = read_in_child(sys.executable, path, wanted)
    if outcome is None:  # no usable interpreter (a frozen build): read here after all
        return _read_in_process(path, name, kind, wanted, max_rows, None, user_mapping)
    metas, loaded = _child_result(outcome, name, kind)

    def load(sheet: str) -> _Grid:
        if sheet not in loaded:  # past the first sheet with data: read that one alone
            alone = read_in_child(sys.executable, path, sheet)
            loaded.update(_child_result(alone, name, kind)[1])
        start, raw = loaded.get(sheet, (None, []))
        return _sheet_grid(sheet, start, raw, name, max_rows) if start else _Grid([], [])

    sheets = [_SheetInfo(*meta) for meta in metas]
    return _choose_sheet(sheets, wanted, name, load, lambda g: _holds_table(g, user_mapping))


def _child_result(outcome: tuple[Any, ...] | None, name: str, kind: str) -> tuple[Any, Any]:
    """The child's (sheets' metadata, what it read); InputError when it failed or died."""
    status, *result = outcome or ("died",)
    if status == "error":
        _calamine_failed(name, kind, *result)
    if status != "ok":  # the child was killed (calamine aborted) or said nothing usable
        raise InputError(t("sources.corrupt_workbook", file=name, kind=kind))
    return result[0], result[1]


def _keep_rows(raw: list[list[Any]], top: int) -> tuple[list[list[Any]], list[int]]:
    rows, numbers = [], []
    for i, row in enumerate(raw):
        if _has_data(row):
            rows.append(row)
            numbers.append(top + i + 1)
    return rows, numbers


def _restore_error_cells(
    raw: list[list[Any]], errors: dict[tuple[int, int], str], top: int, left: int, sheet: str
) -> list[str]:
    """calamine reads #REF!, #N/A... as empty: put their text back (the xlsx holds it)."""
    restored = []
    for (row, col), text in sorted(errors.items()):
        i, j = row - top - 1, col - left - 1
        if 0 <= i < len(raw) and 0 <= j < len(raw[i]) and raw[i][j] == "":
            raw[i][j] = text
            restored.append((row, col, text))
    if not restored:
        return []
    row, col, text = restored[0]
    return [
        t(
            "sources.error_cells",
            count=len(restored),
            sheet=sheet,
            value=text,
            cell=f"{column_letters(col)}{row}",
        )
    ]
