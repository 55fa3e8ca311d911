"""`delete`: supprimerMission for each mission named, through the journal (the run in
``delete`` mode)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from importer.commands.run import run_options, run_rows
from importer.commands.targets import Targets, targets_job
from importer.messages import t
from importer.model import Action, Outcome
from importer.report.command_result import CommandResult
from importer.settings.load import Settings

if TYPE_CHECKING:
    from importer.environment import Environment


def delete_missions(
    targets: Targets, settings: Settings, *, env: Environment | None = None
) -> CommandResult:
    """supprimerMission for each mission, through the journal; write the results workbook.

    A mission the API does not know is ``not_found``: a warning, not a failure. The
    progress goes to ``env``'s stderr (none without ``env``).
    """
    job = targets_job("delete", targets, settings)
    if job.valid_index:
        options = run_options(
            settings, customer=settings.customer_id, account=settings.login, mode=Action.DELETE
        )
        index = job.valid_index
        job.log_final_rows(index)  # the others' audit lines; the run's as they are done
        run_rows(
            job.result, job.rows, index, settings, options, env=env, subscribers=[job.on_event]
        )
    unknown = job.result.counts.get(Outcome.NOT_FOUND.value, 0)
    if unknown:
        job.result.notes.append(t("status.delete_not_found_note", count=unknown))
    return job.finish(targets.output)
