"""The ASGI application: the routes, the static files and the security headers, over the
state the routes share (:class:`~importer.web.pages.WebState`, held in ``app.state.web``).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from importer.commands.run import Journal
from importer.settings.load import Settings
from importer.web.limits import BodyLimit
from importer.web.pages import HERE, WebConfig, WebState, too_large
from importer.web.routes_draft import ROUTES as DRAFT_ROUTES
from importer.web.routes_follow import ROUTES as FOLLOW_ROUTES
from importer.web.routes_run import ROUTES as RUN_ROUTES
from importer.web.routes_session import ROUTES as SESSION_ROUTES

__all__ = ["SecurityHeaders", "WebConfig", "WebState", "create_app"]

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        b" connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    """Adds the security headers (CSP with no inline script, nosniff...) to every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings, config: WebConfig, journal: Journal) -> Starlette:
    """The import page over these settings, storing its files under ``config.data_dir``."""
    config.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    routes = [
        *SESSION_ROUTES,
        *DRAFT_ROUTES,
        *RUN_ROUTES,
        *FOLLOW_ROUTES,
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
    ]
    state = WebState(settings, config, journal)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(state.follow.stop)  # before the journal closes

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.web = state
    app.add_middleware(BodyLimit, limit_for=state.body_limit, refusal=too_large)
    app.add_middleware(SecurityHeaders)
    return app
