"""Plan and run a batch: decide each row's call, send them concurrently, record what happened.

The engine is the only place that knows the order of the flow. It takes a prepared
batch (rows already read and validated, see :mod:`importer.commands.importing`), an Ocean client and
a journal, and returns one :class:`RowOutcome` per row. It never prints: each row's start and
outcome go to the callbacks its caller passes (the run API, :mod:`importer.commands.run`,
turns them into the events every front end renders), everything else is in the returned
report. What it does with a row is a :class:`RowAction`: by default :meth:`BatchRunner.process`
plans and sends it (``import``, ``delete``); ``status`` passes its own (a statutMission).
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from importer.errors import ApiUnavailableError, SignInNeeded
from importer.messages import t
from importer.model import Action, Outcome, RowIssue, RowOutcome, ValidatedRow
from importer.ocean_api import CALL_CREATE, CALL_DELETE, CALL_MODIFY, CALL_STATUS
from importer.send.client import CallResult, OceanClient
from importer.send.journal.keys import customer_text, params_hash
from importer.send.journal.ledger import InFlight, Journal, JournalEntry
from importer.send.journal.runs import MissionBusy, RunLapsed
from importer.send.pool import run_threads

log = logging.getLogger("importer.send.engine")

# After this many rows in a row that got no answer at all, the API is considered lost.
API_LOST_AFTER = 12
WAIT_STEP = 0.5  # seconds: a row waiting for a busy mission sees a stop this soon
# Rows whose journal entries are read in one query, a block ahead of the workers (at most
# 999 parameters a query on old SQLite: 4 a row).
READ_AHEAD = 200
_UNREAD = object()
# Threads that plan and record their next row while the others' calls are in flight, per
# four workers: a call waits for the journal's fsynced record (2-4 ms under load, 5% of a
# 50 ms call) with none of the workers' slots idle meanwhile.
PLANNERS_PER_WORKERS = 4


class RowAction(Protocol):
    """What a run does with one valid row (called from the worker threads): the row's
    outcome, never raising for a row problem. :meth:`BatchRunner.process` is the default."""

    def __call__(self, runner: BatchRunner, vrow: ValidatedRow, /) -> RowOutcome: ...


@dataclass
class RunOptions:
    """How to run a batch."""

    mode: Action = Action.UPSERT
    dry_run: bool = False
    force: bool = False
    workers: int = 8
    default_customer_id: int | None = None
    claim_wait: float = 60.0  # seconds to wait for a mission another run is sending
    account: str = ""  # the Ocean login: keys in the journal the missions without customerId
    source: str = ""  # the file's name, kept in the journal beside what each mission was sent
    # The journal ids of the runs this one sends the rest of (the page's "send the rest"): a
    # create one of them left in flight, found made, is reported created, as it was.
    resumes: tuple[str, ...] = ()


@dataclass
class RunStats:
    """What a run did, beside the per-row outcomes."""

    interrupted: bool = False
    api_lost: str | None = None
    lapsed: str | None = None  # why nothing more was sent after a pause (see Journal.check_live)
    signed_out: str | None = None  # Ocean ended the token and no password is kept (the page)
    reconciled: int = 0
    elapsed: float = 0.0
    calls: dict[str, int] = field(default_factory=dict)


def _issue(row: int, code: str, **values: Any) -> RowIssue:
    return RowIssue(row=row, column=None, value=None, code=code, details=values)


class BatchRunner:
    """Runs a list of validated rows against the API with a pool of workers."""

    def __init__(
        self,
        client: OceanClient,
        journal: Journal | None,
        api_url: str,
        options: RunOptions,
        action: RowAction | None = None,
    ) -> None:
        self.client = client
        self.journal = journal
        self.api_url = api_url.rstrip("/")
        self.options = options
        self._act = functools.partial(action, self) if action is not None else self.process
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._silent_failures = 0  # consecutive rows that got no answer at all
        self._uncertain: set[tuple[str, str]] = set()  # missions left in flight, unsettled
        self._made_before: dict[tuple[str, str], str | None] = {}  # see RunOptions.resumes
        self._run_id: str | None = None  # this run's id in the journal, taken at first use
        self._ahead: dict[tuple[str, str], JournalEntry | None] = {}  # see _read_ahead
        # At most ``workers`` rows talk to Ocean at once (a slot each), whatever the threads.
        self._slots = threading.BoundedSemaphore(max(1, options.workers))
        self.waiting = 0  # rows waiting now for a mission another live run holds
        self.stats = RunStats()

    @property
    def _store(self) -> Journal:
        """The journal (only a lookup-only runner, such as `status`, has none)."""
        assert self.journal is not None
        return self.journal

    @property
    def run_id(self) -> str:
        """This run's id in the journal (its claims and attempts); registered at first use."""
        with self._lock:
            if self._run_id is None:
                self._run_id = self._store.start_run()
            return self._run_id

    # -- planning one row ------------------------------------------------------------------

    def customer_key(self, params: dict[str, str]) -> str:
        """The row's customer as the journal keys it: its own, else the run's default."""
        return params.get("customerId") or customer_text(self.options.default_customer_id)

    def process(self, vrow: ValidatedRow) -> RowOutcome:
        """Decide and make the call(s) for one valid row; never raises for a row problem.

        While another live run sends the mission, this row waits (up to ``claim_wait``, less
        if the run is stopped), then plans it anew, or is reported not sent rather than sent
        twice. The run claims the mission when it records its call and gives it up with the
        call's outcome (see :meth:`Journal.begin`). Every call names the row's customer
        (its own, else the run's ``default_customer_id``): the one its journal key uses.
        """
        assert vrow.params is not None
        outcome = self._outcome(vrow)
        if self.options.dry_run:
            return self._plan(vrow, outcome)
        key = (self.api_url, outcome.customer_id, outcome.id_mission)
        until = time.monotonic() + self.options.claim_wait
        while True:
            try:
                return self._plan(vrow, outcome)
            except MissionBusy:
                if not self._wait_free(key, until):
                    outcome.outcome = Outcome.NOT_SENT
                    outcome.message = (
                        self.stop_reason()
                        if self._stop.is_set()
                        else t("engine.mission_busy", id=outcome.id_mission)
                    )
                    return outcome

    def _wait_free(self, key: tuple[str, str, str], until: float) -> bool:
        """Wait until no other live run holds the mission: False at ``until`` or on a stop."""
        with self._lock:
            self.waiting += 1
        try:
            while not self._stop.is_set():
                step = min(until, time.monotonic() + WAIT_STEP)
                if self._store.wait_free(
                    self.run_id, *key, until=step, account=self.options.account
                ):
                    return True
                if step >= until:
                    return False
            return False
        finally:
            with self._lock:
                self.waiting -= 1

    def stop_reason(self) -> str:
        """Why this run sends no more (for a row it stopped before sending)."""
        stats = self.stats
        if stats.api_lost:
            return t("engine.not_sent_api_lost", reason=stats.api_lost)
        return stats.signed_out or stats.lapsed or t("engine.not_sent_interrupted")

    def _outcome(self, vrow: ValidatedRow) -> RowOutcome:
        """A row's outcome before anything is sent (failed until a call succeeds)."""
        assert vrow.params is not None
        params = vrow.params
        outcome = RowOutcome(
            row=vrow.row,
            outcome=Outcome.FAILED,
            warnings=list(vrow.warnings),
            utc_inter=params.get("jourHeureInter", ""),
            utc_peremp=params.get("jourHeurePeremp", ""),
        )
        outcome.id_mission = params["idMission"]
        outcome.customer_id = self.customer_key(params)
        return outcome

    def _plan(self, vrow: ValidatedRow, outcome: RowOutcome) -> RowOutcome:
        """Choose the call from the journal (and statutMission), then make it."""
        assert vrow.params is not None
        params = vrow.params
        action = vrow.action or self.options.mode
        customer, id_mission = outcome.customer_id, outcome.id_mission
        read = None if self.options.dry_run else self.run_id
        digest = params_hash(params)
        entry = self._ahead.pop((customer, id_mission), _UNREAD)
        if entry is _UNREAD:
            entry = self._store.get(
                self.api_url, customer, id_mission, run_id=read, account=self.options.account
            )
        elif _unchanged_if(entry, action, digest, self.options.force):
            return self._plan(vrow, outcome)  # read ahead, and nothing to send: read it now
        known = entry
        if (customer, id_mission) in self._uncertain:
            entry = None  # a call a killed run left in flight may have changed it: ask
        if _unchanged_if(entry, action, digest, self.options.force):
            return self._unchanged(outcome)
        if action is Action.DELETE:
            return self._send(outcome, CALL_DELETE, params, customer, None, known)

        known_present = entry is not None and entry.present

        if action is Action.CREATE:
            call = CALL_CREATE
        elif action is Action.MODIFY:
            call = CALL_MODIFY
        elif known_present:
            sent = self._send(outcome, CALL_MODIFY, params, customer, digest, known)
            if sent.http_status != 404 or self.options.dry_run:
                return self._as_made(sent, digest)
            # The journal remembered a mission someone deleted since: create it again.
            sent.errors.clear()
            return self._send(sent, CALL_CREATE, params, customer, digest, known)
        else:
            found = self._exists(outcome, params, customer)
            if found is None:
                return outcome
            call = CALL_MODIFY if found else CALL_CREATE
        return self._as_made(self._send(outcome, call, params, customer, digest, known), digest)

    def _read_ahead(self, rows: Sequence[ValidatedRow], start: int) -> None:
        """Read the journal entries of ``rows[start:start + READ_AHEAD]`` in one query, for
        :meth:`_plan`: each call it then chooses is checked by the journal's ``begin`` (the
        mission still as read), and a row found unchanged is read again before it is said so.
        Saves each row a read of its own (a wait for the journal connection, 1-2 ms)."""
        pairs = [
            (self.customer_key(row.params), row.params["idMission"])
            for row in rows[start : start + READ_AHEAD]
            if row.params is not None
        ]
        if not pairs:
            return
        account = self.options.account
        try:
            found = self._store.read_ahead(self.api_url, pairs, run_id=self.run_id, account=account)
        except Exception:  # the rows are then read one by one, as get says
            log.warning("could not read the journal ahead of rows %d-%d", start, start + len(pairs))
            return
        self._ahead.update(found)

    def _as_made(self, outcome: RowOutcome, digest: str) -> RowOutcome:
        """A modify that confirmed a create of a resumed run (left in flight with the same
        content, found made): reported created, as that run made it."""
        made = self._made_before.get((outcome.customer_id, outcome.id_mission), "")
        if outcome.outcome is Outcome.MODIFIED and made == digest:
            outcome.outcome = Outcome.CREATED
        return outcome

    def _unchanged(self, outcome: RowOutcome) -> RowOutcome:
        outcome.outcome = Outcome.UNCHANGED
        outcome.message = t("engine.unchanged")
        return outcome

    def _exists(self, outcome: RowOutcome, params: dict[str, str], customer: str) -> bool | None:
        """Ask statutMission whether the mission exists; None when the answer is unusable
        (or the run stopped before it could ask: the row is then not sent)."""
        if not self._take_slot():
            self._not_sent(outcome)
            return None
        try:
            result = self.client.status(params["idMission"], customer or None)
        finally:
            self._slots.release()
        outcome.lookups += result.attempts
        self.note_answer(result)
        if result.ok:
            return True
        if result.not_found:
            return False
        outcome.action = CALL_STATUS
        self.fail(outcome, result)
        return None

    def _send(
        self,
        outcome: RowOutcome,
        call: str,
        params: dict[str, str],
        customer: str,
        digest: str | None,
        known: JournalEntry | None,
    ) -> RowOutcome:
        """Make one call, recorded in the journal first (``known``: the mission as read when
        the call was chosen; :class:`MissionBusy` when that is no longer true)."""
        outcome.action = call
        if self.options.dry_run:
            outcome.outcome = Outcome.VALID
            outcome.message = t("engine.would_send", call=call)
            return outcome
        id_mission = params["idMission"]
        values = params if call != CALL_DELETE else None  # kept if applied
        attempt = self._store.begin(
            self.api_url,
            customer,
            id_mission,
            call,
            digest,
            values,
            run_id=self.run_id,
            expect=known,
            account=self.options.account,
            source=self.options.source,
        )
        if not self._take_slot():  # stopped while waiting for a slot: nothing was sent
            if self.stats.lapsed:  # other runs may be settling its calls: leave it to them
                self._store.abandon(attempt)
            else:
                self._store.finish(attempt, "not_applied")
            return self._not_sent(outcome)
        try:
            return self._call(outcome, call, params, customer, attempt)
        finally:
            self._slots.release()

    def _take_slot(self) -> bool:
        """Wait for one of the ``workers`` slots of calls in flight; False if the run stops
        meanwhile."""
        while not self._stop.is_set():
            if self._slots.acquire(timeout=WAIT_STEP):
                return True
        return False

    def _not_sent(self, outcome: RowOutcome) -> RowOutcome:
        """The row is not sent: the run stopped before its call."""
        outcome.outcome = Outcome.NOT_SENT
        outcome.message = self.stop_reason()
        return outcome

    def _call(
        self, outcome: RowOutcome, call: str, params: dict[str, str], customer: str, attempt: int
    ) -> RowOutcome:
        """Make a call recorded as ``attempt`` (holding a slot); settle it in the journal."""
        id_mission = params["idMission"]
        guard = functools.partial(self._store.check_live, self.run_id)
        as_customer = customer or None  # the customer of the journal's key, sent explicitly
        try:
            if call == CALL_CREATE:
                result = self.client.create(params, customer_id=as_customer, guard=guard)
            elif call == CALL_MODIFY:
                result = self.client.modify(params, customer_id=as_customer, guard=guard)
            else:
                result = self.client.delete(id_mission, as_customer, guard=guard)
        except RunLapsed as lapse:
            return self._lapsed(outcome, attempt, lapse)
        except SignInNeeded as ended:  # an earlier attempt may have left: settled later
            self._store.abandon(attempt)
            self._signed_out(ended)
            outcome.outcome = Outcome.NOT_SENT
            outcome.message = self.stop_reason()
            return outcome
        self.note_answer(result)
        outcome.attempts += result.attempts
        outcome.lookups += result.lookups
        outcome.http_status = result.http_status
        outcome.message = result.message
        if result.ok:
            self._store.finish(attempt, "applied")
            outcome.outcome = {
                CALL_CREATE: Outcome.CREATED,
                CALL_MODIFY: Outcome.MODIFIED,
                CALL_DELETE: Outcome.DELETED,
            }[call]
            if result.reconciled:
                self.stats.reconciled += 1
            return outcome
        self._store.finish(attempt, "unknown" if result.ambiguous else "not_applied")
        if call == CALL_CREATE and self._created_meanwhile(outcome, result, customer):
            return outcome
        if call == CALL_DELETE and result.not_found:
            # Already absent: nothing to do, but a mistyped id deserves a look.
            self._store.record_mission(
                self.api_url, customer, id_mission, present=False, account=self.options.account
            )
            outcome.outcome = Outcome.NOT_FOUND
            outcome.warnings.append(_issue(outcome.row, "engine.delete_absent", id=id_mission))
            return outcome
        self.fail(outcome, result)
        return outcome

    def _lapsed(self, outcome: RowOutcome, attempt: int | None, lapse: RunLapsed) -> RowOutcome:
        """This run was paused past its heartbeat: other runs may have settled its calls and
        taken its missions over. Nothing more is sent; the attempt stays for the next run."""
        if attempt is not None:
            self._store.abandon(attempt)
        with self._lock:
            if self.stats.lapsed is None:
                self.stats.lapsed = t("engine.run_lapsed", seconds=f"{lapse.seconds:.0f}")
                log.warning("run paused for %.0f s: no more changes are sent", lapse.seconds)
        self._stop.set()
        outcome.outcome = Outcome.NOT_SENT
        outcome.message = self.stats.lapsed
        return outcome

    def _created_meanwhile(self, outcome: RowOutcome, result: CallResult, customer: str) -> bool:
        """After a refused create: was the run paused past its heartbeat between its last
        check and the write, while another run created the mission? Then the row says so and
        nothing more is sent. Returns whether it was (the mission exists: statutMission)."""
        try:
            self._store.check_live(self.run_id)
            return False  # not paused: a refusal like any other
        except RunLapsed as lapse:
            self._lapsed(outcome, None, lapse)
            seconds = f"{lapse.seconds:.0f}"
        found = self.client.status(outcome.id_mission, customer or None)  # a read only
        outcome.lookups += found.attempts
        if found.ok:
            outcome.message = t("engine.created_meanwhile", seconds=seconds, id=outcome.id_mission)
        return found.ok  # otherwise the refusal stands as the API gave it

    def _signed_out(self, ended: SignInNeeded) -> None:
        """Ocean ended the token and it cannot be renewed: nothing more is sent."""
        with self._lock:
            if self.stats.signed_out is None:
                self.stats.signed_out = t("engine.not_sent_signed_out")
                log.warning("%s: no more calls are sent", ended)
        self._stop.set()

    def fail(self, outcome: RowOutcome, result: CallResult) -> None:
        outcome.outcome = Outcome.FAILED
        outcome.http_status = result.http_status
        outcome.message = result.message
        explanation = result.error or result.message or t("engine.no_answer")
        if result.ambiguous:
            outcome.errors.append(_issue(outcome.row, "engine.ambiguous", reason=explanation))
        else:
            outcome.errors.append(_issue(outcome.row, "engine.api_error", reason=explanation))

    def note_answer(self, result: CallResult) -> None:
        """Track rows that got no answer at all, to stop when the API is gone."""
        with self._lock:
            if result.http_status is None and not result.ok:
                self._silent_failures += 1
                if self._silent_failures >= API_LOST_AFTER and self.stats.api_lost is None:
                    self.stats.api_lost = result.error or t("engine.no_answer")
                    self._stop.set()
            else:
                self._silent_failures = 0

    # -- crash recovery ------------------------------------------------------------------------

    def reconcile_in_flight(self) -> int:
        """Settle the calls a killed run left in flight, with statutMission; returns how many.

        A call that cannot be checked now stays in flight for the next run, and this run
        treats its mission as unknown (asks statutMission again before any send).
        """
        settled = 0
        account = self.options.account
        for attempt in self._store.in_flight(self.api_url, live=False, account=account):
            key = (self.api_url, attempt.customer_id, attempt.id_mission)
            if not self._store.claim(self.run_id, *key, account=account):  # a live run has it
                self._uncertain.add((attempt.customer_id, attempt.id_mission))
                continue
            try:
                settled += self._settle(attempt)
            finally:
                self._store.release(self.run_id, *key, account=account)
        self.stats.reconciled += settled
        return settled

    def _settle(self, attempt: InFlight) -> int:
        """Settle one attempt with statutMission; 1 if settled, 0 if it stays in flight."""
        result = self.client.status(attempt.id_mission, attempt.customer_id or None)
        if result.ok or result.not_found:
            if result.ok and attempt.call == CALL_CREATE and attempt.run_id in self.options.resumes:
                self._made_before[(attempt.customer_id, attempt.id_mission)] = attempt.params_hash
            self._store.resolve(attempt.attempt_id, present=result.ok, account=self.options.account)
            return 1
        self._uncertain.add((attempt.customer_id, attempt.id_mission))
        log.warning(
            "could not settle %s left in flight: %s", attempt.call, result.error or result.message
        )
        return 0

    # -- running the batch ---------------------------------------------------------------------

    def run(
        self,
        rows: Sequence[ValidatedRow],
        on_done: Callable[[int, RowOutcome], None] | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> list[RowOutcome | None]:
        """Process every row with the worker pool; rows never started stay None.

        ``on_start(i)`` and ``on_done(i, outcome)`` are called from the worker threads.

        Ctrl-C (KeyboardInterrupt in the main thread) stops handing out rows and waits
        for the calls in flight; a second Ctrl-C propagates at once.
        """
        results: list[RowOutcome | None] = [None] * len(rows)
        started = time.perf_counter()
        reads_ahead = self.journal is not None and self._act == self.process
        reads_ahead = reads_ahead and not self.options.dry_run
        if reads_ahead:
            self._read_ahead(rows, 0)

        def handle(i: int) -> bool:
            """One row; False when this thread should take no more."""
            if reads_ahead and i % READ_AHEAD == 0:
                self._read_ahead(rows, i + READ_AHEAD)
            if on_start:
                on_start(i)
            try:
                outcome = self._act(rows[i])
            except SignInNeeded as ended:
                self._signed_out(ended)
                return False
            except ApiUnavailableError as exc:
                self.stats.api_lost = str(exc)
                self._stop.set()
                return False
            except Exception as exc:  # a bug must not lose the other rows' results
                log.exception("unexpected error on row %s", rows[i].row)
                outcome = RowOutcome(row=rows[i].row, outcome=Outcome.FAILED)
                outcome.errors.append(
                    _issue(rows[i].row, "engine.internal_error", reason=repr(exc))
                )
            results[i] = outcome
            if on_done:
                on_done(i, outcome)
            return True

        count = max(1, min(self.options.workers, len(rows) or 1))
        if reads_ahead:  # planners: see PLANNERS_PER_WORKERS
            count += max(0, min(count // PLANNERS_PER_WORKERS, len(rows) - count))
        try:
            run_threads(count, len(rows), handle, self._stop, on_interrupt=self.stop)
        finally:
            self.stats.elapsed = time.perf_counter() - started
        if self.journal is not None and self._run_id is not None:
            self.journal.end_run(self._run_id)  # commits the last finishes and releases too
            self._run_id = None
        self._ahead.clear()
        return results

    def stop(self) -> None:
        """Stop handing out rows (for a signal handler or a watcher shutting down)."""
        self.stats.interrupted = True
        self._stop.set()


def _unchanged_if(entry: JournalEntry | None, action: Action, digest: str, force: bool) -> bool:
    """Whether a row needs no call, the journal's entry for its mission being ``entry``:
    a delete of a mission known absent, otherwise a mission known present with the same
    content (never with ``force``)."""
    if force or entry is None:
        return False
    if action is Action.DELETE:
        return not entry.present
    return entry.present and entry.params_hash == digest
