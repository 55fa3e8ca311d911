"""The Summary sheet of the results workbook: the run, its counts, top problems, settings.

Nothing that looks like a credential is written: settings whose name suggests a secret are
left out and URLs lose their user:password part (:func:`safe_settings`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from xlsxwriter.worksheet import Worksheet

from importer.messages import t, t_count
from importer.model import Outcome, RowIssue, RowOutcome, SourceTable
from importer.report.cells import CellFormats, put_value
from importer.report.numbers import format_number

SECRET_KEY = re.compile(r"pass|token|secret|credential|api_?key|auth", re.IGNORECASE)
URL_USERINFO = re.compile(r"(://)[^/@\s]+@")


@dataclass
class SummaryFacts:
    """What the Summary sheet says about the run (never a credential)."""

    command: str
    input_path: Path | None
    started_at: datetime
    finished_at: datetime
    settings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def write_summary_sheet(
    ws: Worksheet,
    formats: CellFormats,
    lang: str,
    table: SourceTable,
    outcomes: list[RowOutcome],
    summary: SummaryFacts,
    problems: Iterable[RowIssue],
    notes: list[str],
) -> None:
    """Write the Summary sheet: the run, counts per outcome, top problems, settings, notes."""
    lines = _SummaryLines(ws, formats, lang)
    lines.title(t("results.sum.title", lang=lang))
    lines.skip()
    for key, value in _run_facts(table, outcomes, summary, lang):
        lines.pair(key, value)
    lines.skip()
    lines.title(t("results.sum.outcomes", lang=lang), "bold")
    lines.header("outcome", "name", "count", "meaning")
    counts = {o.value: 0 for o in _listed_outcomes(summary.command)}
    for out in outcomes:
        counts[str(out.outcome)] = counts.get(str(out.outcome), 0) + 1
    for outcome, count in counts.items():
        lines.outcome(outcome, count)
    lines.skip()
    lines.title(t("results.sum.problems", lang=lang), "bold")
    top = top_problems(problems, lang=lang)
    if top:
        lines.header("problem_rows", "problem_text")
        for count, text in top:
            lines.cells([count, text])
    else:
        lines.cells([t("results.sum.no_problems", lang=lang)])
    lines.skip()
    lines.title(t("results.sum.settings", lang=lang), "bold")
    settings = safe_settings(summary.settings)
    for key, value in settings.items():
        lines.cells([key, value])
    if not settings:
        lines.cells([t("results.sum.none", lang=lang)])
    lines.skip()
    lines.title(t("results.sum.notes", lang=lang), "bold")
    for note in notes or [t("results.sum.none", lang=lang)]:
        lines.cells([note])
    for col, width in enumerate((24, 60, 10, 70)):
        ws.set_column(col, col, width)


def _run_facts(
    table: SourceTable, outcomes: list[RowOutcome], summary: SummaryFacts, lang: str
) -> list[tuple[str, Any]]:
    seconds = max((summary.finished_at - summary.started_at).total_seconds(), 0.0)
    rate = len(outcomes) / seconds if seconds > 0 else 0.0
    none = t("results.sum.none", lang=lang)
    duration = t("results.sum.duration_value", lang=lang, seconds=format_number(seconds, lang, 1))
    rate_text = t("results.sum.throughput_value", lang=lang, rate=format_number(rate, lang, 1))
    return [
        ("command", summary.command),
        ("input", str(summary.input_path) if summary.input_path else none),
        ("sheet", table.sheet or none),
        ("rows", len(outcomes)),
        ("started", _local(summary.started_at)),
        ("finished", _local(summary.finished_at)),
        ("duration", duration),
        ("throughput", rate_text),
    ]


class _SummaryLines:
    """Writes the Summary sheet line after line (constant-memory mode writes in order)."""

    def __init__(self, ws: Worksheet, formats: CellFormats, lang: str) -> None:
        self.ws, self.formats, self.lang, self.row = ws, formats, lang, 0
        pattern = "dd/mm/yyyy hh:mm" if lang == "fr" else "yyyy-mm-dd hh:mm:ss"
        self.time_format = formats.workbook.add_format({"num_format": pattern, "align": "left"})

    def skip(self) -> None:
        self.row += 1

    def title(self, text: str, kind: str = "title") -> None:
        self.ws.write_string(self.row, 0, text, self.formats.get(kind))
        self.row += 1

    def pair(self, key: str, value: Any) -> None:
        label = t(f"results.sum.{key}", lang=self.lang)
        self.ws.write_string(self.row, 0, label, self.formats.get("bold"))
        if isinstance(value, datetime):
            self.ws.write_datetime(self.row, 1, value, self.time_format)
        else:
            put_value(self.ws, self.row, 1, value, self.formats)
        self.row += 1

    def header(self, *keys: str) -> None:
        for col, key in enumerate(keys):
            label = t(f"results.sum.{key}", lang=self.lang)
            self.ws.write_string(self.row, col, label, self.formats.get("header"))
        self.row += 1

    def outcome(self, outcome: str, count: int) -> None:
        self.ws.write_string(self.row, 0, outcome, self.formats.get(None, outcome))
        self.ws.write_string(self.row, 1, t(f"results.outcome.{outcome}", lang=self.lang))
        self.ws.write_number(self.row, 2, count)
        self.ws.write_string(self.row, 3, t(f"results.meaning.{outcome}", lang=self.lang))
        self.row += 1

    def cells(self, values: Iterable[Any]) -> None:
        for col, value in enumerate(values):
            put_value(self.ws, self.row, col, value, self.formats)
        self.row += 1


def top_problems(
    issues: Iterable[RowIssue], *, lang: str = "en", limit: int = 10
) -> list[tuple[int, str]]:
    """The most frequent problems by code, first ten: (rows concerned, "problem (first at row 5)").

    The count has a column of its own in the Summary sheet: the text does not repeat it.
    """
    rows: dict[str, set[int]] = {}
    first: dict[str, RowIssue] = {}
    for issue in issues:
        rows.setdefault(issue.code, set()).add(issue.row)
        first.setdefault(issue.code, issue)
    order = sorted(rows, key=lambda code: -len(rows[code]))[:limit]
    result = []
    for code in order:
        count, example = len(rows[code]), first[code]
        text = t_count(
            "results.sum.problem_example", count, lang, text=example.as_text(lang), row=example.row
        )
        result.append((count, text))
    return result


def safe_settings(settings: dict[str, str]) -> dict[str, str]:
    """The settings without anything that looks like a credential (keys or URL passwords)."""
    return {
        str(k): URL_USERINFO.sub(r"\1", str(v))
        for k, v in settings.items()
        if not SECRET_KEY.search(str(k))
    }


def _local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


LOOKUP_OUTCOMES = frozenset({Outcome.FOUND, Outcome.REFUSED, Outcome.NOT_FOUND})
CHANGE_OUTCOMES = frozenset({Outcome.CREATED, Outcome.MODIFIED, Outcome.DELETED, Outcome.UNCHANGED})


def _listed_outcomes(command: str) -> list[Outcome]:
    """The outcomes the Summary lists even at 0: those the command can give (others if met)."""
    left_out = CHANGE_OUTCOMES if command == "status" else LOOKUP_OUTCOMES
    return [o for o in Outcome if o not in left_out]
