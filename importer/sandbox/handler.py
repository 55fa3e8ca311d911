"""The HTTP layer of the sandbox: a threading HTTP/1.1 keep-alive server and its handler.

Each answer (status line, headers and body) leaves in a single write and accepted
sockets have TCP_NODELAY, so a keep-alive client never waits on Nagle's algorithm.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import logging
import os
import select
import socket
import socketserver
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qs, parse_qsl, urlsplit

from importer.messages import t
from importer.ocean_api import API_CALLS, AUTHENTICATE, ApiCall
from importer.sandbox.api import OceanApi, Reply
from importer.sandbox.faults import STATUS_FAULTS, FaultPlan
from importer.sandbox.page import choose_language, render_page
from importer.sandbox.state import Counters

logger = logging.getLogger("importer.sandbox")

MAX_BODY_BYTES = 1 << 20
# Every call of the API contract, by method and path; then the sandbox's own pages.
_ROUTES: dict[tuple[str, str], ApiCall | str] = {
    **{(call.method, call.path): call for call in API_CALLS},
    ("GET", "/sandbox/missions"): "inspect",
    ("GET", "/"): "page",
}
_PATHS = {path for _, path in _ROUTES}
_STATUS_FAULT_KEYS = {
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "gateway_timeout",
    429: "too_many_requests",
}
_JSON = "application/json;charset=UTF-8"


class Served(Protocol):
    """What the HTTP layer reads of the sandbox it serves (:class:`server.Sandbox` is one)."""

    api: OceanApi
    api_lang: str
    latency_ms: float
    slow_seconds: float
    retry_after_seconds: float
    stopping: threading.Event
    _counters: Counters
    _faults: FaultPlan

    @property
    def url(self) -> str: ...

    def missions(self) -> list[dict[str, Any]]: ...

    def counters(self) -> dict[str, Any]: ...


class _BadBody(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Handler(BaseHTTPRequestHandler):
    """One connection: parses requests, routes them, answers in one write."""

    protocol_version = "HTTP/1.1"
    server_version = "OceanSandbox/1.0"
    sys_version = ""
    timeout = 120  # an idle keep-alive connection is closed after this many seconds
    server: SandboxServer

    # --- connection life ------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)
        self.server.sandbox._counters.bump("connections")

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answer a protocol-level error (bad request line, unknown method) as JSON."""
        self.close_connection = True
        if not self.command:  # the request line itself was not understood
            self._log_path = "-"
        reason = message or HTTPStatus(code).phrase
        text = t("sandbox.api.bad_request", lang=self.server.sandbox.api_lang, reason=reason)
        self._reply(Reply(code, {"message": text}))

    # --- routing ----------------------------------------------------------------------------

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        sandbox = self.server.sandbox
        split = urlsplit(self.path)
        self._log_path = split.path
        try:
            body = self._read_body()
        except _BadBody as bad:
            self.close_connection = True
            self._reply(Reply(bad.status, {"message": str(bad)}))
            return
        route = _ROUTES.get((self.command, split.path))
        if route is None:
            self._unrouted(split.path)
        elif route == AUTHENTICATE:
            sandbox._counters.call(AUTHENTICATE.name)
            if sandbox.auth_latency_ms > 0 and self._pause(sandbox.auth_latency_ms / 1000):
                self._drop("stopping")
                return
            self._reply(sandbox.api.authenticate(body))
        elif isinstance(route, ApiCall):
            self._mission_call(route.name, self._params(split.query, body))
        elif route == "inspect":
            self._reply(
                Reply(200, {"missions": sandbox.missions(), "counters": sandbox.counters()})
            )
        else:  # the page
            query = parse_qs(split.query)
            lang = choose_language(query.get("lang", [""])[0], self.headers.get("Accept-Language"))
            html = render_page(sandbox.url, sandbox.missions(), sandbox.counters(), lang)
            self._send(200, html.encode("utf-8"), "text/html; charset=utf-8")

    def _unrouted(self, path: str) -> None:
        lang = self.server.sandbox.api_lang
        if path in _PATHS:
            allowed = ", ".join(sorted(m for m, p in _ROUTES if p == path))
            message = t("sandbox.api.method_not_allowed", lang=lang, method=self.command, path=path)
            self._reply(Reply(405, {"message": message}, {"Allow": allowed}))
        else:
            self._reply(
                Reply(404, {"message": t("sandbox.api.unknown_path", lang=lang, path=path)})
            )

    # --- the mission calls, with latency and faults ---------------------------------------

    def _mission_call(self, call: str, params: dict[str, str]) -> None:
        sandbox = self.server.sandbox
        sandbox._counters.call(call)
        if sandbox.latency_ms > 0 and self._pause(sandbox.latency_ms / 1000):
            self._drop("stopping")
            return
        fault = sandbox._faults.draw()
        if fault is not None:
            sandbox._counters.fault(fault)
            logger.info("fault %s injected on %s", fault, call)
        if fault in STATUS_FAULTS:
            self._reply(self._fault_reply(STATUS_FAULTS[fault]))
        elif fault == "drop_before" or (fault == "slow" and self._too_late()):
            self._drop(fault)
        else:
            reply = sandbox.api.mission_call(call, self.headers.get("X-AUTH-TOKEN"), params)
            if fault == "drop_after" or (fault == "slow_after" and self._too_late()):
                self._drop(fault)
            elif fault == "error_after":
                self._reply(self._fault_reply(500))
            else:
                self._reply(reply)

    def _too_late(self) -> bool:
        """Wait ``slow_seconds``; return True if the client hung up (or the sandbox stops)."""
        return self._pause(self.server.sandbox.slow_seconds) or self._client_gone()

    def _fault_reply(self, status: int) -> Reply:
        sandbox = self.server.sandbox
        message = t(f"sandbox.api.{_STATUS_FAULT_KEYS[status]}", lang=sandbox.api_lang)
        headers = {}
        if status == 429:
            headers["Retry-After"] = _seconds_text(sandbox.retry_after_seconds)
        return Reply(status, {"message": message}, headers)

    def _pause(self, seconds: float) -> bool:
        """Wait ``seconds``; return True if the sandbox is stopping meanwhile."""
        return self.server.sandbox.stopping.wait(seconds)

    def _client_gone(self) -> bool:
        """Return True when the client has closed its side of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _drop(self, why: str) -> None:
        """Close the connection without answering."""
        logger.info("%s %s dropped without answer (%s)", self.command, self._log_path, why)
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    # --- reading the request ------------------------------------------------------------------

    def _read_body(self) -> bytes:
        """Read the whole body (Content-Length or chunked) so keep-alive stays in sync."""
        lang = self.server.sandbox.api_lang
        too_large = _BadBody(413, t("sandbox.api.body_too_large", lang=lang, limit=MAX_BODY_BYTES))
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(too_large)
        raw = self.headers.get("Content-Length")
        if raw is None:
            return b""
        try:
            length = int(raw)
            if length < 0:
                raise ValueError(raw)
        except ValueError:
            raise _BadBody(
                400, t("sandbox.api.bad_request", lang=lang, reason="Content-Length")
            ) from None
        if length > MAX_BODY_BYTES:
            raise too_large
        return self.rfile.read(length)

    def _read_chunked(self, too_large: _BadBody) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                raise _BadBody(
                    400,
                    t(
                        "sandbox.api.bad_request",
                        lang=self.server.sandbox.api_lang,
                        reason="chunked body",
                    ),
                ) from None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise too_large
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _params(self, query: str, body: bytes) -> dict[str, str]:
        """Return the request parameters: query string, then a form-encoded body (first wins).

        Any other body (JSON in particular) is ignored, as a Spring @RequestParam endpoint does.
        """
        pairs = parse_qsl(query, keep_blank_values=True)
        if self.headers.get_content_type() == "application/x-www-form-urlencoded":
            charset = self.headers.get_content_charset() or "utf-8"
            try:
                codecs.lookup(charset)
            except LookupError:
                charset = "utf-8"
            text = body.decode(charset, errors="replace")
            pairs += parse_qsl(text, keep_blank_values=True, encoding=charset, errors="replace")
        params: dict[str, str] = {}
        for name, value in pairs:
            params.setdefault(name, value)
        return params

    # --- answering ----------------------------------------------------------------------------

    def _reply(self, reply: Reply) -> None:
        payload = json.dumps(reply.body, ensure_ascii=False).encode("utf-8")
        self._send(reply.status, payload, _JSON, reply.headers)

    def _send(
        self, status: int, payload: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        """Send status line, headers and body in a single write."""
        try:
            phrase = HTTPStatus(status).phrase
        except ValueError:
            phrase = ""
        lines = [
            f"HTTP/1.1 {status} {phrase}",
            f"Server: {self.server_version}",
            f"Date: {self.date_time_string()}",
            f"Content-Type: {content_type}",
            f"Content-Length: {len(payload)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        if self.close_connection:
            lines.append("Connection: close")
        elif self.request_version == "HTTP/1.0":
            lines.append("Connection: keep-alive")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        # Count and log first: whoever reads the answer then sees the counters up to date.
        self.server.sandbox._counters.response(status)
        logger.info("%s %s %s", self.command, getattr(self, "_log_path", "-"), status)
        try:
            self.wfile.write(head + payload)
        except OSError:
            self.close_connection = True


class SandboxServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its sandbox and its open connections."""

    daemon_threads = True
    request_queue_size = 128
    # On Windows SO_REUSEADDR would let two servers share a port: keep it for POSIX only.
    allow_reuse_address = os.name != "nt"

    def __init__(self, address: tuple[str, int], sandbox: Served, family: int) -> None:
        self.address_family = family
        self.sandbox = sandbox
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind would call getfqdn(), which can hang on a broken DNS.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that hangs up (timeout, killed importer) is normal here, not a traceback.
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            logger.debug("connection from %s ended: %s", client_address, error)
            return
        super().handle_error(request, client_address)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut every open client connection (idle keep-alive ones included)."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


def _seconds_text(seconds: float) -> str:
    value = float(seconds)
    return str(int(value)) if value.is_integer() else f"{value:g}"
