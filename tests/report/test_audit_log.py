"""The audit log answers "what happened last night?"; -q and -v (issue 11, #4 and #5)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

from helpers import write_planning

from importer.cli.app import cli
from importer.model import Outcome, RowDone, RowOutcome
from importer.report import audit_log as audit
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

ROW_FIELDS = (
    "row",
    "idMission",
    "customerId",
    "action",
    "outcome",
    "http_status",
    "message",
    "attempts",
)


def env_for(sb, password: str = DEMO_PASSWORD) -> dict[str, str]:
    return {"OCEAN_API_URL": sb.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": password}


def read_log(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_each_line_has_time_run_command_source_and_the_row_fields(runner, sandbox, tmp_path):
    planning = write_planning(tmp_path / "week.csv", 4)
    log = tmp_path / "audit.jsonl"
    args = ["--lang", "en", "import", str(planning), "-q", "--log-file", str(log)]
    result = runner.invoke(cli, args, env=env_for(sandbox))
    assert result.exit_code == 0, result.output
    lines = read_log(log)
    assert oct(log.stat().st_mode & 0o777) == "0o600"
    assert [x["event"] for x in lines] == ["run_started", *["row"] * 4, "summary"]
    assert len({x["run_id"] for x in lines}) == 1
    for line in lines:
        moment = datetime.fromisoformat(line["time"])
        assert moment.utcoffset() is not None  # an offset, not a bare local time
        assert line["command"] == "import"
    rows = sorted((x for x in lines if x["event"] == "row"), key=lambda x: x["row"])  # as done
    for n, row in enumerate(rows):
        assert set(ROW_FIELDS) <= set(row)
        assert row["source"] == str(planning)
        assert row["idMission"] == f"M-{n:05d}"
        assert (row["action"], row["outcome"], row["http_status"]) == (
            "ajoutMission",
            "created",
            200,
        )
        assert row["message"] == f"Mission M-{n:05d} créée"
        assert (row["attempts"], row["lookups"]) == (1, 1)
    assert lines[-1]["counts"] == {"created": 4} and lines[-1]["exit_code"] == 0
    assert DEMO_PASSWORD not in log.read_text(encoding="utf-8")
    for token in sandbox.issued_tokens():
        assert token not in log.read_text(encoding="utf-8")


def test_a_run_ending_in_exit_3_or_2_says_why(runner, sandbox, tmp_path):
    planning = write_planning(tmp_path / "week.csv", 2)
    log = tmp_path / "audit.jsonl"
    refused = runner.invoke(
        cli,
        ["--lang", "en", "import", str(planning), "--log-file", str(log)],
        env=env_for(sandbox, password="wrong"),
    )
    assert refused.exit_code == 3
    last = read_log(log)[-1]
    assert last["event"] == "run_failed" and last["exit_code"] == 3
    assert "credentials" in last["reason"] or "refused" in last["reason"]

    unreadable = tmp_path / "broken.xlsx"
    unreadable.write_bytes(b"not a zip at all")
    bad = runner.invoke(cli, ["--lang", "en", "validate", str(unreadable), "--log-file", str(log)])
    assert bad.exit_code == 2
    last = read_log(log)[-1]
    assert (last["event"], last["exit_code"], last["command"]) == ("run_failed", 2, "validate")
    assert "broken.xlsx" in last["reason"]

    usage = runner.invoke(
        cli, ["--lang", "en", "import", "--log-file", str(log), "--workers", "0", "x.csv"]
    )
    assert usage.exit_code == 2
    assert read_log(log)[-1]["exit_code"] == 2


def test_lines_from_concurrent_runs_never_interleave(tmp_path):
    """Four real processes append to one log at once: every line is whole JSON."""
    planning = write_planning(tmp_path / "week.csv", 1500)
    log = tmp_path / "shared.jsonl"
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "LANG": "C"}
    command = [sys.executable, "-m", "importer", "validate", str(planning), "-q"]
    runs = [
        subprocess.Popen(
            [*command, "-o", str(tmp_path / f"out{n}.xlsx"), "--log-file", str(log)],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    lines = read_log(log)  # json.loads raises on a line cut by another run's
    per_run: dict[str, int] = {}
    for line in lines:
        per_run[line["run_id"]] = per_run.get(line["run_id"], 0) + 1
    assert sorted(per_run.values()) == [1502] * 4  # started + 1500 rows + summary, each


def test_watch_writes_its_rows_and_the_services_file_events_to_the_log(runner, sandbox, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write_planning(inbox / "monday.csv", 3)
    log = tmp_path / "watch.jsonl"
    args = ["--lang", "en", "watch", str(inbox), "--once", "--log-file", str(log)]
    args += ["--journal", str(tmp_path / "j.sqlite3")]
    result = runner.invoke(cli, args, env=env_for(sandbox))
    assert result.exit_code == 0, result.output
    rows = [x for x in read_log(log) if x["event"] == "row"]
    assert [x["outcome"] for x in rows] == ["created"] * 3
    assert all(x["command"] == "watch" and x["source"].endswith("monday.csv") for x in rows)
    # what the service logs about files (logging's extra={"audit": ...}) lands there too
    handler = audit.attach(log, "watch")
    try:
        logging.getLogger("importer.watch").warning(
            "picked up monday.csv",
            extra={"audit": {"event": "file_picked_up", "file": "monday.csv", "size": 120}},
        )
    finally:
        audit.detach_all()
    last = read_log(log)[-1]
    assert (last["event"], last["file"], last["size"]) == ("file_picked_up", "monday.csv", 120)
    assert last["run_id"] == handler.run_id and last["message"] == "picked up monday.csv"


def test_quiet_prints_nothing_on_success_and_the_sentence_on_failure(runner, tmp_path):
    good = write_planning(tmp_path / "good.csv", 2)
    quiet_ok = runner.invoke(cli, ["--lang", "en", "validate", str(good), "-q"])
    assert quiet_ok.exit_code == 0 and quiet_ok.output == ""
    bad = tmp_path / "bad.csv"
    shutil.copy(good, bad)
    with bad.open("a", encoding="utf-8") as out:
        out.write("M-9;not a date;VL-1;Lyon;69003;x;VRAI\n")
    log = tmp_path / "v.jsonl"
    quiet_bad = runner.invoke(
        cli, ["--lang", "en", "validate", str(bad), "-q", "--log-file", str(log)]
    )
    assert quiet_bad.exit_code == 1
    invalid = [x for x in read_log(log) if x["event"] == "row" and x["outcome"] == "invalid"]
    assert [(x["row"], x["idMission"]) for x in invalid] == [(4, "M-9")]
    assert "not a date" in invalid[0]["errors"][0]
    assert quiet_bad.output.startswith("Error: 1 of 3 row(s) not done (1 invalid, 2 valid); see ")
    assert quiet_bad.output.strip().endswith("bad.results.xlsx")
    assert quiet_bad.output.count("\n") == 1


def test_verbose_logs_each_call_and_never_a_secret(sandbox, tmp_path):
    planning = write_planning(tmp_path / "week.csv", 3)
    env = {
        **os.environ,
        **env_for(sandbox),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "LANG": "C",
    }
    done = subprocess.run(
        [sys.executable, "-m", "importer", "-v", "import", str(planning), "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for n in range(3):
        assert f"ajoutMission M-{n:05d} -> 200 in " in done.stderr
        assert f"statutMission M-{n:05d} -> 404" in done.stderr
    assert DEMO_PASSWORD not in done.stderr
    assert not any(token in done.stderr for token in sandbox.issued_tokens())
    quiet = subprocess.run(
        [sys.executable, "-m", "importer", "import", str(planning), "-q"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert quiet.returncode == 0 and quiet.stderr == "" and quiet.stdout == ""


# -- each row's line as soon as its outcome is final, once (issue 19) ---------------------

BAD_ROW = "M-BAD;not a date;VL-1;Lyon;69003;x;VRAI\n"


def row_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [x for x in read_log(path) if x["event"] == "row"]


def test_row_lines_are_in_the_log_while_the_run_still_sends(runner, sandbox_factory, tmp_path):
    """An observer reads the log while the import runs: the lines of the rows done are there
    before the others are sent, never a line before its mission exists, each row once."""
    sb = sandbox_factory(latency_ms=150)
    planning = write_planning(tmp_path / "week.csv", 8)
    with planning.open("a", encoding="utf-8") as out:
        out.write(BAD_ROW)  # row 10, refused by validation: its line before any call
    log = tmp_path / "audit.jsonl"
    seen: list[tuple[list[dict], int]] = []  # (row lines, missions in the sandbox) over time
    stop = threading.Event()

    def observe() -> None:
        while not stop.is_set():
            lines = row_lines(log)  # read first: the missions counted after are never fewer
            seen.append((lines, len(sb.missions())))
            time.sleep(0.01)

    observer = threading.Thread(target=observe)
    observer.start()
    try:
        args = ["--lang", "en", "import", str(planning), "-q", "--log-file", str(log)]
        args += ["--mode", "create", "--workers", "1"]
        result = runner.invoke(cli, args, env=env_for(sb))
    finally:
        stop.set()
        observer.join()
    assert result.exit_code == 1, result.output  # the bad row

    def done(lines: list[dict]) -> int:
        return len([x for x in lines if x["outcome"] == "created"])

    first_lines = next(lines for lines, _ in seen if lines)
    assert (first_lines[0]["row"], first_lines[0]["outcome"]) == (10, "invalid")  # before sending
    assert all(done(lines) <= made for lines, made in seen)  # no line before its mission
    while_sending = [lines for lines, made in seen if done(lines) and made < 8]
    assert while_sending, "no line of a row done was in the log before the run ended"
    final = row_lines(log)
    assert sorted(x["row"] for x in final) == list(range(2, 11))  # each row once
    assert read_log(log)[-1]["event"] == "summary"


def test_a_run_killed_midway_leaves_the_lines_of_the_rows_it_did(tmp_path):
    """SIGKILL mid-run: the log holds a whole line for each row done (every created mission
    but those whose answer was in flight), and none for a row not done."""
    planning = write_planning(tmp_path / "week.csv", 60)
    log = tmp_path / "audit.jsonl"
    with Sandbox(latency_ms=100) as sb:
        env = {**os.environ, **env_for(sb), "XDG_STATE_HOME": str(tmp_path / "state")}
        command = [sys.executable, "-m", "importer", "--lang", "en", "import", str(planning)]
        command += ["-q", "--mode", "create", "--workers", "2", "--log-file", str(log)]
        process = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(sb.missions()) < 10:
                if process.poll() is not None:
                    break
                time.sleep(0.02)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        finally:
            if process.poll() is None:
                process.kill()
        assert process.returncode == -signal.SIGKILL  # killed, not ended on its own
        created = {m["idMission"] for m in sb.missions()}
    lines = read_log(log)  # every line whole JSON
    assert "summary" not in [x["event"] for x in lines]
    rows = [x for x in lines if x["event"] == "row"]
    assert len(rows) >= 8
    assert len({x["row"] for x in rows}) == len(rows)  # each row once
    assert all(x["outcome"] == "created" and x["idMission"] in created for x in rows)
    assert len(rows) >= len(created) - 2  # at most the two workers' answers were in flight
    assert len(created) < 60


def test_each_row_has_one_line_whatever_the_command(runner, demo, cli_home):
    """import (dry run, --only-failed, for real), status and delete: one line per row."""
    planning = write_planning(cli_home / "week.csv", 3)
    with planning.open("a", encoding="utf-8") as out:
        out.write(BAD_ROW)

    def logged(name: str, *args: str) -> tuple[list[dict], dict]:
        log = cli_home / f"{name}.jsonl"
        command = ["--lang", "en", *args, "-q", "--log-file", str(log)]
        result = runner.invoke(cli, command, env=demo)
        assert result.exit_code in (0, 1), result.output
        lines = read_log(log)
        summary = lines[-1]
        assert summary["event"] == "summary"
        rows = [x for x in lines if x["event"] == "row"]
        assert len(rows) == summary["rows"]
        assert len({x["row"] for x in rows}) == len(rows), rows  # never twice
        return rows, summary

    dry, _ = logged("dry", "import", "--dry-run", str(planning))
    assert sorted((x["row"], x["outcome"]) for x in dry) == [
        (2, "valid"), (3, "valid"), (4, "valid"), (5, "invalid")
    ]  # fmt: skip
    sent, _ = logged("import", "import", str(planning))
    assert sorted((x["row"], x["outcome"]) for x in sent) == [
        (2, "created"), (3, "created"), (4, "created"), (5, "invalid")
    ]  # fmt: skip
    failed_only, _ = logged("only", "import", "--only-failed", str(planning))
    assert [(x["row"], x["outcome"]) for x in failed_only] == [(5, "invalid")]
    status, _ = logged("status", "status", str(planning))
    assert sorted((x["row"], x["outcome"]) for x in status)[:3] == [
        (2, "found"), (3, "found"), (4, "found")
    ]  # fmt: skip
    deleted, _ = logged("delete", "delete", str(planning), "--yes")
    assert sorted((x["row"], x["outcome"]) for x in deleted)[:3] == [
        (2, "deleted"), (3, "deleted"), (4, "deleted")
    ]  # fmt: skip
    checked, _ = logged("validate", "validate", str(planning))
    assert [(x["row"], x["outcome"]) for x in checked] == [
        (2, "valid"), (3, "valid"), (4, "valid"), (5, "invalid")
    ]  # fmt: skip


def test_row_lines_write_each_position_once_and_keep_what_they_are_told(tmp_path):
    log = tmp_path / "unit.jsonl"
    audit.attach(log, "import")
    try:
        lines = audit.RowLines("week.csv")
        created = RowOutcome(row=2, outcome=Outcome.CREATED, id_mission="M-1")
        invalid = RowOutcome(row=3, outcome=Outcome.INVALID, id_mission="M-2")
        lines.on_event(RowDone(0, created))
        lines.on_event(RowDone(0, created))  # the same row again: no second line
        lines.rest([created, invalid])
        lines.rest([created, invalid])
        only_failed = audit.RowLines("week.csv", keep={Outcome.INVALID})
        only_failed.rest([created, invalid])
    finally:
        audit.detach_all()
    rows = row_lines(log)
    assert [(x["row"], x["outcome"], x["source"]) for x in rows] == [
        (2, "created", "week.csv"),
        (3, "invalid", "week.csv"),
        (3, "invalid", "week.csv"),  # the second RowLines: only the kept outcome
    ]
