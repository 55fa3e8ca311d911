"""The Ocean client: authentication, the four mission calls, retries that never duplicate.

One :class:`OceanClient` is shared by every worker thread. Each thread gets its own
``requests.Session`` (keep-alive connection); the token, the pacer (rate limit and pauses
asked by a 429) and the counters are shared. Every call returns a :class:`CallResult`;
only a failed authentication raises (``AuthenticationError`` / ``ApiUnavailableError``).

A create never runs twice: once an attempt ended without a clear answer (timeout, dropped
connection, 5xx) the client asks ``statutMission`` before sending anything again; when the
mission is there, the create is done and a modify with the same parameters follows
(``reconciled=True``, ``call`` stays ``ajoutMission``). A delete whose lost attempt
had already deleted the mission gets 404 on the resend: ``ok=True, reconciled=True``.
Modify and status are resent as they are. Proxies and CA bundle come from the
environment (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE), read once at construction.
How an answer becomes a CallResult (failure patterns, error texts) is in
:mod:`importer.send.answers`.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
)

from importer import __version__
from importer.errors import ApiUnavailableError, AuthenticationError, UsageError
from importer.messages import t
from importer.model import CALL_CREATE, CALL_DELETE, CALL_MODIFY, CALL_STATUS
from importer.send.answers import (
    Answer,
    CallResult,
    CallState,
    CallStats,
    final_result,
    fold,
    gave_up,
    http_reason,
    is_failure,
    make_result,
    message_detail,
)
from importer.send.pacing import Backoff, Pacer, Retryable, parse_retry_after, transport_failure
from importer.settings.table import DEFAULT_FAILURE_PATTERNS

__all__ = ["CallResult", "CallStats", "OceanClient"]

log = logging.getLogger("importer.send.client")

USER_AGENT = f"ocean-mission-importer/{__version__}"
AUTH_PATH = "/restapi/auth/authenticate2"
MISSION_PATH = "/restapi/geomission/"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# After a renewal, a 401 is final when no request at all was ever accepted with that token
# (the account is refused). A token the other workers had used successfully may simply be
# used up or expired by now, so the call renews again, up to this many times.
TOKEN_RENEWALS_PER_CALL = 10
RENEW_MARGIN = 600.0  # renew the token this long before it runs out (at most 1/10 of its life)


# Form encoding exactly as urlencode / requests' ``data=`` (UTF-8, quote_plus), with each
# distinct key and value quoted once: most repeat from row to row (names, towns, vehicles).
# Bounded: ids and addresses differ on every row (4,096 entries: about 1 MB at most).
_quote = functools.lru_cache(maxsize=4096)(quote_plus)


def form_encode(params: Mapping[str, str]) -> str:
    """``params`` as ``application/x-www-form-urlencoded`` text (same as urlencode)."""
    return "&".join(f"{_quote(str(k))}={_quote(str(v))}" for k, v in params.items())


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    generation: int
    renew_at: float  # time.monotonic() after which it is renewed before use
    accepted: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


class _OneOriginAdapter(HTTPAdapter):
    """An adapter that finds its connection pool for the API's origin once, not per request.

    requests looks the pool up again for every request (proxy selection, pool key, TLS
    context: ~0.1 ms of CPU); a client only ever talks to one origin with one TLS setting.
    """

    def __init__(self, origin: str) -> None:
        super().__init__(pool_connections=2, pool_maxsize=1, max_retries=0)
        self._origin = origin  # "scheme://host:port/"
        self._pools: dict[tuple[object, object], Any] = {}

    def get_connection_with_tls_context(
        self,
        request: requests.PreparedRequest,
        verify: bool | str | None,
        proxies: Mapping[str, str] | None = None,
        cert: Any = None,
    ) -> Any:
        if not (request.url or "").startswith(self._origin):
            return super().get_connection_with_tls_context(request, verify, proxies, cert)
        key = (verify, cert)
        pool = self._pools.get(key)
        if pool is None:
            pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
            self._pools[key] = pool
        return pool

    def close(self) -> None:
        self._pools.clear()
        super().close()


def _display_url(url: str) -> str:
    """``url`` without any user:password part, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _env_ca_bundle() -> str | None:
    """The CA bundle requests would take from the environment (never disables checks)."""
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        value = os.environ.get(var)
        if value:
            return value
    return None


class OceanClient:
    """Client of the Ocean mission web services; safe to share between worker threads."""

    def __init__(
        self,
        base_url: str,
        login: str,
        password: str,
        customer_id: int | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        ca_bundle: str | None = None,
        max_attempts: int = 5,
        max_retry_seconds: float = 120.0,
        call_timeout: float = 120.0,
        failure_patterns: Sequence[str] = DEFAULT_FAILURE_PATTERNS,
        rate: float | None = None,
        token_lifetime: float = 12 * 3600,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
    ) -> None:
        parts = urlsplit(base_url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise UsageError(t("client.bad_url", url=_display_url(base_url) or base_url))
        if ca_bundle and not Path(ca_bundle).exists():
            raise UsageError(t("client.ca_bundle_missing", path=ca_bundle))
        # Paths are appended to the base: drop any query string or fragment.
        self.base_url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.display_url = _display_url(self.base_url)
        self._origin = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        self._login = login
        self._password = password
        self.customer_id = customer_id
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.verify: str | bool = ca_bundle or _env_ca_bundle() or True
        self.max_attempts = max(1, int(max_attempts))
        self.max_retry_seconds = float(max_retry_seconds)
        self.call_timeout = max(0.1, float(call_timeout))  # one call, retries included
        self.backoff_base = float(backoff_base)
        self.backoff_cap = float(backoff_cap)
        self.token_lifetime = float(token_lifetime)
        self._patterns = tuple(p for p in (fold(x) for x in failure_patterns) if p)
        # Proxies from the environment (HTTP(S)_PROXY, NO_PROXY), read once: requests'
        # per-request environment lookup costs ~0.3 ms.
        self._proxies = requests.utils.get_environ_proxies(self.base_url)
        self._headers = {**requests.utils.default_headers(), "User-Agent": USER_AGENT}
        self._urls = {
            c: self.base_url + MISSION_PATH + c
            for c in (CALL_CREATE, CALL_MODIFY, CALL_DELETE, CALL_STATUS)
        }
        self._templates = {call: self._template(call) for call in self._urls}
        self._pacer = Pacer(rate)
        self.stats = CallStats()
        self._local = threading.local()
        # Each thread's session, by thread. The engine starts new worker threads for every
        # batch: a new session closes and drops those of threads that have ended, or a
        # long-lived client (the drop-folder service) would keep every batch's sessions and
        # their keep-alive connections open until close().
        self._sessions: dict[threading.Thread, requests.Session] = {}
        self._sessions_lock = threading.Lock()
        self._auth_lock = threading.Lock()
        self._token: _Token | None = None
        self._auth_error: ApiUnavailableError | None = None
        self._auth_error_at = float("-inf")
        self._retrying = Retrying(
            retry=retry_if_exception_type(Retryable),
            stop=stop_after_attempt(self.max_attempts)
            | stop_before_delay(min(self.max_retry_seconds, self.call_timeout)),
            wait=Backoff(self._pacer, self.backoff_base, self.backoff_cap),
            before_sleep=self._before_sleep,
            reraise=False,
        )
        self._auth_retrying = self._retrying.copy()  # tenacity keeps per-thread loop state

    # -- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> OceanClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every thread's session (their connections). Returns None."""
        with self._sessions_lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # environment read once in __init__ (proxies, CA)
            session.proxies.update(self._proxies)
            session.headers["User-Agent"] = USER_AGENT
            # One thread = one request at a time: one keep-alive connection per host.
            adapter = _OneOriginAdapter(self._origin)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            with self._sessions_lock:
                ended = [thread for thread in self._sessions if not thread.is_alive()]
                stale = [self._sessions.pop(thread) for thread in ended]
                self._sessions[threading.current_thread()] = session
            for old in stale:  # threads that have ended: nobody will use them again
                old.close()
            self._local.session = session
            self._local.adapter = adapter
        return session

    def _adapter(self) -> _OneOriginAdapter:
        """This thread's transport adapter (its session's keep-alive connection)."""
        adapter = getattr(self._local, "adapter", None)
        if adapter is None:
            self._session()
            adapter = self._local.adapter
        return adapter

    # -- authentication ---------------------------------------------------------------------

    def authenticate(self) -> None:
        """Log in now (POST authenticate2). Raises AuthenticationError / ApiUnavailableError."""
        with self._auth_lock:
            self._login_locked()

    def forget_password(self) -> None:
        """Drop the password from memory: once the token expires, sign in again (the page)."""
        self._password = ""

    def _renew_margin(self) -> float:
        return min(RENEW_MARGIN, self.token_lifetime / 10)

    def _login_locked(self) -> None:
        renewal = self._token is not None
        try:
            token = self._auth_retrying(self._auth_attempt)
        except RetryError as err:
            failure = err.last_attempt.exception()
            reason = failure.reason if isinstance(failure, Retryable) else str(failure)
            raise ApiUnavailableError(
                t("client.unreachable", url=self.display_url, reason=reason)
            ) from None
        generation = self._token.generation + 1 if self._token else 1
        renew_at = time.monotonic() + self.token_lifetime - self._renew_margin()
        self._token = _Token(token, generation, renew_at)
        self.stats.add("renewals" if renewal else "logins")
        if renewal:
            log.info("Ocean token renewed")
        else:
            log.debug("Ocean token obtained")

    def _auth_attempt(self) -> str:
        url = self.base_url + AUTH_PATH
        start = time.perf_counter()
        try:
            resp = self._session().post(
                url,
                json={"login": self._login, "password": self._password},
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            failure = transport_failure(exc, *self.timeout)
            self._log("authenticate2", "POST", AUTH_PATH, None, start)
            if not failure.connected:  # refused, DNS, TLS, proxy: say so at once
                raise ApiUnavailableError(
                    t("client.unreachable", url=self.display_url, reason=failure.reason)
                ) from None
            raise failure from None
        answer = self._answer(resp)
        self._log("authenticate2", "POST", AUTH_PATH, answer.status, start)
        if answer.status in (401, 403):
            raise AuthenticationError(
                t("client.auth_refused", url=self.display_url, status=answer.status)
            )
        if answer.status in RETRY_STATUSES:
            raise self._status_retry(answer, ambiguous=False)
        token = answer.body.get("token") if isinstance(answer.body, dict) else None
        if not 200 <= answer.status < 300:
            detail = message_detail(answer)
            raise ApiUnavailableError(
                t(
                    "client.auth_bad_answer",
                    url=self.display_url,
                    status=answer.status,
                    detail=detail,
                )
            )
        if not isinstance(token, str) or not token:
            raise ApiUnavailableError(t("client.auth_no_token", url=self.display_url))
        return token

    def _current_token(self) -> _Token:
        token = self._token
        if token is None or time.monotonic() >= token.renew_at:
            return self._renew(token.generation if token else 0)
        return token

    def _renew(self, seen_generation: int) -> _Token:
        """Log in again unless another thread already did since ``seen_generation``."""
        asked_at = time.monotonic()
        with self._auth_lock:
            current = self._token
            if (
                current is not None
                and current.generation != seen_generation
                and time.monotonic() < current.renew_at
            ):
                return current
            if self._auth_error is not None and self._auth_error_at >= asked_at:
                # Another worker just failed to log in while this one waited: same answer.
                raise type(self._auth_error)(self._auth_error.message)
            try:
                self._login_locked()
            except ApiUnavailableError as exc:
                self._auth_error, self._auth_error_at = exc, time.monotonic()
                raise
            assert self._token is not None
            return self._token

    # -- the four calls ---------------------------------------------------------------------

    def create(self, params: Mapping[str, str]) -> CallResult:
        """Create a mission (ajoutMission); never twice. Returns its CallResult."""
        return self._run(self._state(CALL_CREATE, params), self._create_attempt)

    def modify(self, params: Mapping[str, str]) -> CallResult:
        """Modify a mission (modifierMission); safe to resend. Returns its CallResult."""
        return self._run(self._state(CALL_MODIFY, params), self._simple_attempt)

    def delete(self, id_mission: str, customer_id: int | str | None = None) -> CallResult:
        """Delete a mission (supprimerMission). Returns its CallResult."""
        params = self._id_params(id_mission, customer_id)
        return self._run(self._state(CALL_DELETE, params), self._simple_attempt)

    def status(self, id_mission: str, customer_id: int | str | None = None) -> CallResult:
        """Ask the status of a mission (statutMission). Returns its CallResult (body: fields)."""
        params = self._id_params(id_mission, customer_id)
        return self._run(self._state(CALL_STATUS, params), self._simple_attempt)

    def _id_params(self, id_mission: str, customer_id: int | str | None) -> dict[str, str]:
        params = {"idMission": str(id_mission)}
        if customer_id is not None and str(customer_id) != "":
            params["customerId"] = str(customer_id)
        return params

    def _state(self, call: str, params: Mapping[str, str]) -> CallState:
        sent = {k: str(v) for k, v in params.items()}
        if not sent.get("customerId") and self.customer_id is not None:
            sent["customerId"] = str(self.customer_id)
        return CallState(call, sent, sent.get("idMission", ""), started=time.perf_counter())

    def _run(self, state: CallState, attempt: Callable[[CallState], CallResult]) -> CallResult:
        start = time.perf_counter()
        try:
            result = self._retrying(attempt, state)
        except RetryError as err:
            failure = err.last_attempt.exception()
            assert isinstance(failure, Retryable)
            result = gave_up(state, failure, self.call_timeout)
        result.elapsed = time.perf_counter() - start
        if log.isEnabledFor(logging.INFO):  # -v: one line per call, never a secret
            log.info(
                "%s %s -> %s in %.0f ms (%d attempt(s), %d lookup(s))%s",
                state.call,
                state.id_mission,
                result.http_status or "no answer",
                result.elapsed * 1000,
                result.attempts,
                result.lookups,
                "" if result.ok or result.not_found else f": {result.error or result.message}",
            )
        return result

    def _before_sleep(self, retry_state: RetryCallState) -> None:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        self.stats.add("retries")
        if log.isEnabledFor(logging.DEBUG):
            reason = exc.reason if isinstance(exc, Retryable) else exc
            log.debug("retry in %.2f s after: %s", retry_state.upcoming_sleep, reason)

    def _create_attempt(self, state: CallState) -> CallResult:
        if not state.exists and state.maybe_applied:
            unexpected = self._check_presence(state)
            if unexpected is not None:
                return final_result(state, unexpected, self._patterns)
        if state.exists:
            return self._modify_for_create(state)
        answer = self._change(state, CALL_CREATE)
        # e.g. "existe déjà" right after a lost attempt that the server was still applying.
        if (
            state.was_ambiguous
            and 200 <= answer.status < 300
            and is_failure(answer, state, self._patterns)
            and self._check_presence(state) is None
            and state.exists
        ):
            return self._modify_for_create(state)
        return final_result(state, answer, self._patterns)

    def _check_presence(self, state: CallState) -> Answer | None:
        """Ask statutMission whether the create is already done; sets state.exists.

        Returns None once settled (found or not), or the answer when it is neither (403...).
        """
        self.stats.add("reconciliations")
        params = {k: v for k, v in state.params.items() if k in ("idMission", "customerId")}
        answer = self._send(state, CALL_STATUS, params)
        if answer.status == 404:
            state.maybe_applied = False  # nothing there: creating is safe
            return None
        if 200 <= answer.status < 300:
            state.exists = state.reconciled = True
            return None
        if answer.status in RETRY_STATUSES:
            raise self._status_retry(answer, ambiguous=False)
        return answer

    def _modify_for_create(self, state: CallState) -> CallResult:
        answer = self._change(state, CALL_MODIFY)
        return final_result(state, answer, self._patterns)

    def _simple_attempt(self, state: CallState) -> CallResult:
        if state.call == CALL_STATUS:
            answer = self._send(state, CALL_STATUS, state.params)
            if answer.status in RETRY_STATUSES:
                raise self._status_retry(answer, ambiguous=False)
            return final_result(state, answer, self._patterns)
        answer = self._change(state, state.call)
        if state.call == CALL_DELETE and answer.status == 404 and state.was_ambiguous:
            state.reconciled = True  # the lost attempt deleted it
            return make_result(state, answer, ok=True, not_found=True)
        if state.call == CALL_MODIFY:
            state.maybe_applied = False  # a definite answer to the same modify settles it
        return final_result(state, answer, self._patterns)

    def _change(self, state: CallState, call: str) -> Answer:
        """Send a change call; a retryable outcome raises Retryable and marks ambiguity."""
        try:
            answer = self._send(state, call, state.params)
            if answer.status in RETRY_STATUSES:
                raise self._status_retry(answer, ambiguous=answer.status != 429)
        except Retryable as failure:
            if failure.ambiguous:
                state.maybe_applied = state.was_ambiguous = True
            raise
        return answer

    def _status_retry(self, answer: Answer, *, ambiguous: bool) -> Retryable:
        if answer.status == 429:
            self.stats.add("throttled")
        return Retryable(
            http_reason(answer.status),
            status=answer.status,
            ambiguous=ambiguous,
            retry_after=answer.retry_after,
            answer=answer,
        )

    # -- one HTTP request -------------------------------------------------------------------

    def _send(self, state: CallState, call: str, params: Mapping[str, str]) -> Answer:
        """One HTTP request (plus a resend after each token renewal on 401, a few at most).

        Several renewals may be needed: with many workers, a fresh token can be used up or
        expired by the others before this worker gets to send with it.
        """
        url = self._urls[call]
        method = "GET" if call == CALL_STATUS else "POST"
        for renewals in range(TOKEN_RENEWALS_PER_CALL + 1):
            token = self._current_token()
            self._pacer.wait()
            adapter = self._adapter()
            if call == CALL_STATUS and state.call != CALL_STATUS:
                state.lookups += 1
            else:
                state.attempts += 1
            self.stats.add_request(call)
            start = time.perf_counter()
            timeout = self._attempt_timeout(state, start)
            try:
                # The session's adapter, straight: no cookies, hooks or redirects to handle.
                resp = adapter.send(
                    self._prepare(call, params, token),
                    timeout=timeout,
                    verify=self.verify,
                    proxies=self._proxies,
                )
                resp.content  # noqa: B018 - read the body here: a connection may drop mid-way
            except requests.RequestException as exc:
                self._log(call, method, url, None, start)
                raise transport_failure(exc, *self.timeout) from None
            answer = self._answer(resp)
            if answer.status == 429:  # hold every worker at once, before anyone else sends
                self._pacer.pause_for(answer.retry_after or self.backoff_base)
            self._log(call, method, url, answer.status, start)
            if answer.status != 401:
                token.accepted.set()
            refused = renewals > 0 and not token.accepted.is_set()
            if answer.status == 401 and not refused and renewals < TOKEN_RENEWALS_PER_CALL:
                self._renew(token.generation)
                continue
            return answer
        raise AssertionError("unreachable")  # pragma: no cover

    def _attempt_timeout(self, state: CallState, now: float) -> tuple[float, float]:
        """The (connect, read) timeouts of one attempt: the settings, cut to what is left
        of the call's bound (``call_timeout``, retries included)."""
        if not state.started:
            return self.timeout
        left = max(0.05, state.started + self.call_timeout - now)
        return (min(self.timeout[0], left), min(self.timeout[1], left))

    def _template(self, call: str) -> requests.PreparedRequest:
        """The request of a call without its token and parameters, prepared once."""
        prepared = requests.PreparedRequest()
        headers = dict(self._headers)
        method = "GET" if call == CALL_STATUS else "POST"
        if method == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        prepared.prepare(method=method, url=self._urls[call], headers=headers)
        return prepared

    def _prepare(
        self, call: str, params: Mapping[str, str], token: _Token
    ) -> requests.PreparedRequest:
        """The request: query string (GET) or form-encoded body (POST); never JSON.

        Encoded exactly as requests' ``params=`` / ``data=`` would (UTF-8, quote_plus), on
        a copy of the call's template: preparing each request from scratch (URL parsing,
        headers, cookies) costs ~0.3 ms of CPU per call.
        """
        template = self._templates[call]
        prepared = requests.PreparedRequest()  # template.copy() without its cookie jar
        prepared.method, prepared.url = template.method, template.url
        prepared.headers = template.headers.copy()
        prepared.headers["X-AUTH-TOKEN"] = token.value
        encoded = form_encode(params)
        if prepared.method == "GET":
            prepared.url = f"{prepared.url}?{encoded}"
        else:
            prepared.body = body = encoded.encode()
            prepared.headers["Content-Length"] = str(len(body))
        return prepared

    def _answer(self, resp: requests.Response) -> Answer:
        content = resp.content
        body: Any = None
        if content:
            try:
                body = json.loads(content)
            except ValueError:
                body = None
        message = body.get("message") if isinstance(body, dict) else None
        retry_after = None
        if resp.status_code in RETRY_STATUSES:
            retry_after = parse_retry_after(
                resp.headers.get("Retry-After"), limit=max(self.max_retry_seconds, 0.0)
            )
        message = message if isinstance(message, str) else ""
        location = resp.headers.get("Location", "") if resp.is_redirect else ""
        return Answer(resp.status_code, body, message, retry_after, location)

    def _log(self, call: str, method: str, url: str, status: int | None, start: float) -> None:
        if log.isEnabledFor(logging.DEBUG):
            path = urlsplit(url).path  # never the query string, never headers
            ms = (time.perf_counter() - start) * 1000
            log.debug("%s %s %s -> %s in %.1f ms", call, method, path, status or "no answer", ms)
