"""`validate`: read, map and check a file with no network; the results workbook says why.

:func:`prepare` is the first step of every command that reads a planning file (``import``
and the import page too).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from importer.commands.job import Job
from importer.messages import t
from importer.model import HeaderMap, RowOutcome, SourceTable, ValidatedRow
from importer.read.table import read_table
from importer.report.command_result import CommandResult
from importer.rows.columns import map_headers
from importer.rows.options import RowOptions
from importer.rows.validation import validate_table
from importer.settings.load import Settings


@dataclass
class Prepared:
    """A file read, mapped and validated."""

    table: SourceTable
    header_map: HeaderMap
    rows: list[ValidatedRow]
    notes: list[str] = field(default_factory=list)


def row_options(settings: Settings) -> RowOptions:
    """What checking the rows needs from the settings."""
    return RowOptions(
        timezone=settings.timezone,
        require_destination=settings.require_destination,
        mission_types=tuple(settings.mission_types),
        default_a_envoyer=settings.default_a_envoyer,
    )


def prepare(path: Path, settings: Settings, *, now: datetime | None = None) -> Prepared:
    """Read, map and validate a file; raises InputError when it cannot be read."""
    table = read_table(
        path, sheet=settings.sheet, max_rows=settings.max_rows, user_mapping=settings.columns
    )
    header_map = map_headers(table.headers, settings.columns, source=path.name)
    notes = list(table.warnings)
    notes += [t("columns.unknown_column", column=column) for column in header_map.unknown]
    rows = validate_table(table, header_map, row_options(settings), now=now)
    return Prepared(table=table, header_map=header_map, rows=rows, notes=notes)


def start_job(
    command: str,
    path: Path,
    prepared: Prepared,
    settings: Settings,
    *,
    started_at: datetime,
    notes: Sequence[str] = (),
) -> Job:
    """The job of a command over a prepared file (invalid rows named by their idMission)."""
    job = Job(
        command,
        path,
        prepared.table,
        prepared.rows,
        settings,
        notes=[*notes, *prepared.notes],
        started_at=started_at,
    )
    name_invalid_rows(job.result.outcomes, prepared)
    return job


def name_invalid_rows(outcomes: Sequence[RowOutcome], prepared: Prepared) -> None:
    """Give invalid rows the idMission typed in the source (for the audit log and --json)."""
    column = prepared.header_map.column_for("idMission")
    if column is None:
        return
    values = prepared.table.data[column].tolist()
    if len(values) != len(outcomes):
        return
    for outcome, value in zip(outcomes, values, strict=True):
        if not outcome.id_mission and value is not None:
            outcome.id_mission = str(value).strip()


def validate_file(
    path: Path,
    settings: Settings,
    *,
    output: Path | None = None,
    write: bool = True,
    only_failed: bool = False,
) -> CommandResult:
    """Validate a file with no network; write the results workbook."""
    started = datetime.now(UTC)
    job = start_job("validate", path, prepare(path, settings), settings, started_at=started)
    return job.finish(output, only_failed=only_failed, write=write)
