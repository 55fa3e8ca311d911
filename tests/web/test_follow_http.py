"""The follow-up page over HTTP, against a sandbox whose drivers answer within a second.

Missions are sent by the command line's ``import`` into the journal the page reads; the
page's refresher asks the sandbox for their statuses in the background.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from web_support import Visitor, planning_csv, running_site

from importer.cli.app import cli
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, MULTI_LOGIN, MULTI_PASSWORD

WEEK = "2027-W09"  # planning_csv's 1 to 7 March 2027 (days 1..7 of its ids)


def cli_import(sandbox, journal: Path, path: Path) -> None:
    env = {
        "OCEAN_API_URL": sandbox.url,
        "OCEAN_LOGIN": DEMO_LOGIN,
        "OCEAN_PASSWORD": DEMO_PASSWORD,
        "MISSION_IMPORTER_JOURNAL": str(journal),
    }
    result = CliRunner().invoke(cli, ["--lang", "en", "import", str(path)], env=env)
    assert result.exit_code == 0, result.output


def wait_for(visitor: Visitor, path: str, pattern: str, timeout: float = 20) -> str:
    deadline = time.monotonic() + timeout
    page = ""
    while time.monotonic() < deadline:
        page = visitor.go("GET", path).text
        if re.search(pattern, page, re.S):
            return page
        time.sleep(0.2)
    raise AssertionError(f"{pattern!r} never appeared in {path}:\n{page[-3000:]}")


def all_refused(visitor: Visitor, count: int = 3) -> str:
    """Ask for one refresh once the drivers answered (a step lasts ~0.2 s); the page then
    shows the ``count`` refusals, read by that one refresh."""
    visitor.go("GET", f"/follow?week={WEEK}")
    time.sleep(0.5)
    visitor.go("POST", "/follow/refresh", data={"csrf": visitor.csrf, "week": WEEK})
    pattern = rf'data-status="refused">.*?<strong>{count}<'
    return wait_for(visitor, f"/follow/table?week={WEEK}", pattern, timeout=5)


@pytest.fixture
def drivers(sandbox_factory):
    """A sandbox whose drivers refuse every first attempt, within a fifth of a second."""
    return sandbox_factory(status_step_seconds=0.2, refusal_rate=1.0, max_refusals=1, seed=3)


@pytest.fixture
def site(drivers, tmp_path):
    with running_site(drivers, tmp_path, follow_poll_seconds=1.0) as started:
        yield started


@pytest.fixture
def imported(drivers, site, tmp_path):
    cli_import(
        drivers,
        tmp_path / "journal.sqlite3",
        planning_csv(tmp_path / "w.csv", ["F-1", "F-2", "F-3"]),
    )
    return ["F-1", "F-2", "F-3"]


@pytest.fixture
def visitor(site):
    person = Visitor(site)
    person.sign_in()
    return person


def test_missions_imported_on_the_command_line_appear_with_their_refusal(visitor, imported):
    page = visitor.go("GET", f"/follow?week={WEEK}").text
    for id_mission in imported:
        assert f'data-mission="{id_mission}"' in page
    assert "01/03/2027 08:30" in page  # local time, dd/mm/yyyy hh:mm
    refused = all_refused(visitor)
    section = refused.split('id="refusals"')[1].split("</section>")[0]
    assert section.count('class="refused"') == 3
    assert re.search(r'class="reason">[^<]*\w', section)  # the driver's reason is shown
    assert "Updated" in refused


def test_a_replan_sends_one_modify_with_the_new_values_and_shows_the_new_status(
    visitor, imported, drivers
):
    all_refused(visitor)
    form = visitor.go("GET", f"/follow/mission?id=F-2&week={WEEK}")
    assert form.status_code == 200
    assert 'value="VL-07"' in form.text
    assert 'value="02/03/2027 08:30"' in form.text  # the local time, as typed
    before = drivers.counters()["calls"]["modifierMission"]
    data = {
        "csrf": visitor.csrf, "id": "F-2", "week": WEEK,
        "nomVeh": "VL-12", "nomIndi": "", "prenomIndi": "", "jourHeureInter": "03/03/2027 10:15",
    }  # fmt: skip
    sent = visitor.go("POST", "/follow/mission", data=data)
    assert sent.status_code == 200, sent.text
    assert "re-planned" in sent.text
    assert drivers.counters()["calls"]["modifierMission"] == before + 1
    stored = {m["idMission"]: m for m in drivers.missions()}["F-2"]
    assert stored["params"]["nomVeh"] == "VL-12"
    assert stored["params"]["jourHeureInter"] == "03/03/2027 09:15"  # 10:15 in Paris, UTC+1
    assert stored["params"]["rue"] == "3 rue Pasteur"  # the rest as last accepted
    # the second attempt is accepted (max_refusals=1): the follow-up shows it
    page = wait_for(
        visitor, f"/follow/table?week={WEEK}",
        r'data-mission="F-2">.*?state-(accepted|in_progress|done)',
    )  # fmt: skip
    assert "03/03/2027 10:15" in page
    assert "F-2" in visitor.go("GET", "/history").text


def test_a_replan_breaking_a_rule_sends_nothing(visitor, imported, drivers):
    before = drivers.counters()["calls"]["modifierMission"]
    data = {"csrf": visitor.csrf, "id": "F-1", "week": WEEK, "jourHeureInter": "31/02/2027 10:00"}
    answer = visitor.go("POST", "/follow/mission", data=data)
    assert answer.status_code == 422
    assert 'id="follow-problems"' in answer.text
    assert drivers.counters()["calls"]["modifierMission"] == before


def test_delete_asks_for_a_confirmation_then_deletes(visitor, imported, drivers):
    confirm = visitor.go("GET", f"/follow/delete?id=F-3&week={WEEK}")
    assert confirm.status_code == 200 and 'id="delete-confirm"' in confirm.text
    assert drivers.counters()["calls"]["supprimerMission"] == 0
    unconfirmed = {"csrf": visitor.csrf, "id": "F-3", "week": WEEK}
    assert visitor.go("POST", "/follow/delete", data=unconfirmed).status_code == 400
    assert drivers.counters()["calls"]["supprimerMission"] == 0
    done = visitor.go("POST", "/follow/delete", data={**unconfirmed, "confirm": "yes"})
    assert done.status_code == 200 and "deleted" in done.text
    assert drivers.counters()["calls"]["supprimerMission"] == 1
    assert 'data-mission="F-3"' not in visitor.go("GET", f"/follow?week={WEEK}").text


def test_the_week_exports_as_the_status_workbook(visitor, imported, tmp_path):
    all_refused(visitor)
    answer = visitor.go("GET", f"/follow/export?week={WEEK}")
    assert answer.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(answer.content)
    sheet = openpyxl.load_workbook(path).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows[0]
    assert "commentRefuseReason" in header and "statusCode" in header
    reason = header.index("commentRefuseReason")
    assert sorted(r[header.index("idMission")] for r in rows[1:] if r[0] is not None) == [
        "F-1",
        "F-2",
        "F-3",
    ]
    assert all(r[reason] for r in rows[1:4])


def test_filters_and_search_are_in_the_url(visitor, imported):
    all_refused(visitor)
    found = visitor.go("GET", f"/follow?week={WEEK}&q=F-2").text
    assert 'data-mission="F-2"' in found and 'data-mission="F-1"' not in found
    none = visitor.go("GET", f"/follow?week={WEEK}&status=done").text
    assert 'data-mission="F-' not in none
    assert visitor.go("GET", "/follow?week=2027-W99").status_code == 400


def _calls_per_second(drivers, seconds: float) -> list[int]:
    samples = []
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        samples.append((time.monotonic(), drivers.counters()["calls"]["statutMission"]))
        time.sleep(0.05)
    worst = []
    for i, (t0, n0) in enumerate(samples):
        inside = [n for t1, n in samples[i:] if t1 - t0 <= 1.0]
        worst.append(inside[-1] - n0)
    return worst


def test_the_refresher_keeps_its_rate_and_stops_at_sign_out(drivers, tmp_path):
    ids = [f"R-{n}" for n in range(24)]
    with running_site(drivers, tmp_path, follow_poll_seconds=1.0) as site:
        site.state.settings.follow_rate = 4.0
        cli_import(drivers, tmp_path / "journal.sqlite3", planning_csv(tmp_path / "r.csv", ids))
        person = Visitor(site)
        person.sign_in()
        start = drivers.counters()["calls"]["statutMission"]
        person.go("GET", "/follow?week=2027-W09")  # 7 missions this week
        person.go("POST", "/follow/refresh", data={"csrf": person.csrf, "week": "2027-W10"})
        windows = _calls_per_second(drivers, 3.0)
        assert max(windows) <= 5  # 4 per second, one more at a window's edge
        assert drivers.counters()["calls"]["statutMission"] - start >= 8
        person.go("POST", "/signout", data={"csrf": person.csrf})
        time.sleep(1.0)
        after = drivers.counters()["calls"]["statutMission"]
        time.sleep(2.0)
        assert drivers.counters()["calls"]["statutMission"] == after
        assert site.state.follow.running() == 0
        assert site.state.follow._statuses == {}  # what was read left with the person


def test_the_refresher_stops_when_nobody_looks(drivers, tmp_path):
    with running_site(drivers, tmp_path, follow_poll_seconds=0.2) as site:
        cli_import(drivers, tmp_path / "journal.sqlite3", planning_csv(tmp_path / "r.csv", ["I-1"]))
        person = Visitor(site)
        person.sign_in()
        person.go("GET", f"/follow?week={WEEK}")
        assert site.state.follow.running() == 1
        deadline = time.monotonic() + 10
        while site.state.follow.running() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert site.state.follow.running() == 0  # no poll for 3 polls + 5 s


def test_another_persons_missions_are_never_served(drivers, site, imported, tmp_path):
    other = Visitor(site)
    other.sign_in(MULTI_LOGIN, MULTI_PASSWORD, customer="101")
    page = other.go("GET", f"/follow?week={WEEK}").text
    assert "F-1" not in page and 'id="follow-empty"' in page
    for path in (f"/follow/mission?id=F-1&week={WEEK}", f"/follow/delete?id=F-1&week={WEEK}"):
        assert other.go("GET", path).status_code == 404, path
    data = {"csrf": other.csrf, "id": "F-1", "week": WEEK, "nomVeh": "X", "confirm": "yes"}
    assert other.go("POST", "/follow/mission", data=data).status_code == 404
    assert other.go("POST", "/follow/delete", data=data).status_code == 404
    assert drivers.counters()["calls"]["modifierMission"] == 0
    assert drivers.counters()["calls"]["supprimerMission"] == 0
    exported = tmp_path / "other.xlsx"
    exported.write_bytes(other.go("GET", f"/follow/export?week={WEEK}").content)
    cells = [
        c.value for row in openpyxl.load_workbook(exported).worksheets[0].iter_rows() for c in row
    ]
    assert "F-1" not in cells


def test_the_follow_up_routes_need_a_session(site):
    anonymous = Visitor(site)
    for path in ("/follow", "/follow/table", "/follow/mission?id=F-1", "/follow/export"):
        answer = anonymous.get(site.url + path, allow_redirects=False, timeout=10)
        assert answer.status_code == 303, path
    for path in ("/follow/refresh", "/follow/mission", "/follow/delete"):
        assert anonymous.post(site.url + path, timeout=10).status_code == 401, path


def test_a_mission_without_its_time_gets_its_day_on_the_first_refresh(
    visitor, imported, drivers, tmp_path
):
    # The page starts its refresher as it renders: Ocean's first answer must come after the
    # render, or a loaded machine lets the refresh land first (the day already known).
    drivers.latency_ms = 1000
    with sqlite3.connect(tmp_path / "journal.sqlite3") as conn:  # as sent before schema 3
        conn.execute(
            "UPDATE missions SET utc_inter = NULL, params_json = NULL WHERE id_mission = 'F-2'"
        )
    page = visitor.go("GET", f"/follow?week={WEEK}").text
    assert 'data-mission="F-2"' not in page  # its day is not known yet
    line = wait_for(visitor, f"/follow/table?week={WEEK}", r'data-mission="F-2">.*?</tr>')
    row = re.search(r'data-mission="F-2">.*?</tr>', line, re.S).group(0)
    assert "02/03/2027 08:30" in row  # statutMission's time, in local time
    assert "Re-plan" not in row and "sent before its values were kept" in row
    answer = visitor.go("POST", "/follow/mission", data={"csrf": visitor.csrf, "id": "F-2"})
    assert answer.status_code == 409


def test_a_replan_is_in_the_audit_log(visitor, imported, tmp_path):
    from importer.report import audit_log as audit

    log = tmp_path / "audit.jsonl"
    audit.attach(log, "serve")
    try:
        data = {"csrf": visitor.csrf, "id": "F-1", "week": WEEK, "nomVeh": "VL-31"}
        assert visitor.go("POST", "/follow/mission", data=data).status_code == 200
    finally:
        audit.detach_all()
    records = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    rows = [r for r in records if r.get("event") == "row"]
    assert [(r["idMission"], r["outcome"], r["source"]) for r in rows] == [
        ("F-1", "modified", "follow-up")
    ]


def test_a_replan_with_the_same_values_sends_nothing(visitor, imported, drivers):
    form = visitor.go("GET", f"/follow/mission?id=F-1&week={WEEK}").text
    values = dict(
        re.findall(r'name="(nomVeh|nomIndi|prenomIndi|jourHeureInter)" value="([^"]*)"', form)
    )
    assert values["jourHeureInter"] == "01/03/2027 08:30"
    before = drivers.counters()["calls"]["modifierMission"]
    data = {"csrf": visitor.csrf, "id": "F-1", "week": WEEK, **values}
    answer = visitor.go("POST", "/follow/mission", data=data)
    assert "unchanged" in answer.text
    assert drivers.counters()["calls"]["modifierMission"] == before
