"""Claims taken with the attempt: a run plans from what it read, and records its call only
if no other live run holds the mission and nobody changed it since (importer/send/)."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import live

from importer.model import Action, Outcome, ValidatedRow
from importer.ocean_api import CALL_CREATE, CALL_MODIFY
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox
from importer.send.answers import CallResult
from importer.send.client import OceanClient
from importer.send.engine import BatchRunner, RunOptions
from importer.send.journal.ledger import Journal, MissionBusy, params_hash

URL = "http://127.0.0.1:8080"


@pytest.fixture
def journal(tmp_path: Path):
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def test_begin_claims_the_mission_and_release_gives_it_up(journal: Journal) -> None:
    run = journal.start_run()
    attempt = journal.begin(URL, "", "M1", CALL_CREATE, "h1", run_id=run, expect=None)
    assert journal.stats()["claims"] == 1
    journal.finish(attempt, "applied")
    journal.release(run, URL, "", "M1")
    assert journal.stats() | {"runs": 0} == {
        "missions": 1,
        "present": 1,
        "attempts": 0,
        "runs": 0,
        "claims": 0,
    }


def test_begin_without_expectation_takes_no_claim(journal: Journal) -> None:
    journal.begin(URL, "", "M1", CALL_CREATE, "h1")
    assert journal.stats()["claims"] == 0  # the journal's own use, as before the claims


def test_a_mission_another_live_run_holds_is_busy_and_nothing_is_recorded(
    journal: Journal,
) -> None:
    holder, other = journal.start_run(), journal.start_run()
    assert journal.claim(holder, URL, "", "M1")
    assert journal.get(URL, "", "M1") is None  # a plain look is not refused
    with pytest.raises(MissionBusy):
        journal.get(URL, "", "M1", run_id=other)
    assert journal.get(URL, "", "M1", run_id=holder) is None  # its own claim
    with pytest.raises(MissionBusy):
        journal.begin(URL, "", "M1", CALL_CREATE, "h2", run_id=other, expect=None)
    assert journal.in_flight(URL) == []  # the refused begin left nothing behind
    assert journal.stats()["claims"] == 1
    assert not journal.wait_free(other, URL, "", "M1", until=0.0)
    journal.release(holder, URL, "", "M1")
    journal.flush()
    assert journal.wait_free(other, URL, "", "M1", until=0.0)
    journal.begin(URL, "", "M1", CALL_CREATE, "h2", run_id=other, expect=None)


def test_a_mission_changed_since_it_was_read_is_planned_anew(journal: Journal) -> None:
    first, second = journal.start_run(), journal.start_run()
    read = journal.get(URL, "", "M1", run_id=second)
    assert read is None
    # Meanwhile the first run creates it, and gives it up.
    done = journal.begin(URL, "", "M1", CALL_CREATE, "h1", run_id=first, expect=None)
    journal.finish(done, "applied")
    journal.release(first, URL, "", "M1")
    with pytest.raises(MissionBusy):  # "absent" is no longer true: a create would be wrong
        journal.begin(URL, "", "M1", CALL_CREATE, "h2", run_id=second, expect=read)
    assert journal.stats()["claims"] == 0  # the claim was rolled back with the refusal
    again = journal.get(URL, "", "M1", run_id=second)
    assert again is not None and again.present and again.params_hash == "h1"
    journal.begin(URL, "", "M1", CALL_MODIFY, "h2", run_id=second, expect=again)
    assert [a.call for a in journal.in_flight(URL)] == [CALL_MODIFY]


class CreatedMeanwhile(OceanClient):
    """A real client whose first statutMission answer comes back after another run created
    the mission (through the same journal and the same sandbox)."""

    journal: Journal
    other: dict[str, str]
    journal_url: str

    def status(self, id_mission: str, customer_id: int | str | None = None) -> CallResult:
        answer = super().status(id_mission, customer_id)
        if getattr(self, "done", False):
            return answer
        self.done = True
        run = self.journal.start_run()
        attempt = self.journal.begin(
            self.journal_url,
            "",
            id_mission,
            CALL_CREATE,
            params_hash(self.other),
            run_id=run,
            expect=None,
        )
        assert self.create(self.other).ok
        self.journal.finish(attempt, "applied")
        self.journal.release(run, self.journal_url, "", id_mission)
        self.journal.end_run(run)
        return answer  # 404: true when it was asked, no longer true


def test_the_engine_plans_anew_when_another_run_created_the_mission_meanwhile(
    tmp_path: Path,
) -> None:
    mine = {
        "idMission": "M-1",
        "jourHeureInter": "03/12/2026 07:30",
        "typeMission": "Livraison",
        "nomVeh": "VL-12",
        "ville": "Lyon",
        "aEnvoyer": "false",
    }
    theirs = {**mine, "ville": "Grenoble"}
    with Sandbox() as sb, Journal(tmp_path / "journal.sqlite3") as journal:
        client = CreatedMeanwhile(sb.url, DEMO_LOGIN, DEMO_PASSWORD)
        client.journal, client.other, client.journal_url = journal, theirs, sb.url
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT, workers=1))
        (outcome,) = runner.run([ValidatedRow(row=2, action=None, params=mine)])
        client.close()
        assert outcome is not None
        # statutMission said 404, but a create now would be refused or doubled: the row was
        # planned again from the journal, and modified the mission the other run created.
        assert outcome.outcome is Outcome.MODIFIED, outcome
        assert outcome.action == CALL_MODIFY
        (mission,) = live(sb).values()
        assert mission["params"]["ville"] == "Lyon"  # the latest content: this run's
        assert (mission["creates"], mission["modifies"]) == (1, 1)
        assert sb.counters()["calls"]["ajoutMission"] == 1
        assert journal.stats()["claims"] == 0
