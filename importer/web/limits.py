"""The page's limits: sign-in attempts counted while in flight, the sign-in form's token,
where a state-changing request comes from, and the size of request bodies.

Each limit is a setting (``[serve]`` in the settings file) listed in SECURITY.md.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
SWEEP_ABOVE = 10_000  # keys remembered before the old ones are swept at once


class AttemptLimiter:
    """At most ``limit`` sign-in attempts per key (a login, an address) in ``window`` s.

    An attempt is reserved before Ocean is asked and counts while it is in flight, so that
    concurrent attempts cannot all pass the check; a failure stays counted for the window,
    a success (or an answer that says nothing about the password) frees its place.
    """

    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = {}
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()

    def _used(self, key: str, now: float) -> int:
        stamps = self._failures.get(key)
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        if stamps is not None and not stamps:
            del self._failures[key]
        return len(stamps or ()) + self._in_flight.get(key, 0)

    def reserve(self, key: str) -> bool:
        """Take a place for one attempt; False when the key has used up its attempts."""
        with self._lock:
            now = time.monotonic()
            if len(self._failures) > SWEEP_ABOVE:  # many logins tried: forget the old ones
                for old in list(self._failures):
                    self._used(old, now)
            if self._used(key, now) >= self.limit:
                return False
            self._in_flight[key] = self._in_flight.get(key, 0) + 1
            return True

    def release(self, key: str, *, failed: bool) -> None:
        """End a reserved attempt: a failure stays counted for the window, else it is freed."""
        with self._lock:
            left = self._in_flight.get(key, 0) - 1
            if left > 0:
                self._in_flight[key] = left
            else:
                self._in_flight.pop(key, None)
            if failed:
                self._failures.setdefault(key, deque()).append(time.monotonic())


@dataclass(frozen=True)
class Attempt:
    login: str
    address: str


class SignInLimits:
    """The two limits of sign-in: per login and per address, reserved together."""

    def __init__(self, per_login: int, per_address: int, window: float = 60.0) -> None:
        self.logins = AttemptLimiter(per_login, window)
        self.addresses = AttemptLimiter(per_address, window)

    def reserve(self, login: str, address: str) -> Attempt | None:
        """A reserved attempt for both, or None when either limit is reached."""
        attempt = Attempt(login.casefold(), address)
        if not self.logins.reserve(attempt.login):
            return None
        if not self.addresses.reserve(attempt.address):
            self.logins.release(attempt.login, failed=False)
            return None
        return attempt

    def release(self, attempt: Attempt, *, failed: bool) -> None:
        self.logins.release(attempt.login, failed=failed)
        self.addresses.release(attempt.address, failed=failed)


class SignInTokens:
    """The sign-in form's CSRF token, signed with a key only this server holds.

    A token is ``nonce.issued.mac``; the MAC covers the nonce, the time it was issued and
    the address it was issued to, so a token the server did not issue (a cookie planted
    by another site), one issued to another address, or an old one, is refused.
    """

    def __init__(self, max_age: float = 3600.0, key: bytes | None = None) -> None:
        self.max_age = max_age
        self._key = key or secrets.token_bytes(32)

    def _mac(self, nonce: str, issued: str, address: str) -> str:
        message = f"{nonce}.{issued}.{address}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()

    def issue(self, address: str) -> str:
        nonce, issued = secrets.token_urlsafe(16), str(int(time.time()))
        return f"{nonce}.{issued}.{self._mac(nonce, issued, address)}"

    def valid(self, token: str, address: str) -> bool:
        nonce, _, rest = token.partition(".")
        issued, _, mac = rest.partition(".")
        if not (nonce and issued.isascii() and issued.isdigit() and mac):
            return False
        if not 0 <= time.time() - int(issued) <= self.max_age:
            return False
        return hmac.compare_digest(mac, self._mac(nonce, issued, address))


def foreign_origin(method: str, headers: Mapping[str, str], scheme: str) -> bool:
    """True when a state-changing request comes from another site.

    Browsers say where a request comes from: ``Sec-Fetch-Site`` (trusted when present:
    only ``same-origin`` and ``none``, a person's own action, pass), else ``Origin``,
    which must be this page's own scheme and host. A request with neither (a program, an
    old browser) still needs the session's CSRF token.
    """
    if method.upper() in SAFE_METHODS:
        return False
    site = headers.get("sec-fetch-site", "").strip().lower()
    if site:
        return site not in ("same-origin", "none")
    origin = headers.get("origin", "").strip()
    if not origin:
        return False
    parts = urlsplit(origin)
    if origin == "null" or not parts.scheme or not parts.netloc:
        return True
    host = headers.get("host", "").strip().lower()
    return parts.scheme.lower() != scheme.lower() or parts.netloc.lower() != host


class BodyTooLarge(Exception):
    """A request body went past its limit while it was being received."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


Refusal = Callable[[Scope, int], Awaitable[ASGIApp]]  # the answer to a body over its limit


class BodyLimit:
    """Counts every request body as it is received, chunked or not, and cuts it at the
    limit ``limit_for(scope)`` gives before the application spools any more of it.

    A declared ``Content-Length`` above the limit is refused before reading; a body that
    grows past it is refused with the same answer (``refusal``, 413) as soon as it does.
    """

    def __init__(self, app: ASGIApp, limit_for: Callable[[Scope], int], refusal: Refusal) -> None:
        self.app = app
        self.limit_for = limit_for
        self.refusal = refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in SAFE_METHODS:
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await (await self.refusal(scope, limit))(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:
                raise
            await (await self.refusal(scope, limit))(scope, receive, send)
