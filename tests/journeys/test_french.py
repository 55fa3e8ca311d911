"""French that reads as French: every French catalogue entry and --help text, and the output.

Typography (design, "Decisions for this round"): a narrow no-break space U+202F before
``:`` ``;`` ``?`` ``!`` and inside « » in French sentences. Data separators that scripts
read (the ``; `` between problems in the ``errors`` column) do not change.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import SAMPLE_DATA

import importer.sandbox  # noqa: F401  (registers the sandbox's own texts)
from importer.cli.app import cli
from importer.messages import catalogue, set_language, t
from importer.messages.help_fr import FR_HELP

NNBSP = "\u202f"


# The sandbox's API answers imitate the Ocean web service's own messages, verbatim (data
# that failure patterns read), not sentences of ours.
SERVICE_WORDS = ("sandbox.api.", "sandbox.status.")


def french_texts() -> dict[str, str]:
    """Every French text of ours: the whole catalogue and the French --help."""
    texts = {
        key: text for key, text in catalogue()["fr"].items() if not key.startswith(SERVICE_WORDS)
    }
    return {**texts, **{f"help:{key}": text for key, text in FR_HELP.items()}}


def _without_code(text: str) -> str:
    """The text without what is not French prose: URLs, times, paths, options, Excel errors."""
    text = re.sub(r"\w+://\S+", "", text)  # URLs (their ?, : and !)
    text = re.sub(r"#[A-Z0-9/]+[!?]", "", text)  # #REF!, #NAME?
    text = re.sub(r"--[\w-]+[ =]\S+", "", text)  # an option's value in an example command
    return text


def typography_problems(text: str) -> list[str]:
    """What breaks the French typography rule in one text (empty when it follows it)."""
    prose = _without_code(text)
    problems = []
    for match in re.finditer(r"[ \u00a0]([:;?!])", prose):
        problems.append(f"an ordinary space before {match.group(1)!r}")
    for match in re.finditer(r"(?<=[^\s\u202f])([;?!])(?=\s|$)", prose):
        problems.append(f"no narrow no-break space before {match.group(1)!r}")
    for _match in re.finditer(r"(?<=[^\s\u202f])(:)(?=\s|$)", prose):
        problems.append("no narrow no-break space before ':'")
    if re.search(r"«(?!\u202f)", prose):
        problems.append("« without a narrow no-break space after it")
    if re.search(r"(?<!\u202f)»", prose):
        problems.append("» without a narrow no-break space before it")
    if re.search(r"(?<![\d.])\d+\.\d+(?![\d.])", prose):
        problems.append("a decimal point (French writes a decimal comma)")
    return problems


@pytest.mark.parametrize("key", sorted(french_texts()))
def test_every_french_entry_follows_french_typography(key: str) -> None:
    assert typography_problems(french_texts()[key]) == [], french_texts()[key]


def test_no_french_entry_uses_an_english_outcome_word() -> None:
    words = re.compile(
        r"(?<![-/\w])(created|modified|deleted|unchanged|valid|invalid|failed|not_sent)(?![-\w])"
    )
    found = {
        key: words.findall(re.sub(r"\{\w+\}", "", text))  # placeholders are code, not words
        for key, text in french_texts().items()
    }
    assert {key: hits for key, hits in found.items() if hits} == {}


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("ligne 3\u202f: erreur", True),
        ("ligne 3 : erreur", False),
        ("ligne 3: erreur", False),
        ("« M1 »", False),
        ("«\u202fM1\u202f»", True),
        ("vraiment\u202f?", True),
        ("vraiment ?", False),
        ("à 08:30 le 03/12/2026", True),
        ("voir http://127.0.0.1:8765/?a=1", True),
        ("5.0 s", False),
        ("5,0 s", True),
    ],
)
def test_the_typography_check_itself(text: str, ok: bool) -> None:
    assert (typography_problems(text) == []) is ok


def test_floats_are_written_with_a_decimal_comma_in_french() -> None:
    set_language("fr")
    assert t("client.reason.read_timeout", seconds=2.5).startswith("aucune réponse en 2,5 s")
    assert t("client.reason.connect_timeout", seconds=5.0).startswith("aucune connexion en 5 s")
    set_language("en")
    assert t("client.reason.read_timeout", seconds=2.5) == "no answer within 2.5 s per attempt"


ENGLISH_OUTCOMES = re.compile(r"\b(created|modified|deleted|unchanged|valid|invalid|failed)\b")


def test_the_terminal_summary_reads_as_french(runner: CliRunner, tmp_path: Path) -> None:
    planning = tmp_path / "planning.csv"
    planning.write_text(
        "idMission;jourHeureInter;nomVeh;ville\n"
        "M1;03/12/2027 08:30;VL-1;Lyon\n"
        "M2;31/02/2027 08:30;VL-2;Lyon\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["--lang", "fr", "validate", str(planning)])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert re.fullmatch(r"validate\u202f: 2 lignes en \d+,\d s \(\d+ lignes/s\)", lines[0])
    assert "  valides" in result.output and "  invalides" in result.output
    assert not ENGLISH_OUTCOMES.search(result.output), result.output
    assert "  ligne 3\u202f: jourHeureInter\u202f: «\u202f31/02/2027 08:30\u202f» n'est pas" in (
        result.output
    )
    assert "28/02/2027 08:30 et 01/03/2027 08:30" in result.output


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_no_help_line_is_cut_off(runner: CliRunner, lang: str) -> None:
    result = runner.invoke(cli, ["--lang", lang, "--help"])
    assert result.exit_code == 0
    cut = [line for line in result.output.splitlines() if line.endswith(("...", "…"))]
    assert [line for line in cut if "[ARGS]" not in line] == []
    heading = "Commandes\u202f:" if lang == "fr" else "Commands:"
    assert heading in result.output.splitlines()
    joined = " ".join(result.output.split())
    first = (
        "Affiche chaque réglage en vigueur et son origine, se connecte et fait un appel de "
        "lecture sans effet"
    )
    assert first in joined if lang == "fr" else "Show each setting in effect" in joined


def test_a_number_cell_is_quoted_with_a_decimal_comma_in_french() -> None:
    import pandas as pd

    from importer.model import SourceTable
    from importer.rows.columns import map_headers
    from importer.rows.options import RowOptions
    from importer.rows.validation import validate_table

    set_language("fr")
    cells = ["M1", "03/12/2027 08:30", "VL-1", "Lyon", 123.5, 2.35]
    headers = ["idMission", "jourHeureInter", "nomVeh", "ville", "latitude", "longitude"]
    data = pd.DataFrame([cells], columns=headers, dtype=object, index=[2])
    table = SourceTable(path=Path("planning.xlsx"), headers=headers, data=data)
    [row] = validate_table(table, map_headers(table.headers), RowOptions())
    assert row.errors[0].message.startswith("«\u202f123,5\u202f» n'est pas une latitude")


def test_the_quiet_error_sentence_counts_in_french(runner: CliRunner, tmp_path: Path) -> None:
    planning = tmp_path / "p.xlsx"
    planning.write_bytes((SAMPLE_DATA / "weekly_planning_mistakes.xlsx").read_bytes())
    result = runner.invoke(cli, ["--lang", "fr", "validate", str(planning), "-q"])
    assert result.exit_code == 1
    assert "(10 invalides, 6 valides)" in result.stderr
    assert "invalid," not in result.stderr
