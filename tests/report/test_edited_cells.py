"""Cells edited in the page keep their kind in the results workbook (a date stays a date)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from importer.model import Outcome, RowOutcome
from importer.read.table import read_table
from importer.report.summary_sheet import SummaryFacts
from importer.report.workbook import write_results
from importer.rows.edits import column_kind, typed_value

STARTED = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)


def _edit(table, row: int, column: str, text: str) -> None:
    """What the page does with a typed cell (importer.web.drafts.Draft.set_cell)."""
    data = table.data
    data.at[row, column] = typed_value(text, column_kind(data.at[row, column], data[column]))


def test_edited_dates_and_numbers_are_written_as_dates_and_numbers(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Identifiant mission", "Date d'intervention", "Latitude", "Commentaire"])
    sheet.append(["M-1", datetime(2027, 3, 2, 17, 15), 48.85, "ok"])
    sheet.append(["M-2", "demain matin vers 10h", 45.76, "ok"])
    sheet["B2"].number_format = "dd/mm/yyyy hh:mm"
    source = tmp_path / "semaine.xlsx"
    book.save(source)

    table = read_table(source)
    _edit(table, 2, "Date d'intervention", "03/03/2027 09:45")
    _edit(table, 3, "Date d'intervention", "04/03/2027 10:00")  # the text cell, fixed
    _edit(table, 2, "Latitude", "48,8566")  # typed the French way
    _edit(table, 3, "Commentaire", "12")  # a text column stays text
    outcomes = [RowOutcome(row=n, outcome=Outcome.VALID) for n in (2, 3)]
    facts = SummaryFacts("validate", source, STARTED, STARTED)
    written = write_results(tmp_path / "semaine.results.xlsx", table, outcomes, facts, lang="fr")

    results = openpyxl.load_workbook(written).worksheets[0]
    for cell, moment in (("B2", datetime(2027, 3, 3, 9, 45)), ("B3", datetime(2027, 3, 4, 10))):
        assert results[cell].is_date and results[cell].value == moment, cell
        assert results[cell].number_format == "dd/mm/yyyy hh:mm"
    assert results["C2"].data_type == "n" and results["C2"].value == 48.8566
    assert results["D3"].data_type == "s" and results["D3"].value == "12"
