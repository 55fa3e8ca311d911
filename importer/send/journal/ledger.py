"""The ledger: what the API last accepted for each mission, and every attempt in flight.

Keyed by API URL, account, customerId and idMission (see :mod:`.keys`), it keeps what the API
last accepted for each mission (see :mod:`.missions`: the digest of the parameters, and the
values themselves) and every attempt in flight. The engine calls :meth:`Journal.begin`
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
No credential or token is stored: API URLs are reduced to scheme, host, port and path,
and a login is kept as a keyed digest.

Every method naming a mission takes ``account``: the Ocean login of the run (part of the
key only for a mission without customerId). A mission sent without customerId before the
migration to schema 3 is found by any login, and taken over by the first run that reads it
(:func:`.missions.adopt`).
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from importer.ocean_api import CALL_DELETE, CALL_MODIFY, CHANGING_CALLS
from importer.send.journal import database, missions, runs
from importer.send.journal.commit import GroupCommit
from importer.send.journal.keys import Key, account_tag, mission_key, normalise_url
from importer.send.journal.missions import JournalEntry, Values
from importer.send.journal.values import KeptValues

CALLS = CHANGING_CALLS
RESULTS = ("applied", "not_applied", "unknown")
Result = Literal["applied", "not_applied", "unknown"]
CLAIM_POLL = 0.1  # seconds between two looks at a mission another run holds
ANY: object = object()  # begin(expect=ANY): no claim taken, nothing checked
PRUNE_EVERY = 3600.0  # seconds between two prunes of old values (at a run's start)


@dataclass(frozen=True)
class InFlight:
    """An attempt whose outcome is not known (killed run, or finished as unknown)."""

    attempt_id: int
    api_url: str
    account: str
    customer_id: str
    id_mission: str
    call: str
    params_hash: str | None
    started_at: str
    state: str = "in_flight"  # "in_flight" (never finished) or "unknown"
    run_id: str | None = None  # None: begun by a version without runs


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _attempt_row(conn: sqlite3.Connection, attempt_id: int) -> tuple | None:
    return conn.execute(
        "SELECT api_url, account, customer_id, id_mission, call, params_hash FROM attempts"
        " WHERE id = ?",
        (attempt_id,),
    ).fetchone()


class Journal(KeptValues):
    """The SQLite journal shared by the runs of one machine; a thread-safe context manager.

    The journal itself is a run (:attr:`run_id`): attempts begun without naming a run
    belong to it. ``lock_timeout``: how long to wait while a previous version of the
    importer holds the journal. ``heartbeat_expiry``: seconds without a heartbeat before a
    run counts as gone (the heartbeat is renewed every quarter of it).
    ``keep_values_days``: how long after its intervention a mission's parameters are kept
    (pruned when a run starts, at most every ``PRUNE_EVERY`` seconds).
    """

    def __init__(
        self,
        path: Path,
        *,
        lock_timeout: float = 10.0,
        heartbeat_expiry: float = runs.HEARTBEAT_EXPIRY,
        keep_values_days: float = 90.0,
    ) -> None:
        self.path = Path(path)
        self.expiry = heartbeat_expiry
        self.keep_values_days = float(keep_values_days)
        # The attempts begun here, not finished: their mission, call and params hash.
        self._begun: dict[int, tuple[Key, str, str | None]] = {}
        self._values: dict[int, Values] = {}  # what the attempts begun here would leave
        self._claimed: dict[int, str] = {}  # attempts begun here with a claim: their run
        self._runs: set[str] = set()  # the live runs of this journal object
        self._tags: dict[str, str] = {}  # login -> its digest in this journal
        self._pruned_at = float("-inf")
        self._version_lock = database.version_lock(self.path, lock_timeout)
        try:
            conn, self._account_key = database.connect(self.path)
        except BaseException:
            self._version_lock.release()
            raise
        self._db = GroupCommit(conn, self.path, reader=lambda: database.connect_reader(self.path))
        self._heartbeat = runs.Heartbeat(heartbeat_expiry, self._beat)
        self.run_id = self.start_run()

    def _key(self, api_url: str, customer_id: object, id_mission: object, account: str) -> Key:
        """A mission's key; ``account`` is the run's Ocean login (kept as its digest)."""
        tag = self._tags.get(account)
        if tag is None:
            tag = self._tags.setdefault(account, account_tag(self._account_key, account))
        return mission_key(api_url, customer_id, id_mission, tag)

    # -- runs and claims -------------------------------------------------------------------

    def start_run(self) -> str:
        """Register a new live run of this process; return its id. Also forgets the values
        older than ``keep_values_days`` (at most every ``PRUNE_EVERY`` seconds)."""
        run_id = secrets.token_hex(8)
        prune = time.monotonic() - self._pruned_at >= PRUNE_EVERY
        if prune:
            self._pruned_at = time.monotonic()

        def register(conn: sqlite3.Connection) -> None:
            runs.register(conn, run_id, self.expiry)
            if prune:
                missions.drop_old_values(conn, self._values_cutoff())

        self._db.transact(register, durable=False)
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
        self._values.pop(attempt_id, None)
        self._claimed.pop(attempt_id, None)

    def claim(
        self,
        run_id: str,
        api_url: str,
        customer_id: str,
        id_mission: str,
        *,
        wait: float = 0.0,
        account: str = "",
    ) -> bool:
        """Claim a mission for a run, waiting up to ``wait`` seconds while a live run holds
        it; return whether the run holds it now (False: busy)."""
        key = self._key(api_url, customer_id, id_mission, account)
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
        holder = self._db.look(lambda conn: runs.claim_holder(conn, key))
        if holder is None or holder == run_id:
            return True
        return holder not in self._live()

    def _live(self) -> set[str]:
        return self._db.look(lambda conn: runs.live_runs(conn, self.expiry))

    def release(
        self, run_id: str, api_url: str, customer_id: str, id_mission: str, *, account: str = ""
    ) -> None:
        """Give up a claim; queued, it rides with the finishes before it (see module notes)."""
        key = self._key(api_url, customer_id, id_mission, account)
        self._db.queue(lambda conn: runs.release(conn, run_id, key), key)

    def flush(self) -> None:
        """Commit the finishes and releases still queued (otherwise the next write does)."""
        self._db.flush()

    # -- missions and attempts -------------------------------------------------------------

    def get(
        self,
        api_url: str,
        customer_id: str,
        id_mission: str,
        *,
        run_id: str | None = None,
        account: str = "",
    ) -> JournalEntry | None:
        """Return what the journal knows about a mission, or None if it never saw it.

        With ``run_id``: raise :class:`~.runs.MissionBusy` while another live run holds the
        mission (wait with :meth:`wait_free`, then read again); a mission of before schema 3
        is then taken over by this login (without ``run_id`` it is only read).
        """
        key = self._key(api_url, customer_id, id_mission, account)
        if key in self._db.queued:  # the other missions' queued finishes can wait
            self.flush()
        (found,) = self._db.read(missions.MISSION_AND_HOLDER, key)
        present, hash_, ocean_id, updated_at, holder, legacy = found
        if run_id is not None and holder not in (None, run_id) and holder in self._live():
            raise runs.MissionBusy(id_mission)
        if legacy:
            old = missions.legacy_key(key)
            assert old is not None
            if run_id is None:
                (found,) = self._db.read(missions.MISSION_AND_HOLDER, old)
                return JournalEntry(*old, bool(found[0]), *found[1:4])
            self._db.transact(lambda conn: missions.adopt(conn, key), durable=False)
            return self.get(api_url, customer_id, id_mission, run_id=run_id, account=account)
        if present is None:
            return None
        return JournalEntry(*key, bool(present), hash_, ocean_id, updated_at)

    def read_ahead(
        self,
        api_url: str,
        missions_of: Sequence[tuple[str, str]],
        *,
        run_id: str,
        account: str = "",
    ) -> dict[tuple[str, str], JournalEntry | None]:
        """What :meth:`get` would return now for each (customer, idMission), in one read,
        for a run to plan its next rows with (each call it chooses is checked against the
        journal by :meth:`begin`). Left out: the missions another run holds, of before
        schema 3, or with a write still queued (ask :meth:`get` for those)."""
        keys = [self._key(api_url, customer, mission, account) for customer, mission in missions_of]
        queued = set(self._db.queued)  # before the read: a finish committed meanwhile
        found = self._db.look(lambda conn: missions.missions_and_holders(conn, keys))
        queued |= set(self._db.queued)
        entries: dict[tuple[str, str], JournalEntry | None] = {}
        by_mission = {(key[2], key[3]): key for key in keys if key not in queued}
        for customer, mission, present, hash_, ocean_id, updated_at, holder, legacy in found:
            key = by_mission.get((customer, mission))
            if key is None or holder not in (None, run_id) or legacy:
                continue
            entry = None if present is None else JournalEntry(
                *key, bool(present), hash_, ocean_id, updated_at
            )  # fmt: skip
            entries[(customer, mission)] = entry
        return entries

    def wait_free(
        self,
        run_id: str,
        api_url: str,
        customer_id: str,
        id_mission: str,
        *,
        until: float,
        account: str = "",
    ) -> bool:
        """Wait until no other live run holds the mission, or the monotonic time ``until``;
        return whether it is free."""
        key = self._key(api_url, customer_id, id_mission, account)
        return self._wait_free(run_id, key, until)

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
        account: str = "",
        source: str = "",
    ) -> int:
        """Record an attempt before its request leaves; return its id once it is on disk.

        ``params`` (create, modify): kept as the mission's values if it is applied, with
        ``source`` (the file's name) and the run's id.
        ``run_id``: the run it belongs to (default: the journal's own, :attr:`run_id`).
        ``expect``: what :meth:`get` read when the call was chosen. The run then claims the
        mission in the same transaction, and gives it up with the attempt's :meth:`finish`;
        :class:`~.runs.MissionBusy` is raised, nothing recorded, when another live run holds
        it or the mission changed since.
        """
        if call not in CALLS:
            raise ValueError(f"unknown call {call!r}; expected one of {CALLS}")
        key = self._key(api_url, customer_id, id_mission, account)
        run = run_id or self.run_id
        claiming = expect is not ANY
        expected: missions.PlanState = None
        if isinstance(expect, JournalEntry):
            expected = (expect.present, expect.params_hash)

        def insert(conn: sqlite3.Connection) -> int:
            if claiming:
                if not runs.try_claim(conn, run, key, self.expiry):
                    raise runs.MissionBusy(id_mission)
                if missions.plan_state(conn, key) != expected:
                    raise runs.MissionBusy(id_mission)
            cursor = conn.execute(
                "INSERT INTO attempts (api_url, account, customer_id, id_mission, call,"
                " params_hash, started_at, state, run_id)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'in_flight', ?)",
                (*key, call, params_hash, _now(), run),
            )
            return int(cursor.lastrowid or 0)

        attempt_id = self._db.transact(insert)
        self._begun[attempt_id] = (key, call, params_hash)
        if claiming:
            self._claimed[attempt_id] = run
        if params is not None:
            self._values[attempt_id] = missions.sent_values(params, source, run)
        return attempt_id

    def finish(self, attempt_id: int, result: Result, *, ocean_id: str | None = None) -> None:
        """Settle an attempt: "applied" updates the mission, "unknown" keeps it in flight.

        The claim its ``begin`` took, if any, is given up in the same transaction.

        "applied" and "not_applied" remove the attempt; with "applied" the mission row is
        updated in the same transaction (create/modify: present with the attempt's params
        hash and values; delete: absent, its values gone). For an attempt begun by this
        journal, queued for the next commit (see the module notes) rather than committed
        before it returns; otherwise committed at once. Returns nothing.
        """
        if result not in RESULTS:
            raise ValueError(f"unknown result {result!r}; expected one of {RESULTS}")

        sent = self._values.pop(attempt_id, missions.NO_VALUES)
        claimed = self._claimed.pop(attempt_id, None)
        begun = self._begun.pop(attempt_id, None)
        key = begun[0] if begun is not None else None

        def settle(conn: sqlite3.Connection) -> None:
            if claimed is not None and key is not None:  # the claim goes with the outcome
                runs.release(conn, claimed, key)
            if begun is not None and result != "unknown":  # its row is known: one statement
                gone = conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,)).rowcount
                if gone and result == "applied":
                    apply(conn, *begun)
                if gone or claimed is not None:
                    return  # (not gone: settled meanwhile by another run, this one paused)
            found = _attempt_row(conn, attempt_id)
            if found is None and claimed is not None:
                return  # settled meanwhile by another run (this one was paused)
            *where, call, hash_ = found or self._attempt(conn, attempt_id)
            mission = (where[0], where[1], where[2], where[3])
            if result == "unknown":
                conn.execute("UPDATE attempts SET state = 'unknown' WHERE id = ?", (attempt_id,))
                return
            if result == "applied":
                apply(conn, mission, call, hash_)
            conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))

        def apply(conn: sqlite3.Connection, mission: Key, call: str, hash_: str | None) -> None:
            """The mission as the applied call left it."""
            present = call != CALL_DELETE
            values = missions.merged(conn, mission, sent) if call == CALL_MODIFY else sent
            missions.upsert(
                conn,
                mission,
                present=present,
                params_hash=hash_,
                ocean_id=ocean_id,
                now=_now(),
                values=values,
            )

        if key is None:  # begun by another run, or already finished: checked now
            self._db.transact(settle, durable=False)
        else:  # lost on a crash before the next commit: the attempt stays in flight
            self._db.queue(settle, key)

    def resolve(self, attempt_id: int, *, present: bool, account: str = "") -> None:
        """Settle an attempt left in flight from a statutMission check; returns nothing.

        ``present=False``: the mission is absent. ``present=True`` after a create or modify:
        present with unknown content (params hash and values None, so the next run modifies
        it); after a delete that did not happen, the mission keeps what the journal knew of
        it. ``account``: the login that checked; an attempt of before schema 3 without
        customer settles the mission under that login (see :func:`.missions.adopt`).
        """

        def settle(conn: sqlite3.Connection) -> None:
            url, owner, customer, mission, call, _ = self._attempt(conn, attempt_id)
            key = (url, owner, customer, mission)
            if owner == missions.LEGACY and account:
                key = self._key(url, customer, mission, account)
                missions.adopt(conn, key)
            known = missions.plan_state(conn, key)
            keep = present and call == CALL_DELETE and known is not None and known[0]
            hash_ = known[1] if keep and known else None
            values = missions.values_of(conn, key) if keep else missions.NO_VALUES
            missions.upsert(
                conn, key, present=present, params_hash=hash_, ocean_id=None, now=_now(),
                values=values,
            )  # fmt: skip
            conn.execute("DELETE FROM attempts WHERE id = ?", (attempt_id,))

        self._db.transact(settle)
        self._begun.pop(attempt_id, None)  # begun by this journal, never finished
        self._values.pop(attempt_id, None)
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
        account: str = "",
    ) -> None:
        """Record a mission's state learnt otherwise (e.g. statutMission said 404): its
        values are forgotten; no return."""
        key = self._key(api_url, customer_id, id_mission, account)

        def upsert(conn: sqlite3.Connection) -> None:
            missions.upsert(
                conn, key, present=present, params_hash=params_hash, ocean_id=ocean_id,
                now=_now(),
            )  # fmt: skip

        self._db.transact(upsert)

    @staticmethod
    def _attempt(conn: sqlite3.Connection, attempt_id: int) -> tuple:
        row = _attempt_row(conn, attempt_id)
        if row is None:
            raise ValueError(f"attempt {attempt_id} is not in the journal (already settled?)")
        return row

    def in_flight(
        self, api_url: str | None = None, *, live: bool = True, account: str | None = None
    ) -> list[InFlight]:
        """Return every attempt left unsettled for this API (all APIs when None), oldest first.

        ``live=False`` gives only the attempts another run may settle: those of runs that
        are gone (heartbeat expired, process dead, run ended) and those finished as
        "unknown" (whose run no longer waits for them); never an attempt a live run still
        waits an answer for, in this process or another. ``account`` (a login): only the
        attempts this login may check, its own and those with a customer or of before
        schema 3 (another login's statutMission would not find its missions).
        """
        sql = (
            "SELECT id, api_url, account, customer_id, id_mission, call, params_hash,"
            " started_at, state, run_id FROM attempts"
        )
        self.flush()
        if api_url is None:
            rows = self._db.read(sql + " ORDER BY id")
        else:
            rows = self._db.read(sql + " WHERE api_url = ? ORDER BY id", (normalise_url(api_url),))
        found = [InFlight(*row) for row in rows]
        if account is not None:
            mine = {missions.LEGACY, self._key("", "", "", account)[1]}
            found = [a for a in found if a.account in mine]
        if live:
            return found
        alive = self._live()
        waiting = self._begun.copy()  # one C call: safe beside the workers
        return [
            a
            for a in found
            if a.attempt_id not in waiting and (a.state == "unknown" or a.run_id not in alive)
        ]

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
