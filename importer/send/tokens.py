"""The client's Ocean token: the login (authenticate2), its renewal, its expiry.

One :class:`TokenKeeper` per client, shared by every worker thread. The token is renewed
a little before its lifetime ends, and after a 401 unless another worker already renewed
it; a login that fails raises ``AuthenticationError`` (credentials refused) or
``ApiUnavailableError`` (no usable answer), and the workers waiting on it get the same.
Once the password is forgotten (the page keeps none), a token that ends is never renewed:
``SignInNeeded`` is raised instead of a login without the password, and the keeper stays
ended (:attr:`TokenKeeper.ended`).
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from tenacity import RetryError, Retrying

from importer.errors import ApiUnavailableError, AuthenticationError, SignInNeeded
from importer.messages import t
from importer.ocean_api import AUTHENTICATE
from importer.send.answers import RETRY_STATUSES, CallStats, message_detail, retry_after_answer
from importer.send.pacing import Retryable
from importer.send.transport import Transport

log = logging.getLogger(__name__)

RENEW_MARGIN = 600.0  # renew the token this long before it runs out (at most 1/10 of its life)


@dataclass(frozen=True)
class Token:
    """One token of the service, the how-many-th login gave it, and when to renew it."""

    value: str = field(repr=False)
    generation: int
    renew_at: float  # time.monotonic() after which it is renewed before use
    accepted: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)


class TokenKeeper:
    """Logs in, keeps the token and renews it; safe to share between worker threads."""

    def __init__(
        self,
        transport: Transport,
        login: str,
        password: str,
        *,
        lifetime: float,
        retrying: Retrying,
        stats: CallStats,
        display_url: str,
    ) -> None:
        self._transport = transport
        self._login = login
        self._password = password
        self.lifetime = float(lifetime)
        self._retrying = retrying
        self._stats = stats
        self._display_url = display_url
        self._lock = threading.Lock()
        self._token: Token | None = None
        self._error: ApiUnavailableError | None = None
        self._error_at = float("-inf")
        self._ended = False

    def authenticate(self) -> None:
        """Log in now (POST authenticate2). Raises AuthenticationError / ApiUnavailableError."""
        with self._lock:
            self._login_locked()

    def forget_password(self) -> None:
        """Drop the password from memory: once the token expires, sign in again (the page)."""
        self._password = ""

    def has_password(self) -> bool:
        """True while the password is kept in memory (renewals can log in again)."""
        return self._password != ""

    @property
    def ended(self) -> bool:
        """True once a token ended that could not be renewed without the password."""
        return self._ended

    def current(self) -> Token:
        """The token to send with now: the kept one, or a new one when it is due."""
        token = self._token
        if self._ended:  # nothing more leaves with a token Ocean ended
            raise SignInNeeded(t("client.sign_in_again", url=self._display_url))
        if token is None or time.monotonic() >= token.renew_at:
            return self.renew(token.generation if token else 0)
        return token

    def renew(self, seen_generation: int) -> Token:
        """Log in again unless another thread already did since ``seen_generation``."""
        asked_at = time.monotonic()
        with self._lock:
            current = self._token
            if (
                current is not None
                and current.generation != seen_generation
                and time.monotonic() < current.renew_at
            ):
                return current
            if self._error is not None and self._error_at >= asked_at:
                # Another worker just failed to log in while this one waited: same answer.
                raise type(self._error)(self._error.message)
            if not self.has_password():  # never a login without the password it was given
                self._ended = True
                raise SignInNeeded(t("client.sign_in_again", url=self._display_url))
            try:
                self._login_locked()
            except ApiUnavailableError as exc:
                self._error, self._error_at = exc, time.monotonic()
                raise
            assert self._token is not None
            return self._token

    def _renew_margin(self) -> float:
        return min(RENEW_MARGIN, self.lifetime / 10)

    def _login_locked(self) -> None:
        renewal = self._token is not None
        try:
            value = self._retrying(self._attempt)
        except RetryError as err:
            failure = err.last_attempt.exception()
            reason = failure.reason if isinstance(failure, Retryable) else str(failure)
            raise ApiUnavailableError(
                t("client.unreachable", url=self._display_url, reason=reason)
            ) from None
        generation = self._token.generation + 1 if self._token else 1
        renew_at = time.monotonic() + self.lifetime - self._renew_margin()
        self._token = Token(value, generation, renew_at)
        self._stats.add("renewals" if renewal else "logins")
        if renewal:
            log.info("Ocean token renewed")
        else:
            log.debug("Ocean token obtained")

    def _attempt(self) -> str:
        """One login request; returns the token or raises (Retryable for another try)."""
        url = self._display_url
        try:
            answer = self._transport.post_json(
                AUTHENTICATE, {"login": self._login, "password": self._password}
            )
        except Retryable as failure:
            if not failure.connected:  # refused, DNS, TLS, proxy: say so at once
                raise ApiUnavailableError(
                    t("client.unreachable", url=url, reason=failure.reason)
                ) from None
            raise
        if answer.status in (401, 403):
            raise AuthenticationError(t("client.auth_refused", url=url, status=answer.status))
        if answer.status in RETRY_STATUSES:
            if answer.status == 429:
                self._stats.add("throttled")
            raise retry_after_answer(answer, ambiguous=False)
        if not 200 <= answer.status < 300:
            detail = message_detail(answer)
            raise ApiUnavailableError(
                t("client.auth_bad_answer", url=url, status=answer.status, detail=detail)
            )
        token = answer.body.get("token") if isinstance(answer.body, dict) else None
        if not isinstance(token, str) or not token:
            raise ApiUnavailableError(t("client.auth_no_token", url=url))
        return token
