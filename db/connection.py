"""Open a PollDay database: pragmas, migrations, refusal of a newer schema.

Every election database is opened through `open_db`. WAL keeps readers (the quorum panel, the
big screen) off the writers' back; `synchronous=FULL` makes a commit durable before the screen
says "done"; foreign keys are always on.
"""

from __future__ import annotations

import os
import sqlite3
from importlib import resources
from pathlib import Path

import sqlite_utils

from db import identity
from db.files import ro_uri


class SchemaTooNew(Exception):
    """The database was written by a newer PollDay than this one."""

    def __init__(self, path: str, found: int, supported: int) -> None:
        super().__init__(
            f"数据库 {path} 的结构版本为 {found}，本程序只支持到 {supported}，请升级 PollDay 后再打开"
            f" (database schema {found} is newer than supported {supported})"
        )
        self.found = found
        self.supported = supported


ELECTION_MIGRATIONS = "migrations"


def migration_files(folder_name: str = ELECTION_MIGRATIONS) -> list[tuple[int, str]]:
    """Numbered migrations shipped in db/<folder_name> (db/migrations for an election database;
    another folder for another kind of database, e.g. the district's), as (version, sql)."""
    out: list[tuple[int, str]] = []
    folder = resources.files("db") / folder_name
    for entry in folder.iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            out.append((int(name[:4]), entry.read_text(encoding="utf-8")))
    out.sort()
    versions = [v for v, _ in out]
    if versions != list(range(1, len(versions) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {versions}")
    return out


def latest_version(folder_name: str = ELECTION_MIGRATIONS) -> int:
    return len(migration_files(folder_name))


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, path: str = "",
            folder_name: str = ELECTION_MIGRATIONS) -> int:
    """Apply pending migrations, one transaction each. Returns the resulting version."""
    current = schema_version(conn)
    files = migration_files(folder_name)
    if current > len(files):
        raise SchemaTooNew(path, current, len(files))
    for version, sql in files[current:]:
        # executescript would commit on its own; run the statements inside one explicit
        # transaction so a failing migration leaves the previous version intact.
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in split_sql(sql):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:  # SQLite may have rolled back already (disk full)
                conn.execute("ROLLBACK")
            raise
    return schema_version(conn)


def split_sql(script: str) -> list[str]:
    """Split a migration script into statements (triggers contain inner semicolons)."""
    statements: list[str] = []
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


def connect(path: str | Path, *, create: bool = True, migrate_schema: bool = True,
            migrations: str = ELECTION_MIGRATIONS) -> sqlite3.Connection:
    """A raw sqlite3 connection with PollDay's pragmas, migrated to the latest schema of
    `migrations` (the folder under db/ holding that kind of database's migrations)."""
    p = Path(path)
    if not create and not p.exists():
        raise FileNotFoundError(f"数据库文件不存在: {p}")
    if create:
        p.parent.mkdir(parents=True, exist_ok=True)
    # isolation_level=None: we manage transactions ourselves (BEGIN/COMMIT), which is what
    # sqlite-utils' db.atomic-style code and the migration runner expect.
    conn: sqlite3.Connection = sqlite3.connect(
        str(p), isolation_level=None, timeout=30, check_same_thread=False,
        factory=identity.PollDayConnection)
    try:
        try:
            _pragmas(conn)
        except sqlite3.OperationalError as e:
            if not p.exists() or not (_read_only_error(e) or not os.access(p.parent, os.W_OK)):
                raise
            # A WAL database in a folder nobody may write to (a write-protected stick, a
            # read-only share or file system): SQLite cannot create the -shm file and refuses
            # even to read ("readonly database", or "unable to open" on a read-only mount).
            # Open it read-only instead: reading commands work, a write is refused in words.
            conn.close()
            conn = _connect_read_only(p)
        if migrate_schema:
            migrate(conn, str(p), migrations)
    except BaseException:
        # A file refused (not a database, too new) must not stay open: on Windows that keeps
        # the USB stick it is on from being ejected.
        conn.close()
        raise
    identity.remember(conn, p)
    return conn


def _pragmas(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 30000")


def _read_only_error(e: sqlite3.Error) -> bool:
    name = getattr(e, "sqlite_errorname", "") or ""
    return name.startswith("SQLITE_READONLY") or "readonly database" in str(e).lower()


def connect_read_only(path: str | Path) -> sqlite3.Connection:
    """`path` opened read-only, never migrated nor written (a permission check before a use case
    that itself may only read): immutable when a WAL database's folder cannot be written."""
    return _connect_read_only(Path(path))


def _connect_read_only(p: Path) -> sqlite3.Connection:
    """`p` opened read-only; immutable when even that cannot read it (WAL without -shm in a
    read-only folder: nothing can write there, so nothing changes under the reader)."""
    last: sqlite3.Error | None = None
    for extra in ("", "&immutable=1"):
        conn = sqlite3.connect(ro_uri(p) + extra, uri=True, isolation_level=None, timeout=30,
                               check_same_thread=False, factory=identity.PollDayConnection)
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("SELECT count(*) FROM sqlite_schema").fetchone()
            return conn
        except sqlite3.Error as e:
            conn.close()
            last = e
    assert last is not None
    raise last


def open_db(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """A sqlite-utils Database over `connect`. Use `transaction(db)` for writes."""
    return sqlite_utils.Database(connect(path, create=create))
