"""The worker threads of a run: each takes the next index until none is left or the run
stops; Ctrl-C in the caller's thread stops handing out indexes and waits for the rows in
hand (a second Ctrl-C propagates at once).

The engine (:mod:`importer.send.engine`) says what a thread does with an index; this
module only starts, counts and waits for the threads.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable


def run_threads(
    count: int,
    total: int,
    handle: Callable[[int], bool],
    stop: threading.Event,
    on_interrupt: Callable[[], None],
) -> None:
    """Call ``handle(i)`` for every ``i`` in ``range(total)`` from ``count`` threads, each in
    a copy of the caller's context (its message language), until done, until ``stop`` is
    set, or until a ``handle`` returns False (that thread then takes no more). Ctrl-C
    calls ``on_interrupt`` (which sets ``stop``), then waits for the rows in hand."""
    if count < 1:
        raise ValueError(f"{count} threads: at least one is needed")
    indexes = iter(range(total))
    lock = threading.Lock()
    running = count
    all_done = threading.Event()

    def take() -> None:
        nonlocal running
        try:
            while not stop.is_set():
                with lock:
                    i = next(indexes, None)
                if i is None or not handle(i):
                    return
        finally:
            with lock:
                running -= 1
                if not running:
                    all_done.set()

    threads = [
        threading.Thread(
            target=contextvars.copy_context().run, args=(take,), name=f"worker-{n}", daemon=True
        )
        for n in range(count)
    ]
    for thread in threads:
        thread.start()
    try:
        _wait(all_done)
    except KeyboardInterrupt:
        on_interrupt()
        _wait(all_done)  # a second Ctrl-C propagates from here


def _wait(event: threading.Event) -> None:
    """Wait for ``event`` in short steps, so that Ctrl-C is seen at once.

    Not ``Thread.join``: on Python before 3.13, a KeyboardInterrupt that lands inside
    ``join`` can mark a thread that is still running as stopped, and a worker still
    sending would then be taken for done (its row reported as not sent).
    """
    while not event.wait(0.1):
        pass
