"""The page's runs keep the core's promises: a run owns its customer and client, a token
Ocean ends signs the person out cleanly, waits are bounded, the history survives a torn
file, and the grid does not change under a run.

The real app is served by uvicorn on a loopback port in front of a real sandbox; each test
talks to it with requests, as a browser without JavaScript would.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import openpyxl
import pytest
from helpers import PROJECT_ROOT
from web_support import Site, Visitor, outcome_counts, planning_csv, running_site

from importer.ocean_api import CALL_CREATE
from importer.sandbox import MULTI_LOGIN, MULTI_PASSWORD, Sandbox
from importer.web.runs import Run, write_atomically


def wait_until(predicate: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def live_run(site: Site, run_id: str) -> Run:
    return site.state.runs._runs[run_id]


def creates(box: Sandbox) -> dict[str, int]:
    return {m["idMission"]: m["creates"] for m in box.missions()}


def preview_counts(page: str) -> dict[str, int]:
    return {kind: int(n) for kind, n in re.findall(r'data-kind="(\w+)">(\d+)', page)}


def test_a_customer_switch_during_a_run_is_refused_and_the_run_keeps_its_customer(
    sandbox_factory, tmp_path
):
    box = sandbox_factory(latency_ms=40)
    ids = [f"C-{n}" for n in range(80)]
    planning = planning_csv(tmp_path / "c.csv", ids)
    with running_site(box, tmp_path) as site:
        person = Visitor(site)
        person.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")
        run_id = person.send_draft(person.upload(planning))
        refused = person.go("POST", "/customer", data={"csrf": person.csrf, "customer": "102"})
        assert refused.status_code == 409
        assert "still running for this customer" in refused.text
        run = live_run(site, run_id)
        assert not run.finished  # refused while the run was live
        # A switch that got past the page anyway (a race) cannot reach the run either.
        (session,) = site.state.sessions._sessions.values()
        session.switch_customer(102)
        assert session.client.customer_id == 102
        wait_until(lambda: run.finished)
        back = person.go("POST", "/customer", data={"csrf": person.csrf, "customer": "101"})
        assert back.status_code == 200 and back.url.rstrip("/") == site.url  # allowed now
        assert outcome_counts(person.wait_run(run_id)) == {"created": 80}
        assert {m["customerId"] for m in box.missions()} == {101}
        assert creates(box) == dict.fromkeys(ids, 1)
        again = person.upload(planning)  # the same file as customer 101: nothing to create
        counts = preview_counts(person.go("GET", f"/drafts/{again}/preview").text)
        assert counts["create"] == 0 and counts["unchanged"] == 80


def test_a_token_ocean_ends_mid_run_signs_out_and_the_rest_lands_once(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=5, token_max_calls=30)
    ids = [f"D-{n}" for n in range(40)]
    with running_site(box, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        signins = box.counters()["calls"]["authenticate2"]
        run_id = person.send_draft(person.upload(planning_csv(tmp_path / "d.csv", ids)))
        run = live_run(site, run_id)
        wait_until(lambda: run.finished)
        assert box.counters()["calls"]["authenticate2"] == signins  # never without a password
        assert (run.status, run.cause) == ("interrupted", "signed_out")
        assert run.counts.get("not_sent", 0) > 0
        assert set(run.counts) <= {"created", "not_sent"}
        assert sum(run.counts.values()) == len(ids)
        assert run.workbook is not None and run.workbook.is_file()

        page = person.go("GET", f"/runs/{run_id}")  # the session has ended
        assert page.url.endswith(f"/signin?next=%2Fruns%2F{run_id}")  # back there after
        assert "Ocean ended your session. Sign in again" in page.text
        assert "OCEAN_LOGIN" not in page.text
        later = person.go("POST", f"/runs/{run_id}/cancel", data={"csrf": person.csrf})
        assert later.status_code == 401 and "Ocean ended your session" in later.text

        box.set_token_max_calls(None)
        person.sign_in()
        assert "A send stopped because Ocean ended your session" in person.go("GET", "/").text
        results = person.go("GET", f"/runs/{run_id}").text
        assert "Ocean ended your session during this send" in results
        resumed = person.go("POST", f"/runs/{run_id}/resume", data={"csrf": person.csrf})
        again = live_run(site, resumed.url.split("/")[4])
        assert again.total == run.counts["not_sent"]  # only the rest is sent
        counts = outcome_counts(person.wait_run(again.id))
        assert counts == {"created": len(ids)}  # the rows sent before: created, as they were
        assert creates(box) == dict.fromkeys(ids, 1)  # every mission, once
        assert box.counters()["calls"]["authenticate2"] == signins + 1  # the new sign-in


def test_a_resumed_run_reports_the_rows_a_server_stop_cut_as_they_were(sandbox, tmp_path):
    """Stopped while X-2's create was in flight (it reached Ocean): the rest is sent, and
    X-1 (sent before) and X-2 (found made) are reported created, not unchanged nor modified."""
    ids = ["X-1", "X-2", "X-3"]
    planning = planning_csv(tmp_path / "x.csv", ids)
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        run_id = person.send_draft(person.upload(planning))
        person.wait_run(run_id)
    folder = site.data_dir / "runs" / run_id
    meta = json.loads((folder / "run.json").read_text())
    (journal_run,) = meta["journal_runs"]
    reached = (folder / "reached.txt").read_text().splitlines()
    assert sorted(line.split("\t")[1] for line in reached) == ["created"] * 3
    kept = [line for line in reached if line.split("\t")[0] != "3"]  # X-2 is source row 3
    (folder / "reached.txt").write_text("".join(f"{line}\n" for line in kept))
    meta.update(status="running", counts={"created": 2})  # as the stop left them
    (folder / "run.json").write_text(json.dumps(meta))
    with sqlite3.connect(tmp_path / "journal.sqlite3") as db:  # X-2's create in flight
        account, digest = db.execute(
            "SELECT account, params_hash FROM missions WHERE id_mission = 'X-2'"
        ).fetchone()
        db.execute("DELETE FROM missions WHERE id_mission = 'X-2'")
        db.execute(
            "INSERT INTO attempts (api_url, account, customer_id, id_mission, call, params_hash,"
            " started_at, state, run_id) VALUES (?, ?, '', 'X-2', ?, ?, ?, 'in_flight', ?)",
            (sandbox.url, account, CALL_CREATE, digest, meta["started_at"], journal_run),
        )
    db.close()
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        page = person.go("GET", f"/runs/{run_id}").text
        assert 'id="resume"' in page
        resumed = person.go("POST", f"/runs/{run_id}/resume", data={"csrf": person.csrf})
        again = resumed.url.split("/")[4]
        assert live_run(site, again).total == 1  # X-2 only: the rest
        results = person.wait_run(again)
        assert outcome_counts(results) == {"created": 3}
        assert creates(sandbox) == dict.fromkeys(ids, 1)
        book = openpyxl.load_workbook(live_run(site, again).workbook, read_only=True)
        sheet = book.worksheets[0]
        header = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
        outcomes = {
            row[header.index("idMission")]: row[header.index("outcome")]
            for row in sheet.iter_rows(min_row=2, values_only=True)
        }
        assert outcomes == dict.fromkeys(ids, "created")


HOLDER = """
import sys
from pathlib import Path
from importer.send.journal.ledger import Journal

url, path, mission = sys.argv[1:4]
with Journal(Path(path)) as journal:
    run = journal.start_run()
    assert journal.claim(run, url, "", mission, account="demo")  # the page's signed-in login
    print("held", flush=True)
    sys.stdin.read()  # until the test closes it
"""


@contextlib.contextmanager
def held_elsewhere(url: str, journal: Path, mission: str) -> Iterator[None]:
    """Another process on the same journal (as `import` would be) sending ``mission``."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, str(journal), mission],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        yield
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


@pytest.fixture
def site(sandbox: Sandbox, tmp_path: Path) -> Iterator[Site]:
    with running_site(sandbox, tmp_path, journal_path=tmp_path / "journal.sqlite3") as started:
        yield started


def test_a_run_waiting_for_a_mission_another_run_holds_gives_up_in_bounded_time(site, tmp_path):
    site.state.settings.claim_wait = 1.0  # the drafts uploaded from now on wait 1 s
    person = Visitor(site)
    person.sign_in()
    draft = person.upload(planning_csv(tmp_path / "w.csv", ["W-1", "W-2"]))
    with held_elsewhere(site.sandbox.url, tmp_path / "journal.sqlite3", "W-1"):
        started = time.monotonic()
        page = person.wait_run(person.send_draft(draft), timeout=30)
        elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 15
    assert outcome_counts(page) == {"created": 1, "not_sent": 1}
    assert "another run on the same journal" in page
    assert creates(site.sandbox) == {"W-2": 1}


def test_a_run_cancelled_while_waiting_has_counts_and_a_workbook(site, tmp_path):
    person = Visitor(site)
    person.sign_in()
    draft = person.upload(planning_csv(tmp_path / "x.csv", ["X-1"]))
    with held_elsewhere(site.sandbox.url, tmp_path / "journal.sqlite3", "X-1"):
        run = person.send_draft(draft)
        wait_until(lambda: "another run is sending" in person.go("GET", f"/runs/{run}").text)
        cancelled = time.monotonic()
        person.go("POST", f"/runs/{run}/cancel", data={"csrf": person.csrf})
        page = person.wait_run(run, timeout=30)
        assert time.monotonic() - cancelled < 10  # not the 60 s of claim_wait
    assert outcome_counts(page) == {"not_sent": 1}
    workbook = tmp_path / "cancelled.xlsx"
    workbook.write_bytes(person.go("GET", f"/runs/{run}/workbook").content)
    sheet = openpyxl.load_workbook(workbook).worksheets[0]
    assert "not_sent" in [cell.value for row in sheet.iter_rows() for cell in row]
    assert "cancelled" in person.go("GET", "/history").text
    assert creates(site.sandbox) == {}


def test_a_truncated_run_json_is_skipped_at_start_up(sandbox, tmp_path, caplog):
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        kept = person.send_draft(person.upload(planning_csv(tmp_path / "kept.csv", ["G-1"])))
        torn = person.send_draft(person.upload(planning_csv(tmp_path / "torn.csv", ["G-2"])))
        person.wait_run(kept)
        person.wait_run(torn)
        runs = site.data_dir / "runs"
    text = (runs / torn / "run.json").read_text()
    (runs / torn / "run.json").write_text(text[: len(text) // 2])  # cut by a power loss
    (runs / "empty").mkdir()
    (runs / "empty" / "run.json").write_bytes(b"")
    assert not list(runs.glob("*/.run.json*"))  # no temporary file left behind
    with (
        caplog.at_level(logging.WARNING, logger="importer.web"),
        running_site(sandbox, tmp_path) as again,
    ):
        person = Visitor(again)
        person.sign_in()
        history = person.go("GET", "/history").text
        assert "kept.csv" in history and "torn.csv" not in history
        assert person.go("GET", f"/runs/{torn}").status_code == 404
    warned = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert len(warned) == 2
    assert any(str(runs / torn / "run.json") in line for line in warned)


def test_run_json_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / "run.json"
    write_atomically(path, '{"status": "running"}')

    def power_loss(*args: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", power_loss)
    with pytest.raises(OSError):
        write_atomically(path, '{"status": "done"}')
    assert path.read_text() == '{"status": "running"}'
    assert [p.name for p in tmp_path.iterdir()] == ["run.json"]


def test_an_edit_while_the_rows_are_sent_is_refused(sandbox_factory, tmp_path):
    box = sandbox_factory(latency_ms=40)
    ids = [f"E-{n}" for n in range(60)]
    with running_site(box, tmp_path) as site:
        person = Visitor(site)
        person.sign_in()
        draft = person.upload(planning_csv(tmp_path / "e.csv", ids))
        run_id = person.send_draft(draft)
        edit = {"row": "2", "column": "commentaire", "value": "edited during the run"}
        csrf = {"X-CSRF-Token": person.csrf}
        refused = person.go("POST", f"/drafts/{draft}/cell", data=edit, headers=csrf)
        assert refused.status_code == 409
        assert "being sent just now" in refused.text
        htmx = {**csrf, "HX-Request": "true"}  # the page's grid: shown again, read-only
        grid = person.go("POST", f"/drafts/{draft}/cell", data=edit, headers=htmx).text
        assert 'id="grid-busy"' in grid and "readonly" in grid
        assert "edited during the run" not in grid
        assert "readonly" in person.go("GET", f"/drafts/{draft}/check").text
        remap = person.go("POST", f"/drafts/{draft}/columns", data={"csrf": person.csrf})
        assert remap.status_code == 422 and "being sent just now" in remap.text
        assert not live_run(site, run_id).finished  # refused while the run was live
        assert outcome_counts(person.wait_run(run_id)) == {"created": 60}

        workbook = tmp_path / "e.results.xlsx"
        workbook.write_bytes(person.go("GET", f"/runs/{run_id}/workbook").content)
        rows = list(openpyxl.load_workbook(workbook).worksheets[0].iter_rows(values_only=True))
        header = rows[0]
        first = next(r for r in rows if r[header.index("idMission")] == "E-0")
        assert first[header.index("commentaire")] == "ok"  # as sent
        sent = next(m for m in box.missions() if m["idMission"] == "E-0")
        assert sent["params"]["commentaire"] == "ok"

        after = person.go("POST", f"/drafts/{draft}/cell", data=edit, headers=csrf)
        assert after.status_code == 200  # the run has ended: the draft may change again
        assert "edited during the run" in after.text
        assert "readonly" not in after.text


def test_a_token_ocean_ends_during_a_request_signs_out_without_a_sign_in(sandbox, tmp_path):
    with running_site(sandbox, tmp_path) as site:
        person = Visitor(site)
        person.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")
        signins = sandbox.counters()["calls"]["authenticate2"]
        sandbox.set_token_max_calls(0)  # the token dies at its next call
        switch = person.go("POST", "/customer", data={"csrf": person.csrf, "customer": "102"})
        assert switch.status_code == 401
        assert "Ocean ended your session. Sign in again" in switch.text
        home = person.go("GET", "/")
        assert home.url.endswith("/signin") and "Ocean ended your session" in home.text
        assert len(site.state.sessions) == 0
        assert sandbox.counters()["calls"]["authenticate2"] == signins


def test_a_page_run_logs_each_row_once_as_it_is_done(sandbox_factory, tmp_path):
    """With an audit log attached, a page run's row lines are there while it sends, one
    per row (issue 19)."""
    from importer.report import audit_log as audit

    box = sandbox_factory(latency_ms=100)
    ids = [f"A-{n}" for n in range(48)]
    log = tmp_path / "serve.jsonl"

    def row_lines() -> list[dict]:
        lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
        return [line for line in lines if line["event"] == "row"]

    with running_site(box, tmp_path) as site:
        audit.attach(log, "serve")  # after uvicorn's logging set-up, which closes handlers
        try:
            person = Visitor(site)
            person.sign_in()
            run_id = person.send_draft(person.upload(planning_csv(tmp_path / "a.csv", ids)))
            run = live_run(site, run_id)
            wait_until(lambda: bool(row_lines()) or run.finished)
            assert not run.finished and len(row_lines()) < len(ids)  # while it sends
            assert outcome_counts(person.wait_run(run_id)) == {"created": 48}
        finally:
            audit.detach_all()
    lines = row_lines()
    assert sorted(line["idMission"] for line in lines) == sorted(ids)  # each row once
    assert {(line["outcome"], line["source"]) for line in lines} == {("created", "a.csv")}
