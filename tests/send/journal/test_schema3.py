"""Schema 3 of the journal: the account in the key, the values kept per mission, and the
migration from a real journal of schema 2 (tests/data/journal-schema2.sqlite, written by
tests/data/make_journal_schema2.py with the code of schema 2)."""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers import TEST_DATA, live, mission, settings_for, write_planning

from importer.commands.connect import make_client
from importer.commands.delete import delete_missions
from importer.commands.importing import import_file
from importer.commands.targets import Targets
from importer.errors import JournalError
from importer.ocean_api import CALL_CREATE, CALL_MODIFY
from importer.sandbox import DEMO_LOGIN, MULTI_LOGIN, MULTI_PASSWORD, Sandbox
from importer.sandbox.state import ACCOUNTS, Account
from importer.send.journal.keys import normalise_url, params_hash
from importer.send.journal.ledger import Journal

SCHEMA2 = TEST_DATA / "journal-schema2.sqlite"
SCHEMA2_PLANNING = TEST_DATA / "journal-schema2.csv"
URL = "https://ocean.example/ocean"
ACME = "acme.planning@example.com"  # a second single-customer account on the same server


@pytest.fixture
def acme(monkeypatch):
    """A second company on the sandbox: one customer of its own, no customerId to give."""
    monkeypatch.setitem(ACCOUNTS, ACME, Account(ACME, "acme-pass", (200,), multi=False))
    return ACME


def _counts(result) -> dict[str, int]:
    return {key: value for key, value in result.counts.items() if value}


def _calls(sb: Sandbox) -> dict[str, int]:
    return {name: n for name, n in sb.counters()["calls"].items() if n and name != "authenticate2"}


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _schema2_copy(tmp_path: Path, api_url: str) -> Path:
    """The committed schema-2 journal, copied and pointed at this test's sandbox (its URL
    was the sandbox of the script that wrote it: only the port differs)."""
    path = tmp_path / "state" / "journal.sqlite3"
    path.parent.mkdir()
    shutil.copyfile(SCHEMA2, path)
    conn = sqlite3.connect(path)
    with conn:
        assert conn.execute("SELECT schema_version FROM meta").fetchone() == (2,)
        for table in ("missions", "attempts", "field_hashes"):
            conn.execute(f"UPDATE {table} SET api_url = ?", (normalise_url(api_url),))  # noqa: S608
    conn.close()
    return path


# -- the migration -------------------------------------------------------------------------


def test_a_real_schema2_journal_is_migrated_in_place(tmp_path, acme) -> None:
    with Sandbox() as sb:
        journal = _schema2_copy(tmp_path, sb.url)
        settings = settings_for(sb, tmp_path, journal=journal, workers=2)
        # M-00004 has a modify left in flight: Ocean did apply it (the mission is there).
        with make_client(settings) as client:
            assert client.create(mission("M-00004")).ok

        result = import_file(SCHEMA2_PLANNING, settings, output=tmp_path / "demo.xlsx")

        # Missions sent before the migration are unchanged for their login; the call left
        # in flight was settled with statutMission (present, content unknown: modified);
        # the deleted one is created again.
        outcomes = {o.id_mission: o.outcome.value for o in result.outcomes}
        assert outcomes == {
            **{f"M-0000{i}": "unchanged" for i in range(4)},
            "M-00004": "modified",
            "M-00005": "created",
        }
        assert _calls(sb) == {
            "ajoutMission": 2,  # the test's M-00004, and M-00005
            "statutMission": 2,  # settling M-00004, and asking about M-00005
            "modifierMission": 1,
        }
        assert _rows(journal, "SELECT schema_version FROM meta") == [(3,)]
        assert _rows(journal, "SELECT COUNT(*) FROM attempts") == [(0,)]
        tables = {row[0] for row in _rows(journal, "SELECT name FROM sqlite_master")}
        assert "field_hashes" not in tables and "field_key" not in tables
        # demo took its missions over: none is left under the account of before.
        assert _rows(
            journal, "SELECT COUNT(*) FROM missions WHERE account = '' AND customer_id = ''"
        ) == [(0,)]

        # Customer 101's missions (keyed by customer, not by login) are unchanged too.
        multi = dataclasses.replace(
            settings, login=MULTI_LOGIN, password=MULTI_PASSWORD, customer_id=101
        )
        again = import_file(SCHEMA2_PLANNING, multi, output=tmp_path / "multi.xlsx")
        assert _counts(again) == {"unchanged": 6}

        # Another company's login on the same server does not take demo's for its own.
        other = dataclasses.replace(settings, login=ACME, password="acme-pass")
        theirs = import_file(SCHEMA2_PLANNING, other, output=tmp_path / "acme.xlsx")
        assert _counts(theirs) == {"created": 6}
    if os.name != "nt":  # the copy was 0644: owner-only again
        assert journal.stat().st_mode & 0o777 == 0o600


def test_a_migration_waits_for_no_live_run_of_schema_2(tmp_path) -> None:
    path = _schema2_copy(tmp_path, URL)
    conn = sqlite3.connect(path)
    with conn:  # a run of the older version, alive: this process, a fresh heartbeat
        conn.execute(
            "INSERT INTO runs VALUES ('older', ?, ?, '2026-12-01', ?)",
            (os.getpid(), socket.gethostname(), time.time()),
        )
    conn.close()
    with pytest.raises(JournalError, match=rf"older version of the importer \(pid {os.getpid()}\)"):
        Journal(path)
    assert _rows(path, "SELECT schema_version FROM meta") == [(2,)]  # nothing changed
    assert len(_rows(path, "SELECT * FROM field_hashes")) == 11
    conn = sqlite3.connect(path)
    with conn:  # that run ends without forgetting itself (killed): its heartbeat is old
        conn.execute("UPDATE runs SET heartbeat_at = 0")
    conn.close()
    with Journal(path) as journal:
        assert journal.get(URL, "", "M-00000", account=DEMO_LOGIN) is not None
    assert _rows(path, "SELECT schema_version FROM meta") == [(3,)]


def test_a_legacy_mission_is_read_by_a_preview_and_taken_over_by_a_run(tmp_path) -> None:
    path = _schema2_copy(tmp_path, URL)
    with Journal(path) as journal:
        seen = journal.get(URL, "", "M-00001", account="someone")  # a dry run only reads
        assert seen is not None and seen.present and seen.account == ""
        run = journal.start_run()
        mine = journal.get(URL, "", "M-00001", run_id=run, account="someone")
        assert mine is not None and mine.account not in ("", "someone")  # its digest
        assert mine.params_hash == seen.params_hash
        assert journal.get(URL, "", "M-00001", account="another") is None
        # The modify left in flight is offered to any login (whose it was is not known),
        # and settled under the login that checked it.
        (left,) = journal.in_flight(URL, live=False, account="another")
        assert (left.id_mission, left.call, left.account) == ("M-00004", CALL_MODIFY, "")
        journal.resolve(left.attempt_id, present=False, account="another")
        gone = journal.get(URL, "", "M-00004", account="another")
        assert gone is not None and not gone.present
        assert journal.get(URL, "", "M-00004", account="someone") is None


# -- two companies on one server -----------------------------------------------------------


def test_two_single_customer_accounts_with_the_same_ids_are_distinct(tmp_path, acme) -> None:
    planning = write_planning(tmp_path / "week.csv", 3)
    with Sandbox() as sb:
        demo = settings_for(sb, tmp_path, workers=2)
        other = dataclasses.replace(demo, login=ACME, password="acme-pass")
        first = import_file(planning, demo, output=tmp_path / "demo.xlsx")
        assert _counts(first) == {"created": 3}
        preview = import_file(planning, other, output=tmp_path / "p.xlsx", dry_run=True)
        assert _counts(preview) == {"valid": 3}  # would be sent, not "unchanged"
        second = import_file(planning, other, output=tmp_path / "acme.xlsx")
        assert _counts(second) == {"created": 3}
        held = {(str(m["customerId"]), m["idMission"]) for m in sb.missions()}
        assert held == {(c, f"M-0000{i}") for c in ("100", "200") for i in range(3)}
        for who in (demo, other):
            rerun = import_file(planning, who, output=tmp_path / "again.xlsx")
            assert _counts(rerun) == {"unchanged": 3}
    data = Path(demo.journal).read_bytes()
    assert ACME.encode() not in data and DEMO_LOGIN.encode() not in data  # digests only


# -- the values kept -----------------------------------------------------------------------


def test_an_import_keeps_the_parameters_the_time_and_the_source(tmp_path) -> None:
    planning = write_planning(tmp_path / "week 50.csv", 3)
    with Sandbox() as sb:
        settings = settings_for(sb, tmp_path, workers=2)
        import_file(planning, settings, output=tmp_path / "one.xlsx")
        edited = write_planning(tmp_path / "week 50 v2.csv", 3, version={1: "ring twice"})
        import_file(edited, settings, output=tmp_path / "two.xlsx")
        sent = {m["idMission"]: m["params"] for m in live(sb).values()}
    with Journal(settings.journal) as journal:
        kept = journal.last_params(settings.api_url, "", "M-00001", account=DEMO_LOGIN)
        assert kept is not None and kept["commentaire"] == "ring twice"
        assert {k: v for k, v in kept.items() if k in sent["M-00001"]} == sent["M-00001"]
        assert journal.last_params(settings.api_url, "", "M-00001", account="someone else") is None
        start = datetime(2027, 3, 1, tzinfo=UTC)
        found = journal.missions_between(
            settings.api_url, start, start + timedelta(days=3), account=DEMO_LOGIN
        )
    assert [(r.id_mission, r.utc_inter) for r in found] == [
        ("M-00000", "2027-03-01T07:30:00Z"),  # 08:30 in Paris
        ("M-00001", "2027-03-02T08:30:00Z"),
        ("M-00002", "2027-03-03T09:30:00Z"),
    ]
    assert [r.source_file for r in found] == ["week 50.csv", "week 50 v2.csv", "week 50.csv"]
    runs = {r.source_run for r in found}
    assert len(runs) == 2 and all(run and len(run) == 16 for run in runs)


def test_values_go_when_the_mission_is_deleted(tmp_path) -> None:
    planning = write_planning(tmp_path / "week.csv", 2)
    with Sandbox() as sb:
        settings = settings_for(sb, tmp_path, workers=2)
        import_file(planning, settings, output=tmp_path / "one.xlsx")
        delete_missions(Targets(None, ["M-00000"], tmp_path / "gone.xlsx"), settings)
    with Journal(settings.journal) as journal:
        assert journal.last_params(settings.api_url, "", "M-00000", account=DEMO_LOGIN) is None
        assert journal.last_params(settings.api_url, "", "M-00001", account=DEMO_LOGIN) is not None
        start = datetime(2027, 1, 1, tzinfo=UTC)
        listed = journal.missions_between(settings.api_url, start, start.replace(year=2028))
        listed += journal.missions_between(
            settings.api_url, start, start.replace(year=2028), account=DEMO_LOGIN
        )
    assert [r.id_mission for r in listed] == ["M-00001"]
    row = _rows(
        settings.journal,
        "SELECT present, params_json, utc_inter, source_file FROM missions"
        " WHERE id_mission = 'M-00000'",
    )
    assert row == [(0, None, None, None)]


def _send(journal: Journal, id_mission: str, when: datetime, account: str = "") -> None:
    params = mission(id_mission, jourHeureInter=when.strftime("%d/%m/%Y %H:%M"))
    attempt = journal.begin(
        URL, "", id_mission, CALL_CREATE, params_hash(params), params,
        account=account, source="week.xlsx",
    )  # fmt: skip
    journal.finish(attempt, "applied")


def test_values_go_keep_values_days_after_the_intervention(tmp_path) -> None:
    path = tmp_path / "journal.sqlite3"
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with Journal(path) as journal:
        _send(journal, "OLD", now - timedelta(days=31))
        _send(journal, "RECENT", now - timedelta(days=29))
        _send(journal, "NEXT", now + timedelta(days=2))
    with Journal(path, keep_values_days=30) as journal:  # pruned as its first run starts
        assert journal.last_params(URL, "", "OLD") is None
        assert journal.last_params(URL, "", "RECENT") is not None
        assert journal.last_params(URL, "", "NEXT") is not None
        listed = journal.missions_between(URL, now - timedelta(days=40), now + timedelta(days=9))
        assert journal.drop_old_values() == 0  # nothing more to drop
    # The time and the run stay (the follow-up still knows the day), the rest goes.
    assert [(r.id_mission, r.params is None, r.source_file) for r in listed] == [
        ("OLD", True, None),
        ("RECENT", False, "week.xlsx"),
        ("NEXT", False, "week.xlsx"),
    ]
    assert b"Livraison" in path.read_bytes()  # RECENT's and NEXT's


# -- the follow-up's listing ---------------------------------------------------------------


def test_missions_are_listed_by_account_customer_and_intervention_range(tmp_path) -> None:
    path = _schema2_copy(tmp_path, URL)  # M-00000..M-00004 of before, time unknown
    day = datetime(2027, 6, 1, tzinfo=UTC)
    with Journal(path) as journal:
        _send(journal, "A-1", day, account="alice")
        _send(journal, "A-2", day + timedelta(hours=23, minutes=59), account="alice")
        _send(journal, "A-3", day + timedelta(days=1), account="alice")  # the next day
        _send(journal, "B-1", day + timedelta(hours=1), account="bob")
        params = mission("C-1", jourHeureInter="01/06/2027 12:00", customerId="101")
        attempt = journal.begin(URL, "101", "C-1", CALL_CREATE, "h", params, account="alice")
        journal.finish(attempt, "applied")

        def ids(records) -> list[str]:
            return [r.id_mission for r in records]

        end = day + timedelta(days=1)
        assert ids(journal.missions_between(URL, day, end, account="alice")) == [
            "A-1",
            "C-1",
            "A-2",
        ]
        assert ids(journal.missions_between(URL, day, end, account="bob")) == ["B-1", "C-1"]
        only_own = journal.missions_between(URL, day, end, account="alice", customer_id="")
        assert ids(only_own) == ["A-1", "A-2"]
        customer = journal.missions_between(URL, day, end, account="bob", customer_id="101")
        assert ids(customer) == ["C-1"] and customer[0].params["customerId"] == "101"

        # Sent before the migration: no time yet. The follow-up sets it from statutMission;
        # the mission is then alice's (and no longer offered to bob).
        unknown = journal.missions_without_time(URL, account="alice", customer_id="")
        assert ids(unknown) == [f"M-0000{i}" for i in range(5)]
        assert all(r.params is None and r.account == "" for r in unknown)
        assert journal.set_utc_inter(URL, "", "M-00002", "01/06/2027 10:15", account="alice")
        assert not journal.set_utc_inter(URL, "", "NOPE", day, account="alice")
        listed = journal.missions_between(URL, day, end, account="alice", customer_id="")
        assert [(r.id_mission, r.utc_inter) for r in listed] == [
            ("A-1", "2027-06-01T00:00:00Z"),
            ("M-00002", "2027-06-01T10:15:00Z"),
            ("A-2", "2027-06-01T23:59:00Z"),
        ]
        bobs = journal.missions_without_time(URL, account="bob", customer_id="")
        assert ids(bobs) == ["M-00000", "M-00001", "M-00003", "M-00004"]
        every = journal.missions_without_time(URL, account="bob")  # customer 101's too
        assert {(r.customer_id, r.id_mission) for r in every} == {
            *(("", r.id_mission) for r in bobs),
            *(("101", f"M-0000{i}") for i in range(6)),
        }
        assert ids(journal.missions_between(URL, day, end, account="bob", customer_id="")) == [
            "B-1"
        ]
        with pytest.raises(ValueError, match="not a date-time"):
            journal.set_utc_inter(URL, "", "A-1", "2027-06-01", account="alice")
