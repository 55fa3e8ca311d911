"""Tests for importer/send/journal/: semantics, group commit, shared use, permissions, crashes."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import PROJECT_ROOT

from importer.errors import JournalError
from importer.filelock import FileLock
from importer.messages import catalogue, set_language
from importer.messages import journal as journal_messages
from importer.ocean_api import CALL_CREATE, CALL_DELETE, CALL_MODIFY
from importer.send.journal import database
from importer.send.journal.commit import Write
from importer.send.journal.database import default_journal_path
from importer.send.journal.keys import normalise_url, params_hash
from importer.send.journal.ledger import InFlight, Journal

URL = "http://127.0.0.1:8080"
ROOT = PROJECT_ROOT
POSIX_ONLY = pytest.mark.skipif(os.name == "nt", reason="POSIX signals and permissions")


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite3"


@pytest.fixture
def journal(path: Path):
    with Journal(path) as opened:
        yield opened


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


def start_child(code: str, *args: object) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=child_env(),
    )


# -- helpers and catalogue ---------------------------------------------------------------


def test_messages_have_the_same_keys_in_english_and_french() -> None:
    assert set(journal_messages.EN) == set(journal_messages.FR)
    assert all(key.startswith("journal.") for key in journal_messages.EN)
    assert catalogue()["fr"]["journal.locked"].startswith("une version plus ancienne")


def test_params_hash_is_stable_and_order_independent() -> None:
    a = params_hash({"idMission": "M1", "codePostal": "75001"})
    b = params_hash({"codePostal": "75001", "idMission": "M1"})
    assert a == b
    assert len(a) == 64 and int(a, 16) >= 0
    assert params_hash({"idMission": "M1", "codePostal": "75002"}) != a
    assert params_hash({"idMission": "M1"}) != params_hash({"idmission": "M1"})
    assert params_hash({"a": "b=c"}) != params_hash({"a=b": "c"})


def test_normalise_url_drops_credentials_query_and_trailing_slash() -> None:
    assert normalise_url("HTTPS://user:pw@Api.Example.com/rest/?token=x#f") == (
        "https://api.example.com/rest"
    )
    assert normalise_url("http://127.0.0.1:8080/") == URL


def test_default_journal_path_is_in_the_user_state_folder(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    found = default_journal_path()
    assert found.name == "journal.sqlite3"
    assert found.parent.name == "ocean-mission-importer"
    if sys.platform.startswith("linux"):
        assert found.parent.parent == tmp_path


# -- begin / finish / get / resolve --------------------------------------------------------


@pytest.mark.parametrize("call", [CALL_CREATE, CALL_MODIFY])
def test_applied_create_or_modify_records_the_hash(journal: Journal, call: str) -> None:
    attempt = journal.begin(URL, "100", "M1", call, "h1")
    assert [a.attempt_id for a in journal.in_flight(URL)] == [attempt]
    journal.finish(attempt, "applied", ocean_id="4711")
    entry = journal.get(URL, "100", "M1")
    assert entry is not None
    assert (entry.present, entry.params_hash, entry.ocean_id) == (True, "h1", "4711")
    assert journal.in_flight(URL) == []
    second = journal.begin(URL + "/", "100", "M1", CALL_MODIFY, "h2")
    journal.finish(second, "applied")
    entry = journal.get(URL, "100", "M1")
    assert entry is not None
    assert (entry.params_hash, entry.ocean_id) == ("h2", "4711")  # the Ocean id is kept


def test_applied_delete_marks_the_mission_absent(journal: Journal) -> None:
    journal.finish(journal.begin(URL, "", "M1", CALL_CREATE, "h1"), "applied")
    journal.finish(journal.begin(URL, "", "M1", CALL_DELETE, None), "applied")
    entry = journal.get(URL, "", "M1")
    assert entry is not None
    assert (entry.present, entry.params_hash) == (False, None)
    assert journal.in_flight(URL) == []


@pytest.mark.parametrize("call", [CALL_CREATE, CALL_MODIFY, CALL_DELETE])
def test_not_applied_changes_nothing(journal: Journal, call: str) -> None:
    journal.finish(journal.begin(URL, "", "M1", CALL_CREATE, "h1"), "applied")
    journal.finish(journal.begin(URL, "", "M1", call, "h2"), "not_applied")
    journal.finish(journal.begin(URL, "", "M2", call, "h3"), "not_applied")
    entry = journal.get(URL, "", "M1")
    assert entry is not None
    assert (entry.present, entry.params_hash) == (True, "h1")
    assert journal.get(URL, "", "M2") is None
    assert journal.in_flight(URL) == []


@pytest.mark.parametrize("call", [CALL_CREATE, CALL_MODIFY, CALL_DELETE])
def test_unknown_stays_in_flight(journal: Journal, call: str) -> None:
    attempt = journal.begin(URL, "101", "M1", call, "h1")
    journal.finish(attempt, "unknown")
    (left,) = journal.in_flight(URL)
    assert (left.attempt_id, left.call, left.params_hash, left.state) == (
        attempt,
        call,
        "h1",
        "unknown",
    )
    assert (left.customer_id, left.id_mission) == ("101", "M1")
    assert journal.get(URL, "101", "M1") is None


def test_keys_separate_api_url_and_customer(journal: Journal) -> None:
    journal.finish(journal.begin(URL, "101", "M1", CALL_CREATE, "a"), "applied")
    journal.finish(journal.begin(URL, "102", "M1", CALL_CREATE, "b"), "applied")
    journal.finish(journal.begin("http://127.0.0.1:9", "101", "M1", CALL_CREATE, "c"), "applied")
    hashes = [
        journal.get(URL, "101", "M1"),
        journal.get(URL, "102", "M1"),
        journal.get("http://127.0.0.1:9", "101", "M1"),
    ]
    assert [entry.params_hash for entry in hashes if entry] == ["a", "b", "c"]
    assert journal.get(URL, "", "M1") is None


def test_a_finish_rides_with_the_next_commit_and_is_seen_at_once(path: Path) -> None:
    def outside() -> int:  # what another process would read now
        other = sqlite3.connect(path)
        try:
            return other.execute("SELECT COUNT(*) FROM missions").fetchone()[0]
        finally:
            other.close()

    with Journal(path) as journal:
        first = journal.begin(URL, "", "M1", CALL_CREATE, "h1")
        journal.finish(first, "applied")
        assert outside() == 0  # queued, not committed yet
        assert journal.get(URL, "", "M1") is not None  # a read of that mission commits it
        assert outside() == 1
        second = journal.begin(URL, "", "M2", CALL_CREATE, "h2")
        journal.finish(second, "applied")
        journal.begin(URL, "", "M3", CALL_CREATE, "h3")  # the next write carries it
        assert outside() == 2
        journal.finish(journal.begin(URL, "", "M4", CALL_CREATE, "h4"), "applied")
        journal.flush()
        assert outside() == 3
        journal.finish(journal.begin(URL, "", "M5", CALL_CREATE, "h5"), "applied")
    assert outside() == 4  # close commits what is left
    with Journal(path) as journal:
        assert [a.id_mission for a in journal.in_flight(URL)] == ["M3"]


def test_a_finish_queued_twice_is_refused_like_before(journal: Journal) -> None:
    attempt = journal.begin(URL, "", "M1", CALL_CREATE, "h")
    journal.finish(attempt, "applied")
    with pytest.raises(ValueError, match="not in the journal"):
        journal.finish(attempt, "applied")  # checked at once: the queued one commits first
    assert journal.stats()["present"] == 1


def test_begin_is_fsynced_and_finish_need_not_be(journal: Journal) -> None:
    def level() -> int:  # 2 = FULL (fsync at commit), 1 = NORMAL
        journal.flush()
        return journal._db.connection().execute("PRAGMA synchronous").fetchone()[0]

    attempt = journal.begin(URL, "", "M1", CALL_CREATE, "h")
    assert level() == 2
    journal.finish(attempt, "applied")  # if a power loss drops it, the attempt stays in flight
    assert level() == 1
    journal.begin(URL, "", "M2", CALL_CREATE, "h")
    assert level() == 2


def test_wrong_calls_results_and_ids_are_programming_errors(journal: Journal) -> None:
    with pytest.raises(ValueError, match="statutMission"):
        journal.begin(URL, "", "M1", "statutMission", None)
    attempt = journal.begin(URL, "", "M1", CALL_CREATE, "h")
    with pytest.raises(ValueError, match="result"):
        journal.finish(attempt, "done")  # type: ignore[arg-type]
    journal.finish(attempt, "applied")
    with pytest.raises(ValueError, match="not in the journal"):
        journal.finish(attempt, "applied")
    with pytest.raises(ValueError, match="not in the journal"):
        journal.resolve(attempt, present=True)


def test_attempt_left_by_a_crash_is_listed_after_reopening(path: Path) -> None:
    journal = Journal(path)
    first = journal.begin(URL, "", "M1", CALL_CREATE, "h1")
    journal.finish(journal.begin(URL, "", "M2", CALL_MODIFY, "h2"), "unknown")
    journal.begin("http://127.0.0.1:9", "", "M3", CALL_DELETE, None)
    journal.close()  # no finish: the run died
    with Journal(path) as reopened:
        left = reopened.in_flight(URL)
        assert [(a.id_mission, a.call, a.state) for a in left] == [
            ("M1", CALL_CREATE, "in_flight"),
            ("M2", CALL_MODIFY, "unknown"),
        ]
        assert left[0].attempt_id == first
        assert isinstance(left[0], InFlight) and left[0].started_at.endswith("+00:00")
        assert len(reopened.in_flight(None)) == 3


@pytest.mark.parametrize(
    ("call", "before", "present", "expected"),
    [
        (CALL_CREATE, None, True, (True, None)),
        (CALL_MODIFY, "old", True, (True, None)),
        (CALL_CREATE, None, False, (False, None)),
        (CALL_MODIFY, "old", False, (False, None)),
        (CALL_DELETE, "old", False, (False, None)),
        (CALL_DELETE, "old", True, (True, "old")),
        (CALL_DELETE, None, True, (True, None)),
    ],
)
def test_resolve_after_a_status_check(
    journal: Journal, call: str, before: str | None, present: bool, expected: tuple
) -> None:
    if before is not None:
        journal.finish(journal.begin(URL, "", "M1", CALL_CREATE, before), "applied")
    attempt = journal.begin(URL, "", "M1", call, "new")
    journal.finish(attempt, "unknown")
    journal.resolve(attempt, present=present)
    entry = journal.get(URL, "", "M1")
    assert entry is not None
    assert (entry.present, entry.params_hash) == expected
    assert journal.in_flight(URL) == []


def test_record_mission_and_stats_and_prune(journal: Journal) -> None:
    journal.record_mission(URL, "", "gone", present=False, params_hash="ignored")
    journal.record_mission(URL, "", "here", present=True, params_hash="h")
    journal.begin(URL, "", "busy", CALL_CREATE, "b")
    gone = journal.get(URL, "", "gone")
    assert gone is not None and gone.params_hash is None
    counts = {"missions": 2, "present": 1, "attempts": 1, "runs": 1, "claims": 0}
    assert journal.stats() == counts
    assert journal.prune(older_than_days=30) == 0
    assert journal.prune(older_than_days=-1) == 1  # the absent mission
    assert journal.stats() == {**counts, "missions": 1}


def test_no_credential_reaches_the_file(path: Path) -> None:
    with Journal(path) as journal:
        attempt = journal.begin(
            "https://planner:s3cr3t@127.0.0.1/?tok=T0KEN", "", "M", CALL_CREATE, "h"
        )
        journal.finish(attempt, "applied")
        journal.flush()
        wal = path.with_name(path.name + "-wal")
        assert wal.exists()  # WAL mode: while open, the new pages are in the -wal file
        assert b"s3cr3t" not in wal.read_bytes() and b"T0KEN" not in wal.read_bytes()
    data = path.read_bytes()
    assert b"s3cr3t" not in data and b"T0KEN" not in data
    assert b"https://127.0.0.1" in data


def test_closed_journal_refuses_work(path: Path) -> None:
    journal = Journal(path)
    journal.close()
    journal.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        journal.begin(URL, "", "M1", CALL_CREATE, "h")


def test_a_write_that_cannot_happen_is_a_journal_error(monkeypatch, path: Path) -> None:
    monkeypatch.setattr(database, "BUSY_MS", 100)
    with Journal(path) as journal:
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        try:
            with pytest.raises(JournalError, match="cannot write to the journal"):
                journal.begin(URL, "", "M1", CALL_CREATE, "h")
        finally:
            other.execute("ROLLBACK")
            other.close()
        journal.finish(journal.begin(URL, "", "M1", CALL_CREATE, "h"), "applied")
        assert journal.stats()["present"] == 1


# -- concurrency ---------------------------------------------------------------------------


def test_sixteen_threads_lose_no_update(journal: Journal) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(16)

    def work(thread: int) -> None:
        try:
            start.wait()
            for i in range(500):
                call = CALL_CREATE if i < 10 else CALL_MODIFY
                attempt = journal.begin(URL, str(thread), f"M{i % 10}", call, f"{thread}:{i}")
                journal.finish(attempt, "unknown" if i % 100 == 99 else "applied")
                if i % 50 == 0:  # a failing write shares a group commit with good ones
                    with pytest.raises(ValueError, match="not in the journal"):
                        journal.finish(10**9 + thread, "applied")
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for thread in range(16):
        for mission in range(10):
            entry = journal.get(URL, str(thread), f"M{mission}")
            assert entry is not None and entry.present
            last = 490 + mission
            expected = last if mission != 9 else last - 10  # i=499 stayed unknown
            assert entry.params_hash == f"{thread}:{expected}"
    left = journal.in_flight(URL)
    assert len(left) == 16 * 5 and {a.state for a in left} == {"unknown"}


def test_one_failing_write_does_not_undo_its_group(journal: Journal) -> None:
    def bad(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM attempts")
        raise ValueError("this write fails after changing something")

    first = journal.begin(URL, "", "M0", CALL_CREATE, "h0")
    batch = [
        Write(lambda conn: journal._attempt(conn, first)),
        Write(bad),
        Write(
            lambda conn: conn.execute(
                "UPDATE attempts SET state = 'unknown' WHERE id = ?", (first,)
            )
        ),
    ]
    journal._db.commit(batch)
    assert all(write.done for write in batch)
    assert batch[0].result[3] == "M0" and batch[0].error is None
    assert isinstance(batch[1].error, ValueError)
    assert [a.state for a in journal.in_flight(URL)] == ["unknown"]  # bad's DELETE was undone


# -- one journal, several runs and processes ----------------------------------------------

RUNNER = """
import sys
from pathlib import Path
from importer.send.journal.ledger import Journal
URL = sys.argv[3]
journal = Journal(Path(sys.argv[1]), heartbeat_expiry=float(sys.argv[2]))
run = journal.start_run()
assert journal.claim(run, URL, "", "C1")
attempt = journal.begin(URL, "", "C1", "ajoutMission", "h", run_id=run)
print("READY", attempt, flush=True)
sys.stdin.readline()
journal.finish(attempt, "applied")
journal.release(run, URL, "", "C1")
journal.end_run(run)
journal.close()
print("CLOSED", flush=True)
sys.stdin.readline()
"""

OLD_VERSION = """
import sys
from pathlib import Path
from importer.filelock import FileLock
lock = FileLock(Path(sys.argv[1] + ".lock"), busy=RuntimeError)  # exclusive, as it was
lock.acquire()
print("READY", flush=True)
sys.stdin.readline()
lock.release()
print("CLOSED", flush=True)
sys.stdin.readline()
"""


def start_runner(path: Path, expiry: float = 30.0) -> tuple[subprocess.Popen, int]:
    path.parent.mkdir(parents=True, exist_ok=True)
    child = start_child(RUNNER, path, expiry, URL)
    assert child.stdout is not None
    ready, attempt = child.stdout.readline().split()
    assert ready == "READY"
    return child, int(attempt)


def say(child: subprocess.Popen, expected: str) -> None:
    assert child.stdin is not None and child.stdout is not None
    child.stdin.write("go\n")
    child.stdin.flush()
    assert child.stdout.readline().strip() == expected


def test_two_journals_in_one_process_share_the_file(path: Path) -> None:
    with Journal(path) as first, Journal(path) as second:
        first.finish(first.begin(URL, "", "M1", CALL_CREATE, "h1"), "applied")
        first.flush()
        entry = second.get(URL, "", "M1")
        assert entry is not None and entry.params_hash == "h1"
        assert second.stats()["runs"] == 2  # each journal object is a live run
    with Journal(path) as again:
        assert again.stats()["runs"] == 1  # closing ended both


def test_a_claimed_mission_waits_for_its_release_within_a_bound(path: Path) -> None:
    with Journal(path) as journal:
        holder, other = journal.start_run(), journal.start_run()
        assert journal.claim(holder, URL, "", "M1")
        assert journal.claim(holder, URL + "/", "", "M1")  # again: it holds it already
        began = time.monotonic()
        assert not journal.claim(other, URL, "", "M1", wait=0.3)  # busy
        assert time.monotonic() - began >= 0.3
        assert journal.claim(other, URL, "", "M2")  # another mission is free
        threading.Timer(0.2, journal.release, (holder, URL, "", "M1")).start()
        began = time.monotonic()
        assert journal.claim(other, URL, "", "M1", wait=5)  # released (and committed) meanwhile
        assert time.monotonic() - began < 4
        journal.end_run(other)
        assert journal.stats()["claims"] == 0  # ending a run drops its claims


def test_another_process_shares_the_journal_and_keeps_its_claims(path: Path) -> None:
    child, attempt = start_runner(path)
    try:
        with Journal(path, lock_timeout=0.2) as journal:  # no refusal: shared
            assert [a.attempt_id for a in journal.in_flight(URL)] == [attempt]
            assert journal.in_flight(URL, live=False) == []  # a live run waits for it
            assert not journal.claim(journal.run_id, URL, "", "C1", wait=0.2)
            say(child, "CLOSED")
            assert journal.in_flight(URL) == []
            entry = journal.get(URL, "", "C1")
            assert entry is not None and entry.params_hash == "h"
            assert journal.claim(journal.run_id, URL, "", "C1")
    finally:
        child.kill()
        child.wait()


@POSIX_ONLY
def test_the_attempts_of_a_killed_process_may_be_settled_at_once(path: Path) -> None:
    child, attempt = start_runner(path)
    with Journal(path) as journal:
        assert journal.in_flight(URL, live=False) == []
        child.send_signal(signal.SIGKILL)
        child.wait()
        # its heartbeat is recent, but its process is gone (same host): the run is gone
        assert [a.attempt_id for a in journal.in_flight(URL, live=False)] == [attempt]
        assert journal.claim(journal.run_id, URL, "", "C1")  # its claim is taken over


@POSIX_ONLY
def test_a_run_whose_heartbeat_expired_is_gone_even_if_its_process_lives(path: Path) -> None:
    child, attempt = start_runner(path, expiry=1.0)
    try:
        with Journal(path, heartbeat_expiry=1.0) as journal:
            time.sleep(0.6)
            assert journal.in_flight(URL, live=False) == []  # it beats every 0.25 s
            child.send_signal(signal.SIGSTOP)  # alive, but no heartbeat any more
            began = time.monotonic()
            assert not journal.claim(journal.run_id, URL, "", "C1", wait=0.3)
            assert journal.claim(journal.run_id, URL, "", "C1", wait=5)
            assert 0.5 < time.monotonic() - began < 4  # once the heartbeat expired
            assert [a.attempt_id for a in journal.in_flight(URL, live=False)] == [attempt]
    finally:
        child.kill()
        child.wait()


def test_an_older_version_holding_the_journal_is_reported(path: Path) -> None:
    path.parent.mkdir(parents=True)
    child = start_child(OLD_VERSION, path)
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
        began = time.monotonic()
        with pytest.raises(JournalError) as refused:
            Journal(path, lock_timeout=0.2)
        assert time.monotonic() - began >= 0.2
        message = str(refused.value)
        assert str(path) in message and f"pid {child.pid}" in message
        assert "older version" in message and "--journal" in message
        set_language("fr")
        try:
            with pytest.raises(JournalError, match="une version plus ancienne de l'importeur"):
                Journal(path, lock_timeout=0.0)
        finally:
            set_language("en")
        say(child, "CLOSED")
        with Journal(path, lock_timeout=0.2) as journal:
            assert journal.in_flight(URL) == []
            with pytest.raises(RuntimeError):  # and the older version is kept out meanwhile
                FileLock(path.with_name(path.name + ".lock"), busy=RuntimeError).acquire()
    finally:
        child.kill()
        child.wait()


def test_a_journal_of_the_previous_version_is_migrated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    old = sqlite3.connect(path, isolation_level=None)
    old.executescript(VERSION_1)
    old.execute("INSERT INTO missions VALUES (?, '', 'OLD', 1, 'h', NULL, '2026-01-01')", (URL,))
    old.execute(
        "INSERT INTO attempts VALUES (7, ?, '', 'LEFT', ?, 'h2', '2026-01-01', 'in_flight')",
        (URL, CALL_CREATE),
    )
    old.execute("INSERT INTO files VALUES ('abc', 'week 1.xlsx', NULL, '{}', '2026-01-01')")
    old.close()
    with Journal(path) as journal:
        entry = journal.get(URL, "", "OLD")
        assert entry is not None and entry.params_hash == "h"
        left = journal.in_flight(URL, live=False)  # its run (version 1) is gone
        assert [(a.attempt_id, a.id_mission, a.run_id) for a in left] == [(7, "LEFT", None)]
    check = sqlite3.connect(path)
    try:
        assert check.execute("SELECT schema_version FROM meta").fetchall() == [(3,)]
        assert check.execute("SELECT COUNT(*) FROM files").fetchone() == (1,)  # left alone
    finally:
        check.close()


VERSION_1 = """
CREATE TABLE meta (schema_version INTEGER NOT NULL);
CREATE TABLE missions (
    api_url TEXT NOT NULL, customer_id TEXT NOT NULL, id_mission TEXT NOT NULL,
    present INTEGER NOT NULL, params_hash TEXT, ocean_id TEXT, updated_at TEXT NOT NULL,
    PRIMARY KEY (api_url, customer_id, id_mission)
) WITHOUT ROWID;
CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, api_url TEXT NOT NULL, customer_id TEXT NOT NULL,
    id_mission TEXT NOT NULL, call TEXT NOT NULL, params_hash TEXT,
    started_at TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('in_flight', 'unknown'))
);
CREATE INDEX attempts_by_api ON attempts (api_url);
CREATE TABLE files (
    content_hash TEXT PRIMARY KEY, name TEXT NOT NULL, results_path TEXT,
    counts_json TEXT NOT NULL, processed_at TEXT NOT NULL
);
INSERT INTO meta (schema_version) VALUES (1);
"""


def test_processes_opening_a_new_journal_together_make_one_schema_and_key(path: Path) -> None:
    path.parent.mkdir(parents=True)
    code = (
        "import sys; from pathlib import Path; from importer.send.journal.ledger import Journal;"
        "j = Journal(Path(sys.argv[1])); print(j._account_key.hex()); j.close()"
    )
    children = [start_child(code, path) for _ in range(4)]
    keys = {child.communicate()[0].strip() for child in children}
    assert all(child.returncode == 0 for child in children)
    assert len(keys) == 1 and len(keys.pop()) == 64


# -- permissions ---------------------------------------------------------------------------


@POSIX_ONLY
def test_files_are_owner_only_whatever_the_umask(path: Path) -> None:
    previous = os.umask(0)
    try:
        with Journal(path) as journal:
            journal.begin(URL, "", "M1", CALL_CREATE, "h")
            for suffix in ("", "-wal", "-shm", ".lock"):
                mode = stat.S_IMODE(path.with_name(path.name + suffix).stat().st_mode)
                assert mode == 0o600, (suffix, oct(mode))
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    finally:
        os.umask(previous)


@POSIX_ONLY
def test_an_existing_journal_is_tightened(path: Path) -> None:
    with Journal(path):
        pass
    path.chmod(0o644)
    with Journal(path):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- corrupt journals ----------------------------------------------------------------------


def assert_corrupt(path: Path, reason: str) -> None:
    for _ in range(2):  # the shared lock is released after the failure
        with pytest.raises(JournalError) as refused:
            Journal(path, lock_timeout=0.2)
        message = str(refused.value)
        assert str(path) in message and "damaged" in message, message
        assert reason in message and "Move it aside" in message, message


def test_garbage_is_reported_not_recreated(path: Path) -> None:
    path.parent.mkdir(parents=True)
    garbage = random.Random(1).randbytes(5000)
    path.write_bytes(garbage)
    assert_corrupt(path, "not a SQLite database")
    assert path.read_bytes() == garbage


def test_truncated_journal_is_reported(path: Path) -> None:
    with Journal(path) as journal:
        journal.record_mission(URL, "", "M", present=True, params_hash="x" * 64)
    bulk = sqlite3.connect(path)
    rows = [(URL, "", "", f"M{n}", 1, "x" * 64, None, "2024") for n in range(3000)]
    bulk.executemany(
        "INSERT INTO missions (api_url, account, customer_id, id_mission, present, params_hash,"
        " ocean_id, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    bulk.commit()
    bulk.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    bulk.close()
    data = path.read_bytes()
    assert len(data) > 100_000
    path.write_bytes(data[: len(data) // 2])
    assert_corrupt(path, "malformed")
    path.write_bytes(data[:60])
    assert_corrupt(path, "malformed")


def test_foreign_sqlite_file_is_reported(path: Path) -> None:
    path.parent.mkdir(parents=True)
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE meta (schema_version INTEGER)")
    other.commit()
    other.close()
    assert_corrupt(path, 'the table "missions" is missing')


def test_newer_format_is_refused(path: Path) -> None:
    with Journal(path):
        pass
    other = sqlite3.connect(path)
    other.execute("UPDATE meta SET schema_version = 99")
    other.commit()
    other.close()
    with pytest.raises(JournalError, match="newer version"):
        Journal(path)


def test_empty_file_becomes_a_journal(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"")
    with Journal(path) as journal:
        assert journal.stats()["missions"] == journal.stats()["attempts"] == 0


def test_unusable_location_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    with pytest.raises(JournalError, match=r"cannot open the journal .*--journal"):
        Journal(blocker / "journal.sqlite3")
    (tmp_path / "a-folder.sqlite3").mkdir()
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal(tmp_path / "a-folder.sqlite3")


def test_corrupt_message_in_french(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not a database at all")
    set_language("fr")
    try:
        with pytest.raises(JournalError, match=r"est endommagé .*Mettez-le de côté"):
            Journal(path)
    finally:
        set_language("en")


# -- a real crash: SIGKILL at random instants ---------------------------------------------

WORKER = """
import sys, threading
from pathlib import Path
from importer.send.journal.ledger import Journal
URL, CALLS = sys.argv[2], ("ajoutMission", "modifierMission", "supprimerMission")
RESULTS = ("applied", "not_applied", "unknown", "applied")
journal = Journal(Path(sys.argv[1]))
start, lock = int(sys.argv[3]), threading.Lock()

def say(text):
    with lock:
        sys.stdout.write(text + "\\n")
        sys.stdout.flush()

def work(k):
    i = start
    while True:
        aid = journal.begin(URL, "", f"T{k}-M{i % 5}", CALLS[i % 3], f"{k}:{i}")
        say(f"B {k} {i} {aid}")
        journal.finish(aid, RESULTS[(i // 3) % 4])
        say(f"F {k} {i}")
        i += 1

say("READY")
for k in range(4):
    threading.Thread(target=work, args=(k,), daemon=True).start()
threading.Event().wait()
"""
CRASH_CALLS = (CALL_CREATE, CALL_MODIFY, CALL_DELETE)
CRASH_RESULTS = ("applied", "not_applied", "unknown", "applied")


def snapshot(journal: Journal) -> dict[str, tuple[bool, str | None] | None]:
    state = {}
    for k in range(4):
        for m in range(5):
            entry = journal.get(URL, "", f"T{k}-M{m}")
            state[f"T{k}-M{m}"] = None if entry is None else (entry.present, entry.params_hash)
    return state


def check_after_kill(journal: Journal, before: dict, lines: list[str], start: int) -> int:
    """Replay what the killed child reported and compare with the journal; return #ops."""
    begun: dict[int, dict[int, int]] = {k: {} for k in range(4)}
    done: dict[int, set[int]] = {k: set() for k in range(4)}
    for line in lines:
        parts = line.split()
        if parts[:1] == ["B"] and len(parts) == 4:
            begun[int(parts[1])][int(parts[2])] = int(parts[3])
        elif parts[:1] == ["F"] and len(parts) == 3:
            done[int(parts[1])].add(int(parts[2]))
    left = {a.params_hash: a for a in journal.in_flight(URL)}
    expected = dict(before)
    for k in range(4):
        last = max(begun[k], default=start - 1)
        for i in range(start, last + 2):  # last + 1: begun, maybe, but not reported
            attempt = left.get(f"{k}:{i}")
            result = CRASH_RESULTS[(i // 3) % 4]
            # A finish rides with the next commit: the same thread's next begin, which
            # returned, committed it (if an earlier commit did not).
            if i in done[k] and i + 1 in begun[k]:
                settled = True
                assert (attempt is not None) == (result == "unknown"), (k, i, attempt)
                if attempt is not None:
                    assert attempt.state == "unknown"
            else:  # killed between begin and finish, or before either was committed
                assert i >= last, (k, i, "every earlier attempt was finished")
                if attempt is not None:  # finish not committed, or committed as "unknown"
                    assert attempt.call == CRASH_CALLS[i % 3]
                    finished = i in begun[k] and result == "unknown"
                    assert attempt.state == "in_flight" or finished, (k, i, attempt)
                settled = i in begun[k] and (attempt is None or attempt.state == "unknown")
            if settled and result == "applied":
                present = CRASH_CALLS[i % 3] != CALL_DELETE
                expected[f"T{k}-M{i % 5}"] = (present, f"{k}:{i}" if present else None)
    assert snapshot(journal) == expected  # no half state: hash and attempt moved together
    return sum(len(b) for b in begun.values())


@POSIX_ONLY
def test_sigkill_at_random_instants_leaves_a_consistent_journal(path: Path) -> None:
    rng = random.Random(20240607)
    with Journal(path) as journal:
        before = snapshot(journal)
    operations = 0
    for run in range(6):
        start = run * 1_000_000
        child = start_child(WORKER, path, URL, start)
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
        time.sleep(rng.uniform(0.02, 0.35))
        child.send_signal(signal.SIGKILL)
        # Read on from the same buffered stream: communicate() would read the pipe itself
        # and lose the lines that readline() buffered after READY.
        output = child.stdout.read()
        child.wait()
        assert child.returncode == -signal.SIGKILL
        with Journal(path) as journal:
            operations += check_after_kill(journal, before, output.splitlines(), start)
            before = snapshot(journal)
        check = sqlite3.connect(path)
        try:
            assert check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            check.close()
    assert operations > 100  # the children really worked before being killed


def test_attempts_of_live_runs_are_not_offered_for_settling(path: Path) -> None:
    with Journal(path) as journal, Journal(path) as other:
        waiting = journal.begin(URL, "", "L1", CALL_CREATE, "h1")
        assert [a.attempt_id for a in journal.in_flight(URL)] == [waiting]
        assert journal.in_flight(URL, live=False) == []  # a run of this process waits for it
        assert other.in_flight(URL, live=False) == []  # nor may another journal settle it
        journal.finish(waiting, "unknown")  # its run no longer waits: now it may be settled
        journal.flush()
        assert [a.attempt_id for a in other.in_flight(URL, live=False)] == [waiting]
        run = journal.start_run()
        ended = journal.begin(URL, "", "L2", CALL_CREATE, "h2", run_id=run)
        journal._begun.clear()  # as if begun by another process
        assert [a.attempt_id for a in other.in_flight(URL, live=False)] == [waiting]
        journal.end_run(run)  # its run ended with the attempt in flight: a crash
        assert [a.attempt_id for a in other.in_flight(URL, live=False)] == [waiting, ended]


def test_changed_fields_compare_with_the_values_kept_until_the_mission_goes(tmp_path) -> None:
    path = tmp_path / "fields.sqlite3"
    params = {"idMission": "F1", "ville": "Lyon", "commentaire": "code 1234"}
    with Journal(path) as journal:
        assert journal.changed_fields(URL, "", "F1", params) is None
        attempt = journal.begin(URL, "", "F1", CALL_CREATE, "h", params)
        journal.finish(attempt, "applied")
        assert journal.changed_fields(URL, "", "F1", params) == []
        edited = {**params, "commentaire": "code 9999", "rue": "1 rue Neuve"}
        assert journal.changed_fields(URL, "", "F1", edited) == ["commentaire", "rue"]
    assert b"code 1234" in path.read_bytes()  # schema 3 keeps the values (SECURITY.md)
    with Journal(path) as reopened:
        assert reopened.changed_fields(URL, "", "F1", params) == []
        reopened.record_mission(URL, "", "F1", present=False)
        assert reopened.changed_fields(URL, "", "F1", params) is None
    assert b"code 1234" not in path.read_bytes()  # overwritten (secure_delete), not only freed


def test_read_ahead_leaves_out_missions_held_by_another_run_or_with_a_queued_write(
    journal: Journal,
) -> None:
    journal.finish(journal.begin(URL, "", "K-1", CALL_CREATE, "h1"), "applied")
    journal.flush()
    other = journal.start_run()
    assert journal.claim(other, URL, "", "H-1")  # another live run sends H-1 now
    mine = journal.start_run()
    queued = journal.begin(URL, "", "Q-1", CALL_CREATE, "hq")
    journal.finish(queued, "applied")  # queued for the next commit, not written yet
    ahead = journal.read_ahead(
        URL, [("", "K-1"), ("", "N-1"), ("", "H-1"), ("", "Q-1")], run_id=mine
    )
    assert set(ahead) == {("", "K-1"), ("", "N-1")}  # H-1 and Q-1: ask get
    assert ahead[("", "N-1")] is None  # never seen
    known = ahead[("", "K-1")]
    assert known is not None and known.present and known.params_hash == "h1"
    assert known == journal.get(URL, "", "K-1", run_id=mine)  # what get says


def test_reads_see_the_last_commit_and_end_with_the_journal(path: Path) -> None:
    journal = Journal(path)
    journal.finish(journal.begin(URL, "", "R-1", CALL_CREATE, "h"), "applied")
    journal.flush()
    entry = journal.get(URL, "", "R-1")  # on the reader connection: the last commit
    assert entry is not None and entry.present
    journal.close()
    with pytest.raises(RuntimeError, match="closed"):
        journal.get(URL, "", "R-1")
