"""The check page in the planner's words: the file's own columns in messages, values as
written, problems counted by rule and column with a link that filters the grid.

The real app over a real sandbox on loopback, driven with requests as a browser without
JavaScript would.
"""

from __future__ import annotations

import html
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import openpyxl
import pytest
from helpers import excel_workbook
from web_support import Visitor, outcome_counts, running_site

from importer.model import RowIssue
from importer.web.drafts import cell_text, group_text

N = "\u202f"  # French narrow no-break space


@pytest.fixture
def visitor(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        yield person


def _upload(visitor: Visitor, path: Path, mapping: dict[int, str] | None = None) -> str:
    """Upload, choose the columns (position -> field) as a person would; the draft id."""
    with open(path, "rb") as handle:
        page = visitor.go("POST", "/upload", data={"csrf": visitor.csrf}, files={"file": handle})
    draft = page.url.split("/")[4]
    form = {"csrf": visitor.csrf, **{f"col{n}": name for n, name in (mapping or {}).items()}}
    check = visitor.go("POST", f"/drafts/{draft}/columns", data=form)
    assert "/check" in check.url, check.text
    return draft


def _text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_an_empty_vehicle_names_the_planners_column(visitor, tmp_path):
    path = tmp_path / "semaine.csv"
    path.write_text(
        "Identifiant mission;Date d'intervention;Technicien;Ville\n"
        "T-1;02/03/2027 08:30;;Lyon\n"
        "T-2;02/03/2027 09:30;VL-07;Lyon\n",
        encoding="utf-8",
    )
    draft = _upload(visitor, path, {2: "nomVeh"})  # "Technicien" holds the vehicles
    page = _text(visitor.go("GET", f"/drafts/{draft}/check?lang=fr").text)
    assert f"remplissez la colonne «{N}Technicien{N}» (le véhicule)" in page
    assert f"ou la colonne «{N}Nom et prénom{N}» (le nom complet)" in page  # not in the file
    assert "nomVeh" not in page and "nomPrenom" not in page


def test_problems_are_counted_by_rule_and_column_and_filter_the_grid(visitor, tmp_path):
    long_refs = ["Barbier Henry et Fils", "Établissements Martin"]  # 21 characters each
    path = tmp_path / "semaine.csv"
    lines = ["Identifiant mission;Date intervention;Date de péremption;Véhicule;Réf adresse"]
    lines += [
        "G-1;demain matin vers 10h;;VL-1;Dépôt",
        "G-2;bientôt;;VL-2;Dépôt",
        "G-3;02/03/2027 08:30;bientôt;VL-3;Dépôt",
        f"G-4;02/03/2027 08:30;;VL-4;{long_refs[0]}",
        f"G-5;02/03/2027 08:30;;VL-5;{long_refs[1]}",
        "G-6;02/03/2027 08:30;;VL-6;Dépôt",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    draft = _upload(visitor, path)
    page = visitor.go("GET", f"/drafts/{draft}/check?lang=fr").text

    def problem(href: str) -> str:  # the link's filter, whatever else its URL holds
        return "?problem=" + quote(parse_qs(urlsplit(html.unescape(href)).query)["problem"][0])

    links = {
        html.unescape(text): problem(href)
        for href, text in re.findall(r'<li><a href="([^"]+)"[^>]*>([^<]+)</a></li>', page)
    }
    assert links == {
        f"2 dates illisibles dans «{N}Date intervention{N}»": (
            "?problem=date_format%3ADate%20intervention"
        ),
        f"1 date illisible dans «{N}Date de péremption{N}»": (
            "?problem=date_format%3ADate%20de%20p%C3%A9remption"
        ),
        f"2 adresses de référence de plus de 20 caractères dans «{N}Réf adresse{N}»": (
            "?problem=adr_ref_long%3AR%C3%A9f%20adresse"
        ),
    }
    filtered = visitor.go("GET", f"/drafts/{draft}/check?problem=date_format%3ADate%20intervention")
    shown = set(re.findall(r'value="(G-\d)"', filtered.text))
    assert shown == {"G-1", "G-2"}
    other = visitor.go("GET", f"/drafts/{draft}/check?problem=adr_ref_long%3AR%C3%A9f%20adresse")
    assert set(re.findall(r'value="(G-\d)"', other.text)) == {"G-4", "G-5"}
    everything = visitor.go("GET", f"/drafts/{draft}/check").text
    assert set(re.findall(r'value="(G-\d)"', everything)) == {f"G-{n}" for n in range(1, 7)}


def test_the_grid_shows_values_as_the_planner_wrote_them(visitor, tmp_path):
    path = excel_workbook(
        tmp_path / "semaine.xlsx",
        ["Identifiant mission", "Date d'intervention", "Véhicule", "Code postal", "Latitude"],
        ["V-1", datetime(2027, 3, 2, 17, 15), "VL-07", 9000, 48.8566],
        ["V-2", datetime(2027, 3, 28, 2, 30), "VL-08", 69003, 45.76],
    )
    draft = _upload(visitor, path)
    page = visitor.go("GET", f"/drafts/{draft}/check?lang=fr").text
    values = re.findall(r'<input name="value" value="([^"]*)"', page)
    assert {"02/03/2027 17:15", "28/03/2027 02:30", "09000", "48,8566", "45,76"} <= set(values)
    assert not [v for v in values if re.fullmatch(r"\d{4}-\d\d-\d\d.*", v)]
    # the problem quotes the date as the cell shows it
    assert f"«{N}28/03/2027 02:30{N}» n'existe pas" in _text(page)
    english = visitor.go("GET", f"/drafts/{draft}/check?lang=en").text
    assert {"48.8566", "02/03/2027 17:15"} <= set(re.findall(r'value="([^"]*)"', english))


def test_an_edited_date_stays_a_date_in_the_results_workbook(visitor, tmp_path):
    path = excel_workbook(
        tmp_path / "semaine.xlsx",
        ["Identifiant mission", "Date d'intervention", "Véhicule", "Latitude", "Longitude"],
        ["E-1", datetime(2027, 3, 2, 17, 15), "VL-07", 48.85, 2.35],
        ["E-2", "demain matin", "VL-08", 45.76, 4.83],
    )
    draft = _upload(visitor, path)
    headers = {"X-CSRF-Token": visitor.csrf}
    for row, column, value in (
        (2, "Date d'intervention", "03/03/2027 09:45"),
        (3, "Date d'intervention", "04/03/2027 10:00"),  # the text cell, fixed
        (3, "Latitude", "45,7578"),
    ):
        form = {"row": str(row), "column": column, "value": value}
        edited = visitor.go("POST", f"/drafts/{draft}/cell", data=form, headers=headers)
        assert edited.status_code == 200
    assert "2 ready to send" in edited.text
    run = visitor.send_draft(draft)
    assert outcome_counts(visitor.wait_run(run)) == {"created": 2}
    workbook = tmp_path / "results.xlsx"
    workbook.write_bytes(visitor.go("GET", f"/runs/{run}/workbook").content)
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    assert sheet["B2"].is_date and sheet["B2"].value == datetime(2027, 3, 3, 9, 45)
    assert sheet["B3"].is_date and sheet["B3"].value == datetime(2027, 3, 4, 10, 0)
    assert sheet["D3"].data_type == "n" and sheet["D3"].value == 45.7578


def test_cell_text_and_group_sentences_without_a_server():
    assert cell_text(datetime(2027, 3, 2, 17, 15)) == "02/03/2027 17:15"
    assert cell_text(9000, "postcode") == "09000"
    assert cell_text(48.8566, "decimal", "fr") == "48,8566"
    assert cell_text(48.0, "decimal", "fr") == "48"
    assert cell_text(" 1000.0", "postcode") == "01000"
    assert [cell_text(True, "bool", "fr"), cell_text(False, "bool")] == ["VRAI", "FALSE"]
    issue = RowIssue(2, "Date intervention", "bientôt", "validation.date_format")
    assert group_text(issue, 1, "en") == '1 unreadable date in "Date intervention"'
    missing = RowIssue(2, None, None, "validation.inter_column_missing")
    assert group_text(missing, 3, "fr") == (
        f"3 lignes sans date d'intervention{N}: le fichier n'a pas de colonne "
        f"«{N}Date d'intervention{N}»"
    )
