"""The drop-folder service with a real inbox in a temporary folder and the sandbox."""

from __future__ import annotations

import dataclasses
import gc
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from pathlib import Path

import openpyxl
import pytest
from helpers import assert_state_equals_file, live, mission_calls, write_planning

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.settings.load import Settings
from importer.watch.service import Watcher, inbox_lock, is_candidate


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        yield sandbox


def make_watcher(sb: Sandbox, tmp_path: Path, **changes: object) -> Watcher:
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)
    settings = Settings(
        api_url=sb.url,
        login=DEMO_LOGIN,
        password=DEMO_PASSWORD,
        journal=tmp_path / "journal.sqlite3",
    )
    settings = dataclasses.replace(settings, **changes)
    return Watcher(inbox, settings, interval=0.1, settle=0.3)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("week.xlsx", True),
        ("week.CSV", True),
        ("week.ods", True),
        ("~$week.xlsx", False),
        (".~lock.week.xlsx#", False),
        (".hidden.csv", False),
        ("week.xlsx.tmp", False),
        ("notes.txt", False),
        ("week.results.xlsx", True),  # a results workbook dropped back after fixing
        ("week.csv.part", False),
        ("week.xls", True),
    ],
    ids=lambda v: str(v),
)
def test_only_finished_spreadsheets_are_candidates(name, expected):
    assert is_candidate(Path(name)) is expected


def test_once_processes_the_inbox_and_exits(sb, tmp_path):
    watcher = make_watcher(sb, tmp_path)
    write_planning(watcher.inbox / "monday.csv", 5, prefix="MON")
    write_planning(watcher.inbox / "tuesday.csv", 4, prefix="TUE")
    (watcher.inbox / "~$monday.xlsx").write_bytes(b"lock")
    (watcher.inbox / ".~lock.tuesday.csv#").write_text("lock")
    assert watcher.run(once=True) == 2
    assert sorted(p.name for p in (watcher.inbox / "done").iterdir()) == [
        "monday.csv",
        "tuesday.csv",
    ]
    results = sorted(p.name for p in (watcher.inbox / "results").iterdir())
    assert results == ["monday.results.xlsx", "tuesday.results.xlsx"]
    assert (watcher.inbox / "~$monday.xlsx").exists()  # lock files left alone
    assert len(live(sb)) == 9


def test_same_content_dropped_twice_is_not_sent_again(sb, tmp_path):
    watcher = make_watcher(sb, tmp_path)
    source = write_planning(tmp_path / "week.csv", 6)
    (watcher.inbox / "week.csv").write_bytes(source.read_bytes())
    watcher.run(once=True)
    calls_before = mission_calls(sb)
    (watcher.inbox / "week.csv").write_bytes(source.read_bytes())
    watcher.run(once=True)
    assert mission_calls(sb) == calls_before  # not one mission call more
    done = sorted(p.name for p in (watcher.inbox / "done").iterdir())
    assert len(done) == 2 and "week.csv" in done  # the second one got a timestamp suffix
    results = sorted((watcher.inbox / "results").iterdir())
    assert len(results) == 2
    second = next(p for p in results if p.name != "week.results.xlsx")
    summary = openpyxl.load_workbook(second)["Summary"]
    assert any("already processed" in str(c.value) for row in summary.iter_rows() for c in row)


def test_the_service_does_not_keep_each_files_results_workbook(sb, tmp_path):
    from xlsxwriter.workbook import Workbook

    def workbooks() -> int:  # alive, or garbage not collected yet
        return sum(isinstance(o, Workbook) for o in gc.get_objects())

    gc.collect()
    before = workbooks()
    watcher = make_watcher(sb, tmp_path)
    for n in range(6):
        write_planning(watcher.inbox / f"day-{n}.csv", 5, prefix=f"D{n}")
    assert watcher.run(once=True) == 6
    assert workbooks() - before <= 1  # the last file's, at most: not one more per file


class _Node:
    other: object = None


def test_the_service_collects_old_garbage_when_idle(sb, tmp_path):
    # Garbage in the oldest generation: the service's own pauses of the collector (one per
    # file) reset its counters, so only the idle collection after a busy spell frees it.
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gc.freeze()  # what paused_gc does with the survivors: oldest generation on unfreeze
    gc.unfreeze()
    ref = weakref.ref(a)
    del a, b
    watcher = make_watcher(sb, tmp_path)
    write_planning(watcher.inbox / "day.csv", 5, prefix="G")
    assert watcher.run(once=True) == 1
    assert ref() is None


def test_corrupt_file_goes_to_failed_with_an_explanation(sb, tmp_path):
    import zipfile

    watcher = make_watcher(sb, tmp_path)
    with zipfile.ZipFile(watcher.inbox / "broken.xlsx", "w") as archive:
        archive.writestr("hello.txt", "a complete zip, but not a workbook")
    assert watcher.run(once=True) == 1
    failed = sorted(p.name for p in (watcher.inbox / "failed").iterdir())
    assert failed == ["broken.xlsx", "broken.xlsx.error.txt"]
    assert "broken.xlsx" in (watcher.inbox / "failed" / "broken.xlsx.error.txt").read_text()
    assert watcher.exit_code == 2
    assert live(sb) == {}


def test_a_truncated_workbook_waits_for_the_grace_period_then_goes_to_failed(sb, tmp_path):
    watcher = make_watcher(sb, tmp_path, watch_incomplete_seconds=0.3, watch_grace_minutes=60)
    path = watcher.inbox / "copying.xlsx"
    path.write_bytes(b"PK\x03\x04 the first bytes of a copy still running")
    assert watcher.run(once=True) == 0  # left for a later run, not failed
    assert path.exists() and watcher.exit_code == 1
    an_hour_ago = time.time() - 3601
    os.utime(path, (an_hour_ago, an_hour_ago))  # untouched for longer than the grace period
    watcher = make_watcher(sb, tmp_path, watch_incomplete_seconds=0.3, watch_grace_minutes=60)
    assert watcher.run(once=True) == 1
    reason = (watcher.inbox / "failed" / "copying.xlsx.error.txt").read_text()
    assert "still not a complete workbook after 60 min" in reason


def test_a_file_written_slowly_is_processed_once_when_complete(sb, tmp_path):
    watcher = make_watcher(sb, tmp_path)
    content = write_planning(tmp_path / "slow.csv", 30).read_bytes()
    target = watcher.inbox / "slow.csv"

    def write_in_pieces() -> None:
        with target.open("wb") as out:
            for start in range(0, len(content), 200):
                out.write(content[start : start + 200])
                out.flush()
                time.sleep(0.1)

    writer = threading.Thread(target=write_in_pieces)
    writer.start()
    runner = threading.Thread(target=watcher.run)
    runner.start()
    writer.join()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and not (watcher.inbox / "done" / "slow.csv").exists():
        time.sleep(0.1)
    watcher.stop()
    runner.join(timeout=10)
    assert (watcher.inbox / "done" / "slow.csv").read_bytes() == content
    assert_state_equals_file(sb, 30)


def test_second_service_on_the_same_inbox_is_refused(tmp_path):
    code = (
        "from pathlib import Path; from importer.watch.service import inbox_lock\n"
        f"with inbox_lock(Path({str(tmp_path)!r})): pass"
    )
    with inbox_lock(tmp_path):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode != 0
    assert "already watching" in done.stderr
    with inbox_lock(tmp_path):  # free again once the first service is gone
        pass


def _service(sb: Sandbox, inbox: Path, journal: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "OCEAN_API_URL": sb.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(journal),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "importer",
            "--lang",
            "en",
            "watch",
            str(inbox),
            "--interval",
            "0.2",
            "--settle",
            "0.2",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_killed_mid_file_then_restarted_completes_it_without_duplicates(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(latency_ms=10) as sb:
        write_planning(inbox / "big.csv", 400)
        service = _service(sb, inbox, journal)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(live(sb)) < 40:
            time.sleep(0.05)
        service.send_signal(signal.SIGKILL)
        service.wait(timeout=10)
        assert (inbox / "big.csv").exists()  # not finished: still in the inbox
        service = _service(sb, inbox, journal)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (inbox / "done" / "big.csv").exists():
            time.sleep(0.1)
        service.send_signal(signal.SIGTERM)
        _out, err = service.communicate(timeout=20)
        assert service.returncode == 0, err.decode()
        assert "big.csv" in err.decode()  # one log line for the file
        assert_state_equals_file(sb, 400)


@pytest.mark.parametrize(
    ("outcome", "http_status", "retryable"),
    [
        ("not_sent", None, True),
        ("failed", None, True),  # timeout, dropped connection
        ("failed", 503, True),
        ("failed", 429, True),
        ("failed", 422, False),  # refused for good
        ("failed", 404, False),
        ("failed", 200, False),  # a failure reported inside a 200 message
        ("invalid", None, False),
        ("created", 200, False),
    ],
    ids=lambda v: str(v),
)
def test_which_rows_are_worth_another_try(outcome, http_status, retryable):
    from importer.model import Outcome, RowOutcome
    from importer.watch.inbox import is_retryable

    row = RowOutcome(row=2, outcome=Outcome(outcome), http_status=http_status)
    assert is_retryable(row) is retryable


def test_the_pause_between_tries_doubles_up_to_an_hour():
    from importer.watch.inbox import retry_pause

    assert [retry_pause(60, n) for n in (1, 2, 3, 4)] == [60, 120, 240, 480]
    assert retry_pause(60, 20) == 3600


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("week.csv", b"a;b\n1;2\n", None),
        ("week.csv", b"a;b\r\n1;2\r\n", None),
        ("week.csv", b"a;b\n1;2", "line"),
        ("week.csv", b"", "empty"),
        ("week.xlsx", b"PK\x03\x04 half a zip", "zip"),
        ("week.xls", b"\xd0\xcf\x11\xe0 ole", None),  # not a zip: read as it is
    ],
    ids=["csv", "csv-crlf", "csv-mid-line", "empty", "half-zip", "xls"],
)
def test_what_a_file_still_being_copied_looks_like(tmp_path, name, content, expected):
    from importer.watch.inbox import looks_unfinished

    path = tmp_path / name
    path.write_bytes(content)
    assert looks_unfinished(path) == expected


def test_the_wait_book_survives_a_restart_and_forgets_files_taken_away(tmp_path):
    from importer.watch.inbox import WaitBook, Waiting

    (tmp_path / "kept.csv").write_text("a\n")
    book = WaitBook(tmp_path)
    book.put("kept.csv", Waiting(digest="d1", tries=2, first_try=1.0, results="r.xlsx"))
    book.put("gone.csv", Waiting(digest="d2", tries=1, first_try=1.0, results="g.xlsx"))
    again = WaitBook(tmp_path)
    assert again.get("kept.csv", "d1") == Waiting("d1", 2, 1.0, "r.xlsx")
    assert again.get("kept.csv", "other content") is None  # a new file starts afresh
    again.keep_only({"kept.csv"})
    assert set(WaitBook(tmp_path).entries) == {"kept.csv"}
    again.forget("kept.csv")
    assert not (tmp_path / ".mission-importer-waiting.json").exists()


def test_the_processed_book_recognises_a_file_by_content_and_forgets_old_ones(tmp_path):
    from importer.watch.inbox import ProcessedBook

    book = ProcessedBook(tmp_path)
    assert book.find("f" * 64) is None
    book.record("f" * 64, "week 12.xlsx", str(tmp_path / "out.xlsx"), {"created": 3})
    book.record("f" * 64, "week 12 (copy).xlsx", None, {"created": 0, "unchanged": 3})
    book.record("e" * 64, "week 13.csv", None, {})
    record = ProcessedBook(tmp_path).find("f" * 64)  # kept in the inbox, across restarts
    assert record is not None
    assert (record.name, record.results_path) == ("week 12 (copy).xlsx", None)
    assert record.counts == {"created": 0, "unchanged": 3}
    assert record.processed_at.endswith("+00:00")
    assert book.prune(older_than_days=30) == 0
    assert book.prune(older_than_days=-1) == 2
    assert not (tmp_path / ".mission-importer-processed.json").exists()
    (tmp_path / ".mission-importer-processed.json").write_text("[not a book")
    assert ProcessedBook(tmp_path).entries == {}  # unreadable: starts afresh


def test_file_hash_streams_the_whole_content(tmp_path):
    import hashlib

    from importer.watch.inbox import file_hash

    data = os.urandom(3 * (1 << 20) + 17)
    target = tmp_path / "planning.xlsx"
    target.write_bytes(data)
    assert file_hash(target) == hashlib.sha256(data).hexdigest()
    assert file_hash(target, chunk_size=4096) == hashlib.sha256(data).hexdigest()
