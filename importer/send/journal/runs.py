"""Runs and their claims: how several processes share one journal without sending twice.

A run (an ``import``, one file of ``watch``, one send of the page) has a random id and a
row in ``runs`` with its pid, host and a heartbeat its process renews every few seconds.
A run claims a mission (``claims``: one holder per API, account, customer and idMission) in the
transaction that records its call, and only if the mission is still as the run read it;
a run meeting a mission claimed by a live run waits for it, up to a bound, then plans it
anew. The claim costs no transaction of its own.
A run is gone when its heartbeat is older than the expiry, or when its process is dead
(same host). Gone runs lose their claims, and their attempts left in flight may be
settled by another run; a live run's attempts are never settled by another run. Claims
and heartbeats need no fsync: after a power loss every run is gone anyway.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from importer.send.journal.keys import Key

HEARTBEAT_EXPIRY = 30.0  # seconds without a heartbeat before a run counts as gone
LAPSE_SHARE = 0.75  # of the expiry: a run this long without a heartbeat sends no more changes
HOST = socket.gethostname()


class MissionBusy(Exception):
    """Another live run holds the mission, or changed it since it was read: plan it anew."""


class RunLapsed(Exception):
    """This run went without a heartbeat long enough that other runs may count it as gone
    (the process was stopped, the computer slept): it must not send any more changes."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"no heartbeat for {seconds:.0f} s")
        self.seconds = seconds


def register(conn: sqlite3.Connection, run_id: str, expiry: float) -> None:
    """Add a live run of this process; forget the runs that are gone meanwhile."""
    forget(conn, gone_runs(conn, expiry))
    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    conn.execute(
        "INSERT INTO runs (run_id, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)",
        (run_id, os.getpid(), HOST, started, time.time()),
    )


def beat(conn: sqlite3.Connection, run_ids: Iterable[str]) -> None:
    """Renew the heartbeat of these runs."""
    now = time.time()
    conn.executemany(
        "UPDATE runs SET heartbeat_at = ? WHERE run_id = ?", [(now, run) for run in run_ids]
    )


def forget(conn: sqlite3.Connection, run_ids: Iterable[str]) -> None:
    """Remove these runs and their claims (their attempts stay, to be settled)."""
    rows = [(run,) for run in run_ids]
    conn.executemany("DELETE FROM claims WHERE run_id = ?", rows)
    conn.executemany("DELETE FROM runs WHERE run_id = ?", rows)


def live_runs(conn: sqlite3.Connection, expiry: float) -> set[str]:
    """The ids of the runs that are alive (any process, this one included)."""
    return {run for run, alive in _judged(conn, expiry) if alive}


def gone_runs(conn: sqlite3.Connection, expiry: float) -> set[str]:
    """The ids of the runs still listed whose heartbeat expired or whose process died."""
    return {run for run, alive in _judged(conn, expiry) if not alive}


def _judged(conn: sqlite3.Connection, expiry: float) -> list[tuple[str, bool]]:
    now = time.time()
    rows = conn.execute("SELECT run_id, pid, host, heartbeat_at FROM runs").fetchall()
    return [(run, is_alive(pid, host, beat_at, now, expiry)) for run, pid, host, beat_at in rows]


def is_alive(pid: int, host: str, heartbeat_at: float, now: float, expiry: float) -> bool:
    """A run is alive while its heartbeat is recent and (on this host) its process exists."""
    if now - heartbeat_at > expiry:
        return False
    return host != HOST or _process_exists(pid)


def _process_exists(pid: int) -> bool:
    if os.name == "nt":  # pragma: no cover - os.kill would end it: trust the heartbeat
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def try_claim(conn: sqlite3.Connection, run_id: str, key: Key, expiry: float) -> bool:
    """Claim a mission for ``run_id`` unless a live run holds it; whether it is ours now."""
    free = conn.execute(
        "INSERT OR IGNORE INTO claims (api_url, account, customer_id, id_mission, run_id)"
        " VALUES (?, ?, ?, ?, ?)",
        (*key, run_id),
    )
    if free.rowcount:  # nobody held it: the usual case, one statement
        return True
    holder = claim_holder(conn, key)
    if holder is not None and holder != run_id and holder in live_runs(conn, expiry):
        return False
    conn.execute(
        "INSERT OR REPLACE INTO claims (api_url, account, customer_id, id_mission, run_id)"
        " VALUES (?, ?, ?, ?, ?)",
        (*key, run_id),
    )
    return True


def claim_holder(conn: sqlite3.Connection, key: Key) -> str | None:
    """The run holding this mission's claim, or None."""
    row = conn.execute(
        "SELECT run_id FROM claims"
        " WHERE api_url = ? AND account = ? AND customer_id = ? AND id_mission = ?",
        key,
    ).fetchone()
    return None if row is None else str(row[0])


def release(conn: sqlite3.Connection, run_id: str, key: Key) -> None:
    """Give up this run's claim on a mission (a claim taken over since is left alone)."""
    conn.execute(
        "DELETE FROM claims WHERE api_url = ? AND account = ? AND customer_id = ?"
        " AND id_mission = ? AND run_id = ?",
        (*key, run_id),
    )


class Heartbeat:
    """A daemon thread calling ``beat`` every quarter of ``expiry`` until stopped; it also
    tells which runs went too long without one (:meth:`check`).

    Other runs count a run as gone after ``expiry`` seconds without a heartbeat (wall
    clock, as they judge it), and may then settle its calls and take its missions over. A
    run of a process that was stopped or a computer that slept that long must not send
    what it had begun: :meth:`check` raises :class:`RunLapsed` once the gap passes
    ``LAPSE_SHARE`` of the expiry, whether or not a heartbeat was written since.
    """

    def __init__(self, expiry: float, beat: Callable[[], None]) -> None:
        self.expiry = expiry
        self._beat = beat
        self._beaten = time.time()  # the last heartbeat written
        self._started: dict[str, float] = {}  # when each live run was registered
        self._lapsed: dict[str, float] = {}  # runs that went too long without a heartbeat
        self._lock = threading.Lock()  # a check reads the gap and the lapses as one
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="journal-heartbeat", daemon=True)
        self._thread.start()

    def add(self, run_id: str) -> None:
        self._started[run_id] = time.time()

    def remove(self, run_id: str) -> None:
        self._started.pop(run_id, None)
        self._lapsed.pop(run_id, None)

    def check(self, run_id: str) -> None:
        """Raise :class:`RunLapsed` if ``run_id`` went too long without a heartbeat."""
        # Both under the lock: after a pause the heartbeat thread notes the lapse, then its
        # beat hides the gap; a beat landing between two unlocked reads hid the pause.
        with self._lock:
            lapsed = self._gap(run_id, time.time())
            lapsed = self._lapsed.get(run_id, lapsed)
        if lapsed is not None:
            raise RunLapsed(lapsed)

    def _gap(self, run_id: str, now: float) -> float | None:
        """How long ``run_id`` has gone without a heartbeat, if too long; otherwise None."""
        gap = now - max(self._beaten, self._started.get(run_id, 0.0))
        return gap if gap > self.expiry * LAPSE_SHARE else None

    def _loop(self) -> None:
        while not self._stop.wait(self.expiry / 4):
            now = time.time()
            with self._lock:
                for run_id in list(self._started):  # noted before the beat hides the gap
                    gap = self._gap(run_id, now)
                    if gap is not None:
                        self._lapsed.setdefault(run_id, gap)
            with contextlib.suppress(Exception):  # a busy journal: the next beat will do
                self._beat()
                with self._lock:
                    self._beaten = now

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()
