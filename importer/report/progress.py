"""Progress of a long batch: a bar on a terminal, periodic log lines otherwise.

:class:`Progress` consumes the run's :class:`~importer.model.RunProgress` events (the run
API computes the rate and time left); :func:`progress_values` is what the sentence
``engine.progress`` shows of one, for the terminal and the page alike.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from importer.messages import t
from importer.model import RunEvent, RunFinished, RunProgress

if TYPE_CHECKING:
    from importer.environment import Environment

BAR_EVERY = 0.2  # seconds between two renderings of the bar on a terminal


def progress_values(event: RunProgress) -> dict[str, Any]:
    """The values of the sentence ``engine.progress`` for one progress event."""
    return {
        "done": event.done,
        "total": event.total,
        "rate": f"{event.rate:.0f}",
        "eta": duration(event.seconds_left),
        "failures": event.failures,
    }


class Progress:
    """Shows a run's progress events on ``env.stderr``.

    On a terminal (``env.stderr_isatty``) a bar redrawn at most five times a second;
    otherwise (a cron mail, a CI log) one line every ``log_every`` seconds of the run, the
    first after that long. Time is the events' (``elapsed``). Call it with each event.
    """

    def __init__(self, env: Environment, *, log_every: float = 10.0):
        self._env = env
        self._tty = env.stderr_isatty
        self._interval = BAR_EVERY if self._tty else log_every
        self._lock = threading.Lock()
        self._last_render = -self._interval if self._tty else 0.0  # plain lines: after a while
        self._last: RunProgress | None = None

    def __call__(self, event: RunEvent) -> None:
        """Render a progress event when it is time; end the bar's line when the run ends."""
        if isinstance(event, RunFinished):
            self._close()
        elif isinstance(event, RunProgress):
            with self._lock:
                self._last = event
                finished = event.done == event.total and self._tty  # the summary follows
                if event.elapsed - self._last_render >= self._interval or finished:
                    self._last_render = event.elapsed
                    self._render(event)

    def _render(self, event: RunProgress) -> None:
        values = progress_values(event)
        stream = self._env.stderr
        if self._tty:
            width = 24
            filled = int(width * event.done / event.total) if event.total else width
            bar = "#" * filled + "." * (width - filled)
            stream.write(f"\r[{bar}] " + t("engine.progress", **values))
            if event.done == event.total:
                stream.write("\n")
        else:  # plain lines, e.g. in a cron mail or a CI log
            stream.write(t("engine.progress", **values) + "\n")
        stream.flush()

    def _close(self) -> None:
        """End the bar's line if it was left unfinished (interrupted run)."""
        last = self._last
        if self._tty and last is not None and last.done != last.total:
            self._env.stderr.write("\n")
            self._env.stderr.flush()


def duration(seconds: float) -> str:
    """``42s``, ``3m05s``, ``1h02``: a time left as the progress sentence shows it."""
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}"
    if seconds >= 60:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds}s"
