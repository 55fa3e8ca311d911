"""1. Drop, 2. Columns, 3. Check (the grid and its edits), 4. Preview, 5. Send."""

from __future__ import annotations

from collections import Counter

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from importer.commands.importing import send_rows
from importer.errors import ImporterError
from importer.messages import field_label, get_language, t
from importer.model import Action, Outcome
from importer.report.command_result import CommandResult
from importer.rows.columns import FIELD_NAMES, match_header
from importer.send.engine import RunOptions
from importer.web.drafts import Draft, DraftBusy
from importer.web.grid import GridView, grid_page
from importer.web.pages import not_found, page, render, session_of, state_of
from importer.web.runs import first_outcomes

CHUNK = 1 << 20
PREVIEW_KINDS = ("create", "modify", "unchanged", "delete", "failed")


def _draft(request: Request) -> Draft | None:
    owner = session_of(request).owner
    return state_of(request).drafts.get(request.path_params["draft"], owner)


def _gone(request: Request) -> Response:
    """A draft not found: 404, or the sentence saying it left memory for newer uploads."""
    draft_id = request.path_params["draft"]
    if state_of(request).drafts.evicted(draft_id, session_of(request).owner):
        return render(request, "error.html", 410, message=t("web.draft.evicted"))
    return not_found(request)


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


@page()
async def columns(request: Request) -> Response:
    draft = _draft(request)
    if draft is None:
        return _gone(request)
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


@page()
async def save_columns(request: Request) -> Response:
    draft = _draft(request)
    if draft is None:
        return _gone(request)
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


@page()
async def choose_sheet(request: Request) -> Response:
    draft = _draft(request)
    if draft is None:
        return _gone(request)
    sheet = str((await request.form()).get("sheet", "")).strip()
    try:
        await run_in_threadpool(state_of(request).drafts.choose_sheet, draft, sheet)
    except ImporterError as exc:  # e.g. no such sheet: the message lists the sheets
        return render(request, "error.html", 422, message=str(exc))
    return RedirectResponse(f"/drafts/{draft.id}/columns", status_code=303)


def _shown(form) -> list[int] | None:  # the rows the person was looking at (an edit)
    return [int(n) for n in str(form.get("shown", "")).split(",") if n.isdigit()] or None


@page()
async def check(request: Request) -> Response:
    draft = _draft(request)
    if draft is None:
        return _gone(request)
    grid = grid_page(draft, GridView.from_params(request.query_params))
    headers = request.headers  # (htmx asks for the whole page when its history has none)
    partial = "hx-request" in headers and "hx-history-restore-request" not in headers
    name = "_grid.html" if partial else "check.html"
    return render(request, name, draft=draft, grid=grid)


@page()
async def edit_cell(request: Request) -> Response:
    draft = _draft(request)
    if draft is None:
        return _gone(request)
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


def _dry_run(draft: Draft, client, journal) -> CommandResult:
    """Ask the API what it would do, as ``import --dry-run`` does (nothing is changed)."""
    report = CommandResult(
        command="import --dry-run", input_path=draft.path, outcomes=first_outcomes(draft)
    )
    options = RunOptions(
        mode=Action(draft.settings.mode),
        dry_run=True,
        workers=draft.settings.workers,
        default_customer_id=client.customer_id,
        account=client.login,
    )
    valid = draft.valid_index
    if valid:
        send_rows(
            report, draft.rows, valid, draft.settings, options, client=client, journal=journal
        )
    return report


def preview_kind(outcome) -> str:
    if outcome.outcome is Outcome.UNCHANGED:
        return "unchanged"
    if outcome.outcome is Outcome.FAILED or not outcome.action:
        return "failed"
    return {"ajoutMission": "create", "modifierMission": "modify"}.get(outcome.action, "delete")


def _changes(state, params: dict[str, str], client) -> list[tuple[str, str]] | None:
    """The fields a modify changes, with their new values (None: the journal cannot tell)."""
    default = "" if client.customer_id is None else str(client.customer_id)
    customer = params.get("customerId") or default
    fields = state.journal.changed_fields(
        state.settings.api_url, customer, params["idMission"], params, account=client.login
    )
    return None if fields is None else [(name, params.get(name, "")) for name in fields]


@page()
async def preview(request: Request) -> Response:
    draft = _draft(request)
    if draft is None:
        return _gone(request)
    state = state_of(request)
    client = session_of(request).client
    report = await run_in_threadpool(_dry_run, draft, client, state.journal)
    lines = []
    for i in draft.valid_index:
        kind = preview_kind(report.outcomes[i])
        changes = _changes(state, draft.rows[i].params or {}, client) if kind == "modify" else []
        lines.append((draft.rows[i], report.outcomes[i], kind, changes))
    counts = Counter(line[2] for line in lines)
    return render(
        request,
        "preview.html",
        draft=draft,
        lines=lines[:500],
        counts=[(kind, counts.get(kind, 0)) for kind in PREVIEW_KINDS],
        valid=len(lines),
    )


@page()
async def send(request: Request) -> Response:
    draft = _draft(request)
    if draft is None:
        return _gone(request)
    index = draft.valid_index
    if not index:
        return render(request, "error.html", 400, message=t("web.check.nothing_valid"))
    state = state_of(request)
    session = session_of(request)
    source = state.drafts.source(draft)
    run = state.runs.start(draft, index, session.client, lang=get_language(), source=source)
    session.run_ids.append(run.id)
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
