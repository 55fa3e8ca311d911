"""The message catalogue is complete in both languages and every key used exists."""

from __future__ import annotations

import re
import string

import pytest
from helpers import PROJECT_ROOT

import importer.sandbox  # noqa: F401  (registers the sandbox's own texts)
from importer.messages import catalogue, detect_language, set_language, t

PACKAGE = PROJECT_ROOT / "importer"
KEY_USE = re.compile(r"""\bt\(\s*f?["']([a-z_]+\.[A-Za-z0-9_.]+)["']""")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_both_languages_have_the_same_keys():
    texts = catalogue()
    assert set(texts["en"]) == set(texts["fr"])
    assert len(texts["en"]) > 50


@pytest.mark.parametrize("key", sorted(catalogue()["en"]))
def test_placeholders_match_between_languages(key):
    texts = catalogue()
    assert _fields(texts["en"][key]) == _fields(texts["fr"][key]), key


def test_every_key_used_in_the_code_exists():
    known = set(catalogue()["en"])
    used = {
        (match.group(1), path.name)
        for path in PACKAGE.rglob("*.py")
        for match in KEY_USE.finditer(path.read_text(encoding="utf-8"))
    }
    missing = sorted(
        f"{key} ({where})" for key, where in used if key not in known and not key.endswith(".")
    )
    assert missing == []


def test_french_texts_are_not_copies_of_english():
    texts = catalogue()
    same = [k for k in texts["en"] if texts["en"][k] == texts["fr"][k] and len(texts["en"][k]) > 25]
    assert same == []


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LC_ALL": "fr_CA.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({"LC_ALL": "C"}, "en"),
    ],
    ids=["lang-fr", "lc_all-wins", "lang-en", "c-locale"],
)
def test_language_follows_the_locale(environ, expected):
    assert detect_language(environ) == expected


def test_t_renders_in_the_chosen_language():
    try:
        set_language("fr")
        assert t("cli.row", row=3) == "ligne 3"
        set_language("en")
        assert t("cli.row", row=3) == "row 3"
    finally:
        set_language("en")


def test_unknown_key_is_a_bug_not_a_blank():
    with pytest.raises(KeyError):
        t("no.such.key")


def _help_keys() -> set[str]:
    import click

    from importer.cli.app import cli

    keys = {"cmd.cli"}
    commands = [cli, *cli.commands.values()]
    for command in commands:
        keys.add(f"cmd.{command.name}")
        for param in command.get_params(click.Context(command)):
            if isinstance(param, click.Option):
                name = "help" if "--help" in param.opts else param.name
                keys.add(f"opt.{name}")
    return keys


def test_every_command_and_option_has_french_help():
    from importer.messages.help_fr import FR_HELP

    available = set(FR_HELP) | {f"opt.{k.split('.', 1)[1]}" for k in FR_HELP if "." in k}
    missing = sorted(k for k in _help_keys() if k not in available)
    assert missing == []


def test_french_help_is_shown_with_lang_fr():
    from click.testing import CliRunner

    from importer.cli.app import cli

    result = CliRunner().invoke(
        cli, ["--lang", "fr", "import", "--help"], prog_name="mission-importer"
    )
    assert result.exit_code == 0
    assert "Utilisation : mission-importer import" in result.output
    assert "Vérifie tout auprès de l'API sans rien modifier." in " ".join(result.output.split())
    english = CliRunner().invoke(cli, ["--lang", "en", "import", "--help"])
    assert "Check everything with the API, change nothing." in " ".join(english.output.split())


DYNAMIC_KEY = re.compile(r"""\bt\(\s*f["']([a-z_]+\.[A-Za-z0-9_.]*)\{""")


def test_every_key_built_at_run_time_has_entries_under_its_prefix():
    known = set(catalogue()["en"]) | set(catalogue_of_sandbox())
    prefixes = {
        match.group(1)
        for path in PACKAGE.rglob("*.py")
        for match in DYNAMIC_KEY.finditer(path.read_text(encoding="utf-8"))
    }
    assert prefixes  # the pattern finds the f-string keys (t(f"results.col.{key}") ...)
    empty = sorted(p for p in prefixes if not any(key.startswith(p) for key in known))
    assert empty == []


@pytest.mark.parametrize("prefix", ["results.outcome.", "results.meaning.", "cli.outcome."])
def test_every_outcome_has_its_words(prefix):
    from importer.model import Outcome

    missing = [o.value for o in Outcome if f"{prefix}{o.value}" not in catalogue()["en"]]
    assert missing == []


def test_every_result_column_has_its_header():
    from importer.result_columns import RESULT_COLUMNS

    missing = [c.key for c in RESULT_COLUMNS if f"results.col.{c.key}" not in catalogue()["fr"]]
    assert missing == []


def catalogue_of_sandbox() -> dict[str, str]:
    """The sandbox's own texts (it owns them, beside the main catalogue)."""
    from importer.sandbox import texts

    return {key: "" for table in vars(texts).values() if isinstance(table, dict) for key in table}
