"""The command line through click's CliRunner: exit codes and exact texts."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from helpers import SAMPLE_DATA, settings_for, write_planning

from importer import __version__
from importer.cli.app import cli
from importer.cli.outcome import exit_status
from importer.commands.importing import import_file
from importer.environment import Environment
from importer.errors import ApiUnavailableError, DeclinedError, ExitCode, UsageError
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

SAMPLES = SAMPLE_DATA
N = "\u202f"  # the narrow no-break space of French typography


@pytest.fixture
def runner(cli_home):
    return Runner()


class Runner(CliRunner):
    """CliRunner that runs ``cli`` under its real name."""

    def invoke(self, cli, args, **kwargs):  # type: ignore[override]
        return super().invoke(cli, args, prog_name="mission-importer", **kwargs)


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
    # status reads the journal for its days (--from/--to/--week); validate never opens it
    for command, offered in [
        ("import", True),
        ("delete", True),
        ("status", True),
        ("validate", False),
    ]:
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
        "print([m in sys.modules for m in ('pandas', 'requests', 'starlette', 'openpyxl')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[False, False, False, False]"


def test_help_is_instant():
    # CPU time (~0.06 s; importing pandas alone takes 0.3 s): the wall clock passed 0.3 s on
    # a loaded machine (the suite's workers share 2 cores)
    code = (
        "import sys, time; started = time.process_time(); from importer.cli.app import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(time.process_time() - started, file=sys.stderr)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Commands:" in run.stdout
    assert float(run.stderr.strip().splitlines()[-1]) < 0.3


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
    assert result.exit_code == 0, result.output  # every row of the ERP export is valid and sent
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


# === the inconsistencies of issue 13, fixed ===================================================


# --- global options before or after the command ---------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--lang", "fr", "validate", "absent.csv"],
        ["validate", "absent.csv", "--lang", "fr"],
        ["validate", "--lang=fr", "absent.csv"],
    ],
    ids=["before", "after", "between"],
)
def test_lang_is_accepted_before_or_after_the_command(runner, tmp_path, args):
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"Erreur{N}: absent.csv{N}: fichier introuvable{N}; "
        "vérifiez le chemin et l'orthographe de son nom.\n"
    )


def test_help_is_in_the_language_given_after_it(runner):
    result = runner.invoke(cli, ["validate", "--help", "--lang", "fr"])
    assert result.exit_code == 0
    assert result.output.startswith(f"Utilisation{N}: mission-importer validate [OPTIONS] FILE")


def test_config_and_quiet_and_verbose_after_the_command(runner, tmp_path, demo):
    config = tmp_path / "elsewhere.toml"
    config.write_text("[import]\nworkers = 3\n", encoding="utf-8")
    result = runner.invoke(
        cli, ["check", "--json", "--config", str(config), "-v", "--lang", "en"], env=demo
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["config_file"] == str(config)
    assert data["settings"]["workers"] == {"value": "3", "origin": f"{config}, [import] workers"}
    planning = write_planning(tmp_path / "week.csv", 2)
    quiet = runner.invoke(cli, ["validate", str(planning), "-q"])
    assert (quiet.exit_code, quiet.output) == (0, "")
    before = runner.invoke(cli, ["-q", "validate", str(planning)])
    assert (before.exit_code, before.output) == (0, "")


# --- click's own messages in the user's language --------------------------------------------


def test_unknown_option_in_french(runner):
    result = runner.invoke(cli, ["--lang", "fr", "validate", "--nope", "x.csv"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Utilisation{N}: mission-importer validate [OPTIONS] FILE\n"
        f"Essayez «{N}mission-importer validate -h{N}» pour l'aide.\n\n"
        f"Erreur{N}: Option inconnue{N}: --nope\n"
    )


def test_unknown_option_with_a_suggestion_in_english(runner):
    result = runner.invoke(cli, ["--lang", "en", "import", "--dry-runn", "x.csv"])
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: No such option: --dry-runn (did you mean --dry-run?)\n")


@pytest.mark.parametrize(
    ("args", "last_line"),
    [
        (["validate"], f"Erreur{N}: Argument manquant{N}: FILE."),
        (["valider", "x.csv"], f"Erreur{N}: Commande inconnue{N}: valider."),
        (["import", "x.csv", "--workers"], "Erreur : L'option --workers demande une valeur."),
        (["validate", "a.csv", "b.csv"], f"Erreur{N}: Argument(s) en trop{N}: b.csv."),
        (
            ["sandbox", "--fault-rate", "2"],
            f"Erreur{N}: Valeur invalide pour --fault-rate{N}: 2.0 is not in the range 0<=x<=1.",
        ),
    ],
    ids=["missing-argument", "unknown-command", "needs-value", "extra-argument", "bad-value"],
)
def test_usage_errors_in_french(runner, args, last_line):
    result = runner.invoke(cli, ["--lang", "fr", *args])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == last_line.replace("Erreur :", f"Erreur{N}:")


# --- one bound for each setting, wherever the value comes from ------------------------------


def test_a_rate_below_one_is_accepted_on_the_command_line_as_in_the_environment(runner, demo):
    from_cli = runner.invoke(cli, ["--lang", "en", "check", "--json", "--rate", "0.05"], env=demo)
    from_env = runner.invoke(
        cli, ["--lang", "en", "check", "--json"], env={**demo, "MISSION_IMPORTER_RATE": "0.05"}
    )
    assert (from_cli.exit_code, from_env.exit_code) == (0, 0), from_cli.output + from_env.output
    cli_rate = json.loads(from_cli.stdout)["settings"]["rate"]
    env_rate = json.loads(from_env.stdout)["settings"]["rate"]
    assert cli_rate == {"value": "0.05", "origin": "--rate (command line)"}
    assert env_rate == {"value": "0.05", "origin": "MISSION_IMPORTER_RATE (environment)"}


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--rate", "0"], {}, "--rate (command line): the value must be greater than 0, not 0.0."),
        (
            [],
            {"MISSION_IMPORTER_RATE": "0"},
            "MISSION_IMPORTER_RATE (environment): the value must be greater than 0, not 0.0.",
        ),
        (
            ["--workers", "65"],
            {},
            "--workers (command line): the value must be between 1 and 64, not 65.",
        ),
        (
            [],
            {"MISSION_IMPORTER_WORKERS": "65"},
            "MISSION_IMPORTER_WORKERS (environment): the value must be between 1 and 64, not 65.",
        ),
        (
            ["--workers", "eight"],
            {},
            '--workers (command line): expected a whole number, not "eight".',
        ),
    ],
    ids=["rate-cli", "rate-env", "workers-cli", "workers-env", "workers-type"],
)
def test_the_same_bound_and_message_on_the_command_line_and_in_the_environment(
    runner, args, env, message
):
    result = runner.invoke(cli, ["--lang", "en", "import", "x.csv", *args], env=env)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"


def test_option_help_shows_the_default_and_bounds_of_the_table(runner):
    english = " ".join(runner.invoke(cli, ["import", "--help", "--lang", "en"]).output.split())
    assert "--workers INTEGER Parallel requests [default: 8; 1 to 64]." in english
    assert (
        "--rate NUMBER At most this many requests per second, all workers together [more than 0]."
        in english
    )
    assert "--mode [create|modify|delete|upsert]" in english
    french = " ".join(runner.invoke(cli, ["import", "--help", "--lang", "fr"]).output.split())
    assert (
        "--workers INTEGER Requêtes en parallèle [défaut : 8 ; de 1 à 64]." in french
    )  # NNBSP split
    serve = " ".join(runner.invoke(cli, ["serve", "--help", "--lang", "fr"]).output.split())
    assert "leurs classeurs [défaut : 30 ; au moins 0,01]." in serve
    assert "x>=" not in serve and "[default" not in serve


# --- --timezone wherever planning times are read --------------------------------------------


@pytest.mark.parametrize("command", ["validate", "import", "status", "delete", "watch"])
def test_every_command_that_reads_planning_times_takes_timezone(runner, command):
    result = runner.invoke(cli, ["--lang", "en", command, "--timezone", "Europe/Pari", "x.csv"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        'Error: --timezone (command line): "Europe/Pari" is not a known time zone; '
        "use a name such as Europe/Paris.\n"
    )


def test_status_shows_the_local_time_in_the_timezone_given(runner, sandbox, demo, tmp_path):
    planning = write_planning(tmp_path / "week.csv", 1)
    import_file(planning, settings_for(sandbox, tmp_path), show_progress=False)
    out = tmp_path / "status.xlsx"
    args = ["status", "--id", "M-00000", "--timezone", "America/New_York", "-o", str(out)]
    result = runner.invoke(cli, [*args, "--lang", "en"], env=demo)
    assert result.exit_code == 0, result.output
    rows = list(openpyxl.load_workbook(out)["Results"].iter_rows(values_only=True))
    local = rows[0].index("time (America/New_York)")
    assert rows[1][local] == "01/03/2027 02:30"  # 07:30 UTC


# --- the exit code in one place; declining a confirmation -----------------------------------


def test_declining_delete_does_nothing_and_exits_130_in_the_users_language(
    runner, sandbox, demo, tmp_path
):
    planning = write_planning(tmp_path / "week.csv", 1)
    import_file(planning, settings_for(sandbox, tmp_path), show_progress=False)
    terminal = Environment(stdin_isatty=True)
    result = runner.invoke(
        cli, ["delete", "--id", "M-00000", "--lang", "fr"], input="n\n", env=demo, obj=terminal
    )
    assert result.exit_code == 130
    assert result.stderr == (
        f"Supprimer 1 mission(s) dans Ocean{N}? [o/N] n\n"
        f"Rien n'a été fait{N}: la suppression n'a pas été confirmée.\n"
    )
    assert [m["idMission"] for m in sandbox.missions()] == ["M-00000"]
    agreed = runner.invoke(
        cli,
        [
            "delete",
            "--id",
            "M-00000",
            "--lang",
            "fr",
            "--journal",
            str(tmp_path / "journal.sqlite3"),
        ],
        input="oui\n",
        env=demo,
        obj=Environment(stdin_isatty=True),
    )
    assert agreed.exit_code == 0, agreed.output
    assert sandbox.missions() == [] or all(m.get("deleted") for m in sandbox.missions())


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (None, ExitCode.OK),
        (UsageError("x"), ExitCode.BAD_INPUT),
        (ApiUnavailableError("x"), ExitCode.API_UNAVAILABLE),
        (DeclinedError("x"), ExitCode.INTERRUPTED),
        (KeyboardInterrupt(), ExitCode.INTERRUPTED),
        (click.Abort(), ExitCode.INTERRUPTED),
        (click.NoSuchOption("--x"), ExitCode.BAD_INPUT),
        (click.exceptions.Exit(0), ExitCode.OK),
        (ExitCode.ROWS_FAILED, ExitCode.ROWS_FAILED),
    ],
    ids=repr,
)
def test_exit_status_maps_every_ending(outcome, code):
    assert exit_status(outcome) is code


# --- [watch] inbox ---------------------------------------------------------------------------


def test_watch_without_inbox_uses_the_config_files_inbox(runner, tmp_path, demo):
    inbox = tmp_path / "drop"
    inbox.mkdir()
    write_planning(inbox / "week.csv", 2)
    (tmp_path / "mission-importer.toml").write_text(
        '[watch]\ninbox = "drop"\nsettle_seconds = 0\n', encoding="utf-8"
    )
    result = runner.invoke(cli, ["watch", "--once", "--lang", "en"], env=demo)
    assert result.exit_code == 0, result.output
    assert (inbox / "done" / "week.csv").exists()
    assert (inbox / "results" / "week.results.xlsx").exists()


def test_watch_without_any_inbox_says_how_to_give_one(runner):
    result = runner.invoke(cli, ["--lang", "en", "watch", "--once"])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no inbox: give INBOX, or set inbox in the [watch] section of the config file "
        "(or MISSION_IMPORTER_INBOX)\n"
    )


# --- the environment ---------------------------------------------------------------------------


def test_the_summary_is_coloured_only_when_the_environment_says_so(runner, tmp_path):
    planning = write_planning(tmp_path / "week.csv", 2)
    plain = runner.invoke(cli, ["--lang", "en", "validate", str(planning)])
    coloured = runner.invoke(
        cli, ["--lang", "en", "validate", str(planning)], obj=Environment(colors=True), color=True
    )
    assert plain.exit_code == coloured.exit_code == 0
    assert "\x1b[" not in plain.stdout
    assert "\x1b[36m" in next(x for x in coloured.stdout.splitlines() if "valid " in x)
    assert Environment(stdin=None).completed().stdin is not None


def test_the_password_prompt_follows_the_environments_terminal(runner, tmp_path, sandbox):
    env = {"OCEAN_API_URL": sandbox.url, "OCEAN_LOGIN": DEMO_LOGIN}
    args = ["--lang", "en", "check", "--json"]
    asked = runner.invoke(
        cli, args, input=f"{DEMO_PASSWORD}\n", env=env, obj=Environment(stdin_isatty=True)
    )
    assert asked.exit_code == 0, asked.output
    assert asked.stderr.startswith(f"Ocean password for {DEMO_LOGIN}: ")
    not_asked = runner.invoke(cli, args, input=f"{DEMO_PASSWORD}\n", env=env)
    assert not_asked.exit_code == 2
    assert "OCEAN_LOGIN" in not_asked.stderr


def test_aborted_is_said_in_the_users_language_and_exits_130(runner, sandbox):
    """Ctrl-D at the password prompt: click's "Aborted!" becomes the catalogue's sentence."""
    env = {"OCEAN_API_URL": sandbox.url, "OCEAN_LOGIN": DEMO_LOGIN}
    terminal = Environment(stdin_isatty=True)
    result = runner.invoke(cli, ["check", "--lang", "fr"], input="", env=env, obj=terminal)
    assert result.exit_code == 130
    assert result.stderr == f"Mot de passe Ocean de {DEMO_LOGIN}: \n\nAbandon.\n"
