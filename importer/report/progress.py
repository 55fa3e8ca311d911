"""Progress of a long batch: a bar on a terminal, periodic log lines otherwise."""

from __future__ import annotations

import sys
import threading
import time
from typing import Any, TextIO

from importer.messages import t


class Progress:
    """Counts rows done and failures; renders at most a few times per second."""

    def __init__(
        self,
        total: int,
        *,
        stream: TextIO | None = None,
        enabled: bool = True,
        log_every: float = 10.0,
    ) -> None:
        self.total = total
        self.done = 0
        self.failures = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = enabled and hasattr(self._stream, "isatty") and self._stream.isatty()
        self._enabled = enabled
        self._log_every = log_every
        self._lock = threading.Lock()
        self._started = time.monotonic()
        self._last_render = 0.0 if self._tty else self._started  # plain lines: after a while

    def advance(self, *, failed: bool = False) -> None:
        """Count one row done (thread-safe) and render when it is time."""
        with self._lock:
            self.done += 1
            self.failures += failed
            now = time.monotonic()
            interval = 0.2 if self._tty else self._log_every
            finished = self.done == self.total and self._tty  # the summary follows anyway
            if self._enabled and (now - self._last_render >= interval or finished):
                self._last_render = now
                self._render(now)

    def _render(self, now: float) -> None:
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
        if self._tty:
            width = 24
            filled = int(width * self.done / self.total) if self.total else width
            bar = "#" * filled + "." * (width - filled)
            line = f"\r[{bar}] " + t("engine.progress", **values)
            self._stream.write(line)
            if self.done == self.total:
                self._stream.write("\n")
            self._stream.flush()
        else:  # plain lines, e.g. in a cron mail or a CI log
            self._stream.write(t("engine.progress", **values) + "\n")
            self._stream.flush()

    def close(self) -> None:
        """End the bar's line if it was left unfinished (interrupted run)."""
        if self._enabled and self._tty and self.done != self.total:
            self._stream.write("\n")
            self._stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
