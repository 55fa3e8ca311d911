"""The follow-up's statuses: read by a background refresher per account and customer.

The page never waits on Ocean: it shows what :class:`FollowBoard` holds (each status with
the time it was read). A :class:`Refresher` thread per owner (API, login, customer) reads
the statuses of the weeks someone has open, at most ``follow_rate`` per second, every
``follow_minutes`` and on demand. The page's poll is its heartbeat: without one for a few
polls, or once no session of that owner is signed in, the refresher stops.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from importer.commands.follow import (
    Follower,
    StatusRead,
    Week,
    follow_rate,
    missions_without_time,
    refresh_statuses,
    week_missions,
)
from importer.commands.run import customer_text
from importer.settings.load import Settings
from importer.web.sessions import SessionStore, UserSession

log = logging.getLogger(__name__)

# What a status becomes on the page (the counts at the top, the filter): Ocean's code
# for the codes we know, else the outcome of the refused rule.
KNOWN_CODES = {
    "PREPARED": "prepared",
    "SENT": "sent",
    "ACCEPTED": "accepted",
    "IN_PROGRESS": "in_progress",
    "DONE": "done",
    "REFUSED": "refused",
}
CATEGORIES = (
    "refused", "not_found", "failed", "prepared", "sent", "accepted", "in_progress", "done",
    "other", "unread",
)  # fmt: skip


def category(read: StatusRead | None) -> str:
    """The page's name for a status read (``unread``: not read yet)."""
    if read is None:
        return "unread"
    if read.outcome in ("refused", "not_found", "failed"):
        return read.outcome
    return KNOWN_CODES.get(read.code.strip().upper(), "other")


def follower_of(session: UserSession) -> Follower:
    """Whose missions a session sees: its API, login and customer (fixed at the request)."""
    return Follower(session.api_url, session.login, customer_text(session.customer_id))


@dataclass
class _Watch:
    week: Week
    seen: float  # when the page last asked for it (monotonic)
    done: float = -1e18  # when its statuses were last read (monotonic)


class Refresher:
    """Reads the statuses of one owner's open weeks in a thread (see the module notes)."""

    def __init__(self, board: FollowBoard, owner: str, who: Follower, sids: set[str]) -> None:
        self.board = board
        self.owner = owner
        self.who = who
        self.sids = sids
        self.watches: dict[str, _Watch] = {}
        self.wake = threading.Event()
        self.stopping = threading.Event()
        self.forced = False
        self.reading = False
        self.last_beat = time.monotonic()
        self.thread = threading.Thread(target=self._loop, name=f"follow-{id(self)}", daemon=True)

    def beat(self, sid: str, week: Week) -> None:
        now = time.monotonic()
        self.sids.add(sid)
        self.last_beat = now
        watch = self.watches.get(week.name)
        if watch is None:
            self.watches[week.name] = _Watch(week, now)
            self.wake.set()
        else:
            watch.seen = now

    def request(self) -> None:
        self.forced = True
        self.wake.set()

    def _client(self) -> Any:
        for sid in list(self.sids):
            session = self.board.sessions.live(sid)
            if session is not None and follower_of(session) == self.who:
                return session.client
            self.sids.discard(sid)
        return None

    def _should_stop(self) -> bool:
        idle = time.monotonic() - self.last_beat > self.board.idle_seconds
        return self.stopping.is_set() or idle or self._client() is None

    def _loop(self) -> None:
        try:
            while not self._should_stop():
                self._refresh_due()
                self.wake.wait(0.5)
                self.wake.clear()
        except Exception:  # the journal closed (server stopping): nobody to read for
            log.warning("the follow-up's refresher stopped", exc_info=True)
        finally:
            self.board._ended(self)

    def _refresh_due(self) -> None:
        now = time.monotonic()
        forced, self.forced = self.forced, False
        every = self.board.settings.follow_minutes * 60
        for name, watch in list(self.watches.items()):
            if now - watch.seen > self.board.idle_seconds:
                del self.watches[name]
            elif forced or now - watch.done >= every:
                self._read_week(watch)
                watch.done = time.monotonic()

    def _read_week(self, watch: _Watch) -> None:
        journal, settings = self.board.journal, self.board.settings
        untimed = [record.id_mission for record in missions_without_time(journal, self.who)]
        ids = [record.id_mission for record in week_missions(journal, self.who, watch.week)]
        live = itertools.takewhile(lambda _: not self._should_stop(), [*untimed, *ids])
        client = self._client()
        if client is None:
            return
        self.reading = True
        try:
            refresh_statuses(
                client, journal, self.who, live,
                rate=follow_rate(settings), refused_statuses=settings.refused_statuses,
                on_read=lambda read: self.board.store(self.owner, read),
                stop=self.stopping, untimed=untimed,
            )  # fmt: skip
        finally:
            self.reading = False


class FollowBoard:
    """The statuses read, per owner, and the refreshers reading them."""

    def __init__(
        self, settings: Settings, journal: Any, sessions: SessionStore, poll_seconds: float
    ) -> None:
        self.settings = settings
        self.journal = journal
        self.sessions = sessions
        self.poll_seconds = poll_seconds
        self.idle_seconds = 3 * poll_seconds + 5  # three missed polls: nobody looks
        self._statuses: dict[str, dict[str, StatusRead]] = {}
        self._refreshers: dict[str, Refresher] = {}
        self._lock = threading.Lock()

    def store(self, owner: str, read: StatusRead) -> None:
        with self._lock:
            self._statuses.setdefault(owner, {})[read.id_mission] = read

    def forget(self, owner: str, id_mission: str) -> None:
        """Drop a status read (the mission changed: it is read again)."""
        with self._lock:
            self._statuses.get(owner, {}).pop(id_mission, None)

    def statuses(self, owner: str) -> dict[str, StatusRead]:
        with self._lock:
            return dict(self._statuses.get(owner, {}))

    def beat(self, session: UserSession, week: Week) -> Refresher:
        """The page of ``week`` is open in ``session``: start or keep its owner's refresher."""
        with self._lock:
            refresher = self._refreshers.get(session.owner)
            if refresher is None or refresher.stopping.is_set():
                who = follower_of(session)
                refresher = Refresher(self, session.owner, who, {session.sid})
                self._refreshers[session.owner] = refresher
                refresher.beat(session.sid, week)
                refresher.thread.start()
            else:
                refresher.beat(session.sid, week)
            return refresher

    def request(self, session: UserSession, week: Week) -> None:
        """Read the statuses of ``week`` again now (the refresh button)."""
        self.beat(session, week).request()

    def refreshing(self, owner: str) -> bool:
        with self._lock:
            refresher = self._refreshers.get(owner)
        return refresher is not None and (refresher.reading or refresher.forced)

    def running(self) -> int:
        """How many refreshers run (tests: none once nobody is signed in)."""
        with self._lock:
            return sum(1 for r in self._refreshers.values() if r.thread.is_alive())

    def _ended(self, refresher: Refresher) -> None:
        refresher.stopping.set()
        signed_out = refresher._client() is None  # nobody of this owner is signed in
        with self._lock:
            if self._refreshers.get(refresher.owner) is refresher:
                del self._refreshers[refresher.owner]
                if signed_out:  # their statuses leave memory with them
                    self._statuses.pop(refresher.owner, None)

    def stop(self) -> None:
        """Stop every refresher (the server stops), waiting for the reads in flight."""
        with self._lock:
            refreshers = list(self._refreshers.values())
        for refresher in refreshers:
            refresher.stopping.set()
            refresher.wake.set()
        for refresher in refreshers:
            refresher.thread.join(timeout=5)


def ago(read_at: datetime, now: datetime | None = None) -> tuple[str, int]:
    """How long ago, as a message key and a number: (``follow.ago.minutes``, 3)."""
    seconds = ((now or datetime.now(UTC)) - read_at).total_seconds()
    if seconds < 60:
        return "follow.ago.now", 0
    if seconds < 3600:
        return "follow.ago.minutes", int(seconds // 60)
    return "follow.ago.hours", int(seconds // 3600)
