"""Every page of a planner's journey passes axe-core (no serious or critical violation).

One Chromium for the module. A French planner (fr-FR) signs in, drops the week's file with
their own headers (some missions already sent last week, a few of them changed since, two
rows with mistakes), accepts the columns, sees the check grid, previews (the changes
first), sends and watches the progress, reads the results, opens the history, the week's
follow-up and a page that does not exist; axe-core runs on each page, and its text is
scanned for jargon (command-line options, HTTP codes, API names outside hints). In
English, a few of the same pages.

It takes the README's screenshots of the drop page, the preview, the progress and the
results (docs/ when UPDATE_SCREENSHOTS=1, else a temporary folder; the check page's is
test_grid_browser.py's).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import DOCS
from test_web_words import jargon
from web_support import Visitor, axe_problems, launch_chromium, playwright_or_skip, running_site

from importer.sandbox import Sandbox

HEADER = "N° mission;Date intervention;Type;Véhicule;Adresse;CP;Ville;Commentaire"
STREETS = [
    ("12 rue Garibaldi", "69006", "Lyon"),
    ("4 avenue Jean Jaurès", "69007", "Lyon"),
    ("27 cours Émile Zola", "69100", "Villeurbanne"),
    ("8 place Bellecour", "69002", "Lyon"),
    ("15 rue de la République", "69200", "Vénissieux"),
    ("3 chemin des Vignes", "69130", "Écully"),
]
TYPES = ["Dépannage", "Entretien annuel", "Installation", "Contrôle"]
VEHICLES = ["VL-07", "VL-12", "VU-03", "VL-21"]
COMMENTS = ["", "Sonner à l'interphone", "Client absent le matin", "Badge à l'accueil", ""]
SEEN = 60  # missions already sent last week
CHANGED = {4: "VU-03", 11: "VL-07", 23: "VL-12", 37: "VU-03", 52: "VL-12"}  # new vehicle
pytestmark = pytest.mark.slow


def _line(n: int, vehicle: str | None = None, date: str | None = None) -> str:
    street, postcode, city = STREETS[n % len(STREETS)]
    day, slot = 8 + n // 40 % 5, n % 40
    when = date or f"{day:02d}/03/2027 {8 + slot // 4:02d}:{15 * (slot % 4):02d}"
    cells = [
        f"S11-{n:04d}",
        when,
        TYPES[n % len(TYPES)],
        vehicle if vehicle is not None else VEHICLES[n % len(VEHICLES)],
        street,
        postcode,
        city,
        COMMENTS[n % len(COMMENTS)],
    ]
    return ";".join(cells)


def _week(path: Path, rows: int, *, changes: bool) -> Path:
    """``rows`` missions; with ``changes``, the vehicles of CHANGED and two mistakes."""
    lines = [HEADER]
    for n in range(rows):
        lines.append(_line(n, CHANGED.get(n) if changes else None))
    if changes:
        lines.append(_line(rows, date="31/02/2027 09:00"))  # a day that does not exist
        lines.append(_line(rows + 1, vehicle=""))  # no vehicle
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser_site(tmp_path_factory):
    """(site, browser, folder): last week's missions already sent, with one Chromium."""

    folder = tmp_path_factory.mktemp("a11y")
    with (
        Sandbox(latency_ms=60) as box,
        running_site(box, folder) as site,
        playwright_or_skip() as playwright,
    ):
        before = Visitor(site)
        before.sign_in()
        run = before.send_draft(
            before.upload(_week(folder / "Semaine 10.csv", SEEN, changes=False))
        )
        before.wait_run(run)
        # --lang: the browser's own words (the file button) in French, as a planner's
        browser = launch_chromium(
            playwright,
            "--lang=fr-FR",
            env={**os.environ, "LANGUAGE": "fr", "LANG": "fr_FR.UTF-8"},
        )
        yield site, browser, folder
        browser.close()


def _serious(page) -> list:
    """axe-core's serious and critical violations on the page as shown, and the jargon
    (command-line options, HTTP codes, API names outside hints) its text holds."""
    return axe_problems(page) + jargon(page.content())


def test_a_french_planners_journey_is_clean_for_axe(browser_site, tmp_path):
    site, browser, folder = browser_site
    shots = DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
    found: dict[str, list] = {}
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()

    page.goto(site.url + "/")
    page.wait_for_url("**/signin*")
    found["signin"] = _serious(page)
    page.get_by_label("Identifiant Ocean").fill("demo")
    page.get_by_label("Mot de passe").fill("demo")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(site.url + "/")
    found["drop"] = _serious(page)
    page.screenshot(path=str(shots / "serve-drop.png"))

    planning = _week(folder / "Semaine 11.csv", 300, changes=True)
    page.set_input_files("#file", str(planning))
    page.locator("#drop-form button[type=submit]").click()
    page.wait_for_url("**/columns")
    assert "Véhicule" in page.content()
    found["columns"] = _serious(page)
    page.locator("form[action$='/columns'] button[type=submit]").click()
    page.wait_for_url("**/check")
    found["check"] = _serious(page)

    page.goto(page.url.replace("/check", "/preview"))
    kinds = page.locator("#preview-counts [data-kind]")
    assert kinds.first.get_attribute("data-kind") == "modify"  # the changes first
    assert page.locator("#preview-counts [data-kind=modify]").inner_text() == str(len(CHANGED))
    assert page.locator("#preview-counts [data-kind=create]").inner_text() == str(300 - SEEN)
    first_rows = page.locator("table tbody tr").all_inner_texts()[: len(CHANGED)]
    assert all("S11-" in row for row in first_rows), first_rows
    found["preview"] = _serious(page)
    page.screenshot(path=str(shots / "serve-preview.png"))

    page.locator("#send").click()
    page.wait_for_url("**/runs/*")
    page.wait_for_function(
        "() => { const p = document.querySelector('.progress-text');"
        " return p && +p.dataset.done > 100 && +p.dataset.done < +p.dataset.total - 60; }"
    )
    page.screenshot(path=str(shots / "serve-progress.png"))
    found["progress"] = _serious(page)
    page.wait_for_selector("#see-results", timeout=90_000)
    page.click("#see-results")
    page.wait_for_selector("#outcome-counts")
    assert page.locator('[data-outcome="created"]').inner_text() == str(300 - SEEN)
    assert page.locator('[data-outcome="modified"]').inner_text() == str(len(CHANGED))
    found["results"] = _serious(page)
    page.screenshot(path=str(shots / "serve-results.png"))

    page.goto(site.url + "/history")
    found["history"] = _serious(page)
    page.goto(site.url + "/follow?week=2027-W10")  # the week's missions, as sent
    page.wait_for_selector("text=S11-0004")
    found["follow"] = _serious(page)
    page.goto(site.url + "/runs/no-such-run")
    found["error"] = _serious(page)
    context.close()
    assert {name: bad for name, bad in found.items() if bad} == {}
    for name in ("drop", "preview", "progress", "results"):
        assert (shots / f"serve-{name}.png").stat().st_size > 10_000


def test_pages_in_english_are_clean_for_axe(browser_site):
    site, browser, folder = browser_site
    found: dict[str, list] = {}
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(20_000)
    page = context.new_page()
    page.goto(site.url + "/signin?lang=en")
    found["signin"] = _serious(page)
    page.get_by_label("Ocean login").fill("demo")
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(site.url + "/")
    found["drop"] = _serious(page)
    page.set_input_files("#file", str(_week(folder / "week.csv", 20, changes=True)))
    page.locator("#drop-form button[type=submit]").click()
    page.wait_for_url("**/columns")
    found["columns"] = _serious(page)
    page.locator("form[action$='/columns'] button[type=submit]").click()
    page.wait_for_url("**/check")
    found["check"] = _serious(page)
    page.goto(page.url.replace("/check", "/preview"))
    found["preview"] = _serious(page)
    page.goto(site.url + "/history")
    found["history"] = _serious(page)
    page.goto(site.url + "/follow?week=2027-W10")
    found["follow"] = _serious(page)
    page.goto(site.url + "/drafts/no-such-draft/check")
    found["error"] = _serious(page)
    context.close()
    assert {name: bad for name, bad in found.items() if bad} == {}
