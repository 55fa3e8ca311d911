"""The commands as library functions: validate, import, status and delete a file of missions.

Each job wires the steps of the flow (read -> map -> validate -> plan/send -> record) and
returns a :class:`JobReport`; the CLI only prints it and exits with its code.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from importer.errors import ExitCode, UsageError
from importer.messages import get_language, t
from importer.model import (
    Action,
    HeaderMap,
    Outcome,
    RowOutcome,
    SourceTable,
    ValidatedRow,
)
from importer.read.table import read_table
from importer.report import audit_log as audit
from importer.report.progress import Progress
from importer.report.summary_sheet import SummaryFacts
from importer.report.workbook import write_results
from importer.rows.columns import map_headers
from importer.rows.rules import paused_gc, validate_table
from importer.settings.load import Settings, effective_settings

if TYPE_CHECKING:
    from importer.send.client import OceanClient
    from importer.send.engine import BatchRunner, RunOptions, RunStats
    from importer.send.journal import Journal

OUTPUT_SUFFIXES = ("results", "status", "delete")
PROBLEM_OUTCOMES = frozenset({Outcome.INVALID, Outcome.FAILED, Outcome.NOT_SENT, Outcome.REFUSED})


@dataclass
class Prepared:
    """A file read, mapped and validated."""

    table: SourceTable
    header_map: HeaderMap
    rows: list[ValidatedRow]
    notes: list[str] = field(default_factory=list)


@dataclass
class JobReport:
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
        return Counter(o.outcome.value for o in self.outcomes)

    @property
    def duration(self) -> float:
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def exit_code(self) -> ExitCode:
        if self.interrupted:
            return ExitCode.INTERRUPTED
        if self.api_lost or any(o.outcome in self.problem_outcomes for o in self.outcomes):
            return ExitCode.ROWS_FAILED
        return ExitCode.OK


def call_counts(client: Any) -> dict[str, int]:
    """HTTP requests per API call, plus retries, renewals... as one flat dict."""
    snapshot = client.stats.snapshot()
    return {**snapshot.pop("requests"), **snapshot}


def default_output(path: Path, command: str = "results") -> Path:
    """``<input stem>.<command>.xlsx`` beside the input (``results`` for import and validate).

    Re-reading one of our own workbooks does not pile the suffixes up.
    """
    stem = path.name.removesuffix(path.suffix)
    for suffix in OUTPUT_SUFFIXES:
        stem = stem.removesuffix(f".{suffix}")
    return path.with_name(f"{stem}.{command}.xlsx")


def default_ids_output(command: str, now: datetime | None = None) -> Path:
    """``<command>-<local time>.xlsx`` in the current folder, for the ``--id`` forms."""
    moment = (now or datetime.now(UTC)).astimezone()
    return Path(f"{command}-{moment:%Y%m%d-%H%M%S}.xlsx")


def prepare(path: Path, settings: Settings, *, now: datetime | None = None) -> Prepared:
    """Read, map and validate a file; raises InputError when it cannot be read."""
    table = read_table(
        path, sheet=settings.sheet, max_rows=settings.max_rows, user_mapping=settings.columns
    )
    header_map = map_headers(table.headers, settings.columns, source=path.name)
    notes = list(table.warnings)
    notes += [t("columns.unknown_column", column=column) for column in header_map.unknown]
    rows = validate_table(table, header_map, settings, now=now)
    return Prepared(table=table, header_map=header_map, rows=rows, notes=notes)


def validation_outcome(vrow: ValidatedRow) -> RowOutcome:
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


def name_invalid_rows(outcomes: Sequence[RowOutcome], prepared: Prepared) -> None:
    """Give invalid rows the idMission typed in the source (for the audit log)."""
    column = prepared.header_map.column_for("idMission")
    if column is None or not audit.enabled():
        return
    values = prepared.table.data[column].tolist()
    if len(values) != len(outcomes):
        return
    for outcome, value in zip(outcomes, values, strict=True):
        if not outcome.id_mission and value is not None:
            outcome.id_mission = str(value).strip()


def write_report(
    report: JobReport,
    table: SourceTable,
    settings: Settings,
    output: Path | None,
    extra_columns: Sequence[str] = (),
) -> None:
    name = report.command if report.command in ("status", "delete") else "results"
    target = output or (
        default_output(table.path, name) if report.input_path else default_ids_output(name)
    )
    summary = SummaryFacts(
        command=report.command,
        input_path=report.input_path,
        started_at=report.started_at,
        finished_at=report.finished_at,
        settings=effective_settings(settings),
        notes=report.notes,
    )
    report.output_path = write_results(
        target, table, report.outcomes, summary, lang=get_language(), extra_columns=extra_columns
    )
    if report.output_path != target:
        report.notes.append(t("results.written_beside", target=target, path=report.output_path))
    audit.rows(report.outcomes, str(report.input_path) if report.input_path else None)


def only_failed(report: JobReport, table: SourceTable) -> tuple[JobReport, SourceTable]:
    """Keep just the rows that are invalid, failed or not sent (their row numbers kept)."""
    keep = [i for i, o in enumerate(report.outcomes) if o.outcome in PROBLEM_OUTCOMES]
    table = replace(table, data=table.data.iloc[keep])
    report = replace(report, outcomes=[report.outcomes[i] for i in keep])
    return report, table


def validate_file(
    path: Path,
    settings: Settings,
    *,
    output: Path | None = None,
    write: bool = True,
    failed_only: bool = False,
) -> JobReport:
    """Validate a file with no network; write the results workbook."""
    started = datetime.now(UTC)
    prepared = prepare(path, settings)
    with paused_gc():  # 100,000 outcomes: no collection walking them all as they are made
        outcomes = [validation_outcome(r) for r in prepared.rows]
    name_invalid_rows(outcomes, prepared)
    report = JobReport(
        command="validate",
        input_path=path,
        outcomes=outcomes,
        started_at=started,
        notes=prepared.notes,
    )
    report.finished_at = datetime.now(UTC)
    table = prepared.table
    if failed_only:
        report, table = only_failed(report, table)
    if write:
        write_report(report, table, settings, output)
    return report


# -- the network jobs --------------------------------------------------------------------------


def make_client(settings: Settings) -> OceanClient:
    """An Ocean client for these settings, not yet authenticated."""
    from importer.send.client import OceanClient

    return OceanClient(
        settings.api_url,
        settings.login,
        settings.password,
        settings.customer_id,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        ca_bundle=settings.ca_bundle,
        max_attempts=settings.max_attempts,
        max_retry_seconds=settings.max_retry_seconds,
        call_timeout=settings.call_timeout,
        failure_patterns=settings.failure_patterns,
        rate=settings.rate,
    )


@contextlib.contextmanager
def open_client(settings: Settings) -> Iterator[OceanClient]:
    """An authenticated Ocean client for these settings (raises exit-3 errors)."""
    if not settings.login or not settings.password:
        raise UsageError(t("cli.credentials_missing"))
    client = make_client(settings)
    try:
        client.authenticate()
        yield client
    finally:
        client.close()


@contextlib.contextmanager
def open_journal(settings: Settings) -> Iterator[Journal]:
    """The journal at the configured path (or the user's state folder)."""
    from importer.send.journal import Journal, default_journal_path

    journal = Journal(Path(settings.journal) if settings.journal else default_journal_path())
    try:
        yield journal
    finally:
        journal.close()


def send_rows(
    report: JobReport,
    rows: Sequence[ValidatedRow],
    valid_index: Sequence[int],
    settings: Settings,
    options: RunOptions,
    *,
    client: OceanClient | None = None,
    journal: Journal | None = None,
    show_progress: bool = True,
    progress: Progress | None = None,
    on_runner: Callable[[BatchRunner], None] | None = None,
) -> None:
    """Run the valid rows through the engine and put their outcomes into ``report``.

    Rows never sent (Ctrl-C, API lost midway) become ``not_sent`` with the reason.
    ``progress`` counts the rows done (the page reads it); ``on_runner`` is given the
    runner before it starts (the page's cancel button calls its ``stop``).
    """
    from importer.send.engine import BatchRunner

    with (
        contextlib.nullcontext(client) if client else open_client(settings) as client,
        contextlib.nullcontext(journal) if journal else open_journal(settings) as journal,
    ):
        progress = progress or Progress(len(valid_index), enabled=show_progress)
        runner = BatchRunner(client, journal, settings.api_url, options, progress)
        if on_runner is not None:
            on_runner(runner)
        if not options.dry_run:
            runner.reconcile_in_flight()
        results = runner.run([rows[i] for i in valid_index])
        report.calls = call_counts(client)
        report.sending_seconds = runner.stats.elapsed
    take_results(report, runner.stats, valid_index, results)


def take_results(
    report: JobReport,
    stats: RunStats,
    valid_index: Sequence[int],
    results: Sequence[RowOutcome | None],
) -> None:
    """Put the engine's outcomes into ``report``; rows never sent become ``not_sent``."""
    reason = stats.api_lost
    report.interrupted = stats.interrupted
    report.api_lost = reason
    for i, result in zip(valid_index, results, strict=True):
        if result is not None:
            report.outcomes[i] = result
            continue
        report.outcomes[i].outcome = Outcome.NOT_SENT
        report.outcomes[i].message = (
            t("engine.not_sent_api_lost", reason=reason)
            if reason
            else t("engine.not_sent_interrupted")
        )
    if reason:
        report.notes.append(t("engine.api_lost", reason=reason))


def import_file(
    path: Path,
    settings: Settings,
    *,
    output: Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    all_or_nothing: bool = False,
    failed_only: bool = False,
    show_progress: bool = True,
    client: Any = None,
    journal: Any = None,
    notes: Sequence[str] = (),
) -> JobReport:
    """Validate a file, then create/modify/delete each valid row; write the results workbook.

    A long-lived ``client`` and ``journal`` may be passed (the drop-folder service does);
    otherwise they are opened from the settings for this run and closed after it.
    """
    from importer.send.engine import RunOptions

    started = datetime.now(UTC)
    prepared = prepare(path, settings)
    outcomes = [validation_outcome(r) for r in prepared.rows]
    name_invalid_rows(outcomes, prepared)
    report = JobReport(
        command="import --dry-run" if dry_run else "import",
        input_path=path,
        outcomes=outcomes,
        started_at=started,
        notes=[*notes, *prepared.notes],
    )
    valid_index = [i for i, r in enumerate(prepared.rows) if r.valid]
    invalid_count = len(prepared.rows) - len(valid_index)

    if all_or_nothing and invalid_count:
        for i in valid_index:
            outcomes[i].outcome = Outcome.NOT_SENT
            outcomes[i].message = t("engine.all_or_nothing", count=invalid_count)
        report.notes.append(t("engine.all_or_nothing", count=invalid_count))
    elif valid_index:
        options = RunOptions(
            mode=Action(settings.mode),
            dry_run=dry_run,
            force=force,
            workers=settings.workers,
            default_customer_id=settings.customer_id,
        )
        send_rows(
            report,
            prepared.rows,
            valid_index,
            settings,
            options,
            client=client,
            journal=journal,
            show_progress=show_progress,
        )
    report.finished_at = datetime.now(UTC)
    table = prepared.table
    if failed_only:
        report, table = only_failed(report, table)
    write_report(report, table, settings, output)
    return report


def ids_table(ids: Sequence[str]) -> SourceTable:
    """A one-column table for missions named on the command line (row 2 = first id)."""
    data = pd.DataFrame({"idMission": list(ids)}, dtype=object, index=range(2, len(ids) + 2))
    return SourceTable(path=Path("ids"), headers=["idMission"], data=data)


def ids_from(
    path: Path | None, ids: Sequence[str], settings: Settings
) -> tuple[SourceTable, list[ValidatedRow], list[str]]:
    """Read the missions to act on (only idMission and customerId matter)."""
    if path is None:
        if not ids:
            raise UsageError(t("cli.file_or_ids"))
        table = ids_table(ids)
        header_map = HeaderMap(field_to_column={"idMission": "idMission"}, unknown=[])
        notes: list[str] = []
    else:
        table = read_table(
            path, sheet=settings.sheet, max_rows=settings.max_rows, user_mapping=settings.columns
        )
        full_map = map_headers(table.headers, settings.columns, source=path.name)
        header_map = HeaderMap(
            field_to_column={
                k: v
                for k, v in full_map.field_to_column.items()
                if k in ("idMission", "customerId")
            },
            unknown=[],
        )
        if "idMission" not in header_map.field_to_column:
            raise UsageError(t("cli.no_id_column", file=path.name))
        notes = []
    action_column = "\x00action"
    forced = SourceTable(
        path=table.path,
        headers=table.headers,
        data=table.data.assign(**{action_column: "delete"}),
        sheet=table.sheet,
        header_row=table.header_row,
    )
    header_map.field_to_column["action"] = action_column
    rows = validate_table(forced, header_map, settings)
    return table, rows, notes


def delete_missions(
    path: Path | None,
    ids: Sequence[str],
    settings: Settings,
    *,
    output: Path | None = None,
    show_progress: bool = True,
) -> JobReport:
    """supprimerMission for each mission, through the journal; write the results workbook."""
    from importer.send.engine import RunOptions

    started = datetime.now(UTC)
    table, rows, notes = ids_from(path, ids, settings)
    outcomes = [validation_outcome(r) for r in rows]
    report = JobReport(
        command="delete", input_path=path, outcomes=outcomes, started_at=started, notes=notes
    )
    valid_index = [i for i, r in enumerate(rows) if r.valid]
    if valid_index:
        options = RunOptions(
            mode=Action.DELETE, workers=settings.workers, default_customer_id=settings.customer_id
        )
        send_rows(report, rows, valid_index, settings, options, show_progress=show_progress)
    unknown = report.counts.get(Outcome.NOT_FOUND.value, 0)
    if unknown:
        report.notes.append(t("status.delete_not_found_note", count=unknown))
    report.finished_at = datetime.now(UTC)
    write_report(report, table, settings, output)
    return report


@contextlib.contextmanager
def sandbox_settings(settings: Settings) -> Iterator[Settings]:
    """Start an embedded sandbox and point the settings at it (demo credentials).

    Unless a journal was chosen, a throwaway one is used: the sandbox's state lives only
    as long as this run, so a lasting journal would remember missions that no longer exist.
    """
    from importer.sandbox import DEMO_LOGIN, DEMO_PASSWORD, Sandbox

    with Sandbox() as sandbox, tempfile.TemporaryDirectory(prefix="mission-importer-") as tmp:
        yield replace(
            settings,
            api_url=sandbox.url,
            login=DEMO_LOGIN,
            password=DEMO_PASSWORD,
            customer_id=None,
            journal=settings.journal or Path(tmp) / "journal.sqlite3",
        )
