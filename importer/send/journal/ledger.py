"""The ledger: what the API last accepted for each mission, and every attempt in flight.

Keyed by API URL, customerId and idMission, it keeps the hash of the parameters the API last
accepted for each mission and every attempt in flight. The engine calls :meth:`Journal.begin`
before a request leaves and :meth:`Journal.finish` when its outcome is known; a run killed in
between leaves the attempt listed by :meth:`Journal.in_flight`, and a later run settles it
with a statutMission check (:meth:`Journal.resolve`) before resending anything.

Several processes may use one journal at once (see :mod:`.runs`). A run plans a mission
from what :meth:`Journal.get` reads (which raises ``MissionBusy`` while another live run
holds the mission), then claims it in the same transaction as its ``begin``, which also
checks that the mission is still as read: otherwise ``MissionBusy`` again, and the run
plans anew. So two runs never send the same mission at once, and the claim costs no
transaction of its own; a run paused past its heartbeat sends nothing more (``RunLapsed``).
Only the attempts of runs that are gone are offered for settling. ``begin`` is fsynced
before its request leaves; ``finish`` (which also gives the claim up) rides with the next
commit (see :mod:`.commit`): a crash before then leaves the attempt in flight, and a later
run reconciles it (one extra call, never a duplicate).
No credential or token is stored: API URLs are reduced to scheme, host, port and path.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from importer.ocean_api import CALL_DELETE, CHANGING_CALLS
from importer.send.journal import database, field_hashes, runs
from importer.send.journal.commit import GroupCommit
from importer.send.journal.keys import Key, mission_key, normalise_url

CALLS = CHANGING_CALLS
RESULTS = ("applied", "not_applied", "unknown")
Result = Literal["applied", "not_applied", "unknown"]
CLAIM_POLL = 0.1  # seconds between two looks at a mission another run holds
ANY: object = object()  # begin(expect=ANY): no claim taken, nothing checked

_UPSERT_MISSION = """
INSERT INTO missions (api_url, customer_id, id_mission, present, params_hash, ocean_id, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (api_url, customer_id, id_mission) DO UPDATE SET
    present = excluded.present, params_hash = excluded.params_hash,
    ocean_id = COALESCE(excluded.ocean_id, missions.ocean_id), updated_at = excluded.updated_at
"""


# One row whatever is known: the mission's columns (NULL: never seen) and the claim's holder.
_MISSION_AND_HOLDER = """
SELECT m.present, m.params_hash, m.ocean_id, m.updated_at, c.run_id
FROM (SELECT ? AS api_url, ? AS customer_id, ? AS id_mission) AS k
LEFT JOIN missions AS m USING (api_url, customer_id, id_mission)
LEFT JOIN claims AS c USING (api_url, customer_id, id_mission)
"""


@dataclass(frozen=True)
class JournalEntry:
    """What the journal knows about one mission on one API and customer."""

    api_url: str
    customer_id: str
    id_mission: str
    present: bool
    params_hash: str | None  # None: present with unknown content (resend as a modify)
    ocean_id: str | None
    updated_at: str


@dataclass(frozen=True)
class InFlight:
    """An attempt whose outcome is not known (killed run, or finished as unknown)."""

    attempt_id: int
    api_url: str
    customer_id: str
    id_mission: str
    call: str
    params_hash: str | None
    started_at: str
    state: str = "in_flight"  # "in_flight" (never finished) or "unknown"
    run_id: str | None = None  # None: begun by a version without runs


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


PlanState = tuple[bool, str | None] | None  # present, params hash; None: never seen


def _plan_state(conn: sqlite3.Connection, key: Key) -> PlanState:
    """What a plan depends on: whether the mission is present, and with which content."""
    row = conn.execute(
        "SELECT present, params_hash FROM missions"
        " WHERE api_url = ? AND customer_id = ? AND id_mission = ?",
        key,
    ).fetchone()
    return None if row is None else (bool(row[0]), row[1])


def _attempt_row(conn: sqlite3.Connection, attempt_id: int) -> tuple | None:
    return conn.execute(
        "SELECT api_url, customer_id, id_mission, call, params_hash FROM attempts WHERE id = ?",
        (attempt_id,),
    ).fetchone()


class Journal:
    """The SQLite journal shared by the runs of one machine; a thread-safe context manager.

    The journal itself is a run (:attr:`run_id`): attempts begun without naming a run
    belong to it. ``lock_timeout``: how long to wait while a previous version of the
    importer holds the journal. ``heartbeat_expiry``: seconds without a heartbeat before a
    run counts as gone (the heartbeat is renewed every quarter of it).
    """

    def __init__(
        self,
        path: Path,
        *,
        lock_timeout: float = 10.0,
        heartbeat_expiry: float = runs.HEARTBEAT_EXPIRY,
    ) -> None:
        self.path = Path(path)
        self.expiry = heartbeat_expiry
        self._begun: dict[int, Key] = {}  # attempts begun here, not finished
        self._fields: dict[int, dict[str, str]] = {}  # field digests of attempts begun here
        self._claimed: dict[int, str] = {}  # attempts begun here with a claim: their run
        self._runs: set[str] = set()  # the live runs of this journal object
        self._version_lock = database.version_lock(self.path, lock_timeout)
        try:
            conn, self._field_key = database.connect(self.path)
        except BaseException:
            self._version_lock.release()
            raise
        self._db = GroupCommit(conn, self.path)
        self._heartbeat = runs.Heartbeat(heartbeat_expiry, self._beat)
        self.run_id = self.start_run()

    # -- runs and claims -------------------------------------------------------------------

    def start_run(self) -> str:
        """Register a new live run of this process; return its id."""
        run_id = secrets.token_hex(8)
        self._db.transact(lambda conn: runs.register(conn, run_id, self.expiry), durable=False)
        self._heartbeat.add(run_id)
        self._runs.add(run_id)
        return run_id

    def end_run(self, run_id: str) -> None:
        """End a run: its claims go; its attempts still in flight may now be settled."""
        self._runs.discard(run_id)
        self._heartbeat.remove(run_id)
        self._db.transact(lambda conn: runs.forget(conn, [run_id]), durable=False)

    def _beat(self) -> None:
        self._db.transact(lambda conn: runs.beat(conn, list(self._runs)), durable=False)

    def check_live(self, run_id: str) -> None:
        """Raise :class:`~.runs.RunLapsed` if this run went without a heartbeat long enough
        that another run may have taken its missions over (the client calls it just before
        a change leaves)."""
        self._heartbeat.check(run_id)

    def abandon(self, attempt_id: int) -> None:
        """Leave an attempt in flight for a later run to settle (this run will not send it):
        from now on it is offered for settling like the attempts of gone runs."""
        self._begun.pop(attempt_id, None)
        self._fields.pop(attempt_id, None)
        self._claimed.pop(attempt_id, None)

    def claim(
        self, run_id: str, api_url: str, customer_id: str, id_mission: str, *, wait: float = 0.0
    ) -> bool:
        """Claim a mission for a run, waiting up to ``wait`` seconds while a live run holds
        it; return whether the run holds it now (False: busy)."""
        key = mission_key(api_url, customer_id, id_mission)
        until = time.monotonic() + wait
        while self._wait_free(run_id, key, until):
            if self._db.transact(
                lambda conn: runs.try_claim(conn, run_id, key, self.expiry), durable=False
            ):
                return True
            if time.monotonic() >= until:  # taken by another run since the look
                return False
        return False

    def _wait_free(self, run_id: str, key: Key, until: float) -> bool:
        """Look (reads only) every ``CLAIM_POLL`` seconds until no other live run holds the
        mission, or the monotonic time ``until``; return whether it is free."""
        while True:
            if key in self._db.queued:  # a release of this process may wait for a commit
                self.flush()
            if self._claim_free(run_id, key):
                return True
            if time.monotonic() >= until:
                return False
            time.sleep(min(CLAIM_POLL, max(until - time.monotonic(), 0.0)))

    def _claim_free(self, run_id: str, key: Key) -> bool:
        """A look without a write transaction: whether the claim may be taken now."""
        holder = self._db.read(
            "SELECT run_id FROM claims WHERE api_url = ? AND customer_id = ? AND id_mission = ?",
            key,
        )
        if not holder or holder[0][0] == run_id:
            return True
        return holder[0][0] not in self._live()

    def _live(self) -> set[str]:
        return self._db.look(lambda conn: runs.live_runs(conn, self.expiry))

    def release(self, run_id: str, api_url: str, customer_id: str, id_mission: str) -> None:
        """Give up a claim; queued, it rides with the finishes before it (see module notes)."""
        key = mission_key(api_url, customer_id, id_mission)
        self._db.queue(lambda conn: runs.release(conn, run_id, key), key)

    def flush(self) -> None:
        """Commit the finishes and releases still queued (otherwise the next write does)."""
        self._db.flush()

    # -- missions and attempts -------------------------------------------------------------

    def get(
        self, api_url: str, customer_id: str, id_mission: str, *, run_id: str | None = None
    ) -> JournalEntry | None:
        """Return what the journal knows about a mission, or None if it never saw it.

        With ``run_id``: raise :class:`~.runs.MissionBusy` while another live run holds the mission
        (wait with :meth:`wait_free`, then read again).
        """
        key = mission_key(api_url, customer_id, id_mission)
        if key in self._db.queued:  # the other missions' queued finishes can wait
            self.flush()
        (found,) = self._db.read(_MISSION_AND_HOLDER, key)
        present, hash_, ocean_id, updated_at, holder = found
        if run_id is not None and holder not in (None, run_id) and holder in self._live():
            raise runs.MissionBusy(id_mission)
        if present is None:
            return None
        return JournalEntry(*key, bool(present), hash_, ocean_id, updated_at)

    def wait_free(
        self, run_id: str, api_url: str, customer_id: str, id_mission: str, *, until: float
    ) -> bool:
        """Wait until no other live run holds the mission, or the monotonic time ``until``;
        return whether it is free."""
        return self._wait_free(run_id, mission_key(api_url, customer_id, id_mission), until)

    def begin(
        self,
        api_url: str,
        customer_id: str,
        id_mission: str,
        call: str,
        params_hash: str | None,
        params: Mapping[str, object] | None = None,
        *,
        run_id: str | None = None,
        expect: JournalEntry | object | None = ANY,
    ) -> int:
        """Record an attempt before its request leaves; return its id once it is on disk.

        ``params`` (create, modify): their per-field digests are kept if it is applied.
        ``run_id``: the run it belongs to (default: the journal's own, :attr:`run_id`).
        ``expect``: what :meth:`get` read when the call was chosen. The run then claims the
        mission in the same transaction, and gives it up with the attempt's :meth:`finish`;
        :class:`~.runs.MissionBusy` is raised, nothing recorded, when another live run holds it or
        the mission changed since.
        """
        if call not in CALLS:
            raise ValueError(f"unknown call {call!r}; expected one of {CALLS}")
        key = mission_key(api_url, customer_id, id_mission)
        row = (*key, call)
        run = run_id or self.run_id
        claiming = expect is not ANY
        expected: PlanState = None
        if isinstance(expect, JournalEntry):
            expected = (expect.present, expect.params_hash)

        def insert(conn: sqlite3.Connection) -> int:
            if claiming:
                if not runs.try_claim(conn, run, key, self.expiry):
                    raise runs.MissionBusy(id_mission)
                if _plan_state(conn, key) != expected:
                    raise runs.MissionBusy(id_mission)
            cursor = conn.execute(
                "INSERT INTO attempts (api_url, customer_id, id_mission, call, params_hash,"
                " started_at, state, run_id) VALUES (?, ?, ?, ?, ?, ?, 'in_flight', ?)",
                (*row, params_hash, _now(), run),
            )
            return int(cursor.lastrowid or 0)

        attempt_id = self._db.transact(insert)
        self._begun[attempt_id] = row[:3]
        if claiming:
            self._claimed[attempt_id] = run
        if params is not None:
            self._fields[attempt_id] = field_hashes.digests(self._field_key, params)
        return attempt_id

    def finish(self, attempt_id: int, result: Result, *, ocean_id: str | None = None) -> None:
        """Settle an attempt: "applied" updates the mission, "unknown" keeps it in flight.

        The claim its ``begin`` took, if any, is given up in the same transaction.

        "applied" and "not_applied" remove the attempt; with "applied" the mission row is
        updated in the same transaction (create/modify: present with the attempt's params
        hash; delete: absent). For an attempt begun by this journal, queued for the next
        commit (see the module notes) rather than committed before it returns; otherwise
        committed at once. Returns nothing.
        """
        if result not in RESULTS:
            raise ValueError(f"unknown result {result!r}; expected one of {RESULTS}")

        fields = self._fields.pop(attempt_id, None)
        claimed = self._claimed.pop(attempt_id, None)
        key = self._begun.pop(attempt_id, None)

        def settle(conn: sqlite3.Connection) -> None:
            if claimed is not None and key is not None:  # the claim goes with the outcome
                runs.release(conn, claimed, key)
            found = _attempt_row(conn, attempt_id)
            if found is None and claimed is not None:
                return  # settled meanwhile by another run (this one was paused)
            url, customer, mission, call, hash_ = found or self._attempt(conn, attempt_id)
            if result == "unknown":
                conn.execute("UPDATE attempts SET state = 'unknown' WHERE id = ?", (attempt_id,))
                return
            if result == "applied":
                present = call != CALL_DELETE
                row = (url, customer, mission, int(present), hash_ if present else None)
                conn.execute(_UPSERT_MISSION, (*row, ocean_id, _now()))
                field_hashes.store(conn, (url, customer, mission), fields if present else None)
            conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))

        if key is None:  # begun by another run, or already finished: checked now
            self._db.transact(settle, durable=False)
        else:  # lost on a crash before the next commit: the attempt stays in flight
            self._db.queue(settle, key)

    def resolve(self, attempt_id: int, *, present: bool) -> None:
        """Settle an attempt left in flight from a statutMission check; returns nothing.

        ``present=False``: the mission is absent. ``present=True`` after a create or modify:
        present with unknown content (params hash None, so the next run modifies it); after a
        delete that did not happen, the mission keeps what the journal knew of it.
        """

        def settle(conn: sqlite3.Connection) -> None:
            url, customer, mission, call, _ = self._attempt(conn, attempt_id)
            known = conn.execute(
                "SELECT present, params_hash FROM missions"
                " WHERE api_url = ? AND customer_id = ? AND id_mission = ?",
                (url, customer, mission),
            ).fetchone()
            hash_ = known[1] if present and call == CALL_DELETE and known and known[0] else None
            row = (url, customer, mission, int(present), hash_, None, _now())
            conn.execute(_UPSERT_MISSION, row)
            if not hash_:  # content unknown: no field is known either
                field_hashes.store(conn, (url, customer, mission), None)
            conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))

        self._db.transact(settle)
        self._begun.pop(attempt_id, None)  # begun by this journal, never finished
        self._fields.pop(attempt_id, None)
        self._claimed.pop(attempt_id, None)  # its run's end gives the claim up

    def record_mission(
        self,
        api_url: str,
        customer_id: str,
        id_mission: str,
        *,
        present: bool,
        params_hash: str | None = None,
        ocean_id: str | None = None,
    ) -> None:
        """Record a mission's state learnt otherwise (e.g. statutMission said 404); no return."""
        key = mission_key(api_url, customer_id, id_mission)
        row = (*key, int(present), params_hash if present else None, ocean_id, _now())

        def upsert(conn: sqlite3.Connection) -> None:
            conn.execute(_UPSERT_MISSION, row)
            if not present or params_hash is None:
                field_hashes.store(conn, key, None)

        self._db.transact(upsert)

    def changed_fields(
        self, api_url: str, customer_id: str, id_mission: str, params: Mapping[str, object]
    ) -> list[str] | None:
        """The fields of ``params`` that differ from what the API last accepted for this
        mission; None when the journal does not know them (then every field may change)."""
        key = mission_key(api_url, customer_id, id_mission)
        self.flush()
        known = self._db.look(lambda conn: field_hashes.load(conn, key))
        return None if known is None else field_hashes.changed(self._field_key, known, params)

    @staticmethod
    def _attempt(conn: sqlite3.Connection, attempt_id: int) -> tuple:
        row = _attempt_row(conn, attempt_id)
        if row is None:
            raise ValueError(f"attempt {attempt_id} is not in the journal (already settled?)")
        return row

    def in_flight(self, api_url: str | None = None, *, live: bool = True) -> list[InFlight]:
        """Return every attempt left unsettled for this API (all APIs when None), oldest first.

        ``live=False`` gives only the attempts another run may settle: those of runs that
        are gone (heartbeat expired, process dead, run ended) and those finished as
        "unknown" (whose run no longer waits for them); never an attempt a live run still
        waits an answer for, in this process or another.
        """
        sql = (
            "SELECT id, api_url, customer_id, id_mission, call, params_hash, started_at, state,"
            " run_id FROM attempts"
        )
        self.flush()
        if api_url is None:
            rows = self._db.read(sql + " ORDER BY id")
        else:
            rows = self._db.read(sql + " WHERE api_url = ? ORDER BY id", (normalise_url(api_url),))
        found = [InFlight(*row) for row in rows]
        if live:
            return found
        alive = self._live()
        waiting = self._begun.copy()  # one C call: safe beside the workers
        return [
            a
            for a in found
            if a.attempt_id not in waiting and (a.state == "unknown" or a.run_id not in alive)
        ]

    # -- housekeeping ----------------------------------------------------------------------

    def prune(self, *, older_than_days: float = 90.0) -> int:
        """Forget the absent missions older than that; return how many.

        Missions present in Ocean are kept whatever their age (they make reruns "unchanged");
        attempts are never pruned (they protect against duplicates).
        """
        cutoff = datetime.now(UTC) - timedelta(days=older_than_days)
        when = (cutoff.isoformat(timespec="milliseconds"),)
        return self._db.transact(
            lambda conn: (
                conn.execute(
                    "DELETE FROM missions WHERE present = 0 AND updated_at < ?", when
                ).rowcount
            )
        )

    def stats(self) -> dict[str, int]:
        """Return row counts (missions, present, attempts, runs, claims)."""
        self.flush()
        (row,) = self._db.read(
            "SELECT (SELECT COUNT(*) FROM missions), (SELECT COUNT(*) FROM missions"
            " WHERE present = 1), (SELECT COUNT(*) FROM attempts), (SELECT COUNT(*) FROM runs),"
            " (SELECT COUNT(*) FROM claims)"
        )
        names = ("missions", "present", "attempts", "runs", "claims")
        return dict(zip(names, row, strict=True))

    def close(self) -> None:
        """End this journal's runs, checkpoint and close the database; idempotent."""
        if not self._db.closed:
            self._heartbeat.stop()
        ended, self._runs = list(self._runs), set()

        def last(conn: sqlite3.Connection) -> bool:
            runs.forget(conn, ended)
            return conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0] > 0

        self._db.close(last)
        self._version_lock.release()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._db.closed else "open"
        return f"Journal({str(self.path)!r}, {state})"
