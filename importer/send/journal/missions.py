"""The journal's missions table: what the API last accepted for each mission, and its values.

Per mission (keyed as :mod:`.keys` says): whether it is present in Ocean, the digest of
the parameters last accepted (reruns compare it: "unchanged"), Ocean's id, and since
schema 3 the values themselves: the parameters last accepted (JSON; after a modify, the
ones sent over the ones known, as Ocean keeps the fields a modify leaves out), the
intervention time sent (``utc_inter``, UTC ISO text, what the follow-up selects on) and
where they came from (the file's name, the run's id).

The values go when the mission is deleted or its content becomes unknown (a call settled
by statutMission), and the parameters and file name ``keep_values_days`` after the
intervention (:func:`drop_old_values`; the time and the run's id stay, so the follow-up
still knows the mission's day). A mission sent before the migration has no values: its
``utc_inter`` is NULL until the follow-up sets it from statutMission's ``time``.

Functions here run on a connection inside the caller's transaction (or read outside one).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from importer.send.journal.keys import Key, utc_text

LEGACY = ""  # the account of the missions sent without customerId before schema 3

_UPSERT = """
INSERT INTO missions (api_url, account, customer_id, id_mission, present, params_hash,
    ocean_id, updated_at, params_json, utc_inter, source_file, source_run)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (api_url, account, customer_id, id_mission) DO UPDATE SET
    present = excluded.present, params_hash = excluded.params_hash,
    ocean_id = COALESCE(excluded.ocean_id, missions.ocean_id), updated_at = excluded.updated_at,
    params_json = excluded.params_json, utc_inter = excluded.utc_inter,
    source_file = excluded.source_file, source_run = excluded.source_run
"""
_WHERE_KEY = "api_url = ? AND account = ? AND customer_id = ? AND id_mission = ?"
_RECORD_COLUMNS = (
    "api_url, account, customer_id, id_mission, present, utc_inter, params_json,"
    " source_file, source_run, ocean_id, updated_at"
)


# One row whatever is known: the mission's columns (NULL: never seen), the claim's holder,
# and whether the mission has a row of before schema 3 that this login may take over.
_MISSION_AND_HOLDER_COLUMNS = """m.present, m.params_hash, m.ocean_id, m.updated_at, c.run_id,
    m.present IS NULL AND k.account != '' AND k.customer_id = '' AND EXISTS (
        SELECT 1 FROM missions AS l WHERE l.api_url = k.api_url AND l.account = ''
        AND l.customer_id = '' AND l.id_mission = k.id_mission)"""
_MISSION_AND_HOLDER_JOINS = """
LEFT JOIN missions AS m USING (api_url, account, customer_id, id_mission)
LEFT JOIN claims AS c USING (api_url, account, customer_id, id_mission)"""
MISSION_AND_HOLDER = (
    f"SELECT {_MISSION_AND_HOLDER_COLUMNS}"  # noqa: S608 (constant parts only)
    " FROM (SELECT ? AS api_url, ? AS account, ? AS customer_id, ? AS id_mission) AS k"
    f"{_MISSION_AND_HOLDER_JOINS}"
)


def missions_and_holders(conn: sqlite3.Connection, keys: Sequence[Key]) -> list[tuple]:
    """:data:`MISSION_AND_HOLDER` for many keys in one query: per key, its customer and
    idMission, then that query's columns (in no particular order)."""
    if not keys:
        return []
    rows = ", ".join(["(?, ?, ?, ?)"] * len(keys))
    sql = (
        f"WITH k(api_url, account, customer_id, id_mission) AS (VALUES {rows})"  # noqa: S608
        f" SELECT k.customer_id, k.id_mission, {_MISSION_AND_HOLDER_COLUMNS}"
        f" FROM k{_MISSION_AND_HOLDER_JOINS}"
    )
    return conn.execute(sql, [part for key in keys for part in key]).fetchall()


@dataclass(frozen=True)
class JournalEntry:
    """What the journal knows about one mission on one API, account and customer."""

    api_url: str
    account: str  # a login's digest, or "" (see keys.py)
    customer_id: str
    id_mission: str
    present: bool
    params_hash: str | None  # None: present with unknown content (resend as a modify)
    ocean_id: str | None
    updated_at: str


PlanState = tuple[bool, str | None] | None  # present, params hash; None: never seen


def plan_state(conn: sqlite3.Connection, key: Key) -> PlanState:
    """What a plan depends on: whether the mission is present, and with which content."""
    row = conn.execute(
        f"SELECT present, params_hash FROM missions WHERE {_WHERE_KEY}",  # noqa: S608
        key,
    ).fetchone()
    return None if row is None else (bool(row[0]), row[1])


@dataclass(frozen=True)
class Values:
    """What the journal keeps of a mission's content (None: not known)."""

    params_json: str | None = None
    utc_inter: str | None = None
    source_file: str | None = None
    source_run: str | None = None


NO_VALUES = Values()


def sent_values(params: Mapping[str, object], source_file: str, run_id: str) -> Values:
    """The values of a create or modify, kept until its outcome is known."""
    text = {str(name): str(value) for name, value in params.items()}
    inter = utc_text(text.get("jourHeureInter", ""))
    return Values(json.dumps(text, ensure_ascii=False), inter, source_file or None, run_id)


@dataclass(frozen=True)
class MissionRecord:
    """A mission as the follow-up reads it. ``account == ""`` with ``customer_id == ""``:
    sent without customerId before the migration to schema 3, by a login not recorded."""

    api_url: str
    account: str
    customer_id: str
    id_mission: str
    present: bool
    utc_inter: str | None  # "2026-12-03T07:30:00Z"; None: not known (sent before schema 3)
    params: dict[str, str] | None  # the parameters last accepted; None: not kept
    source_file: str | None
    source_run: str | None
    ocean_id: str | None
    updated_at: str


def _record(row: tuple) -> MissionRecord:
    *key, present, inter, params, source_file, source_run, ocean_id, updated = row
    loaded = json.loads(params) if params else None
    return MissionRecord(
        *key, bool(present), inter, loaded, source_file, source_run, ocean_id, updated
    )


def legacy_key(key: Key) -> Key | None:
    """The key the same mission had before schema 3, when it differs (no customer, a login)."""
    api_url, account, customer, id_mission = key
    if account == LEGACY or customer != "":
        return None
    return (api_url, LEGACY, customer, id_mission)


def adopt(conn: sqlite3.Connection, key: Key) -> bool:
    """Move a mission sent before schema 3 to this login's key, unless the login already
    has its own; return whether one moved. Before the migration the missions sent without
    customerId by every login of a server shared one key: the first login to meet one
    after it takes it (as it would have found it before), the others then ask Ocean."""
    old = legacy_key(key)
    if old is None:
        return False
    moved = conn.execute(
        f"UPDATE missions SET account = ? WHERE {_WHERE_KEY}"  # noqa: S608 (constants)
        f" AND NOT EXISTS (SELECT 1 FROM missions WHERE {_WHERE_KEY})",
        (key[1], *old, *key),
    )
    return moved.rowcount > 0


def upsert(
    conn: sqlite3.Connection,
    key: Key,
    *,
    present: bool,
    params_hash: str | None,
    ocean_id: str | None,
    now: str,
    values: Values = NO_VALUES,
) -> None:
    """Record a mission's state; an absent mission keeps no values."""
    kept = values if present else NO_VALUES
    row = (int(present), params_hash if present else None, ocean_id, now)
    conn.execute(
        _UPSERT,
        (*key, *row, kept.params_json, kept.utc_inter, kept.source_file, kept.source_run),
    )


def values_of(conn: sqlite3.Connection, key: Key) -> Values:
    """The values kept for a mission (all None when none)."""
    row = conn.execute(
        f"SELECT params_json, utc_inter, source_file, source_run FROM missions WHERE {_WHERE_KEY}",  # noqa: S608
        key,
    ).fetchone()
    return Values(*row) if row else NO_VALUES


def merged(conn: sqlite3.Connection, key: Key, sent: Values) -> Values:
    """The values after an applied modify: the fields sent over the ones known."""
    known = values_of(conn, key).params_json
    if not known or not sent.params_json:
        return sent
    params = {**json.loads(known), **json.loads(sent.params_json)}
    inter = utc_text(params.get("jourHeureInter", ""))
    text = json.dumps(params, ensure_ascii=False)
    return Values(text, inter, sent.source_file, sent.source_run)


def last_params(conn: sqlite3.Connection, key: Key) -> dict[str, str] | None:
    """The parameters last accepted for a mission (before schema 3: under the legacy key)."""
    for candidate in (key, legacy_key(key)):
        if candidate is None:
            continue
        row = conn.execute(
            f"SELECT params_json FROM missions WHERE {_WHERE_KEY}",  # noqa: S608 (constants)
            candidate,
        ).fetchone()
        if row is not None:
            return json.loads(row[0]) if row[0] else None
    return None


def set_utc_inter(conn: sqlite3.Connection, key: Key, utc_inter: str) -> bool:
    """Record a mission's intervention time (from statutMission); whether it is known."""
    adopt(conn, key)
    done = conn.execute(
        f"UPDATE missions SET utc_inter = ? WHERE {_WHERE_KEY}",  # noqa: S608 (constants)
        (utc_inter, *key),
    )
    return done.rowcount > 0


def listing(
    conn: sqlite3.Connection,
    api_url: str,
    account: str,
    customer_id: str | None,
    when: tuple[str, str] | None,
) -> list[MissionRecord]:
    """The present missions of an account (and customer) whose intervention is in ``when``
    (start inclusive, end exclusive), or, with ``when=None``, whose time is not known.

    ``customer_id=None``: every customer of this API (Ocean answers only for those the
    login may manage) and the login's own missions without customer; ``""``: only the
    latter; otherwise that customer's. Without a customer, the missions sent before the
    migration count as the login's (their login was not recorded).
    """
    sql = f"SELECT {_RECORD_COLUMNS} FROM missions WHERE api_url = ? AND present = 1"  # noqa: S608
    args: list[Any] = [api_url]
    own = "(account IN (?, ?) AND customer_id = '')"
    if customer_id is None:
        sql += f" AND ({own} OR (account = '' AND customer_id != ''))"
        args += [account, LEGACY]
    elif customer_id == "":
        sql += f" AND {own}"
        args += [account, LEGACY]
    else:
        sql += " AND account = '' AND customer_id = ?"
        args.append(customer_id)
    if when is None:
        sql += " AND utc_inter IS NULL"
    else:
        sql += " AND utc_inter >= ? AND utc_inter < ?"
        args += list(when)
    sql += " ORDER BY utc_inter, customer_id, id_mission, account DESC"
    records = [_record(row) for row in conn.execute(sql, args)]
    seen: set[tuple[str, str]] = set()  # a login's own row hides its legacy twin
    unique = []
    for record in records:
        if (record.customer_id, record.id_mission) not in seen:
            seen.add((record.customer_id, record.id_mission))
            unique.append(record)
    return unique


def drop_old_values(conn: sqlite3.Connection, before: str) -> int:
    """Forget the parameters and file name of the missions whose intervention is before
    ``before`` (UTC ISO text); return how many. Uses the partial index ``missions_values``."""
    return conn.execute(
        "UPDATE missions SET params_json = NULL, source_file = NULL"
        " WHERE params_json IS NOT NULL AND utc_inter < ?",
        (before,),
    ).rowcount
