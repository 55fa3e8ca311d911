"""The results workbook: the source's rows, what happened to each, and where the problems are.

Written with XlsxWriter in constant-memory mode: every sheet is written top to bottom, once,
so 100,000 rows cost little more than writing the bare table. Cell highlights and comments
are written with their row, which keeps them compatible with that mode. Typed cells and
their formats are in :mod:`importer.report.cells`, the Summary sheet in
:mod:`importer.report.summary_sheet`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from importer.errors import InputError
from importer.messages import language_context, t
from importer.model import RowIssue, RowOutcome, SourceTable
from importer.report.cells import CellFormats, RowWriter, put_value
from importer.report.summary_sheet import SummaryFacts, write_summary_sheet
from importer.result_columns import OUTCOME_INDEX, RESULT_COLUMNS, result_headers

SHEET_KEYS = ("results", "errors", "summary")
MAX_COMMENTS = 10_000  # beyond this, cells are still coloured but carry no comment
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per sheet
MAX_WIDTH = 60
WIDTH_SAMPLE = 1000  # rows looked at to size the source columns


def sheet_names(lang: str = "en") -> tuple[str, str, str]:
    """The names of the Results, Errors and Summary sheets in ``lang``."""
    lang = _lang(lang)
    results, errors, summary = (t(f"results.sheet.{k}", lang=lang) for k in SHEET_KEYS)
    return results, errors, summary


def write_results(
    path: Path,
    table: SourceTable,
    outcomes: list[RowOutcome],
    summary: SummaryFacts,
    *,
    lang: str = "en",
    extra_columns: Sequence[str] = (),
) -> Path:
    """Write the results workbook atomically; returns the path actually written.

    When ``path`` is locked or cannot be replaced, the workbook goes beside it with a
    timestamp suffix; raises InputError when it cannot be written at all.
    """
    if len(outcomes) != len(table.data):
        raise ValueError(f"{len(outcomes)} outcomes for {len(table.data)} rows")
    lang = _lang(lang)

    def build(tmp: Path) -> None:
        with open_workbook(tmp) as workbook, language_context(lang):
            ResultsWriter(workbook, lang).write(table, outcomes, summary, list(extra_columns))

    return save_atomically(Path(path), build)


def open_workbook(path: Path) -> xlsxwriter.Workbook:
    """A constant-memory workbook at ``path`` (a context manager: it is written on exit)."""
    options = {
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
    }
    return xlsxwriter.Workbook(str(path), options)


def save_atomically(target: Path, build: Callable[[Path], None], *, fallback: bool = True) -> Path:
    """Build the file at a temporary path beside ``target``, then rename it into place.

    Returns the path written: ``target``, or (``fallback``) a timestamped name beside it
    when ``target`` is locked; raises InputError when nothing can be written.
    """
    folder = target.parent
    if not folder.is_dir():
        raise InputError(t("results.no_folder", path=target, folder=folder))
    tmp = folder / f".{target.name}.{secrets.token_hex(4)}.tmp"
    try:
        try:
            build(tmp)
        except (OSError, XlsxWriterException) as exc:
            raise InputError(t("results.cannot_write", path=target, reason=_reason(exc))) from exc
        try:
            os.replace(tmp, target)
            return target
        except OSError as exc:
            if not fallback:
                raise InputError(
                    t("results.cannot_write", path=target, reason=_reason(exc))
                ) from exc
            first = exc
        beside = _beside(target)
        try:
            os.replace(tmp, beside)
        except OSError as exc:
            raise InputError(t("results.cannot_write", path=target, reason=_reason(first))) from exc
        return beside
    finally:
        with suppress(OSError):
            tmp.unlink(missing_ok=True)


def _beside(target: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M")
    stem = target.name.removesuffix(target.suffix)
    candidate = target.with_name(f"{stem}-{stamp}{target.suffix}")
    number = 2
    while candidate.exists() and number < 1000:
        candidate = target.with_name(f"{stem}-{stamp}-{number}{target.suffix}")
        number += 1
    return candidate


def _reason(exc: BaseException) -> str:
    inner = exc.__context__ if isinstance(exc, XlsxWriterException) and exc.__context__ else exc
    return getattr(inner, "strerror", None) or str(inner) or type(inner).__name__


def _lang(lang: str | None) -> str:
    return "fr" if lang == "fr" else "en"


@dataclass
class _Problem:
    issue: RowIssue
    sheet_row: int  # 0-based row in the Results sheet
    col: int | None  # 0-based column in the Results sheet (None: the whole row)


class ResultsWriter:
    """Writes the three sheets of one results workbook."""

    def __init__(self, workbook: xlsxwriter.Workbook, lang: str) -> None:
        self.workbook = workbook
        self.lang = lang
        self.formats = CellFormats(workbook)
        self.names = sheet_names(lang)
        self.problems: list[_Problem] = []
        self.comments = 0
        self.comments_capped = False
        self.links_capped = False

    def write(
        self,
        table: SourceTable,
        outcomes: list[RowOutcome],
        summary: SummaryFacts,
        extra_columns: list[str],
    ) -> None:
        self.begin(table, extra_columns)
        rows = table.data.itertuples(index=False, name=None)
        for position, (values, out) in enumerate(zip(rows, outcomes, strict=True)):
            self.row(position, values, out)
        self.end(outcomes, summary)

    def begin(self, table: SourceTable, extra_columns: list[str]) -> None:
        """Add the three sheets and write the Results sheet's header row."""
        self.table, self.extra_columns = table, extra_columns
        self.results = self.workbook.add_worksheet(self.names[0])
        self.errors = self.workbook.add_worksheet(self.names[1])
        self.summary = self.workbook.add_worksheet(self.names[2])
        for ws in (self.results, self.errors, self.summary):  # printable: landscape, header
            ws.set_landscape()  # on each page
            ws.set_paper(9)  # A4
            ws.repeat_rows(0)
        self._begin_results(self.results, table, extra_columns)

    def end(self, outcomes: list[RowOutcome], summary: SummaryFacts) -> None:
        """After the last :meth:`row`: close the Results sheet, write Errors and Summary."""
        self._end_results(self.results, len(outcomes))
        self._errors_sheet(self.errors)
        issues = (p.issue for p in self.problems)
        notes = self._notes(summary)
        write_summary_sheet(
            self.summary, self.formats, self.lang, self.table, outcomes, summary, issues, notes
        )

    def _notes(self, summary: SummaryFacts) -> list[str]:
        """The run's notes, and what the Results and Errors sheets had to leave out."""
        notes = list(summary.notes)
        if self.comments_capped:
            notes.append(t("results.sum.comments_capped", lang=self.lang, limit=MAX_COMMENTS))
        if self.links_capped:
            notes.append(t("results.sum.links_capped", lang=self.lang, limit=MAX_LINKS))
        return notes

    # -- Results ---------------------------------------------------------------------------
    def _begin_results(self, ws: Worksheet, table: SourceTable, extra_columns: list[str]) -> None:
        headers = _source_headers(table)
        n_src = len(headers)
        added = result_headers(self.lang) + extra_columns
        self.positions = _column_positions(table, headers)
        fm = self.formats
        for col, header in enumerate(headers):
            if header:
                ws.write_string(0, col, header, fm.get("header"))
            else:
                ws.write_blank(0, col, None, fm.get("header"))
        for j, header in enumerate(added):
            ws.write_string(0, n_src + j, header, fm.get("added_header"))
        self.widths = _source_widths(table, headers) + [max(len(h), 8) for h in added]
        self.outcome_col = n_src + OUTCOME_INDEX
        self.row_writer = RowWriter(ws, fm)
        self.added_cols = [n_src + j for j in range(len(added)) if j != OUTCOME_INDEX]  # (colour)
        self.n_columns = n_src + len(added)

    def row(self, position: int, values: Sequence[Any], out: RowOutcome) -> None:
        """Write the Results row of the source row at ``position`` (rows go top to bottom)."""
        ws, fm, positions, row = self.results, self.formats, self.positions, position + 1
        if out.errors or out.warnings:
            cells = _issues_by_cell(out, positions)
            for col, value in enumerate(values):
                issues = cells.get(col)
                put_value(ws, row, col, value, fm, _severity(issues) if issues else None)
        else:
            cells = {}
            self.row_writer.put_row(row, values)
        self._added_cells(
            self.row_writer,
            row,
            self.outcome_col,
            self.added_cols,
            out,
            self.extra_columns,
            self.widths,
        )
        if cells:
            self._note_problems(ws, row, out, cells, positions, self.outcome_col)

    def _end_results(self, ws: Worksheet, rows: int) -> None:
        for col, width in enumerate(self.widths):
            ws.set_column(col, col, min(max(width + 2, 8), MAX_WIDTH))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(rows, 1), max(self.n_columns - 1, 0))

    def _added_cells(
        self,
        writer: RowWriter,
        row: int,
        outcome_col: int,
        added_cols: list[int],
        out: RowOutcome,
        extra_columns: list[str],
        widths: list[int],
    ) -> None:
        values = [column.cell(out) for column in RESULT_COLUMNS]
        outcome = values.pop(OUTCOME_INDEX)
        if extra_columns:
            values += [out.extra.get(key) for key in extra_columns]
        writer.write_string(row, outcome_col, outcome, self.formats.get(None, outcome))
        writer.put_cells(row, added_cols, values, widths)

    def _note_problems(
        self,
        ws: Worksheet,
        row: int,
        out: RowOutcome,
        cells: dict[int | None, list[RowIssue]],
        positions: dict[str, int],
        outcome_col: int,
    ) -> None:
        for where, issues in cells.items():  # a whole-row problem goes on the outcome cell
            self._comment(ws, row, outcome_col if where is None else where, issues)
        for issue in (*out.errors, *out.warnings):
            where = positions.get(issue.column) if issue.column is not None else None
            self.problems.append(_Problem(issue, row, where))

    def _comment(self, ws: Worksheet, row: int, col: int, issues: list[RowIssue]) -> None:
        if self.comments >= MAX_COMMENTS:
            self.comments_capped = True
            return
        self.comments += 1
        text = "\n".join(issue.message for issue in issues)
        lines = sum(1 + len(line) // 48 for line in text.splitlines()) or 1
        size = {"x_scale": 2.3, "y_scale": max(1.0, 0.3 * lines + 0.2)}
        ws.write_comment(row, col, text, {"author": "mission-importer", **size})

    # -- Errors ----------------------------------------------------------------------------
    def _errors_sheet(self, ws: Worksheet) -> None:
        fm, lang = self.formats, self.lang
        keys = ("row", "column", "value", "severity", "explanation", "code", "cell")
        for col, key in enumerate(keys):
            ws.write_string(0, col, t(f"results.err.{key}", lang=lang), fm.get("header"))
        quoted = "'" + self.names[0].replace("'", "''") + "'"
        whole_row = t("results.err.whole_row", lang=lang)
        for row, problem in enumerate(self.problems, start=1):
            issue = problem.issue
            ws.write_number(row, 0, issue.row)
            put_value(ws, row, 1, issue.column or whole_row, fm)
            put_value(ws, row, 2, issue.value, fm)
            severity = issue.severity if issue.severity in ("error", "warning") else "error"
            ws.write_string(
                row, 3, t(f"results.severity.{severity}", lang=lang), fm.get(None, severity)
            )
            put_value(ws, row, 4, issue.message, fm)
            put_value(ws, row, 5, issue.code, fm)
            col = self.outcome_col if problem.col is None else problem.col
            cell = xl_rowcol_to_cell(problem.sheet_row, col)
            label = f"{self.names[0]}!{cell}"
            if row <= MAX_LINKS:
                ws.write_url(row, 6, f"internal:{quoted}!{cell}", string=label)
            else:
                self.links_capped = True
                ws.write_string(row, 6, label)
        for col, width in enumerate((8, 24, 20, 14, 60, 28, 18)):
            ws.set_column(col, col, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(self.problems), 1), len(keys) - 1)


def _source_headers(table: SourceTable) -> list[str]:
    columns = [str(c) for c in table.data.columns]
    if len(table.headers) == len(columns):
        return [str(h) if h is not None else "" for h in table.headers]
    return columns


def _column_positions(table: SourceTable, headers: list[str]) -> dict[str, int]:
    positions = {str(name): i for i, name in enumerate(table.data.columns)}
    for i, header in enumerate(headers):
        positions.setdefault(header, i)
    return positions


def _issues_by_cell(out: RowOutcome, positions: dict[str, int]) -> dict[int | None, list[RowIssue]]:
    cells: dict[int | None, list[RowIssue]] = {}
    for issue in (*out.errors, *out.warnings):
        col = positions.get(issue.column) if issue.column is not None else None
        cells.setdefault(col, []).append(issue)
    return cells


def _severity(issues: list[RowIssue]) -> str:
    return "error" if any(i.severity != "warning" for i in issues) else "warning"


def _source_widths(table: SourceTable, headers: list[str]) -> list[int]:
    widths = [max((len(w) for w in h.split()), default=0) + 2 for h in headers]
    sample = table.data.head(WIDTH_SAMPLE).itertuples(index=False, name=None)
    for values in sample:
        for col, value in enumerate(values):
            if value is None:
                continue
            if isinstance(value, datetime):
                size = 16
            elif isinstance(value, float):
                size = min(len(str(value)), 12)
            else:
                size = len(str(value))
            if size > widths[col]:
                widths[col] = size
    return widths
