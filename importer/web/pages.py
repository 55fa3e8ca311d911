"""What the routes share: the state the app holds (:class:`WebState`), the page decorator
(session, CSRF, language) and rendering with autoescaped Jinja templates.

The routes import this module, never :mod:`importer.web.app`: the app imports the routes
and hands them its state (``request.app.state.web``).
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Scope

from importer.commands.run import Journal
from importer.errors import SignInNeeded
from importer.messages import LANGUAGES, language_context, t, t_count
from importer.settings.load import Settings
from importer.web.drafts import DraftStore
from importer.web.follow import FollowBoard
from importer.web.limits import SignInLimits, SignInTokens, foreign_origin
from importer.web.runs import RunStore
from importer.web.sessions import SESSION_COOKIE, SessionStore, UserSession
from importer.web.words import outcome_list, outcome_words, state_key

HERE = Path(__file__).parent
LANG_COOKIE = "mi_lang"

Endpoint = Callable[[Request], Awaitable[Response]]
FORM_LIMIT = 1024 * 1024  # any other form of a signed-in person (a cell, the columns)
UNSIGNED_LIMIT = 64 * 1024  # a request without a session (the sign-in form)
MULTIPART_SLACK = 1024 * 1024  # the upload form's fields and boundaries around the file


# The page's limits that are the [serve] settings "serve_" + their name.
SERVE_LIMITS = (
    "upload_limit_mb",
    "signin_per_login",
    "signin_per_address",
    "max_rows",
    "max_columns",
    "draft_cells",
)


@dataclass
class WebConfig:
    """The page's own settings (the API and engine settings come from :class:`Settings`)."""

    data_dir: Path
    upload_limit_mb: float = 50.0
    idle_minutes: float = 60.0
    keep_days: float = 30.0
    signin_per_login: int = 5  # sign-in attempts a minute per login, in flight included
    signin_per_address: int = 20  # ... and per client address (an office behind one address)
    max_rows: int = 100_000  # per file
    max_columns: int = 300  # per file
    draft_cells: int = 2_000_000  # rows x columns of every draft in memory, all people
    proxies: tuple[str, ...] = ()  # trusted reverse proxies: X-Forwarded-* read from them only
    follow_poll_seconds: float = 30.0  # the follow-up page's poll (its refresher's heartbeat)

    @classmethod
    def from_settings(cls, settings: Settings, data_dir: Path, **more: Any) -> WebConfig:
        """The page's limits from the ``[serve]`` settings."""
        limits = settings.as_keywords(SERVE_LIMITS, prefix="serve_")
        return cls(data_dir=data_dir, proxies=tuple(settings.serve_proxy), **limits, **more)

    # What the runs and uploads are kept under for this API ("" = its URL). The embedded
    # sandbox gets a new port at each start: it is "sandbox", so its history stays.
    api_name: str = ""


class WebState:
    """Everything the routes share: settings, sessions, drafts, runs, the one journal."""

    def __init__(self, settings: Settings, config: WebConfig, journal: Journal) -> None:
        self.settings = settings
        self.config = config
        self.journal = journal
        self.sessions = SessionStore(config.idle_minutes * 60)
        self.signin = SignInLimits(config.signin_per_login, config.signin_per_address)
        self.signin_tokens = SignInTokens()
        self.drafts = DraftStore(
            config.data_dir / "uploads",
            config.keep_days,
            budget_cells=config.draft_cells,
            max_rows=config.max_rows,
            max_columns=config.max_columns,
        )
        self.runs = RunStore(config.data_dir / "runs", journal, config.keep_days)
        self.drafts.on_evict = self.runs.let_go  # finished runs let go of evicted drafts too
        self.follow = FollowBoard(settings, journal, self.sessions, config.follow_poll_seconds)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(HERE / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    @property
    def upload_limit(self) -> int:
        return int(self.config.upload_limit_mb * 1024 * 1024)

    def body_limit(self, scope: Scope) -> int:
        """The most a request may send: an upload's limit for ``/upload`` with a session,
        a form's otherwise, and a small one without a session."""
        session = self.sessions.get(Request(scope).cookies.get(SESSION_COOKIE))
        if session is None:
            return UNSIGNED_LIMIT
        if scope["path"] == "/upload":
            return self.upload_limit + MULTIPART_SLACK
        return FORM_LIMIT


def state_of(request: Request) -> WebState:
    return request.app.state.web


def session_of(request: Request) -> UserSession:
    session: UserSession | None = request.state.session
    assert session is not None
    return session


def request_language(request: Request) -> str:
    """``?lang=`` (the switch), else the cookie, else the browser's Accept-Language."""
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip()[:2].lower()
        if code in LANGUAGES:
            return code
    return "en"


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a template in the request's language (autoescaped: cells are text)."""
    return HTMLResponse(render_text(request, name, **context), status_code=status)


def local_time(request: Request, moment: datetime) -> datetime:
    """A moment in the person's time zone (the settings' ``timezone``, Europe/Paris by default)."""
    try:
        zone = ZoneInfo(state_of(request).settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo("Europe/Paris")
    return moment.astimezone(zone)


def render_text(request: Request, name: str, **context: Any) -> str:
    lang = request.state.lang
    session = getattr(request.state, "session", None)
    template = state_of(request).env.get_template(name)
    return template.render(
        t=functools.partial(t, lang=lang),
        counted=lambda key, n, **values: t_count(key, n, lang, **values),
        outcome_list=outcome_list,
        state_key=state_key,
        outcome_words=lambda counts: outcome_words(counts, lang),
        when=lambda moment: local_time(request, moment).strftime("%d/%m/%Y %H:%M"),
        lang=lang,
        session=session,
        csrf=session.csrf if session else "",
        path=request.url.path,
        **context,
    )


def not_found(request: Request) -> HTMLResponse:
    return render(request, "error.html", 404, message=t("web.error.not_found"))


def cookie_options(request: Request) -> dict[str, Any]:
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https"}


async def _csrf_ok(request: Request, expected: str) -> bool:
    sent = request.headers.get("x-csrf-token")
    if sent is None:
        form = await request.form(max_fields=20_000)  # a wide file's column choices
        sent = str(form.get("csrf", ""))
    return bool(expected) and secrets.compare_digest(sent, expected)


def page(*, public: bool = False) -> Callable[[Endpoint], Endpoint]:
    """Wrap a route: language, session (refused without one), size limit, CSRF on POST."""

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        async def handle(request: Request) -> Response:
            state = state_of(request)
            request.state.lang = lang = request_language(request)
            request.state.session = state.sessions.get(request.cookies.get(SESSION_COOKIE))
            with language_context(lang, page=True):
                response = await _guarded(request, endpoint, public)
            # A shared office PC: Back after sign-out must not show a signed-in page again.
            response.headers.setdefault("cache-control", "no-store")
            if "lang" in request.query_params and lang == request.query_params["lang"]:
                response.set_cookie(
                    LANG_COOKIE, lang, max_age=365 * 86400, **cookie_options(request)
                )
            return response

        return handle

    return wrap


def signin_url(request: Request) -> str:
    """The sign-in page, told to come back to the page asked (when there is one)."""
    if request.url.path == "/":
        return "/signin"
    asked = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return f"/signin?{urlencode({'next': asked})}"


def safe_next(target: str) -> str:
    """``target`` if it is a page of this site (a local path), else the drop page."""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\\\r\n\t"):
        return "/"
    return target


async def _guarded(request: Request, endpoint: Endpoint, public: bool) -> Response:
    if foreign_origin(request.method, request.headers, request.url.scheme):
        return render(request, "error.html", 403, message=t("web.error.foreign_origin"))
    session = request.state.session
    if session is None and not public:
        if request.method == "GET" and "hx-request" not in request.headers:
            return RedirectResponse(signin_url(request), status_code=303)
        sessions = state_of(request).sessions
        ended = sessions.ended_by_ocean(request.cookies.get(SESSION_COOKIE))
        message = t("web.signin.ended_by_ocean" if ended else "web.signin.expired")
        return PlainTextResponse(message, status_code=401)
    unsafe = request.method not in ("GET", "HEAD")
    if unsafe and not public and not await _csrf_ok(request, session.csrf):
        return render(request, "error.html", 403, message=t("web.error.csrf"))
    try:
        return await endpoint(request)
    except SignInNeeded:  # Ocean ended the token during this request: the session ends
        state_of(request).sessions.get(session.sid if session else None)
        if request.method == "GET" and "hx-request" not in request.headers:
            return RedirectResponse("/signin", status_code=303)
        return PlainTextResponse(t("web.signin.ended_by_ocean"), status_code=401)


async def too_large(scope: Scope, limit: int) -> ASGIApp:
    """The answer to a body past its limit (413), in the person's language."""
    request = Request(scope)
    request.state.lang = lang = request_language(request)
    request.state.session = None
    if scope["path"] == "/upload":
        limit_mb = f"{state_of(request).config.upload_limit_mb:g}"
        message = t("web.drop.too_large", lang=lang, limit=limit_mb)
    else:
        message = t("web.error.body_too_large", lang=lang, limit=f"{limit // 1024}")
    response = render(request, "error.html", 413, message=message)
    response.headers["connection"] = "close"
    return response
