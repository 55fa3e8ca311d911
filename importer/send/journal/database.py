"""Opening the journal: its folder and file, the schema and its migrations, the permissions.

Several processes may open one journal at once (WAL mode; SQLite serialises their writes
and each waits up to ``BUSY_MS`` for the others). Creating the schema and migrating an older
one happen in one ``BEGIN IMMEDIATE`` transaction, so two processes opening a new or older
journal together do it once. A shared lock on ``<journal>.lock`` (see
:mod:`importer.filelock`) keeps out the previous version of the importer, which wanted the
journal for itself (an exclusive lock on the same file), and keeps this version out while
one of those runs. The journal, its ``-wal``/``-shm`` files and the lock are owner-only
(0600), whatever the umask; values dropped are overwritten in the file (``secure_delete``).

Migrations run in place, in that same transaction: all or nothing. A journal of a newer
version is refused (``journal.newer_version``); the migration from version 2 waits for no
live run of version 2 (it would go on writing rows of the old shape) and refuses while one
runs (``journal.older_running``). Schema 3 and its migration: see ``_MIGRATIONS``.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
from pathlib import Path

from importer.errors import JournalError
from importer.filelock import FileLock, owner_only
from importer.messages import t
from importer.send.journal import runs

SCHEMA_VERSION = 3
BUSY_MS = 5000

_SQLITE_MAGIC = b"SQLite format 3\x00"
_CORRUPT_CODES = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}
_OWNER_ONLY = os.name != "nt"
_REQUIRED = ("meta", "missions", "attempts")  # in every version of the journal

_RUNS = """CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY, pid INTEGER NOT NULL, host TEXT NOT NULL,
    started_at TEXT NOT NULL, heartbeat_at REAL NOT NULL
) WITHOUT ROWID"""
_CLAIMS = (
    """CREATE TABLE claims (
    api_url TEXT NOT NULL, account TEXT NOT NULL, customer_id TEXT NOT NULL,
    id_mission TEXT NOT NULL, run_id TEXT NOT NULL,
    PRIMARY KEY (api_url, account, customer_id, id_mission)
) WITHOUT ROWID""",
    "CREATE INDEX claims_by_run ON claims (run_id)",
)
_MISSIONS = """CREATE TABLE {name} (
    api_url TEXT NOT NULL, account TEXT NOT NULL, customer_id TEXT NOT NULL,
    id_mission TEXT NOT NULL, present INTEGER NOT NULL, params_hash TEXT, ocean_id TEXT,
    updated_at TEXT NOT NULL, params_json TEXT, utc_inter TEXT, source_file TEXT,
    source_run TEXT, PRIMARY KEY (api_url, account, customer_id, id_mission)
) WITHOUT ROWID"""
_MISSION_INDEXES = (
    "CREATE INDEX missions_by_inter ON missions (api_url, utc_inter)",  # the follow-up
    # what keep_values_days prunes: a mission leaves this index once its values go
    "CREATE INDEX missions_values ON missions (utc_inter) WHERE params_json IS NOT NULL",
)
_ACCOUNT_KEY = "CREATE TABLE IF NOT EXISTS account_key (key TEXT NOT NULL)"

_CREATE = (
    "CREATE TABLE meta (schema_version INTEGER NOT NULL)",
    _MISSIONS.format(name="missions"),
    *_MISSION_INDEXES,
    """CREATE TABLE attempts (
    id INTEGER PRIMARY KEY, api_url TEXT NOT NULL, customer_id TEXT NOT NULL,
    id_mission TEXT NOT NULL, call TEXT NOT NULL, params_hash TEXT,
    started_at TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('in_flight', 'unknown')),
    run_id TEXT, account TEXT NOT NULL DEFAULT ''
)""",
    "CREATE INDEX attempts_by_api ON attempts (api_url)",
    _RUNS,
    *_CLAIMS,
    _ACCOUNT_KEY,
    f"INSERT INTO meta (schema_version) VALUES ({SCHEMA_VERSION})",  # noqa: S608 (a constant)
)

# From version N to N + 1, in the one transaction that opens the journal.
# Version 1 had one run per journal (an exclusive lock) and a `files` table of the drop
# folder's, left in place (the drop folder keeps its own now).
# Version 2 keyed missions by (API URL, customer, idMission) and kept a keyed digest per
# field (`field_hashes`, `field_key`), no values. Version 3 adds the account to every key
# (missions, attempts, claims; "" for the rows of version 2: see keys.py and
# missions.adopt) and the values of each mission; the field digests go (the values say
# more). Claims belong to live runs only, and a live run of version 2 stops the migration.
_MIGRATIONS: dict[int, tuple[str, ...]] = {
    1: (
        "ALTER TABLE attempts ADD COLUMN run_id TEXT",  # NULL: a run of version 1, gone
        _RUNS,
        "UPDATE meta SET schema_version = 2",
    ),
    2: (
        _MISSIONS.format(name="missions_3"),
        "INSERT INTO missions_3 (api_url, account, customer_id, id_mission, present,"
        " params_hash, ocean_id, updated_at) SELECT api_url, '', customer_id, id_mission,"
        " present, params_hash, ocean_id, updated_at FROM missions",
        "DROP TABLE missions",
        "ALTER TABLE missions_3 RENAME TO missions",
        *_MISSION_INDEXES,
        "ALTER TABLE attempts ADD COLUMN account TEXT NOT NULL DEFAULT ''",
        "DROP TABLE IF EXISTS claims",
        *_CLAIMS,
        "DROP TABLE IF EXISTS field_hashes",
        "DROP TABLE IF EXISTS field_key",
        _ACCOUNT_KEY,
        "UPDATE meta SET schema_version = 3",
    ),
}


def default_journal_path() -> Path:
    """Return the journal's default location, in the user's state folder."""
    from platformdirs import user_state_path

    return user_state_path("ocean-mission-importer") / "journal.sqlite3"


def cannot_open(path: Path, exc: OSError) -> JournalError:
    """The error for a journal whose file or folder cannot be used."""
    reason = exc.strerror or str(exc)
    return JournalError(t("journal.cannot_open", file=path, reason=reason))


def version_lock(path: Path, timeout: float) -> FileLock:
    """The shared lock that keeps the previous version out; taken, or JournalError."""

    def busy(pid: str) -> JournalError:
        if pid:
            return JournalError(t("journal.locked", file=path, pid=pid))
        return JournalError(t("journal.locked_unknown_pid", file=path))

    make_folder(path)
    lock = FileLock(path.with_name(path.name + ".lock"), busy=busy, timeout=timeout, shared=True)
    try:
        lock.acquire()
    except OSError as exc:
        raise cannot_open(path, exc) from exc
    return lock


def make_folder(path: Path) -> None:
    """Create the journal's folder (owner-only) when missing; JournalError if impossible."""
    folder = path.parent
    if folder.is_dir():
        return
    try:
        folder.mkdir(mode=0o700, parents=True)
    except OSError as exc:
        raise cannot_open(path, exc) from exc
    if _OWNER_ONLY:
        os.chmod(folder, 0o700)


def connect(path: Path) -> tuple[sqlite3.Connection, bytes]:
    """Open (create, migrate) the journal; return the connection and its account key (the
    random key of the digests of logins, see :func:`.keys.account_tag`)."""
    _check_header(path)
    conn = None
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False
        )
        key = _prepare(conn, path)
    except sqlite3.Error as exc:
        if conn is not None:
            conn.close()
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in _CORRUPT_CODES:
            raise _corrupt(path, t("journal.reason.sqlite", detail=exc)) from exc
        raise JournalError(t("journal.cannot_open", file=path, reason=exc)) from exc
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    for suffix in ("", "-wal", "-shm"):
        owner_only(path.with_name(path.name + suffix))
    return conn, key


def connect_reader(path: Path) -> sqlite3.Connection:
    """A second connection to an open journal, for reads only (see :mod:`.commit`)."""
    try:
        conn = sqlite3.connect(
            path, timeout=BUSY_MS / 1000, isolation_level=None, check_same_thread=False
        )
        conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
        conn.execute("PRAGMA query_only = ON")
    except sqlite3.Error as exc:
        raise JournalError(t("journal.cannot_open", file=path, reason=exc)) from exc
    return conn


def _check_header(path: Path) -> None:
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
        with open(path, "rb") as handle:
            header = handle.read(len(_SQLITE_MAGIC))
    except OSError as exc:
        raise cannot_open(path, exc) from exc
    if header and header != _SQLITE_MAGIC:
        raise _corrupt(path, t("journal.reason.not_sqlite"))


def _corrupt(path: Path, reason: str) -> JournalError:
    return JournalError(t("journal.corrupt", file=path, reason=reason))


def _prepare(conn: sqlite3.Connection, path: Path) -> bytes:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA journal_size_limit = 4194304")
    conn.execute("PRAGMA secure_delete = FAST")  # the values dropped are overwritten
    problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    if problems != ["ok"]:
        detail = t("journal.reason.check_failed", detail="; ".join(problems))
        raise _corrupt(path, detail)
    conn.execute("BEGIN IMMEDIATE")  # one process creates or migrates; the others wait
    try:
        _create_or_migrate(conn, path)
        key = _account_key(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return key


def _account_key(conn: sqlite3.Connection) -> bytes:
    """This journal's random key, made by the process that creates or migrates it."""
    row = conn.execute("SELECT key FROM account_key ORDER BY rowid LIMIT 1").fetchone()
    if row is None:
        row = (secrets.token_hex(32),)
        conn.execute("INSERT INTO account_key (key) VALUES (?)", row)
    return bytes.fromhex(row[0])


def _create_or_migrate(conn: sqlite3.Connection, path: Path) -> None:
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not tables:
        for statement in _CREATE:
            conn.execute(statement)
        return
    for table in _REQUIRED:
        if table not in tables:
            raise _corrupt(path, t("journal.reason.missing_table", table=table))
    row = conn.execute("SELECT MAX(schema_version) FROM meta").fetchone()
    found = row[0] if row else None
    if not isinstance(found, int):
        raise _corrupt(path, t("journal.reason.missing_table", table="meta"))
    if found > SCHEMA_VERSION:
        raise JournalError(
            t("journal.newer_version", file=path, found=found, supported=SCHEMA_VERSION)
        )
    for version in range(found, SCHEMA_VERSION):
        if version == 2:
            _refuse_live_runs(conn, path)
        for statement in _MIGRATIONS[version]:
            conn.execute(statement)


def _refuse_live_runs(conn: sqlite3.Connection, path: Path) -> None:
    """A process of version 2 still running would write rows of the old shape: wait."""
    alive = runs.live_runs(conn, runs.HEARTBEAT_EXPIRY)
    if alive:
        pids = conn.execute(
            f"SELECT pid FROM runs WHERE run_id IN ({','.join('?' * len(alive))})",  # noqa: S608
            sorted(alive),
        ).fetchall()
        pid = ", ".join(sorted({str(row[0]) for row in pids}))
        raise JournalError(t("journal.older_running", file=path, pid=pid))
