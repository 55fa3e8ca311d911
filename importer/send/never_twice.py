"""One attempt of each mission call, such that a create never runs twice.

Once an attempt ended without a clear answer (timeout, dropped connection, 5xx), the
change may have been applied. Before a create is sent again, ``statutMission`` settles
it: when the mission is there, the create is done and a modify with the same parameters
follows (``reconciled=True``, the call stays ``ajoutMission``); when it is not, creating
is safe. A delete whose lost attempt had already deleted the mission gets 404 on the
resend: ``ok=True, reconciled=True``. Modify and status are resent as they are.

Each attempt either returns the call's :class:`~importer.send.answers.CallResult` or
raises :class:`~importer.send.pacing.Retryable` for the client's retry loop.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from importer.ocean_api import (
    CALL_DELETE,
    CALL_MODIFY,
    CALL_STATUS,
    CALLS_BY_NAME,
    CREATE,
    MODIFY,
    STATUS,
    ApiCall,
)
from importer.send.answers import (
    RETRY_STATUSES,
    Answer,
    CallResult,
    CallState,
    CallStats,
    final_result,
    is_failure,
    make_result,
    retry_after_answer,
)
from importer.send.pacing import Retryable

# One HTTP request of a call for a state (the client's, with its token and pacing).
Send = Callable[[CallState, ApiCall, Mapping[str, str]], Answer]


class CallAttempts:
    """The attempts of the mission calls over one ``send``; the never-twice rule."""

    def __init__(self, send: Send, patterns: Sequence[str], stats: CallStats) -> None:
        self._send = send
        self._patterns = patterns
        self._stats = stats

    def create(self, state: CallState) -> CallResult:
        """One attempt of ajoutMission, settled with statutMission after a lost one."""
        if not state.exists and state.maybe_applied:
            unexpected = self._check_presence(state)
            if unexpected is not None:
                return final_result(state, unexpected, self._patterns)
        if state.exists:
            return self._modify_for_create(state)
        answer = self._change(state, CREATE)
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

    def resendable(self, state: CallState) -> CallResult:
        """One attempt of a call sent again as it is: modifier-, supprimer- or statutMission."""
        if state.call == CALL_STATUS:
            answer = self._send(state, STATUS, state.params)
            if answer.status in RETRY_STATUSES:
                raise self._retry(answer, ambiguous=False)
            return final_result(state, answer, self._patterns)
        answer = self._change(state, CALLS_BY_NAME[state.call])
        if state.call == CALL_DELETE and answer.status == 404 and state.was_ambiguous:
            state.reconciled = True  # the lost attempt deleted it
            return make_result(state, answer, ok=True, not_found=True)
        if state.call == CALL_MODIFY:
            state.maybe_applied = False  # a definite answer to the same modify settles it
        return final_result(state, answer, self._patterns)

    def _check_presence(self, state: CallState) -> Answer | None:
        """Ask statutMission whether the create is already done; sets state.exists.

        Returns None once settled (found or not), or the answer when it is neither (403...).
        """
        self._stats.add("reconciliations")
        params = {k: v for k, v in state.params.items() if k in ("idMission", "customerId")}
        answer = self._send(state, STATUS, params)
        if answer.status == 404:
            state.maybe_applied = False  # nothing there: creating is safe
            return None
        if 200 <= answer.status < 300:
            state.exists = state.reconciled = True
            return None
        if answer.status in RETRY_STATUSES:
            raise self._retry(answer, ambiguous=False)
        return answer

    def _modify_for_create(self, state: CallState) -> CallResult:
        answer = self._change(state, MODIFY)
        return final_result(state, answer, self._patterns)

    def _change(self, state: CallState, call: ApiCall) -> Answer:
        """Send a change call; a retryable outcome raises Retryable and marks ambiguity."""
        try:
            answer = self._send(state, call, state.params)
            if answer.status in RETRY_STATUSES:
                raise self._retry(answer, ambiguous=answer.status != 429)
        except Retryable as failure:
            if failure.ambiguous:
                state.maybe_applied = state.was_ambiguous = True
            raise
        return answer

    def _retry(self, answer: Answer, *, ambiguous: bool) -> Retryable:
        if answer.status == 429:
            self._stats.add("throttled")
        return retry_after_answer(answer, ambiguous=ambiguous)
