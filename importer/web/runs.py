"""Runs started from the page: sent in a thread by the run API (the command line's), with
its events streamed to the page, cancel, the results workbook, and a history kept on disk
for a number of days.

A run owns what it sends with, fixed when it starts (:class:`Sending`): the session's
client as it was then (its customer cannot change: :meth:`OceanClient.for_customer`), the
draft's rows, table and settings; its draft refuses edits until it ends. Several runs
share the server's one journal, whose claims are the only ones: a run meeting a mission
another live run (of this page, ``import`` or ``watch``) is sending waits up to
``claim_wait`` seconds, then that row is not sent.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importer.commands.job import validation_outcome, write_report
from importer.commands.run import (
    RowDone,
    RowStarted,
    RunEvent,
    RunProgress,
    SignInNeeded,
    run_options,
    run_rows,
)
from importer.commands.run import Run as Sender
from importer.messages import language_context, t
from importer.model import Outcome, RowOutcome, SourceTable, ValidatedRow
from importer.report import audit_log as audit
from importer.report.command_result import CommandResult
from importer.settings.load import Settings
from importer.web.drafts import KEEP_PER_OWNER, Draft

if TYPE_CHECKING:
    from importer.commands.run import Journal, OceanClient, RunOptions

log = logging.getLogger("importer.web")

RETRY_OUTCOMES = frozenset({Outcome.FAILED, Outcome.NOT_SENT, Outcome.INVALID})
META_FIELDS = ("id", "owner", "name", "started_at", "status", "total")
CHECKPOINT_SECONDS = 1.0
REACHED = "reached.txt"  # a line per row that reached Ocean: "source row<TAB>outcome"
REACHED_OUTCOMES = (Outcome.CREATED, Outcome.MODIFIED, Outcome.DELETED)


@dataclass(frozen=True)
class Sending:
    """What a run sends with, fixed when it starts: nothing the session or the draft does
    afterwards reaches it."""

    client: OceanClient  # the session's client as it was: its customer is fixed
    options: RunOptions
    rows: list[ValidatedRow]
    table: SourceTable
    settings: Settings
    notes: tuple[str, ...]
    path: Path
    lang: str


@dataclass
class Run:
    """One send of some rows of a draft."""

    id: str
    owner: str
    name: str
    folder: Path
    draft: Draft | None
    index: list[int]
    outcomes: list[RowOutcome]
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    status: str = "running"  # running, done, cancelled, interrupted, resumed
    cause: str | None = None  # why it was interrupted: "restart" or "signed_out" (Ocean)
    progress: RunProgress | None = None  # the run's last progress event
    workbook: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    source: dict[str, Any] | None = None  # the draft's file, sheet, columns, edits
    sent_rows: list[int] = field(default_factory=list)  # the source rows it sends
    _sender: Sender | None = None
    journal_runs: list[str] = field(default_factory=list)  # its journal ids, those it resumes
    _journal_noted: bool = False
    _cancel: threading.Event = field(default_factory=threading.Event)
    _saved: float = 0.0  # when run.json last took the counts of a running run
    _save_lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return len(self.index)

    @property
    def done(self) -> int:
        return self.progress.done if self.progress else 0

    @property
    def last_progress(self) -> RunProgress:
        """The run's last progress event (none yet: nothing done)."""
        return self.progress or RunProgress.at(0, self.total, 0, 0.0)

    @property
    def failures(self) -> int:
        return self.progress.failures if self.progress else 0

    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def cancelling(self) -> bool:
        return self._cancel.is_set() and not self.finished

    @property
    def waiting(self) -> bool:
        """True while some of its rows wait for missions another live run is sending."""
        sender = self._sender
        return sender is not None and sender.waiting > 0 and not self.finished

    def cancel(self) -> None:
        """Stop handing out rows (as Ctrl-C does): the calls in flight finish."""
        self._cancel.set()
        if self._sender is not None:
            self._sender.cancel()

    def _started(self, sender: Sender) -> None:
        self._sender = sender
        if self._cancel.is_set():
            sender.cancel()

    def _on_event(self, event: RunEvent) -> None:
        """The run's events (one at a time, from its workers): the progress the page's stream
        shows, each row's outcome as it comes; run.json takes the counts every second or so
        (a server stop then still shows what was done), written beside the workers."""
        if isinstance(event, RunProgress):
            self.progress = event
        elif isinstance(event, RowStarted) and not self._journal_noted:
            self._note_journal_run()
        elif isinstance(event, RowDone):
            self.outcomes[event.index] = event.outcome
            if event.outcome.outcome in REACHED_OUTCOMES:
                self.note_reached({event.outcome.row: event.outcome.outcome})
            now = time.monotonic()
            if now - self._saved >= CHECKPOINT_SECONDS and self._save_lock.acquire(blocking=False):
                self._saved = now
                threading.Thread(target=self._checkpoint, name=f"save-{self.id}").start()

    def _note_journal_run(self) -> None:
        """Keep this run's journal id in run.json before its first call leaves (a create a
        server stop leaves in flight is then known as this run's by "send the rest")."""
        self._journal_noted = True
        journal_run = self._sender.journal_run if self._sender is not None else None
        if journal_run:
            self.journal_runs.append(journal_run)
            with contextlib.suppress(OSError):
                self.save()

    def _checkpoint(self) -> None:
        try:
            with contextlib.suppress(OSError):
                self.save()
        finally:
            self._save_lock.release()

    def sent_counts(self) -> dict[str, int]:
        """The outcomes so far of the rows this run sends (the rows not yet done left out)."""
        if self.finished or not self.outcomes:
            return self.counts
        found = Counter(self.outcomes[i].outcome.value for i in self.index)
        found.pop(Outcome.VALID.value, None)
        return dict(found)

    @property
    def rest(self) -> int:
        """How many of this run's rows did not reach Ocean (for "send the rest again")."""
        reached = (Outcome.CREATED, Outcome.MODIFIED, Outcome.DELETED, Outcome.UNCHANGED)
        return max(0, self.total - sum(self.counts.get(o.value, 0) for o in reached))

    def note_reached(self, rows: dict[int, Outcome]) -> None:
        """Append rows that reached Ocean to ``reached.txt`` (no fsync: a server stop keeps
        it; a power loss may lose the last lines, their rows are then reported unchanged)."""
        lines = "".join(f"{row}\t{outcome.value}\n" for row, outcome in rows.items())
        with contextlib.suppress(OSError), open(self.folder / REACHED, "a") as out:
            out.write(lines)  # one write() per row: appends from the workers do not mix

    def reached(self) -> dict[int, Outcome]:
        """The source rows of this run that reached Ocean, with their outcome."""
        found: dict[int, Outcome] = {}
        with contextlib.suppress(OSError):
            for line in (self.folder / REACHED).read_text(encoding="utf-8").splitlines():
                with contextlib.suppress(ValueError):
                    row, value = line.split("\t")
                    found[int(row)] = Outcome(value)
        return found

    def retry_index(self) -> list[int]:
        """The rows of this run's file that did not reach a final outcome."""
        return [i for i, o in enumerate(self.outcomes) if o.outcome in RETRY_OUTCOMES]

    def meta(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "owner": self.owner,
            "name": self.name,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "status": self.status,
            "cause": self.cause,
            "total": self.total,
            "done": self.done,
            "counts": self.sent_counts(),
            "workbook": self.workbook.name if self.workbook else None,
            "draft": self.draft.id if self.draft else None,
            "rows": self.sent_rows,
            "source": self.source,
            "journal_runs": self.journal_runs,
        }

    def save(self) -> None:
        """Write ``run.json`` whole or not at all (a crash leaves the previous one)."""
        write_atomically(self.folder / "run.json", json.dumps(self.meta()))


def write_atomically(path: Path, text: str) -> None:
    """Write ``path`` through a synced temporary file beside it, renamed over it."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    if os.name == "posix":  # the rename itself survives a power loss once the folder is synced
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def read_meta(path: Path) -> dict[str, Any] | None:
    """A run's ``run.json``, or None with a warning in the log when it cannot be used."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(meta, dict) or any(name not in meta for name in META_FIELDS):
            raise ValueError("fields missing")
        started = datetime.fromisoformat(meta["started_at"])
        if started.tzinfo is None:
            raise ValueError("start time without a time zone")
        meta["total"] = int(meta["total"])
        return meta
    except (OSError, ValueError, TypeError) as exc:
        log.warning("%s", t("web.history.unreadable", path=path, reason=exc))
        return None


def first_outcomes(draft: Draft) -> list[RowOutcome]:
    """Each row's outcome before sending: valid or invalid, as ``validate`` says."""
    return [validation_outcome(vrow) for vrow in draft.rows]


def summary_settings(settings: Settings, login: str) -> Settings:
    """The settings as the workbook's Summary shows them for a run of the page: the signed-in
    login, and no path of the server (a file's name at most; the folders of ``watch`` none)."""
    journal = Path(settings.journal.name) if settings.journal else None
    bundle = Path(settings.ca_bundle).name if settings.ca_bundle else None
    return replace(
        settings, login=login or None, journal=journal, ca_bundle=bundle, inbox=None, outbox=None
    )


class RunStore:
    """Runs by id: live ones in memory, past ones from their ``run.json`` on disk."""

    def __init__(self, folder: Path, journal: Journal, keep_days: float) -> None:
        self.folder = folder
        self.journal = journal
        self.keep_days = keep_days
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._load_history(self.prune())

    def _load_history(self, metas: list[tuple[Path, dict[str, Any]]]) -> None:
        for meta_file, meta in metas:
            try:
                run = Run(
                    id=str(meta["id"]),
                    owner=str(meta["owner"]),
                    name=str(meta["name"]),
                    folder=meta_file.parent,
                    draft=None,
                    index=[0] * meta["total"],
                    outcomes=[],
                    started_at=datetime.fromisoformat(meta["started_at"]),
                    status=str(meta["status"]),
                    cause=meta.get("cause"),
                    counts=dict(meta.get("counts") or {}),
                    source=meta.get("source"),
                    sent_rows=[int(row) for row in meta.get("rows") or []],
                    journal_runs=[str(run) for run in meta.get("journal_runs") or []],
                )
                if meta.get("workbook"):
                    run.workbook = meta_file.parent / Path(str(meta["workbook"])).name
            except (TypeError, ValueError, AttributeError) as exc:
                log.warning("%s", t("web.history.unreadable", path=meta_file, reason=exc))
                continue
            if run.status == "running":  # the server stopped during this run
                run.status, run.cause = "interrupted", "restart"
                with contextlib.suppress(OSError):
                    run.save()
            self._runs[run.id] = run

    def prune(self) -> list[tuple[Path, dict[str, Any]]]:
        """Delete the runs (and their workbooks) older than ``keep_days``; return the
        others' ``run.json`` (the unreadable ones are skipped, with a warning)."""
        limit = datetime.now(UTC) - timedelta(days=self.keep_days)
        kept = []
        for meta_file in sorted(self.folder.glob("*/run.json")):
            meta = read_meta(meta_file)
            if meta is None:
                continue
            if datetime.fromisoformat(meta["started_at"]) < limit:
                shutil.rmtree(meta_file.parent, ignore_errors=True)
                with self._lock:
                    self._runs.pop(meta["id"], None)
            else:
                kept.append((meta_file, meta))
        return kept

    def get(self, run_id: str, owner: str) -> Run | None:
        """The run if it is this owner's; None otherwise (the same 404 either way)."""
        with self._lock:
            run = self._runs.get(run_id)
        return run if run is not None and run.owner == owner else None

    def any_live(self, run_ids: list[str]) -> bool:
        """True while one of these runs is still sending (or waiting to)."""
        with self._lock:
            runs = [self._runs.get(run_id) for run_id in run_ids]
        return any(run is not None and not run.finished for run in runs)

    def history(self, owner: str) -> list[Run]:
        with self._lock:
            runs = [r for r in self._runs.values() if r.owner == owner]
        return sorted(runs, key=lambda r: r.started_at, reverse=True)

    def add_done(self, owner: str, name: str, counts: dict[str, int]) -> Run:
        """Put in the history an action done at once (a re-plan, a delete), no workbook."""
        run_id = secrets.token_urlsafe(12)
        folder = self.folder / run_id
        folder.mkdir(mode=0o700)
        run = Run(run_id, owner, name, folder, None, [0] * sum(counts.values()), [])
        run.status, run.counts, run.finished_at = "done", dict(counts), datetime.now(UTC)
        run.save()
        with self._lock:
            self._runs[run_id] = run
        return run

    def start(
        self,
        draft: Draft,
        index: list[int],
        client: OceanClient,
        *,
        lang: str,
        previous: Run | None = None,
        source: dict[str, Any] | None = None,
        resumed: Run | None = None,
    ) -> Run:
        """Send the rows ``index`` of ``draft`` as ``client``'s customer in a background
        thread; return the run. The draft refuses edits until the run ends.

        ``resumed``: the interrupted run this one sends the rest of; its rows that reached
        Ocean are reported as it left them (created, modified, deleted), and a create it
        left in flight, found made, as created."""
        earlier = resumed.reached() if resumed is not None else {}
        run_id = secrets.token_urlsafe(12)
        folder = self.folder / run_id
        folder.mkdir(mode=0o700)
        with draft.lock:  # an edit being made ends first; the next ones are refused
            draft.sending.add(run_id)
            settings = draft.settings
            sending = Sending(
                client=client,
                options=replace(
                    run_options(
                        settings,
                        customer=client.customer_id,
                        account=client.login,
                        source=draft.name,
                    ),
                    resumes=tuple(resumed.journal_runs) if resumed is not None else (),
                ),
                rows=draft.rows,
                table=draft.table,
                settings=settings,
                notes=tuple(draft.notes),
                path=draft.path,
                lang=lang,
            )
            outcomes = list(previous.outcomes) if previous else first_outcomes(draft)
        for i in index:  # rows edited since: their validation as it is now
            outcomes[i] = validation_outcome(sending.rows[i])
        for i, vrow in enumerate(sending.rows):
            if vrow.valid and vrow.row in earlier:
                outcomes[i].outcome = earlier[vrow.row]
                outcomes[i].message = t("web.run.reached_before")
        run = Run(run_id, draft.owner, draft.name, folder, draft, index, outcomes, source=source)
        run.sent_rows = [sending.rows[i].row for i in index]
        if resumed is not None:
            run.journal_runs = list(resumed.journal_runs)
            run.note_reached(earlier)  # a later "send the rest" of this run knows them too
        run.save()
        with self._lock:
            self._runs[run_id] = run
        thread = threading.Thread(
            target=self._execute, args=(run, sending), name=f"run-{run_id}", daemon=True
        )
        thread.start()
        return run

    def _execute(self, run: Run, sending: Sending) -> None:
        report = CommandResult(
            command="import", input_path=Path(run.name), outcomes=run.outcomes,  # no server path
            started_at=run.started_at, notes=list(sending.notes),
        )  # fmt: skip
        status = "interrupted"
        lines = audit.RowLines(run.name)  # each row's audit line once, as soon as it is final
        with language_context(sending.lang, page=True):
            lines.rest(report.outcomes, skip=frozenset(run.index))  # the rows not sent now
            try:
                ended = run_rows(
                    report, sending.rows, run.index, sending.settings, sending.options,
                    client=sending.client, journal=self.journal,
                    subscribers=[run._on_event, lines.on_event], on_run=run._started,
                )  # fmt: skip
                if ended.stats.signed_out:
                    run.cause = "signed_out"
                else:
                    status = "cancelled" if report.interrupted else "done"
            except SignInNeeded:  # before any row (settling what an earlier run left)
                run.cause = "signed_out"
                _not_sent(run, t("engine.not_sent_signed_out"))
            except Exception as exc:  # shown on the page; the journal keeps what was sent
                run.error = str(exc)
                _not_sent(run, t("engine.not_sent_interrupted"))
            workbook = None
            try:
                report.finished_at = datetime.now(UTC)
                lines.rest(report.outcomes)  # the rows the run did not reach
                target = run.folder / f"{Path(run.name).stem}.results.xlsx"
                shown = summary_settings(sending.settings, sending.client.login)
                write_report(report, sending.table, shown, target)
                workbook = report.output_path
            except Exception as exc:
                run.error = run.error or str(exc)
            finally:
                self._close(run, status, workbook)

    def _close(self, run: Run, status: str, workbook: Path | None) -> None:
        run.counts = dict(Counter(o.outcome.value for o in run.outcomes))
        run.workbook = workbook
        run.finished_at = datetime.now(UTC)
        run.status = status
        if run.draft is not None:
            run.draft.sending.discard(run.id)  # the draft may be edited again
        with contextlib.suppress(OSError):
            run.save()
        with self._lock:  # memory: only the owner's latest runs keep their rows for a retry
            mine = [r for r in self._runs.values() if r.owner == run.owner and r.draft]
            for old in sorted(mine, key=lambda r: r.started_at)[:-KEEP_PER_OWNER]:
                if old.finished:
                    old.draft, old.outcomes = None, []

    def let_go(self, draft_id: str) -> None:
        """A draft left the page's memory (its budget): finished runs made from it let go
        of it too (their results workbook stays; the rows to retry are no longer shown)."""
        with self._lock:
            for run in self._runs.values():
                if run.finished and run.draft is not None and run.draft.id == draft_id:
                    run.draft, run.outcomes = None, []


def _not_sent(run: Run, message: str) -> None:
    """The rows of ``run`` still waiting to be sent: not sent, with why."""
    for i in run.index:
        if run.outcomes[i].outcome is Outcome.VALID:
            run.outcomes[i].outcome = Outcome.NOT_SENT
            run.outcomes[i].message = message
