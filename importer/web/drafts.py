"""Uploads being checked: the file read, mapped and validated by the command line's own
functions (:func:`importer.commands.validate.prepare`,
:func:`importer.rows.rules.validate_table`), edits made in the grid, and the paging of
the check grid.
"""

from __future__ import annotations

import contextlib
import math
import re
import secrets
import shutil
import threading
import time as time_module
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from importer.commands.validate import prepare, row_options
from importer.fields import BY_NAME
from importer.messages import catalogue, field_values, get_language, message_fields, t
from importer.model import HeaderMap, RowIssue, SourceTable, ValidatedRow
from importer.rows.cells import parse_postcode, show_value
from importer.rows.edits import column_kind, typed_value
from importer.rows.validation import validate_table
from importer.rows.values import ValueProblem
from importer.settings.load import Settings

PAGE_SIZE = 50
KEEP_PER_OWNER = 10  # drafts kept in memory per person; older ones must be dropped again
_UNSAFE = re.compile(r"[^\w.\- ]+")


def safe_name(name: str) -> str:
    """A file name with no folder part and no odd characters (kept for the workbook's name)."""
    base = Path(name.replace("\\", "/")).name.strip() or "planning"
    return _UNSAFE.sub("_", base)[:120]


def cell_text(value: Any, kind: str = "", lang: str = "en") -> str:
    """A cell as the grid shows it: as the planner wrote it, always text.

    Dates ``dd/mm/yyyy hh:mm`` (as in messages), decimals with the language's separator,
    yes/no cells as Excel shows them, and a cell of a postal code column (``kind``) as it
    will be sent (9000 -> 09000).
    """
    if value is None:
        return ""
    if isinstance(value, bool):  # as Excel shows a yes/no cell in the reader's language
        return ("VRAI" if value else "FAUX") if lang == "fr" else ("TRUE" if value else "FALSE")
    if kind == "postcode":
        with contextlib.suppress(ValueProblem):
            return parse_postcode(value) or ""
    if isinstance(value, datetime | date | time):
        return show_value(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value).replace(".", ",") if lang == "fr" else repr(value)
    return str(value)


@dataclass
class Draft:
    """One uploaded file on its way to a run; belongs to one owner."""

    id: str
    owner: str
    name: str
    path: Path
    settings: Settings
    table: SourceTable
    header_map: HeaderMap
    rows: list[ValidatedRow]
    notes: list[str] = field(default_factory=list)
    edits: list[tuple[int, str, str]] = field(default_factory=list)  # replayed on a resume
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def valid_index(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r.valid]

    def set_cell(self, row: int, column: str, value: str) -> None:
        """Change one cell and validate every row again (rules across rows: duplicate ids)."""
        if column not in self.table.headers or row not in self.table.data.index:
            raise KeyError((row, column))
        with self.lock:
            data = self.table.data
            like = column_kind(data.at[row, column], data[column])
            data.at[row, column] = typed_value(value, like)  # a date cell stays a date
            self.rows = validate_table(self.table, self.header_map, row_options(self.settings))
            self.edits.append((row, column, value))

    def counts(self) -> dict[str, int]:
        invalid = sum(1 for r in self.rows if not r.valid)
        warned = sum(1 for r in self.rows if r.valid and r.warnings)
        return {
            "rows": len(self.rows),
            "valid": len(self.rows) - invalid,
            "invalid": invalid,
            "warned": warned,
        }

    def problem_counts(self) -> list[tuple[str, str, int]]:
        """(group, sentence, how many) for each rule and column, most frequent first.

        The group (``rule:column``) is what ``?problem=`` filters the grid on; the sentence
        names the column, not a value ("2 unreadable dates in "Date intervention"").
        """
        counter: Counter[str] = Counter()
        first: dict[str, RowIssue] = {}
        for vrow in self.rows:
            for issue in [*vrow.errors, *vrow.warnings]:
                group = problem_group(issue)
                counter[group] += 1
                first.setdefault(group, issue)
        return [(group, group_text(first[group], n), n) for group, n in counter.most_common()]

    def problem_rows(self, group: str) -> list[int]:
        """The positions of the rows with a problem of ``group`` (``rule:column``)."""
        return [
            i
            for i, vrow in enumerate(self.rows)
            if any(problem_group(issue) == group for issue in [*vrow.errors, *vrow.warnings])
        ]


# Messages that are forms of one rule's problem (counted together on the check page)
_SAME_RULE = {"duplicate_ids": "duplicate_id", "month_impossible_swapped": "month_impossible"}


def problem_group(issue: RowIssue) -> str:
    """``rule:column`` of a problem: ``date_format:Date intervention``, ``recipient_missing:``."""
    rule = issue.code.removeprefix("validation.")
    return f"{_SAME_RULE.get(rule, rule)}:{issue.column or ''}"


def group_text(issue: RowIssue, count: int, lang: str | None = None) -> str:
    """The sentence counting ``count`` problems like ``issue`` (its rule, its column)."""
    rule = problem_group(issue).partition(":")[0]
    key = f"problems.{rule}" + (".one" if count == 1 else "")
    if key not in catalogue()["en"]:  # not a rule of the file (an answer of Ocean)
        return f"{count} × {issue.text(lang)}"
    names = {name: issue.details[name] for name in message_fields(key) if name in issue.details}
    values = {**field_values(key, lang), **names}
    return t(key, lang=lang, count=count, column=issue.column or "", **values)


def row_state(vrow: ValidatedRow) -> str:
    return "error" if vrow.errors else "warning" if vrow.warnings else "ok"


def grid_page(
    draft: Draft,
    *,
    page: int = 1,
    only_problems: bool = False,
    keep: list[int] | None = None,
    problem: str = "",
) -> dict[str, Any]:
    """The rows of one page of the grid: problem rows first, each problem on its cell.

    ``problem`` (``rule:column``, as :meth:`Draft.problem_counts` gives it): only the rows
    with that problem.
    """
    if problem:
        keep = draft.problem_rows(problem)
    indices = keep if keep is not None else range(len(draft.rows))
    order = sorted(
        indices, key=lambda i: {"error": 0, "warning": 1, "ok": 2}[row_state(draft.rows[i])]
    )
    if only_problems:
        order = [i for i in order if row_state(draft.rows[i]) != "ok"]
    pages = max(1, math.ceil(len(order) / PAGE_SIZE))
    page = min(max(1, page), pages)
    data = draft.table.data
    lang = get_language()
    kinds = {
        header: BY_NAME[name].kind
        for name, header in draft.header_map.field_to_column.items()
        if name in BY_NAME
    }
    lines = []
    for i in order[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]:
        vrow = draft.rows[i]
        by_column: dict[str | None, list[RowIssue]] = {}
        for issue in [*vrow.errors, *vrow.warnings]:
            by_column.setdefault(issue.column, []).append(issue)
        number = vrow.row
        cells = [
            {
                "column": header,
                "text": cell_text(data.at[number, header], kinds.get(header, ""), lang),
                "issues": by_column.get(header, []),
                "state": _cell_state(by_column.get(header, [])),
            }
            for header in draft.table.headers
        ]
        lines.append(
            {
                "index": i,
                "row": number,
                "state": row_state(vrow),
                "cells": cells,
                "row_issues": by_column.get(None, []),
            }
        )
    return {
        "lines": lines,
        "page": page,
        "pages": pages,
        "only_problems": only_problems,
        "problem": problem,
    }


def _cell_state(issues: list[RowIssue]) -> str:
    if any(i.severity == "error" for i in issues):
        return "error"
    return "warning" if issues else ""


class DraftStore:
    """Drafts by id, in memory; their files under ``folder``, deleted after ``keep_days``."""

    def __init__(self, folder: Path, keep_days: float = 30.0) -> None:
        self.folder = folder
        self.keep_days = keep_days
        self.prune()
        self._drafts: dict[str, Draft] = {}
        self._lock = threading.Lock()
        self.mappings: dict[tuple[str, tuple[str, ...]], dict[str, str]] = {}

    def prune(self) -> int:
        """Delete the uploaded files older than ``keep_days``; return how many folders."""
        if not self.folder.is_dir():
            return 0
        limit = time_module.time() - self.keep_days * 86400
        old = [f for f in self.folder.iterdir() if f.is_dir() and f.stat().st_mtime < limit]
        for folder in old:
            shutil.rmtree(folder, ignore_errors=True)
        return len(old)

    def new_path(self, name: str) -> tuple[str, Path]:
        draft_id = secrets.token_urlsafe(12)
        folder = self.folder / draft_id
        folder.mkdir(parents=True, mode=0o700)
        return draft_id, folder / safe_name(name)

    def load(
        self, draft_id: str, owner: str, path: Path, settings: Settings, sheet: str | None
    ) -> Draft:
        """Read, map and validate the saved file (InputError when it cannot be read)."""
        settings = replace(settings, sheet=sheet or None)
        prepared = prepare(path, settings)
        remembered = self.mappings.get((owner, tuple(prepared.table.headers)))
        if remembered:
            settings = replace(settings, columns={**(settings.columns or {}), **remembered})
            prepared = prepare(path, settings)
        draft = Draft(
            id=draft_id,
            owner=owner,
            name=path.name,
            path=path,
            settings=settings,
            table=prepared.table,
            header_map=prepared.header_map,
            rows=prepared.rows,
            notes=prepared.notes,
        )
        with self._lock:
            self._drafts[draft_id] = draft
            mine = [d for d in self._drafts.values() if d.owner == owner]
            for old in mine[:-KEEP_PER_OWNER]:  # dicts keep insertion order: oldest first
                del self._drafts[old.id]
        return draft

    def choose_sheet(self, draft: Draft, sheet: str) -> Draft:
        """Read another sheet of the same file (InputError naming the sheets if absent)."""
        settings = replace(draft.settings, sheet=sheet)
        prepared = prepare(draft.path, settings)
        draft.settings, draft.header_map, draft.edits = settings, prepared.header_map, []
        draft.table, draft.rows, draft.notes = prepared.table, prepared.rows, prepared.notes
        return draft

    def remap(self, draft: Draft, mapping: dict[str, str]) -> Draft:
        """Map the columns as the person chose, remember the choice, validate again."""
        self.mappings[(draft.owner, tuple(draft.table.headers))] = mapping
        settings = replace(draft.settings, columns={**(draft.settings.columns or {}), **mapping})
        prepared = prepare(draft.path, settings)
        draft.settings, draft.header_map = settings, prepared.header_map
        draft.table, draft.rows, draft.notes = prepared.table, prepared.rows, prepared.notes
        return draft

    def get(self, draft_id: str, owner: str) -> Draft | None:
        """The draft if it exists and is this owner's; None otherwise (same answer: 404)."""
        with self._lock:
            draft = self._drafts.get(draft_id)
        return draft if draft is not None and draft.owner == owner else None

    def source(self, draft: Draft) -> dict[str, Any]:
        """What rebuilds this draft after a restart: its file, sheet, columns and edits."""
        return {
            "path": str(draft.path),
            "sheet": draft.settings.sheet,
            "columns": dict(draft.settings.columns or {}),
            "edits": list(draft.edits),
        }

    def rebuild(self, source: dict[str, Any], owner: str, settings: Settings) -> Draft:
        """The draft a run was made from, read again with its edits (InputError if gone)."""
        draft_id = secrets.token_urlsafe(12)
        settings = replace(settings, columns=source["columns"])
        draft = self.load(draft_id, owner, Path(source["path"]), settings, source["sheet"])
        for row, column, value in source["edits"]:
            draft.set_cell(int(row), column, value)
        return draft

    def __len__(self) -> int:
        return len(self._drafts)
