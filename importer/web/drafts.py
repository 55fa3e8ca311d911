"""Uploads being checked: the file read, mapped and validated by the command line's own
functions (:func:`importer.commands.validate.prepare`,
:func:`importer.rows.rules.validate_table`), edits made in the grid, and the paging of
the check grid (the rows of a page: :mod:`importer.web.grid`).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import re
import secrets
import shutil
import threading
import time as time_module
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from importer.commands.validate import Prepared, prepare, row_options
from importer.errors import ImporterError, InputError
from importer.messages import catalogue, field_values, message_fields, t, t_count
from importer.model import HeaderMap, RowIssue, SourceTable, ValidatedRow
from importer.read.sheets import SheetSummary, list_sheets
from importer.rows.cells import parse_postcode, show_value
from importer.rows.edits import column_kind, typed_value
from importer.rows.validation import validate_table
from importer.rows.values import ValueProblem
from importer.settings.load import Settings

PAGE_SIZE = 50
KEEP_PER_OWNER = 10  # drafts kept in memory per person; older ones must be dropped again
READING_AT_ONCE = 2  # files read at the same time (each holds its table while it is read)
REMEMBER_EVICTED = 10_000  # ids of drafts that left memory, to tell their owner why
MAX_NAME = 120
_UNSAFE = re.compile(r"[^\w.\- ]+")


class DraftBusy(ImporterError):
    """The draft's rows are being sent: it cannot change until the run ends."""

    def __init__(self) -> None:
        super().__init__(t("web.check.busy"))


def safe_name(name: str) -> str:
    """A file name with no folder part, no odd characters and no leading dot (``..`` is not
    a name), at most 120 characters with its extension kept (kept for the workbook's name)."""
    base = Path(name.replace("\\", "/")).name.strip()
    base = _UNSAFE.sub("_", base).lstrip(". ") or "planning"
    if len(base) <= MAX_NAME:
        return base
    stem, dot, extension = base.rpartition(".")
    if dot and stem and len(extension) <= 10:
        return f"{stem[: MAX_NAME - len(extension) - 1]}.{extension}"
    return base[:MAX_NAME]


def give_back_memory() -> None:
    """Free what evicted drafts held and hand it back to the system (glibc keeps freed
    memory otherwise, so the server's size would stay at its peak)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    if name and "libc.so" in name:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).malloc_trim(0)


def draft_cells(table: SourceTable) -> int:
    """How much a draft weighs in memory, in cells: rows x columns."""
    return len(table.data) * max(1, len(table.headers))


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
    sheets: list[SheetSummary] = field(default_factory=list)  # a workbook's, for choosing
    edits: list[tuple[int, str, str]] = field(default_factory=list)  # replayed on a resume
    preview: Any = field(default=None, repr=False)  # the last preview (web/preview.py)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    sending: set[str] = field(default_factory=set)  # the live runs sending its rows

    @property
    def valid_index(self) -> list[int]:
        return [i for i, r in enumerate(self.rows) if r.valid]

    def set_cell(self, row: int, column: str, value: str) -> None:
        """Change one cell and validate every row again (rules across rows: duplicate ids).

        Raises DraftBusy while a run sends the draft's rows (it sends them as they were)."""
        if column not in self.table.headers or row not in self.table.data.index:
            raise KeyError((row, column))
        with self.lock:
            if self.sending:
                raise DraftBusy
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
    key = f"problems.{rule}"
    if key not in catalogue()["en"]:  # not a rule of the file (an answer of Ocean)
        return f"{count} × {issue.text(lang)}"
    names = {name: issue.details[name] for name in message_fields(key) if name in issue.details}
    values = {**field_values(key, lang), **names}
    return t_count(key, count, lang, count=count, column=issue.column or "", **values)


def _sheets(path: Path) -> list[SheetSummary]:
    """The workbook's sheets with their row counts ([] for a CSV, or if they cannot be told)."""
    try:
        return list_sheets(path)
    except InputError:
        return []


class DraftStore:
    """Drafts by id, in memory; their files under ``folder``, deleted after ``keep_days``.

    Memory is bounded for the whole server: a file may have at most ``max_rows`` rows and
    ``max_columns`` columns, and all drafts together at most ``budget_cells`` cells (rows x
    columns); past it, the drafts used least recently, whoever owns them, leave memory
    first (their owner is told to upload the file again). At most two files are read at
    once.
    """

    def __init__(
        self,
        folder: Path,
        keep_days: float = 30.0,
        *,
        budget_cells: int = 2_000_000,
        max_rows: int = 100_000,
        max_columns: int = 300,
    ) -> None:
        self.folder = folder
        self.keep_days = keep_days
        self.budget_cells = budget_cells
        self.max_rows = max_rows
        self.max_columns = max_columns
        self.prune()
        self._drafts: OrderedDict[str, Draft] = OrderedDict()  # least recently used first
        self._evicted: OrderedDict[str, str] = OrderedDict()  # id -> owner
        self._lock = threading.Lock()
        self._reading = threading.BoundedSemaphore(READING_AT_ONCE)
        self.on_evict: Callable[[str], None] | None = None  # told each draft id that leaves
        self.cells = 0  # cells of the drafts in memory now
        self.peak_cells = 0  # the most ever held at once (the tests and the bench read it)
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

    def discard(self, path: Path) -> None:
        """Delete a refused upload and its folder (nothing is left behind)."""
        if path.parent.parent == self.folder:
            shutil.rmtree(path.parent, ignore_errors=True)

    def _prepare(self, path: Path, settings: Settings) -> Prepared:
        """``prepare`` within the page's limits (InputError with a sentence naming the file)."""
        limit = min(settings.max_rows, self.max_rows)
        with self._reading:
            try:
                prepared = prepare(path, replace(settings, max_rows=limit))
            except InputError as exc:
                if str(exc) == t("sources.too_many_rows", file=path.name, limit=limit):
                    message = t("web.drop.too_many_rows", file=path.name, limit=limit)
                    raise InputError(message) from None
                raise
        columns = len(prepared.table.headers)
        if columns > self.max_columns:
            message = t(
                "web.drop.too_many_columns", file=path.name, columns=columns, limit=self.max_columns
            )
            raise InputError(message)
        cells = draft_cells(prepared.table)
        if cells > self.budget_cells:
            message = t(
                "web.drop.too_many_cells", file=path.name, cells=cells, limit=self.budget_cells
            )
            raise InputError(message)
        return prepared

    def _admit(self, draft: Draft) -> None:
        """Hold ``draft`` in memory; the least recently used leave until within budget."""
        with self._lock:
            self._drafts[draft.id] = draft
            self._drafts.move_to_end(draft.id)
            mine = [d for d in self._drafts.values() if d.owner == draft.owner]
            leaving = {d.id for d in mine[:-KEEP_PER_OWNER]}
            total = sum(draft_cells(d.table) for d in self._drafts.values() if d.id not in leaving)
            for old in self._drafts.values():  # least recently used first, anyone's
                if total <= self.budget_cells:
                    break
                if old is not draft and old.id not in leaving:
                    total -= draft_cells(old.table)
                    leaving.add(old.id)
            for draft_id in leaving:
                self._evict(self._drafts[draft_id])
            self.cells = total
            self.peak_cells = max(self.peak_cells, total)
        for draft_id in leaving:
            if self.on_evict is not None:
                self.on_evict(draft_id)
        if leaving:
            give_back_memory()

    def _evict(self, draft: Draft) -> None:
        del self._drafts[draft.id]
        self._evicted[draft.id] = draft.owner
        while len(self._evicted) > REMEMBER_EVICTED:
            self._evicted.popitem(last=False)

    def evicted(self, draft_id: str, owner: str) -> bool:
        """True when this owner's draft left memory for others (they upload it again)."""
        with self._lock:
            return self._evicted.get(draft_id) == owner

    def load(
        self, draft_id: str, owner: str, path: Path, settings: Settings, sheet: str | None
    ) -> Draft:
        """Read, map and validate the saved file (InputError when it cannot be read)."""
        settings = replace(settings, sheet=sheet or None)
        prepared = self._prepare(path, settings)
        remembered = self.mappings.get((owner, tuple(prepared.table.headers)))
        if remembered:
            settings = replace(settings, columns={**(settings.columns or {}), **remembered})
            prepared = self._prepare(path, settings)
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
            sheets=_sheets(path),
        )
        self._admit(draft)
        return draft

    def choose_sheet(self, draft: Draft, sheet: str) -> Draft:
        """Read another sheet of the same file (InputError naming the sheets if absent;
        DraftBusy while a run sends the draft's rows)."""
        with draft.lock:
            if draft.sending:
                raise DraftBusy
            settings = replace(draft.settings, sheet=sheet)
            prepared = self._prepare(draft.path, settings)
            draft.settings, draft.header_map, draft.edits = settings, prepared.header_map, []
            draft.table, draft.rows, draft.notes = prepared.table, prepared.rows, prepared.notes
        self._admit(draft)  # another sheet, another weight
        return draft

    def remap(self, draft: Draft, mapping: dict[str, str]) -> Draft:
        """Map the columns as the person chose, remember the choice, validate again
        (DraftBusy while a run sends the draft's rows)."""
        with draft.lock:
            if draft.sending:
                raise DraftBusy
            self.mappings[(draft.owner, tuple(draft.table.headers))] = mapping
            columns = {**(draft.settings.columns or {}), **mapping}
            settings = replace(draft.settings, columns=columns)
            prepared = self._prepare(draft.path, settings)
            draft.settings, draft.header_map = settings, prepared.header_map
            draft.table, draft.rows, draft.notes = prepared.table, prepared.rows, prepared.notes
        self._admit(draft)
        return draft

    def get(self, draft_id: str, owner: str) -> Draft | None:
        """The draft if it exists and is this owner's; None otherwise (same answer: 404)."""
        with self._lock:
            draft = self._drafts.get(draft_id)
            if draft is None or draft.owner != owner:
                return None
            self._drafts.move_to_end(draft_id)  # used: the last to leave memory
        return draft

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
