"""Write the corpus of broken and hostile input files used by tests/journeys/test_hostile_inputs.py.

Deterministic: the same bytes every run (fixed seeds, fixed zip dates), so the corpus in
git can be checked against a fresh generation. Small: the zip bombs and the 10,000-column
workbook are highly compressible and take a few kilobytes each.

    python tests/data/make_bad_inputs.py            # writes tests/data/bad/
    python tests/data/make_bad_inputs.py OUT_DIR    # writes elsewhere

Each file gets an entry in ``MANIFEST.json``: what it is and what the importer must do
with it: ``"exit": 2`` (refused with one sentence naming the file, nothing sent) or
``"exit": 1`` (readable: every data row reported invalid, nothing sent).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
import struct
import sys
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
BAD_DIR = HERE / "bad"
MANIFEST = "MANIFEST.json"
ZIP_DATE = (2024, 1, 1, 0, 0, 0)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
OFFICE_DOC = f"{REL_NS}/officeDocument"
WORKSHEET = f"{REL_NS}/worksheet"
SHARED_STRINGS = f"{REL_NS}/sharedStrings"
CT_SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_BOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
CT_SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"

# A header row the importer recognises, and a data row whose date can never be valid:
# readable files of the corpus must end with row-level errors and send nothing.
HEADERS = ["idMission", "jourHeureInter", "nomVeh", "ville", "codPost", "commentaire"]
BAD_ROW = ["M-0001", "not a date", "VL-01", "Lyon", "69003", "broken on purpose"]
EXCEL_MAX_CELL = 32_767  # the most characters an Excel cell holds

Cell = str | int | float | tuple[str, str, str]  # ("f", formula, cached) or ("e", formula, err)


# --- zip and xlsx building blocks ------------------------------------------------------------


def zip_bytes(
    members: Sequence[tuple[str, bytes | str]], compression: int = zipfile.ZIP_DEFLATED
) -> bytes:
    """A zip archive of ``members`` with fixed dates (the same bytes every time)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = compression
            info.external_attr = 0o644 << 16
            raw = data.encode("utf-8") if isinstance(data, str) else data
            archive.writestr(info, raw, compresslevel=9 if compression else None)
    return buffer.getvalue()


def column_letters(number: int) -> str:
    """1 -> A, 27 -> AA."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_xml(ref: str, value: Cell) -> str:
    """One ``<c>`` element: inline text, a number, a formula or an error cell."""
    if isinstance(value, tuple):
        kind, formula, cached = value
        if kind == "e":
            return f'<c r="{ref}" t="e"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
        return f'<c r="{ref}" t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def sheet_xml(rows: Sequence[Sequence[Cell]], extra: str = "") -> str:
    """A worksheet part holding ``rows`` from A1, plus ``extra`` XML after sheetData."""
    lines = []
    for r, row in enumerate(rows, start=1):
        cells = "".join(
            cell_xml(f"{column_letters(c)}{r}", v) for c, v in enumerate(row, 1) if v != ""
        )
        lines.append(f'<row r="{r}">{cells}</row>')
    body = "".join(lines)
    return (
        f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}"><sheetData>{body}</sheetData>{extra}</worksheet>'
    )


def xlsx_members(
    sheets: Sequence[tuple[str, str, str]],
    shared_strings: str | None = None,
) -> list[tuple[str, str]]:
    """The parts of a minimal xlsx: ``sheets`` are (name, state, worksheet XML)."""
    overrides = [f'<Override PartName="/xl/workbook.xml" ContentType="{CT_BOOK}"/>']
    book_rels, book_sheets, parts = [], [], []
    for n, (name, state, xml) in enumerate(sheets, start=1):
        overrides.append(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{CT_SHEET}"/>'
        )
        book_rels.append(
            f'<Relationship Id="rId{n}" Type="{WORKSHEET}" Target="worksheets/sheet{n}.xml"/>'
        )
        hidden = f' state="{state}"' if state != "visible" else ""
        book_sheets.append(f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"{hidden}/>')
        parts.append((f"xl/worksheets/sheet{n}.xml", xml))
    if shared_strings is not None:
        overrides.append(f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT_SST}"/>')
        book_rels.append(
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{SHARED_STRINGS}" '
            'Target="sharedStrings.xml"/>'
        )
        parts.append(("xl/sharedStrings.xml", shared_strings))
    content_types = (
        f'{XML_HEAD}<Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        f"{''.join(overrides)}</Types>"
    )
    root_rels = (
        f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOC}" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        f"<sheets>{''.join(book_sheets)}</sheets></workbook>"
    )
    rels = f'{XML_HEAD}<Relationships xmlns="{PKG_REL_NS}">{"".join(book_rels)}</Relationships>'
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", root_rels),
        ("xl/workbook.xml", workbook),
        ("xl/_rels/workbook.xml.rels", rels),
        *parts,
    ]


def xlsx(rows: Sequence[Sequence[Cell]], *, extra: str = "", state: str = "visible") -> bytes:
    """A one-sheet xlsx ("Planning") holding ``rows``."""
    return zip_bytes(xlsx_members([("Planning", state, sheet_xml(rows, extra))]))


def planning_xlsx() -> bytes:
    """A small valid planning workbook (the base of the damaged ones)."""
    return xlsx([HEADERS, BAD_ROW, ["M-0002", "not a date either", "VL-02", "Paris", "75011", ""]])


def shared_strings_xlsx(dtd: str, text: str) -> bytes:
    """A valid xlsx whose cell A2 comes from sharedStrings.xml; ``dtd`` goes in its prolog."""
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{dtd}'
        f'<sst xmlns="{MAIN_NS}" count="1" uniqueCount="1"><si><t>{text}</t></si></sst>'
    )
    rows = [HEADERS, BAD_ROW]
    sheet = sheet_xml(rows).replace(
        '<c r="F2" t="inlineStr"><is><t xml:space="preserve">broken on purpose</t></is></c>',
        '<c r="F2" t="s"><v>0</v></c>',
    )
    return zip_bytes(xlsx_members([("Planning", "visible", sheet)], shared_strings=sst))


def billion_laughs(levels: int = 10) -> str:
    """The classic entity-expansion DTD: &lol9; expands to 10**9 "lol"."""
    lines = ['<!ENTITY lol0 "lol">']
    for n in range(1, levels):
        lines.append(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">')
    return f"<!DOCTYPE sst [{''.join(lines)}]>\n"


# --- OLE compound files (legacy .xls, and the container of password-protected xlsx) -----------

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
SECTOR = 512
MINI_CUTOFF = 4096


def ole_file(streams: Sequence[tuple[str, bytes]]) -> bytes:
    """A version-3 compound file holding ``streams`` (each padded to >= 4096 bytes).

    Layout: sector 0 the FAT, sector 1 the directory (root + up to 3 streams), then the
    streams' sectors. Every stream is at least the mini-stream cutoff, so none lives in a
    mini stream (keeps the writer small while staying a valid file).
    """
    assert 1 <= len(streams) <= 3
    fat = [FAT_SECTOR, END]
    data = b""
    starts = []
    for _, payload in streams:
        payload = payload.ljust(MINI_CUTOFF, b"\x00")
        count = -(-len(payload) // SECTOR)
        first = len(fat)
        starts.append((first, len(payload)))
        fat += [*range(first + 1, first + count), END]
        data += payload.ljust(count * SECTOR, b"\x00")
    assert len(fat) <= SECTOR // 4
    fat_sector = struct.pack(f"<{SECTOR // 4}I", *fat, *[FREE] * (SECTOR // 4 - len(fat)))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        label = name.encode("utf-16-le") + b"\x00\x00"
        return (
            label.ljust(64, b"\x00")
            + struct.pack("<HBB", len(label), kind, 1)  # name size, type, black
            + struct.pack("<III", FREE, right, child)  # left, right sibling, child
            + b"\x00" * 16  # CLSID
            + struct.pack("<I", 0)  # state bits
            + b"\x00" * 16  # creation and modification times
            + struct.pack("<IQ", start, size)
        )

    # Children chained through their right sibling, ordered as the format compares
    # names (shorter first, then case-insensitively).
    order = sorted(range(len(streams)), key=lambda i: (len(streams[i][0]), streams[i][0].upper()))
    entries = [entry("Root Entry", 5, order[0] + 1, FREE, END, 0)]
    for i, (name, _) in enumerate(streams):
        position = order.index(i)
        right = order[position + 1] + 1 if position + 1 < len(order) else FREE
        entries.append(entry(name, 2, FREE, right, *starts[i]))
    directory = b"".join(entries).ljust(SECTOR, b"\x00")
    header = (
        OLE_MAGIC
        + b"\x00" * 16  # CLSID
        + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)  # minor, major, byte order, shifts
        + b"\x00" * 6
        + struct.pack("<IIIIIIIII", 0, 1, 1, 0, MINI_CUTOFF, END, 0, END, 0)
        + struct.pack("<109I", 0, *[FREE] * 108)
    )
    assert len(header) == SECTOR
    return header + fat_sector + directory + data


def encrypted_workbook() -> bytes:
    """What Excel writes for a password-protected workbook: an OLE file, not a zip."""
    rng = random.Random(7)
    info = struct.pack("<HHI", 4, 4, 0x40) + (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<encryption '
        b'xmlns="http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" '
        b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" '
        b'cipherChaining="ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAA"/></encryption>'
    )
    package = struct.pack("<Q", 6000) + rng.randbytes(6000)
    return ole_file([("EncryptionInfo", info), ("EncryptedPackage", package)])


# --- the corpus --------------------------------------------------------------------------------


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ";") -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def zip_bomb_ratio() -> bytes:
    """A sheet part of 24 MiB of spaces compressed about 1000:1 (the ratio guard's case)."""
    filler = b" " * (24 << 20)
    xml = sheet_xml([HEADERS, BAD_ROW]).encode()
    head, tail = xml.split(b"</sheetData>")
    members = xlsx_members([("Planning", "visible", "")])[:-1]
    return zip_bytes(
        [*members, ("xl/worksheets/sheet1.xml", head + filler + b"</sheetData>" + tail)]
    )


def zip_bomb_declared() -> bytes:
    """A small xlsx whose directory declares ~4 GiB per part (a bomb announced by its sizes)."""
    data = bytearray(planning_xlsx())
    huge = struct.pack("<I", 0xFFFFFFF0)
    pos = 0
    while (pos := data.find(b"PK\x01\x02", pos)) >= 0:  # central directory records
        data[pos + 24 : pos + 28] = huge
        pos += 4
    pos = 0
    while (pos := data.find(b"PK\x03\x04", pos)) >= 0:  # local headers
        data[pos + 22 : pos + 26] = huge
        pos += 4
    return bytes(data)


def corrupt_members(data: bytes) -> bytes:
    """Flip bytes inside the compressed sheet (its CRC no longer matches)."""
    raw = bytearray(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for k in range(start + 5, start + info.compress_size - 5, 7):
        raw[k] ^= 0x5A
    return bytes(raw)


def wide_rows(columns: int = 10_000, filler: Cell | None = "x") -> list[list[Cell]]:
    """Known headers, then unknown ones up to ``columns`` columns.

    The unknown headers are all ``filler`` (one header repeated 9,994 times), or their
    column numbers when ``filler`` is None.
    """
    extra = range(len(HEADERS) + 1, columns + 1)
    header: list[Cell] = [*HEADERS, *(n if filler is None else filler for n in extra)]
    row: list[Cell] = [*BAD_ROW, *[1] * (columns - len(BAD_ROW))]
    return [header, row]


def merged_header() -> bytes:
    """A two-row header: "Date d'intervention" merged over a date and a time column."""
    rows: list[list[Cell]] = [
        ["idMission", "Date d'intervention", "", "ville", "codPost"],
        ["", "jour", "heure", "", ""],
        ["M-0001", "05/03/2027", "08:30", "Lyon", "69003"],
        ["M-0002", "06/03/2027", "14:00", "Paris", "75011"],
    ]
    merges = '<mergeCells count="1"><mergeCell ref="B1:C1"/></mergeCells>'
    return xlsx(rows, extra=merges)


def formulas_and_errors() -> bytes:
    rows: list[list[Cell]] = [
        HEADERS,
        ["M-0001", ("e", "Sheet2!#REF!", "#REF!"), "VL-01", "Lyon", "69003", "ref error"],
        ["M-0002", ("e", 'VLOOKUP("x",A1:A2,2,FALSE)', "#N/A"), "VL-02", "Lyon", "69003", ""],
        ["M-0003", ("e", "1/0", "#DIV/0!"), ("f", 'CONCAT("VL-","03")', "VL-03"), "Lyon", "", ""],
        [("f", 'CONCAT("M-","0004")', "M-0004"), ("e", "#NAME?", "#NAME?"), "", "Lyon", "", ""],
    ]
    return xlsx(rows)


def giant_cells() -> bytes:
    giant = "é" * EXCEL_MAX_CELL
    return xlsx(
        [
            HEADERS,
            ["M-0001", giant, "VL-01", "Lyon", "69003", giant],
            ["G" * EXCEL_MAX_CELL, "not a date", giant, giant, giant, giant],
        ]
    )


def corpus() -> list[tuple[str, bytes, int, str]]:
    """Every file of the corpus: (name, content, expected exit code, what it is)."""
    rng = random.Random(20240101)
    good_xlsx = planning_xlsx()
    good_csv = csv_text([HEADERS, BAD_ROW]).encode("utf-8")
    ods = zip_bytes(
        [
            ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
            ("META-INF/manifest.xml", '<?xml version="1.0"?><manifest:manifest/>'),
            ("content.xml", '<?xml version="1.0"?><office:document-content/>'),
        ],
        compression=zipfile.ZIP_STORED,
    )
    html = (
        b"<html><head><meta charset='utf-8'><title>Export</title></head><body><table>"
        b"<tr><td>idMission</td><td>jourHeureInter</td></tr>"
        b"<tr><td>M-0001</td><td>05/03/2027 08:30</td></tr></table></body></html>"
    )
    xls_garbage = ole_file([("Workbook", rng.randbytes(5000))])
    mixed = (
        b"idMission;jourHeureInter;ville;commentaire\r\n"
        + "M-0001;05/03/2027 08:30;Besançon;déjà vu\r\n".encode()
        + "M-0002;06/03/2027 08:30;Besançon;déjà vu\r\n".encode("cp1252")
    )
    two_ids = csv_text([["idMission", "Mission ID", "jourHeureInter"], ["M-1", "M-1", "x"]])
    files: list[tuple[str, bytes, int, str]] = [
        ("empty.csv", b"", 2, "a CSV of zero bytes"),
        ("empty.xlsx", b"", 2, "a workbook of zero bytes"),
        ("one_byte.csv", b"x", 2, "a CSV of one byte (a header, no data row)"),
        ("one_byte.xlsx", b"P", 2, "a workbook of one byte"),
        ("one_byte.xls", b"\xd0", 2, "an .xls of one byte"),
        ("whitespace_only.csv", b" \r\n\t\r\n  \r\n", 2, "a CSV of blank lines"),
        ("bom_only.csv", b"\xef\xbb\xbf", 2, "a CSV holding only a UTF-8 byte order mark"),
        ("garbage.xlsx", rng.randbytes(4096), 2, "random bytes named .xlsx"),
        ("garbage.xlsm", rng.randbytes(4096), 2, "random bytes named .xlsm"),
        ("garbage.xls", rng.randbytes(4096), 2, "random bytes named .xls"),
        ("garbage.ods", rng.randbytes(4096), 2, "random bytes named .ods"),
        ("garbage.csv", rng.randbytes(4096), 2, "random bytes named .csv"),
        ("png_as.csv", b"\x89PNG\r\n\x1a\n" + rng.randbytes(600), 2, "an image named .csv"),
        ("truncated.xlsx", good_xlsx[: len(good_xlsx) // 2], 2, "a workbook cut in half"),
        ("truncated_tail.xlsx", good_xlsx[:-30], 2, "a workbook missing its directory end"),
        ("corrupt_crc.xlsx", corrupt_members(good_xlsx), 2, "a workbook with damaged data"),
        ("zip_of_text.xlsx", zip_bytes([("notes.txt", "hello")]), 2, "a zip that is no workbook"),
        ("zip_empty.xlsx", zip_bytes([]), 2, "an empty zip archive"),
        (
            "no_sheets.xlsx",
            zip_bytes(xlsx_members([])),
            2,
            "a workbook with no sheet at all",
        ),
        (
            "hidden_sheets_only.xlsx",
            zip_bytes(
                xlsx_members(
                    [
                        ("Hidden", "hidden", sheet_xml([HEADERS, BAD_ROW])),
                        ("VeryHidden", "veryHidden", sheet_xml([HEADERS, BAD_ROW])),
                    ]
                )
            ),
            2,
            "a workbook whose only data is on hidden sheets",
        ),
        (
            "empty_sheet.xlsx",
            xlsx([]),
            2,
            "a workbook whose only sheet is empty",
        ),
        (
            "entity_bomb.xlsx",
            shared_strings_xlsx(billion_laughs(), "&lol9;"),
            2,
            "billion laughs in sharedStrings.xml of an otherwise valid workbook",
        ),
        (
            "external_entity.xlsx",
            shared_strings_xlsx(
                '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n', "&xxe;"
            ),
            2,
            "an external entity (XXE) in sharedStrings.xml",
        ),
        ("zip_bomb_ratio.xlsx", zip_bomb_ratio(), 2, "a sheet compressed 1000:1 (zip bomb)"),
        (
            "zip_bomb_declared.xlsx",
            zip_bomb_declared(),
            2,
            "a workbook whose parts declare 4 GiB each (zip bomb)",
        ),
        ("encrypted.xlsx", encrypted_workbook(), 2, "a password-protected workbook"),
        ("encrypted.xls", encrypted_workbook(), 2, "a password-protected workbook named .xls"),
        ("xls_named.xlsx", xls_garbage, 2, "a legacy OLE workbook named .xlsx"),
        ("ole_garbage.xls", xls_garbage, 2, "an OLE file whose Workbook stream is garbage"),
        ("html_as.xls", html, 2, "a web page saved as .xls (a common ERP export)"),
        ("csv_named.xlsx", good_csv, 2, "a CSV named .xlsx"),
        ("xlsx_named.csv", good_xlsx, 2, "a workbook named .csv"),
        ("ods_named.xlsx", ods, 2, "an OpenDocument spreadsheet named .xlsx"),
        ("xlsx_named.ods", good_xlsx, 2, "an xlsx named .ods"),
        ("mixed_encoding.csv", mixed, 2, "UTF-8 lines then Windows-1252 lines"),
        (
            "utf16_odd_length.csv",
            b"\xff\xfe" + "idMission;ville\r\nM-1;Lyon".encode("utf-16-le") + b"\x00",
            2,
            "UTF-16 with a dangling byte",
        ),
        (
            "nul_bytes.csv",
            csv_text(
                [HEADERS, ["M-0001", "05/03/2027 08:30", "VL\x00\x00", "Lyon", "", ""]]
            ).encode(),
            2,
            "NUL bytes inside a CSV",
        ),
        (
            "unterminated_quote.csv",
            b'idMission;jourHeureInter;ville\r\nM-0001;"05/03/2027 08:30;Lyon\r\nM-0002;x;y\r\n',
            2,
            "a quote opened and never closed",
        ),
        ("headers_only.csv", csv_text([HEADERS]).encode(), 2, "headers and no data row"),
        (
            "unknown_headers.csv",
            csv_text([["foo", "bar", "baz"], ["1", "2", "3"]]).encode(),
            2,
            "no header the importer knows",
        ),
        ("two_id_columns.csv", two_ids.encode(), 2, "two columns for idMission"),
        ("delimiter_pipe.csv", csv_text([HEADERS, BAD_ROW], "|").encode(), 2, "| separated"),
        ("delimiter_semicolon.csv", good_csv, 1, "; separated, rows invalid"),
        ("delimiter_comma.csv", csv_text([HEADERS, BAD_ROW], ",").encode(), 1, ", separated"),
        ("delimiter_tab.tsv", csv_text([HEADERS, BAD_ROW], "\t").encode(), 1, "tab separated"),
        (
            "delimiter_mixed.csv",
            (csv_text([HEADERS], ";") + csv_text([BAD_ROW], ",")).encode(),
            1,
            "header with ; and data with ,",
        ),
        (
            "cp1252.csv",
            csv_text([HEADERS, ["M-0001", "x", "VL", "Besançon", "25000", "déjà"]]).encode(
                "cp1252"
            ),
            1,
            "Windows-1252 (readable), rows invalid",
        ),
        ("merged_header.xlsx", merged_header(), 1, "header cells merged over two columns"),
        ("formulas_and_errors.xlsx", formulas_and_errors(), 1, "formulas, #REF!, #N/A cells"),
        ("giant_cells.xlsx", giant_cells(), 1, "cells of 32,767 characters"),
        (
            "giant_cell.csv",
            csv_text([HEADERS, ["M-0001", "x" * 40_000, "VL", "Lyon", "", ""]]).encode(),
            1,
            "a CSV cell of 40,000 characters (more than Excel holds)",
        ),
        ("wide_10000_columns.xlsx", xlsx(wide_rows(filler=None)), 1, "10,000 columns"),
        (
            "wide_10000_columns.csv",
            csv_text([[str(v) for v in row] for row in wide_rows()]).encode(),
            1,
            "10,000 columns, 9,994 of them with the same header",
        ),
    ]
    return files


def write_corpus(target: Path = BAD_DIR) -> list[dict[str, object]]:
    """Write every file and MANIFEST.json into ``target``; return the manifest entries."""
    target.mkdir(parents=True, exist_ok=True)
    entries = []
    for name, content, exit_code, what in corpus():
        (target / name).write_bytes(content)
        entries.append(
            {
                "file": name,
                "exit": exit_code,
                "what": what,
                "bytes": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            }
        )
    manifest = {"zlib": zlib.ZLIB_VERSION, "files": entries}
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return entries


def main(argv: Sequence[str] = ()) -> None:
    target = Path(argv[0]) if argv else BAD_DIR
    entries = write_corpus(target)
    total = sum(int(e["bytes"]) for e in entries)  # type: ignore[call-overload]
    print(f"{len(entries)} files, {total / 1024:.0f} KiB, in {target}")


if __name__ == "__main__":
    main(sys.argv[1:])
