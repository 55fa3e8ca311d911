"""The sandbox's state: accounts, tokens, missions (in memory or SQLite) and call counters.

Every class here is thread-safe. Tokens and passwords live only in memory: the optional
state file holds missions and the technical-id sequence, nothing secret.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from importer.errors import UsageError
from importer.messages import t
from importer.ocean_api import API_CALLS

DEMO_LOGIN = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - public demo account of the local simulator
DEMO_CUSTOMER = 100
MULTI_LOGIN = "multi"
MULTI_PASSWORD = "multi"  # noqa: S105 - public demo account of the local simulator
MULTI_CUSTOMERS = (101, 102)


@dataclass(frozen=True)
class Account:
    """A login of the simulated service and the customers it may manage."""

    login: str
    password: str = field(repr=False)
    customers: tuple[int, ...]
    multi: bool

    def check_password(self, password: str) -> bool:
        """Return True when ``password`` is this account's (constant-time comparison)."""
        return hmac.compare_digest(password.encode(), self.password.encode())


ACCOUNTS: dict[str, Account] = {
    DEMO_LOGIN: Account(DEMO_LOGIN, DEMO_PASSWORD, (DEMO_CUSTOMER,), multi=False),
    MULTI_LOGIN: Account(MULTI_LOGIN, MULTI_PASSWORD, MULTI_CUSTOMERS, multi=True),
}


@dataclass
class _Token:
    login: str
    issued: float  # time.monotonic()
    calls: int = 0


class TokenRegistry:
    """Issues tokens and checks them; a token dies after a lifetime or a number of calls."""

    def __init__(self, ttl_seconds: float, max_calls: int | None) -> None:
        self.ttl_seconds = ttl_seconds
        self.max_calls = max_calls
        self._tokens: dict[str, _Token] = {}
        self._issued: list[str] = []
        self._lock = threading.Lock()

    def issue(self, login: str) -> str:
        """Create a token for ``login`` and return it."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = _Token(login, time.monotonic())
            self._issued.append(token)
        return token

    def use(self, token: str | None) -> str | None:
        """Spend one call of ``token``; return its login, or None if unknown or expired."""
        if not token:
            return None
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None:
                return None
            expired = time.monotonic() - entry.issued >= self.ttl_seconds
            used_up = self.max_calls is not None and entry.calls >= self.max_calls
            if expired or used_up:
                del self._tokens[token]
                return None
            entry.calls += 1
            return entry.login

    def issued(self) -> list[str]:
        """Return every token issued so far (live or not), oldest first."""
        with self._lock:
            return list(self._issued)


class Counters:
    """Counts calls per endpoint, answers per status, injected faults and refused duplicates."""

    def __init__(self, fault_kinds: tuple[str, ...]) -> None:
        self._lock = threading.Lock()
        self._calls = dict.fromkeys((call.name for call in API_CALLS), 0)
        self._faults = dict.fromkeys(fault_kinds, 0)
        self._responses: dict[str, int] = {}
        self._other = {
            "duplicate_creates_refused": 0,
            "tokens_issued": 0,
            "unauthorized": 0,
            "connections": 0,
        }

    def call(self, name: str) -> None:
        """Count one request to endpoint ``name``."""
        with self._lock:
            self._calls[name] = self._calls.get(name, 0) + 1

    def fault(self, kind: str) -> None:
        """Count one injected fault of ``kind``."""
        with self._lock:
            self._faults[kind] = self._faults.get(kind, 0) + 1

    def response(self, status: int) -> None:
        """Count one answer with HTTP ``status``."""
        with self._lock:
            self._responses[str(status)] = self._responses.get(str(status), 0) + 1

    def bump(self, name: str) -> None:
        """Add one to the total ``name`` (duplicate_creates_refused, connections, ...)."""
        with self._lock:
            self._other[name] = self._other.get(name, 0) + 1

    def snapshot(self) -> dict[str, Any]:
        """Return ``{"calls": {...}, "faults": {...}, "responses": {...}, <totals>}``."""
        with self._lock:
            return {
                "calls": dict(self._calls),
                "faults": dict(self._faults),
                "responses": dict(sorted(self._responses.items())),
                **self._other,
            }


@dataclass
class MissionRecord:
    """One mission as the simulated service holds it (times are UTC epoch seconds)."""

    customer_id: int
    id_mission: str
    params: dict[str, str]
    external_id: str
    created_at: float
    sent_at: float | None = None  # when aEnvoyer last became true (drives the status)
    modified_at: float | None = None
    deleted_at: float | None = None
    creates: int = 1
    modifies: int = 0
    deletes: int = 0
    refused_creates: int = 0
    deleted: bool = False
    attempt: int = 0  # how many times it was sent to a driver (see driver.py)
    refusals: int = 0  # earlier attempts refused by a driver (the current one not counted)

    def to_public(self) -> dict[str, Any]:
        """Return the inspection view (camelCase ids, ISO times)."""
        return {
            "customerId": self.customer_id,
            "idMission": self.id_mission,
            "params": dict(self.params),
            "externalMissionId": self.external_id,
            "creates": self.creates,
            "modifies": self.modifies,
            "deletes": self.deletes,
            "refused_creates": self.refused_creates,
            "deleted": self.deleted,
            "attempt": self.attempt,
            "refusals": self.refusals,
            "created_at": _iso(self.created_at),
            "modified_at": _iso(self.modified_at),
            "deleted_at": _iso(self.deleted_at),
        }


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")


_SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_missions (
    customer_id INTEGER NOT NULL, id_mission TEXT NOT NULL, record TEXT NOT NULL,
    PRIMARY KEY (customer_id, id_mission));
CREATE TABLE IF NOT EXISTS sandbox_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
_OUR_TABLES = {"sandbox_missions", "sandbox_meta"}


class MissionStore:
    """Missions keyed by (customerId, idMission), in memory and optionally written through
    to a SQLite file so a rehearsal survives a restart."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.lock = threading.RLock()  # callers hold it around check-then-change sequences
        self._missions: dict[tuple[int, str], MissionRecord] = {}
        self._next_external = 1
        self._path = Path(path) if path is not None else None
        self._db: sqlite3.Connection | None = None
        if self._path is not None:
            self._open(self._path)

    def _open(self, path: Path) -> None:
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # owner-only
        try:
            db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            tables = {
                row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            if tables - _OUR_TABLES:
                db.close()
                raise UsageError(
                    t(
                        "sandbox.bad_state_file",
                        file=path,
                        reason=", ".join(sorted(tables - _OUR_TABLES)),
                    )
                )
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # survives a killed process, fast enough
            db.executescript(_SCHEMA)
            rows = db.execute("SELECT record FROM sandbox_missions").fetchall()
            meta = dict(db.execute("SELECT key, value FROM sandbox_meta").fetchall())
        except sqlite3.DatabaseError as exc:
            raise UsageError(t("sandbox.bad_state_file", file=path, reason=exc)) from exc
        for (text,) in rows:
            record = MissionRecord(**json.loads(text))
            if record.sent_at is not None and record.attempt == 0:  # a file from before attempts
                record.attempt = 1
            self._missions[(record.customer_id, record.id_mission)] = record
        self._next_external = int(meta.get("next_external", "1"))
        self._db = db

    def get(self, customer_id: int, id_mission: str) -> MissionRecord | None:
        """Return the record (deleted ones included) or None."""
        with self.lock:
            return self._missions.get((customer_id, id_mission))

    def put(self, record: MissionRecord) -> None:
        """Store ``record`` (and write it to the state file, if any)."""
        with self.lock:
            self._missions[(record.customer_id, record.id_mission)] = record
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO sandbox_missions VALUES (?, ?, ?)",
                    (
                        record.customer_id,
                        record.id_mission,
                        json.dumps(asdict(record), ensure_ascii=False),
                    ),
                )

    def next_external_id(self) -> str:
        """Return a new technical mission id such as ``OC-000123``."""
        with self.lock:
            number = self._next_external
            self._next_external += 1
            if self._db is not None:
                self._db.execute(
                    "INSERT OR REPLACE INTO sandbox_meta VALUES ('next_external', ?)",
                    (str(self._next_external),),
                )
            return f"OC-{number:06d}"

    def all(self) -> list[MissionRecord]:
        """Return every record (deleted ones included), in creation order."""
        with self.lock:
            return sorted(self._missions.values(), key=lambda r: int(r.external_id[3:]))

    def close(self) -> None:
        """Close the state file, if any (the missions stay readable in memory)."""
        with self.lock:
            if self._db is not None:
                self._db.close()
                self._db = None
