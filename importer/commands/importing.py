"""`import`: validate a file, then create, modify or delete each valid row through the engine.

:func:`send_rows` runs rows through the engine with the journal; ``delete`` and the import
page use it too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importer.commands.connect import call_counts, open_client, open_journal
from importer.commands.validate import prepare, start_job
from importer.messages import t
from importer.model import Action, Outcome, RowOutcome, ValidatedRow
from importer.report.command_result import CommandResult
from importer.report.progress import Progress
from importer.settings.load import Settings

if TYPE_CHECKING:
    from importer.environment import Environment
    from importer.send.client import OceanClient
    from importer.send.engine import BatchRunner, RunOptions, RunStats
    from importer.send.journal.ledger import Journal


def send_rows(
    result: CommandResult,
    rows: Sequence[ValidatedRow],
    valid_index: Sequence[int],
    settings: Settings,
    options: RunOptions,
    *,
    client: OceanClient | None = None,
    journal: Journal | None = None,
    show_progress: bool = True,
    env: Environment | None = None,
    progress: Progress | None = None,
    on_runner: Callable[[BatchRunner], None] | None = None,
    on_done: Callable[[int, RowOutcome], None] | None = None,
) -> None:
    """Run the valid rows through the engine and put their outcomes into ``result``.

    Rows never sent (Ctrl-C, API lost midway) become ``not_sent`` with the reason.
    The progress is shown on ``env``'s stderr when ``show_progress`` and an ``env`` are
    given; a ``progress`` passed in counts the rows done instead (the page reads it);
    ``on_runner`` is given the runner before it starts (the page's cancel button calls
    its ``stop``); ``on_done`` is told each row's outcome as it comes (its position in
    ``valid_index``).
    """
    from importer.send.engine import BatchRunner

    with (
        contextlib.nullcontext(client) if client else open_client(settings) as client,
        contextlib.nullcontext(journal) if journal else open_journal(settings) as journal,
    ):
        progress = progress or Progress(len(valid_index), env=env if show_progress else None)
        runner = BatchRunner(client, journal, settings.api_url, options, progress)
        if on_runner is not None:
            on_runner(runner)
        if not options.dry_run:
            runner.reconcile_in_flight()
        results = runner.run([rows[i] for i in valid_index], on_done)
        result.calls = call_counts(client)
        result.sending_seconds = runner.stats.elapsed
    take_results(result, runner.stats, valid_index, results)


def take_results(
    result: CommandResult,
    stats: RunStats,
    valid_index: Sequence[int],
    outcomes: Sequence[RowOutcome | None],
) -> None:
    """Put the engine's outcomes into ``result``; rows never sent become ``not_sent``."""
    reason = stats.api_lost
    result.interrupted = stats.interrupted
    result.api_lost = reason
    for i, outcome in zip(valid_index, outcomes, strict=True):
        if outcome is not None:
            result.outcomes[i] = outcome
            continue
        result.outcomes[i].outcome = Outcome.NOT_SENT
        result.outcomes[i].message = (
            t("engine.not_sent_api_lost", reason=reason)
            if reason
            else stats.signed_out or stats.lapsed or t("engine.not_sent_interrupted")
        )
    if reason:
        result.notes.append(t("engine.api_lost", reason=reason))
    if stats.signed_out:
        result.notes.append(stats.signed_out)
    if stats.lapsed:
        result.notes.append(stats.lapsed)


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
    from importer.send.engine import RunOptions

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
        options = RunOptions(
            mode=Action(settings.mode),
            dry_run=dry_run,
            force=force,
            workers=settings.workers,
            default_customer_id=settings.customer_id,
            claim_wait=settings.claim_wait,
            account=settings.login or "",
            source=path.name,
        )
        send_rows(
            result,
            job.rows,
            valid_index,
            settings,
            options,
            client=client,
            journal=journal,
            show_progress=show_progress,
            env=env,
        )
    return job.finish(output, only_failed=only_failed)
