"""Which sheet of a workbook is read, and the list of sheets with their row counts."""

from __future__ import annotations

import sys

import openpyxl
import pytest

from importer.errors import InputError
from importer.messages import language_context
from importer.read.calamine_child import read_in_child
from importer.read.sheets import SheetSummary, list_sheets
from importer.read.table import read_table

HEADER = ["idMission", "jourHeureInter", "typeMission", "nomVeh", "ville", "codPost"]


def _workbook(path, readme_lines=2, rows=3, hidden=False):
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "Lisez-moi"
    for n in range(readme_lines):
        readme.append([f"Consigne {n + 1} : remplissez l’onglet de la semaine."])
    week = book.create_sheet("Semaine 11")
    week.append(HEADER)
    for n in range(rows):
        week.append([f"S-{n}", "02/03/2027 08:30", "Dépannage", "VL-07", "Lyon", "69003"])
    if hidden:
        book.create_sheet("Brouillon").sheet_state = "hidden"
    book.save(path)
    return path


def test_a_read_me_first_sheet_is_skipped_and_the_sheet_read_is_named(tmp_path):
    path = _workbook(tmp_path / "semaine.xlsx")
    with language_context("fr"):
        table = read_table(path)
    assert table.sheet == "Semaine 11"
    assert list(table.data["idMission"]) == ["S-0", "S-1", "S-2"]
    assert table.warnings[0] == (
        "semaine.xlsx\u202f: la feuille «\u202fLisez-moi\u202f» ne contient pas de tableau de "
        "planning\u202f; feuille lue\u202f: «\u202fSemaine 11\u202f»."
    )


def test_a_sheet_named_is_read_even_without_a_table(tmp_path):
    path = _workbook(tmp_path / "semaine.xlsx", readme_lines=3)
    table = read_table(path, sheet="Lisez-moi")
    assert table.sheet == "Lisez-moi" and len(table.data) == 2
    assert not any("holds no planning table" in w for w in table.warnings)


def test_no_sheet_with_a_table_reads_the_first_with_data_as_before(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["just notes"])
    book.save(tmp_path / "notes.xlsx")
    with pytest.raises(InputError, match="headers are on row 1 but no data row follows"):
        read_table(tmp_path / "notes.xlsx")


def test_the_sheets_are_listed_with_their_row_counts(tmp_path):
    path = _workbook(tmp_path / "semaine.xlsx", rows=250, hidden=True)
    assert list_sheets(path) == [SheetSummary("Lisez-moi", 2), SheetSummary("Semaine 11", 251)]
    status, metas, heights = read_in_child(sys.executable, path, None, heights=True)
    assert status == "ok" and heights == {"Lisez-moi": 2, "Semaine 11": 251}
    assert ("Brouillon", True, False) in metas


def test_a_csv_file_has_no_sheets(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(";".join(HEADER) + "\n", encoding="utf-8")
    assert list_sheets(path) == []
