"""One journal shared by concurrent runs, with real processes against one sandbox.

Two imports of one file at once, a run killed or stopped mid-way and the run after it, and
`watch` beside `import`: every mission is created exactly once, and a live run's attempts
are never settled by another run.
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from helpers import PROJECT_ROOT, assert_state_equals_file, run_import, write_planning

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

ROOT = PROJECT_ROOT
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX signals")

# An import run through the engine in a child process, with a journal whose runs count as
# gone after `expiry` seconds without a heartbeat (the command line uses 30 s).
WORKER = """
import sys
from pathlib import Path
from importer.commands.importing import import_file
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from importer.send.journal.ledger import Journal
from importer.settings.load import Settings
url, planning, journal_path, expiry, output, mode = sys.argv[1:7]
settings = Settings(
    api_url=url, login=DEMO_LOGIN, password=DEMO_PASSWORD, journal=Path(journal_path),
    workers=4, read_timeout=10.0, connect_timeout=2.0, mode=mode,
)
with Journal(Path(journal_path), heartbeat_expiry=float(expiry)) as journal:
    report = import_file(
        Path(planning), settings, output=Path(output), show_progress=False, journal=journal
    )
print(" ".join(f"{k}={v}" for k, v in sorted(report.counts.items())), flush=True)
"""


def start_worker(
    sb: Sandbox, planning: Path, journal: Path, expiry: float, mode: str = "upsert"
) -> subprocess.Popen:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    output = planning.with_suffix(f".{time.monotonic_ns()}.xlsx")
    args = [sb.url, planning, journal, expiry, output, mode]
    return subprocess.Popen(
        [sys.executable, "-c", WORKER, *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def journal_rows(journal: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(journal, timeout=10)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wait_for_attempts(journal: Path, process: subprocess.Popen, at_least: int = 1) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if journal.exists():
            try:
                if journal_rows(journal, "SELECT COUNT(*) FROM attempts")[0][0] >= at_least:
                    return
            except sqlite3.OperationalError:  # not created yet
                pass
        time.sleep(0.02)
    raise AssertionError("the run never had a call in flight")


def stop_between_writes(process: subprocess.Popen, journal: Path) -> None:
    """SIGSTOP ``process`` at no instant of its sending but inside a journal write: a process
    stopped holding SQLite's write lock blocks every other run until it wakes (a lock of a
    live process cannot be taken over), which is not what the tests here are about."""
    conn = sqlite3.connect(journal, timeout=30, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")  # waits for its transaction in progress, if any
        process.send_signal(signal.SIGSTOP)
        conn.execute("ROLLBACK")
    finally:
        conn.close()


def outcomes_of(workbook: Path) -> list[str]:
    sheet = openpyxl.load_workbook(workbook)["Results"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("outcome")
    return [row[column].value for row in sheet.iter_rows(min_row=2)]


def no_duplicate_create(sb: Sandbox) -> None:
    assert sb.counters().get("duplicate_creates_refused", 0) == 0
    assert all(m["refused_creates"] == 0 for m in sb.missions())


@pytest.mark.slow
def test_two_imports_of_the_same_file_at_once_create_each_mission_once(tmp_path: Path) -> None:
    n = 300
    path = write_planning(tmp_path / "week.csv", n)
    journal = tmp_path / "journal.sqlite3"
    first_out, second_out = tmp_path / "first.xlsx", tmp_path / "second.xlsx"
    with Sandbox(latency_ms=5) as sb:
        first = run_import(sb, path, journal, "-o", str(first_out))
        second = run_import(sb, path, journal, "-o", str(second_out))
        for process in (first, second):
            _out, err = process.communicate(timeout=240)
            assert process.returncode == 0, err.decode()  # neither refused nor failed
        assert_state_equals_file(sb, n)  # every mission created exactly once
        no_duplicate_create(sb)
    both = list(zip(outcomes_of(first_out), outcomes_of(second_out), strict=True))
    assert all(sorted(pair) == ["created", "unchanged"] for pair in both), both[:5]
    assert journal_rows(journal, "SELECT COUNT(*) FROM attempts") == [(0,)]
    assert journal_rows(journal, "SELECT COUNT(*) FROM claims") == [(0,)]


@POSIX_ONLY
@pytest.mark.slow
def test_a_live_runs_attempts_are_never_settled_by_another_run(tmp_path: Path) -> None:
    slow = write_planning(tmp_path / "slow.csv", 100, prefix="S")
    other = write_planning(tmp_path / "other.csv", 10, prefix="O")
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(latency_ms=400) as sb:
        # Creates only: from its first call to its last, the run has calls in flight.
        running = start_worker(sb, slow, journal, expiry=30, mode="create")
        wait_for_attempts(journal, running, at_least=2)
        # Another run starts meanwhile: its start-up reconciliation must leave those alone.
        beside = run_import(sb, other, journal, "-o", str(tmp_path / "other.xlsx"))
        _out, err = beside.communicate(timeout=120)
        assert beside.returncode == 0, err.decode()
        assert running.poll() is None  # the whole time the other run lived, this one sent
        out, err = running.communicate(timeout=120)
        assert running.returncode == 0, err
        assert out.split() == ["created=100"]
        assert "could not record a finished call" not in err  # nobody settled them first
        created = {m["idMission"]: m["creates"] for m in sb.missions()}
        assert [created[f"S-{i:05d}"] for i in range(100)] == [1] * 100
        assert [created[f"O-{i:05d}"] for i in range(10)] == [1] * 10
        no_duplicate_create(sb)
    hashes = journal_rows(journal, "SELECT params_hash FROM missions WHERE id_mission LIKE 'S-%'")
    assert len(hashes) == 100 and all(h for (h,) in hashes)  # recorded by their own run


@POSIX_ONLY
@pytest.mark.slow
def test_a_killed_run_is_settled_by_the_next_one(tmp_path: Path) -> None:
    n = 40
    path = write_planning(tmp_path / "week.csv", n)
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(latency_ms=300) as sb:
        killed = start_worker(sb, path, journal, expiry=30)
        wait_for_attempts(journal, killed, at_least=2)
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=10)
        left = journal_rows(journal, "SELECT run_id FROM attempts")
        assert left and all(run for (run,) in left)  # in flight, with the dead run's id
        # Its heartbeat is fresh, but its process is dead: the next run settles them now.
        rerun = run_import(sb, path, journal, "-o", str(tmp_path / "rerun.xlsx"))
        _out, err = rerun.communicate(timeout=120)
        assert rerun.returncode == 0, err.decode()
        assert_state_equals_file(sb, n)
        no_duplicate_create(sb)
    assert journal_rows(journal, "SELECT COUNT(*) FROM attempts") == [(0,)]


@POSIX_ONLY
@pytest.mark.slow
def test_a_stopped_run_is_settled_once_its_heartbeat_expired(tmp_path: Path) -> None:
    n = 30
    path = write_planning(tmp_path / "week.csv", n)
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(latency_ms=300) as sb:
        stopped = start_worker(sb, path, journal, expiry=2)
        try:
            # Right after calls are recorded: workers are between recording and writing them,
            # where a stop must not let a change leave once the run lapsed.
            wait_for_attempts(journal, stopped, at_least=2)
            stop_between_writes(stopped, journal)  # alive, but its heartbeat stops
            left = {a for (a,) in journal_rows(journal, "SELECT id FROM attempts")}
            time.sleep(2.5)  # its heartbeat has expired
            later = start_worker(sb, path, journal, expiry=2)
            out, err = later.communicate(timeout=120)
            assert later.returncode == 0, err
            assert "failed" not in out and "not_sent" not in out, out
            remaining = {a for (a,) in journal_rows(journal, "SELECT id FROM attempts")}
            assert not left & remaining  # the stopped run's attempts were settled
            assert_state_equals_file(sb, n)
            no_duplicate_create(sb)
        finally:
            stopped.send_signal(signal.SIGCONT)  # it wakes up: nothing is sent twice
        _out, err = stopped.communicate(timeout=120)
        assert stopped.returncode == 0, err
        assert_state_equals_file(sb, n)
        no_duplicate_create(sb)


@pytest.mark.slow
def test_watch_and_import_share_one_journal(tmp_path: Path) -> None:
    n = 200
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    path = write_planning(tmp_path / "week.csv", n)
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(latency_ms=5) as sb:
        shutil.copy(path, inbox / "week.csv")
        env = {
            **os.environ,
            "OCEAN_API_URL": sb.url,
            "OCEAN_LOGIN": DEMO_LOGIN,
            "OCEAN_PASSWORD": DEMO_PASSWORD,
            "MISSION_IMPORTER_JOURNAL": str(journal),
            "NO_COLOR": "1",
        }
        watch = subprocess.Popen(
            [sys.executable, "-m", "importer", "watch", "--once", "--settle", "0", str(inbox)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        imported = run_import(sb, path, journal, "-o", str(tmp_path / "import.xlsx"))
        for process in (watch, imported):
            _out, err = process.communicate(timeout=240)
            assert process.returncode == 0, err.decode()
        assert (inbox / "done" / "week.csv").exists()
        assert_state_equals_file(sb, n)
        no_duplicate_create(sb)


@pytest.mark.slow
def test_the_page_and_an_import_share_one_journal(sandbox_factory, tmp_path: Path) -> None:
    from web_support import Visitor, outcome_counts, planning_csv, running_site

    box = sandbox_factory(latency_ms=100)
    n = 120
    path = planning_csv(tmp_path / "page.csv", [f"P-{i}" for i in range(n)])
    journal = tmp_path / "journal.sqlite3"
    with running_site(box, tmp_path, journal_path=journal) as site:
        person = Visitor(site)
        person.sign_in()
        draft = person.upload(path)
        imported = run_import(box, path, journal, "-o", str(tmp_path / "import.xlsx"))
        run = person.send_draft(draft)
        _out, err = imported.communicate(timeout=120)
        counts = outcome_counts(person.wait_run(run, timeout=120))
        assert imported.returncode == 0, err.decode()  # the page's journal is not locked
    assert sum(counts.values()) == n and set(counts) <= {"created", "unchanged"}, counts
    assert [m["creates"] for m in box.missions()] == [1] * n
    no_duplicate_create(box)
    import_outcomes = outcomes_of(tmp_path / "import.xlsx")
    assert import_outcomes.count("created") + counts.get("created", 0) == n
