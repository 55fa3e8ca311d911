"""`status`: what became of each mission, asked of statutMission on the batch engine.

Each mission is ``found``, ``refused`` (a driver's refusal reason, or a status configured
as a refusal) or ``not_found``; any other answer (403, no answer...) is ``failed``. The
columns added to the results workbook are :func:`status_columns`. The missions are a
file's, ids typed, or the journal's of a range of local days (:func:`status_of_days`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from importer.commands.connect import open_journal
from importer.commands.job import Job, default_ids_output
from importer.commands.run import BatchRunner, RunResult, Subscriber, run_batch, run_options
from importer.commands.targets import (
    Targets,
    date_mission,
    journal_rows,
    missions_in_range,
    missions_without_time,
    targets_job,
)
from importer.messages import t
from importer.model import Outcome, RowIssue, RowOutcome, ValidatedRow
from importer.ocean_api import CALL_STATUS
from importer.report.command_result import PROBLEM_OUTCOMES, CommandResult
from importer.rows.dates import api_date_text, api_time_in_zone
from importer.rows.validation import load_zone
from importer.send.answers import CallResult, fold

if TYPE_CHECKING:
    from importer.environment import Environment
    from importer.send.journal.ledger import Journal
    from importer.send.journal.missions import MissionRecord
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


class StatusLookup:
    """The run's action for `status` (a :class:`RowAction`): statutMission for each row, on
    the same run as every command (workers, rate, progress, Ctrl-C), without the journal."""

    def __init__(self, *, timezone: str, refused_statuses: Sequence[str]) -> None:
        self.timezone = timezone
        self.refused_statuses = list(refused_statuses)

    def __call__(self, runner: BatchRunner, vrow: ValidatedRow) -> RowOutcome:
        """Ask statutMission for one valid row; never raises for a row problem."""
        assert vrow.params is not None
        customer = runner.customer_key(vrow.params)
        outcome = RowOutcome(row=vrow.row, outcome=Outcome.FAILED, warnings=list(vrow.warnings))
        outcome.id_mission, outcome.customer_id = vrow.params["idMission"], customer
        outcome.action = CALL_STATUS
        result = runner.client.status(outcome.id_mission, customer or None)
        runner.note_answer(result)
        outcome.attempts = result.attempts
        outcome.http_status = result.http_status
        outcome.message = result.message
        if not self._read_answer(outcome, result):
            runner.fail(outcome, result)
        return outcome

    def _read_answer(self, outcome: RowOutcome, result: CallResult) -> bool:
        """Fill ``outcome`` from an answer that found the mission or not; False otherwise."""
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
            return True
        if result.not_found:
            outcome.outcome = Outcome.NOT_FOUND
            outcome.errors.append(_issue(outcome.row, "status.not_found", id=outcome.id_mission))
            return True
        return False


def status_missions(
    targets: Targets, settings: Settings, *, env: Environment | None = None
) -> CommandResult:
    """Ask statutMission for each mission on the engine; the workbook gets its answers.

    The missions are a file's, ids given, or the journal's of a range of days
    (``targets.days``, see :func:`status_of_days`). Outcomes: ``found``, ``refused`` or
    ``not_found`` (``failed`` for any other answer). The progress goes to ``env``'s
    stderr (none without ``env``).
    """
    targets.check()
    if targets.days is not None:
        return status_of_days(targets, settings, env=env)
    job = targets_job("status", targets, settings, problem_outcomes=STATUS_PROBLEMS)
    rows, valid_index = job.rows, job.valid_index
    if valid_index:
        job.log_final_rows(valid_index)
        asked = ask_statuses(rows, settings, env, index=valid_index, subscribers=[job.on_event])
        take_asked(job.result, asked, valid_index)
    return _finish(job, targets.output, settings)


def ask_statuses(
    rows: Sequence[ValidatedRow],
    settings: Settings,
    env: Environment | None,
    *,
    index: Sequence[int] | None = None,
    subscribers: Sequence[Subscriber] = (),
) -> RunResult:
    """Ask statutMission for each row (those at ``index`` when given): the run with
    :class:`StatusLookup` (workers, rate, progress, Ctrl-C: a row never asked is
    ``not_sent``), its events to ``subscribers`` too."""
    options = run_options(settings, customer=settings.customer_id, account=settings.login)
    lookup = StatusLookup(timezone=settings.timezone, refused_statuses=settings.refused_statuses)
    positions = range(len(rows)) if index is None else index
    return run_batch(
        rows, positions, settings, options, action=lookup, env=env, subscribers=subscribers
    )


def take_asked(result: CommandResult, asked: RunResult, index: Sequence[int]) -> None:
    """Put a batch's answers into the result at ``index``."""
    replace(asked, index=list(index)).into(result)


def _finish(job: Job, output: Path | None, settings: Settings) -> CommandResult:
    refused = job.result.counts.get(Outcome.REFUSED.value, 0)
    if refused:
        job.result.notes.append(t("status.refused_note", count=refused))
    return job.finish(output, extra_columns=status_columns(settings.timezone))


def status_of_days(
    targets: Targets, settings: Settings, *, env: Environment | None = None
) -> CommandResult:
    """``status --from/--to/--week``: the journal's missions of ``targets.days``.

    The missions are those of the journal for this API, login and customer (every customer
    of the journal without ``customer_id``) whose intervention falls on one of the days in
    ``settings.timezone``. The missions sent before the journal's schema 3 have no time
    there: they are asked too, their time is recorded from the answer (so each is asked
    this way once), and they are listed only when it falls in the range. The ones that
    cannot be dated (not found, no answer) are left out, with a note. The rows go by
    intervention time; the workbook is ``status-<range>-<time>.xlsx`` unless named.
    """
    assert targets.days is not None
    days, started = targets.days, datetime.now(UTC)
    zone = load_zone(settings.timezone)
    account = settings.login or ""
    customer = None if settings.customer_id is None else str(settings.customer_id)
    with open_journal(settings) as journal:
        dated = missions_in_range(journal, settings.api_url, account, customer, days, zone)
        undated = missions_without_time(journal, settings.api_url, account, customer)
        records = [*dated, *undated]
        _table, rows = journal_rows(records)
        asked = ask_statuses(rows, settings, env) if rows else None
        answers = asked.outcomes if asked else []
        kept = [
            (datetime.fromisoformat(str(r.utc_inter)), r, answer)
            for r, answer in zip(dated, answers[: len(dated)], strict=True)
        ]
        lost = 0
        for record, answer in zip(undated, answers[len(dated) :], strict=True):
            when = _answered_time(journal, settings, record, answer)
            if when is None:
                lost += 1
            elif days.contains(when, zone):
                kept.append((when, record, answer))
        journal_path = journal.path
    kept.sort(key=lambda item: (item[0], item[1].customer_id, item[1].id_mission))
    table, rows = journal_rows([record for _, record, _ in kept])
    job = Job(
        "status", None, table, rows, settings, started_at=started, problem_outcomes=STATUS_PROBLEMS
    )
    if asked is not None:
        moved = [_moved(answer, row.row) for (_, _, answer), row in zip(kept, rows, strict=True)]
        take_asked(job.result, replace(asked, outcomes=moved), range(len(rows)))
    for outcome, (when, _, _) in zip(job.result.outcomes, kept, strict=True):
        outcome.utc_inter = api_date_text(when)  # the intervention, as the journal knows it
    first, last = days.shown()
    job.result.notes.insert(0, _range_note(first, last, settings.timezone, len(kept), journal_path))
    if len(undated) > lost:
        newly = len(undated) - lost
        job.result.notes.append(t("status.range.dated", count=newly, kept=len(kept) - len(dated)))
    if lost:
        job.result.notes.append(t("status.range.undated", count=lost))
    output = targets.output or default_ids_output("status", label=days.label())
    return _finish(job, output, settings)


def _answered_time(
    journal: Journal, settings: Settings, record: MissionRecord, answer: RowOutcome | None
) -> datetime | None:
    """The intervention time in a found mission's answer, recorded in the journal."""
    if answer is None or answer.outcome not in (Outcome.FOUND, Outcome.REFUSED):
        return None
    text = str(answer.extra.get("time (UTC)") or "")
    return date_mission(journal, settings.api_url, settings.login or "", record, text)


def _range_note(first: str, last: str, zone: str, count: int, journal: Path) -> str:
    if not count:
        days = (
            t("status.range.days", first=first, last=last)
            if last
            else t("status.range.onward", first=first)
        )
        return t("status.range.none", days=days, zone=zone, journal=journal)
    if last:
        return t("status.range.note", first=first, last=last, zone=zone, count=count)
    return t("status.range.note_onward", first=first, zone=zone, count=count)


def _moved(outcome: RowOutcome | None, row: int) -> RowOutcome | None:
    """An answer given to another row number (the rows are numbered once selected)."""
    if outcome is None:
        return None
    return replace(
        outcome,
        row=row,
        errors=[replace(issue, row=row) for issue in outcome.errors],
        warnings=[replace(issue, row=row) for issue in outcome.warnings],
    )


def _issue(row: int, code: str, **values: Any) -> RowIssue:
    return RowIssue(row=row, column=None, value=None, code=code, details=values)
