"""The command line through click's CliRunner: exit codes and exact texts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from importer import __version__
from importer.cli.app import cli
from importer.messages import set_language
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"


@pytest.fixture
def runner(monkeypatch, tmp_path):
    for name in (
        "OCEAN_API_URL",
        "OCEAN_LOGIN",
        "OCEAN_PASSWORD",
        "OCEAN_CUSTOMER_ID",
        "LANG",
        "LC_ALL",
        "LC_MESSAGES",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray mission-importer.toml
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    yield CliRunner()
    set_language("en")


@pytest.fixture
def sample(tmp_path):
    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copy(SAMPLES / name, target)
        return target

    return copy


def test_version(runner):
    result = runner.invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.output


def test_journal_option_only_where_the_journal_is_used(runner):
    for command, offered in [("import", True), ("delete", True), ("status", False)]:
        result = runner.invoke(cli, ["--lang", "en", command, "--help"])
        assert result.exit_code == 0
        assert ("--journal" in result.output) is offered, command


def test_help_lists_every_command_with_examples(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in (
        "import",
        "validate",
        "status",
        "delete",
        "template",
        "sandbox",
        "watch",
        "check",
    ):
        assert command in result.output
    assert "import --sandbox sample_data/weekly_planning.xlsx" in result.output
    sub = runner.invoke(cli, ["import", "--help"])
    assert "Example" in sub.output and "--dry-run" in sub.output


def test_help_does_not_import_pandas():
    code = (
        "import sys; from importer.cli.app import cli; "
        "print('pandas' in sys.modules, 'requests' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


def test_validate_clean_sample_exits_0_all_valid(runner, sample):
    path = sample("weekly_planning.xlsx")
    result = runner.invoke(cli, ["--lang", "en", "validate", str(path)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path.with_name("weekly_planning.results.xlsx"))["Results"]
    header = [c.value for c in sheet[1]]
    outcomes = [row[header.index("outcome")].value for row in sheet.iter_rows(min_row=2)]
    assert len(outcomes) >= 40
    assert set(outcomes) == {"valid"}


def test_validate_mistakes_exits_1_with_each_mistake_on_its_row(runner, sample):
    path = sample("weekly_planning_mistakes.xlsx")
    result = runner.invoke(cli, ["--lang", "en", "validate", str(path), "--json"])
    assert result.exit_code == 1, (result.output, result.exc_info)
    assert isinstance(result.exception, SystemExit), result.exc_info  # not a crash
    summary = json.loads(result.output)
    assert summary["counts"]["invalid"] >= 8
    rows = {p["row"] for p in summary["problems"]}
    assert len(rows) >= 8
    assert all(p["message"] for p in summary["problems"])


def test_unreadable_input_is_one_line_and_exit_2(runner, tmp_path):
    bad = tmp_path / "planning.xlsx"
    bad.write_bytes(b"this is not a workbook")
    result = runner.invoke(cli, ["--lang", "en", "validate", str(bad)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1
    assert result.output.startswith("Error: ")
    assert "planning.xlsx" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "planning.results.xlsx").exists()


def test_missing_file_is_exit_2(runner, tmp_path):
    result = runner.invoke(cli, ["--lang", "en", "import", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "nope.csv" in result.output


def test_french_messages(runner, tmp_path):
    result = runner.invoke(cli, ["--lang", "fr", "validate", str(tmp_path / "absent.csv")])
    assert result.exit_code == 2
    assert result.output.startswith("Erreur : ")


def test_import_into_embedded_sandbox_is_the_demo(runner, sample):
    path = sample("weekly_planning.xlsx")
    result = runner.invoke(cli, ["--lang", "en", "import", "--sandbox", str(path), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    assert set(summary["counts"]) == {"created"}
    assert summary["output"].endswith("weekly_planning.results.xlsx")
    assert 0 < summary["sending_seconds"] <= summary["duration_seconds"]


def test_import_without_credentials_says_what_to_do(runner, sample):
    result = runner.invoke(cli, ["--lang", "en", "import", str(sample("erp_export.csv"))])
    assert result.exit_code == 2
    assert "OCEAN_LOGIN" in result.output and "--sandbox" in result.output


def test_import_with_wrong_password_is_exit_3(runner, sample):
    with Sandbox() as sb:
        result = runner.invoke(
            cli,
            ["--lang", "en", "import", str(sample("erp_export.csv"))],
            env={"OCEAN_API_URL": sb.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": "wrong"},
        )
        assert sb.missions() == []
    assert result.exit_code == 3
    assert "Traceback" not in result.output


def test_log_file_has_one_json_line_per_row_and_a_summary(runner, sample, tmp_path):
    log = tmp_path / "run.jsonl"
    with Sandbox() as sb:
        result = runner.invoke(
            cli,
            [
                "--lang",
                "en",
                "import",
                str(sample("erp_export.csv")),
                "--quiet",
                "--log-file",
                str(log),
                "--journal",
                str(tmp_path / "j.sqlite3"),
            ],
            env={
                "OCEAN_API_URL": sb.url,
                "OCEAN_LOGIN": DEMO_LOGIN,
                "OCEAN_PASSWORD": DEMO_PASSWORD,
            },
        )
    assert result.exit_code in (0, 1), result.output
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines[-1]["event"] == "summary"
    assert len([x for x in lines if x["event"] == "row"]) == lines[-1]["rows"]
    assert oct(log.stat().st_mode & 0o777) == "0o600"


def test_delete_needs_yes_when_not_a_terminal(runner):
    result = runner.invoke(
        cli,
        ["--lang", "en", "delete", "--id", "M-1"],
        env={"OCEAN_LOGIN": "x", "OCEAN_PASSWORD": "y"},
    )
    assert result.exit_code == 2
    assert "--yes" in result.output


def test_check_good_and_bad_credentials(runner):
    with Sandbox() as sb:
        env = {"OCEAN_API_URL": sb.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": DEMO_PASSWORD}
        good = runner.invoke(cli, ["--lang", "en", "check"], env=env)
        bad = runner.invoke(cli, ["--lang", "en", "check"], env={**env, "OCEAN_PASSWORD": "no"})
    assert good.exit_code == 0, good.output
    assert good.output.strip().splitlines()[-1].startswith("OK: ")
    origin = r"\[OCEAN_PASSWORD \(environment\)\]"
    assert re.search(rf"^  password += set +{origin}$", good.output, re.MULTILINE)
    assert bad.exit_code == 3


def test_template_command_writes_a_workbook_that_validates(runner, tmp_path):
    target = tmp_path / "blank.xlsx"
    result = runner.invoke(cli, ["--lang", "fr", "template", str(target)])
    assert result.exit_code == 0
    assert target.exists()
    assert openpyxl.load_workbook(target).sheetnames[0] == "Missions"
