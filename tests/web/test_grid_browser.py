"""The check page's grid in a real browser (Debian's Chromium, French), as a planner uses it.

One Chromium and one signed-in browser context for the whole module; each test opens its
own page. The header row and the row number / mission ID columns stay in view while the
grid scrolls; focus and typing survive every re-check; F8 goes to the next problem; a
mission ID is found; the view is in the URL; the sheet is chosen from a list; a wide file
is paged by columns; axe-core finds no serious or critical violation. It takes the check
page's screenshot (docs/ when UPDATE_SCREENSHOTS=1, else a temporary folder).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import openpyxl
import pytest
from helpers import DOCS
from web_support import axe_problems, launch_chromium, playwright_or_skip, running_site

from importer.sandbox import Sandbox

# A planner's own headers (each recognised as its Ocean field)
HEADER = "N° mission;Date intervention;Type;Véhicule;Rue;Code postal;Ville;Commentaire"
pytestmark = pytest.mark.slow


def _planning(path: Path, rows: int, extra_columns: int = 0) -> Path:
    """``rows`` missions; every 10th has an impossible date, every 15th no vehicle."""
    extra = [f"Note {n}" for n in range(1, extra_columns + 1)]
    lines = [";".join([HEADER, *extra])]
    for n in range(rows):
        date = "33/03/2027 16:15" if n % 10 == 3 else f"{1 + n % 28:02d}/03/2027 08:30"
        vehicle = "" if n % 15 == 7 else "VL-07"
        cells = [f"M-{n:04d}", date, "Dépannage", vehicle, "3 rue Pasteur", "69003", "Lyon", "ok"]
        lines.append(";".join(cells + [f"n{n}-{k}" for k in range(extra_columns)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser_site(tmp_path_factory):
    """(site, signed-in browser context, folder) shared by the module's tests."""

    folder = tmp_path_factory.mktemp("grid")
    with Sandbox() as box, running_site(box, folder) as site, playwright_or_skip() as playwright:
        browser = launch_chromium(playwright)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto(site.url + "/signin")
        page.get_by_label("Identifiant Ocean").fill("demo")
        page.get_by_label("Mot de passe").fill("demo")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(site.url + "/")
        page.close()
        yield site, context, folder
        browser.close()


@pytest.fixture
def page(browser_site):
    site, context, _ = browser_site
    opened = context.new_page()
    opened.site_url = site.url
    yield opened
    opened.close()


def _upload(page, path: Path) -> None:
    """Drop a file, accept the columns: the check page is shown."""
    page.goto(page.site_url + "/")
    page.set_input_files("#file", str(path))
    page.locator("#drop-form button[type=submit]").click()
    page.wait_for_url("**/columns", timeout=60_000)
    page.locator("form[action$='/columns'] button[type=submit]").click()  # (300 lists: no
    page.wait_for_url("**/check", timeout=60_000)  # look-up by role, too slow there)


@pytest.fixture(scope="module")
def planning(browser_site):
    return _planning(browser_site[2] / "semaine.csv", 120, extra_columns=12)


def _box(page, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


def test_the_header_row_and_the_id_columns_stay_in_view_while_scrolling(page, planning):
    _upload(page, planning)
    wrap = _box(page, "#grid-wrap")
    page.eval_on_selector("#grid-wrap", "e => { e.scrollTop = 900; e.scrollLeft = 1500; }")
    page.wait_for_function("() => document.getElementById('grid-wrap').scrollLeft > 300")
    assert page.eval_on_selector("#grid-wrap", "e => e.scrollTop") > 300
    for header in ("thead th.rownum", "thead th.idcol", "thead th[data-col='9']"):
        assert abs(_box(page, header)["y"] - wrap["y"]) < 3, header
    row = page.locator("tbody tr").nth(30)
    row_number = _box(page, "tbody tr:nth-child(31) th.rownum")
    mission_id = _box(page, "tbody tr:nth-child(31) td.idcol")
    assert abs(row_number["x"] - wrap["x"]) < 3
    assert abs(mission_id["x"] - (row_number["x"] + row_number["width"])) < 3
    assert wrap["y"] < row_number["y"] < wrap["y"] + wrap["height"]
    last = row.locator("td.cell").last.bounding_box()
    assert last is not None and last["x"] < wrap["x"] + wrap["width"]  # scrolled to the end
    # rows no taller than they need: one line, two for a row with two problems
    heights = page.eval_on_selector_all("tbody tr", "rows => rows.map(r => r.offsetHeight)")
    assert max(heights) <= 48, heights
    # a problem row shows its problem beside the ID, and its bad cell is red in place
    problem = page.locator("tbody tr.row-error").first.locator("td.problems")
    assert "n’est pas une date" in problem.inner_text() or "date" in problem.inner_text()
    shots = DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else planning.parent / "shots"
    shots.mkdir(exist_ok=True)
    page.eval_on_selector("#grid-wrap", "e => { e.scrollTop = 0; e.scrollLeft = 0; }")
    page.locator("tbody tr.row-error td.cell.error input").first.focus()
    page.screenshot(path=str(shots / "serve-check.png"))
    assert (shots / "serve-check.png").stat().st_size > 10_000


def test_focus_and_typing_survive_the_recheck_after_an_edit(page, planning):
    _upload(page, planning)
    bad = page.get_by_label("Ligne 5, colonne Date intervention")
    assert bad.get_attribute("aria-invalid") == "true"
    before = page.locator(".summary").inner_text()
    bad.fill("04/03/2027 16:15")
    bad.press("Tab")
    page.keyboard.type("Livraison")  # at once, while the grid is being checked again
    page.wait_for_function("b => document.querySelector('.summary').textContent !== b", arg=before)
    time.sleep(0.2)
    focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
    assert focused == "Ligne 5, colonne Type"
    assert page.evaluate("document.activeElement.value") == "Livraison"
    fixed = page.get_by_label("Ligne 5, colonne Date intervention")
    assert fixed.get_attribute("aria-invalid") is None
    page.keyboard.press("Tab")  # the typed cell is sent in turn
    page.wait_for_function(
        "() => document.getElementById('c5-2') && document.getElementById('c5-2').defaultValue"
        " === 'Livraison'"
    )
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Ligne 5, colonne Véhicule"
    )
    # Enter goes down a row, the arrows move between cells
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").startswith("Ligne ")
    assert page.evaluate("document.activeElement.closest('td').cellIndex") == page.evaluate(
        "document.getElementById('c5-3').closest('td').cellIndex"
    )


def test_next_problem_with_f8_and_the_button(page, planning):
    _upload(page, planning)
    page.locator("tbody tr input").first.focus()
    seen = []
    for _ in range(3):
        page.keyboard.press("F8")
        seen.append(page.evaluate("document.activeElement.id"))
    assert len(set(seen)) == 3
    assert all(page.locator(f"#{cell}").get_attribute("data-problem") == "1" for cell in seen)
    rows = [int(cell[1:].split("-")[0]) for cell in seen]
    row_of = "c => document.getElementById(c).closest('tr').rowIndex"
    positions = [page.evaluate(row_of, cell) for cell in seen]
    assert positions == sorted(positions), rows
    page.get_by_role("button", name="Problème suivant (F8)").click()
    assert page.evaluate("document.activeElement.dataset.problem") == "1"
    assert page.evaluate("document.activeElement.id") not in seen


def test_find_a_mission_and_the_view_is_in_the_url(page, planning):
    _upload(page, planning)
    page.get_by_label("Trouver une mission (ID ou numéro de ligne)").fill("M-0100")
    page.keyboard.press("Enter")
    page.wait_for_url("**/check?q=M-0100")
    assert page.locator("tbody tr").count() == 1
    assert page.get_by_label("Ligne 102, colonne N° mission").input_value() == "M-0100"
    page.reload()
    assert page.locator("tbody tr").count() == 1
    page.get_by_role("link", name="Afficher toutes les lignes").click()
    page.wait_for_url("**/check?page=1")
    assert page.locator("tbody tr").count() == 50


def test_the_page_is_in_the_url_and_survives_reload_and_back(page, planning):
    _upload(page, planning)
    first = page.locator("tbody tr th.rownum").first.inner_text()
    page.get_by_role("link", name="Suivante").click()
    page.wait_for_url("**/check?page=2")
    assert "Page 2 sur 3" in page.locator(".pages").first.inner_text()
    second = page.locator("tbody tr th.rownum").first.inner_text()
    page.reload()
    assert "Page 2 sur 3" in page.locator(".pages").first.inner_text()
    assert page.locator("tbody tr th.rownum").first.inner_text() == second
    page.go_back()
    page.wait_for_function("() => !location.search.includes('page=2')")
    page.wait_for_function(  # htmx asks the server for the page of that entry
        "t => document.querySelector('tbody th.rownum').innerText === t", arg=first
    )
    assert "Page 1 sur 3" in page.locator(".pages").first.inner_text()


def test_the_sheet_is_chosen_from_a_list_and_a_read_me_sheet_is_skipped(page, browser_site):
    book = openpyxl.Workbook()
    readme = book.active
    readme.title = "Lisez-moi"
    readme.append(["Planning de la semaine : remplissez l’onglet « Semaine 11 »."])
    readme.append(["Ne modifiez pas les en-têtes."])
    week = book.create_sheet("Semaine 11")
    week.append(["N° mission", "Date intervention", "Type", "Véhicule", "Ville", "Code postal"])
    for n in range(3):
        week.append([f"S-{n}", "02/03/2027 08:30", "Dépannage", "VL-07", "Lyon", "69003"])
    path = browser_site[2] / "semaine-11.xlsx"
    book.save(path)
    page.goto(page.site_url + "/")
    page.set_input_files("#file", str(path))
    page.locator("#drop-form button[type=submit]").click()
    page.wait_for_url("**/columns")
    sheet = page.get_by_label("Feuille", exact=True)
    options = sheet.locator("option").all_inner_texts()
    assert options == ["Lisez-moi (2 lignes)", "Semaine 11 (4 lignes)"]
    assert sheet.evaluate("s => s.selectedOptions[0].textContent") == "Semaine 11 (4 lignes)"
    note = page.locator(".message.warning").first.inner_text()
    assert "feuille lue\u202f: «\u202fSemaine 11\u202f»" in note
    page.get_by_role("button", name="Enregistrer et contrôler").click()
    page.wait_for_url("**/check")
    assert "Feuille lue\u202f: «\u202fSemaine 11\u202f»" in page.locator(".sheet-read").inner_text()
    assert "3 lignes\u202f: 3 prêtes à envoyer" in page.locator(".summary").inner_text()


def test_a_wide_file_is_paged_by_columns(page, browser_site):
    wide = _planning(browser_site[2] / "large.csv", 60, extra_columns=282)  # 290, the page's
    # limit is 300
    _upload(page, wide)
    started = time.monotonic()
    page.reload()
    took = time.monotonic() - started
    size = len(page.content())
    assert size < 400_000 and took < 5, (size, took)
    assert page.locator("thead th[data-col]").count() == 31  # the ID and 30 columns
    assert "Colonnes 1 à 30 sur 289" in page.locator(".column-pages").inner_text()
    page.locator("#next-columns").click()
    page.wait_for_url("**/check?cols=2")
    headers = page.locator("thead th[data-col]").all_inner_texts()
    assert headers[0] == "N° mission" and headers[1] == "Note 24"  # 7 fields + 23 notes before
    page.reload()
    assert "Colonnes 31 à 60 sur 289" in page.locator(".column-pages").inner_text()


def test_axe_finds_no_serious_or_critical_violation(page, planning):
    _upload(page, planning)
    pages = {"check": page.url}
    page.goto(page.url.replace("/check", "/columns"))
    pages["columns"] = page.url
    page.goto(page.site_url + "/")
    pages["drop"] = page.url
    for name, url in pages.items():
        page.goto(url)
        bad = axe_problems(page)
        assert bad == [], (name, bad)


def test_next_problem_goes_on_to_the_next_page(page, browser_site):
    many = browser_site[2] / "dates.csv"
    lines = [HEADER] + [
        f"D-{n:03d};33/03/2027 16:15;Dépannage;VL-07;3 rue Pasteur;69003;Lyon;ok" for n in range(70)
    ]
    many.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _upload(page, many)
    page.locator("tbody tr").last.locator("input[data-problem]").focus()
    page.keyboard.press("F8")
    page.wait_for_url("**/check?page=2#problem")
    page.wait_for_function("() => document.activeElement.dataset.problem === '1'")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Ligne 52, colonne Date intervention"
    )


def test_the_column_list_shows_labels_and_messages_name_the_files_column(page, browser_site):
    """A planner maps « Technicien » to the vehicle by its label; the check page's message
    names « Technicien », never the API name."""
    path = browser_site[2] / "technicien.csv"
    path.write_text(
        "N° mission;Date intervention;Technicien;Ville\n"
        "T-1;02/03/2027 08:30;;Lyon\n"
        "T-2;02/03/2027 09:30;VL-07;Lyon\n",
        encoding="utf-8",
    )
    page.goto(page.site_url + "/")
    page.set_input_files("#file", str(path))
    page.locator("#drop-form button[type=submit]").click()
    page.wait_for_url("**/columns", timeout=60_000)
    choice = page.get_by_label("Technicien")
    labels = choice.locator("option").all_inner_texts()
    assert "Véhicule" in labels and "Code postal" in labels  # the planner's words...
    assert not {"nomVeh", "codPost", "jourHeureInter"} & set(labels)  # ...not the API's
    choice.select_option(label="Véhicule")
    page.locator("form[action$='/columns'] button[type=submit]").click()
    page.wait_for_url("**/check", timeout=60_000)
    problems = page.locator("main").inner_text()
    assert "«\u202fTechnicien\u202f»" in problems
    assert "nomVeh" not in problems
