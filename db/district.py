"""The district office's database: connect (PollDay's pragmas and migration runner over
db/district_migrations, its own user_version sequence) and the queries of app.district.

A district database is never an election database: `connect` refuses a file that holds another
schema (an election database opened here by mistake would otherwise be "migrated" into both).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.connection import connect as _connect
from db.connection import migrate, schema_version
from db.tx import transaction

MIGRATIONS = "district_migrations"
KIND = "pollday-district"


class NotADistrictDatabase(Exception):
    """The file is a SQLite database of another kind (e.g. a community's election database)."""


def connect(path: str | Path, *, create: bool = True) -> sqlite3.Connection:
    """The district database at `path`, created and migrated as needed."""
    conn = _connect(path, create=create, migrate_schema=False)
    try:
        if schema_version(conn) > 0 and _kind(conn) != KIND:
            raise NotADistrictDatabase(
                f"{path} 不是区（街道）换届办汇总数据库（可能是社区的选举数据库）")
        migrate(conn, str(path), MIGRATIONS)
    except BaseException:
        conn.close()
        raise
    return conn


def _kind(conn: sqlite3.Connection) -> str | None:
    has = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = "
                       "'district_meta'").fetchone()
    if not has:
        return None
    row = conn.execute("SELECT value FROM district_meta WHERE key = 'kind'").fetchone()
    return str(row[0]) if row else None


@dataclass(frozen=True, slots=True)
class PackageRow:
    id: int
    manifest_sha256: str
    short_hash: str
    community: str
    street: str
    exported_at: str
    exported_utc: str
    fingerprint: str
    file_name: str
    file_sha256: str
    imported_at: str
    key_flag: str
    manifest: str
    results: str
    elected: str


_PACKAGE_COLS = ("id, manifest_sha256, short_hash, community, street, exported_at, exported_utc, "
                 "fingerprint, file_name, file_sha256, imported_at, key_flag, manifest, results, "
                 "elected")


def package_by_manifest(conn: sqlite3.Connection, manifest_sha256: str) -> PackageRow | None:
    row = conn.execute(f"SELECT {_PACKAGE_COLS} FROM package WHERE manifest_sha256 = ?",
                       (manifest_sha256,)).fetchone()
    return PackageRow(*row) if row else None


def packages(conn: sqlite3.Connection, community: str | None = None, *,
             light: bool = False) -> list[PackageRow]:
    """Packages in (community, export time, id) order; `light` leaves the JSON columns empty."""
    cols = _PACKAGE_COLS if not light else _PACKAGE_COLS.replace(
        "manifest, results, elected", "'', '', ''")
    if community is None:
        rows = conn.execute(f"SELECT {cols} FROM package ORDER BY community, exported_utc, id")
    else:
        rows = conn.execute(f"SELECT {cols} FROM package WHERE community = ? "
                            "ORDER BY exported_utc, id", (community,))
    return [PackageRow(*r) for r in rows]


def current_packages(conn: sqlite3.Connection) -> list[PackageRow]:
    """Per community its latest package (latest export time, then latest import)."""
    rows = conn.execute(
        f"SELECT {_PACKAGE_COLS} FROM package p WHERE p.id = (SELECT q.id FROM package q "
        "WHERE q.community = p.community ORDER BY q.exported_utc DESC, q.id DESC LIMIT 1) "
        "ORDER BY p.community")
    return [PackageRow(*r) for r in rows]


def insert_package(conn: sqlite3.Connection, values: dict[str, Any]) -> int:
    cols = [c.strip() for c in _PACKAGE_COLS.split(",")][1:]
    cur = conn.execute(f"INSERT INTO package ({', '.join(cols)}) VALUES "
                       f"({', '.join('?' for _ in cols)})", [values[c] for c in cols])
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def add_attempt(conn: sqlite3.Connection, *, at: str, file_name: str, community: str,
                short_hash: str, fingerprint: str, result: str, reason: str,
                package_id: int | None) -> None:
    conn.execute("INSERT INTO import_attempt (at, file_name, community, short_hash, fingerprint, "
                 "result, reason, package_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (at, file_name, community, short_hash, fingerprint, result, reason, package_id))


def attempts(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    cur = conn.execute("SELECT id, at, file_name, community, short_hash, fingerprint, result, "
                       "reason, package_id FROM import_attempt ORDER BY id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]


def replace_plan(conn: sqlite3.Connection, rows: list[tuple[str, str, str]], at: str) -> None:
    """The plan is replaced as a whole by a new plan file: (community, plan date, street)."""
    with transaction(conn):
        conn.execute("DELETE FROM plan")
        conn.executemany("INSERT INTO plan (community, plan_date, street, imported_at) "
                         "VALUES (?, ?, ?, ?)", [(c, d, s, at) for c, d, s in rows])


def plan(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [(str(c), str(d), str(s)) for c, d, s in conn.execute(
        "SELECT community, plan_date, street FROM plan ORDER BY plan_date, community")]


def replace_previous(conn: sqlite3.Connection, rows: list[tuple[str, str, str]], at: str) -> None:
    """The previous term's figures, replaced as a whole: (body, metric, decimal text)."""
    with transaction(conn):
        conn.execute("DELETE FROM previous_term")
        conn.executemany("INSERT INTO previous_term (body, metric, value, imported_at) "
                         "VALUES (?, ?, ?, ?)", [(b, m, v, at) for b, m, v in rows])


def previous(conn: sqlite3.Connection) -> list[tuple[str, str, str]]:
    return [(str(b), str(m), str(v)) for b, m, v in conn.execute(
        "SELECT body, metric, value FROM previous_term ORDER BY body, metric")]


def register_key(conn: sqlite3.Connection, community: str, fingerprint: str, at: str) -> None:
    with transaction(conn):
        conn.execute("INSERT OR IGNORE INTO registered_key (community, fingerprint, "
                     "registered_at) VALUES (?, ?, ?)", (community, fingerprint, at))


def registered_keys(conn: sqlite3.Connection, community: str) -> list[str]:
    return [str(r[0]) for r in conn.execute(
        "SELECT fingerprint FROM registered_key WHERE community = ? ORDER BY fingerprint",
        (community,))]
