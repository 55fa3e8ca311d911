"""`import`: validate a file, then create, modify or delete each valid row.

The rows are sent by the run API (:mod:`importer.commands.run`), as every front end does.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importer.commands.run import run_options, run_rows
from importer.commands.validate import prepare, start_job
from importer.messages import t
from importer.model import Outcome
from importer.report.command_result import CommandResult
from importer.settings.load import Settings

if TYPE_CHECKING:
    from importer.environment import Environment


def import_file(
    path: Path,
    settings: Settings,
    *,
    output: Path | None = None,
    dry_run: bool = False,
    force: bool = False,
    all_or_nothing: bool = False,
    only_failed: bool = False,
    show_progress: bool = True,
    env: Environment | None = None,
    client: Any = None,
    journal: Any = None,
    notes: Sequence[str] = (),
) -> CommandResult:
    """Validate a file, then create/modify/delete each valid row; write the results workbook.

    The progress goes to ``env``'s stderr (when ``show_progress``; none without ``env``).
    A long-lived ``client`` and ``journal`` may be passed (the drop-folder service does);
    otherwise they are opened from the settings for this run and closed after it.
    """
    started = datetime.now(UTC)
    command = "import --dry-run" if dry_run else "import"
    job = start_job(
        command, path, prepare(path, settings), settings, started_at=started, notes=notes
    )
    result, valid_index = job.result, job.valid_index
    invalid_count = len(job.rows) - len(valid_index)
    if all_or_nothing and invalid_count:
        for i in valid_index:
            result.outcomes[i].outcome = Outcome.NOT_SENT
            result.outcomes[i].message = t("engine.all_or_nothing", count=invalid_count)
        result.notes.append(t("engine.all_or_nothing", count=invalid_count))
    elif valid_index:
        options = run_options(
            settings,
            customer=settings.customer_id,
            account=settings.login,
            source=path.name,
            dry_run=dry_run,
            force=force,
        )
        job.log_final_rows(valid_index, only_failed=only_failed)  # the others: as they end
        if not only_failed:  # the workbook is written while the rows are sent
            job.write_while_running(output, valid_index)
        try:
            run_rows(
                result,
                job.rows,
                valid_index,
                settings,
                options,
                client=client,
                journal=journal,
                show_progress=show_progress,
                env=env,
                subscribers=[job.on_event],
            )
        except BaseException:
            job.abandon()
            raise
    return job.finish(output, only_failed=only_failed)
