"""The audit log answers "what happened last night?"; -q and -v (issue 11, #4 and #5)."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from helpers import write_planning

from importer.cli.app import cli
from importer.report import audit_log as audit
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD

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
