"""The drop-folder service: import every finished spreadsheet that lands in an inbox.

Polling (it works on network shares). A file is taken once its size and modification
time have not changed for ``settle`` seconds and it can be opened. Its results workbook
goes to the outbox, the input to ``done/`` (or ``failed/`` when it cannot be read). One
client and one journal serve every file, so the token is renewed as needed and a file
dropped again with the same content sends nothing twice.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from importer.config import Settings
from importer.errors import ApiUnavailableError, ImporterError, InputError, JournalError
from importer.filelock import FileLock
from importer.messages import t

log = logging.getLogger("importer.watch")

SUPPORTED = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv"})
LOCK_NAME = ".mission-importer.lock"
PRUNE_FILES_AFTER_DAYS = 90
IDLE_COLLECT_EVERY = 60.0  # seconds: at most one full garbage collection a minute, when idle


def is_candidate(path: Path) -> bool:
    """A spreadsheet a person dropped, not a lock, temporary or hidden file."""
    name = path.name
    if name.startswith((".", "~")) or name.endswith(("#", ".tmp", ".part", ".crdownload")):
        return False  # hidden, ~$office lock, .~lock.libreoffice#, partial downloads
    return path.suffix.lower() in SUPPORTED and ".results." not in name


def _stamped(folder: Path, name: str) -> Path:
    """``folder/name``, or with a timestamp suffix when that name is already taken."""
    target = folder / name
    if not target.exists():
        return target
    stem, suffix = os.path.splitext(name)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    for n in range(1000):
        target = folder / f"{stem}.{stamp}{f'-{n}' if n else ''}{suffix}"
        if not target.exists():
            return target
    raise InputError(t("watch.no_free_name", folder=folder, name=name))


def inbox_lock(inbox: Path) -> FileLock:
    """One service per inbox: a lock file in it, held while running (a context manager).

    Refused at once (JournalError) while another service holds it.
    """

    def busy(pid: str) -> JournalError:
        return JournalError(t("watch.already_running", inbox=inbox))

    return FileLock(inbox / LOCK_NAME, busy=busy)


@dataclass
class Watcher:
    """Watches ``inbox`` and imports each finished file with ``settings``."""

    inbox: Path
    settings: Settings
    outbox: Path | None = None
    interval: float = 5.0
    settle: float = 2.0
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    processed: int = 0

    def __post_init__(self) -> None:
        self.outbox = self.outbox or self.inbox / "results"
        self.done = self.inbox / "done"
        self.failed = self.inbox / "failed"

    def stop(self) -> None:
        """Stop after the current file."""
        self._stop.set()

    def ready_files(self, now: float | None = None) -> list[Path]:
        """Candidates whose size and mtime have been stable for ``settle`` seconds."""
        now = time.monotonic() if now is None else now
        ready, present = [], set()
        for path in sorted(self.inbox.iterdir()):
            if not path.is_file() or not is_candidate(path):
                continue
            present.add(path)
            stat = path.stat()
            signature = (stat.st_size, stat.st_mtime_ns)
            previous = self._seen.get(path)
            if previous is None or previous[:2] != signature:
                self._seen[path] = (*signature, now)
            elif now - previous[2] >= self.settle and stat.st_size > 0 and _can_open(path):
                ready.append(path)
        for gone in set(self._seen) - present:
            del self._seen[gone]
        return ready

    def run(self, *, once: bool = False) -> int:
        """Process files until stopped (or, with ``once``, until the inbox is empty)."""
        from importer.jobs import open_client, open_journal

        for folder in (self.outbox, self.done, self.failed):
            folder.mkdir(parents=True, exist_ok=True)
        with (
            inbox_lock(self.inbox),
            open_journal(self.settings) as journal,
            contextlib.ExitStack() as stack,  # the client: logged in at the first file only
        ):
            journal.prune_files(older_than_days=PRUNE_FILES_AFTER_DAYS)
            client = None
            worked, collected_at = False, float("-inf")
            while not self._stop.is_set():
                ready = self.ready_files()
                for path in ready:
                    if self._stop.is_set():
                        break
                    if client is None:
                        client = stack.enter_context(open_client(self.settings))
                    self.process(path, client, journal)
                    worked = True
                if worked and not ready and time.monotonic() - collected_at >= IDLE_COLLECT_EVERY:
                    # Idle: a full collection (~0.1 s). Validation pauses the collector and
                    # freezes what survives, which resets its counters: in a process that
                    # validates file after file, the oldest generation is never collected.
                    gc.collect()
                    worked, collected_at = False, time.monotonic()
                if once and not ready and not self._pending():
                    break
                self._stop.wait(
                    min(self.interval, self.settle) if self._pending() else self.interval
                )
        return self.processed

    def _pending(self) -> bool:
        return any(p.exists() for p in self._seen)

    def process(self, path: Path, client: Any, journal: Any) -> None:
        """Import one file, file its results, move it to done/ or failed/."""
        from importer.jobs import import_file
        from importer.journal import file_hash

        started = time.monotonic()
        digest = file_hash(path)
        earlier = journal.find_file(digest)
        notes = (
            [t("watch.already_processed", when=earlier.processed_at, results=earlier.results_path)]
            if earlier
            else []
        )
        output = _stamped(self.outbox, f"{path.stem}.results.xlsx")
        try:
            report = import_file(
                path,
                self.settings,
                output=output,
                show_progress=False,
                client=client,
                journal=journal,
                notes=notes,
            )
        except ApiUnavailableError:
            raise  # not the file's fault: leave it in the inbox for the next start
        except ImporterError as error:
            target = _stamped(self.failed, path.name)
            path.replace(target)
            target.with_name(target.name + ".error.txt").write_text(
                error.message + "\n", encoding="utf-8"
            )
            log.warning(t("watch.file_failed", file=path.name, reason=error.message, target=target))
            self._seen.pop(path, None)
            self.processed += 1
            return
        journal.record_file(digest, path.name, str(report.output_path), dict(report.counts))
        path.replace(_stamped(self.done, path.name))
        self._seen.pop(path, None)
        self.processed += 1
        counts = ", ".join(f"{k} {v}" for k, v in sorted(report.counts.items()))
        log.info(
            t(
                "watch.file_done",
                file=path.name,
                counts=counts or "0",
                seconds=f"{time.monotonic() - started:.1f}",
                results=report.output_path,
            )
        )


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
