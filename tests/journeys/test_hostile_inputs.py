"""Broken and hostile input files through the real command line: a clear sentence, never a crash.

The corpus lives in tests/data/bad/ and is written by tests/data/make_bad_inputs.py
(its MANIFEST.json says what each file is and which exit code it must give). Every file
goes through ``validate`` and ``import`` with the API pointed at a sandbox that counts
every connection: an unreadable file ends with exit 2 and one "Error: ..." line naming
it; a readable one with exit 1 and every row reported invalid; and not one request (not
even a login) ever reaches the API.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path
from types import ModuleType

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import TEST_DATA

from importer.cli.app import cli
from importer.read.table import read_table
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

DATA = TEST_DATA
BAD = DATA / "bad"
MANIFEST = json.loads((BAD / "MANIFEST.json").read_text(encoding="utf-8"))
ENTRIES = {entry["file"]: entry for entry in MANIFEST["files"]}
CASES = [pytest.param(name, entry["exit"], id=name) for name, entry in ENTRIES.items()]
SECONDS_PER_COMMAND = 10.0  # no input may keep the importer busy (CPU) longer than this
LONGEST_LINE = 2_000  # a message quoting a giant cell must cut it short


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_bad_inputs", DATA / "make_bad_inputs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def counting_sandbox():
    """One sandbox for the module: its counters must never move."""
    with Sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def env(counting_sandbox: Sandbox, tmp_path: Path, monkeypatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no mission-importer.toml of the developer's is read
    return {
        "OCEAN_API_URL": counting_sandbox.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "NO_COLOR": "1",
    }


def traffic(sandbox: Sandbox) -> tuple[dict[str, int], int]:
    counters = sandbox.counters()
    return dict(counters["calls"]), counters["connections"]


def results_path(source: Path) -> Path:
    return source.with_name(source.name.removesuffix(source.suffix) + ".results.xlsx")


# --- the corpus itself ---------------------------------------------------------------------


def test_corpus_is_large_and_covers_every_kind_of_bad_input() -> None:
    assert len(ENTRIES) >= 30
    names = set(ENTRIES)
    for expected in (
        "empty.csv",
        "one_byte.xlsx",
        "garbage.xls",
        "truncated.xlsx",
        "corrupt_crc.xlsx",
        "no_sheets.xlsx",
        "hidden_sheets_only.xlsx",
        "merged_header.xlsx",
        "formulas_and_errors.xlsx",
        "giant_cells.xlsx",
        "wide_10000_columns.xlsx",
        "entity_bomb.xlsx",
        "zip_bomb_ratio.xlsx",
        "encrypted.xlsx",
        "mixed_encoding.csv",
        "nul_bytes.csv",
        "unterminated_quote.csv",
        "csv_named.xlsx",
        "xlsx_named.csv",
        "html_as.xls",
    ):
        assert expected in names
    for ext in (".csv", ".xlsx", ".xlsm", ".xls", ".ods"):
        assert f"garbage{ext}" in names
    assert {n for n in names if n.startswith("delimiter_")} >= {
        "delimiter_semicolon.csv",
        "delimiter_comma.csv",
        "delimiter_tab.tsv",
        "delimiter_pipe.csv",
    }
    total = sum((BAD / name).stat().st_size for name in names)
    assert total < 400 * 1024  # small in git
    on_disk = {p.name for p in BAD.iterdir()} - {"MANIFEST.json"}
    assert on_disk == names


def test_generator_is_deterministic_and_matches_the_corpus(tmp_path: Path) -> None:
    generator = load_generator()
    first = generator.write_corpus(tmp_path / "a")
    second = generator.write_corpus(tmp_path / "b")
    assert first == second
    assert [e["file"] for e in first] == list(ENTRIES)
    assert [e["exit"] for e in first] == [ENTRIES[e["file"]]["exit"] for e in first]
    if MANIFEST["zlib"] == zlib.ZLIB_VERSION:  # compressed bytes depend on the zlib build
        assert [e["sha256"] for e in first] == [ENTRIES[e["file"]]["sha256"] for e in first]


def test_bombs_are_built_on_workbooks_that_read_fine_without_the_attack(tmp_path: Path) -> None:
    """The hostile files fail because of the attack, not because the builder is sloppy."""
    generator = load_generator()
    plain = tmp_path / "plain.xlsx"
    plain.write_bytes(generator.shared_strings_xlsx("", "from shared strings"))
    table = read_table(plain)
    assert table.data["commentaire"].tolist() == ["from shared strings"]
    base = tmp_path / "base.xlsx"
    base.write_bytes(generator.planning_xlsx())
    assert read_table(base).data["idMission"].tolist() == ["M-0001", "M-0002"]
    with zipfile.ZipFile(BAD / "zip_bomb_ratio.xlsx") as bomb:
        sheet = bomb.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size > 500 * sheet.compress_size
    with zipfile.ZipFile(BAD / "zip_bomb_declared.xlsx") as bomb:
        assert sum(i.file_size for i in bomb.infolist()) > 4 << 30
    sst = zipfile.ZipFile(BAD / "entity_bomb.xlsx").read("xl/sharedStrings.xml")
    assert b"<!ENTITY lol9" in sst
    assert (BAD / "encrypted.xlsx").read_bytes()[:8] == generator.OLE_MAGIC
    assert "EncryptedPackage".encode("utf-16-le") in (BAD / "encrypted.xlsx").read_bytes()


# --- every file through validate and import --------------------------------------------------


@pytest.mark.parametrize("command", ["validate", "import"])
@pytest.mark.parametrize(("name", "expected"), CASES)
def test_bad_input_ends_cleanly_and_sends_nothing(
    name: str, expected: int, command: str, counting_sandbox: Sandbox, env, tmp_path: Path
) -> None:
    source = tmp_path / name
    shutil.copyfile(BAD / name, source)
    before = traffic(counting_sandbox)
    started, cpu_started = time.perf_counter(), time.process_time()
    result = CliRunner().invoke(cli, ["--lang", "en", command, str(source)], env=env)
    elapsed, busy = time.perf_counter() - started, time.process_time() - cpu_started

    assert result.exit_code == expected, result.output[-2000:]
    assert isinstance(result.exception, SystemExit), result.exception  # nothing else escaped
    assert "Traceback" not in result.output
    assert traffic(counting_sandbox) == before  # not a request, not even a login
    # CPU time: the same on a loaded machine (the suite's workers share 2 cores); the wall
    # clock, with room, catches a wait
    assert busy < SECONDS_PER_COMMAND, f"{command} {name} took {busy:.1f} s of CPU"
    assert elapsed < 3 * SECONDS_PER_COMMAND, f"{command} {name} took {elapsed:.1f} s"
    lines = result.output.splitlines()
    assert max(map(len, lines), default=0) <= LONGEST_LINE

    if expected == 2:
        errors = result.stderr.strip().splitlines()
        assert len(errors) == 1, result.stderr
        assert errors[0].startswith("Error: ")
        assert name in errors[0]
        assert result.stdout.strip() == ""
        assert not results_path(source).exists()
    else:
        sheet = openpyxl.load_workbook(results_path(source), read_only=True)["Results"]
        rows = list(sheet.iter_rows(values_only=True))
        header = list(rows[0])
        outcome, errors_col = header.index("outcome"), header.index("errors")
        assert len(rows) > 1
        for row in rows[1:]:
            assert row[outcome] == "invalid"
            assert row[errors_col]  # says what is wrong with the row


# --- a few through a real process: nothing but the one sentence on stderr -------------------

SUBPROCESS_CASES = [
    "entity_bomb.xlsx",
    "zip_bomb_declared.xlsx",
    "encrypted.xlsx",
    "garbage.ods",
    "ole_garbage.xls",
    "nul_bytes.csv",
]


@pytest.mark.parametrize("name", SUBPROCESS_CASES)
def test_bad_input_in_a_real_process_prints_one_line_and_no_traceback(
    name: str, counting_sandbox: Sandbox, tmp_path: Path
) -> None:
    source = tmp_path / name
    shutil.copyfile(BAD / name, source)
    env = {
        **os.environ,
        "OCEAN_API_URL": counting_sandbox.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONWARNINGS": "default",  # a warning printed by a library would show here
    }
    before = traffic(counting_sandbox)
    done = subprocess.run(
        [sys.executable, "-m", "importer", "--lang", "en", "import", str(source)],
        env=env,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("Error: ") and name in lines[0]
    assert done.stdout == ""
    assert traffic(counting_sandbox) == before
