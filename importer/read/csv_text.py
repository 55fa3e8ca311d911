"""Read a CSV file (any of ; , tab, UTF-8, UTF-16 or Windows-1252) into rows of text.

Every record keeps the line where it starts, so a message can point at it; every way the
file can be unreadable ends in one :class:`InputError` sentence naming the file and line.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
from collections.abc import Mapping
from pathlib import Path

from importer.errors import InputError
from importer.messages import t
from importer.read.guard import OLE_MAGIC, ZIP_MAGIC, guard_os, kind_name
from importer.rows.columns import count_known

DELIMITERS = (";", ",", "\t")

_NEWLINES = re.compile(r"\r\n|\r|\n")
_NEWLINES_B = re.compile(rb"\r\n|\r|\n")
_UTF8_ACCENTS = re.compile(rb"\xc3[\x80-\xbf]|\xc2[\xa0-\xbf]|\xe2\x80[\x80-\xbf]")


def read_csv(
    path: Path,
    name: str,
    *,
    max_rows: int,
    header_rows: int,
    user_mapping: Mapping[str, str] | None = None,
) -> tuple[list[list[str]], list[int]]:
    """Read the records that hold some text; return them and the line where each starts.

    ``header_rows``: how many records may come before the header (the delimiter is the one
    of the first such line naming known fields); more than ``max_rows`` below it is refused.
    """
    data = guard_os(name, path.read_bytes)
    if data.startswith((ZIP_MAGIC, OLE_MAGIC)):
        ext = ".xls" if data.startswith(OLE_MAGIC) else ".xlsx"
        if b"opendocument" in data[:120]:
            ext = ".ods"
        raise InputError(t("sources.workbook_as_text", file=name, kind=kind_name(ext), ext=ext))
    text = _decode(data, name)
    del data
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(t("sources.nul_bytes", file=name, line=_line_of(text, nul)))
    if not re.search(r"\S", text):
        raise InputError(t("sources.empty_file", file=name))
    delimiter = _detect_delimiter(text, user_mapping, header_rows)
    return _parse_csv(text, name, delimiter, max_rows, header_rows)


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


def _detect_delimiter(text: str, user_mapping: Mapping[str, str] | None, header_rows: int) -> str:
    """The delimiter of the header line; the Sniffer only breaks ties."""
    sample = text[:65536]
    lines = [line for line in _NEWLINES.split(sample)[:200] if line.strip()]
    lines = lines[:header_rows]
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


def _parse_csv(
    text: str, name: str, delimiter: str, max_rows: int, header_rows: int
) -> tuple[list[list[str]], list[int]]:
    sentinel = "\ue000end\ue001"
    while sentinel in text:
        sentinel += "\ue002"
    # The sentinel ends up inside the last value when a quote is never closed.
    reader = csv.reader(io.StringIO(f"{text}\n{sentinel}\n", newline=""), delimiter=delimiter)
    limit = max_rows + header_rows + 1
    rows: list[list[str]] = []
    numbers: list[int] = []
    line = 0
    try:
        for record in reader:
            start, line = line + 1, reader.line_num
            if record and ((record[0] and not record[0].isspace()) or _has_text(record)):
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
    return rows, numbers


def _has_text(record: list[str]) -> bool:
    return any(value and not value.isspace() for value in record)
