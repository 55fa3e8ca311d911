"""The end-of-run summary shown in a terminal, and its machine-readable twin (--json)."""

from __future__ import annotations

import json
from typing import Any

from importer.messages import get_language, t
from importer.model import Outcome
from importer.report.command_result import CommandResult
from importer.report.numbers import format_number
from importer.result_columns import row_record

OUTCOME_TERMINAL_COLOURS = {
    Outcome.CREATED: "green",
    Outcome.MODIFIED: "green",
    Outcome.DELETED: "green",
    Outcome.UNCHANGED: None,
    Outcome.VALID: "cyan",
    Outcome.INVALID: "red",
    Outcome.FAILED: "red",
    Outcome.NOT_SENT: "yellow",
    Outcome.FOUND: "green",
    Outcome.REFUSED: "red",
    Outcome.NOT_FOUND: "yellow",
}
FIRST_PROBLEMS = 5


def _number(value: float, decimals: int = 1) -> str:
    return format_number(value, get_language(), decimals)


def summary_lines(report: CommandResult, *, style: Any = None) -> list[str]:
    """The summary as lines of text; ``style`` is click.style or None for plain text."""

    def paint(text: str, colour: str | None, bold: bool = False) -> str:
        return style(text, fg=colour, bold=bold) if style and (colour or bold) else text

    counts = report.counts
    total = len(report.outcomes)
    rate = total / report.duration if report.duration > 0 else 0.0
    title = t(
        "cli.summary_title",
        command=report.command,
        rows=total,
        seconds=_number(report.duration),
        rate=_number(rate, 0),
    )
    lines = [paint(title, None, bold=True)]
    english = get_language() == "en"
    for outcome in Outcome:
        if counts.get(outcome.value):
            count = counts[outcome.value]
            if english:  # the stable keys, as in the workbook's outcome column
                label = f"  {outcome.value:<10} {count:>7}"
            else:
                label = f"  {t(f'cli.outcome.{outcome.value}'):<12} {_number(count, 0):>7}"
            lines.append(paint(label, OUTCOME_TERMINAL_COLOURS[outcome]))
    problems = [(o.row, issue.as_text()) for o in report.outcomes for issue in o.errors]
    if problems:
        lines.append(t("cli.first_problems", count=len(problems)))
        for row, text in problems[:FIRST_PROBLEMS]:
            line = t("common.issue", column=t("cli.row", row=row), message=text)
            lines.append(paint(f"  {line}", "red"))
    for note in report.notes:
        lines.append(paint(f"  ! {note}", "yellow"))
    if report.output_path:
        lines.append(t("cli.workbook_at", path=report.output_path))
    return lines


def summary_dict(report: CommandResult, *, results: bool = False) -> dict[str, Any]:
    """The summary as a JSON-ready dict (same facts as the terminal table).

    With ``results``, also ``"results"``: one record per row, in row order, as the audit
    log's ``row`` lines give them (the audit log's ``summary`` line goes without: its rows
    have lines of their own).
    """
    summary: dict[str, Any] = {
        "command": report.command,
        "input": str(report.input_path) if report.input_path else None,
        "output": str(report.output_path) if report.output_path else None,
        "rows": len(report.outcomes),
        "counts": dict(report.counts),
        "duration_seconds": round(report.duration, 3),
        "sending_seconds": round(report.sending_seconds, 3),
        "exit_code": int(report.exit_code),
        "interrupted": report.interrupted,
        "api_lost": report.api_lost,
        "calls": report.calls,
        "problems": [
            {
                "row": o.row,
                "outcome": o.outcome.value,
                "column": issue.column,
                "code": issue.code,
                "message": issue.message,
            }
            for o in report.outcomes
            for issue in o.errors
        ],
        "notes": report.notes,
    }
    if results:
        summary["results"] = [row_record(outcome) for outcome in report.outcomes]
    return summary


def summary_json(report: CommandResult) -> str:
    """What ``--json`` prints: the summary with every row's record."""
    return json.dumps(summary_dict(report, results=True), ensure_ascii=False, default=str)


def failure_sentence(report: CommandResult) -> str:
    """The one sentence ``--quiet`` prints when the run was not a full success ("" if it was)."""
    code = int(report.exit_code)
    if code == 0:
        return ""
    counts = ", ".join(  # words of the user's language ("10 invalides")
        f"{n} {t(f'cli.outcome.{name}')}" for name, n in sorted(report.counts.items())
    )
    if report.interrupted:
        return t("audit.interrupted", counts=counts)
    if report.api_lost:
        return t("audit.api_lost", reason=report.api_lost, counts=counts)
    problems = sum(1 for o in report.outcomes if o.outcome in report.problem_outcomes)
    values = dict(problems=problems, rows=len(report.outcomes), counts=counts)
    if report.output_path:
        return t("audit.quiet_failure", path=report.output_path, **values)
    return t("audit.quiet_failure_no_workbook", **values)
