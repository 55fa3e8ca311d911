"""Runs started from the page: sent in a thread by the command line's engine, with progress,
cancel, the results workbook, and a history kept on disk for a number of days.

Several runs share the server's one journal. A run first claims its missions (API,
customer, idMission): a run meeting a mission another run holds waits for it, so the same
mission is never sent by two sessions at once.
"""

from __future__ import annotations

import contextlib
import json
import secrets
import shutil
import threading
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importer.commands.importing import send_rows
from importer.commands.job import validation_outcome, write_report
from importer.messages import language_context
from importer.model import Action, Outcome, RowOutcome
from importer.report.command_result import CommandResult
from importer.report.progress import Progress
from importer.send.engine import RunOptions
from importer.web.drafts import KEEP_PER_OWNER, Draft

if TYPE_CHECKING:
    from importer.send.client import OceanClient
    from importer.send.engine import BatchRunner
    from importer.send.journal.ledger import Journal

RETRY_OUTCOMES = frozenset({Outcome.FAILED, Outcome.NOT_SENT, Outcome.INVALID})
Claim = tuple[str, str, str]


class MissionClaims:
    """Which run holds which mission; a run waits until none of its missions is held."""

    def __init__(self) -> None:
        self._held: dict[Claim, str] = {}
        self._cond = threading.Condition()

    def acquire(self, run_id: str, keys: Iterable[Claim], cancelled: threading.Event) -> bool:
        """Hold every key, waiting while another run holds one; False if cancelled meanwhile."""
        wanted = set(keys)
        with self._cond:
            while any(self._held.get(key, run_id) != run_id for key in wanted):
                if cancelled.is_set():
                    return False
                self._cond.wait(0.2)
            for key in wanted:
                self._held[key] = run_id
        return True

    def release(self, run_id: str) -> None:
        with self._cond:
            for key in [k for k, holder in self._held.items() if holder == run_id]:
                del self._held[key]
            self._cond.notify_all()


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
    status: str = "running"  # running, done, cancelled, interrupted
    waiting: bool = False
    progress: Progress | None = None
    workbook: Path | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    source: dict[str, Any] | None = None  # the draft's file, sheet, columns, edits
    sent_rows: list[int] = field(default_factory=list)  # after a restart: the rows it sent
    _runner: BatchRunner | None = None
    _cancel: threading.Event = field(default_factory=threading.Event)
    _clock: float = field(default_factory=time.monotonic)

    @property
    def total(self) -> int:
        return len(self.index)

    @property
    def done(self) -> int:
        return self.progress.done if self.progress else 0

    @property
    def failures(self) -> int:
        return self.progress.failures if self.progress else 0

    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def cancelling(self) -> bool:
        return self._cancel.is_set() and not self.finished

    def rate_and_eta(self) -> tuple[float, float]:
        elapsed = max(time.monotonic() - self._clock, 1e-6)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        return rate, left

    def cancel(self) -> None:
        """Stop handing out rows (as Ctrl-C does): the calls in flight finish."""
        self._cancel.set()
        if self._runner is not None:
            self._runner.stop()

    def _started(self, runner: BatchRunner) -> None:
        self._runner = runner
        if self._cancel.is_set():
            runner.stop()

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
            "total": self.total,
            "done": self.done,
            "counts": self.counts,
            "workbook": self.workbook.name if self.workbook else None,
            "draft": self.draft.id if self.draft else None,
            "rows": [self.draft.rows[i].row for i in self.index] if self.draft else self.sent_rows,
            "source": self.source,
        }

    def save(self) -> None:
        (self.folder / "run.json").write_text(json.dumps(self.meta()), encoding="utf-8")


def first_outcomes(draft: Draft) -> list[RowOutcome]:
    """Each row's outcome before sending: valid or invalid, as ``validate`` says."""
    return [validation_outcome(vrow) for vrow in draft.rows]


def claim_keys(draft: Draft, index: list[int], api_url: str, customer: int | None) -> set[Claim]:
    default = "" if customer is None else str(customer)
    keys = set()
    for i in index:
        params = draft.rows[i].params or {}
        keys.add((api_url, params.get("customerId") or default, params.get("idMission", "")))
    return keys


class RunStore:
    """Runs by id: live ones in memory, past ones from their ``run.json`` on disk."""

    def __init__(self, folder: Path, journal: Journal, keep_days: float) -> None:
        self.folder = folder
        self.journal = journal
        self.keep_days = keep_days
        self.claims = MissionClaims()
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.prune()
        self._load_history()

    def _load_history(self) -> None:
        for meta_file in self.folder.glob("*/run.json"):
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            if meta["status"] == "running":  # the server stopped during this run
                meta["status"] = "interrupted"
            run = Run(
                id=meta["id"],
                owner=meta["owner"],
                name=meta["name"],
                folder=meta_file.parent,
                draft=None,
                index=[0] * int(meta["total"]),
                outcomes=[],
                started_at=datetime.fromisoformat(meta["started_at"]),
                status=meta["status"],
                counts=meta.get("counts") or {},
                source=meta.get("source"),
            )
            run.sent_rows = meta.get("rows") or []
            if meta.get("workbook"):
                run.workbook = meta_file.parent / meta["workbook"]
            run.save()
            self._runs[run.id] = run

    def prune(self) -> int:
        """Delete the runs (and their workbooks) older than ``keep_days``; return how many."""
        limit = datetime.now(UTC) - timedelta(days=self.keep_days)
        removed = 0
        for meta_file in list(self.folder.glob("*/run.json")):
            meta = json.loads(meta_file.read_text(encoding="utf-8"))
            if datetime.fromisoformat(meta["started_at"]) < limit:
                shutil.rmtree(meta_file.parent, ignore_errors=True)
                with self._lock:
                    self._runs.pop(meta["id"], None)
                removed += 1
        return removed

    def get(self, run_id: str, owner: str) -> Run | None:
        """The run if it is this owner's; None otherwise (the same 404 either way)."""
        with self._lock:
            run = self._runs.get(run_id)
        return run if run is not None and run.owner == owner else None

    def history(self, owner: str) -> list[Run]:
        with self._lock:
            runs = [r for r in self._runs.values() if r.owner == owner]
        return sorted(runs, key=lambda r: r.started_at, reverse=True)

    def start(
        self,
        draft: Draft,
        index: list[int],
        client: OceanClient,
        *,
        lang: str,
        previous: Run | None = None,
        source: dict[str, Any] | None = None,
    ) -> Run:
        """Send the rows ``index`` of ``draft`` in a background thread; return the run."""
        run_id = secrets.token_urlsafe(12)
        folder = self.folder / run_id
        folder.mkdir(mode=0o700)
        outcomes = list(previous.outcomes) if previous else first_outcomes(draft)
        for i in index:  # rows edited since: their validation as it is now
            outcomes[i] = validation_outcome(draft.rows[i])
        run = Run(run_id, draft.owner, draft.name, folder, draft, index, outcomes, source=source)
        run.progress = Progress(len(index))  # counted for the page, not printed
        run.save()
        with self._lock:
            self._runs[run_id] = run
        thread = threading.Thread(
            target=self._execute, args=(run, client, lang), name=f"run-{run_id}", daemon=True
        )
        thread.start()
        return run

    def _execute(self, run: Run, client: OceanClient, lang: str) -> None:
        draft = run.draft
        assert draft is not None
        settings = draft.settings
        keys = claim_keys(draft, run.index, settings.api_url, client.customer_id)
        with language_context(lang):
            run.waiting = True
            try:
                if not self.claims.acquire(run.id, keys, run._cancel):
                    self._close(run, "cancelled", None)
                    return
                run.waiting = False
                report = CommandResult(
                    command="import", input_path=draft.path, outcomes=run.outcomes,
                    started_at=run.started_at, notes=list(draft.notes),
                )  # fmt: skip
                options = RunOptions(
                    mode=Action(settings.mode),
                    workers=settings.workers,
                    default_customer_id=client.customer_id,
                    account=client.login,
                    source=draft.name,
                )
                send_rows(
                    report, draft.rows, run.index, settings, options, client=client,
                    journal=self.journal, progress=run.progress, on_runner=run._started,
                )  # fmt: skip
                report.finished_at = datetime.now(UTC)
                stem = Path(draft.name).stem
                write_report(report, draft.table, settings, run.folder / f"{stem}.results.xlsx")
                status = "cancelled" if report.interrupted else "done"
                self._close(run, status, report.output_path)
            except Exception as exc:  # shown on the page; the journal keeps what was sent
                run.error = str(exc)
                self._close(run, "interrupted", None)
            finally:
                self.claims.release(run.id)

    def _close(self, run: Run, status: str, workbook: Path | None) -> None:
        run.counts = dict(Counter(o.outcome.value for o in run.outcomes))
        run.workbook = workbook
        run.finished_at = datetime.now(UTC)
        run.status = status
        run.waiting = False
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
