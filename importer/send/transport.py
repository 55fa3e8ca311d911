"""HTTP to one Ocean API: sessions, prepared requests, TLS, proxies, timeouts.

A :class:`Transport` gives each worker thread its own ``requests.Session`` with one
keep-alive connection, prepares each call's request from a template made once (form body
or query string, never JSON, except the login), and reads every answer into an
:class:`~importer.send.answers.Answer`. Proxies and the CA bundle come from the
environment (HTTP(S)_PROXY, NO_PROXY, REQUESTS_CA_BUNDLE), read once at construction.
A request that got no answer raises :class:`~importer.send.pacing.Retryable`.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote_plus, urlsplit, urlunsplit

import requests
import urllib3.connection
from requests.adapters import HTTPAdapter

from importer import __version__
from importer.ocean_api import API_CALLS, MISSION_CALLS, ApiCall
from importer.send.answers import RETRY_STATUSES, Answer
from importer.send.pacing import parse_retry_after, transport_failure

log = logging.getLogger(__name__)

USER_AGENT = f"ocean-mission-importer/{__version__}"

# Form encoding exactly as urlencode / requests' ``data=`` (UTF-8, quote_plus), with each
# distinct key and value quoted once: most repeat from row to row (names, towns, vehicles).
# Bounded: ids and addresses differ on every row (4,096 entries: about 1 MB at most).
_quote = functools.lru_cache(maxsize=4096)(quote_plus)


def form_encode(params: Mapping[str, str]) -> str:
    """``params`` as ``application/x-www-form-urlencoded`` text (same as urlencode)."""
    return "&".join(f"{_quote(str(k))}={_quote(str(v))}" for k, v in params.items())


# The hook of the request this thread is about to write (see Transport.send).
_before_write = threading.local()


class _OneWrite:
    """A connection that writes a request's head and body in one ``sendall``, right after
    calling its thread's ``before_write`` hook (see :meth:`Transport.send`).

    The hook is the run's last check that it may still send a change: a process stopped
    between that check and the write sends a change another run may have made meanwhile,
    so nothing but the write comes after it (the connection is already open). One write:
    a process stopped between the head and the body would send the body when it wakes.
    """

    sock: Any
    _writing = False  # inside request(): its writes are held, checked and joined
    _hold = False  # the next write is the head of a request whose body follows
    _head: bytes | None = None

    def request(self, method: str, url: str, body: Any = None, *args: Any, **kw: Any) -> None:
        self._writing, self._hold = True, isinstance(body, bytes) and bool(body)
        try:
            super().request(method, url, body, *args, **kw)  # type: ignore[misc]
        finally:
            self._writing, self._hold, self._head = False, False, None

    def send(self, data: Any) -> None:
        if not self._writing:  # e.g. a proxy's CONNECT
            super().send(data)  # type: ignore[misc]
            return
        if self._hold:  # the head: written with the body, next
            self._hold, self._head = False, bytes(data)
            return
        if self._head is not None:
            data, self._head = self._head + bytes(data), None
        if self.sock is None:
            self._writing = False
            self.connect()  # type: ignore[attr-defined]
            self._writing = True
        hook = getattr(_before_write, "hook", None)
        if hook is not None:
            _before_write.hook = None  # once per request
            hook()
        super().send(data)  # type: ignore[misc]


class _OneWriteHTTP(_OneWrite, urllib3.connection.HTTPConnection):
    pass


class _OneWriteHTTPS(_OneWrite, urllib3.connection.HTTPSConnection):
    pass


class OneOriginAdapter(HTTPAdapter):
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
            https = issubclass(pool.ConnectionCls, urllib3.connection.HTTPSConnection)
            pool.ConnectionCls = _OneWriteHTTPS if https else _OneWriteHTTP
            self._pools[key] = pool
        return pool

    def close(self) -> None:
        self._pools.clear()
        super().close()


class Transport:
    """The HTTP side of a client of one Ocean API; safe to share between worker threads."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: tuple[float, float],
        verify: str | bool,
        max_retry_seconds: float,
    ) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url
        self.timeout = timeout  # (connect, read) seconds per attempt
        self.verify = verify
        self.max_retry_seconds = max_retry_seconds  # the longest Retry-After honoured
        self._origin = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        # Proxies from the environment (HTTP(S)_PROXY, NO_PROXY), read once: requests'
        # per-request environment lookup costs ~0.3 ms.
        self.proxies = requests.utils.get_environ_proxies(base_url)
        self._headers = {**requests.utils.default_headers(), "User-Agent": USER_AGENT}
        self.urls = {call.name: base_url + call.path for call in API_CALLS}
        self._templates = {call.name: self._template(call) for call in MISSION_CALLS}
        self._local = threading.local()
        # Each thread's session, by thread. The engine starts new worker threads for every
        # batch: a new session closes and drops those of threads that have ended, or a
        # long-lived client (the drop-folder service) would keep every batch's sessions and
        # their keep-alive connections open until close().
        self._sessions: dict[threading.Thread, requests.Session] = {}
        self._sessions_lock = threading.Lock()

    # -- sessions -------------------------------------------------------------------------

    def close(self) -> None:
        """Close every thread's session (their connections). Returns None."""
        with self._sessions_lock:
            sessions, self._sessions = list(self._sessions.values()), {}
        for session in sessions:
            session.close()
        self._local = threading.local()

    def session_count(self) -> int:
        """How many thread sessions are open now."""
        with self._sessions_lock:
            return len(self._sessions)

    def session(self) -> requests.Session:
        """This thread's session, opened on first use."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # environment read once in __init__ (proxies, CA)
            session.proxies.update(self.proxies)
            session.headers["User-Agent"] = USER_AGENT
            # One thread = one request at a time: one keep-alive connection per host.
            adapter = OneOriginAdapter(self._origin)
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

    def adapter(self) -> OneOriginAdapter:
        """This thread's transport adapter (its session's keep-alive connection)."""
        adapter = getattr(self._local, "adapter", None)
        if adapter is None:
            self.session()
            adapter = self._local.adapter
        return adapter

    # -- requests -------------------------------------------------------------------------

    def post_json(self, call: ApiCall, payload: Mapping[str, Any]) -> Answer:
        """Send ``payload`` as a JSON body (the login); Retryable when no answer came."""
        return self._exchange(
            call,
            lambda: self.session().post(
                self.urls[call.name],
                json=dict(payload),
                timeout=self.timeout,
                verify=self.verify,
                allow_redirects=False,
            ),
        )

    def send(
        self,
        call: ApiCall,
        params: Mapping[str, str],
        token: str,
        timeout: tuple[float, float],
        before_write: Callable[[], None] | None = None,
    ) -> Answer:
        """Send one mission call with ``token``; Retryable when no answer came.

        ``before_write``: called once the connection is open, right before the request's
        bytes are written (nothing else in between); what it raises stops the request there,
        unsent, and propagates.
        """
        prepared = self.prepare(call, params, token)

        def request() -> requests.Response:
            # The session's adapter, straight: no cookies, hooks or redirects to handle.
            _before_write.hook = before_write
            try:
                resp = self.adapter().send(
                    prepared, timeout=timeout, verify=self.verify, proxies=self.proxies
                )
            finally:
                _before_write.hook = None
            resp.content  # noqa: B018 - read the body here: a connection may drop mid-way
            return resp

        return self._exchange(call, request)

    def _exchange(self, call: ApiCall, request: Callable[[], requests.Response]) -> Answer:
        """Run ``request`` and read its answer; a requests failure becomes Retryable."""
        start = time.perf_counter()
        try:
            resp = request()
        except requests.RequestException as exc:
            self._log(call, None, start)
            raise transport_failure(exc, *self.timeout) from None
        answer = self.answer(resp)
        self._log(call, answer.status, start)
        return answer

    def _template(self, call: ApiCall) -> requests.PreparedRequest:
        """The request of a call without its token and parameters, prepared once."""
        prepared = requests.PreparedRequest()
        headers = dict(self._headers)
        if call.body == "form":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        prepared.prepare(method=call.method, url=self.urls[call.name], headers=headers)
        return prepared

    def prepare(
        self, call: ApiCall, params: Mapping[str, str], token: str
    ) -> requests.PreparedRequest:
        """The request: query string or form-encoded body, as the call's row says.

        Encoded exactly as requests' ``params=`` / ``data=`` would (UTF-8, quote_plus), on
        a copy of the call's template: preparing each request from scratch (URL parsing,
        headers, cookies) costs ~0.3 ms of CPU per call.
        """
        template = self._templates[call.name]
        prepared = requests.PreparedRequest()  # template.copy() without its cookie jar
        prepared.method, prepared.url = template.method, template.url
        prepared.headers = template.headers.copy()
        prepared.headers["X-AUTH-TOKEN"] = token
        encoded = form_encode(params)
        if call.body == "query":
            prepared.url = f"{prepared.url}?{encoded}"
        else:
            prepared.body = body = encoded.encode()
            prepared.headers["Content-Length"] = str(len(body))
        return prepared

    def answer(self, resp: requests.Response) -> Answer:
        """Read one HTTP answer: status, JSON body, message, Retry-After, redirect target."""
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

    def _log(self, call: ApiCall, status: int | None, start: float) -> None:
        if log.isEnabledFor(logging.DEBUG):  # the path only: never a query string or header
            ms = (time.perf_counter() - start) * 1000
            log.debug(
                "%s %s %s -> %s in %.1f ms",
                call.name,
                call.method,
                call.path,
                status or "no answer",
                ms,
            )
