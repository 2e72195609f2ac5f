"""Questions about a database file and its connection that callers outside db/ need answered
(kept here so no SQL or PRAGMA lives outside db/)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def ro_uri(path: Path) -> str:
    """The SQLite URI that opens `path` read-only. Built from `Path.as_uri()`, which escapes
    `#`, `?` and `%` in folder names (a folder named `h#d` made `file:h#d/x.db` open `h`) and
    writes Windows drive letters the way SQLite expects (file:///C:/...)."""
    return f"{path.resolve().as_uri()}?mode=ro"


def holds_data(path: Path) -> bool:
    """True when PATH exists and is anything but an empty file or an empty PollDay database."""
    if not path.exists():
        return False
    if path.stat().st_size == 0:
        return False
    try:
        raw = sqlite3.connect(ro_uri(path), uri=True)
        try:
            tables = [r[0] for r in raw.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            return any(raw.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() for t in tables)
        finally:
            raw.close()
    except sqlite3.DatabaseError:
        return True  # not a database we understand: never overwrite it silently


def integrity_ok(path: Path) -> bool:
    """PRAGMA integrity_check of a file opened read-only; False when it cannot be read."""
    try:
        c = sqlite3.connect(ro_uri(path), uri=True)
        try:
            # integrity_check, not quick_check: SQLite 3.40's quick_check reports false "NULL
            # value in person_key.person_id" on WITHOUT ROWID tables.
            return bool(c.execute("PRAGMA integrity_check").fetchone()[0] == "ok")
        finally:
            c.close()
    except sqlite3.Error:
        return False


def checkpoint(conn: sqlite3.Connection) -> None:
    """Fold the WAL into the main file, so the file alone is the whole database."""
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def data_version(conn: sqlite3.Connection) -> int:
    """Changes by other connections since this one opened (PRAGMA data_version)."""
    return int(conn.execute("PRAGMA data_version").fetchone()[0])


def throwaway(conn: sqlite3.Connection) -> None:
    """For a scratch copy whose writes need not survive a crash: no fsync on commit."""
    conn.execute("PRAGMA synchronous = OFF")
