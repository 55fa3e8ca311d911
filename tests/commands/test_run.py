"""The run API: events from the worker threads, the dry run as the same run with sending
off, cancel, and the one factory of the run's options. Real sandboxes, real journals."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

import pytest
from helpers import mission

from importer.commands.run import (
    OceanClient,
    Run,
    RunRequest,
    customer_text,
    run_options,
)
from importer.model import (
    Action,
    Outcome,
    RowDone,
    RowStarted,
    RunFinished,
    RunProgress,
    ValidatedRow,
)
from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD
from importer.send.journal.ledger import Journal
from importer.settings.load import Settings

FAST = {"backoff_base": 0.005, "backoff_cap": 0.02, "connect_timeout": 2.0, "read_timeout": 2.0}


def rows(ids: list[str]) -> list[ValidatedRow]:
    return [ValidatedRow(row=n + 2, action=None, params=mission(i)) for n, i in enumerate(ids)]


@pytest.fixture
def journal(tmp_path: Path):
    with Journal(tmp_path / "journal.sqlite3") as opened:
        yield opened


class Recorder:
    """A subscriber that checks it is called one event at a time."""

    def __init__(self) -> None:
        self.events: list[object] = []
        self.inside = threading.Lock()
        self.overlaps = 0

    def __call__(self, event: object) -> None:
        if not self.inside.acquire(blocking=False):
            self.overlaps += 1
            return
        try:
            self.events.append(event)
        finally:
            self.inside.release()


def request(sb, client, journal, ids, index=None, **options) -> RunRequest:
    settings = Settings(api_url=sb.url, workers=4)
    chosen = run_options(settings, customer=None, account=DEMO_LOGIN, **options)
    batch = rows(ids)
    return RunRequest(batch, index or range(len(batch)), client, journal, sb.url, chosen)


def test_a_run_tells_each_row_its_progress_and_its_end(sandbox_factory, journal):
    sb = sandbox_factory(latency_ms=5)
    ids = [f"E-{n}" for n in range(12)]
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        client.authenticate()
        recorder = Recorder()
        ticks = iter(range(100))
        run = Run(request(sb, client, journal, ids, [1, 3, 5, 7, 9, 11]), [recorder],
                  clock=lambda: float(next(ticks)))  # fmt: skip
        ended = run.execute()
    assert recorder.overlaps == 0
    started = [e for e in recorder.events if isinstance(e, RowStarted)]
    done = [e for e in recorder.events if isinstance(e, RowDone)]
    progress = [e for e in recorder.events if isinstance(e, RunProgress)]
    assert sorted(e.index for e in started) == sorted(e.index for e in done) == [1, 3, 5, 7, 9, 11]
    assert {e.row for e in started} == {3, 5, 7, 9, 11, 13}
    assert [p.done for p in progress] == [1, 2, 3, 4, 5, 6]
    assert progress[-1] == RunProgress(6, 6, 0, 1.0, 0.0, 6.0)  # a row a tick
    assert isinstance(recorder.events[-1], RunFinished)
    assert recorder.events[-1].counts == {"created": 6}
    assert [o.outcome for o in ended.outcomes] == [Outcome.CREATED] * 6
    assert sorted(m["idMission"] for m in sb.missions()) == [
        "E-1",
        "E-11",
        "E-3",
        "E-5",
        "E-7",
        "E-9",
    ]


def test_the_dry_run_is_the_same_run_with_sending_off(sandbox_factory, journal):
    sb = sandbox_factory()
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        client.authenticate()
        assert client.create(mission("D-1")).ok
        recorder = Recorder()
        ended = Run(
            request(sb, client, journal, ["D-1", "D-2"], dry_run=True), [recorder]
        ).execute()
    assert [o.action for o in ended.outcomes] == ["modifierMission", "ajoutMission"]
    assert {o.outcome for o in ended.outcomes} == {Outcome.VALID}
    assert [m["idMission"] for m in sb.missions()] == ["D-1"]  # nothing sent
    assert Counter(type(e).__name__ for e in recorder.events)["RowDone"] == 2


def test_a_cancelled_run_sends_nothing_more_and_says_why(sandbox_factory, journal):
    sb = sandbox_factory()
    with OceanClient(sb.url, DEMO_LOGIN, DEMO_PASSWORD, **FAST) as client:
        client.authenticate()
        run = Run(request(sb, client, journal, ["C-1", "C-2", "C-3"]))
        run.cancel()  # before it starts: as the page's cancel button can be
        ended = run.execute()
    assert ended.stats.interrupted
    assert [o.outcome for o in ended.outcomes] == [Outcome.NOT_SENT] * 3
    assert all(o.message for o in ended.outcomes)
    assert sb.missions() == []


def test_the_options_come_from_the_settings_the_customer_and_the_account():
    settings = Settings(workers=3, claim_wait=7.5, mode="create")
    options = run_options(settings, customer=None, account=None, source="week.xlsx")
    assert (options.mode, options.workers, options.claim_wait) == (Action.CREATE, 3, 7.5)
    assert (options.default_customer_id, options.account, options.source) == (None, "", "week.xlsx")
    assert (
        run_options(settings, customer=101, account="a", mode=Action.DELETE).mode is Action.DELETE
    )
    assert (customer_text(None), customer_text(101)) == ("", "101")
