"""The drop folder through a real `watch` process: a file leaves the inbox only when its fate
is final, and a file still being copied is never taken half-written.

Each test runs ``python -m importer watch`` against the sandbox on an ephemeral loopback
port; waits are shrunk through settings (environment), never by patching sleep.
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from helpers import HEADERS, assert_state_equals_file, live, write_planning

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

QUICK = {
    "MISSION_IMPORTER_WATCH_INTERVAL": "0.1",
    "MISSION_IMPORTER_WATCH_SETTLE_SECONDS": "0.3",
    "MISSION_IMPORTER_WATCH_INCOMPLETE_SECONDS": "30",
    "MISSION_IMPORTER_WATCH_RETRY_SECONDS": "0.3",
}


def service(api_url: str, inbox: Path, journal: Path, *args: str, **env: str) -> subprocess.Popen:
    environ = {
        **os.environ,
        **QUICK,
        "OCEAN_API_URL": api_url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(journal),
        **env,
    }
    command = [sys.executable, "-m", "importer", "--lang", "en", "watch", str(inbox), *args]
    return subprocess.Popen(
        command,
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_once(api_url: str, inbox: Path, journal: Path, **env: str) -> tuple[int, str]:
    process = service(api_url, inbox, journal, "--once", **env)
    _out, err = process.communicate(timeout=120)
    return process.returncode, err


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGTERM)
    _out, err = process.communicate(timeout=60)
    return err


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def outcomes(workbook: Path) -> list[str]:
    sheet = openpyxl.load_workbook(workbook, read_only=True)["Results"]
    rows = list(sheet.iter_rows(values_only=True))
    column = rows[0].index("outcome")
    return [row[column] for row in rows[1:]]


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


# -- finding 1: a file with unsent rows is never filed as done -------------------------------


def test_two_ctrl_c_keep_the_file_waiting_and_a_later_pass_sends_only_the_rest(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(latency_ms=20) as sb:
        write_planning(inbox / "big.csv", 400)
        process = service(sb.url, inbox, journal)
        assert wait_for(lambda: len(live(sb)) >= 40)
        process.send_signal(signal.SIGINT)
        time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 130, err
        sent = len(live(sb))
        assert 40 <= sent < 400
        assert (inbox / "big.csv").exists() and names(inbox / "done") == []
        assert "big.csv: created" in err and "not_sent" in err
        assert f"big.csv: created {sent}, not_sent {400 - sent}; stays in the inbox" in err
        assert outcomes(inbox / "results" / "big.results.xlsx").count("not_sent") == 400 - sent

        code, err = run_once(sb.url, inbox, journal)
        assert code == 0, err
        assert names(inbox / "done") == ["big.csv"] and not (inbox / "big.csv").exists()
        assert f"created {400 - sent}" in err and f"unchanged {sent}" in err
        assert "moved to done/: every row reached a final outcome" in err
        assert_state_equals_file(sb, 400)  # each mission exactly once
        assert sb.counters()["calls"]["ajoutMission"] == 400
        assert not (inbox / ".mission-importer-waiting.json").exists()


def test_rows_the_api_could_not_take_wait_with_a_growing_pause_then_go_to_to_fix(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(fault_rate=1.0, faults=["503"]) as sb:
        write_planning(inbox / "week.csv", 3)
        process = service(
            sb.url,
            inbox,
            journal,
            MISSION_IMPORTER_MAX_ATTEMPTS="1",
            MISSION_IMPORTER_WATCH_MAX_TRIES="3",
        )
        assert wait_for(lambda: (inbox / "to_fix" / "week.csv").exists(), timeout=30)
        err = stop(process)
    assert process.returncode == 0, err
    assert err.count("week.csv: picked up") == 3
    assert "tried again in 0.3 s" in err and "tried again in 0.6 s" in err  # growing pause
    assert "3 row(s) still not sent after 3 tries" in err
    assert names(inbox / "to_fix") == ["week.csv", "week.results.xlsx"]
    assert outcomes(inbox / "to_fix" / "week.results.xlsx") == ["failed"] * 3
    assert names(inbox / "done") == []


def test_a_new_start_tries_a_waiting_file_at_once(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(fault_rate=1.0, faults=["503"]) as sb:
        write_planning(inbox / "week.csv", 4)
        env = {"MISSION_IMPORTER_MAX_ATTEMPTS": "1", "MISSION_IMPORTER_WATCH_RETRY_SECONDS": "3600"}
        code, err = run_once(sb.url, inbox, journal, **env)
        assert code == 1, err
        assert "tried again at the next run" in err and (inbox / "week.csv").exists()
        sb.set_faults(rate=0.0)
        code, err = run_once(sb.url, inbox, journal, **env)  # not an hour later: at once
        assert code == 0, err
        assert names(inbox / "done") == ["week.csv"]
        assert_state_equals_file(sb, 4)


# -- finding 2: a file still being copied is never taken half-written ------------------------


def service_ready(process: subprocess.Popen, inbox: Path) -> subprocess.Popen:
    """The service once it holds the inbox and has made its folders (it looks next)."""
    assert wait_for(lambda: (inbox / "done").is_dir() or process.poll() is not None)
    time.sleep(0.3)
    return process


def copy_slowly(source: bytes, target: Path, cut: int, pause) -> threading.Thread:
    """Write ``source[:cut]``, pause, then the rest (as a slow share or a USB stick does).

    ``pause`` is seconds, or a condition to wait for.
    """

    def write() -> None:
        with target.open("wb") as out:
            out.write(source[:cut])
            out.flush()
            if callable(pause):
                wait_for(pause)
            else:
                time.sleep(pause)
            out.write(source[cut:])

    writer = threading.Thread(target=write)
    writer.start()
    return writer


def test_a_csv_paused_mid_line_is_not_taken_until_complete(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    content = write_planning(tmp_path / "slow.csv", 60).read_bytes()
    cut = content.index(b"first vers", len(content) // 2) + len(b"first vers")  # mid-value
    with Sandbox() as sb:
        process = service_ready(service(sb.url, inbox, journal), inbox)
        copy_slowly(content, inbox / "slow.csv", cut, pause=1.5).join()
        assert wait_for(lambda: (inbox / "done" / "slow.csv").exists())
        err = stop(process)
        assert_state_equals_file(sb, 60)  # no truncated comment, nothing left behind
    assert (inbox / "done" / "slow.csv").read_bytes() == content
    assert err.count("slow.csv: picked up") == 1
    assert f"slow.csv: picked up ({len(content)} bytes)" in err


def test_with_the_default_settle_time_a_4_s_pause_at_a_line_end_is_waited_for(tmp_path, inbox):
    # The trial: a copy pausing 4 s was taken after the old 2 s settle time.
    journal = tmp_path / "journal.sqlite3"
    content = write_planning(tmp_path / "slow.csv", 100).read_bytes()
    cut = content.index(b"\n", len(content) // 2) + 1
    sent_during_the_pause: list[int] = []
    with Sandbox() as sb:
        env = {"MISSION_IMPORTER_WATCH_SETTLE_SECONDS": ""}  # empty: not set, the default
        process = service_ready(service(sb.url, inbox, journal, **env), inbox)

        def pause_then_look() -> bool:
            time.sleep(4.0)
            sent_during_the_pause.append(len(live(sb)))
            return True

        copy_slowly(content, inbox / "slow.csv", cut, pause=pause_then_look).join()
        assert wait_for(lambda: (inbox / "done" / "slow.csv").exists(), timeout=90)
        err = stop(process)
        assert_state_equals_file(sb, 100)
    assert sent_during_the_pause == [0]
    assert err.count("slow.csv: picked up") == 1
    assert f"slow.csv: picked up ({len(content)} bytes)" in err


def test_a_csv_that_grows_while_it_is_read_is_read_again_not_filed(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    content = write_planning(tmp_path / "slow.csv", 200).read_bytes()
    cut = content.index(b"\n", len(content) // 2) + 1  # a pause at a line end
    env = {"MISSION_IMPORTER_WORKERS": "2"}
    with Sandbox(latency_ms=20) as sb:
        process = service_ready(service(sb.url, inbox, journal, **env), inbox)
        # The rest of the copy arrives while the first half is being sent.
        copy_slowly(content, inbox / "slow.csv", cut, pause=lambda: len(live(sb)) > 0).join()
        assert wait_for(lambda: (inbox / "done" / "slow.csv").exists())
        err = stop(process)
        assert_state_equals_file(sb, 200)
    assert "slow.csv: changed while it was read; it will be read again" in err
    assert (inbox / "done" / "slow.csv").read_bytes() == content


def write_workbook(path: Path, n: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for i in range(n):
        sheet.append([f"M-{i:05d}", f"{1 + i % 28:02d}/03/2027 08:30", "VL-01", "Lyon", "69003",
                      "first version", "VRAI"])  # fmt: skip
    book.save(path)
    return path


def test_a_workbook_paused_mid_copy_is_waited_for_not_filed_as_failed(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    content = write_workbook(tmp_path / "week.xlsx", 50).read_bytes()
    with Sandbox() as sb:
        process = service_ready(service(sb.url, inbox, journal), inbox)
        copy_slowly(content, inbox / "week.xlsx", len(content) // 2, pause=1.5).join()
        assert wait_for(lambda: (inbox / "done" / "week.xlsx").exists())
        err = stop(process)
        assert_state_equals_file(sb, 50)
    assert names(inbox / "failed") == []
    assert (inbox / "done" / "week.xlsx").read_bytes() == content
    assert err.count("week.xlsx: picked up") == 1


# -- rows that need a person go to to_fix/ with their results ---------------------------------


def write_with_problems(path: Path) -> Path:
    """Two good rows, one invalid (no date), one refused for good (modify of an unknown id)."""
    rows = [
        ["OK-1", "01/03/2027 08:30", "VL-01", "Lyon", "69003", "fine", "VRAI", ""],
        ["BAD-1", "", "VL-01", "Lyon", "69003", "no date", "VRAI", ""],
        ["UNKNOWN-1", "02/03/2027 08:30", "VL-01", "Lyon", "69003", "x", "VRAI", "modification"],
        ["OK-2", "03/03/2027 08:30", "VL-01", "Lyon", "69003", "fine", "VRAI", ""],
    ]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow([*HEADERS, "action"])
        writer.writerows(rows)
    return path


def test_invalid_and_refused_rows_go_to_to_fix_with_the_results_beside(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    write_with_problems(inbox / "week.csv")
    with Sandbox() as sb:
        code, err = run_once(sb.url, inbox, journal)
        assert sorted(live(sb)) == ["OK-1", "OK-2"]
    assert code == 1, err
    assert names(inbox / "to_fix") == ["week.csv", "week.results.xlsx"]
    assert names(inbox / "done") == [] and names(inbox / "results") == []
    assert outcomes(inbox / "to_fix" / "week.results.xlsx") == [
        "created",
        "invalid",
        "failed",
        "created",
    ]
    assert (
        "week.csv: created 2, failed 1, invalid 1; moved to to_fix/: 2 row(s) need a person" in err
    )
    assert "every 5" not in err and "every" not in err.splitlines()[0]


def test_a_fixed_results_workbook_dropped_back_is_an_input(tmp_path, inbox):
    journal = tmp_path / "journal.sqlite3"
    write_with_problems(inbox / "week.csv")
    with Sandbox() as sb:
        assert run_once(sb.url, inbox, journal)[0] == 1
        fixed = inbox / "to_fix" / "week.results.xlsx"
        book = openpyxl.load_workbook(fixed)
        sheet = book["Results"]
        header = [c.value for c in sheet[1]]
        sheet.cell(3, header.index("jourHeureInter") + 1, "04/03/2027 08:30")
        sheet.cell(4, header.index("action") + 1, "ajout")  # the source's action column
        book.save(inbox / "week.results.xlsx")
        code, err = run_once(sb.url, inbox, journal)
        assert code == 0, err
        assert sorted(live(sb)) == ["BAD-1", "OK-1", "OK-2", "UNKNOWN-1"]
    assert names(inbox / "done") == ["week.results.xlsx"]


# -- finding 5: --once exits like import; the worst file wins ---------------------------------


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (["good"], 0),
        (["good", "problems"], 1),
        (["good", "problems", "unreadable"], 2),
    ],
    ids=["all-fine", "rows-to-fix", "worst-is-unreadable"],
)
def test_once_exit_code_is_the_worst_of_the_files(tmp_path, inbox, files, expected):
    import zipfile

    if "good" in files:
        write_planning(inbox / "good.csv", 3)
    if "problems" in files:
        write_with_problems(inbox / "problems.csv")
    if "unreadable" in files:
        with zipfile.ZipFile(inbox / "unreadable.xlsx", "w") as archive:
            archive.writestr("notes.txt", "a zip, not a workbook")
    with Sandbox() as sb:
        code, err = run_once(sb.url, inbox, tmp_path / "journal.sqlite3")
    assert code == expected, err
    assert "INFO importer.watch: processing what is in " in err.splitlines()[0]
    for name in files:
        assert f"{name}.{'xlsx' if name == 'unreadable' else 'csv'}: picked up" in err


def test_once_exits_3_when_the_api_cannot_be_reached(tmp_path, inbox):
    import socket

    with socket.socket() as probe:  # a loopback port with nobody listening
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}"
    write_planning(inbox / "week.csv", 2)
    code, err = run_once(
        url, inbox, tmp_path / "journal.sqlite3", MISSION_IMPORTER_MAX_ATTEMPTS="1"
    )
    assert code == 3, err
    assert (inbox / "week.csv").exists()
