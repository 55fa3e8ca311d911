"""The engine with a run's own customer and client, a token Ocean ends, and bounded waits:
real sandboxes on loopback, real journals."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from helpers import mission

from importer.model import Action, Outcome, ValidatedRow
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, MULTI_LOGIN, MULTI_PASSWORD, Sandbox
from importer.send.client import OceanClient
from importer.send.engine import BatchRunner, RunOptions
from importer.send.journal.ledger import Journal

FAST = {"backoff_base": 0.005, "backoff_cap": 0.02, "connect_timeout": 2.0, "read_timeout": 2.0}


def rows(ids: list[str]) -> list[ValidatedRow]:
    return [ValidatedRow(row=n + 2, action=None, params=mission(i)) for n, i in enumerate(ids)]


def creates(sb: Sandbox, customer: int | None = None) -> dict[str, int]:
    """idMission -> how many creates the sandbox took (for one customer if given)."""
    return {
        m["idMission"]: m["creates"]
        for m in sb.missions()
        if customer is None or m["customerId"] == customer
    }


@pytest.fixture
def journal(tmp_path: Path):
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


def test_a_client_view_keeps_its_own_customer_and_shares_the_token(sandbox_factory):
    sb = sandbox_factory()
    with OceanClient(sb.url, MULTI_LOGIN, MULTI_PASSWORD, 101, **FAST) as client:
        client.authenticate()
        other = client.for_customer(102)
        with pytest.raises(AttributeError):
            client.customer_id = 102  # type: ignore[misc]  # fixed when made
        assert (client.customer_id, other.customer_id) == (101, 102)
        assert client.for_customer(101) is client
        assert client.create(mission("A-1")).ok
        assert other.create(mission("B-1")).ok
        assert client.modify(mission("B-1", ville="Nice"), customer_id=102).ok  # explicit
    assert creates(sb, 101) == {"A-1": 1}
    assert creates(sb, 102) == {"B-1": 1}
    assert [m["modifies"] for m in sb.missions() if m["idMission"] == "B-1"] == [1]
    assert sb.counters()["tokens_issued"] == 1  # one token for both customers
    assert other.stats is client.stats  # one count of the calls


def test_the_engine_sends_each_row_as_the_customer_its_journal_key_names(sandbox_factory, journal):
    sb = sandbox_factory()
    # The client's own customer is 102; the run's is 101: every call names 101.
    with OceanClient(sb.url, MULTI_LOGIN, MULTI_PASSWORD, 102, **FAST) as client:
        client.authenticate()
        options = RunOptions(Action.UPSERT, workers=4, default_customer_id=101)
        outcomes = BatchRunner(client, journal, sb.url, options).run(rows(["K-1", "K-2", "K-3"]))
    assert [o.outcome for o in outcomes if o] == [Outcome.CREATED] * 3
    assert creates(sb, 101) == {"K-1": 1, "K-2": 1, "K-3": 1}
    assert creates(sb, 102) == {}
    for id_mission in ("K-1", "K-2", "K-3"):
        entry = journal.get(sb.url, "101", id_mission)
        assert entry is not None and entry.present
        assert journal.get(sb.url, "102", id_mission) is None


def test_a_token_ocean_ends_stops_the_run_without_a_sign_in_and_the_rest_lands_once(
    sandbox_factory, journal
):
    sb = sandbox_factory(token_max_calls=15)
    ids = [f"T-{n}" for n in range(30)]
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as page_client:
        page_client.authenticate()
        page_client.forget_password()  # as the page does at sign-in
        runner = BatchRunner(page_client, journal, sb.url, RunOptions(Action.UPSERT, workers=4))
        outcomes = runner.run(rows(ids))
        assert page_client.signed_out
    assert sb.counters()["calls"]["authenticate2"] == 1  # never again without the password
    assert runner.stats.signed_out and "sign in again" in runner.stats.signed_out
    done = [o for o in outcomes if o is not None]
    assert {o.outcome for o in done} <= {Outcome.CREATED, Outcome.NOT_SENT}
    assert any(o.outcome is Outcome.NOT_SENT for o in done)
    assert len(creates(sb)) < len(ids)

    sb.set_token_max_calls(None)
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as again:  # signed in again
        again.authenticate()
        runner = BatchRunner(again, journal, sb.url, RunOptions(Action.UPSERT, workers=4))
        runner.reconcile_in_flight()
        second = runner.run(rows(ids))
    assert {o.outcome for o in second if o} <= {Outcome.CREATED, Outcome.UNCHANGED}
    assert creates(sb) == dict.fromkeys(ids, 1)  # every mission, once


def test_with_the_password_a_token_ocean_ends_is_renewed(sandbox_factory, journal):
    sb = sandbox_factory(token_max_calls=15)
    ids = [f"P-{n}" for n in range(30)]
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:  # the command line
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT, workers=4))
        outcomes = runner.run(rows(ids))
        assert not client.signed_out
    assert [o.outcome for o in outcomes if o] == [Outcome.CREATED] * len(ids)
    assert sb.counters()["calls"]["authenticate2"] > 1
    assert runner.stats.signed_out is None


def _hold(journal: Journal, url: str, id_mission: str) -> str:
    """Another live run holding ``id_mission``: its id."""
    holder = journal.start_run()
    assert journal.claim(holder, url, "", id_mission)
    return holder


def test_a_row_waits_for_a_busy_mission_at_most_claim_wait(sandbox_factory, journal):
    sb = sandbox_factory()
    _hold(journal, sb.url, "W-1")
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        options = RunOptions(Action.UPSERT, workers=2, claim_wait=0.4)
        started = time.monotonic()
        busy, free = BatchRunner(client, journal, sb.url, options).run(rows(["W-1", "W-2"]))
        elapsed = time.monotonic() - started
    assert 0.4 <= elapsed < 5
    assert busy is not None and busy.outcome is Outcome.NOT_SENT
    assert "another run on the same journal" in busy.message
    assert free is not None and free.outcome is Outcome.CREATED
    assert creates(sb) == {"W-2": 1}


def test_a_stop_ends_the_wait_for_a_busy_mission(sandbox_factory, journal):
    sb = sandbox_factory()
    _hold(journal, sb.url, "S-1")
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        runner = BatchRunner(client, journal, sb.url, RunOptions(claim_wait=60.0))
        result: list = []
        thread = threading.Thread(target=lambda: result.extend(runner.run(rows(["S-1"]))))
        thread.start()
        deadline = time.monotonic() + 10
        while not runner.waiting and time.monotonic() < deadline:
            time.sleep(0.02)
        assert runner.waiting == 1
        stopped = time.monotonic()
        runner.stop()
        thread.join(timeout=10)
        assert time.monotonic() - stopped < 2  # not the 60 s of claim_wait
    (outcome,) = result
    assert outcome.outcome is Outcome.NOT_SENT
    assert outcome.message == "not sent: the run was interrupted"
    assert runner.waiting == 0
    assert creates(sb) == {}


# -- planners, slots and the journal read ahead -----------------------------------------------


def test_planners_record_ahead_but_at_most_workers_calls_are_in_flight(sandbox_factory, journal):
    sb = sandbox_factory(latency_ms=30)
    in_flight = peak = 0
    lock = threading.Lock()
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        client.authenticate()
        create = client.create

        def counted(*args, **kwargs):
            nonlocal in_flight, peak
            with lock:
                in_flight += 1
                peak = max(peak, in_flight)
            try:
                return create(*args, **kwargs)
            finally:
                with lock:
                    in_flight -= 1

        client.create = counted  # type: ignore[method-assign]
        threads_seen: set[str] = set()
        options = RunOptions(Action.CREATE, workers=8)
        runner = BatchRunner(client, journal, sb.url, options)
        waited = 0  # rows recorded in the journal that found every slot taken
        take_slot = runner._take_slot

        def counted_take_slot() -> bool:
            nonlocal waited
            if runner._slots.acquire(blocking=False):
                return True
            with lock:
                waited += 1
            return take_slot()

        runner._take_slot = counted_take_slot  # type: ignore[method-assign]
        outcomes = runner.run(
            rows([f"S-{n}" for n in range(120)]),
            on_start=lambda i: threads_seen.add(threading.current_thread().name),
        )
    assert [o.outcome for o in outcomes if o] == [Outcome.CREATED] * 120
    assert set(creates(sb).values()) == {1} and len(creates(sb)) == 120
    assert peak == 8  # the slots: never more calls than workers, all of them used
    assert waited >= 1  # a row recorded while 8 calls were in flight: planned ahead
    assert len(threads_seen) == 10  # 8 workers + 2 planners (one per four workers)


def test_a_row_read_ahead_as_unchanged_is_read_again_before_it_is_skipped(sandbox_factory, journal):
    sb = sandbox_factory()
    batch = rows(["R-1"])
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        client.authenticate()
        first = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT, workers=1))
        assert first.run(batch)[0].outcome is Outcome.CREATED
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT, workers=1))
        runner._read_ahead(batch, 0)  # as the run does before its workers start
        assert runner._ahead[("", "R-1")] is not None  # read ahead: present, same content
        # Meanwhile another run leaves other content in Ocean (the journal says so).
        journal.record_mission(sb.url, "", "R-1", present=True, params_hash="other")
        outcome = runner.process(batch[0])
    assert outcome.outcome is Outcome.MODIFIED  # not "unchanged" from the stale read
    assert [m["modifies"] for m in sb.missions()] == [1]


def test_a_row_read_ahead_as_absent_but_created_meanwhile_is_planned_again(
    sandbox_factory, journal
):
    sb = sandbox_factory()
    batch = rows(["R-2"])
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        client.authenticate()
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT, workers=1))
        runner._read_ahead(batch, 0)
        assert runner._ahead == {("", "R-2"): None}  # never seen
        # Another run creates it with the same content before this row's turn.
        other = BatchRunner(client, journal, sb.url, RunOptions(Action.UPSERT, workers=1))
        assert other.run(batch)[0].outcome is Outcome.CREATED
        outcome = runner.process(batch[0])
        runner.run([])  # ends the run (its claims and journal run)
    assert outcome.outcome is Outcome.UNCHANGED  # begin saw the change: planned again
    assert creates(sb) == {"R-2": 1}


def test_a_stop_while_waiting_for_a_slot_sends_nothing_and_leaves_nothing_in_flight(
    sandbox_factory, journal
):
    sb = sandbox_factory()
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        client.authenticate()
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.CREATE, workers=2))
        for _ in range(2):  # both slots taken: calls in flight elsewhere
            assert runner._slots.acquire(timeout=1)
        timer = threading.Timer(0.3, runner.stop)
        timer.start()
        outcome = runner.process(rows(["W-1"])[0])
        timer.join()
    assert outcome.outcome is Outcome.NOT_SENT
    assert creates(sb) == {}
    journal.flush()
    assert journal.in_flight(sb.url) == []  # its recorded call settled as not applied
    assert journal.stats()["claims"] == 0  # and the mission's claim given up with it
    assert journal.get(sb.url, "", "W-1") is None


def test_a_run_of_no_rows_ends_at_once(sandbox_factory, journal):
    sb = sandbox_factory()
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.CREATE, workers=16))
        started = time.monotonic()
        assert runner.run([]) == []
    assert time.monotonic() - started < 5


def test_a_journal_that_cannot_read_ahead_leaves_each_row_to_read_its_own(
    sandbox_factory, journal, monkeypatch
):
    sb = sandbox_factory()

    def broken(*args, **kwargs):
        raise RuntimeError("the journal could not read ahead")

    monkeypatch.setattr(journal, "read_ahead", broken)
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        runner = BatchRunner(client, journal, sb.url, RunOptions(Action.CREATE, workers=4))
        outcomes = runner.run(rows([f"B-{n}" for n in range(450)]))  # three blocks
    assert [o.outcome for o in outcomes if o] == [Outcome.CREATED] * 450
    assert len(creates(sb)) == 450
