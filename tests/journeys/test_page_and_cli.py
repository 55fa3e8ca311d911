"""The page and the command line send the same file at once, on one journal, against one
sandbox that answers slowly: the journal's claims are the only claims, so each mission is
created exactly once, and a run meeting a mission the other holds waits a bounded time
(``claim_wait``), never forever."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter

from web_support import Visitor, outcome_counts, planning_csv, running_site

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from importer.settings.load import Settings

MISSIONS = 80
CLAIM_WAIT = 1.0  # seconds: small, so that a wait that is not bounded shows
BOUND = 60.0  # seconds for both runs together (8 s of calls at most at 50 ms, 1 worker)


def start_cli_import(url: str, path, journal) -> subprocess.Popen:
    env = {
        **os.environ,
        "OCEAN_API_URL": url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(journal),
        "MISSION_IMPORTER_WORKERS": "1",  # the page, with 8, overtakes it
        "MISSION_IMPORTER_CLAIM_WAIT": str(CLAIM_WAIT),
        "NO_COLOR": "1",
    }
    command = [sys.executable, "-m", "importer", "--lang", "en", "import", str(path), "--json"]
    return subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def test_the_page_and_the_command_line_send_one_file_at_once(sandbox_factory, tmp_path):
    sb = sandbox_factory(latency_ms=50)
    ids = [f"PC-{n:03d}" for n in range(MISSIONS)]
    planning = planning_csv(tmp_path / "week.csv", ids)
    journal = tmp_path / "journal.sqlite3"
    settings = Settings(api_url=sb.url, workers=8, claim_wait=CLAIM_WAIT)
    with running_site(sb, tmp_path / "site", journal_path=journal, settings=settings) as site:
        visitor = Visitor(site)
        visitor.sign_in()
        draft = visitor.upload(planning)
        started = time.monotonic()
        cli = start_cli_import(sb.url, planning, journal)
        try:
            while len(sb.missions()) < 4 and cli.poll() is None:  # the command line is sending
                time.sleep(0.01)
            run = visitor.send_draft(draft)
            page = visitor.wait_run(run, timeout=BOUND)
            out, err = cli.communicate(timeout=BOUND)
        finally:
            if cli.poll() is None:
                cli.kill()
                cli.wait()
        took = time.monotonic() - started

    assert took < BOUND, f"the two runs took {took:.0f} s"
    assert cli.returncode in (0, 1), err.decode()  # 1: rows the other run held, not sent
    missions = {m["idMission"]: m for m in sb.missions()}
    assert sorted(missions) == ids  # every mission is there...
    assert Counter(m["creates"] for m in missions.values()) == {1: MISSIONS}  # ...created once
    assert sb.counters()["duplicate_creates_refused"] == 0
    on_page = outcome_counts(page)
    on_cli = json.loads(out)["counts"]
    for counts in (on_page, on_cli):
        assert sum(counts.values()) == MISSIONS, counts
        assert set(counts) <= {"created", "unchanged", "not_sent"}, counts
    assert on_page.get("created", 0) and on_cli.get("created", 0), "the runs did not overlap"
    # each mission created by one of the two; the other saw it unchanged or gave up waiting
    assert on_page.get("created", 0) + on_cli.get("created", 0) == MISSIONS, (on_page, on_cli)
