"""Chaos: thousands of rows, every network fault, SIGKILLs; nothing lost, nothing twice.

The importer runs as a real process (``python -m importer import``) against an in-process
sandbox injecting every fault kind (5xx, 429 in bursts, slow answers past the read
timeout, connections dropped before and after the change was applied), with tokens that
expire every few dozen calls. It is SIGKILLed several times mid-run, the file changes
between two runs, and it is rerun until it exits 0. Then the sandbox must hold exactly
the file: every mission once, with the latest content, no create ever refused as a
duplicate, and every results workbook of a completed run telling the truth row by row.

The figures are printed (``pytest -s``) and written to ``chaos_figures.json`` in the
test's tmp folder.

The journal's own crash safety (SIGKILL during its writes) is tested in
tests/send/journal/test_journal.py::test_sigkill_at_random_instants_leaves_a_consistent_journal.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import settings_for, write_planning

from importer.cli.app import cli
from importer.commands.importing import import_file
from importer.commands.validate import prepare
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, FAULT_KINDS, Sandbox
from importer.settings.load import Settings

ROWS = 2_000
WORKERS = 32  # the client's backoff (0.5 s base) makes 16 workers take ~80 s a pass
FAULT_RATE = 0.25
READ_TIMEOUT = 1.0
SLOW_SECONDS = 1.4  # just past the read timeout
TOKEN_MAX_CALLS = 40
RETRY_AFTER = 0.1  # seconds asked by each 429 (every worker pauses that long)
KILLS = 3
MAX_RERUNS = 6
MAX_RETRY = "8"
RUN_TIMEOUT = 150.0  # seconds for one run to finish on its own
CHANGED = {i: "second version" for i in range(0, ROWS, 10)}  # 10% of rows change midway
SEEDS = [11, 2026]


class Bursts:
    """Now and then, almost every call gets a 429 for a short while (a burst)."""

    def __init__(self, sandbox: Sandbox, seed: int) -> None:
        self.sandbox = sandbox
        self.rng = random.Random(seed)
        self.stop = threading.Event()
        self.count = 0
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(self.rng.uniform(3.0, 5.0)):
            self.sandbox.set_faults(rate=0.9, kinds=("429",))
            self.count += 1
            self.stop.wait(0.25)
            self.sandbox.set_faults(rate=FAULT_RATE, kinds=FAULT_KINDS)

    def __enter__(self) -> Bursts:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=5)
        self.sandbox.set_faults(rate=FAULT_RATE, kinds=FAULT_KINDS)


def importer_env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "OCEAN_API_URL": sandbox.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "MISSION_IMPORTER_WORKERS": str(WORKERS),
        "MISSION_IMPORTER_READ_TIMEOUT": str(READ_TIMEOUT),
        "MISSION_IMPORTER_CONNECT_TIMEOUT": "1.0",
        "MISSION_IMPORTER_MAX_ATTEMPTS": "6",
        "MISSION_IMPORTER_MAX_RETRY_SECONDS": MAX_RETRY,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "NO_COLOR": "1",
    }


def start_import(env: dict[str, str], path: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "importer", "--lang", "en", "import", str(path), "--quiet"],
        env=env,
        cwd=path.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def mission_calls(sandbox: Sandbox) -> int:
    calls = sandbox.counters()["calls"]
    return sum(n for name, n in calls.items() if name != "authenticate2")


def snapshot(sandbox: Sandbox) -> dict[str, tuple[int, int, bool]]:
    """idMission -> (creates, modifies, deleted)."""
    return {m["idMission"]: (m["creates"], m["modifies"], m["deleted"]) for m in sandbox.missions()}


def results_rows(path: Path) -> list[dict[str, object]]:
    sheet = openpyxl.load_workbook(path, read_only=True)["Results"]
    rows = sheet.iter_rows(values_only=True)
    header = list(next(rows))
    return [dict(zip(header, row, strict=True)) for row in rows]


def check_truthful(
    rows: list[dict[str, object]],
    before: dict[str, tuple[int, int, bool]],
    after: dict[str, tuple[int, int, bool]],
) -> int:
    """Each row's outcome agrees with what changed in the sandbox during that run."""
    checked = 0
    for row in rows:
        mission = str(row["idMission"])
        creates_before, modifies_before, _ = before.get(mission, (0, 0, False))
        creates_after, modifies_after, deleted = after.get(mission, (0, 0, True))
        created = creates_after - creates_before
        modified = modifies_after - modifies_before
        outcome = row["outcome"]
        if outcome == "created":
            assert created == 1 and not deleted, (row, before.get(mission), after.get(mission))
        elif outcome == "modified":
            assert created == 0 and modified >= 1 and not deleted, row
        elif outcome == "unchanged":
            assert created == 0 and modified == 0 and not deleted, row
        else:
            assert outcome in ("failed", "not_sent"), row
            assert row["errors"] or row["message"], row  # a failure says why
            continue
        checked += 1
    return checked


def expected_params(path: Path) -> dict[str, dict[str, str]]:
    prepared = prepare(path, Settings())
    return {r.params["idMission"]: r.params for r in prepared.rows if r.params}


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_chaos_import_loses_nothing_and_duplicates_nothing(seed: int, tmp_path: Path) -> None:
    rng = random.Random(seed)
    path = write_planning(tmp_path / "chaos.csv", ROWS)
    results = tmp_path / "chaos.results.xlsx"
    started = time.monotonic()
    kills, reruns, exits, truthful_rows = 0, 0, [], 0
    early: list[tuple[int, str]] = []  # (exit code, stderr) of runs that ended before a kill
    changed = False
    with (
        Sandbox(
            fault_rate=FAULT_RATE,
            seed=seed,
            slow_seconds=SLOW_SECONDS,
            token_max_calls=TOKEN_MAX_CALLS,
            retry_after_seconds=RETRY_AFTER,
        ) as sb,
        Bursts(sb, seed) as bursts,
    ):
        env = importer_env(sb, tmp_path)
        starts = 0
        while kills < KILLS and starts < KILLS + 3:
            starts += 1
            process = start_import(env, path)
            target = mission_calls(sb) + rng.randint(150, 1200)
            deadline = time.monotonic() + 40
            while (
                process.poll() is None
                and mission_calls(sb) < target
                and time.monotonic() < deadline
            ):
                time.sleep(0.02)
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                kills += 1
            process.wait(timeout=10)
            err = process.stderr.read() if process.stderr else b""
            if process.returncode != -signal.SIGKILL:  # ended on its own before the kill
                early.append((process.returncode, err.decode(errors="replace")[-500:]))
            if kills == 1 and not changed:  # the planning changes while work is half done
                write_planning(path, ROWS, version=CHANGED)
                changed = True

        while reruns < MAX_RERUNS:
            reruns += 1
            before = snapshot(sb)
            process = start_import(env, path)
            _, err = process.communicate(timeout=RUN_TIMEOUT)
            exits.append(process.returncode)
            assert b"Traceback" not in err
            if process.returncode == 3:  # gave up on a check of what a killed run left
                early.append((3, err.decode(errors="replace")[-500:]))
                continue
            assert process.returncode in (0, 1), err.decode()[-3000:]
            truthful_rows += check_truthful(results_rows(results), before, snapshot(sb))
            if process.returncode == 0:
                break
        bursts_done = bursts.count

    counters = sb.counters()
    missions = [m for m in sb.missions() if not m["deleted"]]
    by_id = {m["idMission"]: m for m in missions}
    wanted = expected_params(path)
    lost = [i for i in wanted if i not in by_id]
    stale = [
        i
        for i, params in wanted.items()
        if i in by_id
        and any(
            by_id[i]["params"].get(key) != value
            for key, value in params.items()
            if key != "customerId"
        )
    ]
    figures = {
        "seed": seed,
        "rows": ROWS,
        "workers": WORKERS,
        "fault_rate": FAULT_RATE,
        "faults_injected": counters["faults"],
        "faults_total": sum(counters["faults"].values()),
        "bursts_429": bursts_done,
        "responses_429": counters["responses"].get("429", 0),
        "tokens_issued": counters["tokens_issued"],
        "mission_calls": {k: v for k, v in counters["calls"].items() if k != "authenticate2"},
        "kills": kills,
        "reruns": reruns,
        "exit_codes": exits,
        "runs_ended_early": [code for code, _ in early],
        "duplicates": counters["duplicate_creates_refused"],
        "lost": len(lost),
        "stale": len(stale),
        "extra_missions": len(set(by_id) - set(wanted)),
        "truthful_rows_checked": truthful_rows,
        "seconds": round(time.monotonic() - started, 1),
    }
    print(f"\nchaos figures: {json.dumps(figures)}")
    (tmp_path / "chaos_figures.json").write_text(json.dumps(figures, indent=1), encoding="utf-8")

    assert kills == KILLS, early  # every kill landed mid-run
    assert all(code in (0, 1, 3) for code, _ in early), early
    assert all("Traceback" not in text for _, text in early), early
    assert exits[-1] == 0, figures
    assert len(wanted) == ROWS
    assert lost == [] and stale == [], figures
    assert set(by_id) == set(wanted)  # nothing that is not in the file
    assert all(m["creates"] == 1 for m in missions)
    assert counters["duplicate_creates_refused"] == 0  # no create ever sent twice
    for kind in FAULT_KINDS:  # every kind of fault really happened
        assert counters["faults"][kind] > 0, (kind, figures)
    assert counters["tokens_issued"] > 10  # tokens expired and were renewed
    assert bursts_done >= 1
    assert sum(1 for m in missions if m["params"]["commentaire"] == "second version") == len(
        CHANGED
    )
    final = results_rows(results)
    assert len(final) == ROWS
    assert {row["outcome"] for row in final} <= {"created", "modified", "unchanged"}


def test_corrupt_journal_is_reported_with_the_way_out(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    path = write_planning(tmp_path / "week.csv", 3)
    journal = tmp_path / "journal.sqlite3"
    garbage = b"this is not a journal\x00" * 300
    journal.write_bytes(garbage)
    result = CliRunner().invoke(
        cli,
        ["--lang", "en", "import", "--sandbox", "--journal", str(journal), str(path)],
        env={"XDG_CONFIG_HOME": str(tmp_path / "config"), "NO_COLOR": "1"},
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("Error: ")
    assert str(journal) in lines[-1]
    assert "damaged" in lines[-1] and "Move it aside" in lines[-1]
    assert "Traceback" not in result.output
    assert journal.read_bytes() == garbage  # never silently replaced
    assert not (tmp_path / "week.results.xlsx").exists()


def test_tokens_used_up_faster_than_the_workers_renew_them_fail_no_row(tmp_path: Path) -> None:
    """Sixteen workers share a token that dies after 10 calls: renewals race, rows do not fail.

    A worker whose retry meets a token already used up by the others (or replaced by
    another worker's renewal) must renew again, not call the row failed.
    """
    path = write_planning(tmp_path / "week.csv", 400)
    with Sandbox(token_max_calls=10) as sb:
        report = import_file(path, settings_for(sb, tmp_path, workers=16), show_progress=False)
        failures = {o.errors[0].message for o in report.outcomes if o.errors}
        assert report.counts == {"created": 400}, failures
        assert len(sb.issued_tokens()) >= 80  # 800 calls, 10 per token
