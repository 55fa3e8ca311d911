"""The audit log: JSON lines a person (or a script) reads to know what happened, and when.

``--log-file`` attaches a :class:`JsonLinesHandler` to the ``importer`` loggers. Any log
record carrying an ``audit`` dict (``log.info(text, extra={"audit": {"event": ...}})``)
becomes one JSON line with the common fields added: ``time`` (ISO 8601 with its offset),
``run_id`` and ``command``. Warnings and errors without one become ``"event": "log"``.
Each line is written with a single ``os.write`` on a file opened with ``O_APPEND``, so the
lines of runs sharing one file never interleave mid-line.

A row's line is written as soon as its outcome is final (:class:`RowLines`, a subscriber of
the run's ``RowDone`` events), once: ``tail -f`` follows a long run, and a run killed midway
leaves the lines of the rows it did.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import uuid
from collections.abc import Collection, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from importer import result_columns
from importer.model import Outcome, RowDone, RowOutcome, RunEvent

ROOT_LOGGER = "importer"
log = logging.getLogger("importer.report.audit_log")  # the row and run events; not shown on stderr
log.propagate = False
log.setLevel(logging.INFO)


def now_iso() -> str:
    """The local time, ISO 8601 with its UTC offset (e.g. 2026-12-05T09:12:03.120+01:00)."""
    return datetime.now().astimezone().isoformat(timespec="milliseconds")


class JsonLinesHandler(logging.Handler):
    """Writes audit records (and warnings) as JSON lines to an owner-only, appended file."""

    def __init__(self, path: Path, command: str, run_id: str | None = None) -> None:
        super().__init__(logging.INFO)
        self.path = path
        self.command = command
        self.run_id = run_id or uuid.uuid4().hex[:12]
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        self._write_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        audit = getattr(record, "audit", None)
        if isinstance(audit, dict):
            fields: dict[str, Any] = dict(audit)
            fields.setdefault("message", record.getMessage())
        elif record.levelno >= logging.WARNING:
            fields = {
                "event": "log",
                "level": record.levelname.lower(),
                "message": record.getMessage(),
            }
        else:
            return
        try:
            self.write(fields)
        except Exception:  # a full disk must not stop the import: say so on stderr
            self.handleError(record)

    def write(self, fields: dict[str, Any]) -> None:
        """Write one line: the common fields, then ``fields``."""
        line = {"time": now_iso(), "run_id": self.run_id, "command": self.command, **fields}
        data = (json.dumps(line, ensure_ascii=False, default=str) + "\n").encode("utf-8")
        with self._write_lock:
            while data:  # one write in practice; a partial one (disk full) goes on
                data = data[os.write(self._fd, data) :]

    def close(self) -> None:
        with self._write_lock:
            if self._fd >= 0:
                os.close(self._fd)
                self._fd = -1
        super().close()


_attached: list[JsonLinesHandler] = []


def attach(path: Path, command: str) -> JsonLinesHandler:
    """Start writing the audit log of this run to ``path``; returns the handler."""
    handler = JsonLinesHandler(path, command)
    for name in (ROOT_LOGGER, log.name):  # importer.report.audit_log does not propagate
        logging.getLogger(name).addHandler(handler)
    _attached.append(handler)
    handler.write({"event": "run_started", "pid": os.getpid()})
    return handler


def detach_all() -> None:
    """Stop and close every handler :func:`attach` added (end of a command)."""
    while _attached:
        handler = _attached.pop()
        for name in (ROOT_LOGGER, log.name):
            logging.getLogger(name).removeHandler(handler)
        handler.close()


def enabled() -> bool:
    """True when an audit log is being written (rows are worth turning into records)."""
    return bool(_attached)


def event(name: str, text: str = "", **fields: Any) -> None:
    """Log one audit event (a no-op when no audit log is attached)."""
    if _attached:
        log.info(text or name, extra={"audit": {"event": name, **fields}})


def row_record(outcome: RowOutcome, source: str | None) -> dict[str, Any]:
    """The audit record of one row's outcome: whose mission, then every result column."""
    return {"event": "row", "source": source, **result_columns.row_record(outcome)}


class RowLines:
    """Each row's line, written once, as soon as its outcome is final.

    Rows are known by their position in the command's rows (a ``RowDone``'s ``index``).
    :meth:`final` writes a row's line (a second call for the same position writes nothing);
    :meth:`on_event`, a run's subscriber, does it for each row the run finishes; :meth:`rest`
    writes the rows not written yet, in row order (the end of the command). With ``keep``
    (``--only-failed``), only the rows with those outcomes get a line. A no-op when no
    audit log is attached.
    """

    def __init__(self, source: str | None, keep: Collection[Outcome] | None = None) -> None:
        self.source = source
        self.keep = keep
        self._written: set[int] = set()
        self._lock = threading.Lock()

    def final(self, index: int, outcome: RowOutcome) -> None:
        """The row at ``index`` reached ``outcome`` for good: its line, unless written."""
        if not _attached:
            return
        with self._lock:
            if index in self._written:
                return
            self._written.add(index)
        if self.keep is None or outcome.outcome in self.keep:
            _row_line(outcome, self.source)

    def on_event(self, event: RunEvent) -> None:
        """A run's subscriber: a row done is final."""
        if isinstance(event, RowDone):
            self.final(event.index, event.outcome)

    def rest(self, outcomes: Iterable[RowOutcome], skip: Collection[int] = ()) -> None:
        """The lines of every row not written yet (but those at ``skip``), in row order."""
        if not _attached:
            return
        for index, outcome in enumerate(outcomes):
            if index not in skip:
                self.final(index, outcome)


def rows(outcomes: Iterable[RowOutcome], source: str | None) -> None:
    """Log one audit line per row outcome (a no-op when no audit log is attached)."""
    RowLines(source).rest(outcomes)


def _row_line(outcome: RowOutcome, source: str | None) -> None:
    record = row_record(outcome, source)
    log.info("row %s: %s", outcome.row, record["outcome"], extra={"audit": record})
