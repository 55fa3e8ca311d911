"""`status`: what became of each mission, asked of statutMission on the batch engine.

Each mission is ``found``, ``refused`` (a driver's refusal reason, or a status configured
as a refusal) or ``not_found``; any other answer (403, no answer...) is ``failed``. The
columns added to the results workbook are :func:`status_columns`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from importer.commands.connect import call_counts, open_client
from importer.commands.importing import take_results
from importer.commands.targets import Targets, targets_job
from importer.messages import t
from importer.model import Outcome, RowIssue, RowOutcome, ValidatedRow
from importer.ocean_api import CALL_STATUS
from importer.report.command_result import PROBLEM_OUTCOMES, CommandResult
from importer.report.progress import Progress
from importer.rows.dates import api_time_in_zone
from importer.send.answers import CallResult, fold
from importer.send.client import OceanClient
from importer.send.engine import BatchRunner, RunOptions

if TYPE_CHECKING:
    from importer.environment import Environment
    from importer.settings.load import Settings

API_FIELDS = ("status", "statusCode", "commentRefuseReason", "complement", "externalMissionId")


def status_columns(timezone: str) -> list[str]:
    """The columns `status` adds: the API's fields, then its time in UTC and local."""
    return [*API_FIELDS, "time (UTC)", f"time ({timezone})"]


def is_refused(body: dict[str, Any], refused_statuses: Iterable[str]) -> bool:
    """True when the mission carries a refusal reason or a status listed as a refusal."""
    if str(body.get("commentRefuseReason") or "").strip():
        return True
    listed = {fold(s.strip()) for s in refused_statuses if s.strip()}
    codes = (str(body.get(name) or "").strip() for name in ("status", "statusCode"))
    return any(code and fold(code) in listed for code in codes)


# `status` is a question: a mission it cannot find is a problem (for `delete` it is not).
STATUS_PROBLEMS = PROBLEM_OUTCOMES | {Outcome.NOT_FOUND}


class StatusRunner(BatchRunner):
    """Runs statutMission for each row on the engine (workers, rate, progress, Ctrl-C)."""

    def __init__(
        self,
        client: OceanClient,
        api_url: str,
        options: RunOptions,
        progress: Progress | None,
        *,
        timezone: str,
        refused_statuses: Sequence[str],
    ) -> None:
        super().__init__(client, None, api_url, options, progress)
        self.timezone = timezone
        self.refused_statuses = list(refused_statuses)

    def process(self, vrow: ValidatedRow) -> RowOutcome:
        """Ask statutMission for one valid row; never raises for a row problem."""
        assert vrow.params is not None
        customer = self._customer_key(vrow.params)
        outcome = RowOutcome(row=vrow.row, outcome=Outcome.FAILED, warnings=list(vrow.warnings))
        outcome.id_mission, outcome.customer_id = vrow.params["idMission"], customer
        outcome.action = CALL_STATUS
        result = self.client.status(outcome.id_mission, customer or None)
        self._note_answer(result)
        outcome.attempts = result.attempts
        outcome.http_status = result.http_status
        outcome.message = result.message
        self._read_answer(outcome, result)
        return outcome

    def _read_answer(self, outcome: RowOutcome, result: CallResult) -> None:
        body = result.body if isinstance(result.body, dict) else {}
        if result.ok:
            utc = str(body.get("time") or "")
            outcome.extra = {name: body.get(name, "") for name in API_FIELDS}
            outcome.extra["time (UTC)"] = utc
            outcome.extra[f"time ({self.timezone})"] = api_time_in_zone(utc, self.timezone)
            refused = is_refused(body, self.refused_statuses)
            outcome.outcome = Outcome.REFUSED if refused else Outcome.FOUND
            outcome.message = outcome.message or str(body.get("status") or "")
            if refused:
                reason = str(body.get("commentRefuseReason") or "").strip()
                code = str(body.get("statusCode") or body.get("status") or "")
                outcome.errors.append(_issue(outcome.row, "status.refused", reason=reason or code))
            return
        if result.not_found:
            outcome.outcome = Outcome.NOT_FOUND
            outcome.errors.append(_issue(outcome.row, "status.not_found", id=outcome.id_mission))
            return
        self._fail(outcome, result)


def status_missions(
    targets: Targets, settings: Settings, *, env: Environment | None = None
) -> CommandResult:
    """Ask statutMission for each mission on the engine; the workbook gets its answers.

    Outcomes: ``found``, ``refused`` or ``not_found`` (``failed`` for any other answer).
    The progress goes to ``env``'s stderr (none without ``env``).
    """
    job = targets_job("status", targets, settings, problem_outcomes=STATUS_PROBLEMS)
    rows, valid_index = job.rows, job.valid_index
    if valid_index:
        options = RunOptions(
            workers=settings.workers,
            default_customer_id=settings.customer_id,
            account=settings.login or "",
        )
        with open_client(settings) as client:
            progress = Progress(len(valid_index), env=env)
            runner = StatusRunner(
                client,
                settings.api_url,
                options,
                progress,
                timezone=settings.timezone,
                refused_statuses=settings.refused_statuses,
            )
            results = runner.run([rows[i] for i in valid_index])
            job.result.calls = call_counts(client)
            job.result.sending_seconds = runner.stats.elapsed
        take_results(job.result, runner.stats, valid_index, results)
    refused = job.result.counts.get(Outcome.REFUSED.value, 0)
    if refused:
        job.result.notes.append(t("status.refused_note", count=refused))
    return job.finish(targets.output, extra_columns=status_columns(settings.timezone))


def _issue(row: int, code: str, **values: Any) -> RowIssue:
    return RowIssue(row=row, column=None, value=None, code=code, details=values)
