"""A keyed hash per API field of what the API last accepted, for the preview of a modify.

The journal keeps no planning content (SECURITY.md): per mission, it keeps one HMAC-SHA256
per field, keyed by a random key of this journal. Comparing a row's values with them
says which fields a modify would change; the new values shown come from the row itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from collections.abc import Mapping

_TABLES = (
    """CREATE TABLE IF NOT EXISTS field_hashes (
    api_url TEXT NOT NULL, customer_id TEXT NOT NULL, id_mission TEXT NOT NULL,
    hashes_json TEXT NOT NULL, PRIMARY KEY (api_url, customer_id, id_mission)
) WITHOUT ROWID""",
    "CREATE TABLE IF NOT EXISTS field_key (key TEXT NOT NULL)",
)
Key = tuple[str, str, str]  # api_url, customer_id, id_mission


def prepare(conn: sqlite3.Connection) -> None:
    """Create the tables and the key when missing (older journals too), inside the caller's
    transaction (so that two processes opening a journal together make one key)."""
    for statement in _TABLES:
        conn.execute(statement)
    if conn.execute("SELECT 1 FROM field_key").fetchone() is None:
        conn.execute("INSERT INTO field_key (key) VALUES (?)", (secrets.token_hex(32),))


def load_key(conn: sqlite3.Connection) -> bytes:
    """Return this journal's key (the first one, should an old journal hold two)."""
    row = conn.execute("SELECT key FROM field_key ORDER BY rowid LIMIT 1").fetchone()
    return bytes.fromhex(row[0])


def digests(key: bytes, params: Mapping[str, object]) -> dict[str, str]:
    """One keyed digest per field (the field's name is part of what is hashed)."""
    return {
        str(name): hmac.new(key, f"{name}\x00{value}".encode(), hashlib.sha256).hexdigest()[:32]
        for name, value in params.items()
    }


def store(conn: sqlite3.Connection, mission: Key, hashes: Mapping[str, str] | None) -> None:
    """Record the digests of what the API accepted; None forgets them (content unknown)."""
    conn.execute(
        "DELETE FROM field_hashes WHERE api_url = ? AND customer_id = ? AND id_mission = ?",
        mission,
    )
    if hashes:
        conn.execute(
            "INSERT INTO field_hashes (api_url, customer_id, id_mission, hashes_json)"
            " VALUES (?, ?, ?, ?)",
            (*mission, json.dumps(hashes, sort_keys=True)),
        )


def load(conn: sqlite3.Connection, mission: Key) -> dict[str, str] | None:
    row = conn.execute(
        "SELECT hashes_json FROM field_hashes"
        " WHERE api_url = ? AND customer_id = ? AND id_mission = ?",
        mission,
    ).fetchone()
    return json.loads(row[0]) if row else None


def changed(key: bytes, known: Mapping[str, str], params: Mapping[str, object]) -> list[str]:
    """The fields whose value differs from what was accepted (added or removed included)."""
    now = digests(key, params)
    return sorted(name for name in set(now) | set(known) if now.get(name) != known.get(name))
