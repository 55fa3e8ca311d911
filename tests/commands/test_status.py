"""`status` answers "what became of my missions?", and `delete` of an unknown id (issue 11, #3)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import openpyxl
import pytest
from helpers import settings_for, write_planning

from importer.cli.app import cli
from importer.commands.importing import import_file
from importer.commands.status import is_refused, status_missions
from importer.commands.targets import Targets
from importer.model import Outcome
from importer.rows.dates import api_time_in_zone
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from importer.settings.load import load_configuration


@pytest.fixture
def planned(sandbox_factory, tmp_path):
    """30 missions imported into a sandbox where drivers answer at once (some refuse)."""
    sb = sandbox_factory(status_step_seconds=0, seed=11)
    path = write_planning(tmp_path / "week.csv", 30)
    report = import_file(path, settings_for(sb, tmp_path), show_progress=False)
    assert report.counts == {"created": 30}
    refused = sorted(m["idMission"] for m in sb.missions() if m["status"] == "REFUSED")
    assert 0 < len(refused) < 30  # the sandbox refuses about one mission in five
    env = {"OCEAN_API_URL": sb.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": DEMO_PASSWORD}
    return sb, path, refused, env


def _results(path: Path) -> tuple[list[str], list[list]]:
    ws = openpyxl.load_workbook(path)["Results"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return rows[0], rows[1:]


def test_refused_missions_are_refused_with_their_reason_and_exit_1(runner, planned):
    _sb, path, refused, env = planned
    before = path.with_name("week.results.xlsx").read_bytes()
    result = runner.invoke(cli, ["--lang", "en", "status", str(path)], env=env)
    assert result.exit_code == 1, result.output
    assert re.search(rf"^  refused +{len(refused)}$", result.output, re.MULTILINE)
    assert f"{len(refused)} mission(s) refused by their driver" in result.output
    # its own workbook: the import's results are left as they were
    assert path.with_name("week.results.xlsx").read_bytes() == before
    header, rows = _results(path.with_name("week.status.xlsx"))
    col = {name: header.index(name) for name in header if name}
    for name in ("status", "statusCode", "commentRefuseReason", "complement"):
        assert name in col
    assert "externalMissionId" in col and "time (UTC)" in col and "time (Europe/Paris)" in col
    by_id = {row[col["idMission"]]: row for row in rows}
    for id_mission, row in by_id.items():
        expected = "refused" if id_mission in refused else "found"
        assert row[col["outcome"]] == expected, id_mission
        if expected == "refused":
            assert row[col["commentRefuseReason"]]
            assert row[col["errors"]].startswith("refused by the driver: ")
        assert row[col["externalMissionId"]]
    # refused rows stand out: a red outcome cell
    ws = openpyxl.load_workbook(path.with_name("week.status.xlsx"))["Results"]
    first = next(i for i, row in enumerate(rows) if row[col["outcome"]] == "refused")
    assert ws.cell(first + 2, col["outcome"] + 1).fill.fgColor.rgb.endswith("FFC7CE")
    summary = [
        [c.value for c in r]
        for r in openpyxl.load_workbook(path.with_name("week.status.xlsx"))["Summary"].iter_rows()
    ]
    assert ["refused", "refused", len(refused)] in [r[:3] for r in summary]


def test_status_time_is_given_in_utc_and_in_local_time_both_labelled(planned, tmp_path):
    sb, _path, _, _ = planned
    settings = settings_for(sb, tmp_path)
    report = status_missions(Targets(None, ["M-00000"], tmp_path / "one.xlsx"), settings)
    extra = report.outcomes[0].extra
    # M-00000 is planned at 01/03/2027 08:30 Paris time, sent as 07:30 UTC
    assert extra["time (UTC)"] == "01/03/2027 07:30"
    assert extra["time (Europe/Paris)"] == "01/03/2027 08:30"
    assert api_time_in_zone("27/03/2027 23:30", "Europe/Paris") == "28/03/2027 00:30"


def test_all_found_none_refused_exits_0(runner, sandbox_factory, tmp_path):
    sb = sandbox_factory(status_step_seconds=3600)  # nothing answered yet: SENT, none refused
    path = write_planning(tmp_path / "week.csv", 5)
    import_file(path, settings_for(sb, tmp_path), show_progress=False)
    env = {"OCEAN_API_URL": sb.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": DEMO_PASSWORD}
    result = runner.invoke(cli, ["--lang", "en", "status", str(path), "--json"], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["counts"] == {"found": 5}


def test_unknown_id_is_not_found_in_status_and_in_delete(runner, planned, tmp_path):
    _sb, _, _, env = planned
    status = runner.invoke(cli, ["--lang", "en", "status", "--id", "NOPE", "--json"], env=env)
    assert status.exit_code == 1
    summary = json.loads(status.output)
    assert summary["counts"] == {"not_found": 1}
    assert "the API refused the row" not in status.output
    assert summary["output"].startswith("status-") and Path(summary["output"]).exists()

    delete = runner.invoke(cli, ["--lang", "en", "delete", "--id", "NOPE", "--yes"], env=env)
    assert delete.exit_code == 0, delete.output
    assert "not_found" in delete.output
    assert "1 mission(s) not found in Ocean, so nothing to delete" in delete.output
    as_json = runner.invoke(
        cli, ["--lang", "en", "delete", "--id", "NOPE2", "--yes", "--json"], env=env
    )
    assert as_json.exit_code == 0
    deleted = json.loads(as_json.output)
    assert deleted["counts"] == {"not_found": 1}
    assert Path(deleted["output"]).name.startswith("delete-")
    assert len(list(tmp_path.glob("delete-*.xlsx"))) >= 1


def test_each_command_names_its_workbook_after_itself(runner, planned):
    _sb, path, _, env = planned
    runner.invoke(cli, ["--lang", "en", "status", str(path)], env=env)
    runner.invoke(cli, ["--lang", "en", "delete", str(path), "--yes"], env=env)
    runner.invoke(cli, ["--lang", "en", "validate", str(path)])
    names = sorted(p.name for p in path.parent.glob("week.*.xlsx"))
    assert names == ["week.delete.xlsx", "week.results.xlsx", "week.status.xlsx"]
    # a status workbook read back as an input is not renamed week.status.status.xlsx
    again = runner.invoke(
        cli, ["--lang", "en", "status", str(path.with_name("week.status.xlsx"))], env=env
    )
    assert again.exit_code == 1  # every mission is deleted now: not found
    assert not list(path.parent.glob("*.status.status.xlsx"))


def test_refusal_statuses_are_a_setting(tmp_path):
    assert is_refused({"status": "Refusée", "statusCode": ""}, ["REFUSEE", "REFUSED"])
    assert is_refused({"statusCode": "DONE", "commentRefuseReason": "client absent"}, [])
    assert not is_refused({"status": "Terminée", "statusCode": "DONE"}, ["REFUSEE", "REFUSED"])
    settings = load_configuration(
        environ={"MISSION_IMPORTER_REFUSED_STATUSES": "ANNULEE,CANCELLED"}, cwd=tmp_path
    ).settings
    assert settings.refused_statuses == ["ANNULEE", "CANCELLED"]
    assert is_refused({"status": "Annulée", "statusCode": "X"}, settings.refused_statuses)
    toml = tmp_path / "mission-importer.toml"
    toml.write_text('[status]\nrefused_statuses = ["KO"]\n', encoding="utf-8")
    assert load_configuration(environ={}, cwd=tmp_path).settings.refused_statuses == ["KO"]


def test_status_runs_on_the_engine_with_its_workers_and_rate(planned, tmp_path):
    sb, path, refused, _ = planned
    settings = settings_for(sb, tmp_path, workers=3)
    report = status_missions(Targets(path, output=tmp_path / "s.xlsx"), settings)
    assert report.counts[Outcome.REFUSED.value] == len(refused)
    assert report.calls["statutMission"] == 30
    assert report.sending_seconds > 0
    assert all(o.attempts == 1 and o.lookups == 0 for o in report.outcomes)
