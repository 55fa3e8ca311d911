"""The simulated driver: how a sent mission's status moves over time in the sandbox.

A mission not to be sent (``aEnvoyer`` false) stays ``PREPARED``. Once sent, each attempt
goes through the steps::

    SENT  ->  ACCEPTED  ->  IN_PROGRESS  ->  DONE
          \\->  REFUSED (with a reason; the attempt ends there)

Each step lasts about ``step_seconds`` (between 0.75 and 1.25 times it, drawn per mission,
attempt and step); with ``step_seconds`` 0 a sent mission is at once at its last status
(``DONE`` or ``REFUSED``).

Whether an attempt is refused is drawn from the seed, the customer, the mission id and the
attempt's number: about ``refusal_rate`` (one in five) of them are. A mission is refused at
most ``max_refusals`` times (1 by default; None: no limit), so once a refused mission is
sent again its new attempt is accepted: a re-plan can be seen to work. Same seed, same
missions, same calls: same refusals, same reasons and same timings.

A new attempt starts (the status restarts at ``SENT``) when a mission becomes to be sent,
and when ``modifierMission`` changes a mission that was refused, or changes the recipient
or the intervention time of a sent mission not yet done (its driver must see it again).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from importer.sandbox.state import MissionRecord

STATUS_CODES = ("PREPARED", "SENT", "ACCEPTED", "REFUSED", "IN_PROGRESS", "DONE")
# The statuses of an attempt after SENT, one per step (REFUSED replaces all of them).
_STEPS = ("ACCEPTED", "IN_PROGRESS", "DONE")
REFUSE_REASONS = 3  # sandbox.refuse.0 .. sandbox.refuse.2
# Who receives the mission and when: changing one of these sends it to a driver again.
_DRIVER_FIELDS = ("nomVeh", "nomIndi", "prenomIndi", "nomPrenom", "jourHeureInter")
_JITTER = (0.75, 0.5)  # a step lasts step_seconds * (0.75 + 0.5 * draw)


@dataclass(frozen=True)
class DriverStatus:
    """Where a mission stands now: its status code, the refusal reason's index, its attempt."""

    code: str
    reason: int | None = None  # index of sandbox.refuse.N when REFUSED
    attempt: int = 0  # how many times it was sent to a driver (0: never)


class Driver:
    """Decides each mission's status from its record and the time (thread-safe: no state)."""

    def __init__(
        self,
        *,
        seed: int | None = None,
        step_seconds: float = 60.0,
        refusal_rate: float = 0.2,
        max_refusals: int | None = 1,
    ) -> None:
        if step_seconds < 0:
            raise ValueError(f"step_seconds must be 0 or more, not {step_seconds}")
        if not 0.0 <= refusal_rate <= 1.0:
            raise ValueError(f"refusal_rate must be between 0 and 1, not {refusal_rate}")
        if max_refusals is not None and max_refusals < 0:
            raise ValueError(f"max_refusals must be 0 or more, not {max_refusals}")
        self.seed = seed
        self.step_seconds = float(step_seconds)
        self.refusal_rate = float(refusal_rate)
        self.max_refusals = max_refusals

    # --- what the calls change ------------------------------------------------------------------

    def created(self, record: MissionRecord, now: float) -> None:
        """A mission was created (``record.params`` set): send it if it is to be sent."""
        record.sent_at = None
        if record.params.get("aEnvoyer") == "true":
            self._send(record, now)

    def modified(
        self,
        record: MissionRecord,
        values: Mapping[str, str],
        before: Mapping[str, str],
        now: float,
    ) -> None:
        """``modifierMission`` changed ``record`` (``before``: its parameters until now)."""
        flag = values.get("aEnvoyer")
        if record.sent_at is None:
            if flag == "true":
                self._send(record, now)
            return
        current = self.status(record, now).code
        for_the_driver = any(
            name in values and values[name] != before.get(name, "") for name in _DRIVER_FIELDS
        )
        if flag == "false":
            self.ended(record, now)
        elif current == "REFUSED" or (current != "DONE" and for_the_driver):
            self._send(record, now)

    def ended(self, record: MissionRecord, now: float) -> None:
        """The mission's sending ends (deleted, or not to be sent any more); a refusal counts."""
        if record.sent_at is not None and self.status(record, now).code == "REFUSED":
            record.refusals += 1
        record.sent_at = None

    def _send(self, record: MissionRecord, now: float) -> None:
        self.ended(record, now)
        record.attempt += 1
        record.sent_at = now

    # --- what statutMission answers ---------------------------------------------------------

    def status(self, record: MissionRecord, now: float) -> DriverStatus:
        """Return the mission's status at ``now`` (UTC epoch seconds)."""
        if record.sent_at is None:
            return DriverStatus("PREPARED", attempt=record.attempt)
        attempt = record.attempt
        elapsed = max(0.0, now - record.sent_at)
        steps = 0
        for step in range(len(_STEPS)):
            elapsed -= self.step_duration(record, attempt, step)
            if elapsed < 0:
                break
            steps += 1
        if steps == 0:
            return DriverStatus("SENT", attempt=attempt)
        if self.refuses(record, attempt):
            reason = self._draw(record, attempt, "reason") % REFUSE_REASONS
            return DriverStatus("REFUSED", reason, attempt)
        return DriverStatus(_STEPS[steps - 1], attempt=attempt)

    def refuses(self, record: MissionRecord, attempt: int) -> bool:
        """Return True when the driver refuses this attempt of the mission."""
        if self.max_refusals is not None and record.refusals >= self.max_refusals:
            return False
        return self._fraction(record, attempt, "refuse") < self.refusal_rate

    def step_duration(self, record: MissionRecord, attempt: int, step: int) -> float:
        """Return how long step ``step`` (0: SENT -> the driver's answer) of an attempt lasts."""
        low, spread = _JITTER
        return self.step_seconds * (low + spread * self._fraction(record, attempt, f"step{step}"))

    def _fraction(self, record: MissionRecord, attempt: int, what: str) -> float:
        return self._draw(record, attempt, what) / 2**64

    def _draw(self, record: MissionRecord, attempt: int, what: str) -> int:
        text = f"{self.seed}|{record.customer_id}|{record.id_mission}|{attempt}|{what}".encode()
        return int.from_bytes(hashlib.sha256(text).digest()[:8], "big")
