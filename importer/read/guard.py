"""Checks a workbook must pass before python-calamine reads it, and what a file really is.

Zip-based workbooks (xlsx, xlsm, ods): declared sizes (zip bomb), XML entity declarations,
and the area a sheet's cells span, because calamine allocates that whole area at once and
an out-of-memory there aborts the process (tafia/calamine#693): a 2 KB sheet with cells in
A1 and XFD1048576 would kill the tool. Old .xls files (BIFF in an OLE container): the same
area check, and encryption. Every refusal is one :class:`InputError` sentence naming the file.
"""

from __future__ import annotations

import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from importer.errors import InputError
from importer.messages import t

MAX_UNCOMPRESSED_BYTES = 1 << 30  # a workbook may not unpack to more than 1 GiB
MAX_COMPRESSION_RATIO = 200  # nor any big part be compressed more than 200:1
RATIO_CHECK_FROM_BYTES = 16 << 20  # (parts under 16 MiB unpacked are not ratio-checked)
MAX_ZIP_MEMBERS = 10_000
MAX_SHEET_CELLS = 40_000_000  # rows x columns spanned by a sheet's cells (about 1.3 GB)

ZIP_MAGIC = b"PK"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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

T = TypeVar("T")


# --- shared by the readers ---------------------------------------------------------------


def guard_os(name: str, call: Callable[[], T]) -> T:
    """Return ``call()``; an OSError becomes the InputError "cannot open" naming the file."""
    try:
        return call()
    except OSError as exc:
        raise InputError(
            t("sources.cannot_open", file=name, reason=exc.strerror or type(exc).__name__)
        ) from exc


def kind_name(ext: str) -> str:
    """Return the user's name for a workbook kind ("Excel 97-2003 (.xls)"...)."""
    return t(_KIND_KEYS.get(ext, "sources.kind_xlsx"))


def column_letters(col: int) -> str:
    """Return the Excel letters of a 1-based column number (28 -> "AB")."""
    letters = ""
    while col > 0:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# --- zip-based workbooks: checks before calamine reads them ------------------------------


def _zip_kind(zf: zipfile.ZipFile) -> str | None:
    names = set(zf.namelist())
    if "content.xml" in names and ("mimetype" in names or "META-INF/manifest.xml" in names):
        return ".ods"
    if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
        return ".xlsx"
    return None


def _human(size: int) -> str:
    return f"{size / (1 << 30):.1f} GB" if size >= 1 << 30 else f"{size / (1 << 20):.1f} MB"


class ZipGuard:
    """Refuses zip bombs, XML entity declarations and sheets spanning a huge area.

    The archive-wide checks run when it is made; :meth:`check_sheet` scans one sheet.
    """

    def __init__(
        self,
        zf: zipfile.ZipFile,
        name: str,
        kind: str,
        ext: str,
        *,
        max_bytes: int = MAX_UNCOMPRESSED_BYTES,
    ) -> None:
        self.zf, self.name, self.kind = zf, name, kind
        infos = zf.infolist()
        total = sum(info.file_size for info in infos)
        if len(infos) > MAX_ZIP_MEMBERS:
            raise InputError(t("sources.not_a_spreadsheet", file=name))
        if total > max_bytes or any(
            info.file_size > RATIO_CHECK_FROM_BYTES
            and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
            for info in infos
        ):
            raise InputError(
                t(
                    "sources.zip_bomb",
                    file=name,
                    size=_human(total),
                    limit=_human(max_bytes),
                )
            )
        actual = _zip_kind(zf)
        if actual is None:
            raise InputError(t("sources.not_a_spreadsheet", file=name))
        if actual != (ext if ext != ".xlsm" else ".xlsx"):
            raise InputError(
                t("sources.wrong_workbook_type", file=name, kind=kind_name(actual), ext=actual)
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
                        cell=f"{column_letters(min(scan.cmax, 10**6))}{scan.rmax}",
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


# --- OLE files (.xls, password-protected xlsx): encryption and the same area check -------

_END_OF_CHAIN = 0xFFFFFFFA  # sector ids from here on are markers, not sectors
_XLS_CELLS = {0x0006, 0x00D6, 0x00FD, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x0406}
_XLS_MULTI = {0x00BD, 0x00BE}  # MULRK, MULBLANK: row, first column, ..., last column


def ole_encrypted(path: Path) -> bool:
    """An OLE file holding an 'EncryptedPackage' stream: a password-protected xlsx."""
    marker = "EncryptedPackage".encode("utf-16-le")
    tail = b""
    with path.open("rb") as stream:
        while chunk := stream.read(1 << 20):
            if marker in tail + chunk:
                return True
            tail = chunk[-len(marker) :]
    return False


def check_xls(path: Path, name: str) -> None:
    """Refuse an .xls whose sheet spans a huge area or that is encrypted (FILEPASS)."""
    stream = _ole_stream(guard_os(name, path.read_bytes), ("workbook", "book"))
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
            cell = f"{column_letters(cols)}{rows}"
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
