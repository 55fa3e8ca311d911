"""One run of a command, start to finish: what every command does the same way.

A :class:`Job` starts from the validated rows (one outcome each), lets the command act on
the valid ones, then finishes: the end time, only the problem rows when asked, the results
workbook and the audit lines of the rows not logged yet (a row's line is written as soon as
its outcome is final: :meth:`Job.log_final_rows`, :meth:`Job.on_event`). The commands
(:mod:`~importer.commands.validate`, :mod:`~importer.commands.importing`,
:mod:`~importer.commands.delete`, :mod:`~importer.commands.status`) differ only in what they
do between.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from importer.messages import get_language, t
from importer.model import Outcome, RowDone, RowOutcome, RunEvent, SourceTable, ValidatedRow
from importer.report import audit_log as audit
from importer.report.command_result import PROBLEM_OUTCOMES, CommandResult
from importer.report.results_stream import ResultsStream
from importer.report.summary_sheet import SummaryFacts
from importer.report.workbook import write_results
from importer.rows.validation import paused_gc
from importer.settings.load import Settings, effective_settings

OUTPUT_SUFFIXES = ("results", "status", "delete")


class Job:
    """One run of ``command`` over validated ``rows``: its result, then its workbook."""

    def __init__(
        self,
        command: str,
        input_path: Path | None,
        table: SourceTable,
        rows: Sequence[ValidatedRow],
        settings: Settings,
        *,
        notes: Sequence[str] = (),
        started_at: datetime | None = None,
        problem_outcomes: frozenset[Outcome] = PROBLEM_OUTCOMES,
    ) -> None:
        self.table = table
        self.rows = rows
        self._stream: ResultsStream | None = None
        self._audit = audit.RowLines(str(input_path) if input_path else None)
        self.settings = settings
        with paused_gc():  # 100,000 outcomes: no collection walking them all as they are made
            outcomes = [validation_outcome(row) for row in rows]
        self.result = CommandResult(
            command=command,
            input_path=input_path,
            outcomes=outcomes,
            started_at=started_at or datetime.now(UTC),
            notes=list(notes),
            problem_outcomes=problem_outcomes,
        )

    @property
    def valid_index(self) -> list[int]:
        """The positions of the rows that passed validation (the ones to act on)."""
        return [i for i, row in enumerate(self.rows) if row.valid]

    def finish(
        self,
        output: Path | None,
        *,
        only_failed: bool = False,
        write: bool = True,
        extra_columns: Sequence[str] = (),
    ) -> CommandResult:
        """Stop the clock, write the audit lines not written yet, keep only the problem rows
        if asked, write the workbook (or finish the one :meth:`write_while_running` started)."""
        result, table = self.result, self.table
        result.finished_at = datetime.now(UTC)
        if only_failed:
            self._audit.keep = PROBLEM_OUTCOMES
        self._audit.rest(result.outcomes)
        if self._stream is not None:
            write_report(result, table, self.settings, output, stream=self._stream)
            return result
        if only_failed:
            result, table = keep_problem_rows(result, table)
        if write:
            write_report(result, table, self.settings, output, extra_columns)
        return result

    def write_while_running(self, output: Path | None, pending: Sequence[int]) -> None:
        """Start writing the results workbook now, while the rows at ``pending`` are sent:
        feed it the run's events (:meth:`on_event`); :meth:`finish` completes it, or
        :meth:`abandon` drops it when the run fails."""
        target = results_target(self.result, self.table, output)
        self._stream = ResultsStream(
            target, self.table, self.result.outcomes, pending, lang=get_language()
        )

    def log_final_rows(self, pending: Sequence[int], *, only_failed: bool = False) -> None:
        """Before a run of the rows at ``pending``: the audit lines of the other rows, whose
        outcome is final (invalid); the run's rows get theirs as they are done
        (:meth:`on_event`), the ones never sent at :meth:`finish`. With ``only_failed``,
        only the problem rows get a line (as in the workbook)."""
        if only_failed:
            self._audit.keep = PROBLEM_OUTCOMES
        if audit.enabled():
            self._audit.rest(self.result.outcomes, skip=frozenset(pending))

    def on_event(self, event: RunEvent) -> None:
        """A run's subscriber: each row done gets its audit line and goes to the workbook
        being written."""
        if isinstance(event, RowDone):
            self._audit.final(event.index, event.outcome)
            if self._stream is not None:
                self._stream.done(event.index, event.outcome)

    def abandon(self) -> None:
        """Drop the workbook being written (the run raised)."""
        if self._stream is not None:
            self._stream.abandon()
            self._stream = None


def validation_outcome(vrow: ValidatedRow) -> RowOutcome:
    """A row's outcome after validation: ``valid`` or ``invalid``, the dates as sent."""
    params = vrow.params or {}
    return RowOutcome(
        row=vrow.row,
        outcome=Outcome.VALID if vrow.valid else Outcome.INVALID,
        errors=list(vrow.errors),
        warnings=list(vrow.warnings),
        utc_inter=params.get("jourHeureInter", ""),
        utc_peremp=params.get("jourHeurePeremp", ""),
        id_mission=params.get("idMission", ""),
        customer_id=params.get("customerId", ""),
    )


def keep_problem_rows(
    result: CommandResult, table: SourceTable
) -> tuple[CommandResult, SourceTable]:
    """Keep just the rows that are invalid, failed or not sent (their row numbers kept)."""
    keep = [i for i, o in enumerate(result.outcomes) if o.outcome in PROBLEM_OUTCOMES]
    table = replace(table, data=table.data.iloc[keep])
    result = replace(result, outcomes=[result.outcomes[i] for i in keep])
    return result, table


def default_output(path: Path, command: str = "results") -> Path:
    """``<input stem>.<command>.xlsx`` beside the input (``results`` for import and validate).

    Re-reading one of our own workbooks does not pile the suffixes up.
    """
    stem = path.name.removesuffix(path.suffix)
    for suffix in OUTPUT_SUFFIXES:
        stem = stem.removesuffix(f".{suffix}")
    return path.with_name(f"{stem}.{command}.xlsx")


def default_ids_output(command: str, now: datetime | None = None, *, label: str = "") -> Path:
    """``<command>-<local time>.xlsx`` in the current folder, for the ``--id`` forms;
    ``<command>-<label>-<local time>.xlsx`` with a label (``status --week``: the range)."""
    moment = (now or datetime.now(UTC)).astimezone()
    name = f"{command}-{label}-" if label else f"{command}-"
    return Path(f"{name}{moment:%Y%m%d-%H%M%S}.xlsx")


def results_target(result: CommandResult, table: SourceTable, output: Path | None) -> Path:
    """Where a command's results workbook goes: ``output``, else its default name."""
    name = result.command if result.command in ("status", "delete") else "results"
    return output or (
        default_output(table.path, name) if result.input_path else default_ids_output(name)
    )


def write_report(
    result: CommandResult,
    table: SourceTable,
    settings: Settings,
    output: Path | None,
    extra_columns: Sequence[str] = (),
    *,
    stream: ResultsStream | None = None,
) -> None:
    """Write the results workbook (sets ``result.output_path``); with a ``stream``, finish
    the workbook it is writing. The audit lines are the caller's (:class:`Job` writes them
    as the rows are done)."""
    target = stream.target if stream is not None else results_target(result, table, output)
    facts = SummaryFacts(
        command=result.command,
        input_path=result.input_path,
        started_at=result.started_at,
        finished_at=result.finished_at,
        settings=effective_settings(settings),
        notes=result.notes,
    )
    if stream is not None:
        result.output_path = stream.finish(result.outcomes, facts)
    else:
        result.output_path = write_results(
            target, table, result.outcomes, facts, lang=get_language(), extra_columns=extra_columns
        )
    if result.output_path != target:
        result.notes.append(t("results.written_beside", target=target, path=result.output_path))
