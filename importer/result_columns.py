"""The columns a results workbook adds after the source's own: one table for every reader.

Each :class:`ResultColumn` says its stable key (the catalogue has its English and French
headers under ``results.col.<key>``; the audit log and the JSON use the key), how its value
is taken from a :class:`~importer.model.RowOutcome`, and whether results workbooks written
before it existed lack it. The results workbook writes these columns in this order, the
reader recognises a results workbook by their headers, and the audit log and ``--json``
give them per row (:func:`row_record`).

Adding a column: one row at the end of :data:`RESULT_COLUMNS` with ``newer=True``, and its
``results.col.<key>`` texts in :mod:`importer.messages.results`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from importer.messages import t
from importer.model import RowIssue, RowOutcome


@dataclass(frozen=True)
class ResultColumn:
    """One added column: its key, its value in the workbook, and in the log and the JSON."""

    key: str  # catalogue "results.col.<key>"; the field name in the log and the JSON
    cell: Callable[[RowOutcome], Any]  # the workbook cell (None or "": left empty)
    record: Callable[[RowOutcome], Any] | None = None  # in the log and JSON, when not the cell
    newer: bool = False  # appended later: results workbooks written before lack it

    def header(self, lang: str = "en") -> str:
        """The column's header in ``lang`` (English for any language but French)."""
        return t(f"results.col.{self.key}", lang="fr" if lang == "fr" else "en")

    def logged(self, outcome: RowOutcome) -> Any:
        """The value the audit log and the JSON give for ``outcome``."""
        return (self.record or self.cell)(outcome)


def joined(issues: list[RowIssue]) -> str:
    """Problems as one cell: ``column: explanation`` separated by ``; ``."""
    return "; ".join(issue.as_text() for issue in issues) if issues else ""


def listed(issues: list[RowIssue]) -> list[str]:
    """Problems as a list of ``column: explanation`` (the log and the JSON)."""
    return [issue.as_text() for issue in issues]


RESULT_COLUMNS: tuple[ResultColumn, ...] = (
    ResultColumn("row", attrgetter("row")),
    ResultColumn("outcome", lambda out: out.outcome.value),
    ResultColumn("action", attrgetter("action")),
    ResultColumn("http_status", attrgetter("http_status")),
    ResultColumn("message", attrgetter("message")),
    ResultColumn("errors", lambda out: joined(out.errors), lambda out: listed(out.errors)),
    ResultColumn("warnings", lambda out: joined(out.warnings), lambda out: listed(out.warnings)),
    ResultColumn("attempts", attrgetter("attempts")),
    ResultColumn("utc_inter", attrgetter("utc_inter")),
    ResultColumn("utc_peremp", attrgetter("utc_peremp")),
    ResultColumn("lookups", attrgetter("lookups"), newer=True),
)
OUTCOME_INDEX = [column.key for column in RESULT_COLUMNS].index("outcome")


def result_headers(lang: str = "en") -> list[str]:
    """The headers of the added columns in ``lang``, in order."""
    return [column.header(lang) for column in RESULT_COLUMNS]


def result_record(outcome: RowOutcome) -> dict[str, Any]:
    """One row's outcome as the log and the JSON give it: each column's key and value."""
    return {column.key: column.logged(outcome) for column in RESULT_COLUMNS}


# The fields a row record has before the result columns: whose mission it is.
MISSION_KEYS = ("idMission", "customerId")


def row_record(outcome: RowOutcome) -> dict[str, Any]:
    """One row as the audit log's ``row`` lines and ``--json``'s ``results`` give it.

    Whose mission (``idMission``, ``customerId``: null when unknown), then every result
    column (:func:`result_record`); JSON values only, never a credential.
    """
    return {
        "idMission": outcome.id_mission or None,
        "customerId": outcome.customer_id or None,
        **result_record(outcome),
    }
