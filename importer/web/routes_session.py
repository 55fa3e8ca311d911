"""Sign in, sign out and the customer switch of multi-client accounts."""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from importer.commands.run import OceanClient
from importer.errors import ApiUnavailableError, AuthenticationError, UsageError
from importer.messages import t
from importer.web.pages import cookie_options, page, render, safe_next, session_of, state_of
from importer.web.sessions import SESSION_COOKIE, SIGNIN_COOKIE, open_client


def _address(request: Request) -> str:
    """The client's address: the socket's, or what a trusted proxy (``--proxy``) says."""
    return request.client.host if request.client else "?"


def _signin_page(
    request: Request, status: int = 200, error: str = "", login: str = "", asked: str = "/"
) -> Response:
    token = state_of(request).signin_tokens.issue(_address(request))
    response = render(
        request, "signin.html", status, signin_csrf=token, error=error, login=login, asked=asked
    )
    response.set_cookie(SIGNIN_COOKIE, token, max_age=3600, **cookie_options(request))
    return response


@page(public=True)
async def signin_form(request: Request) -> Response:
    asked = safe_next(request.query_params.get("next", "/"))
    if request.state.session is not None:
        return RedirectResponse(asked, status_code=303)
    if state_of(request).sessions.ended_by_ocean(request.cookies.get(SESSION_COOKIE)):
        return _signin_page(request, error=t("web.signin.ended_by_ocean"), asked=asked)
    return _signin_page(request, asked=asked)


def _customer(raw: object) -> int | None:
    """The customer number typed (None when empty); ValueError unless 1 to 18 ASCII digits."""
    text = str(raw or "").strip()
    if not text:
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 18 and int(text) > 0):
        raise ValueError(text)
    return int(text)


@page(public=True)
async def signin(request: Request) -> Response:
    state = state_of(request)
    form = await request.form()
    address = _address(request)
    expected = request.cookies.get(SIGNIN_COOKIE, "")
    sent = str(form.get("csrf", ""))
    # The cookie must equal the field AND be a token this server issued to this address:
    # a cookie planted by another site, with a field to match, is refused.
    if not expected or not secrets.compare_digest(sent, expected):
        return render(request, "error.html", 403, message=t("web.error.csrf"))
    if not state.signin_tokens.valid(sent, address):
        return render(request, "error.html", 403, message=t("web.error.csrf"))
    login = str(form.get("login", "")).strip()
    asked = safe_next(str(form.get("next", "/")))
    password = str(form.get("password", ""))
    try:
        customer = _customer(form.get("customer"))
    except ValueError as bad:
        message = t("web.customer.not_a_number", customer=str(bad)[:20])
        return _signin_page(request, 400, message, login, asked)
    attempt = state.signin.reserve(login, address)  # counted while Ocean is asked
    if attempt is None:
        return _signin_page(request, 429, t("web.signin.rate_limited"), login, asked)
    failed = False
    try:
        client = await run_in_threadpool(open_client, state.settings, login, password, customer)
    except AuthenticationError:
        failed = True
        return _signin_page(request, 401, t("web.signin.failed"), login, asked)
    except (ApiUnavailableError, UsageError) as exc:
        return _signin_page(request, 503, t("web.signin.unreachable", reason=exc), login, asked)
    finally:
        state.signin.release(attempt, failed=failed)
        del password
    if customer is not None and await run_in_threadpool(_refused_customer, client, customer):
        client.close()  # a customer Ocean refuses for this account makes no session
        message = t("web.customer.refused", customer=customer)
        return _signin_page(request, 403, message, login, asked)
    api_name = state.config.api_name or state.settings.api_url
    session = state.sessions.create(login, api_name, client, customer)
    if customer is None and await run_in_threadpool(_refused_customer, client, None):
        session.needs_customer = True  # an account with several customers: pick one first
    session.several_customers = customer is not None or session.needs_customer
    response = RedirectResponse("/customer" if session.needs_customer else asked, status_code=303)
    response.set_cookie(SESSION_COOKIE, session.sid, **cookie_options(request))
    response.delete_cookie(SIGNIN_COOKIE)
    return response


@page()
async def signout(request: Request) -> Response:
    state_of(request).sessions.drop(session_of(request).sid)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


CHECK_ID = "mission-importer-check"  # a harmless statutMission: 404, or 403 for a customer


def _refused_customer(client: OceanClient, customer: int | None) -> bool:
    """True when Ocean refuses this customer (or none) for the account (HTTP 403)."""
    return client.status(CHECK_ID, customer).http_status == 403


@page()
async def customer_form(request: Request) -> Response:
    return render(request, "customer.html", error="")


@page()
async def switch_customer(request: Request) -> Response:
    session = session_of(request)
    runs = state_of(request).runs
    if runs.any_live(session.run_ids):  # its missions go to the customer it started with
        return render(request, "customer.html", 409, error=t("web.customer.busy"))
    try:
        customer = _customer((await request.form()).get("customer"))
    except ValueError as bad:
        message = t("web.customer.not_a_number", customer=str(bad)[:20])
        return render(request, "customer.html", 400, error=message)
    if await run_in_threadpool(_refused_customer, session.client, customer):
        message = t("web.customer.refused", customer=customer or "-")
        return render(request, "customer.html", 403, error=message)
    if runs.any_live(session.run_ids):  # started meanwhile
        return render(request, "customer.html", 409, error=t("web.customer.busy"))
    session.switch_customer(customer)
    session.needs_customer = False
    return RedirectResponse("/", status_code=303)


ROUTES = [
    Route("/signin", signin_form, methods=["GET"]),
    Route("/signin", signin, methods=["POST"]),
    Route("/signout", signout, methods=["POST"]),
    Route("/customer", customer_form, methods=["GET"]),
    Route("/customer", switch_customer, methods=["POST"]),
]
