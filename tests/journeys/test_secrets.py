"""No credential ever leaves memory: every command, DEBUG logging, then a scan of everything.

Every command runs against a sandbox account with a distinctive password, with DEBUG
logging to a file and ``--log-file``; then stdout, stderr, the log records (the
sandbox's too), every file written under the work folder (results workbooks unzipped
part by part, the journal and its -wal, the drop folder...) are searched for the
password, in every form it could take, and for every token the sandbox issued.
"""

from __future__ import annotations

import json
import logging
import secrets
import shutil
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from click.testing import CliRunner, Result
from helpers import write_planning

from importer.cli.app import cli
from importer.sandbox import DEMO_CUSTOMER, Sandbox
from importer.sandbox.state import ACCOUNTS, Account

LOGIN = "planner.secret-test"
PASSWORD = f"Pässwörd+{secrets.token_urlsafe(12)}&=%/é"  # needs escaping in URLs and JSON
WRONG_PASSWORD = f"Wrong-{secrets.token_urlsafe(12)}"
FILE_PASSWORD = f"FromFile-{secrets.token_urlsafe(12)}"


def forms(secret: str) -> set[bytes]:
    """The ways a secret could be written down: raw, URL-, JSON- and XML-escaped."""
    texts = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        secret.replace("&", "&amp;"),
    }
    found = {text.encode("utf-8") for text in texts}
    found |= {text.encode("utf-16-le") for text in texts}
    return found


def file_parts(path: Path) -> list[tuple[str, bytes]]:
    """A file's bytes, and for a zip (xlsx) every member's bytes too."""
    data = path.read_bytes()
    parts = [(str(path), data)]
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            parts += [(f"{path}!{name}", archive.read(name)) for name in archive.namelist()]
    return parts


@pytest.fixture
def account(monkeypatch):
    """A sandbox account with a distinctive password (the demo ones equal their login)."""
    monkeypatch.setitem(ACCOUNTS, LOGIN, Account(LOGIN, PASSWORD, (DEMO_CUSTOMER,), multi=False))
    return LOGIN


@pytest.fixture
def debug_log(tmp_path: Path):
    """Every record at DEBUG, from every logger, to a file (as a support person would)."""
    path = tmp_path / "work" / "debug.log"
    path.parent.mkdir()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(args)s"))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield path
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def test_no_command_leaks_the_password_or_a_token(
    account, debug_log, tmp_path, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    work = debug_log.parent
    monkeypatch.chdir(work)
    planning = write_planning(work / "week.csv", 12)
    inbox = work / "inbox"
    inbox.mkdir()
    shutil.copyfile(planning, inbox / "dropped.csv")
    config = tmp_path / "with-password.toml"  # outside the scanned folder: it holds one
    config.write_text(f'password = "{FILE_PASSWORD}"\n', encoding="utf-8")
    config.chmod(0o600)
    journal = work / "journal.sqlite3"
    outputs: list[tuple[str, Result]] = []

    with Sandbox() as sb:
        env = {
            "OCEAN_API_URL": sb.url,
            "OCEAN_LOGIN": LOGIN,
            "OCEAN_PASSWORD": PASSWORD,
            "MISSION_IMPORTER_JOURNAL": str(journal),
            "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "NO_COLOR": "1",
        }
        log_file = work / "import.jsonl"
        commands = [
            ["validate", str(planning), "-o", str(work / "validate.xlsx")],
            ["import", str(planning), "--log-file", str(log_file), "-o", str(work / "i.xlsx")],
            ["import", str(planning), "--dry-run", "-o", str(work / "dry.xlsx")],
            ["import", str(planning), "--json", "-o", str(work / "again.xlsx")],
            ["status", str(planning), "-o", str(work / "status.xlsx")],
            ["status", "--id", "M-00001", "--id", "NOPE", "-o", str(work / "ids.xlsx")],
            ["check"],
            ["template", str(work / "template.xlsx")],
            ["watch", "--once", "--settle", "0", str(inbox)],
            ["delete", "--yes", str(planning), "-o", str(work / "deleted.xlsx")],
        ]
        runner = CliRunner()
        for args in commands:
            result = runner.invoke(cli, ["--lang", "en", *args], env=env)
            outputs.append((" ".join(args[:1]), result))
            assert result.exit_code in (0, 1), (args, result.output, result.exception)
        # Credentials refused, and a password that only the config file gives.
        wrong = runner.invoke(
            cli,
            ["--lang", "en", "import", str(planning)],
            env={**env, "OCEAN_PASSWORD": WRONG_PASSWORD},
        )
        assert wrong.exit_code == 3
        outputs.append(("wrong password", wrong))
        from_file = runner.invoke(
            cli,
            ["--lang", "en", "--config", str(config), "check"],
            env={**env, "OCEAN_PASSWORD": ""},
        )
        assert from_file.exit_code == 3  # the file's password is not this account's
        outputs.append(("password from file", from_file))
        tokens = sb.issued_tokens()

    # The run really did something worth scanning.
    assert len(tokens) >= 8
    assert log_file.stat().st_size > 0 and debug_log.stat().st_size > 0
    assert any("ocean" in r.name or "sandbox" in r.name for r in caplog.records)
    assert journal.exists()
    assert len(list(work.rglob("*.xlsx"))) >= 9
    assert (inbox / "done" / "dropped.csv").exists() or list((inbox / "done").iterdir())

    needles = {f"password form {i}": form for i, form in enumerate(forms(PASSWORD))}
    needles |= {f"wrong password form {i}": f for i, f in enumerate(forms(WRONG_PASSWORD))}
    needles |= {f"file password form {i}": f for i, f in enumerate(forms(FILE_PASSWORD))}
    needles |= {f"token {i}": token.encode() for i, token in enumerate(tokens)}

    haystacks: list[tuple[str, bytes]] = []
    for name, result in outputs:
        haystacks.append((f"{name} stdout", result.stdout.encode("utf-8")))
        haystacks.append((f"{name} stderr", result.stderr.encode("utf-8")))
        if result.exception and not isinstance(result.exception, SystemExit):
            haystacks.append((f"{name} exception", repr(result.exception).encode()))
    haystacks.append(("log records", caplog.text.encode("utf-8")))
    haystacks.append(("log record args", repr([(r.msg, r.args) for r in caplog.records]).encode()))
    files = sorted(p for p in work.rglob("*") if p.is_file())
    assert any(p.name.endswith("-wal") or p.suffix == ".sqlite3" for p in files)
    for path in files:
        haystacks += file_parts(path)

    leaks = [
        (where, what)
        for where, data in haystacks
        for what, needle in needles.items()
        if needle in data
    ]
    assert leaks == []

    # The scan itself works: the config file, written on purpose, is found.
    assert any(needle in config.read_bytes() for needle in forms(FILE_PASSWORD))
