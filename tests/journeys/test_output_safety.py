"""What the tool writes is safe: no formula from data, TLS always checked, loopback sandbox,
owner-only files.

* Formula injection: values starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return (in a source file, in an API message) never become formulas in any workbook the
  tool writes: checked in the XML itself (no ``<f>`` element, string cells).
* TLS: the client has no switch to turn verification off; a plain-HTTP port behind an
  https URL, or a certificate nobody trusts, is a clear exit-3 error naming TLS; a CA
  bundle makes a private certificate work.
* The sandbox binds to loopback only unless told explicitly, and then warns.
* The journal and the log file are owner-only whatever the umask.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import http.server
import inspect
import json
import logging
import os
import re
import shutil
import ssl
import stat
import subprocess
import threading
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from helpers import HEADERS

from importer.cli.app import cli
from importer.errors import ApiUnavailableError, UsageError
from importer.model import Outcome, RowIssue, RowOutcome
from importer.net import is_loopback
from importer.read.table import read_table
from importer.report.summary_sheet import SummaryFacts
from importer.report.workbook import write_results
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.send.client import OceanClient
from importer.settings.load import Settings

HOSTILE = [
    "=1+1",
    '=HYPERLINK("http://evil.example/x","click")',
    "=cmd|' /C calc'!A0",
    "+33 6 12 34 56 78",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "=1+1\n",
]
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def hostile_rows() -> list[list[str]]:
    """Valid missions whose free-text cells (and an unknown column) hold formula bait."""
    rows = []
    for i, bait in enumerate(HOSTILE):
        rows.append(
            [
                f"M-{i:05d}",
                f"{1 + i:02d}/03/2027 08:30",
                bait,  # nomVeh
                "Lyon",
                "69003",
                bait,  # commentaire
                "VRAI",
                bait,  # an unknown column, kept in the results
            ]
        )
    return rows


def write_csv(path: Path) -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow([*HEADERS, "Bait"])
        writer.writerows(hostile_rows())
    return path


def write_xlsx(path: Path) -> Path:
    """The same rows as text cells in a workbook, plus a real formula with a bait value."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False}) as book:
        sheet = book.add_worksheet("Planning")
        for col, header in enumerate([*HEADERS, "Bait"]):
            sheet.write_string(0, col, header)
        for r, row in enumerate(hostile_rows(), start=1):
            for c, value in enumerate(row):
                sheet.write_string(r, c, value)
        # A real formula in the source whose cached value is itself bait.
        sheet.write_formula(1, len(HEADERS), '="="&"1+1"', None, "=1+1")
    return path


def sheet_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {
            name: archive.read(name)
            for name in archive.namelist()
            if name.startswith("xl/worksheets/") and name.endswith(".xml")
        }


def assert_no_formula(path: Path, expected_bait: set[str]) -> None:
    """No formula element anywhere; every bait value present is a plain string cell."""
    parts = sheet_parts(path)
    assert parts
    for name, xml in parts.items():
        assert not FORMULA.search(xml), f"{path.name}:{name} holds a formula"
    book = openpyxl.load_workbook(path)  # formulas would show as "=..." with type "f"
    seen: set[str] = set()
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    raise AssertionError(f"{path.name}!{sheet.title}!{cell.coordinate}")
                value = cell.value
                if isinstance(value, str) and value.lstrip("'") in expected_bait:
                    assert cell.data_type in ("s", "inlineStr"), cell
                    seen.add(value.lstrip("'"))
    assert expected_bait <= seen, expected_bait - seen  # the bait really was written


@pytest.fixture
def sb():
    with Sandbox() as sandbox:
        yield sandbox


def cli_env(sb: Sandbox, tmp_path: Path) -> dict[str, str]:
    return {
        "OCEAN_API_URL": sb.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(tmp_path / "journal.sqlite3"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "NO_COLOR": "1",
    }


# --- formula injection -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_formula_bait_never_becomes_a_formula_in_any_workbook(sb, tmp_path, monkeypatch, kind):
    monkeypatch.chdir(tmp_path)
    name = "=HYPERLINK(1)+planning"  # even the file name shown in the Summary sheet
    source = write_csv(tmp_path / f"{name}.csv") if kind == "csv" else None
    if kind == "xlsx":
        source = write_xlsx(tmp_path / f"{name}.xlsx")
    assert source is not None
    read = read_table(source)
    assert read.data["Bait"].tolist()[1:] == HOSTILE[1:]  # the bait reaches the writers
    env = cli_env(sb, tmp_path)
    runs = {
        "validate": ["validate", str(source), "-o", "validate.xlsx"],
        "import": ["import", str(source), "-o", "import.xlsx"],
        "dry run": ["import", "--dry-run", str(source), "-o", "dry.xlsx"],
        "status": ["status", str(source), "-o", "status.xlsx"],
        "template": ["template", "template.xlsx"],
    }
    for what, args in runs.items():
        result = CliRunner().invoke(cli, ["--lang", "en", *args], env=env)
        assert result.exit_code in (0, 1), (what, result.output, result.exception)
    imported = {m["idMission"] for m in sb.missions()}
    assert len(imported) == len(HOSTILE)  # valid rows: the bait was really processed
    bait = {value for value in HOSTILE if value.strip() == value}  # kept verbatim
    for output in ("validate.xlsx", "import.xlsx", "dry.xlsx", "status.xlsx"):
        assert_no_formula(tmp_path / output, bait)
    assert_no_formula(tmp_path / "template.xlsx", set())
    summary = openpyxl.load_workbook(tmp_path / "import.xlsx")["Summary"]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(name in text for text in texts)  # the file name, as text


def test_api_messages_and_errors_cannot_inject_formulas(tmp_path):
    """A hostile (or compromised) server's message is written verbatim, as text."""
    path = write_csv(tmp_path / "p.csv")
    table = read_table(path)
    outcomes = []
    for i, row in enumerate(table.data.index):
        bait = HOSTILE[i % len(HOSTILE)]
        # (a sentence that starts with the hostile text: "{column}: {message}")
        issue = RowIssue(
            row, "commentaire", bait, "common.issue", {"column": bait, "message": bait}
        )
        outcomes.append(
            RowOutcome(
                row=row,
                outcome=Outcome.FAILED,
                action=bait,
                http_status=500,
                message=bait,
                errors=[issue],
                warnings=[issue],
                utc_inter=bait,
                utc_peremp=bait,
                extra={"status": bait, "complement": bait},
            )
        )
    summary = SummaryFacts(
        command="import",
        input_path=path,
        started_at=datetime.now(UTC),
        finished_at=datetime.now(UTC),
        settings={"api_url": "=1+1", "sheet": "@SUM(A1)"},
        notes=list(HOSTILE),
    )
    written = write_results(
        tmp_path / "r.xlsx", table, outcomes, summary, extra_columns=("status", "complement")
    )
    bait = {value for value in HOSTILE if value.strip() == value}
    assert_no_formula(written, bait)


# --- TLS ---------------------------------------------------------------------------------------


def test_the_client_has_no_way_to_turn_tls_verification_off(monkeypatch, tmp_path):
    names = set(inspect.signature(OceanClient).parameters)
    assert not {n for n in names if re.search(r"verify|insecure|ssl|tls", n)}
    assert not [
        f.name for f in dataclasses.fields(Settings) if re.search("verify|insecure", f.name)
    ]
    for command in cli.commands.values():
        for param in command.params:
            spelled = " ".join([param.name or "", *getattr(param, "opts", [])])
            assert not re.search(r"verify|insecure|no-ssl|no-tls", spelled), spelled
    monkeypatch.setenv("CURL_CA_BUNDLE", "")  # empty: some tools read that as "no checks"
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "")
    client = OceanClient("https://127.0.0.1:9", "login", "password")
    assert client.verify is True
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n", encoding="ascii")
    assert OceanClient("https://127.0.0.1:9", "l", "p", ca_bundle=str(bundle)).verify == str(bundle)
    with pytest.raises(UsageError):
        OceanClient("https://127.0.0.1:9", "l", "p", ca_bundle=str(tmp_path / "missing.pem"))


def test_https_to_a_plain_http_port_is_a_clear_tls_error(sb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    https_url = sb.url.replace("http://", "https://")
    client = OceanClient(https_url, DEMO_LOGIN, DEMO_PASSWORD, connect_timeout=2, read_timeout=2)
    with pytest.raises(ApiUnavailableError) as error:
        client.authenticate()
    assert "TLS" in str(error.value)
    result = CliRunner().invoke(
        cli, ["--lang", "en", "check"], env={**cli_env(sb, tmp_path), "OCEAN_API_URL": https_url}
    )
    assert result.exit_code == 3
    assert "TLS" in result.stderr and "Traceback" not in result.output
    assert sb.counters()["calls"]["authenticate2"] == 0  # nothing was sent in clear text


def test_the_option_the_tls_message_suggests_exists(sb, tmp_path, monkeypatch):
    """The TLS error tells people to use --ca-bundle: the commands must accept it."""
    monkeypatch.chdir(tmp_path)
    https_url = sb.url.replace("http://", "https://")
    result = CliRunner().invoke(
        cli, ["--lang", "en", "check"], env={**cli_env(sb, tmp_path), "OCEAN_API_URL": https_url}
    )
    suggested = set(re.findall(r"--[a-z][a-z-]+", result.stderr))
    assert suggested, result.stderr
    for name in ("import", "check", "status", "delete", "watch"):
        options = {opt for param in cli.commands[name].params for opt in param.opts}
        assert suggested <= options, (name, suggested - options)


def make_certificate(folder: Path) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class _TokenHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps({"token": "tls-test-token"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def https_server(cert: Path, key: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _TokenHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_an_untrusted_certificate_is_refused_and_a_ca_bundle_makes_it_trusted(tmp_path):
    cert, key = make_certificate(tmp_path)
    with https_server(cert, key) as url:
        untrusting = OceanClient(url, "login", "password", connect_timeout=3, read_timeout=3)
        with pytest.raises(ApiUnavailableError) as error:
            untrusting.authenticate()
        assert "TLS" in str(error.value)
        trusting = OceanClient(url, "login", "password", ca_bundle=str(cert), read_timeout=3)
        trusting.authenticate()  # the same server, now trusted: no error
        trusting.close()
        untrusting.close()


# --- the sandbox stays on this computer --------------------------------------------------------


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost"])
def test_loopback_names(host):
    assert is_loopback(host)


@pytest.mark.parametrize(
    "host", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "127.0.0.1.nip.io", ""]
)
def test_anything_else_is_refused_without_allow_remote(host):
    assert not is_loopback(host)
    with pytest.raises(UsageError) as error:
        Sandbox(host=host)
    assert host in str(error.value) and "127.0.0.1" in str(error.value)


def test_the_sandbox_command_refuses_a_remote_host(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(
        cli, ["--lang", "en", "sandbox", "--host", "0.0.0.0", "--port", "0"]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and "0.0.0.0" in result.stderr


def test_allow_remote_warns(caplog):
    """Told explicitly, the sandbox tries to bind, and says loudly that it is reachable.

    192.0.2.1 (TEST-NET-1) is no address of this computer: the bind fails, so nothing
    is ever exposed by this test; the warning comes first.
    """
    caplog.set_level(logging.WARNING, logger="importer.sandbox")
    sandbox = Sandbox(host="192.0.2.1", allow_remote=True)
    with pytest.raises(UsageError):
        sandbox.start()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings and "192.0.2.1" in warnings[0].getMessage()


# --- owner-only files --------------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
def test_journal_and_log_file_are_owner_only_whatever_the_umask(sb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    source = write_csv(tmp_path / "p.csv")
    journal = tmp_path / "state" / "journal.sqlite3"
    journal.parent.mkdir()
    log_file = tmp_path / "import.jsonl"
    old = os.umask(0)  # the most permissive: every bit the tool does not drop stays
    try:
        args = ["import", str(source), "--journal", str(journal), "--log-file", str(log_file)]
        result = CliRunner().invoke(cli, ["--lang", "en", *args], env=cli_env(sb, tmp_path))
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    created = [p for p in journal.parent.iterdir() if p.name.startswith("journal.sqlite3")]
    assert journal in created and len(created) >= 2  # the journal and its lock (and WAL)
    for path in [*created, log_file]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path.name} is {oct(mode)}"
