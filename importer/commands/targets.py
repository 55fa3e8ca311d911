"""The missions ``status`` and ``delete`` act on: a file's idMission column, ids typed, or
(``status`` only) the journal's missions of a range of local days.

:class:`Targets` names them (and where the results workbook goes); :func:`targets_job`
starts the command's :class:`~importer.commands.job.Job` on a file or ids.

The range form (``status --from/--to/--week``, and the follow-up page) selects on the
intervention time the journal keeps per mission (``utc_inter``), read as local days in the
configured time zone: :func:`missions_in_range`. A mission sent before the journal's
schema 3 has no time there (:func:`missions_without_time`): the caller asks statutMission
about it once and records the answer's ``time`` with :func:`date_mission`, after which it
is selected like the others. :func:`journal_rows` turns the journal's missions into the
rows a command acts on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from importer.commands.job import Job
from importer.commands.validate import row_options
from importer.date_range import DayRange, parse_day, parse_week, week_of
from importer.errors import UsageError
from importer.messages import t
from importer.model import HeaderMap, SourceTable, ValidatedRow
from importer.read.table import read_table
from importer.rows.columns import map_headers
from importer.rows.dates import read_api_date
from importer.rows.validation import load_zone, validate_table
from importer.settings.load import Settings

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from importer.send.journal.ledger import Journal
    from importer.send.journal.missions import MissionRecord

TARGET_FIELDS = ("idMission", "customerId")  # all that status and delete read


@dataclass(frozen=True)
class Targets:
    """The missions to act on: a file's idMission column (``path``), else ``ids``; and where
    the results workbook goes (None: named after the command, see ``Job.finish``)."""

    path: Path | None = None
    ids: Sequence[str] = ()
    output: Path | None = None
    days: DayRange | None = None  # the journal's missions of these local days (status only)

    def check(self) -> None:
        """UsageError unless exactly one of a file, ids or days names the missions."""
        given = [bool(self.path), bool(self.ids), self.days is not None]
        if sum(given) > 1:
            raise UsageError(t("cli.one_source"))
        if not any(given):
            raise UsageError(t("cli.file_ids_or_days"))


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


# -- the range form: the journal's missions of some local days ---------------------------------

END_OF_TIME = datetime(9999, 12, 31, tzinfo=UTC)  # the end of a range with no last day


def days_from_options(
    first: str | None, last: str | None, week: str | None, *, now: datetime, timezone: str
) -> DayRange | None:
    """The days of ``--from``/``--to`` or ``--week`` (``""``: the week of ``now`` in
    ``timezone``); None when none was given. UsageError, naming the option, for a day or
    week not written as one, ``--to`` alone or before ``--from``, or both forms given."""
    if week is not None:
        if first or last:
            raise UsageError(t("status.range.week_and_days"))
        if not week.strip():
            return week_of(now.astimezone(load_zone(timezone)).date())
        try:
            return parse_week(week)
        except ValueError:
            raise UsageError(t("status.range.bad_week", value=week)) from None
    if last and not first:
        raise UsageError(t("status.range.to_alone"))
    if not first:
        return None
    days = []
    for option, text in (("--from", first), ("--to", last)):
        try:
            days.append(parse_day(text) if text else None)
        except ValueError:
            raise UsageError(t("status.range.bad_day", option=option, value=text)) from None
    start, end = days
    assert start is not None
    if end is not None and end < start:
        raise UsageError(t("status.range.to_before_from", first=first, last=last))
    return DayRange(start, end)


def missions_in_range(
    journal: Journal,
    api_url: str,
    account: str,
    customer_id: str | None,
    days: DayRange,
    zone: ZoneInfo,
) -> list[MissionRecord]:
    """The journal's present missions whose intervention falls on ``days`` in ``zone``,
    by time: those of ``account`` (the Ocean login) on ``api_url``, of every customer of
    the journal (``customer_id`` None) or of that one (``""``: only those sent without
    customerId). Missions with no intervention time known are not among them."""
    start, end = days.utc_bounds(zone)
    return journal.missions_between(
        api_url, start, end or END_OF_TIME, account=account, customer_id=customer_id
    )


def missions_without_time(
    journal: Journal, api_url: str, account: str, customer_id: str | None
) -> list[MissionRecord]:
    """The present missions (same selection as :func:`missions_in_range`) whose
    intervention time the journal does not know: sent before its schema 3."""
    return journal.missions_without_time(api_url, account=account, customer_id=customer_id)


def date_mission(
    journal: Journal, api_url: str, account: str, record: MissionRecord, api_time: str
) -> datetime | None:
    """Record the intervention time statutMission gave for a mission without one (the
    API's ``dd/mm/yyyy hh:mm`` UTC text); return it, or None when the text is not a time."""
    moment = read_api_date(api_time.strip())
    if moment is None:
        return None
    journal.set_utc_inter(api_url, record.customer_id, record.id_mission, moment, account=account)
    return moment


def journal_rows(records: Sequence[MissionRecord]) -> tuple[SourceTable, list[ValidatedRow]]:
    """The rows a command acts on for missions of the journal, one per record in order
    (row 2 = the first): idMission, customerId, and the file each was sent from. They
    are not validated again: the journal holds what the API accepted (and an idMission
    may be there for two customers, which a file could not hold)."""
    source = t("status.range.source_column")
    data = pd.DataFrame(
        {
            "idMission": [r.id_mission for r in records],
            "customerId": [r.customer_id for r in records],
            source: [r.source_file or "" for r in records],
        },
        dtype=object,
        index=range(2, len(records) + 2),
    )
    table = SourceTable(path=Path("journal"), headers=list(data.columns), data=data)
    rows = [
        ValidatedRow(row, None, {"idMission": r.id_mission} | _customer(r.customer_id))
        for row, r in enumerate(records, start=2)
    ]
    return table, rows


def _customer(customer_id: str) -> dict[str, str]:
    return {"customerId": customer_id} if customer_id else {}
