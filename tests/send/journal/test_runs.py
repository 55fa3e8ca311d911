"""Runs sharing a journal (importer/send/journal/runs.py): a run plans from what it read and
claims the mission with its attempt, only if no other live run holds it and nobody changed
it since; a run paused past its heartbeat sends nothing more."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import PROJECT_ROOT, live, mission

from importer.model import Action, Outcome, ValidatedRow
from importer.ocean_api import CALL_CREATE, CALL_MODIFY
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.send.answers import CallResult
from importer.send.client import OceanClient
from importer.send.engine import BatchRunner, RunOptions
from importer.send.journal.keys import params_hash
from importer.send.journal.ledger import Journal
from importer.send.journal.runs import MissionBusy, RunLapsed

URL = "http://127.0.0.1:8080"
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")


@pytest.fixture
def journal(tmp_path: Path):
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def test_begin_claims_the_mission_and_release_gives_it_up(journal: Journal) -> None:
    run = journal.start_run()
    attempt = journal.begin(URL, "", "M1", CALL_CREATE, "h1", run_id=run, expect=None)
    assert journal.stats()["claims"] == 1
    journal.finish(attempt, "applied")
    journal.release(run, URL, "", "M1")
    assert journal.stats() | {"runs": 0} == {
        "missions": 1,
        "present": 1,
        "attempts": 0,
        "runs": 0,
        "claims": 0,
    }


def test_begin_without_expectation_takes_no_claim(journal: Journal) -> None:
    journal.begin(URL, "", "M1", CALL_CREATE, "h1")
    assert journal.stats()["claims"] == 0  # the journal's own use, as before the claims


def test_a_mission_another_live_run_holds_is_busy_and_nothing_is_recorded(
    journal: Journal,
) -> None:
    holder, other = journal.start_run(), journal.start_run()
    assert journal.claim(holder, URL, "", "M1")
    assert journal.get(URL, "", "M1") is None  # a plain look is not refused
    with pytest.raises(MissionBusy):
        journal.get(URL, "", "M1", run_id=other)
    assert journal.get(URL, "", "M1", run_id=holder) is None  # its own claim
    with pytest.raises(MissionBusy):
        journal.begin(URL, "", "M1", CALL_CREATE, "h2", run_id=other, expect=None)
    assert journal.in_flight(URL) == []  # the refused begin left nothing behind
    assert journal.stats()["claims"] == 1
    assert not journal.wait_free(other, URL, "", "M1", until=0.0)
    journal.release(holder, URL, "", "M1")
    journal.flush()
    assert journal.wait_free(other, URL, "", "M1", until=0.0)
    journal.begin(URL, "", "M1", CALL_CREATE, "h2", run_id=other, expect=None)


def test_a_mission_changed_since_it_was_read_is_planned_anew(journal: Journal) -> None:
    first, second = journal.start_run(), journal.start_run()
    read = journal.get(URL, "", "M1", run_id=second)
    assert read is None
    # Meanwhile the first run creates it, and gives it up.
    done = journal.begin(URL, "", "M1", CALL_CREATE, "h1", run_id=first, expect=None)
    journal.finish(done, "applied")
    journal.release(first, URL, "", "M1")
    with pytest.raises(MissionBusy):  # "absent" is no longer true: a create would be wrong
        journal.begin(URL, "", "M1", CALL_CREATE, "h2", run_id=second, expect=read)
    assert journal.stats()["claims"] == 0  # the claim was rolled back with the refusal
    again = journal.get(URL, "", "M1", run_id=second)
    assert again is not None and again.present and again.params_hash == "h1"
    journal.begin(URL, "", "M1", CALL_MODIFY, "h2", run_id=second, expect=again)
    assert [a.call for a in journal.in_flight(URL)] == [CALL_MODIFY]


class CreatedMeanwhile(OceanClient):
    """A real client whose first statutMission answer comes back after another run created
    the mission (through the same journal and the same sandbox)."""

    journal: Journal
    other: dict[str, str]
    journal_url: str

    def status(self, id_mission: str, customer_id: int | str | None = None) -> CallResult:
        answer = super().status(id_mission, customer_id)
        if getattr(self, "done", False):
            return answer
        self.done = True
        run = self.journal.start_run()
        attempt = self.journal.begin(
            self.journal_url,
            "",
            id_mission,
            CALL_CREATE,
            params_hash(self.other),
            run_id=run,
            expect=None,
        )
        assert self.create(self.other).ok
        self.journal.finish(attempt, "applied")
        self.journal.release(run, self.journal_url, "", id_mission)
        self.journal.end_run(run)
        return answer  # 404: true when it was asked, no longer true


def test_the_engine_plans_anew_when_another_run_created_the_mission_meanwhile(
    tmp_path: Path,
) -> None:
    mine = mission("M-1")
    theirs = mission("M-1", ville="Grenoble")
    with Sandbox() as sb, Journal(tmp_path / "journal.sqlite3") as journal:
        client = CreatedMeanwhile(sb.url, DEMO_LOGIN, DEMO_PASSWORD)
        client.journal, client.other, client.journal_url = journal, theirs, sb.url
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT, workers=1))
        (outcome,) = runner.run([ValidatedRow(row=2, action=None, params=mine)])
        client.close()
        assert outcome is not None
        # statutMission said 404, but a create now would be refused or doubled: the row was
        # planned again from the journal, and modified the mission the other run created.
        assert outcome.outcome is Outcome.MODIFIED, outcome
        assert outcome.action == CALL_MODIFY
        (created,) = live(sb).values()
        assert created["params"]["ville"] == "Lyon"  # the latest content: this run's
        assert (created["creates"], created["modifies"]) == (1, 1)
        assert sb.counters()["calls"]["ajoutMission"] == 1
        assert journal.stats()["claims"] == 0


# A run that freezes right after recording a create (a laptop lid closed, SIGSTOP), long
# enough for other runs to count it as gone, sends nothing once it wakes.
FROZEN_RUN = """
import os, signal, sys, threading
from pathlib import Path
from importer.model import Action, ValidatedRow
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from importer.send.client import OceanClient
from importer.send.engine import BatchRunner, RunOptions
from importer.send.journal.ledger import Journal

class FreezesBeforeSending(OceanClient):
    frozen = False

    def create(self, params, **options):
        if not self.frozen:  # once: after begin, before the request leaves
            self.frozen = True
            signal.pthread_kill(threading.get_ident(), signal.SIGSTOP)  # this thread, at once
        return super().create(params, **options)

url, journal_path = sys.argv[1:3]
params = {"jourHeureInter": "03/12/2026 07:30", "typeMission": "Livraison",
          "nomVeh": "VL-12", "ville": "Lyon", "aEnvoyer": "false"}
rows = [ValidatedRow(row=n, action=None, params={**params, "idMission": f"M-{n}"})
        for n in (2, 3)]
with Journal(Path(journal_path), heartbeat_expiry=1.0) as journal:
    client = FreezesBeforeSending(url, DEMO_LOGIN, DEMO_PASSWORD)
    runner = BatchRunner(client, journal, url, RunOptions(Action.CREATE, workers=1))
    first, second = runner.run(rows)
    print(first.outcome.value, "|", first.message, "|", second is None, flush=True)
"""


@POSIX_ONLY
def test_a_run_paused_past_its_heartbeat_sends_nothing_when_it_wakes(tmp_path: Path) -> None:
    journal_path = tmp_path / "journal.sqlite3"
    with Sandbox() as sb:
        outcome, message, second_left = run_paused(FROZEN_RUN, sb.url, str(journal_path))
        assert outcome == "not_sent"
        assert "paused for" in message and "run again" in message
        assert second_left == "True"  # nothing more was started after the pause
        assert sb.counters()["calls"]["ajoutMission"] == 0  # the create never left
        with Journal(journal_path) as journal:
            (left,) = journal.in_flight(sb.url, live=False)  # offered to the next run
            assert (left.id_mission, left.call) == ("M-2", CALL_CREATE)
            with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD) as client:
                runner = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT))
                assert runner.reconcile_in_flight() == 1  # statutMission: absent
                (again,) = runner.run([ValidatedRow(row=2, action=None, params=mission("M-2"))])
        assert again is not None and again.outcome is Outcome.CREATED
        assert [m["idMission"] for m in live(sb).values()] == ["M-2"]
        assert sb.counters()["calls"]["ajoutMission"] == 1  # exactly once


# A run that stops itself once, at its first create, at ``where``: "prepare" (inside the
# transport, after every check the client made before the request) or "check" (right after
# its last check passed, before the write: the instant no check can cover).
STOPPED_AT = """
import os, signal, sys, threading
from pathlib import Path
from importer.model import Action, ValidatedRow
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from importer.send.client import OceanClient
from importer.send.engine import BatchRunner, RunOptions
from importer.send.journal.ledger import Journal

url, journal_path, where = sys.argv[1:4]
stopped = []

def stop_once():
    if not stopped:
        stopped.append(True)
        # This thread, at once: a SIGSTOP sent to the process is taken by the main thread,
        # and this one would run on (and write its request) until the stop reaches it.
        signal.pthread_kill(threading.get_ident(), signal.SIGSTOP)

class StopsAfterTheCheck(Journal):
    def check_live(self, run_id):
        super().check_live(run_id)
        if where == "check":
            stop_once()

params = {"jourHeureInter": "03/12/2026 07:30", "typeMission": "Livraison",
          "nomVeh": "VL-12", "ville": "Lyon", "aEnvoyer": "false"}
rows = [ValidatedRow(row=n, action=None, params={**params, "idMission": f"M-{n}"})
        for n in (2, 3)]
with StopsAfterTheCheck(Path(journal_path), heartbeat_expiry=1.0) as journal:
    client = OceanClient(url, DEMO_LOGIN, DEMO_PASSWORD)
    prepare = client._transport.prepare
    def stopping_prepare(call, *args):
        if where == "prepare" and call.changes_data:
            stop_once()
        return prepare(call, *args)
    client._transport.prepare = stopping_prepare
    runner = BatchRunner(client, journal, url, RunOptions(Action.CREATE, workers=1))
    first, second = runner.run(rows)
    print(first.outcome.value, "|", first.message, "|", second is None, flush=True)
"""


def run_paused(script: str, *args: str, meanwhile=None) -> tuple[str, str, str]:
    """Run ``script`` in a child that stops itself (SIGSTOP); while it is stopped past its
    heartbeat, call ``meanwhile``; wake it; the three parts of its ``a | b | c`` line."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        _pid, status = os.waitpid(child.pid, os.WUNTRACED)  # it stopped itself
        assert os.WIFSTOPPED(status)
        time.sleep(1.5)  # other runs count a run gone after 1 s without a heartbeat
        if meanwhile is not None:
            meanwhile()
    finally:
        child.send_signal(signal.SIGCONT)
    out, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    outcome, message, second_left = out.strip().split(" | ")
    return outcome, message, second_left


def run_stopped_at(where: str, sb: Sandbox, journal_path: Path) -> tuple[str, str, str]:
    """Run STOPPED_AT; while it is stopped past its heartbeat, another run creates M-2."""

    def create_m2() -> None:
        with (
            Journal(journal_path, heartbeat_expiry=1.0) as journal,
            OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD) as client,
        ):
            runner = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT))
            assert runner.reconcile_in_flight() == 1  # statutMission: absent
            (other,) = runner.run([ValidatedRow(row=2, action=None, params=mission("M-2"))])
        assert other is not None and other.outcome is Outcome.CREATED

    return run_paused(STOPPED_AT, sb.url, str(journal_path), where, meanwhile=create_m2)


@POSIX_ONLY
def test_a_run_stopped_on_its_way_to_the_socket_sends_nothing_when_it_wakes(
    tmp_path: Path,
) -> None:
    with Sandbox() as sb:
        outcome, message, second_left = run_stopped_at("prepare", sb, tmp_path / "j.sqlite3")
        assert outcome == "not_sent" and "paused for" in message, message
        assert second_left == "True"
        assert sb.counters()["calls"]["ajoutMission"] == 1  # the other run's only
        assert sb.counters()["duplicate_creates_refused"] == 0
        assert [m["creates"] for m in live(sb).values()] == [1]


@POSIX_ONLY
def test_a_run_stopped_between_its_last_check_and_the_write_says_what_happened(
    tmp_path: Path,
) -> None:
    # The one instant no check covers: the create leaves as the run wakes. Ocean (here the
    # sandbox) refuses it as a duplicate; the row tells the truth, and nothing more is sent.
    with Sandbox() as sb:
        outcome, message, second_left = run_stopped_at("check", sb, tmp_path / "j.sqlite3")
        assert outcome == "not_sent", message
        assert "another run created mission M-2" in message and "run again" in message
        assert second_left == "True"
        assert sb.counters()["duplicate_creates_refused"] == 1
        assert [m["creates"] for m in live(sb).values()] == [1]


def test_the_heartbeat_tells_a_run_that_went_too_long_without_one(journal: Journal) -> None:
    run = journal.start_run()
    journal.check_live(run)  # just registered: fine
    heartbeat = journal._heartbeat
    heartbeat._beaten -= 10 * heartbeat.expiry  # as after a long sleep of the computer
    heartbeat._started[run] -= 10 * heartbeat.expiry
    with pytest.raises(RunLapsed):
        journal.check_live(run)
    later = journal.start_run()
    journal.check_live(later)  # a run started after the pause is not concerned
