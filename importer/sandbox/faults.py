"""Seeded fault injection for the sandbox's mission calls.

Kinds:
- ``"500"``, ``"502"``, ``"503"``, ``"504"``: answer that status, nothing applied;
- ``"429"``: answer 429 with ``Retry-After``, nothing applied;
- ``"slow"``: wait ``slow_seconds`` before handling; a client that hung up meanwhile is
  dropped without anything applied (as a gateway drops a queued request), one still
  waiting gets the normal answer;
- ``"drop_before"``: close the connection without answering, nothing applied;
- ``"drop_after"``: apply the call, then close without answering;
- ``"error_after"``: apply the call, then answer 500;
- ``"slow_after"``: apply the call, then answer only after ``slow_seconds``.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable

from importer.errors import UsageError
from importer.messages import t

STATUS_FAULTS: dict[str, int] = {"500": 500, "502": 502, "503": 503, "504": 504, "429": 429}
FAULT_KINDS: tuple[str, ...] = (
    *STATUS_FAULTS,
    "slow",
    "drop_before",
    "drop_after",
    "error_after",
    "slow_after",
)
AFTER_FAULTS = frozenset({"drop_after", "error_after", "slow_after"})


def check_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """Return ``kinds`` as a tuple; raise UsageError naming an unknown kind."""
    checked = tuple(str(kind) for kind in kinds)
    for kind in checked:
        if kind not in FAULT_KINDS:
            raise UsageError(t("sandbox.bad_fault_kind", kind=kind, kinds=", ".join(FAULT_KINDS)))
    return checked


def check_rate(rate: float) -> float:
    """Return ``rate`` as a float; raise UsageError unless it is within [0, 1]."""
    value = float(rate)
    if not 0.0 <= value <= 1.0:
        raise UsageError(t("sandbox.bad_fault_rate", rate=rate))
    return value


class FaultPlan:
    """Decides, call by call, whether to inject a fault and which (thread-safe, seeded)."""

    def __init__(
        self, rate: float = 0.0, kinds: Iterable[str] | None = None, seed: int | None = None
    ) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.rate = check_rate(rate)
        self.kinds = FAULT_KINDS if kinds is None else check_kinds(kinds)
        self._forced: list[str] = []  # faults for the next calls, whatever the rate

    def fail_next(self, count: int, kind: str = "500") -> None:
        """Inject ``kind`` on each of the next ``count`` mission calls (then back to the rate)."""
        check_kinds([kind])
        with self._lock:
            self._forced = [kind] * max(0, int(count))

    def configure(
        self, rate: float | None = None, kinds: Iterable[str] | None = None, seed: int | None = None
    ) -> None:
        """Change the rate, the kinds and/or re-seed; None leaves a setting as it is."""
        with self._lock:
            if rate is not None:
                self.rate = check_rate(rate)
            if kinds is not None:
                self.kinds = check_kinds(kinds)
            if seed is not None:
                self._rng = random.Random(seed)

    def draw(self) -> str | None:
        """Return the fault kind to inject on this call, or None."""
        with self._lock:
            if self._forced:
                return self._forced.pop()
            if self.rate <= 0.0 or not self.kinds:
                return None
            if self._rng.random() >= self.rate:
                return None
            return self.kinds[self._rng.randrange(len(self.kinds))]
