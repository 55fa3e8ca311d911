"""1. Drop, 2. Columns, 3. Check (the grid and its edits), 4. Preview, 5. Send."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from importer.errors import ImporterError
from importer.messages import field_label, get_language, t
from importer.rows.columns import FIELD_NAMES, match_header
from importer.web.drafts import Draft, DraftBusy
from importer.web.grid import GridView, grid_page
from importer.web.pages import Endpoint, not_found, page, render, session_of, state_of
from importer.web.preview import (
    KINDS,
    current_preview,
    field_name,
    held_rows,
    make_preview,
    preview_page,
)

CHUNK = 1 << 20


DraftEndpoint = Callable[[Request, Draft], Awaitable[Response]]


def _gone(request: Request) -> Response:
    """A draft not found: 404, or the sentence saying it left memory for newer uploads."""
    draft_id = request.path_params["draft"]
    if state_of(request).drafts.evicted(draft_id, session_of(request).owner):
        return render(request, "error.html", 410, message=t("web.draft.evicted"))
    return not_found(request)


def draft_page(endpoint: DraftEndpoint) -> Endpoint:
    """A :func:`page` about the person's draft of the URL: it gets the draft, or the
    person gets :func:`_gone` when there is none."""

    @page()
    @functools.wraps(endpoint)
    async def handle(request: Request) -> Response:
        owner = session_of(request).owner
        draft = state_of(request).drafts.get(request.path_params["draft"], owner)
        if draft is None:
            return _gone(request)
        return await endpoint(request, draft)

    return handle


@page()
async def home(request: Request) -> Response:
    state = state_of(request)
    if session_of(request).needs_customer:
        return RedirectResponse("/customer", status_code=303)
    owner = session_of(request).owner
    interrupted = [r for r in state.runs.history(owner) if r.status == "interrupted"]
    return render(
        request, "drop.html", limit=f"{state.config.upload_limit_mb:g}", interrupted=interrupted
    )


def _drop_error(request: Request, status: int, message: str) -> Response:
    limit = f"{state_of(request).config.upload_limit_mb:g}"
    return render(request, "drop.html", status, limit=limit, interrupted=[], error=message)


@page()
async def upload(request: Request) -> Response:
    state = state_of(request)
    form = await request.form(max_files=1, max_fields=5)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        return _drop_error(request, 400, t("web.drop.no_file"))
    draft_id, path = state.drafts.new_path(file.filename)
    size = 0
    with open(path, "wb") as out:
        while block := await file.read(CHUNK):
            size += len(block)
            if size > state.upload_limit:
                break
            out.write(block)
    if size > state.upload_limit:
        state.drafts.discard(path)
        limit = f"{state.config.upload_limit_mb:g}"
        return _drop_error(request, 413, t("web.drop.too_large", limit=limit))
    sheet = str(form.get("sheet", "")).strip() or None
    owner = session_of(request).owner
    try:
        await run_in_threadpool(state.drafts.load, draft_id, owner, path, state.settings, sheet)
    except ImporterError as exc:  # the same one sentence as the command line
        state.drafts.discard(path)
        return _drop_error(request, 422, str(exc))
    return RedirectResponse(f"/drafts/{draft_id}/columns", status_code=303)


@draft_page
async def columns(request: Request, draft: Draft) -> Response:
    chosen = {column: name for name, column in draft.header_map.field_to_column.items()}
    automatic = {h: match_header(h) for h in draft.table.headers}
    return render(
        request,
        "columns.html",
        draft=draft,
        chosen=chosen,
        automatic=automatic,
        fields=[(name, field_label(name, request.state.lang)) for name in FIELD_NAMES],
    )


@draft_page
async def save_columns(request: Request, draft: Draft) -> Response:
    form = await request.form()
    mapping = {}
    for n, header in enumerate(draft.table.headers):
        name = str(form.get(f"col{n}", ""))
        if name in FIELD_NAMES and name != match_header(header):
            mapping[header] = name
    state = state_of(request)
    try:
        await run_in_threadpool(state.drafts.remap, draft, mapping)
    except ImporterError as exc:
        return render(request, "error.html", 422, message=str(exc))
    return RedirectResponse(f"/drafts/{draft.id}/check", status_code=303)


@draft_page
async def choose_sheet(request: Request, draft: Draft) -> Response:
    sheet = str((await request.form()).get("sheet", "")).strip()
    try:
        await run_in_threadpool(state_of(request).drafts.choose_sheet, draft, sheet)
    except ImporterError as exc:  # e.g. no such sheet: the message lists the sheets
        return render(request, "error.html", 422, message=str(exc))
    return RedirectResponse(f"/drafts/{draft.id}/columns", status_code=303)


def _shown(form) -> list[int] | None:  # the rows the person was looking at (an edit)
    return [int(n) for n in str(form.get("shown", "")).split(",") if n.isdigit()] or None


@draft_page
async def check(request: Request, draft: Draft) -> Response:
    grid = grid_page(draft, GridView.from_params(request.query_params))
    headers = request.headers  # (htmx asks for the whole page when its history has none)
    partial = "hx-request" in headers and "hx-history-restore-request" not in headers
    name = "_grid.html" if partial else "check.html"
    return render(request, name, draft=draft, grid=grid)


@draft_page
async def edit_cell(request: Request, draft: Draft) -> Response:
    form = await request.form()
    row = str(form.get("row", ""))
    try:
        await run_in_threadpool(
            draft.set_cell, int(row), str(form.get("column", "")), str(form.get("value", ""))
        )
    except (KeyError, ValueError):
        return not_found(request)
    except DraftBusy as busy:  # its rows are being sent as they are: edit after the run
        if "hx-request" in request.headers:  # the grid as it is, read-only, saying why
            grid = grid_page(draft, GridView.from_params(form), rows=_shown(form))
            return render(request, "_grid.html", draft=draft, grid=grid)
        return render(request, "error.html", 409, message=str(busy))
    run = state_of(request).runs.get(str(form.get("run", "")), draft.owner)
    if run is not None and run.draft is draft:  # the results page's rows to retry
        grid = grid_page(draft, keep=run.retry_index())
        return render(request, "_retry.html", draft=draft, grid=grid, run=run)
    grid = grid_page(draft, GridView.from_params(form), rows=_shown(form))
    return render(request, "_grid.html", draft=draft, grid=grid)


def _kind_and_page(request: Request) -> tuple[str | None, int]:
    kind = request.query_params.get("kind")
    number = request.query_params.get("page", "1")
    return (kind if kind in KINDS else None), (int(number) if number.isdigit() else 1)


@draft_page
async def preview(request: Request, draft: Draft) -> Response:
    state = state_of(request)
    client = session_of(request).client
    made = current_preview(draft)
    if made is None:
        made = await run_in_threadpool(make_preview, draft, client, state.journal)
    kind, number = _kind_and_page(request)
    lines = await run_in_threadpool(
        preview_page, draft, made, state.journal, client,
        lang=get_language(), kind=kind, page=number,
    )  # fmt: skip
    return render(
        request, "preview.html", draft=draft, preview=made, counts=made.counts(), grid=lines,
        valid=len(made.kinds), id_header=field_name(draft, "idMission", get_language()),
    )  # fmt: skip


@draft_page
async def send(request: Request, draft: Draft) -> Response:
    form = await request.form()
    held = held_rows(draft) if form.get("anyway") != "1" else set()
    index = [i for i in draft.valid_index if i not in held]
    if not index:
        return render(request, "error.html", 400, message=t("web.check.nothing_valid"))
    state = state_of(request)
    session = session_of(request)
    source = state.drafts.source(draft)
    run = state.runs.start(draft, index, session.client, lang=get_language(), source=source)
    session.run_ids.append(run.id)
    draft.preview = None  # what Ocean holds changes with this run: ask again next time
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/upload", upload, methods=["POST"]),
    Route("/drafts/{draft}/columns", columns, methods=["GET"]),
    Route("/drafts/{draft}/columns", save_columns, methods=["POST"]),
    Route("/drafts/{draft}/sheet", choose_sheet, methods=["POST"]),
    Route("/drafts/{draft}/check", check, methods=["GET"]),
    Route("/drafts/{draft}/cell", edit_cell, methods=["POST"]),
    Route("/drafts/{draft}/preview", preview, methods=["GET"]),
    Route("/drafts/{draft}/send", send, methods=["POST"]),
]
