"""Data passed between the steps of the flow (read -> map -> validate -> plan -> send -> record).

Row problems are data, not exceptions: a :class:`RowIssue` names the row, the column,
the value, a message key and its values; its sentence is rendered when it is shown, in
the language of the reader.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd


class Outcome(StrEnum):
    """What happened to one row: the stable, machine-readable values of the results."""

    CREATED = "created"
    MODIFIED = "modified"
    DELETED = "deleted"
    UNCHANGED = "unchanged"
    VALID = "valid"  # checked, nothing sent (validate, dry run)
    INVALID = "invalid"
    FAILED = "failed"
    NOT_SENT = "not_sent"  # valid but never sent (interrupted, API lost midway, all-or-nothing)
    FOUND = "found"  # status: the mission exists and was not refused
    REFUSED = "refused"  # status: a driver refused it (a reason, or a refusal status code)
    NOT_FOUND = "not_found"  # status / delete: the API does not know this mission


class Action(StrEnum):
    """What a row asks for (the ``action`` column or ``--mode``)."""

    CREATE = "create"
    MODIFY = "modify"
    DELETE = "delete"
    UPSERT = "upsert"


class UnsureMidnight(datetime):
    """A date-time cell at 00:00 whose number format could not be read: midnight, with a warning."""


@dataclass
class SourceTable:
    """A spreadsheet as read: raw cell values, original headers, the user's row numbers.

    ``data`` has one column per source column, named by the (made unique) header text,
    in source order, with object dtype and raw values (str, int, float, bool, datetime,
    date, time or None for an empty cell). Its index is the row number as the user sees
    it (Excel row, or the CSV line where the record starts).
    """

    path: Path
    headers: list[str]
    data: pd.DataFrame
    sheet: str | None = None
    header_row: int = 1
    warnings: list[str] = field(default_factory=list)

    @property
    def row_numbers(self) -> list[int]:
        return [int(n) for n in self.data.index]


@dataclass
class HeaderMap:
    """Which source column feeds which API field."""

    field_to_column: dict[str, str]  # API field (or "action") -> source header
    unknown: list[str]  # source headers that match no field (kept in the results)

    def column_for(self, field_name: str) -> str | None:
        return self.field_to_column.get(field_name)


class ByLanguage(dict[str, str]):
    """A message value that differs by language (``{"en": ..., "fr": ...}``)."""


@dataclass(frozen=True)
class RowIssue:
    """One problem on one row: an error (the row is not sent) or a warning (it is)."""

    row: int  # source row number as the user sees it
    column: str | None  # the source header the problem is about (None: the whole row)
    value: Any
    code: str  # message catalogue key
    details: Mapping[str, Any] = field(default_factory=dict)  # the message's values (a field's
    # placeholder, e.g. {nomVeh}: the file's header for it; absent: the field's label)
    severity: Literal["error", "warning"] = "error"

    def text(self, lang: str | None = None) -> str:
        """The sentence in ``lang`` (default: the current language)."""
        from importer.messages import field_values, get_language, t

        lang = lang or get_language()
        values = field_values(self.code, lang)  # a field's label where the file has no column
        for name, value in self.details.items():
            values[name] = value.get(lang) or value["en"] if type(value) is ByLanguage else value
        return t(self.code, lang=lang, **values)

    @property
    def message(self) -> str:
        """The sentence in the current language."""
        return self.text()

    def as_text(self, lang: str | None = None) -> str:
        """``column: message`` (French typography in French), or the message alone."""
        if not self.column:
            return self.text(lang)
        from importer.messages import t

        return t("common.issue", lang=lang, column=self.column, message=self.text(lang))


@dataclass
class ValidatedRow:
    """A row after validation and normalisation."""

    row: int
    action: Action | None  # from the action column; None means "use --mode"
    params: dict[str, str] | None  # exactly the API parameters; None when invalid
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def id_mission(self) -> str | None:
        return (self.params or {}).get("idMission")


@dataclass
class RowOutcome:
    """What happened to one row, as written in the results workbook."""

    row: int
    outcome: Outcome
    action: str = ""  # the call made or that would be made (ajoutMission, ...)
    http_status: int | None = None
    message: str = ""  # the web service's message, verbatim
    errors: list[RowIssue] = field(default_factory=list)  # validation and API errors
    warnings: list[RowIssue] = field(default_factory=list)
    attempts: int = 0  # sends of the change (or of the statutMission call for `status`)
    lookups: int = 0  # statutMission requests made to decide or settle the change
    utc_inter: str = ""  # jourHeureInter exactly as sent (or as it would be sent)
    utc_peremp: str = ""  # jourHeurePeremp exactly as sent
    extra: dict[str, Any] = field(default_factory=dict)  # e.g. statutMission columns
    id_mission: str = ""  # for the audit log
    customer_id: str = ""


# -- a run's events (produced by the run API, importer.commands.run; rendered by consumers) --


@dataclass(frozen=True)
class RowStarted:
    """A worker took the row at ``index`` (a position in the rows the run was given)."""

    index: int
    row: int  # the row number people see


@dataclass(frozen=True)
class RowDone:
    """The row at ``index`` reached its outcome."""

    index: int
    outcome: RowOutcome


@dataclass(frozen=True)
class RunProgress:
    """How far the run is: rows done of ``total``, failures, rows per second and the
    seconds left at that rate (computed here only, :meth:`at`), seconds since its start."""

    done: int
    total: int
    failures: int
    rate: float
    seconds_left: float
    elapsed: float

    @classmethod
    def at(cls, done: int, total: int, failures: int, elapsed: float) -> RunProgress:
        """The progress after ``elapsed`` seconds: the rate and time left follow."""
        rate = done / max(elapsed, 1e-9)
        left = (total - done) / rate if rate > 0 else 0.0
        return cls(done, total, failures, rate, left, elapsed)


@dataclass(frozen=True)
class RunFinished:
    """The run ended (finished, stopped or cut short): outcomes counted by value."""

    counts: Mapping[str, int]
    interrupted: bool
    elapsed: float


RunEvent = RowStarted | RowDone | RunProgress | RunFinished
