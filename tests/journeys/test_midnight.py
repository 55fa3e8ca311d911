"""Planners' own files: midnight cells, reference addresses, missions without a destination.

Real workbooks written by openpyxl and XlsxWriter with Excel number formats, and the same
converted by LibreOffice to .ods and .xls. python-calamine gives a bare date for every
date-time cell at 00:00: the number format decides whether it is midnight.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st

from importer.commands.importing import import_file
from importer.model import UnsureMidnight
from importer.read.cell_formats import shows_time
from importer.read.table import read_table
from importer.rows.columns import map_headers
from importer.rows.dates import parse_datetime, shown_date_time
from importer.rows.options import RowOptions
from importer.rows.validation import load_zone, validate_table
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.settings.load import Settings

PARIS = load_zone("Europe/Paris")
HEADERS = ["idMission", "jourHeureInter", "jourHeurePeremp", "nomVeh", "ville", "adrRefCli"]
DATE_TIME, DATE_ONLY = "dd/mm/yyyy hh:mm", "dd/mm/yyyy"
MIDNIGHT_JAN, MIDNIGHT_MAR = datetime(2027, 1, 2), datetime(2027, 3, 2)
# (idMission, (jourHeureInter, its format), (jourHeurePeremp, its format), nomVeh, ville, adrRefCli)
ROWS: list[tuple[Any, ...]] = [
    ("M1", (MIDNIGHT_JAN, DATE_TIME), (MIDNIGHT_MAR, DATE_TIME), "VL-01", "Lyon", None),
    ("M2", (MIDNIGHT_JAN, DATE_ONLY), None, "VL-02", "Lyon", None),
    ("M3", (datetime(2027, 1, 2, 8, 30), 22), (MIDNIGHT_MAR, 22), "VL-03", "Lyon", None),
    ("M4", (datetime(2027, 1, 3, 9, 0), DATE_TIME), None, "VL-04", None, "DEPOT-NORD"),
    ("M5", (datetime(2027, 1, 4, 9, 0), DATE_TIME), None, "VL-05", None, None),
    ("M6", (MIDNIGHT_JAN, "[$-40C]d mmmm yyyy h:mm"), None, "VL-06", "Lyon", None),
]
BUILTIN = {22: "m/d/yy h:mm"}  # how openpyxl names Excel's built-in format 22


def soffice() -> str:
    """LibreOffice's soffice: skipped when absent here, a failure when CI=true."""
    found = shutil.which("soffice")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI=true but soffice is missing: .ci/run installs libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    return found


def convert(source: Path, ext: str) -> Path:
    """``soffice --headless --convert-to ext`` beside the source (own profile folder)."""
    folder = source.parent / f"converted-{ext}"
    profile = (source.parent / "lo-profile").as_uri()
    command = [soffice(), f"-env:UserInstallation={profile}", "--headless"]
    subprocess.run(
        [*command, "--convert-to", ext, "--outdir", str(folder), str(source)],
        check=True,
        capture_output=True,
        timeout=240,
    )
    converted = folder / f"{source.stem}.{ext}"
    assert converted.is_file(), f"soffice wrote no {converted.name}"
    return converted


def write_openpyxl(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Planning"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append([cell[0] if isinstance(cell, tuple) else cell for cell in row])
        for column, cell in enumerate(row, start=1):
            if isinstance(cell, tuple):
                number_format = BUILTIN.get(cell[1], cell[1])
                sheet.cell(sheet.max_row, column).number_format = number_format
    book.save(path)
    return path


def write_xlsxwriter(path: Path) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("Planning")
    sheet.write_row(0, 0, HEADERS)
    for r, row in enumerate(ROWS, start=1):
        for c, cell in enumerate(row):
            if isinstance(cell, tuple):
                sheet.write_datetime(r, c, cell[0], book.add_format({"num_format": cell[1]}))
            elif cell is not None:
                sheet.write(r, c, cell)
    book.close()
    return path


WRITERS = {"openpyxl": write_openpyxl, "xlsxwriter": write_xlsxwriter}


def planning(tmp_path: Path, writer: str, kind: str) -> Path:
    path = WRITERS[writer](tmp_path / f"planning-{writer}.xlsx")
    return path if kind == "xlsx" else convert(path, kind)


def validated(path: Path, options: RowOptions | None = None) -> dict[str, Any]:
    table = read_table(path)
    rows = validate_table(table, map_headers(table.headers), options or RowOptions())
    ids = table.data["idMission"].tolist()
    return dict(zip(ids, rows, strict=True))


@pytest.mark.parametrize("kind", ["xlsx", "ods", "xls"])
@pytest.mark.parametrize("writer", ["openpyxl", "xlsxwriter"])
def test_midnight_follows_the_cell_number_format(tmp_path: Path, writer: str, kind: str) -> None:
    rows = validated(planning(tmp_path, writer, kind))
    # 02/01/2027 00:00 in Paris (winter, UTC+1) is 23:00 UTC the day before
    assert rows["M1"].errors == [] and rows["M1"].warnings == []
    assert rows["M1"].params["jourHeureInter"] == "01/01/2027 23:00"
    assert rows["M1"].params["jourHeurePeremp"] == "01/03/2027 23:00"
    # a cell formatted to show only the date is still a date without time
    assert [issue.code for issue in rows["M2"].errors] == ["validation.date_no_time"]
    assert rows["M2"].errors[0].message.startswith('"02/01/2027" has a date but no time')
    # Excel's built-in date-time format 22
    assert rows["M3"].valid and rows["M3"].params["jourHeurePeremp"] == "01/03/2027 23:00"
    assert rows["M6"].valid and rows["M6"].params["jourHeureInter"] == "01/01/2027 23:00"
    # a reference address alone is a destination; no destination is a warning
    assert rows["M4"].valid and rows["M4"].warnings == []
    assert rows["M4"].params["adrRefCli"] == "DEPOT-NORD"
    assert rows["M5"].valid
    assert [w.code for w in rows["M5"].warnings] == ["validation.destination_none"]


@pytest.mark.parametrize("kind", ["xlsx", "ods", "xls"])
def test_import_sends_midnight_as_utc_and_keeps_the_planner_format(
    tmp_path: Path, kind: str
) -> None:
    path = planning(tmp_path, "openpyxl", kind)
    with Sandbox() as sandbox:
        settings = Settings(
            api_url=sandbox.url,
            login=DEMO_LOGIN,
            password=DEMO_PASSWORD,
            journal=tmp_path / "journal.sqlite3",
            workers=2,
        )
        report = import_file(path, settings, show_progress=False)
        missions = {m["idMission"]: m["params"] for m in sandbox.missions()}
    assert report.counts == {"created": 5, "invalid": 1}
    assert missions["M1"]["jourHeureInter"] == "01/01/2027 23:00"
    assert missions["M1"]["jourHeurePeremp"] == "01/03/2027 23:00"
    assert "M2" not in missions
    assert missions["M4"]["adrRefCli"] == "DEPOT-NORD" and "ville" not in missions["M4"]
    assert "ville" not in missions["M5"] and "adrRefCli" not in missions["M5"]
    sheet = openpyxl.load_workbook(report.output_path)["Results"]
    header = [cell.value for cell in sheet[1]]
    inter = header.index("jourHeureInter") + 1
    by_id = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    assert sheet.cell(by_id["M1"], inter).value == MIDNIGHT_JAN
    assert "hh:mm" in sheet.cell(by_id["M1"], inter).number_format  # as the planner typed it
    assert "h" not in sheet.cell(by_id["M2"], inter).number_format  # a date alone stays so


def test_no_destination_is_an_error_with_require_destination(tmp_path: Path) -> None:
    path = write_xlsxwriter(tmp_path / "planning.xlsx")
    rows = validated(path, RowOptions(require_destination=True))
    assert [issue.code for issue in rows["M5"].errors] == ["validation.destination_missing"]
    assert rows["M4"].valid  # adrRefCli is a destination
    with Sandbox() as sandbox:
        settings = Settings(
            api_url=sandbox.url,
            login=DEMO_LOGIN,
            password=DEMO_PASSWORD,
            journal=tmp_path / "journal.sqlite3",
            require_destination=True,
        )
        report = import_file(path, settings, show_progress=False)
        sent = {m["idMission"] for m in sandbox.missions()}
    assert report.counts == {"created": 4, "invalid": 2}
    assert sent == {"M1", "M3", "M4", "M6"}
    default = dataclasses.replace(settings, require_destination=False)
    assert validated(path, default)["M5"].valid


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("dd/mm/yyyy hh:mm", True),
        ("yyyy-mm-dd h:mm:ss", True),
        ("[$-40C]d mmmm yyyy h:mm", True),
        ("[h]:mm", True),
        ("dd/mm/yyyy", False),
        ("[$-x-sysdate]dddd, mmmm dd, yyyy", False),
        ('dd/mm/yyyy "h"', False),
        ("[Red]dd/mm/yyyy", False),
        ("General", False),
    ],
)
def test_which_number_formats_show_a_time(code: str, expected: bool) -> None:
    assert shows_time(code) is expected


def test_midnight_whose_format_could_not_be_read_is_taken_with_a_warning() -> None:
    when = parse_datetime(UnsureMidnight(2027, 1, 2), PARIS)
    assert when is not None and when.text == "01/01/2027 23:00"
    assert when.warning is not None and when.warning.code == "validation.midnight_assumed"


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1980, 1, 1), max_value=date(9998, 12, 30)))
def test_any_midnight_is_sent_as_the_utc_of_local_midnight(day: date) -> None:
    midnight = datetime(day.year, day.month, day.day)
    when = parse_datetime(midnight, PARIS)
    offset = midnight.replace(tzinfo=PARIS).utcoffset()
    assert offset is not None and when is not None and when.warning is None
    assert when.text == shown_date_time(midnight - offset)
    assert when.text.endswith("23:00" if offset.seconds == 3600 else "22:00")


TIME_FORMATS = [
    "dd/mm/yyyy hh:mm",
    "yyyy-mm-dd hh:mm:ss",
    "m/d/yy h:mm",  # Excel's built-in 22
    "[$-40C]d mmmm yyyy h:mm",
    'dd/mm/yyyy" à "hh"h"mm',
]
DATE_FORMATS = ["dd/mm/yyyy", "yyyy-mm-dd", "mm-dd-yy", "d mmmm yyyy", '[$-x-sysdate]dddd" h"']


@settings(max_examples=25, deadline=None)
@given(
    cells=st.lists(
        st.tuples(
            st.dates(min_value=date(1980, 1, 1), max_value=date(9998, 12, 31)),
            st.sampled_from(TIME_FORMATS + DATE_FORMATS),
        ),
        min_size=1,
        max_size=12,
    ),
    writer=st.sampled_from(["openpyxl", "xlsxwriter"]),
)
def test_any_midnight_cell_reads_as_its_format_shows_it(
    tmp_path_factory: pytest.TempPathFactory, cells: list[tuple[date, str]], writer: str
) -> None:
    path = tmp_path_factory.mktemp("formats") / "cells.xlsx"
    values = [datetime(day.year, day.month, day.day) for day, _ in cells]
    if writer == "openpyxl":
        book = openpyxl.Workbook()
        sheet = book.active
        sheet.append(["idMission", "jourHeurePeremp"])
        for i, (value, (_, number_format)) in enumerate(zip(values, cells, strict=True)):
            sheet.append([f"M{i}", value])
            sheet.cell(i + 2, 2).number_format = number_format
        book.save(path)
    else:
        xbook = xlsxwriter.Workbook(path)
        xsheet = xbook.add_worksheet()
        xsheet.write_row(0, 0, ["idMission", "jourHeurePeremp"])
        for i, (value, (_, number_format)) in enumerate(zip(values, cells, strict=True)):
            xsheet.write(i + 1, 0, f"M{i}")
            xsheet.write_datetime(i + 1, 1, value, xbook.add_format({"num_format": number_format}))
        xbook.close()
    read = read_table(path).data["jourHeurePeremp"].tolist()
    for value, (day, number_format), got in zip(values, cells, read, strict=True):
        if number_format in TIME_FORMATS:
            assert type(got) is datetime and got == value, number_format
        else:
            assert type(got) is date and got == day, number_format


@pytest.mark.parametrize(
    ("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)]
)
def test_without_libreoffice_the_tests_skip_here_and_fail_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder without soffice
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome) as caught:
        soffice()
    assert "libreoffice-calc-nogui" in str(caught.value)
