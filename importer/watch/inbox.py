"""The drop folder's files: which ones are inputs, when one is finished, where it goes.

The service (:mod:`importer.watch.service`) asks these questions; this module answers them with
the file system only: no network, no journal.

* :func:`is_candidate`: a spreadsheet a person dropped (not a lock or temporary file);
* :func:`looks_unfinished`: a zip that cannot be opened yet, or a CSV whose last line has
  no line end (or an empty file): what a copy still in progress looks like;
* :func:`fate_of`: where a processed file goes, from its rows' outcomes;
* :class:`WaitBook`: the files waiting for another try, kept in a hidden file of the inbox
  so that their tries and first try survive a restart;
* :class:`ProcessedBook`: the files already processed, by content, in another hidden file,
  so that a file dropped again is recognised.
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from importer.errors import InputError
from importer.messages import t
from importer.model import Outcome, RowOutcome

SUPPORTED = frozenset({".xlsx", ".xlsm", ".xls", ".ods", ".csv"})
ZIPPED = frozenset({".xlsx", ".xlsm", ".ods"})
WAIT_BOOK_NAME = ".mission-importer-waiting.json"
PROCESSED_BOOK_NAME = ".mission-importer-processed.json"
MAX_RETRY_PAUSE = 3600.0  # seconds: the growing pause between two tries stops growing here

# The folders of the inbox (one name in every language: scripts and people share them).
DONE, TO_FIX, FAILED, WAITING = "done", "to_fix", "failed", "waiting"


def is_candidate(path: Path) -> bool:
    """A spreadsheet a person dropped, not a lock, temporary or hidden file.

    A results workbook dropped back after fixing is an input like any other.
    """
    name = path.name
    if name.startswith((".", "~")) or name.endswith(("#", ".tmp", ".part", ".crdownload")):
        return False  # hidden, ~$office lock, .~lock.libreoffice#, partial downloads
    return path.suffix.lower() in SUPPORTED


def signature(path: Path) -> tuple[int, int]:
    """``(size, mtime in ns)``: what changes while a file is being written."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def looks_unfinished(path: Path) -> str | None:
    """Why the file looks still being written (``"empty"``, ``"zip"``, ``"line"``), or None."""
    try:
        if path.stat().st_size == 0:
            return "empty"
        suffix = path.suffix.lower()
        if suffix in ZIPPED:
            with zipfile.ZipFile(path):
                return None
        if suffix == ".csv":
            with path.open("rb") as handle:
                handle.seek(-1, os.SEEK_END)
                return None if handle.read(1) in (b"\n", b"\r") else "line"
    except (OSError, zipfile.BadZipFile, EOFError):
        return "zip" if path.suffix.lower() in ZIPPED else None
    return None


def is_retryable(outcome: RowOutcome) -> bool:
    """A row worth another try: not sent, or failed on a timeout, a lost connection, 5xx, 429."""
    if outcome.outcome is Outcome.NOT_SENT:
        return True
    if outcome.outcome is not Outcome.FAILED:
        return False
    status = outcome.http_status
    return status is None or status == 429 or status >= 500


@dataclass(frozen=True)
class Fate:
    """Where a processed file goes (:data:`DONE`, :data:`TO_FIX`, :data:`WAITING`) and why."""

    folder: str
    to_fix: int  # rows a person must look at (invalid, refused for good)
    waiting: int  # rows worth another try


def fate_of(outcomes: list[RowOutcome]) -> Fate:
    """Done when every valid row is final; waiting while some may still go; else to fix."""
    waiting = sum(is_retryable(o) for o in outcomes)
    to_fix = sum(
        o.outcome is Outcome.INVALID or (o.outcome is Outcome.FAILED and not is_retryable(o))
        for o in outcomes
    )
    folder = WAITING if waiting else TO_FIX if to_fix else DONE
    return Fate(folder=folder, to_fix=to_fix, waiting=waiting)


def retry_pause(first: float, tries: int) -> float:
    """Seconds before try ``tries + 1``: ``first``, doubled after each try, at most an hour."""
    return min(first * 2 ** max(tries - 1, 0), max(first, MAX_RETRY_PAUSE))


def stamped(folder: Path, name: str) -> Path:
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


@dataclass
class Waiting:
    """A file waiting for another try: its content, tries so far and where its results are."""

    digest: str
    tries: int
    first_try: float  # time.time() of the first try
    results: str  # the results workbook, rewritten at each try


class WaitBook:
    """The waiting files of an inbox, by name, saved in a hidden JSON file of the inbox."""

    def __init__(self, inbox: Path) -> None:
        self.path = inbox / WAIT_BOOK_NAME
        self.entries: dict[str, Waiting] = _load(self.path, Waiting)

    def get(self, name: str, digest: str) -> Waiting | None:
        """The entry of this file when its content is the one that waited, else None."""
        entry = self.entries.get(name)
        return entry if entry is not None and entry.digest == digest else None

    def put(self, name: str, entry: Waiting) -> None:
        self.entries[name] = entry
        self._save()

    def forget(self, name: str) -> None:
        if self.entries.pop(name, None) is not None:
            self._save()

    def keep_only(self, names: set[str]) -> None:
        """Forget the files no longer in the inbox (a person took them away)."""
        if set(self.entries) - names:
            self.entries = {n: e for n, e in self.entries.items() if n in names}
            self._save()

    def _save(self) -> None:
        _save(self.path, self.entries)


def file_hash(path: Path, *, chunk_size: int = 1 << 20) -> str:
    """Return the sha256 hex digest of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk_size):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class Processed:
    """A file the service processed: its name then, its results workbook, its counts."""

    name: str
    results_path: str | None
    counts: dict[str, int]
    processed_at: str  # ISO 8601, UTC


class ProcessedBook:
    """The files an inbox's service processed, by content hash, in a hidden JSON file."""

    def __init__(self, inbox: Path) -> None:
        self.path = inbox / PROCESSED_BOOK_NAME
        self.entries: dict[str, Processed] = _load(self.path, Processed)

    def find(self, digest: str) -> Processed | None:
        """The record of a file already processed with this content, or None."""
        return self.entries.get(digest)

    def record(
        self, digest: str, name: str, results_path: str | None, counts: dict[str, int]
    ) -> None:
        """Remember that a file with this content was processed (the latest one wins)."""
        when = datetime.now(UTC).isoformat(timespec="milliseconds")
        counts = {str(k): int(v) for k, v in counts.items()}
        self.entries[digest] = Processed(name, results_path, counts, when)
        _save(self.path, self.entries)

    def prune(self, *, older_than_days: float) -> int:
        """Forget the files processed longer ago than that; return how many."""
        limit = (datetime.now(UTC) - timedelta(days=older_than_days)).isoformat()
        old = [digest for digest, e in self.entries.items() if e.processed_at < limit]
        for digest in old:
            del self.entries[digest]
        if old:
            _save(self.path, self.entries)
        return len(old)


def _load(path: Path, kind: type) -> dict:
    """The entries of a book, each made of ``kind``; none when missing or unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return {name: kind(**entry) for name, entry in raw.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}  # none yet, or unreadable: every file starts afresh


def _save(path: Path, entries: dict) -> None:
    """Write a book atomically (a temporary file renamed); no file when it is empty."""
    if not entries:
        path.unlink(missing_ok=True)
        return
    text = json.dumps({name: asdict(e) for name, e in entries.items()}, indent=1)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
