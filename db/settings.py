"""SQL for the `setting` table (key -> text value): small facts about this database, such as the
public keys that signed its certificates."""

from __future__ import annotations

import sqlite3


def get(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM setting WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def put(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO setting (key, value) VALUES (?, ?)"
                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def with_prefix(conn: sqlite3.Connection, prefix: str) -> dict[str, str]:
    rows = conn.execute("SELECT key, value FROM setting WHERE substr(key, 1, ?) = ?",
                        (len(prefix), prefix)).fetchall()
    return {str(k): str(v) for k, v in rows}
