"""The follow-up page ("Suivi") in Debian's Chromium, in French: refusals first with their
reason, a re-plan, a delete with its confirmation, and axe-core finding no serious or
critical violation. It takes the README's screenshot docs/serve-follow.png (written to
docs/ when UPDATE_SCREENSHOTS=1, else to a temporary folder).
"""

from __future__ import annotations

import os
import re
import time

import pytest
from helpers import DOCS
from web_support import axe_problems, launch_chromium, playwright_or_skip, running_site

from importer.cli.app import cli
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD

WEEK = "2027-W09"
IDS = ["S-101", "S-102", "S-103", "S-104", "S-105", "S-106", "S-107", "S-108"]


def cli_import(sandbox, journal, path) -> None:
    from click.testing import CliRunner

    env = {"OCEAN_API_URL": sandbox.url, "OCEAN_LOGIN": DEMO_LOGIN,
           "OCEAN_PASSWORD": DEMO_PASSWORD, "MISSION_IMPORTER_JOURNAL": str(journal)}  # fmt: skip
    result = CliRunner().invoke(cli, ["--lang", "en", "import", str(path)], env=env)
    assert result.exit_code == 0, result.output


def _lines(ids: list[str]) -> str:
    vehicles = ["VL-07", "VL-12", "PL-03", "VL-21"]
    rows = ["idMission;jourHeureInter;typeMission;nomVeh;rue;codPost;ville;commentaire"]
    for n, id_mission in enumerate(ids):
        day, hour = 1 + n % 5, 8 + (n * 3) % 9
        rows.append(
            f"{id_mission};{day:02d}/03/2027 {hour:02d}:30;Dépannage;{vehicles[n % 4]};"
            f"{n + 3} rue Pasteur;69003;Lyon;ok"
        )
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def browser():
    with playwright_or_skip() as playwright:
        launched = launch_chromium(playwright)
        yield launched
        launched.close()


@pytest.mark.slow
def test_the_follow_up_in_french(browser, sandbox_factory, tmp_path):
    shots = DOCS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path / "shots"
    shots.mkdir(exist_ok=True)
    drivers = sandbox_factory(status_step_seconds=0.3, refusal_rate=0.3, seed=11)
    planning = tmp_path / "semaine.csv"
    planning.write_text(_lines(IDS), encoding="utf-8")
    with running_site(drivers, tmp_path, follow_poll_seconds=1.0) as site:
        cli_import(drivers, tmp_path / "journal.sqlite3", planning)
        context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(site.url + "/signin")
        page.get_by_label("Identifiant Ocean").fill(DEMO_LOGIN)
        page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.get_by_role("link", name="Suivi").click()
        assert page.url.endswith("/follow")
        page.goto(f"{site.url}/follow?week={WEEK}")
        time.sleep(1.0)  # the drivers answer; one refresh on demand reads them
        page.get_by_role("button", name="Mettre à jour maintenant").click()
        refusals = page.locator("#refusals tbody tr")
        refusals.first.wait_for(timeout=15_000)
        page.wait_for_function(
            "() => !document.querySelector('#follow-table td .state-sent')"
            " && !document.querySelector('#follow-table .state-unread')",
            timeout=15_000,
        )
        # refusals first, with the driver's reason
        headings = page.locator("main h2").all_inner_texts()
        assert headings.index("Refus des conducteurs") < headings.index("lundi 01/03/2027")
        first = refusals.first
        refused_id = first.locator("th").inner_text()
        assert first.locator(".reason").inner_text().strip()
        assert "Mis à jour" in page.locator("#follow-updated").inner_text()
        assert re.search(r"\d{2}/03/2027 \d{2}:30", first.inner_text())
        assert axe_problems(page) == []
        page.screenshot(path=str(shots / "serve-follow.png"), full_page=True)

        # re-plan the refused mission on another vehicle, an hour later
        first.get_by_role("link", name="Replanifier").click()
        assert axe_problems(page) == []
        page.get_by_label("Véhicule").fill("VL-99")
        page.get_by_role("button", name="Envoyer la modification").click()
        page.locator("#follow-notice").wait_for()
        assert "replanifiée" in page.locator("#follow-notice").inner_text()
        stored = {m["idMission"]: m for m in drivers.missions()}[refused_id]
        assert stored["params"]["nomVeh"] == "VL-99"
        page.wait_for_function(
            f'() => [...document.querySelectorAll(\'#follow-table tr[data-mission="{refused_id}"]'
            ' .state-accepted, #follow-table tr[data-mission="' + refused_id + '"] .state-done,'
            ' #follow-table tr[data-mission="' + refused_id + "\"] .state-in_progress')].length",
            timeout=20_000,
        )

        # delete another mission, after the confirmation
        page.goto(f"{site.url}/follow?week={WEEK}&q=S-104")
        page.get_by_role("link", name="Supprimer la mission S-104").click()
        assert "Supprimer la mission S-104" in page.locator("h1").inner_text()
        assert axe_problems(page) == []
        page.get_by_role("link", name="Non, la garder").click()
        assert drivers.counters()["calls"]["supprimerMission"] == 0
        page.get_by_role("link", name="Supprimer la mission S-104").click()
        page.get_by_role("button", name="Oui, la supprimer").click()
        assert "S-104 supprimée" in page.locator("#follow-notice").inner_text()
        assert drivers.counters()["calls"]["supprimerMission"] == 1
        assert page.locator("tr[data-mission='S-104']").count() == 0
        context.close()
