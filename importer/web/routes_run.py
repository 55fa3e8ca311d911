"""5. Send (progress streamed, cancel), 6. Results (retry, workbook) and the history."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from importer.errors import ImporterError
from importer.messages import get_language
from importer.model import RowOutcome
from importer.report.progress import progress_values as event_values
from importer.web.drafts import PAGE_SIZE, Draft, cell_text
from importer.web.grid import grid_page
from importer.web.pages import (
    local_time,
    not_found,
    page,
    render,
    render_text,
    session_of,
    state_of,
)
from importer.web.preview import field_name
from importer.web.runs import Run
from importer.web.words import time_left

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TICK = 0.5  # seconds between two progress events


def _run(request: Request) -> Run | None:
    return state_of(request).runs.get(request.path_params["run"], session_of(request).owner)


def progress_values(run: Run, lang: str) -> dict[str, object]:
    """The terminal's values of the progress sentence, the time left in the page's words."""
    values = event_values(run.last_progress)
    values["eta"] = time_left(run.last_progress.seconds_left, lang)
    return values


def _results_lines(run: Run, page: int) -> dict[str, object]:
    """One page of each row's outcome, problem rows first (the results grid)."""
    if run.draft is None:
        return {"lines": [], "page": 1, "pages": 1}
    problems = set(run.retry_index())
    order = sorted(range(len(run.outcomes)), key=lambda i: i not in problems)
    pages = max(1, math.ceil(len(order) / PAGE_SIZE))
    page = min(max(1, page), pages)
    lines = [
        _result_line(run.draft, i, run.outcomes[i])
        for i in order[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    ]
    return {"lines": lines, "page": page, "pages": pages}


def _result_line(draft: Draft, i: int, outcome: RowOutcome) -> dict[str, object]:
    """One row of the results: its mission ID (as written, even on an invalid row), the
    tool's own notes, and Ocean's message apart (only what Ocean itself answered)."""
    vrow = draft.rows[i]
    mission = vrow.id_mission
    column = draft.header_map.field_to_column.get("idMission")
    if not mission and column is not None:
        mission = cell_text(draft.table.data.at[vrow.row, column])
    ocean = outcome.message if outcome.http_status is not None else ""
    notes = [issue.message for issue in [*outcome.errors, *outcome.warnings]]
    if outcome.message and not ocean and outcome.message not in notes:
        notes.insert(0, outcome.message)
    return {"outcome": outcome, "vrow": vrow, "id": mission or "", "details": " ".join(notes),
            "ocean": ocean}  # fmt: skip


@page()
async def show_run(request: Request) -> Response:
    run = _run(request)
    if run is None:
        return not_found(request)
    if not run.finished:
        return render(request, "run.html", run=run, values=progress_values(run, request.state.lang))
    retry = run.retry_index() if run.draft else []
    grid = grid_page(run.draft, keep=retry) if retry and run.draft is not None else None
    number = request.query_params.get("page", "1")
    results = _results_lines(run, int(number) if number.isdigit() else 1)
    return render(
        request, "results.html", run=run, results=results, retry=retry, grid=grid,
        draft=run.draft, id_header=_id_header(run),
    )  # fmt: skip


def _id_header(run: Run) -> str:
    if run.draft is None:
        return ""
    return field_name(run.draft, "idMission", get_language())


def _event(name: str, html: str) -> str:
    data = "\n".join(f"data: {line}" for line in html.splitlines() or [""])
    return f"event: {name}\n{data}\n\n"


@page()
async def events(request: Request) -> Response:
    run = _run(request)
    if run is None:
        return not_found(request)

    async def stream() -> AsyncIterator[str]:
        while not await request.is_disconnected():
            values = progress_values(run, request.state.lang)
            html = render_text(request, "_progress.html", run=run, values=values)
            yield _event("progress", html)
            if run.finished:
                yield _event("done", render_text(request, "_done.html", run=run))
                return
            await asyncio.sleep(TICK)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@page()
async def cancel(request: Request) -> Response:
    run = _run(request)
    if run is None:
        return not_found(request)
    run.cancel()
    return RedirectResponse(f"/runs/{run.id}", status_code=303)


@page()
async def retry(request: Request) -> Response:
    run = _run(request)
    if run is None or run.draft is None or not run.finished:
        return not_found(request)
    index = [i for i in run.retry_index() if run.draft.rows[i].valid]
    if not index:
        return RedirectResponse(f"/runs/{run.id}", status_code=303)
    state = state_of(request)
    session = session_of(request)
    source = state.drafts.source(run.draft)
    new = state.runs.start(
        run.draft, index, session.client, lang=get_language(), previous=run, source=source
    )
    session.run_ids.append(new.id)
    return RedirectResponse(f"/runs/{new.id}", status_code=303)


@page()
async def resume(request: Request) -> Response:
    """Send the rest of a run cut short (a server restart, Ocean ending the session): the
    rows it sent are reported as it left them; the journal settles what it left in flight."""
    run = _run(request)
    if run is None or run.status != "interrupted" or not run.source:
        return not_found(request)
    state = state_of(request)
    try:
        draft = await run_in_threadpool(state.drafts.rebuild, run.source, run.owner, state.settings)
    except ImporterError as exc:
        return render(request, "error.html", 422, message=str(exc))
    wanted = set(run.sent_rows) - set(run.reached())  # the rest: the others reached Ocean
    index = [i for i, vrow in enumerate(draft.rows) if vrow.valid and vrow.row in wanted]
    session = session_of(request)
    new = state.runs.start(
        draft, index, session.client, lang=get_language(), source=state.drafts.source(draft),
        resumed=run,
    )  # fmt: skip
    session.run_ids.append(new.id)
    run.status = "resumed"
    run.save()
    return RedirectResponse(f"/runs/{new.id}", status_code=303)


@page()
async def workbook(request: Request) -> Response:
    run = _run(request)
    if run is None or run.workbook is None or not run.workbook.is_file():
        return not_found(request)
    name = download_name(request, run)
    return FileResponse(run.workbook, media_type=XLSX, filename=name)


def download_name(request: Request, run: Run) -> str:
    """The workbook's name with the run's local date and time (planning-2026-12-07-1715...)."""
    stamp = local_time(request, run.started_at).strftime("%Y-%m-%d-%H%M")
    return f"{Path(run.name).stem}-{stamp}.results.xlsx"


@page()
async def history(request: Request) -> Response:
    state = state_of(request)
    runs = state.runs.history(session_of(request).owner)
    return render(
        request, "history.html", runs=runs, days=f"{state.config.keep_days:g}",
        download_name=lambda run: download_name(request, run),
    )  # fmt: skip


ROUTES = [
    Route("/runs/{run}", show_run, methods=["GET"]),
    Route("/runs/{run}/events", events, methods=["GET"]),
    Route("/runs/{run}/cancel", cancel, methods=["POST"]),
    Route("/runs/{run}/retry", retry, methods=["POST"]),
    Route("/runs/{run}/resume", resume, methods=["POST"]),
    Route("/runs/{run}/workbook", workbook, methods=["GET"]),
    Route("/history", history, methods=["GET"]),
]
