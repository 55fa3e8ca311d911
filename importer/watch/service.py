"""The drop-folder service: import every finished spreadsheet that lands in an inbox.

Polling (it works on network shares). A file is taken once its size and modification
time have not changed for ``settle`` seconds; one that looks unfinished (a zip that
cannot be opened yet, a CSV whose last line has no line end) only after the longer
``watch_incomplete_seconds``. A file leaves the inbox only when its fate is final:
``done/`` when every valid row reached a final outcome, ``to_fix/`` (with its results
workbook beside it) when a person must act, ``failed/`` when it cannot be read. A file
with rows not sent yet waits in the inbox and is tried again after a growing pause. One
client and one journal serve every file, so the token is renewed as needed and a file
taken again sends only what was not accepted yet.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from importer.errors import ApiUnavailableError, ExitCode, ImporterError, JournalError
from importer.filelock import FileLock
from importer.messages import t
from importer.settings.load import Settings
from importer.watch.inbox import (
    DONE,
    FAILED,
    TO_FIX,
    WAITING,
    Fate,
    ProcessedBook,
    WaitBook,
    Waiting,
    fate_of,
    file_hash,
    is_candidate,
    looks_unfinished,
    retry_pause,
    signature,
    stamped,
)

log = logging.getLogger("importer.watch")

__all__ = ["Watcher", "inbox_lock", "is_candidate", "stop_on_signals"]

LOCK_NAME = ".mission-importer.lock"
PRUNE_FILES_AFTER_DAYS = 90
IDLE_COLLECT_EVERY = 60.0  # seconds: at most one full garbage collection a minute, when idle
FOLDER_CODES = {DONE: ExitCode.OK, WAITING: ExitCode.ROWS_FAILED, TO_FIX: ExitCode.ROWS_FAILED}


def inbox_lock(inbox: Path) -> FileLock:
    """One service per inbox: a lock file in it, held while running (a context manager).

    Refused at once (JournalError) while another service holds it.
    """

    def busy(pid: str) -> JournalError:
        return JournalError(t("watch.already_running", inbox=inbox))

    return FileLock(inbox / LOCK_NAME, busy=busy)


@dataclass
class Watcher:
    """Watches ``inbox`` and imports each finished file with ``settings``.

    After :meth:`run`, ``exit_code`` is the worst of the files' (3 > 2 > 1 > 0), or 130
    when a second Ctrl-C cut a file short.
    """

    inbox: Path
    settings: Settings
    outbox: Path | None = None
    interval: float = 5.0
    settle: float | None = None  # None: settings.watch_settle_seconds
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)
    _retry_at: dict[Path, float] = field(default_factory=dict)  # monotonic time of next try
    _left: set[Path] = field(default_factory=set)  # unfinished, left for a later run (--once)
    _stop: threading.Event = field(default_factory=threading.Event)
    processed: int = 0
    exit_code: ExitCode = ExitCode.OK

    def __post_init__(self) -> None:
        self.outbox = self.outbox or self.inbox / "results"
        if self.settle is None:
            self.settle = self.settings.watch_settle_seconds
        self.done = self.inbox / DONE
        self.to_fix = self.inbox / TO_FIX
        self.failed = self.inbox / FAILED
        self.waits = WaitBook(self.inbox)
        self.processed_files = ProcessedBook(self.inbox)

    def stop(self) -> None:
        """Stop after the current file."""
        self._stop.set()

    def ready_files(self, now: float | None = None, *, once: bool = False) -> list[Path]:
        """Files to take now: quiet long enough for what they look like, not waiting a retry.

        With ``once``, an unfinished zip quiet for the longer wait but not yet for the
        grace period is left for a later run instead of being waited for.
        """
        now = time.monotonic() if now is None else now
        ready, present = [], set()
        for path in sorted(self.inbox.iterdir()):
            if not path.is_file() or not is_candidate(path) or self._is_own_output(path):
                continue
            present.add(path)
            sig = signature(path)
            previous = self._seen.get(path)
            if previous is None or previous[:2] != sig:
                self._seen[path] = (*sig, now)
                self._left.discard(path)
                self._retry_at.pop(path, None)  # new content: taken as soon as it settles
                continue
            if self._retry_at.get(path, now) > now or path in self._left:
                continue
            if self._is_ready(path, now - previous[2], once=once):
                ready.append(path)
        for gone in set(self._seen) - present:
            self._forget(gone)
        return ready

    def _is_ready(self, path: Path, quiet: float, *, once: bool) -> bool:
        assert self.settle is not None
        if quiet < self.settle:
            return False
        unfinished = looks_unfinished(path)
        if unfinished is None:
            return _can_open(path)
        if quiet < self.settings.watch_incomplete_seconds:
            return False
        if unfinished != "zip" or self._past_grace(path, quiet):
            return True  # a CSV may end without a line end; an empty file is read (and fails)
        if once:
            self._left.add(path)
            log.info(t("watch.still_unfinished", file=path.name))
            self._worst(ExitCode.ROWS_FAILED)
        return False

    def _past_grace(self, path: Path, quiet: float) -> bool:
        grace = self.settings.watch_grace_minutes * 60
        return quiet >= grace or time.time() - path.stat().st_mtime >= grace

    def _is_own_output(self, path: Path) -> bool:
        """A results workbook the service wrote, when the outbox is the inbox itself."""
        assert self.outbox is not None
        same = self.outbox.resolve() == self.inbox.resolve()
        return same and path.name.endswith(".results.xlsx")

    def _forget(self, path: Path) -> None:
        self._seen.pop(path, None)
        self._retry_at.pop(path, None)
        self._left.discard(path)

    def run(self, *, once: bool = False) -> int:
        """Process files until stopped (or, with ``once``, until nothing is left to take).

        Returns how many files were processed; ``exit_code`` says how it went.
        """
        from importer.commands.connect import open_client, open_journal

        for folder in (self.outbox, self.done, self.to_fix, self.failed):
            folder.mkdir(parents=True, exist_ok=True)
        with (
            inbox_lock(self.inbox),
            open_journal(self.settings) as journal,
            contextlib.ExitStack() as stack,  # the client: logged in at the first file only
        ):
            self.processed_files.prune(older_than_days=PRUNE_FILES_AFTER_DAYS)
            self.waits.keep_only({p.name for p in self.inbox.iterdir() if p.is_file()})
            client = None
            worked, collected_at = False, float("-inf")
            while not self._stop.is_set():
                ready = self.ready_files(once=once)
                for path in ready:
                    if self._stop.is_set():
                        break
                    if client is None:
                        client = stack.enter_context(open_client(self.settings))
                    self.process(path, client, journal, once=once)
                    worked = True
                if worked and not ready and time.monotonic() - collected_at >= IDLE_COLLECT_EVERY:
                    # Idle: a full collection (~0.1 s). Validation pauses the collector and
                    # freezes what survives, which resets its counters: in a process that
                    # validates file after file, the oldest generation is never collected.
                    gc.collect()
                    worked, collected_at = False, time.monotonic()
                if once and not ready and not self._pending():
                    break
                assert self.settle is not None
                self._stop.wait(
                    min(self.interval, self.settle) if self._pending() else self.interval
                )
        return self.processed

    def _pending(self) -> bool:
        """Files seen that are still settling (not waiting for a retry, not left)."""
        return any(
            p.exists() and p not in self._retry_at and p not in self._left for p in self._seen
        )

    def _worst(self, code: ExitCode) -> None:
        self.exit_code = max(self.exit_code, code)

    def process(self, path: Path, client: Any, journal: Any, *, once: bool = False) -> None:
        """Import one file, then file it by its fate (or leave it waiting for a retry)."""
        started = time.monotonic()
        read_sig = self._pick_up(path)
        if read_sig is None:
            return
        if looks_unfinished(path) == "zip":  # past the grace period (see _is_ready)
            minutes = f"{self.settings.watch_grace_minutes:g}"
            self._fail(path, t("watch.why_unfinished", minutes=minutes), {})
            return
        digest = file_hash(path)
        waiting = self.waits.get(path.name, digest)
        try:
            report = self._import(path, digest, waiting, client, journal)
        except ApiUnavailableError:
            raise  # not the file's fault: leave it in the inbox for the next start
        except ImporterError as error:
            if not self._changed(path, read_sig):
                self._fail(path, error.message, {})
            return
        if self._changed(path, read_sig):
            if not waiting:  # a stale workbook; a waiting file's is rewritten at its next try
                Path(report.output_path).unlink(missing_ok=True)
            return
        if report.interrupted:
            self._worst(ExitCode.INTERRUPTED)
        fate = fate_of(report.outcomes)
        if fate.folder == WAITING:
            self._still_waiting(path, report, fate, digest, waiting, started, once=once)
            return
        counts = dict(sorted(report.counts.items()))
        self.processed_files.record(digest, path.name, str(report.output_path), counts)
        reason = (
            t("watch.why_to_fix", count=fate.to_fix)
            if fate.folder == TO_FIX
            else t("watch.why_done")
        )
        self._file(path, fate.folder, report.output_path, counts, reason, started)

    def _pick_up(self, path: Path) -> tuple[int, int] | None:
        """Log the file as picked up; its signature, or None when it is gone meanwhile."""
        try:
            read_sig = signature(path)
        except OSError:  # renamed or removed since it was seen: nothing to take
            self._forget(path)
            return None
        size = read_sig[0]
        log.info(
            t("watch.picked_up", file=path.name, size=size),
            extra={"audit": {"event": "file_picked_up", "file": path.name, "size": size}},
        )
        return read_sig

    def _import(
        self, path: Path, digest: str, waiting: Waiting | None, client: Any, journal: Any
    ) -> Any:
        """Run the import of one file with the service's client and journal; its CommandResult."""
        from importer.commands.importing import import_file
        from importer.commands.job import default_output

        earlier = self.processed_files.find(digest)
        notes = (
            [t("watch.already_processed", when=earlier.processed_at, results=earlier.results_path)]
            if earlier
            else []
        )
        assert self.outbox is not None
        output = (
            Path(waiting.results) if waiting else stamped(self.outbox, default_output(path).name)
        )
        return import_file(
            path,
            self.settings,
            output=output,
            show_progress=False,
            client=client,
            journal=journal,
            notes=notes,
        )

    def _still_waiting(
        self,
        path: Path,
        report: Any,
        fate: Fate,
        digest: str,
        waiting: Waiting | None,
        started: float,
        *,
        once: bool,
    ) -> None:
        """Leave the file waiting for another try, or give up on it (to_fix/) past the limits."""
        counts = dict(sorted(report.counts.items()))
        entry = Waiting(
            digest=digest,
            tries=(waiting.tries if waiting else 0) + (0 if report.interrupted else 1),
            first_try=waiting.first_try if waiting else time.time(),
            results=str(report.output_path),
        )
        if not self._gave_up(entry):
            self._wait(path, entry, fate, counts, once=once)
            return
        reason = t(
            "watch.why_gave_up",
            count=fate.waiting,
            tries=entry.tries,
            hours=f"{(time.time() - entry.first_try) / 3600:.1f}",
        )
        self._file(path, TO_FIX, report.output_path, counts, reason, started)

    def _changed(self, path: Path, read_sig: tuple[int, int]) -> bool:
        """True (and the file is read again later) when it changed since it was read."""
        try:
            changed = signature(path) != read_sig
        except OSError:
            changed = True  # gone or renamed meanwhile: nothing to file
        if changed:
            log.info(t("watch.changed", file=path.name))
            self._seen.pop(path, None)  # settles again from its new size and time
        return changed

    def _gave_up(self, entry: Waiting) -> bool:
        hours = (time.time() - entry.first_try) / 3600
        return entry.tries >= self.settings.watch_max_tries or (
            entry.tries > 0 and hours >= self.settings.watch_max_hours
        )

    def _wait(
        self, path: Path, entry: Waiting, fate: Fate, counts: dict[str, int], *, once: bool
    ) -> None:
        self.waits.put(path.name, entry)
        pause = retry_pause(self.settings.watch_retry_seconds, entry.tries)
        self._retry_at[path] = time.monotonic() + pause
        self._worst(FOLDER_CODES[WAITING])
        reason = (
            t("watch.why_waiting_once", count=fate.waiting)
            if once
            else t("watch.why_waiting", count=fate.waiting, seconds=f"{pause:g}")
        )
        self._log_end(path.name, counts, WAITING, reason, Path(entry.results))

    def _file(
        self,
        path: Path,
        folder: str,
        results: Path | None,
        counts: dict[str, int],
        reason: str,
        started: float,
    ) -> None:
        """Move the file (and, to to_fix/, its results workbook) out of the inbox."""
        target = stamped(self.inbox / folder, path.name)
        path.replace(target)
        if folder == TO_FIX and results is not None and results.exists():
            results = results.replace(stamped(target.parent, results.name))
        self.waits.forget(path.name)
        self._forget(path)
        self.processed += 1
        self._worst(FOLDER_CODES[folder])
        seconds = f"{time.monotonic() - started:.1f}"
        self._log_end(path.name, counts, folder, reason, results, seconds=seconds)

    def _fail(self, path: Path, reason: str, counts: dict[str, int]) -> None:
        target = stamped(self.failed, path.name)
        path.replace(target)
        target.with_name(target.name + ".error.txt").write_text(reason + "\n", encoding="utf-8")
        self.waits.forget(path.name)
        self._forget(path)
        self.processed += 1
        self._worst(ExitCode.BAD_INPUT)
        self._log_end(path.name, counts, FAILED, reason, None, level=logging.WARNING)

    def _log_end(
        self,
        name: str,
        counts: dict[str, int],
        folder: str,
        reason: str,
        results: Path | None,
        *,
        seconds: str | None = None,
        level: int = logging.INFO,
    ) -> None:
        shown = ", ".join(f"{k} {v}" for k, v in counts.items()) or "0"
        audit = {
            "event": "file_finished",
            "file": name,
            "counts": counts,
            "folder": folder,
            "reason": reason,
            "results": str(results) if results else None,
        }
        key = "watch.file_waits" if folder == WAITING else "watch.file_end"
        message = t(key, file=name, counts=shown, folder=folder, reason=reason)
        if results is not None:
            message += t("watch.results_in", results=results)
        if seconds is not None:
            message += t("watch.took", seconds=seconds)
        log.log(level, message, extra={"audit": audit})


def _can_open(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.read(1)
    except OSError:
        return False
    return True


@contextlib.contextmanager
def stop_on_signals(watcher: Watcher) -> Iterator[None]:
    """SIGTERM and a first Ctrl-C stop the watcher after the current file."""

    def handler(signum: int, frame: object) -> None:
        if watcher._stop.is_set():
            raise KeyboardInterrupt
        log.info(t("watch.stopping"))
        watcher.stop()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
