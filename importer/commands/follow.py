"""The follow-up of the missions sent: a week's missions, their statuses, re-plan and delete.

The page's "Suivi" uses this module (never ``importer.send`` itself): :func:`week_of` reads
an ISO week (``2026-W50``) in the local time zone, :func:`week_missions` lists the journal's
missions of that week for one account and customer (:class:`Follower`), :func:`read_status`
asks ``statutMission`` for one (the refused rule is ``status``'s), :func:`refresh_statuses`
for many at a bounded rate, :func:`replan` sends ``modifierMission`` with the parameters
last accepted plus the changed fields (checked by the grid's rules) and
:func:`delete_mission` ``supprimerMission``; :func:`export_week` writes the ``status``
workbook of a week.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import pandas as pd

from importer import date_range
from importer.commands.run import run_options, run_rows
from importer.commands.status import is_refused, status_columns
from importer.commands.targets import ids_table
from importer.commands.validate import row_options
from importer.messages import get_language, t
from importer.model import (
    Action,
    HeaderMap,
    Outcome,
    RowIssue,
    RowOutcome,
    SourceTable,
    ValidatedRow,
)
from importer.report import audit_log as audit
from importer.report.command_result import CommandResult
from importer.report.summary_sheet import SummaryFacts
from importer.report.workbook import write_results
from importer.rows.dates import api_time_in_zone
from importer.rows.validation import validate_table
from importer.settings.load import Settings, effective_settings
from importer.zones import find_zone

if TYPE_CHECKING:
    from importer.send.client import OceanClient
    from importer.send.journal.ledger import Journal
    from importer.send.journal.missions import MissionRecord

# The fields a re-plan may change: the vehicle, the recipient, the intervention time.
REPLAN_FIELDS = ("nomVeh", "nomIndi", "prenomIndi", "jourHeureInter")
DATE_FIELDS = ("jourHeureInter", "jourHeurePeremp")
SOURCE = "follow-up"  # the journal's source of a re-plan


@dataclass(frozen=True)
class Follower:
    """Whose missions: the API, the Ocean login and the customer ("" without one).

    A person sees the missions of their own login without customer, or of their customer:
    the journal's key (see :mod:`importer.send.journal.keys`)."""

    api_url: str
    login: str
    customer_id: str = ""

    @property
    def customer(self) -> int | None:
        return int(self.customer_id) if self.customer_id else None


@dataclass(frozen=True)
class Week:
    """An ISO week in a time zone: its name, its Monday, and its bounds in UTC."""

    name: str  # "2026-W50"
    monday: date
    start: datetime  # Monday 00:00 local, aware
    end: datetime  # the next Monday 00:00 local, aware (excluded)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    def shifted(self, weeks: int, zone: str) -> Week:
        return week_of(self.monday + timedelta(weeks=weeks), zone)


def parse_week(text: str) -> date:
    """The Monday of an ISO week ``2026-W50``; ValueError when it is not one."""
    return date_range.parse_week(text).first


def week_of(day: date | str | None, zone: str) -> Week:
    """The ISO week of ``day`` (a date, ``2026-W50``, or None: this week) in ``zone``."""
    tz = find_zone(zone) or ZoneInfo(zone)
    if day is None:
        day = datetime.now(tz).date()
    days = date_range.parse_week(day) if isinstance(day, str) else date_range.week_of(day)
    start, end = days.utc_bounds(tz)
    assert end is not None and days.week is not None
    return Week(days.week, days.first, start.astimezone(tz), end.astimezone(tz))


def week_missions(journal: Journal, who: Follower, week: Week) -> list[MissionRecord]:
    """The journal's present missions of ``who`` whose intervention falls in ``week``."""
    return journal.missions_between(
        who.api_url, week.start, week.end, account=who.login, customer_id=who.customer_id
    )


def missions_without_time(journal: Journal, who: Follower) -> list[MissionRecord]:
    """The present missions of ``who`` whose intervention time the journal does not know."""
    return journal.missions_without_time(
        who.api_url, account=who.login, customer_id=who.customer_id
    )


@dataclass(frozen=True)
class StatusRead:
    """One answer of statutMission, with when it was read.

    ``outcome``: ``found``, ``refused`` (the rule of ``status``), ``not_found`` or ``failed``
    (no answer, refused access...; ``message`` says why)."""

    id_mission: str
    outcome: str
    read_at: datetime
    status: str = ""  # Ocean's text, shown verbatim
    code: str = ""  # statusCode
    reason: str = ""  # commentRefuseReason
    complement: str = ""
    external_id: str = ""
    time: str = ""  # the API's UTC text dd/mm/yyyy hh:mm
    message: str = ""

    @property
    def refused(self) -> bool:
        return self.outcome == Outcome.REFUSED.value


def read_status(
    client: OceanClient, who: Follower, id_mission: str, refused_statuses: Sequence[str]
) -> StatusRead:
    """Ask statutMission for one mission of ``who``; never raises for an answer."""
    result = client.status(id_mission, who.customer)
    now = datetime.now(UTC)
    body = result.body if isinstance(result.body, dict) else {}
    if result.ok:
        refused = is_refused(body, refused_statuses)
        return StatusRead(
            id_mission,
            Outcome.REFUSED.value if refused else Outcome.FOUND.value,
            now,
            status=str(body.get("status") or ""),
            code=str(body.get("statusCode") or ""),
            reason=str(body.get("commentRefuseReason") or "").strip(),
            complement=str(body.get("complement") or ""),
            external_id=str(body.get("externalMissionId") or ""),
            time=str(body.get("time") or ""),
        )
    if result.not_found:
        return StatusRead(id_mission, Outcome.NOT_FOUND.value, now)
    return StatusRead(id_mission, Outcome.FAILED.value, now, message=result.message or "")


def refresh_statuses(
    client: OceanClient,
    journal: Journal,
    who: Follower,
    ids: Iterable[str],
    *,
    rate: float,
    refused_statuses: Sequence[str],
    on_read: Callable[[StatusRead], None],
    stop: threading.Event | None = None,
    untimed: Iterable[str] = (),
) -> int:
    """Read the status of each mission, one at a time, at most ``rate`` per second.

    Each answer goes to ``on_read`` as it comes; a mission in ``untimed`` (its time not in
    the journal) gets statutMission's ``time`` recorded. Stops early when ``stop`` is set;
    returns how many were read."""
    interval = 1.0 / rate
    needs_time = set(untimed)
    count = 0
    next_slot = time.monotonic()
    for id_mission in ids:
        if stop is not None and stop.is_set():
            break
        wait = next_slot - time.monotonic()
        if wait > 0 and (stop.wait(wait) if stop is not None else time.sleep(wait)):
            break
        next_slot = max(next_slot, time.monotonic() - interval) + interval
        read = read_status(client, who, id_mission, refused_statuses)
        count += 1
        if id_mission in needs_time and read.time:
            with contextlib.suppress(ValueError):  # not the API's date-time: no day for it
                journal.set_utc_inter(
                    who.api_url, who.customer_id, id_mission, read.time, account=who.login
                )
        on_read(read)
    return count


def follow_rate(settings: Settings) -> float:
    """The follow-up's requests per second: ``follow_rate``, never above ``rate``."""
    return min(settings.follow_rate, settings.rate) if settings.rate else settings.follow_rate


# -- re-plan and delete ------------------------------------------------------------------------


@dataclass
class Change:
    """What a re-plan or a delete did: the row's outcome, or why nothing was sent."""

    outcome: RowOutcome | None = None
    problems: list[str] | None = None  # the rules' messages; nothing was sent
    not_kept: bool = False  # the journal has no parameters for this mission

    @property
    def ok(self) -> bool:
        return self.outcome is not None and self.outcome.outcome in (
            Outcome.MODIFIED,
            Outcome.DELETED,
            Outcome.UNCHANGED,
            Outcome.NOT_FOUND,
        )


def _cell(name: str, value: str) -> str:
    """A kept API value as a planner's cell: dates back to an aware ISO text."""
    if name in DATE_FIELDS and value:
        moment = datetime.strptime(value, "%d/%m/%Y %H:%M")
        return moment.strftime("%Y-%m-%d %H:%MZ")
    return value


def replan_row(
    last: Mapping[str, str], changes: Mapping[str, str], settings: Settings
) -> tuple[dict[str, str] | None, list[str]]:
    """The parameters of a re-plan (the last accepted plus the changes) checked by the
    grid's rules: (params, []) or (None, the problems)."""
    cells = {name: _cell(name, value) for name, value in last.items()}
    cells.update({name: value.strip() for name, value in changes.items()})
    frame = pd.DataFrame([cells], dtype=object, index=[2])
    table = SourceTable(path=Path("follow-up"), headers=list(cells), data=frame)
    header_map = HeaderMap(field_to_column={name: name for name in cells}, unknown=[])
    (row,) = validate_table(table, header_map, row_options(settings))
    if not row.valid:
        return None, [issue.text() for issue in row.errors]
    return row.params, []


def _send_one(
    client: OceanClient,
    journal: Journal,
    settings: Settings,
    who: Follower,
    params: dict[str, str],
    action: Action,
) -> RowOutcome:
    vrow = ValidatedRow(row=2, action=action, params=params)
    outcome = RowOutcome(row=2, outcome=Outcome.VALID, id_mission=params["idMission"])
    result = CommandResult(
        command=f"follow {action.value}",
        input_path=None,
        outcomes=[outcome],
        started_at=datetime.now(UTC),
    )
    run_settings = replace(settings, api_url=who.api_url)
    options = run_options(
        run_settings, customer=who.customer, account=who.login, source=SOURCE, mode=action
    )
    run_rows(
        result, [vrow], [0], run_settings, options, client=client, journal=journal,
        show_progress=False,
    )  # fmt: skip
    audit.rows(result.outcomes, SOURCE)
    return result.outcomes[0]


def replan(
    client: OceanClient,
    journal: Journal,
    settings: Settings,
    who: Follower,
    id_mission: str,
    changes: Mapping[str, str],
) -> Change:
    """Send ``modifierMission`` with the parameters last accepted plus ``changes`` (only
    :data:`REPLAN_FIELDS`), once they pass the grid's rules; the journal follows."""
    last = journal.last_params(who.api_url, who.customer_id, id_mission, account=who.login)
    if last is None:
        return Change(not_kept=True)
    wanted = {name: value for name, value in changes.items() if name in REPLAN_FIELDS}
    params, problems = replan_row(last, wanted, settings)
    if params is None:
        return Change(problems=problems)
    return Change(_send_one(client, journal, settings, who, params, Action.MODIFY))


def delete_mission(
    client: OceanClient, journal: Journal, settings: Settings, who: Follower, id_mission: str
) -> Change:
    """Send ``supprimerMission`` for one mission of ``who``; the journal forgets its values."""
    params = {"idMission": id_mission}
    if who.customer_id:
        params["customerId"] = who.customer_id
    return Change(_send_one(client, journal, settings, who, params, Action.DELETE))


# -- export -------------------------------------------------------------------------------------


def export_week(
    records: Sequence[MissionRecord],
    statuses: Mapping[str, StatusRead],
    settings: Settings,
    output: Path,
) -> Path:
    """Write the ``status`` workbook of these missions from the statuses last read (same
    columns as ``status``; refused rows with the reason); return its path."""
    table = ids_table([record.id_mission for record in records])
    outcomes = []
    for n, record in enumerate(records):
        row = n + 2
        read = statuses.get(record.id_mission)
        outcome = RowOutcome(row=row, outcome=Outcome.NOT_SENT, id_mission=record.id_mission)
        outcome.customer_id = record.customer_id
        outcome.action = "statutMission"
        if read is None:
            outcome.message = t("follow.not_read")
        else:
            outcome.outcome = Outcome(read.outcome)
            outcome.message = read.message or read.status
            extra: dict[str, object] = {
                "status": read.status,
                "statusCode": read.code,
                "commentRefuseReason": read.reason,
                "complement": read.complement,
                "externalMissionId": read.external_id,
                "time (UTC)": read.time,
                f"time ({settings.timezone})": api_time_in_zone(read.time, settings.timezone),
            }
            outcome.extra = {name: extra.get(name, "") for name in extra}
            if read.refused:
                why = {"reason": read.reason or read.code}
                outcome.errors.append(RowIssue(row, None, None, "status.refused", why))
            elif read.outcome == Outcome.NOT_FOUND.value:
                issue = RowIssue(row, None, None, "status.not_found", {"id": record.id_mission})
                outcome.errors.append(issue)
        outcomes.append(outcome)
    now = datetime.now(UTC)
    facts = SummaryFacts(
        command="status", input_path=None, started_at=now, finished_at=now,
        settings=effective_settings(settings), notes=[],
    )  # fmt: skip
    columns = status_columns(settings.timezone)
    # an export, not a run: the workbook only, no audit lines
    return write_results(output, table, outcomes, facts, lang=get_language(), extra_columns=columns)
