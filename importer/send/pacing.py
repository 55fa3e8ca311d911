"""When to send and when to send again: the shared pacer and the retry timing.

One :class:`Pacer` per client. Before each HTTP request a worker calls :meth:`Pacer.wait`;
it returns at once unless a pause is running (a 429 with ``Retry-After`` told one worker
to slow down: every worker waits) or the request rate would be exceeded.

:class:`Retryable` is what one failed attempt raises inside the tenacity loop (with
whether the server may have applied it); :func:`transport_failure` classifies a requests
exception; :class:`Backoff` is the tenacity wait (``Retry-After``, else full jitter).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
import urllib3.exceptions as u3
from tenacity import RetryCallState
from tenacity.wait import wait_base

from importer.messages import t


class Pacer:
    """Spaces requests to at most ``rate`` per second and holds them during pauses.

    The rate is enforced with a fixed interval between request slots, reserved under a
    lock (cheap: one lock, a few float operations); sleeping happens outside the lock.
    """

    def __init__(
        self,
        rate: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate is not None and rate <= 0:
            raise ValueError("rate must be positive")
        self._interval = 1.0 / rate if rate else 0.0
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = 0.0
        self._paused_until = 0.0

    @property
    def rate(self) -> float | None:
        """Requests per second across all threads, or None when unlimited."""
        return 1.0 / self._interval if self._interval else None

    def pause_for(self, seconds: float) -> None:
        """Hold every request for ``seconds`` from now (a pause already longer is kept)."""
        if seconds <= 0:
            return
        until = self._clock() + seconds
        with self._lock:
            if until > self._paused_until:
                self._paused_until = until

    def paused_for(self) -> float:
        """Seconds left in the current pause (0 when none)."""
        return max(0.0, self._paused_until - self._clock())

    def wait(self) -> float:
        """Block until this request may go; return the seconds spent waiting."""
        waited = 0.0
        if not self._interval:
            # No rate: only pauses matter. Re-check after sleeping: a pause may have grown.
            while True:
                delay = self._paused_until - self._clock()
                if delay <= 0:
                    return waited
                self._sleep(delay)
                waited += delay
        while True:
            with self._lock:
                now = self._clock()
                reserved = self._paused_until <= now
                if reserved:
                    slot = max(now, self._next_slot)
                    self._next_slot = slot + self._interval
                    delay = slot - now
                else:
                    delay = self._paused_until - now
            if delay > 0:
                self._sleep(delay)
                waited += delay
            # A pause that began while this worker slept for its slot holds it too.
            if reserved and (delay <= 0 or self._paused_until <= self._clock()):
                return waited


def parse_retry_after(value: str | None, *, limit: float = 3600.0) -> float | None:
    """Seconds asked by a ``Retry-After`` header (delta-seconds or HTTP date), or None.

    Returns a value between 0 and ``limit``; None when the header is absent or unreadable.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return min(max(seconds, 0.0), limit)


def full_jitter(attempt: int, base: float, cap: float) -> float:
    """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2**(attempt-1))]."""
    return random.uniform(0.0, exponential(attempt, base, cap))


def exponential(attempt: int, base: float, cap: float) -> float:
    """The backoff ceiling for ``attempt`` (1-based): ``min(cap, base * 2**(attempt-1))``."""
    return min(cap, base * (2.0 ** min(max(attempt - 1, 0), 60)))


class Retryable(Exception):
    """One attempt failed in a way worth retrying (raised inside the tenacity loop)."""

    def __init__(
        self,
        reason: str,
        *,
        status: int | None = None,
        ambiguous: bool = False,
        retry_after: float | None = None,
        connected: bool = True,
        answer: Any = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason  # a sentence part from the catalogue ("HTTP 503", "no answer...")
        self.status = status  # the HTTP status, None when no answer came
        self.ambiguous = ambiguous  # the server may have applied the request
        self.retry_after = retry_after  # seconds asked by Retry-After
        self.connected = connected  # False: the server was never reached (refused, DNS, TLS)
        self.answer = answer


def transport_failure(exc: requests.RequestException, connect: float, read: float) -> Retryable:
    """Classify a requests exception: the reason, and whether the server may have acted.

    Returns a :class:`Retryable`; ``ambiguous`` is True when the request may have reached
    the server (read timeout, connection dropped midway), ``connected`` False when it
    certainly did not (refused, DNS, TLS, proxy, connect timeout).
    """
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return Retryable(t("client.reason.connect_timeout", seconds=connect), connected=False)
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return Retryable(t("client.reason.read_timeout", seconds=read), ambiguous=True)
    if isinstance(exc, requests.exceptions.SSLError):
        detail = str(exc.args[0] if exc.args else exc)[-160:]
        return Retryable(t("client.reason.tls", detail=detail), connected=False)
    if isinstance(exc, requests.exceptions.ProxyError):
        return Retryable(t("client.reason.proxy"), connected=False)
    if isinstance(exc, requests.exceptions.ConnectionError):
        cause = exc.args[0] if exc.args else None
        cause = getattr(cause, "reason", cause)  # urllib3 MaxRetryError -> its reason
        if isinstance(cause, u3.NameResolutionError):
            return Retryable(t("client.reason.dns"), connected=False)
        if isinstance(cause, u3.NewConnectionError):
            return Retryable(t("client.reason.refused"), connected=False)
        return Retryable(t("client.reason.dropped"), ambiguous=True)
    return Retryable(t("client.reason.connection", detail=type(exc).__name__), ambiguous=True)


class Backoff(wait_base):
    """Tenacity wait: the server's Retry-After when given, else exponential full jitter.

    A 429 also pauses every worker sharing ``pacer`` for the same time (Retry-After, or
    the un-jittered exponential delay when the server gave none).
    """

    def __init__(self, pacer: Pacer, base: float = 0.5, cap: float = 30.0) -> None:
        self.pacer = pacer
        self.base = base
        self.cap = cap

    def __call__(self, retry_state: RetryCallState) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        n = retry_state.attempt_number
        after = exc.retry_after if isinstance(exc, Retryable) else None
        if isinstance(exc, Retryable) and exc.status == 429:
            delay = after if after is not None else exponential(n, self.base, self.cap)
            self.pacer.pause_for(delay)
            return delay
        if after is not None:
            return after
        return full_jitter(n, self.base, self.cap)
