"""`check` shows every effective value and where it came from (issue 11, #7)."""

from __future__ import annotations

import json
import re

from importer.cli.app import cli
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD


def test_check_shows_each_value_with_its_origin_and_the_resolved_journal_and_lang(
    runner, sandbox, tmp_path
):
    config = tmp_path / "mission-importer.toml"
    config.write_text("[import]\nworkers = 3\n", encoding="utf-8")
    env = {
        "OCEAN_API_URL": sandbox.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "LANG": "fr_FR.UTF-8",
    }
    result = runner.invoke(cli, ["check", "--rate", "4"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()

    def line(key: str) -> str:
        return next(x for x in lines if re.match(rf"^  {key} +=", x))

    assert line("rate").endswith("= 4.0   [--rate (ligne de commande)]")
    assert line("api_url").endswith(f"= {sandbox.url}   [OCEAN_API_URL (environnement)]")
    assert line("workers").endswith(f"= 3   [{config}, [import] workers]")
    assert line("timezone").endswith("= Europe/Paris   [valeur par défaut]")
    journal = tmp_path / "state" / "ocean-mission-importer" / "journal.sqlite3"
    assert line("journal").endswith(f"= {journal}   [valeur par défaut (votre dossier d'état)]")
    assert line("lang").endswith("= fr   [langue du système (LANG=fr_FR.UTF-8)]")
    assert "non défini" not in line("journal") + line("lang")
    assert line("password").endswith("= défini   [OCEAN_PASSWORD (environnement)]")
    assert f"Fichier de réglages\u202f: {config}" in result.output


def test_check_json(runner, sandbox):
    env = {"OCEAN_API_URL": sandbox.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": "wrong"}
    good = runner.invoke(
        cli, ["--lang", "en", "check", "--json"], env={**env, "OCEAN_PASSWORD": DEMO_PASSWORD}
    )
    assert good.exit_code == 0, good.output
    data = json.loads(good.output)
    assert data["ok"] is True and data["message"].startswith("OK: ")
    assert data["settings"]["lang"] == {"value": "en", "origin": "--lang (command line)"}
    assert data["settings"]["password"] == {
        "value": "set",
        "origin": "OCEAN_PASSWORD (environment)",
    }
    assert data["settings"]["journal"]["value"].endswith("journal.sqlite3")
    assert data["config_file"] is None
    bad = runner.invoke(cli, ["--lang", "en", "check", "--json"], env=env)
    assert bad.exit_code == 3


def test_check_prints_the_table_and_json_made_by_commands_check(runner, sandbox, tmp_path):
    """The command prints what importer.commands.check makes, nothing of its own."""
    from importer.commands.check import CheckOutcome, check_json, effective_table, table_lines
    from importer.messages import set_language
    from importer.settings.load import load_configuration

    env = {"OCEAN_API_URL": sandbox.url, "OCEAN_LOGIN": DEMO_LOGIN, "OCEAN_PASSWORD": DEMO_PASSWORD}
    result = runner.invoke(cli, ["--lang", "en", "check", "--workers", "5"], env=env)
    assert result.exit_code == 0, result.output
    set_language("en")
    configuration = load_configuration({"lang": "en", "workers": 5}, environ=env, cwd=tmp_path)
    table = effective_table(configuration, configuration.settings)
    lines = table_lines(configuration, table)
    assert lines[0] == "Settings in effect:"
    assert result.stdout.splitlines()[: len(lines)] == lines
    data = json.loads(check_json(configuration, table, CheckOutcome(False, "no")))
    assert data["settings"]["workers"] == {"value": "5", "origin": "--workers (command line)"}
    assert (data["ok"], data["message"]) == (False, "no")
