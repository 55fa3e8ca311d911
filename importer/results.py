"""The results workbook: the source's rows, what happened to each, and where the problems are.

Written with XlsxWriter in constant-memory mode: every sheet is written top to bottom, once,
so 100,000 rows cost little more than writing the bare table. Cell highlights and comments
are written with their row, which keeps them compatible with that mode.
"""

from __future__ import annotations

import math
import os
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import xlsxwriter
from pandas import NaT
from xlsxwriter.exceptions import XlsxWriterException
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from importer.errors import InputError
from importer.messages import t
from importer.model import RESULT_COLUMNS, Outcome, RowIssue, RowOutcome, SourceTable

# Catalogue key of each added column ("results.col.<key>").
RESULT_KEYS: dict[str, str] = {name: name for name in RESULT_COLUMNS if " " not in name}
RESULT_KEYS |= {"jourHeureInter (UTC)": "utc_inter", "jourHeurePeremp (UTC)": "utc_peremp"}

# (fill, font colour) of the outcome cells: the legend is in the Summary sheet.
OUTCOME_COLOURS: dict[str, tuple[str, str]] = {
    "created": ("#C6EFCE", "#006100"),
    "modified": ("#C6EFCE", "#006100"),
    "deleted": ("#C6EFCE", "#006100"),
    "unchanged": ("#E7E6E6", "#3A3838"),
    "valid": ("#DDEBF7", "#1F4E78"),
    "invalid": ("#FFC7CE", "#9C0006"),
    "failed": ("#FFC7CE", "#9C0006"),
    "not_sent": ("#FFEB9C", "#9C5700"),
}
ERROR_FILL = "#FFC7CE"
WARNING_FILL = "#FFEB9C"
SHEET_KEYS = ("results", "errors", "summary")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_COMMENTS = 10_000  # beyond this, cells are still coloured but carry no comment
MAX_LINKS = 65_530  # Excel's limit of hyperlinks per sheet
MAX_WIDTH = 60
WIDTH_SAMPLE = 1000  # rows looked at to size the source columns
SECRET_KEY = re.compile(r"pass|token|secret|credential|api_?key|auth", re.IGNORECASE)
URL_USERINFO = re.compile(r"(://)[^/@\s]+@")

_KIND_PROPS: dict[str, dict[str, Any]] = {
    "datetime": {"num_format": "dd/mm/yyyy hh:mm"},
    "date": {"num_format": "dd/mm/yyyy"},
    "time": {"num_format": "hh:mm"},
    "duration": {"num_format": "[h]:mm:ss"},
    "text": {"quote_prefix": True},  # stays text when edited in Excel
    "header": {"bold": True, "bg_color": "#D9D9D9", "border": 1, "text_wrap": True},
    "added_header": {"bold": True, "bg_color": "#BDD7EE", "border": 1, "text_wrap": True},
    "title": {"bold": True, "font_size": 14},
    "bold": {"bold": True},
}
_MARK_PROPS: dict[str, dict[str, Any]] = {
    "error": {"bg_color": ERROR_FILL},
    "warning": {"bg_color": WARNING_FILL},
    **{o: {"bg_color": fill, "font_color": font} for o, (fill, font) in OUTCOME_COLOURS.items()},
}


@dataclass
class RunSummary:
    """What the Summary sheet says about the run (never a credential)."""

    command: str
    input_path: Path | None
    started_at: datetime
    finished_at: datetime
    settings: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def result_headers(lang: str = "en") -> list[str]:
    """The headers of the added columns in ``lang``; English is exactly RESULT_COLUMNS."""
    if lang != "fr":
        return list(RESULT_COLUMNS)
    return [t(f"results.col.{RESULT_KEYS[name]}", lang="fr") for name in RESULT_COLUMNS]


def sheet_names(lang: str = "en") -> tuple[str, str, str]:
    """The names of the Results, Errors and Summary sheets in ``lang``."""
    lang = _lang(lang)
    results, errors, summary = (t(f"results.sheet.{k}", lang=lang) for k in SHEET_KEYS)
    return results, errors, summary


def write_results(
    path: Path,
    table: SourceTable,
    outcomes: list[RowOutcome],
    summary: RunSummary,
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
        options = {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "remove_timezone": True,
        }
        with xlsxwriter.Workbook(str(tmp), options) as workbook:
            _Writer(workbook, lang).write(table, outcomes, summary, list(extra_columns))

    return save_atomically(Path(path), build)


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


class _Formats:
    """The workbook's cell formats, created once per (kind, mark) combination."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.cache: dict[tuple[str | None, str | None], Any] = {}

    def get(self, kind: str | None, mark: str | None = None) -> Any:
        key = (kind, mark)
        if key not in self.cache:
            props = {**_KIND_PROPS.get(kind or "", {}), **_MARK_PROPS.get(mark or "", {})}
            self.cache[key] = self.workbook.add_format(props) if props else None
        return self.cache[key]


def put_value(
    ws: Worksheet, row: int, col: int, value: Any, formats: _Formats, mark: str | None = None
) -> int:
    """Write one raw value with its type (text stays text, never a formula); returns width."""
    cls = type(value)
    if cls is str:
        if not value:
            if mark:
                ws.write_blank(row, col, None, formats.get(None, mark))
            return 0
        if value[0] in FORMULA_START:
            ws.write_string(row, col, value, formats.get("text", mark))
        else:
            ws.write_string(row, col, value, formats.get(None, mark) if mark else None)
        return len(value)
    if value is None:
        if mark:
            ws.write_blank(row, col, None, formats.get(None, mark))
        return 0
    if cls is int and -(2**53) < value < 2**53:
        ws.write_number(row, col, value, formats.get(None, mark) if mark else None)
        return len(str(value))
    if cls is datetime and value.year >= 1900:
        ws.write_datetime(row, col, value, formats.get("datetime", mark))
        return 16
    if cls is float or (isinstance(value, Real) and not isinstance(value, Integral)):
        if math.isfinite(value):
            ws.write_number(row, col, float(value), formats.get(None, mark) if mark else None)
            return min(len(str(value)), 12)
        if math.isnan(value):
            ws.write_blank(row, col, None, formats.get(None, mark))
            return 0
        return put_value(ws, row, col, str(value), formats, mark)
    return _put_other(ws, row, col, value, formats, mark)


def _put_other(
    ws: Worksheet, row: int, col: int, value: Any, formats: _Formats, mark: str | None
) -> int:
    """The rarer types: booleans, dates and times, pandas' NaT, numpy scalars, the rest."""
    if value is NaT:
        ws.write_blank(row, col, None, formats.get(None, mark))
        return 0
    if isinstance(value, bool) or type(value).__name__ in ("bool", "bool_"):  # numpy too
        ws.write_boolean(row, col, bool(value), formats.get(None, mark))
        return 5
    if isinstance(value, Integral) and abs(int(value)) < 2**53:
        ws.write_number(row, col, int(value), formats.get(None, mark))
        return len(str(value))
    kind = _date_kind(value)
    if kind:
        ws.write_datetime(row, col, value, formats.get(kind, mark))
        return 16 if kind == "datetime" else 10
    return put_value(ws, row, col, str(value), formats, mark)


def _date_kind(value: Any) -> str | None:
    if isinstance(value, datetime):
        return "datetime" if value.year >= 1900 else None
    if isinstance(value, date):
        return "date" if value.year >= 1900 else None
    if isinstance(value, time):
        return "time"
    if isinstance(value, timedelta):
        return "duration"
    return None


@dataclass
class _Problem:
    issue: RowIssue
    sheet_row: int  # 0-based row in the Results sheet
    col: int | None  # 0-based column in the Results sheet (None: the whole row)


class _Writer:
    """Writes the three sheets of one results workbook."""

    def __init__(self, workbook: xlsxwriter.Workbook, lang: str) -> None:
        self.workbook = workbook
        self.lang = lang
        self.formats = _Formats(workbook)
        self.names = sheet_names(lang)
        self.problems: list[_Problem] = []
        self.comments = 0
        self.comments_capped = False
        self.links_capped = False

    def write(
        self,
        table: SourceTable,
        outcomes: list[RowOutcome],
        summary: RunSummary,
        extra_columns: list[str],
    ) -> None:
        results = self.workbook.add_worksheet(self.names[0])
        errors = self.workbook.add_worksheet(self.names[1])
        summary_ws = self.workbook.add_worksheet(self.names[2])
        for ws in (results, errors, summary_ws):  # printable: landscape, header on each page
            ws.set_landscape()
            ws.set_paper(9)  # A4
            ws.repeat_rows(0)
        self._results_sheet(results, table, outcomes, extra_columns)
        self._errors_sheet(errors)
        self._summary_sheet(summary_ws, table, outcomes, summary)

    # -- Results ---------------------------------------------------------------------------
    def _results_sheet(
        self,
        ws: Worksheet,
        table: SourceTable,
        outcomes: list[RowOutcome],
        extra_columns: list[str],
    ) -> None:
        headers = _source_headers(table)
        n_src = len(headers)
        added = result_headers(self.lang) + extra_columns
        positions = _column_positions(table, headers)
        fm = self.formats
        for col, header in enumerate(headers):
            if header:
                ws.write_string(0, col, header, fm.get("header"))
            else:
                ws.write_blank(0, col, None, fm.get("header"))
        for j, header in enumerate(added):
            ws.write_string(0, n_src + j, header, fm.get("added_header"))
        widths = _source_widths(table, headers)
        widths += [max(len(h), 8) for h in added]
        outcome_col = n_src + 1
        rows = table.data.itertuples(index=False, name=None)
        for i, (values, out) in enumerate(zip(rows, outcomes, strict=True)):
            row = i + 1
            cells = _issues_by_cell(out, positions) if out.errors or out.warnings else {}
            for col, value in enumerate(values):
                issues = cells.get(col)
                put_value(ws, row, col, value, fm, _severity(issues) if issues else None)
            self._added_cells(ws, row, n_src, out, extra_columns, widths)
            if cells:
                self._note_problems(ws, row, out, cells, positions, outcome_col)
        for col, width in enumerate(widths):
            ws.set_column(col, col, min(max(width + 2, 8), MAX_WIDTH))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(outcomes), 1), max(n_src + len(added) - 1, 0))
        self.outcome_col = outcome_col

    def _added_cells(
        self,
        ws: Worksheet,
        row: int,
        n_src: int,
        out: RowOutcome,
        extra_columns: list[str],
        widths: list[int],
    ) -> None:
        fm, outcome = self.formats, str(out.outcome)
        errors = "; ".join(i.as_text() for i in out.errors) if out.errors else ""
        warnings = "; ".join(i.as_text() for i in out.warnings) if out.warnings else ""
        values = [
            out.row,
            outcome,
            out.action,
            out.http_status,
            out.message,
            errors,
            warnings,
            out.attempts,
            out.utc_inter,
            out.utc_peremp,
        ]
        values += [out.extra.get(key) for key in extra_columns]
        ws.write_string(row, n_src + 1, outcome, fm.get(None, outcome))
        for offset, value in enumerate(values):
            if offset != 1 and value is not None and value != "":
                col = n_src + offset
                widths[col] = max(widths[col], put_value(ws, row, col, value, fm))

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

    # -- Summary ---------------------------------------------------------------------------
    def _summary_sheet(
        self, ws: Worksheet, table: SourceTable, outcomes: list[RowOutcome], summary: RunSummary
    ) -> None:
        lines = _SummaryLines(ws, self.formats, self.lang)
        lines.title(t("results.sum.title", lang=self.lang))
        lines.skip()
        for key, value in self._run_facts(table, outcomes, summary):
            lines.pair(key, value)
        lines.skip()
        lines.title(t("results.sum.outcomes", lang=self.lang), "bold")
        lines.header("outcome", "name", "count", "meaning")
        counts = {o.value: 0 for o in Outcome}
        for out in outcomes:
            counts[str(out.outcome)] = counts.get(str(out.outcome), 0) + 1
        for outcome, count in counts.items():
            lines.outcome(outcome, count)
        lines.skip()
        lines.title(t("results.sum.problems", lang=self.lang), "bold")
        top = top_problems((p.issue for p in self.problems), lang=self.lang)
        if top:
            lines.header("problem_rows", "problem_text")
            for count, text in top:
                lines.cells([count, text])
        else:
            lines.cells([t("results.sum.no_problems", lang=self.lang)])
        lines.skip()
        lines.title(t("results.sum.settings", lang=self.lang), "bold")
        settings = safe_settings(summary.settings)
        for key, value in settings.items():
            lines.cells([key, value])
        if not settings:
            lines.cells([t("results.sum.none", lang=self.lang)])
        lines.skip()
        lines.title(t("results.sum.notes", lang=self.lang), "bold")
        notes = list(summary.notes)
        if self.comments_capped:
            notes.append(t("results.sum.comments_capped", lang=self.lang, limit=MAX_COMMENTS))
        if self.links_capped:
            notes.append(t("results.sum.links_capped", lang=self.lang, limit=MAX_LINKS))
        for note in notes or [t("results.sum.none", lang=self.lang)]:
            lines.cells([note])
        for col, width in enumerate((24, 60, 10, 70)):
            ws.set_column(col, col, width)

    def _run_facts(
        self, table: SourceTable, outcomes: list[RowOutcome], summary: RunSummary
    ) -> list[tuple[str, Any]]:
        lang = self.lang
        seconds = max((summary.finished_at - summary.started_at).total_seconds(), 0.0)
        rate = len(outcomes) / seconds if seconds > 0 else 0.0
        none = t("results.sum.none", lang=lang)
        duration = t(
            "results.sum.duration_value", lang=lang, seconds=format_number(seconds, lang, 1)
        )
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

    def __init__(self, ws: Worksheet, formats: _Formats, lang: str) -> None:
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
    """The most frequent problems by code: (rows concerned, "37 rows: ...") first ten."""
    rows: dict[str, set[int]] = {}
    first: dict[str, RowIssue] = {}
    for issue in issues:
        rows.setdefault(issue.code, set()).add(issue.row)
        first.setdefault(issue.code, issue)
    order = sorted(rows, key=lambda code: -len(rows[code]))[:limit]
    result = []
    for code in order:
        count, example = len(rows[code]), first[code]
        key = "results.sum.problem_example_one" if count == 1 else "results.sum.problem_example"
        number = format_number(count, lang, 0)
        text = t(key, lang=lang, count=number, text=example.as_text(), row=example.row)
        result.append((count, text))
    return result


def safe_settings(settings: dict[str, str]) -> dict[str, str]:
    """The settings without anything that looks like a credential (keys or URL passwords)."""
    return {
        str(k): URL_USERINFO.sub(r"\1", str(v))
        for k, v in settings.items()
        if not SECRET_KEY.search(str(k))
    }


def format_number(value: float, lang: str, decimals: int) -> str:
    """A number as people read it: 1,234.5 in English, 1 234,5 in French."""
    text = f"{value:,.{decimals}f}"
    if lang == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def _local(moment: datetime) -> datetime:
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


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
