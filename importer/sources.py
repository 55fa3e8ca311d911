"""Read a planning spreadsheet (CSV, XLSX/XLSM, XLS, ODS) into a :class:`SourceTable`.

Values stay raw (text, numbers, dates, booleans; an empty cell is None) and every row keeps
the number the user sees: the Excel row, or the CSV line where the record starts. Every
way a file can be unreadable ends in one :class:`InputError` sentence naming the file.

Zip-based workbooks are checked before python-calamine reads them: declared sizes (zip
bomb), XML entity declarations, and the area a sheet's cells span, because calamine
allocates that whole area at once and an out-of-memory there aborts the process
(tafia/calamine#693): a 2 KB sheet with cells in A1 and XFD1048576 would kill the tool.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import pickle
import posixpath
import re
import struct
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import numpy as np
import pandas as pd
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from importer.columns import count_known
from importer.errors import InputError
from importer.messages import t
from importer.model import RESULT_COLUMNS, SourceTable

CSV_EXTENSIONS = (".csv", ".tsv", ".txt")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
SUPPORTED_EXTENSIONS = (*CSV_EXTENSIONS, *XLSX_EXTENSIONS, ".xls", ".ods")
DELIMITERS = (";", ",", "\t")
HEADER_SEARCH_ROWS = 10  # the header row is looked for among the first 10 non-empty rows
MAX_UNCOMPRESSED_BYTES = 1 << 30  # a workbook may not unpack to more than 1 GiB
MAX_COMPRESSION_RATIO = 200  # nor any big part be compressed more than 200:1
RATIO_CHECK_FROM_BYTES = 16 << 20  # (parts under 16 MiB unpacked are not ratio-checked)
MAX_ZIP_MEMBERS = 10_000
MAX_SHEET_CELLS = 40_000_000  # rows x columns spanned by a sheet's cells (about 1.3 GB)

_ZIP_MAGIC = b"PK"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NEWLINES = re.compile(r"\r\n|\r|\n")
_NEWLINES_B = re.compile(rb"\r\n|\r|\n")
_UTF8_ACCENTS = re.compile(rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xe2\x80[\x80-\xbf]")
_DTD = re.compile(rb"<!\s*(?:doctype|entity)", re.IGNORECASE)
_PREFIX = rb"(?:[^\s<>/!?:]+:)?"
_TAG = re.compile(rb"<" + _PREFIX + rb"(c|row)(?=[\s/>])([^>]*)>")
_R_ATTR = re.compile(rb"""(?:^|\s)r\s*=\s*["']([A-Za-z]*)(\d*)["']""")
_ERROR_CELL = re.compile(
    rb"<" + _PREFIX + rb"c\s([^>]*?\bt\s*=\s*[\"']e[\"'][^>/]*)>(.*?)</" + _PREFIX + rb"c>",
    re.DOTALL,
)
_VALUE = re.compile(rb"<" + _PREFIX + rb"v>([^<]*)<")
_KIND_KEYS = {".xls": "sources.kind_xls", ".ods": "sources.kind_ods"}
_RESULT_KEYS = {"jourHeureInter (UTC)": "utc_inter", "jourHeurePeremp (UTC)": "utc_peremp"}

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
        grid = _read_csv(path, name, max_rows, user_mapping)
    else:
        grid = _read_workbook(path, name, ext, sheet, max_rows)
    return _build_table(path, name, grid, max_rows, user_mapping)


# --- building the table ------------------------------------------------------------------


def _build_table(
    path: Path, name: str, grid: _Grid, max_rows: int, user_mapping: Mapping[str, str] | None
) -> SourceTable:
    if not grid.rows:
        raise InputError(t("sources.empty_file", file=name))
    top = grid.rows[:HEADER_SEARCH_ROWS]
    index = next(
        (
            i
            for i, row in enumerate(top)
            if count_known([_header_text(v) for v in row[:1000]], user_mapping) >= 2
        ),
        0,
    )
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
        _whole_floats_to_int(cells)
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


def _whole_floats_to_int(cells: np.ndarray) -> None:
    """Numbers come as floats from calamine: 1000.0 becomes 1000 (a postal code stays whole)."""
    for j in range(cells.shape[1]):
        column = cells[:, j]
        kinds = set(map(type, column))
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


def _unique_headers(texts: list[str], offset: int) -> list[str]:
    seen: set[str] = set()
    headers = []
    for j, text in enumerate(texts):
        base = text or f"column {offset + j + 1}"
        header, n = base, 2
        while header in seen:
            header, n = f"{base} ({n})", n + 1
        seen.add(header)
        headers.append(header)
    return headers


def _results_columns_start(texts: list[str]) -> int | None:
    """Where our results workbook's added columns begin, or None for an ordinary input."""
    accepted = []
    for key in RESULT_COLUMNS:
        names = {key.casefold()}
        for lang in ("en", "fr"):
            with contextlib.suppress(KeyError):  # the results catalogue may not exist yet
                names.add(t(f"results.col.{_RESULT_KEYS.get(key, key)}", lang=lang).casefold())
        accepted.append(names)
    folded = [text.casefold() for text in texts]
    for i in range(1, len(texts) - len(accepted) + 1):
        if all(folded[i + k] in names for k, names in enumerate(accepted)):
            return i
    return None


# --- files and their kinds ---------------------------------------------------------------


def _check_path(path: Path) -> str:
    if not _guard_os(str(path), path.exists):
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
    if _guard_os(path.name, path.stat).st_size == 0:
        raise InputError(t("sources.empty_file", file=path.name))
    return ext


def _guard_os(name: str, call: Callable[[], T]) -> T:
    try:
        return call()
    except OSError as exc:
        raise InputError(
            t("sources.cannot_open", file=name, reason=exc.strerror or type(exc).__name__)
        ) from exc


def _read_head(path: Path, size: int = 4096) -> bytes:
    def read() -> bytes:
        with path.open("rb") as stream:
            return stream.read(size)

    return _guard_os(path.name, read)


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    controls = sum(head.count(bytes([c])) for c in (*range(1, 9), *range(14, 32)))
    return controls * 20 < max(len(head), 1)


def _kind(ext: str) -> str:
    return t(_KIND_KEYS.get(ext, "sources.kind_xlsx"))


def _ole_encrypted(path: Path) -> bool:
    """An OLE file holding an 'EncryptedPackage' stream: a password-protected xlsx."""
    marker = "EncryptedPackage".encode("utf-16-le")
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            if marker in tail + chunk:
                return True
            tail = chunk[-len(marker) :]
    return False


def _zip_kind(zf: zipfile.ZipFile) -> str | None:
    names = set(zf.namelist())
    if "content.xml" in names and ("mimetype" in names or "META-INF/manifest.xml" in names):
        return ".ods"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return ".xlsx"
    return None


# --- CSV ---------------------------------------------------------------------------------


def _read_csv(
    path: Path, name: str, max_rows: int, user_mapping: Mapping[str, str] | None
) -> _Grid:
    data = _guard_os(name, path.read_bytes)
    if data.startswith((_ZIP_MAGIC, _OLE_MAGIC)):
        ext = ".xls" if data.startswith(_OLE_MAGIC) else ".xlsx"
        if b"opendocument" in data[:120]:
            ext = ".ods"
        raise InputError(t("sources.workbook_as_text", file=name, kind=_kind(ext), ext=ext))
    text = _decode(data, name)
    del data
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(t("sources.nul_bytes", file=name, line=_line_of(text, nul)))
    if not re.search(r"\S", text):
        raise InputError(t("sources.empty_file", file=name))
    delimiter = _detect_delimiter(text, user_mapping)
    return _parse_csv(text, name, delimiter, max_rows)


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise InputError(t("sources.bad_encoding", file=name)) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad = exc.start
    if _looks_like_utf8(data):
        line = len(_NEWLINES_B.findall(data, 0, bad)) + 1
        raise InputError(t("sources.mixed_encoding", file=name, line=line))
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(t("sources.bad_encoding", file=name)) from None


def _looks_like_utf8(data: bytes) -> bool:
    """UTF-8 accents (é = C3 A9...) in a file that is not valid UTF-8: mixed encodings."""
    leads = b"\xc3" in data or b"\xc2" in data or b"\xe2\x80" in data  # fast pre-check
    return leads and _UTF8_ACCENTS.search(data) is not None


def _line_of(text: str, position: int) -> int:
    return len(_NEWLINES.findall(text, 0, position)) + 1


def _detect_delimiter(text: str, user_mapping: Mapping[str, str] | None) -> str:
    """The delimiter of the header line; the Sniffer only breaks ties."""
    sample = text[:65536]
    lines = [line for line in _NEWLINES.split(sample)[:200] if line.strip()]
    lines = lines[:HEADER_SEARCH_ROWS]
    for line in lines:  # a line naming known fields settles it
        scored = []
        for rank, delimiter in enumerate(DELIMITERS):
            cells = next(csv.reader([line], delimiter=delimiter), [])
            known = count_known(cells[:1000], user_mapping)
            if known >= 2:
                scored.append((known, len(cells), -rank, delimiter))
        if scored:
            return max(scored)[3]
    for line in lines:  # else the first line holding a delimiter outside quotes
        counts = {d: sum(part.count(d) for part in line.split('"')[::2]) for d in DELIMITERS}
        top = max(counts.values())
        if top:
            tied = [d for d in DELIMITERS if counts[d] == top]
            if len(tied) > 1:
                with contextlib.suppress(Exception):  # the Sniffer fails in odd ways
                    sniffed = csv.Sniffer().sniff(sample[:16384], delimiters="".join(tied))
                    if sniffed.delimiter in tied:
                        return sniffed.delimiter
            return tied[0]
    return ","


def _parse_csv(text: str, name: str, delimiter: str, max_rows: int) -> _Grid:
    sentinel = "\ue000end\ue001"
    while sentinel in text:
        sentinel += "\ue002"
    # The sentinel ends up inside the last value when a quote is never closed.
    reader = csv.reader(io.StringIO(f"{text}\n{sentinel}\n", newline=""), delimiter=delimiter)
    limit = max_rows + HEADER_SEARCH_ROWS + 1
    rows: list[list[Any]] = []
    numbers: list[int] = []
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if record and ((record[0] and not record[0].isspace()) or _has_data(record)):
                rows.append(record)
                numbers.append(start)
                if len(rows) > limit:
                    raise InputError(t("sources.too_many_rows", file=name, limit=max_rows))
    except csv.Error as exc:
        if "field larger" in str(exc):
            raise InputError(
                t("sources.field_too_large", file=name, line=line + 1, limit=csv.field_size_limit())
            ) from None
        raise InputError(
            t("sources.bad_csv_line", file=name, line=line + 1, reason=str(exc))
        ) from None
    last, start = rows.pop(), numbers.pop()
    if last != [sentinel]:
        raise InputError(t("sources.unterminated_quote", file=name, line=start))
    return _Grid(rows, numbers)


# --- workbooks ---------------------------------------------------------------------------


def _read_workbook(path: Path, name: str, ext: str, sheet: str | None, max_rows: int) -> _Grid:
    kind = _kind(ext)
    head = _read_head(path)
    if head.startswith(_OLE_MAGIC):
        if _guard_os(name, lambda: _ole_encrypted(path)):
            raise InputError(t("sources.encrypted", file=name))
        if ext != ".xls":
            raise InputError(
                t("sources.wrong_workbook_type", file=name, kind=_kind(".xls"), ext=".xls")
            )
        _check_xls(path, name)
        return _read_isolated(path, name, kind, sheet, max_rows)
    if not head.startswith(_ZIP_MAGIC):
        if not _looks_like_text(head):
            raise InputError(t("sources.corrupt_workbook", file=name, kind=kind))
        key = "sources.web_page_as_xls" if ext == ".xls" else "sources.text_as_workbook"
        raise InputError(t(key, file=name, kind=kind))
    try:
        zf = zipfile.ZipFile(path)
    except Exception as exc:  # BadZipFile, but also NotImplementedError, ValueError...
        raise InputError(t("sources.corrupt_workbook", file=name, kind=kind)) from exc
    with zf:
        guard = _ZipGuard(zf, name, kind, ext)
        if ext == ".ods":
            return _read_isolated(path, name, kind, sheet, max_rows)
        return _read_in_process(path, name, kind, sheet, max_rows, guard)


def _read_in_process(
    path: Path, name: str, kind: str, wanted: str | None, max_rows: int, guard: _ZipGuard | None
) -> _Grid:
    book = _calamine(name, kind, lambda: CalamineWorkbook.from_path(str(path)))
    sheets = [
        _SheetInfo(m.name, m.typ == SheetTypeEnum.WorkSheet, m.visible == SheetVisibleEnum.Visible)
        for m in book.sheets_metadata
    ]
    return _choose_sheet(
        sheets, wanted, name, lambda n: _load_sheet(book, n, name, kind, guard, max_rows)
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
    sheets: list[_SheetInfo], wanted: str | None, name: str, load: Callable[[str], _Grid]
) -> _Grid:
    """The sheet asked for, else the first visible worksheet that holds data."""
    if wanted is not None:
        chosen = _match_sheet(wanted, [s.name for s in sheets])
        if chosen is None:
            listed = ", ".join(f'"{s.name}"' for s in sheets) or "-"
            raise InputError(t("sources.sheet_not_found", file=name, sheet=wanted, sheets=listed))
        grid = load(chosen)
        if not grid.rows:
            raise InputError(t("sources.sheet_empty", file=name, sheet=chosen))
        return grid
    for info in sheets:
        if info.worksheet and info.visible:
            grid = load(info.name)
            if grid.rows:
                return grid
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
    guard: _ZipGuard | None,
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


# A separate process reads .xls and .ods: on some damaged files calamine allocates
# without bound and aborts the whole process (no exception to catch), e.g. an .xls whose
# DIMENSIONS record is inverted. A dead child is just an unreadable file.
_CHILD = """
import pickle, sys
try:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
except Exception:
    pass
try:
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum
except ImportError:
    sys.exit(3)
path, wanted = pickle.load(sys.stdin.buffer)
try:
    book = CalamineWorkbook.from_path(path)
    metas = [(m.name, m.typ == SheetTypeEnum.WorkSheet, m.visible == SheetVisibleEnum.Visible)
             for m in book.sheets_metadata]
    if wanted is None:
        names = [n for n, sheet, visible in metas if sheet and visible]
    else:
        names = [n for n, _, _ in metas if n.strip().casefold() == wanted.strip().casefold()]
    loaded = {}
    for name in names:
        sheet = book.get_sheet_by_name(name)
        rows = sheet.to_python() if sheet.start is not None else []
        loaded[name] = (sheet.start, rows)
        if wanted is None and any(
            v != "" and not (isinstance(v, str) and v.isspace()) for row in rows for v in row
        ):
            break
    result = ("ok", metas, loaded)
except Exception as exc:
    result = ("error", type(exc).__name__, str(exc))
sys.stdout.buffer.write(pickle.dumps(result))
"""


class _CellUnpickler(pickle.Unpickler):
    """Unpickles cell values only: plain types and the datetime classes, nothing callable."""

    def find_class(self, module: str, name: str) -> Any:
        if module == "datetime" and name in ("datetime", "date", "time", "timedelta"):
            return getattr(datetime, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not a cell value")


def _read_isolated(path: Path, name: str, kind: str, wanted: str | None, max_rows: int) -> _Grid:
    try:
        child = subprocess.run(
            [sys.executable, "-I", "-c", _CHILD],
            input=pickle.dumps((str(path), wanted)),
            capture_output=True,
            check=False,
        )
    except OSError:  # no usable interpreter (a frozen build): read here after all
        child = None
    if child is None or child.returncode == 3:
        return _read_in_process(path, name, kind, wanted, max_rows, None)
    try:
        status, *result = _CellUnpickler(io.BytesIO(child.stdout)).load()
    except Exception:  # killed (calamine aborted), or nothing readable came back
        status = "died"
    if status == "error":
        _calamine_failed(name, kind, *result)
    if status != "ok":  # the child was killed (calamine aborted) or said nothing usable
        raise InputError(t("sources.corrupt_workbook", file=name, kind=kind))
    metas, loaded = result

    def load(sheet: str) -> _Grid:
        start, raw = loaded.get(sheet, (None, []))
        return _sheet_grid(sheet, start, raw, name, max_rows) if start else _Grid([], [])

    return _choose_sheet([_SheetInfo(*meta) for meta in metas], wanted, name, load)


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
            cell=f"{_column_letters(col)}{row}",
        )
    ]


def _column_letters(col: int) -> str:
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _human(size: int) -> str:
    return f"{size / (1 << 30):.1f} GB" if size >= 1 << 30 else f"{size / (1 << 20):.1f} MB"


# --- zip-based workbooks: checks before calamine reads them ------------------------------


class _ZipGuard:
    """Refuses zip bombs, XML entity declarations and sheets spanning a huge area."""

    def __init__(self, zf: zipfile.ZipFile, name: str, kind: str, ext: str) -> None:
        self.zf, self.name, self.kind = zf, name, kind
        infos = zf.infolist()
        total = sum(info.file_size for info in infos)
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(t("sources.not_a_spreadsheet", file=name))
        if total > MAX_UNCOMPRESSED_BYTES or any(
            info.file_size > RATIO_CHECK_FROM_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
            for info in infos
        ):
            raise InputError(
                t(
                    "sources.zip_bomb",
                    file=name,
                    size=_human(total),
                    limit=_human(MAX_UNCOMPRESSED_BYTES),
                )
            )
        actual = _zip_kind(zf)
        if actual is None:
            raise InputError(t("sources.not_a_spreadsheet", file=name))
        if actual != (ext if ext != ".xlsm" else ".xlsx"):
            raise InputError(
                t("sources.wrong_workbook_type", file=name, kind=_kind(actual), ext=actual)
            )
        manifest = "META-INF/manifest.xml"
        if (
            actual == ".ods"
            and manifest in zf.namelist()
            and b"encryption-data" in self._run(lambda: zf.read(manifest))
        ):
            raise InputError(t("sources.encrypted", file=name))
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                prolog_only = info.filename.startswith("xl/worksheets/")  # in full when read
                if self._run(lambda i=info, p=prolog_only: _has_dtd(self.zf, i, p)):
                    raise InputError(t("sources.xml_entities", file=name))
        self.parts = self._run(lambda: _sheet_parts(zf)) if actual == ".xlsx" else {}
        targets = set(self.parts.values())
        self.sheet_parts = [
            i for i in infos if i.filename.startswith("xl/worksheets/") or i.filename in targets
        ]
        self.scanned: set[str] = set()

    def _run(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except InputError:
            raise
        except Exception as exc:  # zipfile/zlib errors on a damaged or truncated archive
            raise InputError(t("sources.corrupt_workbook", file=self.name, kind=self.kind)) from exc

    def check_sheet(self, sheet: str) -> dict[tuple[int, int], str]:
        """Scan the sheet's XML before calamine reads it; return its error cells' texts."""
        part = self.parts.get(sheet)
        infos = [i for i in self.sheet_parts if i.filename == part] if part else []
        if not infos:  # unknown layout: check every worksheet part
            infos = [i for i in self.sheet_parts if i.filename not in self.scanned]
        errors: dict[tuple[int, int], str] = {}
        for info in infos:
            scan = self._run(lambda i=info: _scan_sheet(self.zf, i))
            self.scanned.add(info.filename)
            if scan.dtd:
                raise InputError(t("sources.xml_entities", file=self.name))
            if scan.rmax * scan.cmax > MAX_SHEET_CELLS:
                raise InputError(
                    t(
                        "sources.too_many_cells",
                        file=self.name,
                        sheet=sheet,
                        rows=scan.rmax,
                        cols=scan.cmax,
                        cell=f"{_column_letters(min(scan.cmax, 10**6))}{scan.rmax}",
                    )
                )
            if scan.errors and info.filename == part:
                errors = self._run(lambda i=info: _error_cells(self.zf, i))
        return errors


def _has_dtd(zf: zipfile.ZipFile, info: zipfile.ZipInfo, prolog_only: bool) -> bool:
    with zf.open(info) as stream:
        tail = b""
        while chunk := stream.read(1 << 16 if prolog_only else 1 << 20):
            if _DTD.search(tail + chunk):
                return True
            if prolog_only:
                return False
            tail = chunk[-16:]
    return False


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its XML part, from xl/workbook.xml and its relationships."""
    from defusedxml.ElementTree import fromstring

    try:
        book = fromstring(zf.read("xl/workbook.xml"))
        rels = fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, SyntaxError, ValueError):
        return {}
    targets = {
        el.get("Id"): el.get("Target", "") for el in rels.iter() if el.tag.endswith("Relationship")
    }
    parts = {}
    for el in book.iter():
        if el.tag.rsplit("}", 1)[-1] == "sheet":
            rid = next((v for k, v in el.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid) or ""
            if target:
                parts[el.get("name", "")] = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(f"xl/{target}")
                )
    return parts


@dataclass
class _Scan:
    rmax: int = 0
    cmax: int = 0
    dtd: bool = False
    errors: bool = False
    row: int = 0  # exact scan: current row and column of cells without an "r" attribute
    col: int = 0


def _table(chars: bytes) -> np.ndarray:
    table = np.zeros(256, dtype=bool)
    table[list(chars)] = True
    return table


_DELIM = _table(b" \t\r\n/>")
_LETTER = _table(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGIT = _table(b"0123456789")
_QUOTE = _table(b"\"'")
_LT_C, _LT_BANG, _COLON_C = (int.from_bytes(p, "little") for p in (b"<c", b"<!", b":c"))
_ERR = int.from_bytes(b'="e"', "little")
_SP_R_DQ, _SP_R_SQ = (int.from_bytes(p, "little") for p in (b' r="', b" r='"))


def _blocks(
    zf: zipfile.ZipFile, info: zipfile.ZipInfo, size: int = 1 << 22
) -> Iterator[memoryview]:
    """The part's bytes in blocks that each end just after a '>' (no tag is cut)."""
    with zf.open(info) as stream:
        carry = b""
        while chunk := stream.read(size):
            buffer = carry + chunk if carry else chunk
            cut = buffer.rfind(b">") + 1
            if cut:
                yield memoryview(buffer)[:cut]
            carry = buffer[cut:]
        if carry:
            yield memoryview(carry)


def _scan_sheet(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Scan:
    """Find the area a worksheet's cells span, entity declarations and error cells."""
    for exact_rows in (False, True):
        scan = _Scan()
        for block in _blocks(zf, info):
            if not _scan_block_fast(block, scan, exact_rows):
                break
        else:
            if exact_rows or scan.rmax * scan.cmax <= MAX_SHEET_CELLS:
                return scan
            continue  # the quick bound on rows is not enough (a wide sheet): count exactly
        break
    scan = _Scan()  # a writer other than the usual ones: slower exact scan from the start
    for block in _blocks(zf, info):
        _scan_block_exact(block, scan)
    return scan


def _scan_block_fast(block: memoryview, scan: _Scan, exact_rows: bool) -> bool:
    """Vectorised scan of cells written as <c r="A1" ...>; False if some are not.

    Rows below 100,000 are only bounded (99,999) unless ``exact_rows``.
    """
    a = np.frombuffer(block, dtype=np.uint8)
    pad = np.concatenate((a, np.zeros(16, dtype=np.uint8)))
    quads = np.ndarray((a.size + 13,), dtype="<u4", buffer=pad, strides=(1,))
    starts = []
    for off in (0, 1):
        pairs = a[off : off + ((a.size - off) & ~1)].view(np.uint16)
        starts.append(np.flatnonzero(pairs == _LT_C) * 2 + off)
        if (pairs == _LT_BANG).any() and _DTD.search(block):
            scan.dtd = True
        colons = np.flatnonzero(pairs == _COLON_C) * 2 + off  # <x:c ...>: prefixed cells
        if _DELIM[pad[colons + 2]].any():
            return False
    for off in range(4):
        quad = a[off : off + ((a.size - off) & ~3)].view(np.uint32)
        scan.errors = scan.errors or bool((quad == _ERR).any())
    tags = np.concatenate(starts)
    tags = tags[_DELIM[pad[tags + 2]]]
    head = quads[tags + 2]
    if not ((head == _SP_R_DQ) | (head == _SP_R_SQ)).all():
        return False
    if tags.size == 0:
        return True
    refs = tags + 6
    letters = np.ones(refs.size, dtype=np.int64)
    run = _LETTER[pad[refs + 1]]
    for k in range(2, 9):
        if not run.any():
            break
        letters += run
        run &= _LETTER[pad[refs + k]]
    most = int(letters.max())
    chosen, col = refs[letters == most], 0
    for k in range(most):
        col = col * 26 + ((pad[chosen + k].astype(np.int64) & 0xDF) - 64)
    scan.cmax = max(scan.cmax, int(np.max(col)))
    digits = refs + letters
    if exact_rows:
        scan.rmax = max(scan.rmax, _max_row(pad, digits, 0))
        return True
    long = digits[_DIGIT[pad[digits + 5]]]  # rows from 100,000 on
    if long.size:
        scan.rmax = max(scan.rmax, _max_row(pad, long, 6))
    else:
        count = next((k + 1 for k in range(4, -1, -1) if _DIGIT[pad[digits + k]].any()), 0)
        scan.rmax = max(scan.rmax, 10**count - 1)
    return True


def _max_row(pad: np.ndarray, digits: np.ndarray, known: int) -> int:
    """Largest row number among refs whose digits start at ``digits`` (``known`` digits sure)."""
    count = known
    for k in range(known, 11):
        more = _DIGIT[pad[digits + k]]
        if not more.any():
            break
        digits, count = digits[more], k + 1
    if not count:
        return 0
    row = np.zeros(digits.size, dtype=np.int64)
    for k in range(count):
        row = row * 10 + (pad[digits + k].astype(np.int64) - 48)
    return int(row.max())


def _scan_block_exact(block: memoryview, scan: _Scan) -> None:
    """Follow calamine's rules tag by tag (cells without "r" continue from the last one)."""
    scan.dtd = scan.dtd or bool(_DTD.search(block))
    scan.errors = scan.errors or bool(re.search(rb"""\st\s*=\s*["']e["']""", block))
    for match in _TAG.finditer(block):
        ref = _R_ATTR.search(match.group(2))
        letters, digits = (ref.group(1), ref.group(2)) if ref else (b"", b"")
        number = int(digits) if 0 < len(digits) <= 12 else (10**12 if digits else None)
        if match.group(1) == b"row":
            scan.row, scan.col = (number if number is not None else scan.row + 1), 0
            scan.rmax = max(scan.rmax, scan.row)
            continue
        scan.col = _column_number(letters) if letters else scan.col + 1
        scan.row = number if number is not None else scan.row
        scan.rmax, scan.cmax = max(scan.rmax, scan.row), max(scan.cmax, scan.col)


def _column_number(letters: bytes) -> int:
    if len(letters) > 7:
        return 26**7
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - 64
    return number


def _error_cells(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> dict[tuple[int, int], str]:
    """(Excel row, column number) -> text of each error cell (#REF!, #N/A...)."""
    found = {}
    for match in _ERROR_CELL.finditer(zf.read(info)):
        ref = _R_ATTR.search(b" " + match.group(1))
        value = _VALUE.search(match.group(2))
        if ref and ref.group(1) and ref.group(2) and value and len(ref.group(2)) <= 9:
            text = value.group(1).decode("utf-8", "replace")
            found[(int(ref.group(2)), _column_number(ref.group(1)))] = text
    return found


# --- .xls (BIFF in an OLE container): the same area check ------------------------------

_END_OF_CHAIN = 0xFFFFFFFA  # sector ids from here on are markers, not sectors
_XLS_CELLS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x0406}
_XLS_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, ..., last column


def _check_xls(path: Path, name: str) -> None:
    """Refuse an .xls whose sheet spans a huge area or that is encrypted (FILEPASS)."""
    stream = _ole_stream(_guard_os(name, path.read_bytes), ("workbook", "book"))
    sheets: dict[int, str] = {}
    sheet, rows, cols, pos = "", 0, 0, 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        body, pos = pos + 4, pos + 4 + length
        if pos > len(stream):  # a truncated last record: calamine will say what is wrong
            break
        if kind == 0x002F:  # FILEPASS: the workbook is encrypted
            raise InputError(t("sources.encrypted", file=name))
        if kind == 0x0085 and length >= 8:  # BOUNDSHEET: where each sheet starts
            sheets[struct.unpack_from("<I", stream, body)[0]] = _xls_sheet_name(stream, body)
        elif kind == 0x0809:  # BOF: a new sheet
            sheet, rows, cols = sheets.get(body - 4, sheet), 0, 0
        elif kind in _XLS_CELLS and length >= 4:
            row, col = struct.unpack_from("<HH", stream, body)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif kind in _XLS_MULTI and length >= 6:
            row, last = stream[body] | stream[body + 1] << 8, stream[pos - 2] | stream[pos - 1] << 8
            rows, cols = max(rows, row + 1), max(cols, last + 1)
        if rows * cols > MAX_SHEET_CELLS:
            cell = f"{_column_letters(cols)}{rows}"
            raise InputError(
                t("sources.too_many_cells", file=name, sheet=sheet, rows=rows, cols=cols, cell=cell)
            )


def _xls_sheet_name(stream: bytes, body: int) -> str:
    count, wide = stream[body + 6], stream[body + 7] & 1
    raw = stream[body + 8 : body + 8 + count * (2 if wide else 1)]
    return raw.decode("utf-16-le" if wide else "latin-1", "replace")


def _ole_stream(data: bytes, names: tuple[str, ...]) -> bytes:
    """The first stream called one of ``names`` in an OLE compound file (b"" if none)."""
    if len(data) < 512 or struct.unpack_from("<H", data, 0x1E)[0] not in (9, 12):
        return b""
    size, mini = 1 << struct.unpack_from("<H", data, 0x1E)[0], 1 << data[0x20]
    n_fat, first_dir, cutoff, first_mini, n_mini, first_difat = struct.unpack_from(
        "<II4xIIII", data, 0x2C
    )[:6]
    n_sectors = max(len(data) // size - 1, 0)

    def sector(sid: int) -> bytes:
        return data[(sid + 1) * size : (sid + 2) * size]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    sid, hops = first_difat, 0
    while sid < min(_END_OF_CHAIN, n_sectors) and hops < n_sectors:
        words = struct.unpack(f"<{size // 4}I", sector(sid).ljust(size, b"\xff"))
        difat += words[:-1]
        sid, hops = words[-1], hops + 1
    fat = b"".join(sector(s) for s in difat[:n_fat] if s < n_sectors)
    table = np.frombuffer(fat[: len(fat) // 4 * 4], dtype="<u4").tolist()

    def read(start: int, links: list[int], unit: Callable[[int], bytes]) -> bytes:
        parts, sid = [], start
        while sid < min(_END_OF_CHAIN, len(links)) and len(parts) <= len(links):
            parts.append(unit(sid))
            sid = links[sid]
        return b"".join(parts)

    directory = read(first_dir, table, sector)
    root_start, root_size = (
        struct.unpack_from("<IQ", directory, 116) if len(directory) >= 128 else (0, 0)
    )
    for at in range(0, len(directory) - 127, 128):
        entry = directory[at : at + 128]
        label = entry[: max(struct.unpack_from("<H", entry, 64)[0] - 2, 0)]
        if entry[66] == 2 and label.decode("utf-16-le", "replace").lower() in names:
            start, length = struct.unpack_from("<IQ", entry, 116)
            if length >= cutoff:
                return read(start, table, sector)[:length]
            ministream = read(root_start, table, sector)[:root_size]
            minifat = read(first_mini, table, sector)[: n_mini * size]
            links = np.frombuffer(minifat[: len(minifat) // 4 * 4], dtype="<u4").tolist()
            return read(start, links, lambda s, m=ministream: m[s * mini : (s + 1) * mini])[:length]
    return b""
