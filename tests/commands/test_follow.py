"""commands/follow.py: the week read in local time, a re-plan's checked parameters, the
refresher's pace and the time it fills in, against a real sandbox and journal."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from importer.commands.connect import make_client
from importer.commands.follow import (
    Follower,
    follow_rate,
    missions_without_time,
    parse_week,
    refresh_statuses,
    replan,
    replan_row,
    week_missions,
    week_of,
)
from importer.commands.importing import import_file
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from importer.send.journal.ledger import Journal
from importer.settings.load import Settings

PARIS = "Europe/Paris"


@pytest.mark.parametrize(
    ("text", "monday"),
    [
        ("2026-W50", date(2026, 12, 7)),
        ("2027w09", date(2027, 3, 1)),
        ("2020-W53", date(2020, 12, 28)),
    ],
    ids=["plain", "lower-case-no-dash", "week-53"],
)
def test_an_iso_week_names_its_monday(text, monday):
    assert parse_week(text) == monday


@pytest.mark.parametrize("text", ["2026-50", "2026-W54", "W50", "2019-W53", ""])
def test_what_is_not_a_week_is_refused(text):
    with pytest.raises(ValueError):
        parse_week(text)


def test_a_week_starts_at_local_midnight_across_a_dst_change():
    week = week_of("2027-W12", PARIS)  # Sunday 28 March 2027: summer time starts
    assert week.monday == date(2027, 3, 22)
    assert week.start.astimezone(UTC) == datetime(2027, 3, 21, 23, 0, tzinfo=UTC)  # CET
    assert week.end.astimezone(UTC) == datetime(2027, 3, 28, 22, 0, tzinfo=UTC)  # CEST
    assert week.days[-1] == date(2027, 3, 28)
    assert week.shifted(1, PARIS).name == "2027-W13"
    assert week_of(date(2027, 1, 3), PARIS).name == "2026-W53"


def test_the_follow_rate_never_exceeds_the_rate():
    assert follow_rate(Settings()) == 2.0
    assert follow_rate(Settings(rate=0.5)) == 0.5
    assert follow_rate(Settings(rate=10.0, follow_rate=3.0)) == 3.0


LAST = {
    "idMission": "M-1",
    "jourHeureInter": "01/03/2027 07:30",
    "typeMission": "Dépannage",
    "nomVeh": "VL-07",
    "rue": "3 rue Pasteur",
    "codPost": "69003",
    "ville": "Lyon",
    "aEnvoyer": "true",
}


def test_a_replan_keeps_the_last_values_and_reads_the_new_time_as_local():
    params, problems = replan_row(LAST, {"jourHeureInter": "02/03/2027 10:15"}, Settings())
    assert problems == []
    assert params is not None
    assert params["jourHeureInter"] == "02/03/2027 09:15"  # 10:15 in Paris in winter
    assert {k: params[k] for k in ("nomVeh", "rue", "codPost", "ville")} == {
        "nomVeh": "VL-07", "rue": "3 rue Pasteur", "codPost": "69003", "ville": "Lyon"
    }  # fmt: skip


def test_an_unchanged_replan_gives_back_the_same_parameters():
    params, _ = replan_row(LAST, {}, Settings())
    assert params == LAST


@pytest.mark.parametrize(
    "change",
    [{"jourHeureInter": "30/02/2027 10:00"}, {"jourHeureInter": "demain"}],
    ids=["impossible-day", "not-a-date"],
)
def test_a_replan_breaking_the_grids_rules_gives_its_messages(change):
    params, problems = replan_row(LAST, change, Settings(lang="en"))
    assert params is None
    assert problems and all(isinstance(p, str) and p for p in problems)


@pytest.fixture
def sent(sandbox_factory, tmp_path):
    """Three missions imported on 1-3 March 2027 into a sandbox whose drivers answer at once."""
    box = sandbox_factory(status_step_seconds=0, refusal_rate=1.0, seed=2)
    planning = tmp_path / "p.csv"
    rows = ["idMission;jourHeureInter;typeMission;nomVeh;rue;codPost;ville"]
    rows += [
        f"T-{n};0{n}/03/2027 08:30;Dépannage;VL-07;3 rue Pasteur;69003;Lyon" for n in (1, 2, 3)
    ]
    planning.write_text("\n".join(rows) + "\n", encoding="utf-8")
    settings = Settings(
        api_url=box.url, login=DEMO_LOGIN, password=DEMO_PASSWORD, journal=tmp_path / "j.sqlite3"
    )
    assert import_file(planning, settings, show_progress=False).counts == {"created": 3}
    return box, settings


def test_the_refresh_reads_at_its_rate_and_fills_the_unknown_times(sent):
    box, settings = sent
    with sqlite3.connect(settings.journal) as conn:  # as sent before the journal kept it
        conn.execute("UPDATE missions SET utc_inter = NULL WHERE id_mission = 'T-2'")
    who = Follower(box.url, DEMO_LOGIN)
    week = week_of("2027-W09", PARIS)
    client = make_client(settings)
    client.authenticate()
    with Journal(settings.journal) as journal, client:
        assert [r.id_mission for r in week_missions(journal, who, week)] == ["T-1", "T-3"]
        untimed = [r.id_mission for r in missions_without_time(journal, who)]
        assert untimed == ["T-2"]
        reads = []
        start = time.monotonic()
        count = refresh_statuses(
            client, journal, who, ["T-2", "T-1", "T-3"], rate=5.0,
            refused_statuses=settings.refused_statuses, on_read=reads.append, untimed=untimed,
        )  # fmt: skip
        assert time.monotonic() - start >= 0.4  # three reads at 5 a second: 2 gaps of 0.2 s
        assert count == 3 and [r.outcome for r in reads] == ["refused"] * 3
        assert all(r.reason for r in reads)
        assert [r.id_mission for r in week_missions(journal, who, week)] == ["T-1", "T-2", "T-3"]
        assert missions_without_time(journal, who) == []
        stop = threading.Event()
        stop.set()
        assert refresh_statuses(
            client, journal, who, ["T-1"], rate=5.0, refused_statuses=(), on_read=reads.append,
            stop=stop,
        ) == 0  # fmt: skip


def test_a_replan_without_kept_values_sends_nothing(sent):
    box, settings = sent
    with sqlite3.connect(settings.journal) as conn:
        conn.execute("UPDATE missions SET params_json = NULL WHERE id_mission = 'T-1'")
    client = make_client(settings)
    client.authenticate()
    with Journal(settings.journal) as journal, client:
        who = Follower(box.url, DEMO_LOGIN)
        change = replan(client, journal, settings, who, "T-1", {"nomVeh": "VL-99"})
        assert change.not_kept and change.outcome is None
        other = replace(who, login="someone-else")  # another login's key: not theirs
        assert replan(client, journal, settings, other, "T-2", {"nomVeh": "X"}).not_kept
    assert box.counters()["calls"]["modifierMission"] == 0
