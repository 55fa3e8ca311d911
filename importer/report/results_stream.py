"""The results workbook written while a run sends, instead of after it.

A :class:`ResultsStream` writes the Results sheet in a thread of its own, top to bottom as
constant-memory mode requires: a row as soon as it and every row above it have their final
outcome (rows not sent have theirs from the start; a sent row's comes with its ``done``).
:meth:`ResultsStream.finish` hands over the final outcomes: the rows not written yet, the
Errors and Summary sheets follow, and the file is renamed into place. The workbook is the
one :func:`~importer.report.workbook.write_results` writes from the same outcomes.
"""

from __future__ import annotations

import contextvars
import queue
import threading
from collections.abc import Collection, Sequence
from pathlib import Path

from importer.messages import language_context
from importer.model import RowOutcome, SourceTable
from importer.report.summary_sheet import SummaryFacts
from importer.report.workbook import ResultsWriter, open_workbook, save_atomically

_ABANDON = object()


class _Abandoned(Exception):
    pass


class ResultsStream:
    """Write ``path`` while a run goes: ``outcomes`` are the rows' outcomes at the start,
    final except at the positions in ``pending`` (those the run sends)."""

    def __init__(
        self,
        path: Path,
        table: SourceTable,
        outcomes: Sequence[RowOutcome],
        pending: Collection[int],
        *,
        lang: str = "en",
        extra_columns: Sequence[str] = (),
    ) -> None:
        if len(outcomes) != len(table.data):
            raise ValueError(f"{len(outcomes)} outcomes for {len(table.data)} rows")
        self.target = Path(path)
        self._table = table
        self._first = list(outcomes)
        self._pending = set(pending)
        self._lang = "fr" if lang == "fr" else "en"
        self._extra = list(extra_columns)
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._written: Path | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=contextvars.copy_context().run, args=(self._main,), name="results", daemon=True
        )
        self._thread.start()

    def done(self, position: int, outcome: RowOutcome) -> None:
        """The row at ``position`` has its final outcome (from any thread)."""
        self._queue.put((position, outcome))

    def finish(self, outcomes: list[RowOutcome], summary: SummaryFacts) -> Path:
        """Write the rest with the final ``outcomes``; the path written (as write_results)."""
        self._queue.put((outcomes, summary))
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._written is not None
        return self._written

    def abandon(self) -> None:
        """Stop and leave no file (the run ended with an exception)."""
        self._queue.put(_ABANDON)
        self._thread.join()

    def _main(self) -> None:
        try:
            self._written = save_atomically(self.target, self._build)
        except _Abandoned:
            pass
        except BaseException as exc:  # handed to finish()
            self._error = exc

    def _take(self, ready: dict[int, RowOutcome]) -> tuple | None:
        """The next message: a row's outcome goes into ``ready`` (None), or the end."""
        item = self._queue.get()
        if item is _ABANDON:
            raise _Abandoned
        position, value = item
        if isinstance(position, int):
            ready[position] = value
            return None
        return item

    def _build(self, tmp: Path) -> None:
        with open_workbook(tmp) as workbook, language_context(self._lang):
            writer = ResultsWriter(workbook, self._lang)
            writer.begin(self._table, self._extra)
            ready: dict[int, RowOutcome] = {}
            ending = None
            rows = self._table.data.itertuples(index=False, name=None)
            for position, values in enumerate(rows):
                while ending is None and position in self._pending and position not in ready:
                    ending = self._take(ready)
                if ending is not None:  # the final outcomes, from here on
                    out = ending[0][position]
                elif position in self._pending:
                    out = ready.pop(position)
                else:
                    out = self._first[position]
                writer.row(position, values, out)
            while ending is None:
                ending = self._take(ready)
            outcomes, summary = ending
            writer.end(outcomes, summary)
