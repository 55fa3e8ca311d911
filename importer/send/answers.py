"""What an Ocean call ends with, and how the client reads the service's answers.

:class:`CallResult` is what every mission call returns; :class:`CallStats` the client's
counters. A 2xx answer is a failure when its message matches a failure pattern (case and
accents ignored; the mission id is blanked first, so an id such as "ERROR-12" is none).
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from importer.messages import t
from importer.ocean_api import CALL_STATUS
from importer.send.pacing import Retryable

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_ERROR_KEYS = {
    400: "client.bad_request",
    401: "client.unauthorized",
    403: "client.forbidden",
    422: "client.unprocessable",
}


@dataclass
class CallResult:
    """What one mission call ended with (after retries and reconciliation)."""

    call: str  # "ajoutMission" | "modifierMission" | "supprimerMission" | "statutMission"
    ok: bool  # success: 2xx and a message not classified as a failure
    http_status: int | None  # status of the last attempt; None if it got no answer
    message: str  # the service's message verbatim ("" if none)
    body: Any  # parsed JSON or None
    attempts: int  # HTTP requests that sent this call (statutMission checks not counted)
    elapsed: float  # seconds
    error: str | None  # plain explanation when not ok (catalogue text)
    not_found: bool = False  # the API answered 404 (ok only for a reconciled delete)
    ambiguous: bool = False  # not ok, and the server MAY have applied the change
    reconciled: bool = False  # outcome established by a statutMission check / a 404 on delete
    lookups: int = 0  # statutMission requests made to settle a create (reconciliation)


class CallStats:
    """Thread-safe counters of one client: requests per call, retries, 429s, renewals."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[str, int] = {}
        self.retries = 0
        self.throttled = 0
        self.logins = 0
        self.renewals = 0
        self.reconciliations = 0

    def add(self, name: str, amount: int = 1) -> None:
        """Add ``amount`` to the counter ``name`` (an attribute)."""
        with self._lock:
            setattr(self, name, getattr(self, name) + amount)

    def add_request(self, call: str) -> None:
        """Count one HTTP request sent for ``call``."""
        with self._lock:
            self.requests[call] = self.requests.get(call, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        """Return a copy of every counter, as plain data."""
        with self._lock:
            return {
                "requests": dict(self.requests),
                "retries": self.retries,
                "throttled": self.throttled,
                "logins": self.logins,
                "renewals": self.renewals,
                "reconciliations": self.reconciliations,
            }


@dataclass
class Answer:
    """One HTTP answer as the client reads it."""

    status: int
    body: Any
    message: str
    retry_after: float | None
    location: str = ""


@dataclass
class CallState:
    """Where one mission call stands across its attempts and retries."""

    call: str
    params: dict[str, str]
    id_mission: str
    attempts: int = 0  # requests of the call itself
    lookups: int = 0  # statutMission requests made on the call's behalf
    started: float = 0.0  # time.perf_counter() when the call began
    guard: Callable[[], None] | None = None  # called before each change leaves; may raise
    maybe_applied: bool = False  # an attempt may have been applied and nothing settled it
    was_ambiguous: bool = False  # an earlier attempt of this call ended ambiguously
    exists: bool = False  # (create) statutMission found the mission: modify instead
    reconciled: bool = False


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents, for failure-pattern matching."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# -- reading an answer ----------------------------------------------------------------------


def is_failure(answer: Answer, state: CallState, patterns: Sequence[str]) -> bool:
    """True when a 2xx answer's message reads as a failure (patterns, accents ignored)."""
    if not answer.message or state.call == CALL_STATUS:
        return False
    text = answer.message
    if state.id_mission:
        text = text.replace(state.id_mission, " ")  # an id such as "ERROR-12" is no failure
    folded = fold(text)
    return any(p in folded for p in patterns)


def message_detail(answer: Answer) -> str:
    """The service's message as a clause for an error text ("" when it gave none)."""
    return t("client.detail", message=answer.message) if answer.message else ""


def http_reason(status: int) -> str:
    """Why an attempt is retried, as a sentence part ("HTTP 503", "...slow down (HTTP 429)")."""
    if status == 429:
        return t("client.reason.throttled")
    return t("client.reason.http", status=status)


def retry_after_answer(answer: Answer, *, ambiguous: bool) -> Retryable:
    """The Retryable of an answer whose status says "try again" (429, 5xx)."""
    return Retryable(
        http_reason(answer.status),
        status=answer.status,
        ambiguous=ambiguous,
        retry_after=answer.retry_after,
        answer=answer,
    )


def final_result(state: CallState, answer: Answer, patterns: Sequence[str]) -> CallResult:
    """The CallResult of a definite (non-retryable) answer."""
    status = answer.status
    if 200 <= status < 300:
        if is_failure(answer, state, patterns):
            error = t("client.failure_message", message=answer.message)
            return make_result(state, answer, ok=False, error=error)
        return make_result(state, answer, ok=True)
    if status == 404:
        error = t("client.not_found", id=state.id_mission)
        return make_result(state, answer, ok=False, not_found=True, error=error)
    key = _ERROR_KEYS.get(status, "client.redirect" if 300 <= status < 400 else "")
    error = t(
        key or "client.http_error",
        status=status,
        location=answer.location,
        detail=message_detail(answer),
    )
    return make_result(state, answer, ok=False, error=error)


def make_result(
    state: CallState,
    answer: Answer | None,
    *,
    ok: bool,
    error: str | None = None,
    not_found: bool = False,
) -> CallResult:
    """The CallResult of ``state`` after ``answer`` (None: no answer ever came)."""
    return CallResult(
        call=state.call,
        ok=ok,
        http_status=answer.status if answer else None,
        message=answer.message if answer else "",
        body=answer.body if answer else None,
        attempts=state.attempts,
        elapsed=0.0,
        error=error,
        not_found=not_found,
        ambiguous=not ok and state.maybe_applied and state.call != CALL_STATUS,
        reconciled=state.reconciled,
        lookups=state.lookups,
    )


def gave_up(state: CallState, failure: Retryable, limit: float) -> CallResult:
    """The CallResult once retries are exhausted (time or attempts).

    The message gives the reason of the last attempt (with the per-attempt timeout), the
    time the call took in all and ``limit``, the bound per call, retries included.
    """
    ambiguous = state.maybe_applied and state.call != CALL_STATUS
    key = "client.gave_up_ambiguous" if ambiguous else "client.gave_up"
    spent = time.perf_counter() - state.started
    error = t(
        key,
        attempts=state.attempts,
        reason=failure.reason,
        spent=f"{spent:.1f}",
        limit=f"{limit:g}",
    )
    return make_result(state, failure.answer, ok=False, error=error)
