"""The check page's grid: which rows and columns one page shows, and how it is asked for.

A view (row page, only the rows with problems, a search, a column page) lives in the URL,
so Back and reload keep it. Rows with problems come first; the row number and the mission
ID column are always shown (the page keeps them in view while scrolling), and a wide file
is paged by columns too (a bounded page whatever the file's width).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from importer.fields import BY_NAME
from importer.messages import get_language
from importer.model import RowIssue, ValidatedRow
from importer.web.drafts import PAGE_SIZE, Draft, cell_text

COLUMN_PAGE_SIZE = 30  # columns shown at once beside the row number and the mission ID
_STATE_ORDER = {"error": 0, "warning": 1, "ok": 2}


def _number(text: object, default: int = 1) -> int:
    text = str(text or "")
    return int(text) if text.isdigit() and len(text) < 9 else default


@dataclass(frozen=True)
class GridView:
    """What the person asked to see (all of it in the page's URL)."""

    page: int = 1
    only_problems: bool = False
    query: str = ""
    column_page: int = 1
    problem: str = ""  # rule:column, a group of "Problems by kind" (Draft.problem_counts)

    @classmethod
    def from_params(cls, source: Mapping[str, Any]) -> GridView:
        """The view from a query string or a form (unknown or odd values: the defaults)."""
        return cls(
            page=max(1, _number(source.get("page"))),
            only_problems=source.get("problems") == "1",
            query=str(source.get("q", "")).strip()[:200],
            column_page=max(1, _number(source.get("cols"))),
            problem=str(source.get("problem", ""))[:300],
        )

    def url(self, **changes: Any) -> str:
        """The query string of this view with ``changes`` (defaults left out)."""
        view = replace(self, **changes)
        params: dict[str, Any] = {}
        if view.page > 1:
            params["page"] = view.page
        if view.only_problems:
            params["problems"] = "1"
        if view.query:
            params["q"] = view.query
        if view.problem:
            params["problem"] = view.problem
        if view.column_page > 1:
            params["cols"] = view.column_page
        return "?" + urlencode(params) if params else "?page=1"


def row_state(vrow: ValidatedRow) -> str:
    return "error" if vrow.errors else "warning" if vrow.warnings else "ok"


def _matches(draft: Draft, i: int, id_column: str | None, query: str) -> bool:
    """A row matches a search by its mission ID (part of it, any case) or its row number."""
    number = draft.rows[i].row
    if query.isdigit() and int(query) == number:
        return True
    if id_column is None:
        return False
    return query.casefold() in str(draft.table.data.at[number, id_column] or "").casefold()


def grid_page(
    draft: Draft,
    view: GridView | None = None,
    *,
    keep: list[int] | None = None,
    rows: list[int] | None = None,
) -> dict[str, Any]:
    """One page of the grid for ``view``.

    ``keep``: only these rows (by index; the results page's rows to retry), every column.
    ``rows``: show exactly these source rows (after an edit: the rows the person was
    looking at stay in place even when the edit fixed them).
    """
    view = view or GridView()
    headers = draft.table.headers
    id_column = draft.header_map.column_for("idMission")
    if id_column not in headers:
        id_column = None
    if view.problem and keep is None:
        keep = draft.problem_rows(view.problem)
    indices = keep if keep is not None else range(len(draft.rows))
    order = sorted(indices, key=lambda i: _STATE_ORDER[row_state(draft.rows[i])])
    if view.only_problems:
        order = [i for i in order if row_state(draft.rows[i]) != "ok"]
    if view.query:
        order = [i for i in order if _matches(draft, i, id_column, view.query)]
    pages = max(1, math.ceil(len(order) / PAGE_SIZE))
    page = min(view.page, pages)
    if rows is not None:
        by_number = {vrow.row: i for i, vrow in enumerate(draft.rows)}
        shown_rows = [by_number[n] for n in rows if n in by_number]
    else:
        shown_rows = order[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]

    others = [h for h in headers if h != id_column]
    size = COLUMN_PAGE_SIZE if view.problem or keep is None else len(others)
    column_pages = max(1, math.ceil(len(others) / max(size, 1)))
    column_page = min(view.column_page, column_pages)
    first = (column_page - 1) * size
    shown = others[first : first + size]
    columns = [{"name": h, "index": headers.index(h), "id": h == id_column} for h in shown]
    if id_column is not None:
        columns.insert(0, {"name": id_column, "index": headers.index(id_column), "id": True})
    column_page_of = {h: 1 + n // max(size, 1) for n, h in enumerate(others)}

    kinds = {
        header: BY_NAME[name].kind
        for name, header in draft.header_map.field_to_column.items()
        if name in BY_NAME
    }
    for column in columns:
        column["kind"] = kinds.get(column["name"], "")
    lines = [_line(draft, i, columns, column_page_of, column_page) for i in shown_rows]
    for column in columns:  # the inputs' width: the longest text of the column on this page
        longest = max([len(c["text"]) for line in lines for c in line["cells"]
                       if c["column"] == column["name"]] + [len(column["name"])])  # fmt: skip
        column["size"] = min(max(longest + 2, 6), 30)
    problem_pages = sorted(
        {1 + n // PAGE_SIZE for n, i in enumerate(order) if row_state(draft.rows[i]) != "ok"}
    )
    later = [p for p in problem_pages if p > page] + [p for p in problem_pages if p < page]
    return {
        "view": replace(view, page=page, column_page=column_page),
        "lines": lines,
        "page": page,
        "pages": pages,
        "found": len(order),
        "only_problems": view.only_problems,
        "problem": view.problem,
        "columns": columns,
        "column_page": column_page,
        "column_pages": column_pages,
        "column_first": first + 1,
        "column_last": first + len(shown),
        "column_total": len(others),
        "problems": bool(problem_pages),
        "next_problem_page": later[0] if later else None,  # another page holding problems
    }


def _line(
    draft: Draft,
    i: int,
    columns: list[dict[str, Any]],
    column_page_of: dict[str, int],
    column_page: int,
) -> dict[str, Any]:
    vrow = draft.rows[i]
    number = vrow.row
    lang = get_language()
    by_column: dict[str | None, list[RowIssue]] = {}
    for issue in [*vrow.errors, *vrow.warnings]:
        by_column.setdefault(issue.column, []).append(issue)
    problems = []  # every problem of the row, shown beside its ID (cells point to theirs)
    for n, issue in enumerate([*vrow.errors, *vrow.warnings]):
        elsewhere = column_page_of.get(issue.column or "", column_page)
        problems.append(
            {
                "id": f"p{number}-{n}",
                "issue": issue,
                "column": issue.column,
                "column_page": elsewhere if elsewhere != column_page else None,
            }
        )
    cells = []
    for column in columns:
        header = column["name"]
        issues = by_column.get(header, [])
        cells.append(
            {
                "column": header,
                "index": column["index"],
                "id": f"c{number}-{column['index']}",
                "text": cell_text(draft.table.data.at[number, header], column["kind"], lang),
                "issues": issues,
                "state": _cell_state(issues),
                "described_by": " ".join(p["id"] for p in problems if p["column"] == header),
                "problem": bool(issues) or (column["id"] and None in by_column),
            }
        )
    if columns and not any(c["problem"] for c in cells) and problems:
        cells[0]["problem"] = True  # problems only in columns not shown: stop on the row
    return {
        "index": i,
        "row": number,
        "state": row_state(vrow),
        "cells": cells,
        "problems": problems,
        "row_issues": by_column.get(None, []),
    }


def _cell_state(issues: list[RowIssue]) -> str:
    if any(i.severity == "error" for i in issues):
        return "error"
    return "warning" if issues else ""
