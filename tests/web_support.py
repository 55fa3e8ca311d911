"""Helpers for the import page's tests: the real app served by uvicorn on a loopback port,
in front of a real sandbox, and a requests session that signs in and follows the forms.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.send.journal.ledger import Journal
from importer.settings.load import Settings
from importer.web.app import WebConfig, WebState, create_app
from importer.web.serve import BackgroundServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HEADER = "idMission;jourHeureInter;typeMission;nomVeh;rue;codPost;ville;commentaire"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def playwright_or_skip():
    """Playwright's ``sync_playwright()`` where Debian's Chromium is installed; otherwise the
    test skips, or fails when CI=true (.ci/run installs it)."""
    if CHROMIUM is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: .ci/run installs it with apt-get")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    return sync_playwright()


def launch_chromium(playwright, *args: str, **options):
    """Debian's Chromium, headless, with the sandbox off (tests run as root) and ``args``."""
    return playwright.chromium.launch(
        executable_path=CHROMIUM, args=["--no-sandbox", *args], **options
    )


def axe_problems(page) -> list[tuple]:
    """axe-core's serious and critical violations on the page: (rule, impact, targets)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def planning_csv(
    path: Path, ids: list[str], comments: dict[str, str] | None = None, *, header: str = HEADER
) -> Path:
    """A valid semicolon CSV with one mission per id (comments by id, optional), under
    ``header`` (API names by default)."""
    comments = comments or {}
    lines = [header]
    for n, id_mission in enumerate(ids):
        day = 1 + n % 28
        comment = comments.get(id_mission, "ok")
        lines.append(
            f"{id_mission};{day:02d}/03/2027 08:30;Dépannage;VL-07;3 rue Pasteur;69003;Lyon;"
            f"{comment}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@dataclass
class Site:
    url: str
    sandbox: Sandbox
    state: WebState
    data_dir: Path


@contextlib.contextmanager
def running_site(
    sandbox: Sandbox,
    folder: Path,
    *,
    journal_path: Path | None = None,
    settings: Settings | None = None,
    **config: object,
) -> Iterator[Site]:
    """The page over ``sandbox``, its files under ``folder``, served until the block ends
    (``settings``: the server's, default 4 workers against ``sandbox``)."""
    settings = settings or Settings(api_url=sandbox.url, workers=4)
    data_dir = folder / "data"
    journal = Journal(journal_path or folder / "journal.sqlite3")
    try:
        web_config = WebConfig(data_dir=data_dir, **config)  # type: ignore[arg-type]
        app = create_app(settings, web_config, journal)
        with BackgroundServer(app, proxies=web_config.proxies) as server:
            yield Site(server.url, sandbox, app.state.web, data_dir)
    finally:
        journal.close()


class Visitor(requests.Session):
    """One browser's worth of cookies, with the page's forms as methods."""

    def __init__(self, site: Site) -> None:
        super().__init__()
        self.site = site
        self.csrf = ""

    def go(self, method: str, path: str, **kwargs: object) -> requests.Response:
        response = self.request(method, self.site.url + path, timeout=60, **kwargs)  # type: ignore[arg-type]
        found = CSRF.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def sign_in(
        self, login: str = DEMO_LOGIN, password: str = DEMO_PASSWORD, customer: str = ""
    ) -> None:
        self.go("GET", "/signin")
        form = {"csrf": self.csrf, "login": login, "password": password, "customer": customer}
        response = self.go("POST", "/signin", data=form)
        assert response.url.rstrip("/") == self.site.url, response.text

    def upload(self, path: Path) -> str:
        """Upload a file, accept the columns; return the draft id."""
        with open(path, "rb") as handle:
            response = self.go(
                "POST", "/upload", data={"csrf": self.csrf}, files={"file": (path.name, handle)}
            )
        assert "/columns" in response.url, response.text
        draft = response.url.split("/")[4]
        self.go("POST", f"/drafts/{draft}/columns", data={"csrf": self.csrf})
        return draft

    def send_draft(self, draft: str) -> str:
        response = self.go("POST", f"/drafts/{draft}/send", data={"csrf": self.csrf})
        assert "/runs/" in response.url, response.text
        return response.url.split("/")[4]

    def wait_run(self, run: str, timeout: float = 60) -> str:
        """Wait until the run's page shows its results; return that page."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page = self.go("GET", f"/runs/{run}").text
            if 'id="outcome-counts"' in page:
                return page
            time.sleep(0.1)
        raise AssertionError(f"run {run} did not finish")


def outcome_counts(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-outcome="(\w+)">(\d+)', page)}
