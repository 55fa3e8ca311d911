"""`delete`: supprimerMission for each mission named, through the journal."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from importer.commands.importing import send_rows
from importer.commands.job import Job
from importer.commands.targets import ids_from
from importer.messages import t
from importer.model import Action, Outcome
from importer.report.command_result import CommandResult
from importer.settings.load import Settings

if TYPE_CHECKING:
    from importer.environment import Environment


def delete_missions(
    path: Path | None,
    ids: Sequence[str],
    settings: Settings,
    *,
    output: Path | None = None,
    show_progress: bool = True,
    env: Environment | None = None,
) -> CommandResult:
    """supprimerMission for each mission, through the journal; write the results workbook.

    A mission the API does not know is ``not_found``: a warning, not a failure. The
    progress goes to ``env``'s stderr (when ``show_progress``; none without ``env``).
    """
    from importer.send.engine import RunOptions

    started = datetime.now(UTC)
    table, rows = ids_from(path, ids, settings)
    job = Job("delete", path, table, rows, settings, started_at=started)
    if job.valid_index:
        options = RunOptions(
            mode=Action.DELETE, workers=settings.workers, default_customer_id=settings.customer_id
        )
        send_rows(
            job.result,
            rows,
            job.valid_index,
            settings,
            options,
            show_progress=show_progress,
            env=env,
        )
    unknown = job.result.counts.get(Outcome.NOT_FOUND.value, 0)
    if unknown:
        job.result.notes.append(t("status.delete_not_found_note", count=unknown))
    return job.finish(output)
