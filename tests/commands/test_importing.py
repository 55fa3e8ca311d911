"""The import engine end to end against the sandbox over loopback: nothing lost, nothing twice."""

from __future__ import annotations

import dataclasses
import random
import signal
import time

import openpyxl
import pytest
from helpers import (
    HEADERS,
    assert_state_equals_file,
    live,
    mission_calls,
    run_import,
    settings_for,
    write_planning,
)

from importer.commands.delete import delete_missions
from importer.commands.importing import import_file
from importer.commands.status import status_missions
from importer.commands.targets import Targets
from importer.errors import ApiUnavailableError, AuthenticationError
from importer.model import Outcome
from importer.ocean_api import CALL_CREATE
from importer.sandbox import MULTI_LOGIN, MULTI_PASSWORD, Sandbox


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        yield sandbox


def test_fresh_import_then_rerun_then_ten_percent_changed(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 60)
    settings = settings_for(sb, tmp_path)

    first = import_file(path, settings, show_progress=False)
    assert first.counts == {"created": 60}
    assert first.exit_code == 0
    assert mission_calls(sb) == 120  # statutMission + ajoutMission per row
    assert_state_equals_file(sb, 60)

    again = import_file(path, settings, show_progress=False)
    assert again.counts == {"unchanged": 60}
    assert mission_calls(sb) == 120  # not a single call more

    changed = {i: "second version" for i in range(0, 60, 10)}
    write_planning(path, 60, version=changed)
    third = import_file(path, settings, show_progress=False)
    assert third.counts == {"modified": 6, "unchanged": 54}
    assert [o.row for o in third.outcomes if o.outcome is Outcome.MODIFIED] == [
        i + 2 for i in changed
    ]
    assert mission_calls(sb) == 126
    assert_state_equals_file(sb, 60, changed)


def test_results_workbook_tells_each_row(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 5)
    report = import_file(path, settings_for(sb, tmp_path), show_progress=False)
    assert report.output_path == tmp_path / "week.results.xlsx"
    sheet = openpyxl.load_workbook(report.output_path)["Results"]
    header = [c.value for c in sheet[1]]
    assert header[: len(HEADERS)] == HEADERS
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["outcome"] == "created"
    assert row["action"] == "ajoutMission"
    assert row["http_status"] == 200
    assert "créée" in row["message"]
    assert row["jourHeureInter (UTC)"] == "01/03/2027 07:30"  # 08:30 Paris = 07:30 UTC


def test_mode_create_makes_one_call_per_row(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 20)
    report = import_file(path, settings_for(sb, tmp_path, mode="create"), show_progress=False)
    assert report.counts == {"created": 20}
    assert mission_calls(sb) == 20


def test_dry_run_previews_without_changing_anything(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 10)
    settings = settings_for(sb, tmp_path)
    import_file(write_planning(tmp_path / "first.csv", 3), settings, show_progress=False)
    report = import_file(path, settings, dry_run=True, show_progress=False)
    assert report.counts == {"valid": 7, "unchanged": 3}
    assert {o.action for o in report.outcomes if o.outcome is Outcome.VALID} == {"ajoutMission"}
    assert len(live(sb)) == 3


def test_invalid_rows_are_not_sent_and_all_or_nothing_sends_nothing(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 4)
    text = path.read_text(encoding="utf-8").replace("02/03/2027 09:30", "32/13/2027 09:30")
    path.write_text(text, encoding="utf-8")
    settings = settings_for(sb, tmp_path)

    strict = import_file(path, settings, all_or_nothing=True, show_progress=False)
    assert strict.counts == {"invalid": 1, "not_sent": 3}
    assert live(sb) == {}

    report = import_file(path, settings, show_progress=False)
    assert report.counts == {"invalid": 1, "created": 3}
    assert report.exit_code == 1
    assert "M-00001" not in live(sb)


def test_delete_by_file_and_by_id(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 6)
    settings = settings_for(sb, tmp_path)
    import_file(path, settings, show_progress=False)

    by_id = delete_missions(Targets(None, ["M-00000", "M-00001"], tmp_path / "ids.xlsx"), settings)
    assert by_id.counts == {"deleted": 2}
    assert sorted(live(sb)) == [f"M-{i:05d}" for i in range(2, 6)]

    by_file = delete_missions(Targets(path), settings)
    assert by_file.counts == {"deleted": 4, "unchanged": 2}
    assert live(sb) == {}


def test_status_workbook_has_the_status_columns(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 3)
    settings = settings_for(sb, tmp_path)
    import_file(path, settings, show_progress=False)
    report = status_missions(Targets(None, ["M-00000", "NOPE"], tmp_path / "s.xlsx"), settings)
    assert [o.outcome for o in report.outcomes] == [Outcome.FOUND, Outcome.NOT_FOUND]
    sheet = openpyxl.load_workbook(tmp_path / "s.xlsx")["Results"]
    header = [c.value for c in sheet[1]]
    for column in (
        "status",
        "statusCode",
        "time (UTC)",
        "time (Europe/Paris)",
        "externalMissionId",
        "complement",
        "commentRefuseReason",
    ):
        assert column in header
    assert sheet.cell(2, header.index("externalMissionId") + 1).value


def test_faults_at_30_percent_never_duplicate(tmp_path):
    n = 150
    path = write_planning(tmp_path / "week.csv", n)
    with Sandbox(fault_rate=0.3, seed=11, slow_seconds=1.5) as sb:
        settings = settings_for(sb, tmp_path, read_timeout=1.0, max_attempts=8)
        for _ in range(4):  # rows left uncertain by exhausted retries settle on a rerun
            report = import_file(path, settings, show_progress=False)
            if report.exit_code == 0:
                break
        assert report.exit_code == 0
        counters = sb.counters()
        faults = counters.get("faults", {})
        assert sum(faults.values()) > 30
        assert_state_equals_file(sb, n)


def test_token_expiring_every_50_calls_fails_no_row(tmp_path):
    path = write_planning(tmp_path / "week.csv", 120)
    with Sandbox(token_max_calls=50) as sb:
        report = import_file(path, settings_for(sb, tmp_path), show_progress=False)
        assert report.counts == {"created": 120}
        assert len(sb.issued_tokens()) >= 4


def test_multi_client_account_without_customer_id_fails_each_row_clearly(tmp_path):
    path = write_planning(tmp_path / "week.csv", 3)
    with Sandbox() as sb:
        settings = settings_for(sb, tmp_path, login=MULTI_LOGIN, password=MULTI_PASSWORD)
        report = import_file(path, settings, show_progress=False)
        assert report.counts == {"failed": 3}
        assert all(o.http_status == 403 for o in report.outcomes)
        assert all("customerId" in o.errors[0].message for o in report.outcomes)
        ok = import_file(path, dataclasses.replace(settings, customer_id=101), show_progress=False)
        assert ok.counts == {"created": 3}


def test_wrong_credentials_and_unreachable_api_send_nothing(sb, tmp_path):
    path = write_planning(tmp_path / "week.csv", 3)
    with pytest.raises(AuthenticationError):
        import_file(path, settings_for(sb, tmp_path, password="wrong"), show_progress=False)
    with pytest.raises(ApiUnavailableError):
        import_file(
            path, settings_for(sb, tmp_path, api_url="http://127.0.0.1:9"), show_progress=False
        )
    assert live(sb) == {}
    assert not (tmp_path / "week.results.xlsx").exists()
    assert not list(tmp_path.glob(".week.results.xlsx.*"))  # begun while sending, dropped


# -- crashes and interruptions, with real subprocesses -----------------------------------------


@pytest.mark.slow
def test_sigkill_at_random_points_then_rerun_loses_nothing_and_duplicates_nothing(tmp_path):
    n = 2000
    path = write_planning(tmp_path / "big.csv", n)
    journal = tmp_path / "journal.sqlite3"
    rng = random.Random(2026)
    with Sandbox(latency_ms=5) as sb:
        for _ in range(3):
            process = run_import(sb, path, journal)
            time.sleep(rng.uniform(1.0, 3.0))
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        final = run_import(sb, path, journal)
        _out, err = final.communicate(timeout=240)
        assert final.returncode == 0, err.decode()
        assert_state_equals_file(sb, n)


def test_ctrl_c_during_the_wait_never_takes_a_sending_worker_for_done(tmp_path):
    # On Python < 3.13 a KeyboardInterrupt landing inside Thread.join marks a still running
    # thread as stopped; the engine must not wait with join, or this row reads "not sent".
    import _thread

    from importer.model import Action, ValidatedRow
    from importer.send.answers import CallResult
    from importer.send.engine import BatchRunner, RunOptions
    from importer.send.journal.ledger import Journal

    class SlowClient:
        def create(self, params: dict[str, str], **options: object) -> CallResult:
            _thread.interrupt_main()  # Ctrl-C while the main thread waits for the workers
            time.sleep(0.5)  # ... and this call is still in flight
            return CallResult(CALL_CREATE, True, 200, "créée", {}, 1, 0.5, None)

    rows = [ValidatedRow(row=2, action=None, params={"idMission": "M-1"})]
    with Journal(tmp_path / "journal.sqlite3") as journal:
        runner = BatchRunner(SlowClient(), journal, "http://127.0.0.1:9", RunOptions(Action.CREATE))
        results = runner.run(rows)
    assert runner.stats.interrupted
    assert results[0] is not None and results[0].outcome is Outcome.CREATED


@pytest.mark.slow
def test_ctrl_c_finishes_in_flight_rows_marks_the_rest_and_exits_130(tmp_path):
    n = 600
    path = write_planning(tmp_path / "week.csv", n)
    journal = tmp_path / "journal.sqlite3"
    with Sandbox(latency_ms=20) as sb:
        process = run_import(sb, path, journal)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(live(sb)) < 50:
            time.sleep(0.02)
        process.send_signal(signal.SIGINT)
        _out, err = process.communicate(timeout=60)
        assert process.returncode == 130, err.decode()
        sheet = openpyxl.load_workbook(tmp_path / "week.results.xlsx")["Results"]
        outcomes = [row[8].value for row in sheet.iter_rows(min_row=2)]  # column "outcome"
        assert "not_sent" in outcomes
        assert set(outcomes) <= {"created", "not_sent"}
        assert outcomes.count("created") == len(live(sb))
        rerun = run_import(sb, path, journal)
        rerun.communicate(timeout=120)
        assert rerun.returncode == 0
        assert_state_equals_file(sb, n)
