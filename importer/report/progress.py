"""Progress of a long batch: a bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from importer.messages import t

if TYPE_CHECKING:
    from importer.environment import Environment

BAR_EVERY = 0.2  # seconds between two renderings of the bar on a terminal


class Progress:
    """Counts rows done and failures; shows them on ``env.stderr`` when an ``env`` is given.

    On a terminal (``env.stderr_isatty``) a bar redrawn at most five times a second;
    otherwise (a cron mail, a CI log) one line every ``log_every`` seconds, the first after
    that long. Time is ``env.monotonic``. Without ``env`` it only counts (the import page
    reads ``done`` and ``failures``).
    """

    def __init__(self, total: int, *, env: Environment | None = None, log_every: float = 10.0):
        self.total = total
        self.done = 0
        self.failures = 0
        self._env = env
        self._tty = env is not None and env.stderr_isatty
        self._interval = BAR_EVERY if self._tty else log_every
        self._lock = threading.Lock()
        self._started = env.monotonic() if env is not None else 0.0
        self._last_render = 0.0 if self._tty else self._started  # plain lines: after a while

    def advance(self, *, failed: bool = False) -> None:
        """Count one row done (thread-safe) and render when it is time."""
        with self._lock:
            self.done += 1
            self.failures += failed
            if self._env is None:
                return
            now = self._env.monotonic()
            finished = self.done == self.total and self._tty  # the summary follows anyway
            if now - self._last_render >= self._interval or finished:
                self._last_render = now
                self._render(self._env, now)

    def _render(self, env: Environment, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        remaining = (self.total - self.done) / rate if rate > 0 else 0.0
        values: dict[str, Any] = {
            "done": self.done,
            "total": self.total,
            "rate": f"{rate:.0f}",
            "eta": _duration(remaining),
            "failures": self.failures,
        }
        stream = env.stderr
        if self._tty:
            width = 24
            filled = int(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "." * (width - filled)
            stream.write(f"\r[{bar}] " + t("engine.progress", **values))
            if self.done == self.total:
                stream.write("\n")
        else:  # plain lines, e.g. in a cron mail or a CI log
            stream.write(t("engine.progress", **values) + "\n")
        stream.flush()

    def close(self) -> None:
        """End the bar's line if it was left unfinished (interrupted run)."""
        if self._env is not None and self._tty and self.done != self.total:
            self._env.stderr.write("\n")
            self._env.stderr.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
