"""Fix and send again: the results workbook is a valid input, --only-failed, --json."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import SAMPLE_DATA, live, mission_calls

from importer.cli.app import cli
from importer.commands.importing import import_file
from importer.commands.validate import validate_file
from importer.result_columns import result_headers
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.settings.load import Settings

SAMPLES = SAMPLE_DATA


@pytest.fixture
def mistakes(tmp_path):
    target = tmp_path / "planning.xlsx"
    shutil.copy(SAMPLES / "weekly_planning_mistakes.xlsx", target)
    return target


def _results(path: Path) -> tuple[list[str], list[dict[str, object]]]:
    sheet = openpyxl.load_workbook(path)["Results"]
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return header, [dict(zip(header, row, strict=True)) for row in rows[1:]]


def _fix_in_place(path: Path) -> int:
    """What a planner does: open the results workbook, fix the red cells, save it."""
    book = openpyxl.load_workbook(path)
    sheet = book["Results"]
    header = [c.value for c in sheet[1]]
    col = {name: header.index(name) + 1 for name in header}
    fixed = 0
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(r, col["outcome"]).value != "invalid":
            continue
        fixed += 1
        sheet.cell(r, col["Identifiant mission"]).value = f"FIXED-{r:03d}"
        sheet.cell(r, col["Date d'intervention"]).value = "04/03/2027 09:30"
        sheet.cell(r, col["Date de péremption"]).value = None
        sheet.cell(r, col["Véhicule"]).value = "VL-01"
        sheet.cell(r, col["Ville"]).value = "Lyon"
        sheet.cell(r, col["Latitude"]).value = None
        sheet.cell(r, col["Longitude"]).value = None
        sheet.cell(r, col["À envoyer"]).value = "VRAI"
    book.save(path)
    return fixed


def test_fix_the_results_workbook_and_import_it_again(mistakes, tmp_path):
    with Sandbox() as sb:
        settings = Settings(
            api_url=sb.url,
            login=DEMO_LOGIN,
            password=DEMO_PASSWORD,
            journal=tmp_path / "journal.sqlite3",
        )
        first = import_file(mistakes, settings, show_progress=False)
        assert first.counts["invalid"] >= 8
        sent_first = first.counts["created"]
        results = first.output_path
        assert results == tmp_path / "planning.results.xlsx"

        fixed = _fix_in_place(results)
        calls_before = mission_calls(sb)
        second = import_file(results, settings, show_progress=False)

        assert second.counts == {"created": fixed, "unchanged": sent_first}
        assert mission_calls(sb) - calls_before == 2 * fixed  # status + create, fixed rows only
        assert all(m["creates"] == 1 for m in sb.missions())
        assert len(live(sb)) == sent_first + fixed

        # The source columns, their order and the user's extra columns survive the trip.
        header_again, _ = _results(second.output_path)
        original = _results(results)[0]
        source_columns = original[: original.index("row")]
        assert header_again[: len(source_columns)] == source_columns
        assert header_again[len(source_columns) :] == result_headers("en")


def test_results_workbook_reimports_as_plain_input_without_added_columns(mistakes):
    report = validate_file(mistakes, Settings())
    again = validate_file(report.output_path, Settings(), write=False)
    assert [o.row for o in again.outcomes] == [o.row for o in report.outcomes]
    assert [o.outcome for o in again.outcomes] == [o.outcome for o in report.outcomes]


def test_only_failed_keeps_just_the_problem_rows_with_their_numbers(mistakes, tmp_path):
    full = validate_file(mistakes, Settings(), write=False)
    bad_rows = [o.row for o in full.outcomes if o.outcome.value == "invalid"]
    out = tmp_path / "to_fix.xlsx"
    result = CliRunner().invoke(
        cli, ["--lang", "en", "validate", str(mistakes), "--only-failed", "-o", str(out), "--quiet"]
    )
    assert result.exit_code == 1
    _, rows = _results(out)
    assert [r["row"] for r in rows] == bad_rows
    assert {r["outcome"] for r in rows} == {"invalid"}


def test_json_summary_is_machine_readable(mistakes):
    result = CliRunner().invoke(cli, ["--lang", "en", "validate", str(mistakes), "--json"])
    summary = json.loads(result.output)
    assert summary["command"] == "validate"
    assert summary["exit_code"] == result.exit_code == 1
    assert summary["rows"] == sum(summary["counts"].values())
    assert summary["output"].endswith("planning.results.xlsx")
    first = summary["problems"][0]
    assert set(first) == {"row", "outcome", "column", "code", "message"}
    assert first["code"].startswith("validation.")


def test_french_results_workbook_reimports_too(mistakes, tmp_path):
    out = tmp_path / "fr.xlsx"
    result = CliRunner().invoke(cli, ["--lang", "fr", "validate", str(mistakes), "-o", str(out)])
    assert result.exit_code == 1
    book = openpyxl.load_workbook(out)
    assert book.sheetnames[0] == "Résultats"
    original = validate_file(mistakes, Settings(), write=False)
    again = validate_file(out, Settings(), write=False)
    assert [o.outcome for o in again.outcomes] == [o.outcome for o in original.outcomes]
