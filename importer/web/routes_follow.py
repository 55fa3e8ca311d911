"""The follow-up ("Suivi"): a week's missions with their statuses, re-plan, delete, export.

Every route reads the signed-in person's own missions only (their login and customer, as
the journal keys them); a mission of someone else is the same 404 as one that does not
exist. Statuses come from :class:`~importer.web.follow.FollowBoard`: the page never waits
on Ocean.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from importer.commands.follow import (
    REPLAN_FIELDS,
    Follower,
    Week,
    delete_mission,
    export_week,
    replan,
    week_missions,
    week_of,
)
from importer.messages import field_label, t
from importer.web.follow import CATEGORIES, ago, category, follower_of
from importer.web.pages import not_found, page, render, session_of, state_of
from importer.zones import find_zone

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _week(request: Request, raw: str | None = None) -> Week | None:
    zone = state_of(request).settings.timezone
    text = raw if raw is not None else request.query_params.get("week", "")
    try:
        return week_of(text or None, zone)
    except ValueError:
        return None


def _local(utc_text: str | None, zone: Any) -> datetime | None:
    if not utc_text:
        return None
    return datetime.strptime(utc_text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).astimezone(zone)


def _recipient(params: dict[str, str] | None) -> str:
    if not params:
        return ""
    if params.get("nomVeh"):
        return params["nomVeh"]
    if params.get("nomPrenom"):
        return params["nomPrenom"]
    return " ".join(p for p in (params.get("prenomIndi", ""), params.get("nomIndi", "")) if p)


def ago_text(read_at: datetime, now: datetime) -> str:
    """ "il y a 3 min", "just now"..."""
    key, n = ago(read_at, now)
    return t(key, n=n)


def follow_view(request: Request, week: Week) -> dict[str, Any]:
    """What the page shows for ``week``: counts, refusals, days, filtered as the URL says."""
    state = state_of(request)
    session = session_of(request)
    zone = find_zone(state.settings.timezone) or ZoneInfo(state.settings.timezone)
    records = week_missions(state.journal, follower_of(session), week)
    reads = state.follow.statuses(session.owner)
    wanted = request.query_params.get("status", "")
    query = request.query_params.get("q", "").strip()
    counts = dict.fromkeys(CATEGORIES, 0)
    lines = []
    now = datetime.now(UTC)
    labels = {name: t(f"follow.state.{name}") for name in CATEGORIES}
    no_time = t("follow.no_time")
    for record in records:
        read = reads.get(record.id_mission)
        name = category(read)
        counts[name] += 1
        if wanted and name != wanted:
            continue
        if query and query.casefold() not in record.id_mission.casefold():
            continue
        when = _local(record.utc_inter, zone)
        said = read.status if read and read.status.casefold() != labels[name].casefold() else ""
        lines.append(
            {
                "id": record.id_mission,
                "customer": record.customer_id,
                "recipient": _recipient(record.params),
                "when": when,
                "when_text": when.strftime("%d/%m/%Y %H:%M") if when else no_time,
                "read": read,
                "category": name,
                "label": labels[name],
                "said": t("follow.ocean_says", status=said) if said else "",
                "ago": ago_text(read.read_at, now) if read else "–",
                "replan": record.params is not None,
            }
        )
    refused = [line for line in lines if line["category"] == "refused"]
    days = []
    for day in week.days:
        on_day = [
            line for line in lines
            if line["category"] != "refused" and line["when"] and line["when"].date() == day
        ]  # fmt: skip
        days.append({"day": day, "lines": on_day})
    latest = max((read.read_at for read in reads.values()), default=None)
    filters = {k: v for k, v in (("status", wanted), ("q", query)) if v}
    return {
        "week": week,
        "previous": week.shifted(-1, state.settings.timezone).name,
        "next": week.shifted(1, state.settings.timezone).name,
        "counts": [(name, n) for name, n in counts.items() if n],
        "total": len(records),
        "refused": refused,
        "days": days,
        "shown": len(lines),
        "wanted": wanted,
        "q": query,
        "query": urlencode({"week": week.name, **filters}),
        "updated": ago(latest, now) if latest else None,
        "refreshing": state.follow.refreshing(session.owner),
        "poll": state.config.follow_poll_seconds,
        "notice": request.query_params.get("done", ""),
        "notice_id": request.query_params.get("id", ""),
    }


async def _render_week(request: Request, template: str) -> Response:
    """The URL's week rendered with ``template``; showing it is the heartbeat that keeps
    its statuses read."""
    week = _week(request)
    if week is None:
        return render(request, "error.html", 400, message=t("follow.bad_week"))
    state_of(request).follow.beat(session_of(request), week)
    view = await run_in_threadpool(follow_view, request, week)
    return render(request, template, **view)


@page()
async def follow_page(request: Request) -> Response:
    return await _render_week(request, "follow.html")


@page()
async def follow_table(request: Request) -> Response:
    """The page's poll: the table again (and the heartbeat)."""
    return await _render_week(request, "_follow_table.html")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


def _back(week: str, **more: str) -> RedirectResponse:
    return RedirectResponse("/follow?" + urlencode({"week": week, **more}), status_code=303)


@page()
async def refresh(request: Request) -> Response:
    form = await _form(request)
    week = _week(request, form.get("week", ""))
    if week is None:
        return render(request, "error.html", 400, message=t("follow.bad_week"))
    state_of(request).follow.request(session_of(request), week)
    return _back(week.name)


def _mission(request: Request, who: Follower, id_mission: str) -> dict[str, Any] | None:
    """The person's own mission (present in the journal), else None."""
    journal = state_of(request).journal
    entry = journal.get(who.api_url, who.customer_id, id_mission, account=who.login)
    if entry is None or not entry.present or not id_mission:
        return None
    params = journal.last_params(who.api_url, who.customer_id, id_mission, account=who.login)
    return {"id": id_mission, "params": params}


async def _own_mission(request: Request, id_mission: str) -> dict[str, Any] | None:
    """:func:`_mission` for the signed-in person, read off the event loop."""
    who = follower_of(session_of(request))
    return await run_in_threadpool(_mission, request, who, id_mission)


def _mission_page(
    request: Request, mission: dict[str, Any], week: str, status: int = 200, **more: Any
) -> Response:
    state = state_of(request)
    zone = find_zone(state.settings.timezone) or ZoneInfo(state.settings.timezone)
    params = mission["params"] or {}
    values = {name: params.get(name, "") for name in REPLAN_FIELDS}
    if values["jourHeureInter"]:
        moment = datetime.strptime(values["jourHeureInter"], "%d/%m/%Y %H:%M")
        values["jourHeureInter"] = (
            moment.replace(tzinfo=UTC).astimezone(zone).strftime("%d/%m/%Y %H:%M")
        )
    read = state.follow.statuses(session_of(request).owner).get(mission["id"])
    context = {"mission": mission, "values": values, "week": week, "read": read,
               "fields": REPLAN_FIELDS, "problems": [], "category": category(read),
               "labels": {name: field_label(name) for name in REPLAN_FIELDS}}  # fmt: skip
    context.update(more)
    return render(request, "follow_mission.html", status, **context)


@page()
async def mission_form(request: Request) -> Response:
    mission = await _own_mission(request, request.query_params.get("id", ""))
    if mission is None:
        return not_found(request)
    return _mission_page(request, mission, request.query_params.get("week", ""))


def _history(request: Request, name: str, outcome: Any) -> None:
    state_of(request).runs.add_done(session_of(request).owner, name, {outcome.outcome.value: 1})


@page()
async def send_replan(request: Request) -> Response:
    state, session = state_of(request), session_of(request)
    who = follower_of(session)
    form = await _form(request)
    week = form.get("week", "")
    mission = await _own_mission(request, form.get("id", ""))
    if mission is None:
        return not_found(request)
    if mission["params"] is None:
        return _mission_page(request, mission, week, 409, problems=[t("follow.not_kept")])
    changes = {name: form[name] for name in REPLAN_FIELDS if name in form}
    change = await run_in_threadpool(
        replan, session.client, state.journal, state.settings, who, mission["id"], changes
    )
    if change.problems is not None or change.not_kept:
        problems = change.problems or [t("follow.not_kept")]
        return _mission_page(request, mission, week, 422, problems=problems, values=changes)
    assert change.outcome is not None
    _history(request, t("follow.history.replan", id=mission["id"]), change.outcome)
    if not change.ok:
        message = change.outcome.message or change.outcome.outcome.value
        return _mission_page(request, mission, week, 502, problems=[message], values=changes)
    state.follow.forget(session.owner, mission["id"])
    zone = state.settings.timezone
    target = week_of(_local_day(change.outcome.utc_inter, zone), zone)
    state.follow.request(session, target)
    done = "unchanged" if change.outcome.outcome.value == "unchanged" else "replanned"
    return _back(target.name, done=done, id=mission["id"], q=mission["id"])


def _local_day(api_text: str, zone_name: str) -> Any:
    zone = find_zone(zone_name) or ZoneInfo(zone_name)
    try:
        moment = datetime.strptime(api_text, "%d/%m/%Y %H:%M").replace(tzinfo=UTC)
    except ValueError:
        return None
    return moment.astimezone(zone).date()


@page()
async def delete_form(request: Request) -> Response:
    mission = await _own_mission(request, request.query_params.get("id", ""))
    if mission is None:
        return not_found(request)
    week = request.query_params.get("week", "")
    return render(request, "follow_delete.html", mission=mission, week=week)


@page()
async def send_delete(request: Request) -> Response:
    state, session = state_of(request), session_of(request)
    who = follower_of(session)
    form = await _form(request)
    mission = await _own_mission(request, form.get("id", ""))
    if mission is None:
        return not_found(request)
    week = form.get("week", "")
    if form.get("confirm") != "yes":
        return render(request, "follow_delete.html", 400, mission=mission, week=week)
    change = await run_in_threadpool(
        delete_mission, session.client, state.journal, state.settings, who, mission["id"]
    )
    assert change.outcome is not None
    _history(request, t("follow.history.delete", id=mission["id"]), change.outcome)
    if not change.ok:
        message = change.outcome.message or change.outcome.outcome.value
        return render(request, "error.html", 502, message=message)
    state.follow.forget(session.owner, mission["id"])
    return _back(week, done="deleted", id=mission["id"])


@page()
async def export(request: Request) -> Response:
    week = _week(request)
    if week is None:
        return render(request, "error.html", 400, message=t("follow.bad_week"))
    state, session = state_of(request), session_of(request)
    records = await run_in_threadpool(week_missions, state.journal, follower_of(session), week)
    folder = state.config.data_dir / "exports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    name = folder / f"{secrets.token_hex(12)}.xlsx"
    reads = state.follow.statuses(session.owner)
    written = await run_in_threadpool(export_week, records, reads, state.settings, name)
    filename = t("follow.export.filename", week=week.name)
    return FileResponse(
        written, media_type=XLSX, filename=filename, background=BackgroundTask(written.unlink)
    )


ROUTES = [
    Route("/follow", follow_page, methods=["GET"]),
    Route("/follow/table", follow_table, methods=["GET"]),
    Route("/follow/refresh", refresh, methods=["POST"]),
    Route("/follow/mission", mission_form, methods=["GET"]),
    Route("/follow/mission", send_replan, methods=["POST"]),
    Route("/follow/delete", delete_form, methods=["GET"]),
    Route("/follow/delete", send_delete, methods=["POST"]),
    Route("/follow/export", export, methods=["GET"]),
]
