"""The import page in a real browser: Debian's Chromium driven by Playwright.

One journey, as an office worker makes it, against the sandbox: sign in; drop a planning
with mistakes; see the red cells; fix one in the grid; preview; send and watch the
progress reach the end; download the workbook and read it back; retry the rows a fault
made fail; sign out. Its screenshots go to a temporary folder: the README's are taken in
French by test_pages_a11y.py (and the check page's by test_grid_browser.py).

Chromium missing: the test skips, except in CI (CI=true), where it fails.
"""

from __future__ import annotations

import base64
from pathlib import Path

import openpyxl
import pytest
from web_support import HEADER, launch_chromium, playwright_or_skip, running_site


def _planning(path: Path, valid: int) -> Path:
    """Two hostile comments, ``valid`` good rows, then a bad date and a duplicate id."""
    lines = [
        HEADER,
        "B-901;05/03/2027 10:00;Livraison;VL-07;3 rue Pasteur;69003;Lyon;<script>alert(1)</script>",
        'B-902;06/03/2027 10:00;Livraison;VL-07;3 rue Pasteur;69003;Lyon;=HYPERLINK("http://x.test","y")',
    ]
    for n in range(valid):
        day = 1 + n % 28
        lines.append(
            f"B-{n:03d};{day:02d}/03/2027 08:30;Dépannage;VL-07;3 rue Pasteur;69003;Lyon;ok"
        )
    lines += [
        "B-900;33/03/2027 16:15;Maintenance;VL-07;3 rue Pasteur;69003;Lyon;bad date",
        "B-000;04/03/2027 09:00;Maintenance;VL-07;3 rue Pasteur;69003;Lyon;same id as row 4",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _drop(page, path: Path) -> None:
    """Drag the file onto the drop zone (a real drop event carrying a File)."""
    data = base64.b64encode(path.read_bytes()).decode()
    transfer = page.evaluate_handle(
        """([b64, name]) => {
            const bytes = Uint8Array.from(atob(b64), c => c.charCodeAt(0));
            const dt = new DataTransfer();
            dt.items.add(new File([bytes], name, {type: "text/csv"}));
            return dt;
        }""",
        [data, path.name],
    )
    page.dispatch_event("#dropzone", "drop", {"dataTransfer": transfer})


@pytest.mark.slow
def test_the_whole_journey_in_a_browser(sandbox_factory, tmp_path):
    manager = playwright_or_skip()
    shots = tmp_path / "shots"
    shots.mkdir(exist_ok=True)
    box = sandbox_factory(latency_ms=40)
    planning = _planning(tmp_path / "planning.csv", 150)
    with running_site(box, tmp_path) as site, manager as playwright:
        site.state.settings.max_attempts = 1  # a fault is a failure at once, to retry
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

        # Sign in
        page.goto(site.url + "/?lang=en")
        assert page.url.endswith("/signin")
        page.get_by_label("Ocean login").fill("demo")
        page.get_by_label("Password").fill("demo")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(site.url + "/")
        page.screenshot(path=str(shots / "serve-drop.png"))

        # Drop the planning with mistakes; accept the columns
        _drop(page, planning)
        page.wait_for_url("**/columns")
        page.get_by_role("button", name="Save and check").click()
        page.wait_for_url("**/check")

        # The red cells: the problems first, each on its cell
        summary = page.locator(".summary")
        assert "154 rows: 151 ready to send, 3 with errors" in summary.inner_text()
        bad_date = page.get_by_label("Row 154, column jourHeureInter")
        assert bad_date.get_attribute("aria-invalid") == "true"
        colour = bad_date.evaluate("e => getComputedStyle(e.closest('td')).backgroundColor")
        assert colour == "rgb(253, 231, 234)"
        assert page.locator("td.cell.error").count() >= 3
        script_cell = page.get_by_label("Row 2, column commentaire")
        assert script_cell.input_value() == "<script>alert(1)</script>"
        # (the check page's screenshot is taken by test_grid_browser.py, in French)

        # Fix one in the grid: the row is validated again at once
        bad_date.fill("03/03/2027 16:15")
        bad_date.press("Tab")
        page.wait_for_function(
            "() => document.querySelector('.summary').textContent.includes('152 ready')"
        )

        # Preview: what Ocean will do
        page.get_by_role("link", name="Preview what Ocean will do").click()
        page.wait_for_url("**/preview")
        assert page.locator('[data-kind="create"]').inner_text() == "152"
        assert page.locator('[data-kind="unchanged"]').inner_text() == "0"
        page.screenshot(path=str(shots / "serve-preview.png"))

        # Send, with a fault on the first calls; watch the progress reach the end
        box.fail_next(2, "503")
        page.get_by_role("button", name="Send 152 changes to Ocean").click()
        page.wait_for_url("**/runs/*")
        page.wait_for_function(
            "() => { const p = document.querySelector('.progress-text');"
            " return p && +p.dataset.done > 10 && +p.dataset.done < +p.dataset.total; }"
        )
        page.screenshot(path=str(shots / "serve-progress.png"))
        page.wait_for_selector("#see-results", timeout=60_000)
        done = page.locator(".progress-text")
        assert done.get_attribute("data-done") == done.get_attribute("data-total") == "152"
        page.click("#see-results")
        page.wait_for_selector("#outcome-counts")
        assert page.locator('[data-outcome="created"]').inner_text() == "150"
        assert page.locator('[data-outcome="failed"]').inner_text() == "2"
        page.screenshot(path=str(shots / "serve-results.png"), full_page=False)

        # Download the workbook and read it back
        with page.expect_download() as download:
            page.click("#download")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        sheet = openpyxl.load_workbook(saved).worksheets[0]
        header = [c.value for c in sheet[1]]
        outcomes = [
            row[header.index("outcome")] for row in sheet.iter_rows(min_row=2, values_only=True)
        ]
        assert outcomes.count("created") == 150 and outcomes.count("failed") == 2
        assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]

        # Retry the failed rows from the page
        page.get_by_role("button", name="Retry these rows").click()
        page.wait_for_selector("#see-results", timeout=60_000)
        page.click("#see-results")
        page.wait_for_selector("#outcome-counts")
        assert page.locator('[data-outcome="created"]').inner_text() == "152"
        assert page.locator('[data-outcome="failed"]').count() == 0
        created = [m for m in box.missions() if m["idMission"].startswith("B-")]
        assert len(created) == 152 and all(m["creates"] == 1 for m in created)

        # Sign out: the pages are refused again
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/signin")
        page.goto(site.url + "/history")
        assert "/signin" in page.url
        assert dialogs == []
        browser.close()
    for name in ("drop", "preview", "progress", "results"):
        assert (shots / f"serve-{name}.png").stat().st_size > 10_000
