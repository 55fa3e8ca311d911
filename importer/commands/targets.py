"""The missions ``status`` and ``delete`` act on: a file's idMission column, or ids typed.

:class:`Targets` names them (and where the results workbook goes); :func:`targets_job`
starts the command's :class:`~importer.commands.job.Job` on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from importer.commands.job import Job
from importer.commands.validate import row_options
from importer.errors import UsageError
from importer.messages import t
from importer.model import HeaderMap, SourceTable, ValidatedRow
from importer.read.table import read_table
from importer.rows.columns import map_headers
from importer.rows.validation import validate_table
from importer.settings.load import Settings

TARGET_FIELDS = ("idMission", "customerId")  # all that status and delete read


@dataclass(frozen=True)
class Targets:
    """The missions to act on: a file's idMission column (``path``), else ``ids``; and where
    the results workbook goes (None: named after the command, see ``Job.finish``)."""

    path: Path | None = None
    ids: Sequence[str] = ()
    output: Path | None = None


def targets_job(command: str, targets: Targets, settings: Settings, **job: Any) -> Job:
    """Read the targets and start ``command``'s job on them (``job``: more Job options)."""
    started = datetime.now(UTC)
    table, rows = ids_from(targets.path, targets.ids, settings)
    return Job(command, targets.path, table, rows, settings, started_at=started, **job)


def ids_table(ids: Sequence[str]) -> SourceTable:
    """A one-column table for missions named on the command line (row 2 = first id)."""
    data = pd.DataFrame({"idMission": list(ids)}, dtype=object, index=range(2, len(ids) + 2))
    return SourceTable(path=Path("ids"), headers=["idMission"], data=data)


def ids_from(
    path: Path | None, ids: Sequence[str], settings: Settings
) -> tuple[SourceTable, list[ValidatedRow]]:
    """Read the missions to act on (only idMission and customerId matter)."""
    if path is None:
        if not ids:
            raise UsageError(t("cli.file_or_ids"))
        table = ids_table(ids)
        header_map = HeaderMap(field_to_column={"idMission": "idMission"}, unknown=[])
    else:
        table = read_table(
            path, sheet=settings.sheet, max_rows=settings.max_rows, user_mapping=settings.columns
        )
        full_map = map_headers(table.headers, settings.columns, source=path.name)
        header_map = HeaderMap(
            field_to_column={
                k: v for k, v in full_map.field_to_column.items() if k in TARGET_FIELDS
            },
            unknown=[],
        )
        if "idMission" not in header_map.field_to_column:
            raise UsageError(t("cli.no_id_column", file=path.name))
    action_column = "\x00action"
    forced = SourceTable(
        path=table.path,
        headers=table.headers,
        data=table.data.assign(**{action_column: "delete"}),
        sheet=table.sheet,
        header_row=table.header_row,
    )
    header_map.field_to_column["action"] = action_column
    rows = validate_table(forced, header_map, row_options(settings))
    return table, rows
