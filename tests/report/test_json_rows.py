"""--json carries one record per row ("results"), the same records as the audit log's row
lines, built from the one table of result columns."""

from __future__ import annotations

import json
from pathlib import Path

from importer.cli.app import cli
from importer.result_columns import MISSION_KEYS, RESULT_COLUMNS
from importer.sandbox import DEMO_PASSWORD

RECORD_KEYS = [*MISSION_KEYS, *(column.key for column in RESULT_COLUMNS)]
HEADER = "idMission;customerId;jourHeureInter;nomVeh;ville;codPost;commentaire;aEnvoyer\n"
CREATED = "M-1;;01/03/2027 08:30;VL-1;Lyon;69003;ok;VRAI\n"
INVALID = "M-2;;99/99/2027;VL-1;Lyon;69003;bad date;VRAI\n"
FAILED = "M-3;999;01/03/2027 08:30;VL-1;Lyon;69003;not our customer;VRAI\n"  # 403


def planning(folder: Path, *rows: str) -> Path:
    path = folder / "week.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_import_json_gives_each_rows_record_in_row_order(runner, demo, cli_home, sandbox):
    path = planning(cli_home, CREATED, INVALID, FAILED)
    log = cli_home / "audit.jsonl"
    args = ["import", str(path), "--json", "--log-file", str(log), "--lang", "en"]
    result = runner.invoke(cli, args, env=demo)
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == 3  # the count, as before
    assert summary["counts"] == {"created": 1, "invalid": 1, "failed": 1}
    records = summary["results"]
    assert [list(record) for record in records] == [RECORD_KEYS] * 3
    assert [(r["row"], r["idMission"], r["outcome"]) for r in records] == [
        (2, "M-1", "created"),
        (3, "M-2", "invalid"),  # named by the idMission typed in the source
        (4, "M-3", "failed"),
    ]
    created, invalid, failed = records
    assert created["action"] == "ajoutMission" and created["http_status"] == 200
    assert created["message"] == "Mission M-1 créée"  # the API's, verbatim
    assert created["errors"] == [] and created["attempts"] == 1
    assert created["utc_inter"] == "01/03/2027 07:30"  # as sent, in UTC
    assert created["customerId"] is None
    assert invalid["http_status"] is None and invalid["attempts"] == 0
    assert invalid["action"] == "" and invalid["utc_inter"] == ""
    assert invalid["errors"] == [
        'jourHeureInter: "99/99/2027" is not a real date: there is no month 99; write the day'
        " first, then the month (dd/mm/yyyy hh:mm), e.g. 03/12/2026 08:30"
    ]
    assert failed["customerId"] == "999" and failed["http_status"] == 403
    assert len(failed["errors"]) == 1 and "HTTP 403" in failed["errors"][0]
    # The same records as the audit log's row lines (which add where and when, and come as
    # each row's outcome is final: the invalid row first, then in the order they are done).
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    logged = [
        {k: v for k, v in line.items() if k not in ("time", "run_id", "command", "event", "source")}
        for line in lines
        if line["event"] == "row"
    ]
    assert logged[0] == records[1]
    assert sorted(logged, key=lambda record: record["row"]) == records
    (logged_summary,) = [line for line in lines if line["event"] == "summary"]
    assert "results" not in logged_summary  # its rows have lines of their own
    secrets = [DEMO_PASSWORD, *sandbox.issued_tokens()]
    assert not [secret for secret in secrets if secret in result.stdout]


def test_validate_json_gives_valid_and_invalid_records(runner, cli_home):
    path = planning(cli_home, CREATED, INVALID)
    result = runner.invoke(cli, ["validate", str(path), "--json", "--lang", "en"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == len(summary["results"]) == 2
    valid, invalid = summary["results"]
    assert valid == {
        "idMission": "M-1",
        "customerId": None,
        "row": 2,
        "outcome": "valid",
        "action": "",
        "http_status": None,
        "message": "",
        "errors": [],
        "warnings": [],
        "attempts": 0,
        "utc_inter": "01/03/2027 07:30",
        "utc_peremp": "",
        "lookups": 0,
    }
    assert (invalid["row"], invalid["idMission"], invalid["outcome"]) == (3, "M-2", "invalid")
    assert invalid["errors"][0].startswith('jourHeureInter: "99/99/2027" is not a real date')
    # The problems list the summary had stays as it was.
    assert [(p["row"], p["column"]) for p in summary["problems"]] == [(3, "jourHeureInter")]


def test_only_failed_keeps_the_results_beside_the_rows_it_keeps(runner, cli_home):
    path = planning(cli_home, CREATED, INVALID)
    args = ["validate", str(path), "--json", "--only-failed", "--lang", "en"]
    summary = json.loads(runner.invoke(cli, args).stdout)
    assert summary["rows"] == 1
    assert [(r["row"], r["outcome"]) for r in summary["results"]] == [(3, "invalid")]


def test_status_json_gives_a_record_per_mission(runner, demo, cli_home):
    runner.invoke(cli, ["import", str(planning(cli_home, CREATED)), "-q"], env=demo)
    args = ["status", "--id", "M-1", "--id", "M-9", "--json", "--lang", "en"]
    result = runner.invoke(cli, args, env=demo)
    summary = json.loads(result.stdout)
    assert result.exit_code == 1, result.output
    assert [(r["row"], r["idMission"], r["outcome"], r["action"]) for r in summary["results"]] == [
        (2, "M-1", "found", "statutMission"),
        (3, "M-9", "not_found", "statutMission"),
    ]
