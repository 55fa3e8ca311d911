"""Row messages name the file's own columns, and quote values as the planner sees them."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
from helpers import excel_workbook

from importer.fields import FIELD_NAMES
from importer.messages import catalogue, field_values, set_language
from importer.read.table import read_table
from importer.result_columns import joined
from importer.rows.columns import map_headers
from importer.rows.edits import column_kind, typed_value
from importer.rows.options import RowOptions
from importer.rows.validation import validate_table

NOW = datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
N = "\u202f"  # French narrow no-break space


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def _validated(path: Path, mapping: dict[str, str] | None = None):
    table = read_table(path, user_mapping=mapping)
    header_map = map_headers(table.headers, mapping)
    return table, validate_table(table, header_map, RowOptions(), now=NOW)


def test_an_empty_vehicle_names_the_files_column_and_labels_the_missing_ones(tmp_path):
    path = excel_workbook(
        tmp_path / "semaine.xlsx",
        ["Réf", "Date intervention", "Technicien", "Ville"],
        ["M-1", datetime(2027, 3, 2, 17, 15), None, "Lyon"],
    )
    _, [row] = _validated(path, {"Réf": "idMission", "Technicien": "nomVeh"})
    [issue] = row.errors
    assert issue.code == "validation.recipient_missing"
    assert issue.message == (
        'no recipient: fill the column "Technicien" (the vehicle), or the columns "Last name" '
        'and "First name" (last and first names), or the column "Full name" (the full name)'
    )
    assert issue.text("fr") == (
        f"aucun destinataire{N}: remplissez la colonne «{N}Technicien{N}» (le véhicule), ou les "
        f"colonnes «{N}Nom{N}» et «{N}Prénom{N}» (le nom et le prénom), ou la colonne "
        f"«{N}Nom et prénom{N}» (le nom complet)"
    )
    assert "nomVeh" not in issue.message and "nomVeh" not in issue.text("fr")


def test_the_errors_cell_keeps_the_sources_header_before_the_colon(tmp_path):
    path = excel_workbook(
        tmp_path / "semaine.xlsx",
        ["Réf", "Date intervention", "Technicien", "Latitude"],
        ["M-1", "bientôt", "VL-07", 48.85],
    )
    _, [row] = _validated(path, {"Réf": "idMission", "Technicien": "nomVeh"})
    cell = joined(row.errors)
    assert cell.startswith('Date intervention: "bientôt" is not a date;')
    assert cell.endswith(
        '; Latitude: the latitude "48.85" has no longitude beside it (column "Longitude"); '
        "fill both coordinates, or neither"
    )


def test_a_date_cell_of_a_real_workbook_is_quoted_as_the_planner_sees_it(tmp_path):
    # 28/03/2027 02:30 does not exist in Paris (the clocks jump from 02:00 to 03:00)
    path = excel_workbook(
        tmp_path / "dst.xlsx",
        ["Identifiant mission", "Date d'intervention", "Véhicule", "Ville"],
        ["M-1", datetime(2027, 3, 28, 2, 30), "VL-07", "Lyon"],
    )
    table, [row] = _validated(path)
    assert table.data.iloc[0, 1] == datetime(2027, 3, 28, 2, 30)  # a date cell, not text
    [issue] = row.errors
    assert issue.code == "validation.date_gap"
    assert issue.message.startswith('"28/03/2027 02:30" does not exist in Europe/Paris')
    assert issue.text("fr").startswith(f"«{N}28/03/2027 02:30{N}» n'existe pas")


def test_a_postal_code_number_is_sent_with_its_leading_zero(tmp_path):
    path = excel_workbook(
        tmp_path / "cp.xlsx",
        ["Identifiant mission", "Date d'intervention", "Véhicule", "Code postal"],
        ["M-1", datetime(2027, 3, 2, 17, 15), "VL-07", 9000],
    )
    table, [row] = _validated(path)
    assert table.data.iloc[0, 3] == 9000
    assert row.params is not None and row.params["codPost"] == "09000"


@pytest.mark.parametrize(
    ("text", "like", "expected"),
    [
        ("02/03/2027 17:15", datetime(2027, 1, 1, 8, 0), datetime(2027, 3, 2, 17, 15)),
        ("2/3/2027 7h05", datetime(2027, 1, 1, 8, 0), datetime(2027, 3, 2, 7, 5)),
        ("02/03/2027", datetime(2027, 1, 1, 8, 0), date(2027, 3, 2)),
        ("02/03/2027 00:00", date(2027, 1, 1), datetime(2027, 3, 2, 0, 0)),
        ("31/02/2027 10:00", datetime(2027, 1, 1, 8, 0), "31/02/2027 10:00"),
        ("demain", datetime(2027, 1, 1, 8, 0), "demain"),
        ("08:45", time(8, 0), time(8, 45)),
        ("48,8566", 45.76, 48.8566),
        ("12", 45.76, 12),
        ("007", 12, "007"),
        ("VRAI", True, True),
        ("02/03/2027 17:15", "text", "02/03/2027 17:15"),
        ("  ", datetime(2027, 1, 1), None),
    ],
    ids=[
        "date-time",
        "short-date-time",
        "date-alone",
        "midnight-typed",
        "impossible-day-stays-text",
        "unreadable-stays-text",
        "time",
        "decimal-comma",
        "whole",
        "leading-zero-stays-text",
        "yes-no",
        "text-column-stays-text",
        "blank-is-empty",
    ],
)
def test_a_typed_value_takes_the_kind_of_its_column(text, like, expected):
    value = typed_value(text, like)
    assert value == expected and type(value) is type(expected)


def test_a_text_cell_of_a_date_column_takes_the_columns_kind():
    column = ["demain", None, datetime(2027, 3, 2, 8, 30), "bientôt"]
    assert column_kind("demain", column) == datetime(2027, 3, 2, 8, 30)
    assert column_kind(12.5, column) == 12.5
    assert column_kind(None, ["a", "b"]) is None


ROW_CODES = sorted(
    key.removeprefix("validation.")
    for key in catalogue()["en"]
    if key.startswith("validation.") and key != "validation.unknown_timezone"
)
SAME_RULE = {"duplicate_ids", "month_impossible_swapped"}  # counted with their rule


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("code", ROW_CODES)
def test_no_row_message_names_a_field_by_its_api_name(code, lang):
    values = defaultdict(lambda: "x", field_values(f"validation.{code}", lang))
    text = catalogue()[lang][f"validation.{code}"].format_map(values)
    # (the API names that are not also words: "ville" or "latitude" are both)
    jargon = [name for name in FIELD_NAMES if name != name.lower()]
    assert [name for name in jargon if re.search(rf"\b{name}\b", text)] == []


@pytest.mark.parametrize("code", [code for code in ROW_CODES if code not in SAME_RULE])
def test_every_row_problem_has_its_count_sentences(code):
    for key in (f"problems.{code}", f"problems.{code}_one"):
        assert key in catalogue()["en"], key
