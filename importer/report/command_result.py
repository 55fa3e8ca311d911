"""What one run of a command did: one outcome per source row, its notes, its exit code.

The commands build a :class:`CommandResult`; the console prints it, the results workbook
and the audit log record it. (The engine's own counters while sending are
:class:`importer.send.engine.RunStats`; what the Summary sheet prints is
:class:`importer.report.summary_sheet.SummaryFacts`.)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from importer.errors import ExitCode
from importer.model import Outcome, RowOutcome

# The outcomes that make a run end with exit 1 ("some rows were invalid or failed").
PROBLEM_OUTCOMES = frozenset({Outcome.INVALID, Outcome.FAILED, Outcome.NOT_SENT, Outcome.REFUSED})


@dataclass
class CommandResult:
    """What a command did: one outcome per source row, and where the workbook went."""

    command: str
    input_path: Path | None
    outcomes: list[RowOutcome]
    output_path: Path | None = None
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    notes: list[str] = field(default_factory=list)
    interrupted: bool = False
    api_lost: str | None = None
    calls: dict[str, int] = field(default_factory=dict)
    sending_seconds: float = 0.0  # time the worker pool spent sending (0 with no calls)
    problem_outcomes: frozenset[Outcome] = PROBLEM_OUTCOMES  # outcomes that make exit 1

    @property
    def counts(self) -> Counter[str]:
        """How many rows had each outcome."""
        return Counter(o.outcome.value for o in self.outcomes)

    @property
    def duration(self) -> float:
        """Seconds from the start to the end of the run."""
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def exit_code(self) -> ExitCode:
        """0 all done, 1 some rows are a problem or the API was lost, 130 interrupted."""
        if self.interrupted:
            return ExitCode.INTERRUPTED
        if self.api_lost or any(o.outcome in self.problem_outcomes for o in self.outcomes):
            return ExitCode.ROWS_FAILED
        return ExitCode.OK
