"""The results workbook, re-opened with openpyxl and checked cell by cell."""

from __future__ import annotations

import re
import string
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from importer.errors import InputError
from importer.messages import catalogue, get_language, language_context, set_language
from importer.messages import results as results_messages
from importer.model import Outcome, RowIssue, RowOutcome, SourceTable
from importer.read.table import read_table
from importer.report import workbook as results
from importer.report.audit_log import row_record
from importer.report.cells import ERROR_FILL, OUTCOME_CELL_COLOURS, WARNING_FILL
from importer.report.numbers import format_number
from importer.report.summary_sheet import SummaryFacts, safe_settings, top_problems
from importer.report.workbook import write_results
from importer.result_columns import RESULT_COLUMNS, result_headers

ENGLISH_HEADERS = result_headers("en")

HEADERS = [
    "Identifiant mission",
    "Date d'intervention",
    "Code postal",
    "Commentaire",
    "À envoyer",
    "Latitude",
    "",
]
COLUMNS = [*HEADERS[:-1], "column 7"]  # the reader names an empty header "column N"
ROWS = [  # one row per outcome, Excel rows 2..9
    ["M1", datetime(2027, 3, 1, 8, 30), 1000, "=1+1", True, 48.85, None],
    ["M2", datetime(2027, 3, 2, 9, 0), 69003, "+33 6 12 34 56 78", False, 45.76, "x"],
    ["M3", date(2027, 3, 3), "01000", "-5 degrees", "VRAI", None, None],
    ["M4", "32/13/2027 08:00", 13001, "@home", None, 43.3, None],
    ["M5", datetime(2027, 3, 4, 10, 15), 75001, "\tTabbed", "FAUX", 123.0, None],
    [None, time(8, 0), 33000, "\rCR", "oui", 44.8, None],
    ["M7", datetime(2027, 3, 5, 11, 0), 59000, "plain text", "non", 50.6, None],
    ["M8", datetime(2027, 3, 5, 12, 0), 67000, "", True, 48.57, None],
]
ROW_NUMBERS = list(range(2, 10))
STARTED = datetime(2026, 11, 27, 20, 5, 0, tzinfo=UTC)
FINISHED = datetime(2026, 11, 27, 20, 5, 12, 500_000, tzinfo=UTC)


def bad_date(row: int) -> RowIssue:
    return RowIssue(
        row,
        "Date d'intervention",
        "32/13/2027 08:00",
        "validation.date_format",
        {"value": "32/13/2027 08:00"},
    )


def placeholders(template: str) -> dict[str, str]:
    """A value for every placeholder of a catalogue text."""
    return {name: "x" for _, name, _, _ in string.Formatter().parse(template) if name}


LATITUDE = RowIssue(6, "Latitude", 123.0, "validation.latitude_range", {"value": "123"})
NOT_SENT_TO_VEHICLE = RowIssue(
    6, "À envoyer", "FAUX", "validation.destination_none", {"value": "FAUX"}, "warning"
)
ID_REQUIRED = RowIssue(7, "Identifiant mission", None, "validation.id_required")
NO_RECIPIENT = RowIssue(7, None, None, "validation.recipient_missing")
IN_THE_PAST = RowIssue(
    8, "Commentaire", "plain text", "validation.date_past", {"value": "x", "utc": "y"}, "warning"
)


def make_outcomes() -> list[RowOutcome]:
    return [
        RowOutcome(
            2,
            Outcome.CREATED,
            "ajoutMission",
            200,
            "Mission M1 créée",
            attempts=1,
            utc_inter="01/03/2027 07:30",
            extra={"status": "EN COURS"},
        ),
        RowOutcome(
            3,
            Outcome.MODIFIED,
            "modifierMission",
            200,
            "Mission M2 modifiée",
            attempts=2,
            utc_inter="02/03/2027 08:00",
            utc_peremp="03/03/2027 08:00",
        ),
        RowOutcome(
            3 + 1, Outcome.DELETED, "supprimerMission", 200, "Mission M3 supprimée", attempts=1
        ),
        RowOutcome(5, Outcome.INVALID, errors=[bad_date(5)]),
        RowOutcome(
            6,
            Outcome.FAILED,
            "ajoutMission",
            422,
            '=HYPERLINK("http://x")',
            attempts=1,
            errors=[LATITUDE],
            warnings=[NOT_SENT_TO_VEHICLE],
        ),
        RowOutcome(
            7,
            Outcome.INVALID,
            errors=[ID_REQUIRED, NO_RECIPIENT],
        ),
        RowOutcome(
            8,
            Outcome.UNCHANGED,
            "",
            None,
            "",
            attempts=0,
            warnings=[IN_THE_PAST],
        ),
        RowOutcome(9, Outcome.NOT_SENT),
    ]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    before = get_language()
    set_language("en")
    yield
    set_language(before)


@pytest.fixture
def table() -> SourceTable:
    data = pd.DataFrame(ROWS, columns=COLUMNS, index=ROW_NUMBERS, dtype=object)
    return SourceTable(
        path=Path("planning.xlsx"), headers=list(HEADERS), data=data, sheet="Planning"
    )


@pytest.fixture
def summary() -> SummaryFacts:
    return SummaryFacts(
        command="import",
        input_path=Path("/data/planning.xlsx"),
        started_at=STARTED,
        finished_at=FINISHED,
        settings={
            "api_url": "https://bob:hunter2@ocean.example/ocean",
            "workers": "8",
            "password": "hunter2",
            "api_token": "tok",
            "client_secret": "s",
        },
        notes=['column "Notes" is not a mission field'],
    )


@pytest.fixture
def written(tmp_path: Path, table: SourceTable, summary: SummaryFacts) -> Path:
    return write_results(
        tmp_path / "planning.results.xlsx",
        table,
        make_outcomes(),
        summary,
        extra_columns=["status"],
    )


@pytest.fixture
def written_fr(tmp_path: Path, table: SourceTable, summary: SummaryFacts) -> Path:
    return write_results(
        tmp_path / "planning.results.xlsx", table, make_outcomes(), summary, lang="fr"
    )


def sheet_rows(ws) -> list[list]:
    return [[cell.value for cell in row] for row in ws.iter_rows()]


def test_sheets_and_headers_in_order(written: Path) -> None:
    wb = openpyxl.load_workbook(written)
    assert wb.sheetnames == ["Results", "Errors", "Summary"]
    header = [c.value for c in wb["Results"][1]]
    assert header == [*HEADERS[:-1], None, *ENGLISH_HEADERS, "status"]
    assert ENGLISH_HEADERS == [
        "row",
        "outcome",
        "action",
        "http_status",
        "message",
        "errors",
        "warnings",
        "attempts",
        "jourHeureInter (UTC)",
        "jourHeurePeremp (UTC)",
        "lookups",  # appended later: new columns go after the existing ones
    ]


def test_one_row_per_outcome_in_source_order(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["Results"]
    assert ws.max_row == 1 + len(ROWS)
    outcome_col = len(HEADERS) + 2
    assert [ws.cell(r, len(HEADERS) + 1).value for r in range(2, 10)] == ROW_NUMBERS
    assert [ws.cell(r, outcome_col).value for r in range(2, 10)] == [
        "created",
        "modified",
        "deleted",
        "invalid",
        "failed",
        "invalid",
        "unchanged",
        "not_sent",
    ]


def test_source_values_keep_their_type(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["Results"]
    assert ws["A2"].value == "M1"
    assert ws["B2"].value == datetime(2027, 3, 1, 8, 30)
    assert ws["B2"].number_format == "dd/mm/yyyy hh:mm"
    assert ws["B4"].value == datetime(2027, 3, 3) and ws["B4"].number_format == "dd/mm/yyyy"
    assert ws["B5"].value == "32/13/2027 08:00" and ws["B5"].data_type == "s"
    assert ws["B7"].value == time(8, 0)
    assert ws["C2"].value == 1000 and ws["C2"].data_type == "n"
    assert ws["C4"].value == "01000" and ws["C4"].data_type == "s"
    assert ws["E2"].value is True and ws["E3"].value is False
    assert ws["E4"].value == "VRAI"
    assert ws["F2"].value == 48.85
    assert ws["A7"].value is None and ws["F4"].value is None
    assert ws["G3"].value == "x"


def test_added_columns(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["Results"]
    rows = sheet_rows(ws)
    n = len(HEADERS)
    created, failed, missing_id = rows[1][n:], rows[5][n:], rows[6][n:]
    assert created == [
        2,
        "created",
        "ajoutMission",
        200,
        "Mission M1 créée",
        None,
        None,
        1,
        "01/03/2027 07:30",
        None,
        0,
        "EN COURS",
    ]
    assert rows[2][n + 8 : n + 10] == ["02/03/2027 08:00", "03/03/2027 08:00"]
    assert failed[:5] == [6, "failed", "ajoutMission", 422, '=HYPERLINK("http://x")']
    assert failed[5] == f"Latitude: {LATITUDE.text('en')}"
    assert failed[6] == f"À envoyer: {NOT_SENT_TO_VEHICLE.text('en')}"
    assert missing_id[5] == (
        f"Identifiant mission: {ID_REQUIRED.text('en')}; {NO_RECIPIENT.text('en')}"
    )
    assert missing_id[3] is None and missing_id[7] == 0


def test_formula_like_strings_stay_text(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["Results"]
    texts = ["=1+1", "+33 6 12 34 56 78", "-5 degrees", "@home", "\tTabbed", "\rCR"]
    for row, text in enumerate(texts, start=2):
        cell = f"D{row}"
        # openpyxl leaves Excel's _x000D_ escape of a carriage return as is
        assert re.sub(r"_x([0-9A-F]{4})_", lambda m: chr(int(m[1], 16)), ws[cell].value) == text
        assert ws[cell].data_type == "s"
        assert ws[cell].quotePrefix
    assert ws["D8"].quotePrefix is False
    # the reader the tool uses gets every text back exactly
    sheet = CalamineWorkbook.from_path(str(written)).get_sheet_by_index(0).to_python()
    assert [r[3] for r in sheet[1:7]] == texts
    with zipfile.ZipFile(written) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 3
        for name in sheets:
            assert not re.search(r"<f[ >]", archive.read(name).decode()), name


def test_outcome_cells_are_coloured(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["Results"]
    col = len(HEADERS) + 2
    for row in range(2, 10):
        cell = ws.cell(row, col)
        fill, font = OUTCOME_CELL_COLOURS[cell.value]
        assert cell.fill.fgColor.rgb == "FF" + fill[1:]
        assert cell.font.color.rgb == "FF" + font[1:]


def test_problem_cells_are_highlighted_with_comments(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["Results"]
    red, amber = "FF" + ERROR_FILL[1:], "FF" + WARNING_FILL[1:]
    assert ws["B5"].fill.fgColor.rgb == red
    assert "is not a date" in ws["B5"].comment.text
    assert ws["F6"].fill.fgColor.rgb == red
    assert ws["F6"].comment.text == LATITUDE.text("en")
    assert ws["E6"].fill.fgColor.rgb == amber
    assert ws["E6"].comment.text == NOT_SENT_TO_VEHICLE.text("en")
    assert ws["A7"].fill.fgColor.rgb == red  # an empty cell is highlighted too
    assert ws["A7"].comment.text == ID_REQUIRED.text("en")
    assert ws["D8"].fill.fgColor.rgb == amber
    # a problem about the whole row goes on the outcome cell
    assert ws.cell(7, len(HEADERS) + 2).comment.text == NO_RECIPIENT.text("en")
    # cells without problems: no fill, no comment
    assert ws["B2"].fill.fgColor.rgb != red and ws["B2"].comment is None
    assert ws["B6"].comment is None
    commented = sorted(c.coordinate for row in ws.iter_rows() for c in row if c.comment)
    assert commented == ["A7", "B5", "D8", "E6", "F6", "I7"]


def test_errors_sheet_lists_each_problem_with_a_link(written: Path) -> None:
    wb = openpyxl.load_workbook(written)
    ws = wb["Errors"]
    rows = sheet_rows(ws)
    assert rows[0] == ["row", "column", "value", "severity", "explanation", "code", "cell"]
    assert [r[:4] for r in rows[1:]] == [
        [5, "Date d'intervention", "32/13/2027 08:00", "error"],
        [6, "Latitude", 123, "error"],
        [6, "À envoyer", "FAUX", "warning"],
        [7, "Identifiant mission", None, "error"],
        [7, "(whole row)", None, "error"],
        [8, "Commentaire", "plain text", "warning"],
    ]
    links = [ws.cell(r, 7).hyperlink.location for r in range(2, 8)]
    assert links == [
        "'Results'!B5",
        "'Results'!F6",
        "'Results'!E6",
        "'Results'!A7",
        "'Results'!I7",
        "'Results'!D8",
    ]
    assert ws.cell(2, 7).value == "Results!B5"
    results_ws = wb["Results"]
    for location in links:  # each link lands on the highlighted cell
        assert results_ws[location.split("!")[1]].comment is not None
    assert ws.auto_filter.ref == "A1:G7"
    assert ws.freeze_panes == "A2"


def test_results_sheet_layout(written: Path) -> None:
    ws = openpyxl.load_workbook(written)["Results"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:S9"
    assert ws["A1"].font.b and ws["H1"].font.b
    widths = [ws.column_dimensions[letter].width for letter in "ABCDEFGHIJKLMNOPQR"]
    assert all(8 <= w <= results.MAX_WIDTH + 1 for w in widths), widths


def test_summary_counts_problems_settings_notes(written: Path) -> None:
    rows = [
        [v for v in r if v is not None]
        for r in sheet_rows(openpyxl.load_workbook(written)["Summary"])
    ]
    facts = {r[0]: r[1] for r in rows if len(r) == 2}
    assert facts["Command"] == "import"
    assert facts["Input file"] == str(Path("/data/planning.xlsx"))
    assert facts["Sheet"] == "Planning"
    assert facts["Rows"] == 8
    assert facts["Duration"] == "12.5 s"
    assert isinstance(facts["Started"], datetime)
    counts = {r[0]: r[2] for r in rows if len(r) == 4 and r[0] in OUTCOME_CELL_COLOURS}
    assert counts == {
        "created": 1,
        "modified": 1,
        "deleted": 1,
        "unchanged": 1,
        "valid": 0,
        "invalid": 2,
        "failed": 1,
        "not_sent": 1,
    }
    problems = [
        r
        for r in rows
        if len(r) == 2 and isinstance(r[0], int) and isinstance(r[1], str) and "row" in r[1]
    ]
    assert len(problems) == 6
    assert problems[0][1].startswith("Date d'intervention: ")
    assert facts["api_url"] == "https://ocean.example/ocean"
    assert facts["workers"] == "8"
    flat = " ".join(str(v) for r in rows for v in r)
    assert "hunter2" not in flat and "tok" not in flat and "client_secret" not in flat
    assert ['column "Notes" is not a mission field'] in rows


def test_french_workbook(written_fr: Path) -> None:
    wb = openpyxl.load_workbook(written_fr)
    assert wb.sheetnames == ["Résultats", "Erreurs", "Résumé"]
    ws = wb["Résultats"]
    header = [c.value for c in ws[1]][len(HEADERS) :]
    assert header == result_headers("fr")
    assert header[:3] == ["ligne", "résultat", "appel"]
    assert ws.cell(2, len(HEADERS) + 2).value == "created"  # the stable key stays
    errors = wb["Erreurs"]
    assert errors["A1"].value == "ligne" and errors["D2"].value == "erreur"
    assert errors["G2"].hyperlink.location == "'Résultats'!B5"
    rows = [[v for v in r if v is not None] for r in sheet_rows(wb["Résumé"])]
    facts = {r[0]: r[1] for r in rows if len(r) == 2}
    assert facts["Durée"] == "12,5 s"
    assert facts["Débit"] == "0,6 lignes/s"
    assert ["created", "créée", 1, "la mission a été créée dans Ocean"] in rows
    assert next(r for r in rows if r[:1] == ["failed"])[:3] == ["failed", "en échec", 1]
    started = next(row[1] for row in wb["Résumé"].iter_rows() if row[0].value == "Début")
    assert isinstance(started.value, datetime)
    assert started.number_format == "dd/mm/yyyy hh:mm"


def test_english_headers_come_from_the_design() -> None:
    assert result_headers("de") == ENGLISH_HEADERS
    assert len(set(result_headers("fr"))) == len(RESULT_COLUMNS)


def test_atomic_write_leaves_no_temporary_file(written: Path) -> None:
    assert written.name == "planning.results.xlsx"
    assert sorted(p.name for p in written.parent.iterdir()) == ["planning.results.xlsx"]


def test_replaces_an_existing_workbook(
    tmp_path: Path, table: SourceTable, summary: SummaryFacts
) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"old")
    assert write_results(target, table, make_outcomes(), summary) == target
    assert openpyxl.load_workbook(target).sheetnames[0] == "Results"


def test_locked_target_is_written_beside(
    tmp_path: Path, table: SourceTable, summary: SummaryFacts
) -> None:
    target = tmp_path / "planning.results.xlsx"
    target.mkdir()  # cannot be replaced, like a file Excel holds open on Windows
    (target / "keep").write_text("x")
    written = write_results(target, table, make_outcomes(), summary)
    assert written != target
    assert re.fullmatch(r"planning\.results-\d{8}-\d{4}\.xlsx", written.name)
    assert written.parent == tmp_path
    assert openpyxl.load_workbook(written)["Results"]["A2"].value == "M1"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, written.name])


def test_missing_folder_is_an_input_error(
    tmp_path: Path, table: SourceTable, summary: SummaryFacts
) -> None:
    target = tmp_path / "nowhere" / "out.xlsx"
    with pytest.raises(InputError, match="nowhere"):
        write_results(target, table, make_outcomes(), summary)


def test_unwritable_is_an_input_error(tmp_path: Path) -> None:
    def build(tmp: Path) -> None:
        raise PermissionError(13, "Permission denied")

    with pytest.raises(InputError, match=r"Permission denied.*-o/--output"):
        results.save_atomically(tmp_path / "out.xlsx", build)
    assert list(tmp_path.iterdir()) == []


def test_outcomes_must_match_rows(
    tmp_path: Path, table: SourceTable, summary: SummaryFacts
) -> None:
    with pytest.raises(ValueError, match="7 outcomes for 8 rows"):
        write_results(tmp_path / "x.xlsx", table, make_outcomes()[:7], summary)


def test_comment_and_link_limits(
    tmp_path: Path, table: SourceTable, summary: SummaryFacts, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(results, "MAX_COMMENTS", 2)
    monkeypatch.setattr(results, "MAX_LINKS", 3)
    path = write_results(tmp_path / "x.xlsx", table, make_outcomes(), summary)
    wb = openpyxl.load_workbook(path)
    ws = wb["Results"]
    assert sum(1 for row in ws.iter_rows() for c in row if c.comment) == 2
    assert ws["A7"].fill.fgColor.rgb == "FF" + ERROR_FILL[1:]  # still coloured
    errors = wb["Errors"]
    assert [errors.cell(r, 7).hyperlink is not None for r in range(2, 8)] == [
        True,
        True,
        True,
        False,
        False,
        False,
    ]
    assert errors.cell(7, 7).value == "Results!D8"
    notes = [c.value for row in wb["Summary"].iter_rows() for c in row if c.value]
    assert any("Only the first 2 problem cells" in str(v) for v in notes)
    assert any("65,530" in str(v) or "3 links" in str(v) for v in notes)


def test_many_rows_stay_in_order(tmp_path: Path, summary: SummaryFacts) -> None:
    n = 3000
    data = pd.DataFrame(
        {"idMission": [f"M{i}" for i in range(n)], "Date": [datetime(2027, 3, 1, 8, 0)] * n},
        index=range(2, n + 2),
        dtype=object,
    )
    table = SourceTable(Path("big.csv"), ["idMission", "Date"], data)
    outcomes = [
        RowOutcome(
            i + 2,
            Outcome.VALID if i % 7 else Outcome.INVALID,
            errors=[] if i % 7 else [bad_date(i + 2)],
        )
        for i in range(n)
    ]
    ws = openpyxl.load_workbook(
        write_results(tmp_path / "big.xlsx", table, outcomes, summary), read_only=True
    )["Results"]
    got = [(r[0], r[2], r[3]) for r in ws.iter_rows(min_row=2, values_only=True)]
    assert got == [(f"M{i}", i + 2, "valid" if i % 7 else "invalid") for i in range(n)]


def test_top_problems_groups_by_code_most_frequent_first() -> None:
    issues = [bad_date(r) for r in (5, 9, 12)] + [bad_date(12)]
    issues += [RowIssue(4, "Nom", "", "validation.id_required")]
    top = top_problems(issues)
    assert top[0] == (3, f"Date d'intervention: {bad_date(5).text('en')} (first at row 5)")
    assert top[1] == (1, f"Nom: {issues[-1].text('en')} (row 4)")  # the count: its own column
    texts = catalogue()["en"]
    codes = [key for key in texts if key.startswith("validation.")][:15]
    many = [
        RowIssue(i, None, None, code, placeholders(texts[code])) for i, code in enumerate(codes)
    ]
    assert len(top_problems(many)) == 10
    assert top_problems(issues, lang="fr")[0][1].endswith("(première à la ligne 5)")


@pytest.mark.parametrize(
    ("value", "lang", "decimals", "expected"),
    [
        (1234.56, "en", 1, "1,234.6"),
        (1234.56, "fr", 1, "1\u202f234,6"),
        (37, "fr", 0, "37"),
        (0.25, "fr", 2, "0,25"),
    ],
    ids=["en", "fr", "fr-int", "fr-small"],
)
def test_format_number(value: float, lang: str, decimals: int, expected: str) -> None:
    assert format_number(value, lang, decimals) == expected


def test_safe_settings_drop_credentials() -> None:
    kept = safe_settings(
        {
            "login": "demo",
            "password": "x",
            "OCEAN_PASSWORD": "x",
            "token_lifetime": "1",
            "api_url": "http://u:p@h:8/x",
            "rate": "5",
        }
    )
    assert kept == {"login": "demo", "api_url": "http://h:8/x", "rate": "5"}


def test_catalogue_is_complete_in_both_languages() -> None:
    assert set(results_messages.EN) == set(results_messages.FR)
    assert all(key.startswith("results.") for key in results_messages.EN)
    for column in RESULT_COLUMNS:
        assert re.fullmatch(r"[a-z_]+", column.key)
        assert f"results.col.{column.key}" in results_messages.FR
    texts = catalogue()
    for outcome in Outcome:
        assert f"results.outcome.{outcome.value}" in texts["fr"]
        assert f"results.meaning.{outcome.value}" in texts["fr"]
    fields = set(re.findall(r"\{(\w+)\}", " ".join(results_messages.EN.values())))
    assert fields <= {
        "count",
        "text",
        "row",
        "limit",
        "path",
        "reason",
        "folder",
        "target",
        "seconds",
        "rate",
    }


def test_unusual_values_are_written_faithfully(tmp_path: Path, summary: SummaryFacts) -> None:
    values = [
        pd.Timestamp("2027-03-01 08:30", tz="Europe/Paris"),
        np.int64(7),
        np.float64(2.5),
        np.bool_(True),
        float("nan"),
        float("inf"),
        pd.NaT,
        Decimal("1.10"),
        2**60,
        datetime(1850, 1, 1, 12, 0),
    ]
    columns = [f"c{i}" for i in range(len(values))]
    data = pd.DataFrame([values], columns=columns, index=[2], dtype=object)
    table = SourceTable(Path("odd.xlsx"), columns, data)
    path = write_results(tmp_path / "odd.xlsx", table, [RowOutcome(2, Outcome.VALID)], summary)
    row = [c.value for c in openpyxl.load_workbook(path)["Results"][2]][: len(values)]
    assert row == [
        datetime(2027, 3, 1, 8, 30),
        7,
        2.5,
        True,
        None,
        "inf",
        None,
        "1.10",
        str(2**60),
        "1850-01-01 12:00:00",
    ]


def test_empty_table_still_gives_a_complete_workbook(tmp_path: Path, summary: SummaryFacts) -> None:
    data = pd.DataFrame({"idMission": []}, dtype=object)
    table = SourceTable(Path("empty.csv"), ["idMission"], data)
    wb = openpyxl.load_workbook(write_results(tmp_path / "e.xlsx", table, [], summary))
    assert [c.value for c in wb["Results"][1]] == ["idMission", *ENGLISH_HEADERS]
    assert wb["Results"].max_row == 1 and wb["Errors"].max_row == 1
    texts = [c.value for row in wb["Summary"].iter_rows() for c in row if c.value]
    assert "No problem found." in texts


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_result_column_is_written_read_back_and_logged(
    tmp_path: Path, table: SourceTable, summary: SummaryFacts, lang: str
) -> None:
    """One table of result columns feeds the workbook, the reader and the audit log."""
    outcome = RowOutcome(
        2,
        Outcome.CREATED,
        action="ajoutMission",
        http_status=200,
        message="Mission créée",
        errors=[bad_date(2)],
        warnings=[RowIssue(2, None, None, "validation.destination_none")],
        attempts=2,
        lookups=1,
        utc_inter="03/12/2026 07:30",
        utc_peremp="04/12/2026 07:30",
    )
    one = SourceTable(table.path, list(table.headers), table.data.iloc[:1], sheet="Planning")
    path = write_results(tmp_path / "one.xlsx", one, [outcome], summary, lang=lang)
    ws = openpyxl.load_workbook(path).worksheets[0]
    header = [c.value for c in ws[1]][len(HEADERS) :]
    values = [c.value for c in ws[2]][len(HEADERS) :]
    assert header == [column.header(lang) for column in RESULT_COLUMNS]
    record = row_record(outcome, "one.xlsx")
    for column, written_value in zip(RESULT_COLUMNS, values, strict=True):
        with language_context(lang):  # the workbook speaks its own language
            assert written_value == column.cell(outcome), column.key
        assert record[column.key] == column.logged(outcome), column.key
    assert record["errors"] == [outcome.errors[0].as_text()]  # a list in the log
    read_back = read_table(path).headers
    assert read_back[:2] == HEADERS[:2]
    assert not set(read_back) & {column.header(lang) for column in RESULT_COLUMNS}  # all cut


def test_a_results_workbook_written_before_the_newer_columns_is_recognised(
    tmp_path: Path,
) -> None:
    older = [column.header("fr") for column in RESULT_COLUMNS if not column.newer]
    assert len(older) < len(RESULT_COLUMNS)  # (some columns are newer)
    path = tmp_path / "old.results.xlsx"
    pd.DataFrame([["M1", *range(len(older))]], columns=["idMission", *older]).to_excel(
        path, index=False
    )
    assert read_table(path).headers == ["idMission"]
