"""The sandbox plays a driver: statuses move over time, some sendings are refused with a
reason, a modification of a refused mission sends it again; all of it seeded."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, STATUS_CODES, Sandbox
from importer.sandbox.driver import Driver
from importer.sandbox.state import MissionRecord

DATE = "03/12/2026 07:30"
Factory = Callable[..., Sandbox]
LIFE = ["SENT", "ACCEPTED", "IN_PROGRESS", "DONE"]


class Ocean:
    """A signed-in client of one sandbox, speaking the documented way."""

    def __init__(self, sb: Sandbox) -> None:
        self.sb = sb
        self.http = requests.Session()
        answer = self.http.post(
            f"{sb.url}/restapi/auth/authenticate2",
            json={"login": DEMO_LOGIN, "password": DEMO_PASSWORD},
            timeout=5,
        )
        self.http.headers["X-AUTH-TOKEN"] = answer.json()["token"]

    def send(self, call: str, id_mission: str, **params: str) -> None:
        answer = self.http.post(
            f"{self.sb.url}/restapi/geomission/{call}",
            data={"idMission": id_mission, **params},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text

    def create(self, id_mission: str, **params: str) -> None:
        self.send("ajoutMission", id_mission, **{"jourHeureInter": DATE, **params})

    def status(self, id_mission: str) -> dict[str, str]:
        answer = self.http.get(
            f"{self.sb.url}/restapi/geomission/statutMission",
            params={"idMission": id_mission},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def follow(
        self, id_mission: str, until: set[str], timeout: float = 10
    ) -> list[tuple[str, float]]:
        """Poll statutMission; return each new status code with when it was first seen."""
        start = time.monotonic()
        seen: list[tuple[str, float]] = []
        while time.monotonic() - start < timeout:
            code = self.status(id_mission)["statusCode"]
            if not seen or seen[-1][0] != code:
                seen.append((code, time.monotonic() - start))
            if code in until:
                return seen
            time.sleep(0.02)
        raise AssertionError(f"{id_mission} never reached {until}: {seen}")


def codes(seen: list[tuple[str, float]]) -> list[str]:
    return [code for code, _ in seen]


# --- the timeline -----------------------------------------------------------------------------


def test_a_sent_mission_moves_through_the_statuses_over_time(sandbox_factory: Factory) -> None:
    step = 0.5
    sb = sandbox_factory(status_step_seconds=step, refusal_rate=0.0, seed=4)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true", nomVeh="VL 12")
    ocean.create("P1", aEnvoyer="false")

    first = ocean.status("M1")
    assert first["statusCode"] == "SENT" and first["status"] == "Envoyée"
    assert first["time"] == DATE and first["complement"] == "Envoyée à VL 12"
    assert first["commentRefuseReason"] == ""
    seen = ocean.follow("M1", {"DONE"})
    assert codes(seen) == LIFE
    # each step lasts about step seconds (0.75 to 1.25 of it; the polling blurs it a little)
    moments = [moment for _, moment in seen]
    for before, after in itertools.pairwise(moments):
        assert 0.5 * step <= after - before <= 1.5 * step + 0.25, moments
    done = ocean.status("M1")
    assert done["status"] == "Terminée" and done["time"] == DATE
    assert ocean.status("P1")["statusCode"] == "PREPARED"  # not to be sent: stays prepared


def test_a_refusal_is_a_step_of_the_timeline_with_a_reason(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(status_step_seconds=0.2, refusal_rate=1.0, seed=4)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true", nomVeh="VL 12")
    seen = ocean.follow("M1", {"REFUSED"})
    assert codes(seen) == ["SENT", "REFUSED"]
    refused = ocean.status("M1")
    assert refused["status"] == "Refusée" and refused["commentRefuseReason"]
    time.sleep(0.5)  # a refusal ends the attempt: it stays refused
    assert ocean.status("M1") == refused


def test_step_seconds_zero_answers_at_once(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(status_step_seconds=0, refusal_rate=0.0)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true")
    assert ocean.status("M1")["statusCode"] == "DONE"


def test_about_one_in_five_is_refused_with_a_reason_the_same_for_the_same_seed(
    sandbox_factory: Factory,
) -> None:
    def run(seed: int) -> list[dict[str, str]]:
        sb = sandbox_factory(status_step_seconds=0, seed=seed)
        ocean = Ocean(sb)
        for n in range(200):
            ocean.create(f"M{n}", aEnvoyer="true", nomVeh="VL 1")
        return [ocean.status(f"M{n}") for n in range(200)]

    first, again, other = run(7), run(7), run(8)
    assert first == again
    refused = [s for s in first if s["statusCode"] == "REFUSED"]
    assert 25 <= len(refused) <= 55  # about one in five of 200
    assert all(s["commentRefuseReason"] and s["status"] == "Refusée" for s in refused)
    assert len({s["commentRefuseReason"] for s in refused}) == 3  # the reasons vary
    assert all(s["commentRefuseReason"] == "" for s in first if s["statusCode"] == "DONE")
    assert {s["statusCode"] for s in first} == {"DONE", "REFUSED"}
    assert [s["statusCode"] for s in other] != [s["statusCode"] for s in first]


def test_the_same_seed_gives_the_same_timings() -> None:
    record = MissionRecord(100, "M1", {"aEnvoyer": "true"}, "OC-000001", created_at=0.0)
    record.sent_at, record.attempt = 1000.0, 1

    def timeline(driver: Driver) -> list[str]:
        return [driver.status(record, 1000.0 + tenth / 10).code for tenth in range(50)]

    same = timeline(Driver(seed=3, step_seconds=1, refusal_rate=0.0))
    assert same == timeline(Driver(seed=3, step_seconds=1, refusal_rate=0.0))
    assert same[0] == "SENT" and same[-1] == "DONE"
    assert [c for i, c in enumerate(same) if i == 0 or same[i - 1] != c] == LIFE
    durations = {
        tuple(Driver(seed=seed, step_seconds=1).step_duration(record, 1, s) for s in range(3))
        for seed in range(5)
    }
    assert len(durations) == 5  # each seed its own timings
    assert all(0.75 <= d <= 1.25 for steps in durations for d in steps)


# --- a re-plan ----------------------------------------------------------------------------------


def test_modifying_a_refused_mission_sends_it_again_and_it_is_accepted(
    sandbox_factory: Factory,
) -> None:
    sb = sandbox_factory(status_step_seconds=0.2, refusal_rate=1.0, seed=5)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true", nomVeh="VL 12")
    ocean.follow("M1", {"REFUSED"})

    ocean.send("modifierMission", "M1", nomVeh="VL 14")
    again = ocean.status("M1")
    assert again["statusCode"] == "SENT" and again["commentRefuseReason"] == ""
    assert again["complement"] == "Envoyée de nouveau à VL 14 (2e envoi)"
    # refused at most once by default: the second sending goes the whole way
    assert codes(ocean.follow("M1", {"DONE", "REFUSED"})) == LIFE
    (row,) = sb.missions()
    assert (row["attempt"], row["refusals"], row["modifies"]) == (2, 1, 1)
    assert row["params"]["nomVeh"] == "VL 14"


def test_a_re_plan_can_be_refused_again_when_configured(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(status_step_seconds=0, refusal_rate=1.0, max_refusals=None)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true")
    for attempt in range(1, 4):
        assert ocean.status("M1")["statusCode"] == "REFUSED"
        ocean.send("modifierMission", "M1", commentaire=f"try {attempt}")
    assert sb.missions()[0]["attempt"] == 4


def test_whether_a_re_plan_is_refused_depends_on_the_seed_and_the_attempt(
    sandbox_factory: Factory,
) -> None:
    def replan(seed: int) -> list[str]:
        sb = sandbox_factory(status_step_seconds=0, seed=seed, max_refusals=None)
        ocean = Ocean(sb)
        answers = []
        for n in range(40):
            ocean.create(f"M{n}", aEnvoyer="true")
            if ocean.status(f"M{n}")["statusCode"] == "REFUSED":
                ocean.send("modifierMission", f"M{n}", nomVeh="VL 2")
                answers.append(ocean.status(f"M{n}")["statusCode"])
        return answers

    assert replan(9) == replan(9)
    assert "DONE" in replan(9)


def test_which_modifications_send_a_mission_to_a_driver_again(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(status_step_seconds=3600, refusal_rate=0.0)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true", nomVeh="VL 1")
    ocean.create("M2", aEnvoyer="false")

    def attempts() -> dict[str, int]:
        return {row["idMission"]: row["attempt"] for row in sb.missions()}

    ocean.send("modifierMission", "M1", commentaire="gate code 1234")
    assert attempts() == {"M1": 1, "M2": 0}  # a comment: the same sending goes on
    ocean.send("modifierMission", "M1", nomVeh="VL 2")
    ocean.send("modifierMission", "M1", jourHeureInter="04/12/2026 08:00")
    assert attempts() == {"M1": 3, "M2": 0}  # another vehicle, another time: sent again
    ocean.send("modifierMission", "M1", aEnvoyer="false")
    assert ocean.status("M1")["statusCode"] == "PREPARED"
    ocean.send("modifierMission", "M2", aEnvoyer="true")
    assert ocean.status("M2")["statusCode"] == "SENT"
    assert attempts() == {"M1": 3, "M2": 1}


def test_a_done_mission_is_not_sent_again(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(status_step_seconds=0, refusal_rate=0.0)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true", nomVeh="VL 1")
    ocean.send("modifierMission", "M1", nomVeh="VL 2")
    assert ocean.status("M1")["statusCode"] == "DONE"
    assert sb.missions()[0]["attempt"] == 1


def test_a_refused_mission_deleted_then_created_again_is_accepted(
    sandbox_factory: Factory,
) -> None:
    sb = sandbox_factory(status_step_seconds=0, refusal_rate=1.0)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true")
    assert ocean.status("M1")["statusCode"] == "REFUSED"
    ocean.send("supprimerMission", "M1")
    ocean.create("M1", aEnvoyer="true")
    assert ocean.status("M1")["statusCode"] == "DONE"
    (row,) = sb.missions()
    assert (row["attempt"], row["refusals"], row["creates"]) == (2, 1, 2)


def test_a_refused_mission_held_back_then_sent_again_is_accepted(
    sandbox_factory: Factory,
) -> None:
    sb = sandbox_factory(status_step_seconds=0, refusal_rate=1.0)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true")
    assert ocean.status("M1")["statusCode"] == "REFUSED"
    ocean.send("modifierMission", "M1", aEnvoyer="false")
    assert ocean.status("M1")["statusCode"] == "PREPARED"
    ocean.send("modifierMission", "M1", aEnvoyer="true")
    assert ocean.status("M1")["statusCode"] == "DONE"


# --- what the page and the JSON show --------------------------------------------------------------


def test_the_json_and_the_page_show_each_missions_status(sandbox_factory: Factory) -> None:
    sb = sandbox_factory(status_step_seconds=0, refusal_rate=1.0)
    ocean = Ocean(sb)
    ocean.create("M1", aEnvoyer="true", nomVeh="VL 1")
    ocean.create("M2", aEnvoyer="false")
    ocean.create("M3", aEnvoyer="true")
    ocean.send("supprimerMission", "M3")
    missions = requests.get(sb.url + "/sandbox/missions", timeout=5).json()["missions"]
    by_id = {m["idMission"]: m for m in missions}
    reason = ocean.status("M1")["commentRefuseReason"]
    assert by_id["M1"]["status"] == "REFUSED" and by_id["M1"]["statutMission"] == ocean.status("M1")
    assert by_id["M2"]["status"] == "PREPARED" and by_id["M2"]["attempt"] == 0
    assert by_id["M3"]["status"] is None and by_id["M3"]["statutMission"] is None

    french = requests.get(sb.url + "/?lang=fr", timeout=5).text
    assert f'<td class="REFUSED">Refusée ({reason})</td>' in french
    assert '<td class="PREPARED">Préparée</td>' in french
    english = requests.get(sb.url + "/?lang=en", timeout=5).text
    assert f'<td class="REFUSED">Refused ({reason})</td>' in english
    assert "Sent to a driver" in english


def test_attempts_survive_a_restart_with_a_state_file(tmp_path: Path) -> None:
    state = tmp_path / "rehearsal.sqlite3"
    with Sandbox(state_path=state, status_step_seconds=0, refusal_rate=1.0) as first:
        ocean = Ocean(first)
        ocean.create("M1", aEnvoyer="true")
        ocean.send("modifierMission", "M1", nomVeh="VL 2")
    with Sandbox(state_path=state, status_step_seconds=0, refusal_rate=1.0) as second:
        (row,) = second.missions()
        assert (row["attempt"], row["refusals"], row["status"]) == (2, 1, "DONE")


def test_a_state_file_from_before_attempts_counts_one_sending(tmp_path: Path) -> None:
    state = tmp_path / "old.sqlite3"
    with Sandbox(state_path=state, status_step_seconds=0, refusal_rate=1.0) as first:
        Ocean(first).create("M1", aEnvoyer="true")
    with sqlite3.connect(state) as db:  # as an older sandbox wrote it: no attempt, no refusals
        (text,) = db.execute("SELECT record FROM sandbox_missions").fetchone()
        old = {k: v for k, v in json.loads(text).items() if k not in ("attempt", "refusals")}
        db.execute("UPDATE sandbox_missions SET record = ?", (json.dumps(old),))
    db.close()
    with Sandbox(state_path=state, status_step_seconds=0, refusal_rate=1.0) as second:
        ocean = Ocean(second)
        assert ocean.status("M1")["statusCode"] == "REFUSED"
        ocean.send("modifierMission", "M1", nomVeh="VL 2")
        assert ocean.status("M1")["complement"] == "Envoyée de nouveau à VL 2 (2e envoi)"
        assert ocean.status("M1")["statusCode"] == "DONE"


def test_the_driver_refuses_bad_knobs() -> None:
    for bad in ({"step_seconds": -1}, {"refusal_rate": 1.5}, {"max_refusals": -1}):
        with pytest.raises(ValueError):
            Driver(**bad)  # type: ignore[arg-type]


def test_the_status_codes_are_the_drivers() -> None:
    assert set(LIFE) | {"PREPARED", "REFUSED"} == set(STATUS_CODES)


# --- the command ----------------------------------------------------------------------------------


def test_the_sandbox_command_takes_step_seconds_and_seed(tmp_path: Path) -> None:
    env: dict[str, Any] = {**os.environ, "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "importer", "--lang", "en", "sandbox", "--port", "0"]
    options = ["--step-seconds", "0.2", "--seed", "3", "--refusal-rate", "1"]
    process = subprocess.Popen(
        [*command, *options], stdout=subprocess.PIPE, text=True, cwd=tmp_path, env=env
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        url = first.split(" listening on ", 1)[1].strip()
        sb = _Running(url)
        ocean = Ocean(sb)  # type: ignore[arg-type]
        ocean.create("M1", aEnvoyer="true")
        assert codes(ocean.follow("M1", {"REFUSED"})) == ["SENT", "REFUSED"]
        ocean.send("modifierMission", "M1", nomVeh="VL 2")
        assert codes(ocean.follow("M1", {"DONE"})) == LIFE
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


class _Running:
    """What :class:`Ocean` needs of a sandbox running in another process: its URL."""

    def __init__(self, url: str) -> None:
        self.url = url
