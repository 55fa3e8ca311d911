"""The planning template and the bundled samples, re-opened with openpyxl."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from helpers import PROJECT_ROOT

from importer.messages import results as results_messages
from importer.model import Action
from importer.report.template import (
    ACTION_CHOICES,
    BOOL_CHOICES,
    SPEC,
    template_headers,
    write_template,
)
from importer.rows.columns import FIELDS, map_headers, match_header

ROOT = PROJECT_ROOT
ACCEPTED_BOOLEANS = {"TRUE", "FALSE", "VRAI", "FAUX", "oui", "non"}
ACCEPTED_ACTIONS = {a.value for a in Action} | {"ajout", "modification", "suppression"}


@pytest.fixture(scope="module", params=["fr", "en"])
def template(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    lang = request.param
    path = write_template(tmp_path_factory.mktemp(lang) / "missions.xlsx", lang)
    return lang, path, openpyxl.load_workbook(path)


def test_sheets_and_friendly_headers(template) -> None:
    lang, _, wb = template
    assert wb.sheetnames == ["Missions", "Instructions"]
    headers = [c.value for c in wb["Missions"][1]]
    assert headers == template_headers(lang)
    expected = [f.label_fr if lang == "fr" else f.label_en for f in FIELDS]
    assert headers == expected
    assert len(headers) == 18 and wb["Missions"].max_row == 1  # no data row


def test_every_label_maps_to_its_field_without_mapping(template) -> None:
    _, _, wb = template
    headers = [c.value for c in wb["Missions"][1]]
    assert [match_header(h) for h in headers] == [f.name for f in FIELDS]
    header_map = map_headers(headers, source="missions.xlsx")
    assert header_map.unknown == []
    assert set(header_map.field_to_column) == {f.name for f in FIELDS}


def test_an_input_message_on_every_column(template) -> None:
    lang, _, wb = template
    ws = wb["Missions"]
    validations = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    catalogue = results_messages.FR if lang == "fr" else results_messages.EN
    assert len(validations) == len(FIELDS)
    for col, item in enumerate(FIELDS):
        letter = openpyxl.utils.get_column_letter(col + 1)
        dv = validations[f"{letter}2:{letter}1048576"]
        assert dv.showInputMessage
        assert dv.promptTitle == (item.label_fr if lang == "fr" else item.label_en)
        assert dv.prompt == catalogue[f"results.template.help.{item.name}"]
        assert len(dv.promptTitle) <= 32 and len(dv.prompt) <= 255


def _list_values(ws, field_name: str) -> list[str]:
    col = [f.name for f in FIELDS].index(field_name) + 1
    letter = openpyxl.utils.get_column_letter(col)
    dv = next(
        d for d in ws.data_validations.dataValidation if str(d.sqref).startswith(f"{letter}2")
    )
    assert dv.type == "list" and dv.errorStyle == "warning"
    return dv.formula1.strip('"').split(",")


def test_drop_down_lists_hold_accepted_values(template) -> None:
    lang, _, wb = template
    ws = wb["Missions"]
    send = _list_values(ws, "aEnvoyer")
    assert send == (["VRAI", "FAUX"] if lang == "fr" else ["TRUE", "FALSE"])
    assert set(send) <= ACCEPTED_BOOLEANS
    actions = _list_values(ws, "action")
    assert set(actions) == ACCEPTED_ACTIONS
    assert actions[0] == ("ajout" if lang == "fr" else "create")
    assert set(BOOL_CHOICES["fr"] + BOOL_CHOICES["en"]) <= ACCEPTED_BOOLEANS
    assert all(set(choices) == ACCEPTED_ACTIONS for choices in ACTION_CHOICES.values())


def test_column_formats_and_frozen_header(template) -> None:
    _, _, wb = template
    ws = wb["Missions"]

    def column_format(name: str) -> str:
        index = [f.name for f in FIELDS].index(name) + 1  # a <col> may span several columns
        return next(
            d.number_format for d in ws.column_dimensions.values() if d.min <= index <= d.max
        )

    for name in ("jourHeureInter", "jourHeurePeremp"):
        assert column_format(name) == "dd/mm/yyyy hh:mm"
    assert column_format("codPost") == "@"
    assert column_format("idMission") == "@"
    assert column_format("ville") == "General"
    assert ws.freeze_panes == "A2"
    assert all(ws.cell(1, col).font.b for col in range(1, len(FIELDS) + 1))


def test_instructions_explain_every_column(template) -> None:
    lang, _, wb = template
    rows = [[c.value for c in row] for row in wb["Instructions"].iter_rows()]
    catalogue = results_messages.FR if lang == "fr" else results_messages.EN
    assert rows[0][0] == catalogue["results.template.title"]
    by_field = {row[1]: row for row in rows if row[1] in SPEC}
    assert list(by_field) == [f.name for f in FIELDS]
    for item in FIELDS:
        label, _, required, fmt, example, explanation = by_field[item.name][:6]
        assert label == (item.label_fr if lang == "fr" else item.label_en)
        assert required and fmt and example and explanation
        assert explanation == catalogue[f"results.template.help.{item.name}"]
    required = catalogue["results.template.req.required"]
    assert {n for n, row in by_field.items() if row[2] == required} == {
        "idMission",
        "jourHeureInter",
    }
    # the instructions sheet must not look like data to the reader (<2 fields per row)
    assert all(len({match_header(v) for v in row if v} - {None}) < 2 for row in rows)


def test_filled_template_keeps_typed_values(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx", "fr")
    wb = openpyxl.load_workbook(path)
    ws = wb["Missions"]
    ws.append(
        [
            "M1",
            None,
            datetime(2027, 3, 1, 8, 30),
            None,
            "Livraison",
            "Fourgon 12",
            None,
            None,
            None,
            None,
            None,
            None,
            "01000",
            "Bourg-en-Bresse",
            "VRAI",
            5.2,
            46.2,
            "ajout",
        ]
    )
    wb.save(path)
    again = openpyxl.load_workbook(path)["Missions"]
    assert again["M2"].value == "01000"
    assert again["C2"].value == datetime(2027, 3, 1, 8, 30)
    assert [match_header(c.value) for c in again[1]] == [f.name for f in FIELDS]


def test_written_atomically_and_reproducibly(tmp_path: Path) -> None:
    created = datetime(2027, 1, 4, 9, 0)
    first = write_template(tmp_path / "a.xlsx", "fr", created=created)
    second = write_template(tmp_path / "b.xlsx", "fr", created=created)
    assert first.read_bytes() == second.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.xlsx"]


def test_catalogue_texts_fit_excel_limits() -> None:
    for texts in (results_messages.EN, results_messages.FR):
        for item in FIELDS:
            assert len(texts[f"results.template.help.{item.name}"]) <= 255
            assert texts[f"results.template.example.{item.name}"]
        assert len(texts["results.template.list_title"]) <= 32
        assert len(texts["results.template.list_message"]) <= 255


def test_committed_template_is_the_french_one() -> None:
    wb = openpyxl.load_workbook(ROOT / "templates" / "missions_template.xlsx")
    assert wb.sheetnames == ["Missions", "Instructions"]
    assert [c.value for c in wb["Missions"][1]] == template_headers("fr")


def test_sample_plannings() -> None:
    clean = openpyxl.load_workbook(ROOT / "sample_data" / "weekly_planning.xlsx")["Missions"]
    headers = [c.value for c in clean[1]]
    assert headers == template_headers("fr")
    rows = list(clean.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 50
    col = {
        name: headers.index(label)
        for name, label in zip([f.name for f in FIELDS], template_headers("fr"), strict=True)
    }
    dates = [r[col["jourHeureInter"]] for r in rows]
    assert all(
        isinstance(d, datetime) and datetime(2027, 3, 1) <= d < datetime(2027, 3, 6) for d in dates
    )
    postcodes = [r[col["codPost"]] for r in rows if r[col["codPost"]] is not None]
    assert all(isinstance(p, int) for p in postcodes) and min(postcodes) < 10000
    assert len({r[col["idMission"]] for r in rows}) == 50
    assert {r[col["aEnvoyer"]] for r in rows} == {"VRAI", "FAUX"}
    mistakes = openpyxl.load_workbook(ROOT / "sample_data" / "weekly_planning_mistakes.xlsx")
    values = [c for row in mistakes["Missions"].iter_rows(min_row=2, values_only=True) for c in row]
    for typical in (
        "32/13/2027 08:00",
        "04/03/2027",
        "peut-être",
        123.0,
        datetime(2027, 3, 28, 2, 30),
    ):
        assert typical in values


def test_sample_erp_export_is_cp1252_semicolon() -> None:
    raw = (ROOT / "sample_data" / "erp_export.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252"), newline=""), delimiter=";"))
    assert [match_header(h) for h in rows[0]] == rows[0]  # API field names
    assert len(rows) == 31
    assert any("é" in row[rows[0].index("ville")] for row in rows[1:])
    inter = [
        datetime.strptime(r[rows[0].index("jourHeureInter")], "%d/%m/%Y %H:%M") for r in rows[1:]
    ]
    assert min(inter) >= datetime(2027, 3, 1)
