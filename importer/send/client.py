"""The Ocean client: the four mission calls, retried without ever creating twice.

One :class:`OceanClient` is shared by every worker thread. Its customer is fixed when it is
made: :meth:`OceanClient.for_customer` gives a view of the same client (token, connections,
pace, counts) that sends as another customer, so a run keeps the customer it started with
whatever the caller does next; each call may also name its customer explicitly.

The client puts together the HTTP transport (:mod:`importer.send.transport`: per-thread
sessions, TLS, timeouts), the token (:mod:`importer.send.tokens`: login, renewal; without
the password, an ended token raises ``SignInNeeded``), the pacer (rate limit and pauses
asked by a 429, :mod:`importer.send.pacing`) and the attempts of each call
(:mod:`importer.send.never_twice`: an ambiguous create is settled with statutMission).
Every call returns a :class:`CallResult`; only a failed authentication raises
(``AuthenticationError`` / ``ApiUnavailableError``). How an answer becomes a CallResult
(failure patterns, error texts) is in :mod:`importer.send.answers`.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

from tenacity import (
    RetryCallState,
    RetryError,
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    stop_before_delay,
)

from importer.errors import UsageError
from importer.messages import t
from importer.ocean_api import (
    CALL_CREATE,
    CALL_DELETE,
    CALL_MODIFY,
    CALL_STATUS,
    ApiCall,
    url_without_credentials,
)
from importer.send.answers import Answer, CallResult, CallState, CallStats, fold, gave_up
from importer.send.never_twice import CallAttempts
from importer.send.pacing import Backoff, Pacer, Retryable
from importer.send.tokens import TokenKeeper
from importer.send.transport import Transport
from importer.settings.table import DEFAULT_FAILURE_PATTERNS
from importer.tls_trust import ca_bundle_missing, trusted_certificates

__all__ = ["CallResult", "CallStats", "OceanClient"]

log = logging.getLogger(__name__)

# After a renewal, a 401 is final when no request at all was ever accepted with that token
# (the account is refused). A token the other workers had used successfully may simply be
# used up or expired by now, so the call renews again, up to this many times.
TOKEN_RENEWALS_PER_CALL = 10
Guard = Callable[[], None]  # see create(): called before a change leaves, may raise


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
            url = url_without_credentials(base_url) or base_url
            raise UsageError(t("client.bad_url", url=url))
        if ca_bundle_missing(ca_bundle):
            raise UsageError(t("client.ca_bundle_missing", path=ca_bundle))
        # Paths are appended to the base: drop any query string or fragment.
        self.base_url = urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))
        self.display_url = url_without_credentials(self.base_url)
        self._customer_id = customer_id
        self.login = login  # the account: the journal keys the missions without customerId
        self.timeout = (float(connect_timeout), float(read_timeout))
        self.verify: str | bool = trusted_certificates(ca_bundle)
        self.max_attempts = max(1, int(max_attempts))
        self.max_retry_seconds = float(max_retry_seconds)
        self.call_timeout = max(0.1, float(call_timeout))  # one call, retries included
        self.backoff_base = float(backoff_base)
        self.backoff_cap = float(backoff_cap)
        self.token_lifetime = float(token_lifetime)
        self.stats = CallStats()
        self._pacer = Pacer(rate)
        self._transport = Transport(
            self.base_url,
            timeout=self.timeout,
            verify=self.verify,
            max_retry_seconds=self.max_retry_seconds,
        )
        self._retrying = Retrying(
            retry=retry_if_exception_type(Retryable),
            stop=stop_after_attempt(self.max_attempts)
            | stop_before_delay(min(self.max_retry_seconds, self.call_timeout)),
            wait=Backoff(self._pacer, self.backoff_base, self.backoff_cap),
            before_sleep=self._before_sleep,
            reraise=False,
        )
        self._tokens = TokenKeeper(
            self._transport,
            login,
            password,
            lifetime=self.token_lifetime,
            retrying=self._retrying.copy(),  # tenacity keeps per-thread loop state
            stats=self.stats,
            display_url=self.display_url,
        )
        patterns = tuple(p for p in (fold(x) for x in failure_patterns) if p)
        self._attempts = CallAttempts(self._send, patterns, self.stats)

    @property
    def customer_id(self) -> int | None:
        """The customer the calls are sent as when they name none (fixed: see for_customer)."""
        return self._customer_id

    def for_customer(self, customer_id: int | None) -> OceanClient:
        """This client, sending as ``customer_id``: the same token, connections, pace and
        counts, its own fixed customer. Returns the view (``self`` when it is the same)."""
        if customer_id == self._customer_id:
            return self
        view = copy.copy(self)
        view._customer_id = customer_id
        return view

    # -- life cycle -------------------------------------------------------------------------

    def __enter__(self) -> OceanClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every thread's session (their connections). Returns None."""
        self._transport.close()

    # -- authentication ---------------------------------------------------------------------

    def authenticate(self) -> None:
        """Log in now (POST authenticate2). Raises AuthenticationError / ApiUnavailableError."""
        self._tokens.authenticate()

    def forget_password(self) -> None:
        """Drop the password from memory: once the token expires, sign in again (the page)."""
        self._tokens.forget_password()

    def has_password(self) -> bool:
        """True while the password is kept in memory (a renewal can log in again)."""
        return self._tokens.has_password()

    @property
    def signed_out(self) -> bool:
        """True once Ocean ended the token and it could not be renewed (no password kept):
        every call raises SignInNeeded from then on."""
        return self._tokens.ended

    # -- the four calls ---------------------------------------------------------------------

    # ``guard`` (changes): called right before each request that changes data is written
    # (see Transport.send); what it raises stops the call there, unsent, and propagates
    # (see Journal.check_live).
    # ``customer_id``: the customer to send as when ``params`` name none (default: the
    # client's own); a run passes its own, the one its journal keys use.

    def create(
        self,
        params: Mapping[str, str],
        *,
        customer_id: int | str | None = None,
        guard: Guard | None = None,
    ) -> CallResult:
        """Create a mission (ajoutMission); never twice. Returns its CallResult."""
        state = self._state(CALL_CREATE, self._with_customer(params, customer_id), guard)
        return self._run(state, self._attempts.create)

    def modify(
        self,
        params: Mapping[str, str],
        *,
        customer_id: int | str | None = None,
        guard: Guard | None = None,
    ) -> CallResult:
        """Modify a mission (modifierMission); safe to resend. Returns its CallResult."""
        state = self._state(CALL_MODIFY, self._with_customer(params, customer_id), guard)
        return self._run(state, self._attempts.resendable)

    def delete(
        self, id_mission: str, customer_id: int | str | None = None, *, guard: Guard | None = None
    ) -> CallResult:
        """Delete a mission (supprimerMission). Returns its CallResult."""
        params = self._id_params(id_mission, customer_id)
        return self._run(self._state(CALL_DELETE, params, guard), self._attempts.resendable)

    def status(self, id_mission: str, customer_id: int | str | None = None) -> CallResult:
        """Ask the status of a mission (statutMission). Returns its CallResult (body: fields)."""
        params = self._id_params(id_mission, customer_id)
        return self._run(self._state(CALL_STATUS, params), self._attempts.resendable)

    def _id_params(self, id_mission: str, customer_id: int | str | None) -> dict[str, str]:
        return self._with_customer({"idMission": str(id_mission)}, customer_id)

    @staticmethod
    def _with_customer(
        params: Mapping[str, str], customer_id: int | str | None
    ) -> Mapping[str, str]:
        if customer_id is None or str(customer_id) == "" or params.get("customerId"):
            return params
        return {**params, "customerId": str(customer_id)}

    def _state(self, call: str, params: Mapping[str, str], guard: Guard | None = None) -> CallState:
        sent = {k: str(v) for k, v in params.items()}
        if not sent.get("customerId") and self._customer_id is not None:
            sent["customerId"] = str(self._customer_id)
        started = time.perf_counter()
        return CallState(call, sent, sent.get("idMission", ""), started=started, guard=guard)

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

    # -- one HTTP request -------------------------------------------------------------------

    def _send(self, state: CallState, call: ApiCall, params: Mapping[str, str]) -> Answer:
        """One HTTP request (plus a resend after each token renewal on 401, a few at most).

        Several renewals may be needed: with many workers, a fresh token can be used up or
        expired by the others before this worker gets to send with it.
        """
        for renewals in range(TOKEN_RENEWALS_PER_CALL + 1):
            token = self._tokens.current()
            self._pacer.wait()
            if call.name == CALL_STATUS and state.call != CALL_STATUS:
                state.lookups += 1
            else:
                state.attempts += 1
            self.stats.add_request(call.name)
            timeout = self._attempt_timeout(state, time.perf_counter())
            # The guard is called as late as can be: by the connection, right before the
            # request's bytes are written (every attempt, every resend after a renewal).
            guard = state.guard if call.changes_data else None
            answer = self._transport.send(call, params, token.value, timeout, guard)
            if answer.status == 429:  # hold every worker at once, before anyone else sends
                self._pacer.pause_for(answer.retry_after or self.backoff_base)
            if answer.status != 401:
                token.accepted.set()
            refused = renewals > 0 and not token.accepted.is_set()
            if answer.status == 401 and not refused and renewals < TOKEN_RENEWALS_PER_CALL:
                self._tokens.renew(token.generation)
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
