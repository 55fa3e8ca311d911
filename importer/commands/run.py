"""The run API: the one door to sending, for every front end.

Validated rows and :class:`RunOptions` go in (:func:`run_options` builds them from the
settings, the run's customer and account: the one place they are made); the engine runs
them; events come out to the subscribers, one at a time (delivered under the run's lock,
from the worker threads): :class:`RowStarted`, :class:`RowDone` with the row's outcome,
:class:`RunProgress` with the rate and time left (computed here, once), and
:class:`RunFinished` with the counts. The terminal bar (:class:`report.progress.Progress`),
the page's live stream, ``watch``, ``--json`` and the audit log render them or the
:class:`RunResult` they end with. The dry run (``import --dry-run``, the page's preview)
is the same run with ``dry_run`` on; ``status`` is the same run with its own
:class:`RowAction`; ``delete`` is the run in ``delete`` mode.

The command line, ``watch`` and the page import sending from here, never from
``importer.send``: what they need of it (the client, the journal, :class:`SignInNeeded`,
the customer key rule) is re-exported below.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from importer.commands.connect import call_counts, open_client, open_journal
from importer.commands.job import validation_outcome
from importer.errors import SignInNeeded
from importer.messages import t
from importer.model import (
    Action,
    Outcome,
    RowDone,
    RowOutcome,
    RowStarted,
    RunEvent,
    RunFinished,
    RunProgress,
    ValidatedRow,
)
from importer.report.progress import Progress
from importer.send.client import OceanClient
from importer.send.engine import BatchRunner, RowAction, RunOptions, RunStats
from importer.send.journal.keys import customer_text, normalise_url
from importer.send.journal.ledger import Journal

if TYPE_CHECKING:
    from importer.environment import Environment
    from importer.report.command_result import CommandResult
    from importer.settings.load import Settings

__all__ = [
    "BatchRunner",
    "Journal",
    "OceanClient",
    "RowAction",
    "RowDone",
    "RowStarted",
    "Run",
    "RunEvent",
    "RunFinished",
    "RunProgress",
    "RunRequest",
    "RunResult",
    "SignInNeeded",
    "Subscriber",
    "customer_text",
    "normalise_url",
    "run_batch",
    "run_options",
    "run_rows",
]

Subscriber = Callable[[RunEvent], None]


def run_options(
    settings: Settings,
    *,
    customer: int | None,
    account: str | None,
    source: str = "",
    dry_run: bool = False,
    force: bool = False,
    mode: Action | None = None,
) -> RunOptions:
    """A run's options from the settings, its customer (``None``: none) and its account
    (the Ocean login); ``mode`` defaults to the settings' ``mode``."""
    return RunOptions(
        mode=mode or Action(settings.mode),
        dry_run=dry_run,
        force=force,
        workers=settings.workers,
        default_customer_id=customer,
        claim_wait=settings.claim_wait,
        account=account or "",
        source=source,
    )


@dataclass(frozen=True)
class RunRequest:
    """What a run sends: ``rows`` (validated), the positions ``index`` of those to run, the
    client (its customer fixed), the journal (None for a lookup-only action), the API and
    the options; ``action``: what is done with each row (the engine plans and sends)."""

    rows: Sequence[ValidatedRow]
    index: Sequence[int]
    client: OceanClient
    journal: Journal | None
    api_url: str
    options: RunOptions
    action: RowAction | None = None


@dataclass
class RunResult:
    """How a run ended: one outcome per position of the request's ``index`` (a row never
    sent is ``not_sent`` with why), the engine's counters, the calls made, its notes."""

    index: list[int]
    outcomes: list[RowOutcome]
    stats: RunStats
    calls: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def into(self, result: CommandResult) -> None:
        """Put this run's outcomes, counters and notes into a command's result."""
        for i, outcome in zip(self.index, self.outcomes, strict=True):
            result.outcomes[i] = outcome
        result.interrupted = self.stats.interrupted
        result.api_lost = self.stats.api_lost
        result.calls = self.calls
        result.sending_seconds = self.stats.elapsed
        result.notes.extend(self.notes)


class Run:
    """One run of a :class:`RunRequest`: subscribe, then :meth:`execute` (in the thread that
    should see Ctrl-C); :meth:`cancel` from any thread."""

    def __init__(
        self,
        request: RunRequest,
        subscribers: Iterable[Subscriber] = (),
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.request = request
        self._subscribers = list(subscribers)
        self._clock = clock
        self._lock = threading.Lock()
        self._cancelled = False
        self._runner: BatchRunner | None = None
        self._done = self._failures = 0
        self._started = 0.0

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.append(subscriber)

    def _publish(self, event: RunEvent) -> None:  # called with the lock held
        for subscriber in self._subscribers:
            subscriber(event)

    @property
    def waiting(self) -> int:
        """Rows waiting now for a mission another live run holds."""
        runner = self._runner
        return runner.waiting if runner is not None else 0

    @property
    def journal_run(self) -> str | None:
        """This run's id in the journal (its attempts carry it), registered if need be; ask
        it while the rows are sent (from a row's event). None without a journal or before."""
        runner = self._runner
        if runner is None or runner.journal is None or self.request.options.dry_run:
            return None
        return runner.run_id

    def cancel(self) -> None:
        """Stop handing out rows (as Ctrl-C does): the calls in flight finish."""
        with self._lock:
            self._cancelled = True
            if self._runner is not None:
                self._runner.stop()

    def execute(self) -> RunResult:
        """Run the rows; the outcomes, once all workers are done."""
        request = self.request
        runner = BatchRunner(
            request.client, request.journal, request.api_url, request.options, request.action
        )
        with self._lock:
            self._runner = runner
            if self._cancelled:
                runner.stop()
        rows = [request.rows[i] for i in request.index]
        self._started = self._clock()
        outcomes: list[RowOutcome | None] = [None] * len(rows)
        try:
            settles = request.action is None and not request.options.dry_run
            if settles and request.journal is not None:  # what killed runs left in flight
                runner.reconcile_in_flight()
            outcomes = runner.run(rows, on_done=self._row_done, on_start=self._row_started)
        finally:
            result = self._result(runner, outcomes)
            counts = Counter(o.outcome.value for o in result.outcomes)
            with self._lock:
                self._publish(RunFinished(counts, runner.stats.interrupted, runner.stats.elapsed))
        return result

    def _row_started(self, i: int) -> None:
        index = self.request.index[i]
        with self._lock:
            self._publish(RowStarted(index, self.request.rows[index].row))

    def _row_done(self, i: int, outcome: RowOutcome) -> None:
        with self._lock:
            self._done += 1
            self._failures += outcome.outcome is Outcome.FAILED
            elapsed = self._clock() - self._started
            self._publish(RowDone(self.request.index[i], outcome))
            total = len(self.request.index)
            self._publish(RunProgress.at(self._done, total, self._failures, elapsed))

    def _result(self, runner: BatchRunner, outcomes: Sequence[RowOutcome | None]) -> RunResult:
        stats = runner.stats
        finals = []
        for i, outcome in zip(self.request.index, outcomes, strict=True):
            if outcome is None:
                outcome = validation_outcome(self.request.rows[i])
                outcome.outcome = Outcome.NOT_SENT
                outcome.message = runner.stop_reason()
            finals.append(outcome)
        notes = [t("engine.api_lost", reason=stats.api_lost)] if stats.api_lost else []
        notes += [note for note in (stats.signed_out, stats.lapsed) if note]
        calls = call_counts(self.request.client)
        return RunResult(list(self.request.index), finals, stats, calls, notes)


def run_batch(
    rows: Sequence[ValidatedRow],
    index: Sequence[int],
    settings: Settings,
    options: RunOptions,
    *,
    client: OceanClient | None = None,
    journal: Journal | None = None,
    action: RowAction | None = None,
    env: Environment | None = None,
    show_progress: bool = True,
    subscribers: Iterable[Subscriber] = (),
    on_run: Callable[[Run], None] | None = None,
) -> RunResult:
    """Run ``rows[index]``; how it ended.

    The client and the journal are opened from the settings for this run when not given
    (a run with an ``action`` of its own, such as ``status``, opens no journal). The bar
    is drawn on ``env``'s stderr when ``show_progress`` and an ``env`` are given (its clock
    times the run); ``on_run`` is given the run before it starts (the page's cancel button).
    """
    with (
        contextlib.nullcontext(client) if client else open_client(settings) as client,
        contextlib.nullcontext(journal)
        if journal or action is not None
        else open_journal(settings) as journal,
    ):
        request = RunRequest(rows, index, client, journal, settings.api_url, options, action)
        clock = env.monotonic if env is not None else time.monotonic
        run = Run(request, subscribers, clock=clock)
        if env is not None and show_progress:
            run.subscribe(Progress(env))
        if on_run is not None:
            on_run(run)
        return run.execute()


def run_rows(
    result: CommandResult,
    rows: Sequence[ValidatedRow],
    index: Sequence[int],
    settings: Settings,
    options: RunOptions,
    **how: Any,
) -> RunResult:
    """:func:`run_batch`, its outcomes put into ``result`` (``how``: its keywords)."""
    ended = run_batch(rows, index, settings, options, **how)
    ended.into(result)
    return ended
