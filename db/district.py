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


def replace_previous(conn: sqlite3.Connection, rows: list[tuple[str, str, str, str]],
                     at: str) -> None:
    """The previous term's figures, replaced as a whole: (body, post, metric, decimal text);
    post '' for the body as a whole."""
    with transaction(conn):
        conn.execute("DELETE FROM previous_term")
        conn.executemany("INSERT INTO previous_term (body, post, metric, value, imported_at) "
                         "VALUES (?, ?, ?, ?, ?)", [(b, p, m, v, at) for b, p, m, v in rows])


def previous(conn: sqlite3.Connection) -> list[tuple[str, str, str, str]]:
    return [(str(b), str(p), str(m), str(v)) for b, p, m, v in conn.execute(
        "SELECT body, post, metric, value FROM previous_term ORDER BY body, post, metric")]


def option(conn: sqlite3.Connection, key: str, default: str) -> str:
    row = conn.execute("SELECT value FROM district_meta WHERE key = ?", (key,)).fetchone()
    return default if row is None else str(row[0])


def set_option(conn: sqlite3.Connection, key: str, value: str) -> None:
    with transaction(conn):
        conn.execute("INSERT INTO district_meta (key, value) VALUES (?, ?) ON CONFLICT (key) "
                     "DO UPDATE SET value = excluded.value", (key, value))


def register_key(conn: sqlite3.Connection, community: str, fingerprint: str, at: str, *,
                 source: str = "slip", by: str = "", reason: str = "") -> None:
    """Register the community's key and log the decision (one transaction). `source` 'slip'
    (typed from the paper slip) or 'confirmed' (a person compared a package's fingerprint)."""
    with transaction(conn):
        conn.execute("INSERT OR IGNORE INTO registered_key (community, fingerprint, "
                     "registered_at, source) VALUES (?, ?, ?, ?)",
                     (community, fingerprint, at, source))
        _decide(conn, at=at, by=by or "未署名",
                action="confirm_key" if source == "confirmed" else "register_key",
                community=community, package_id=None, fingerprint=fingerprint,
                reason=reason or ("与纸质交接单核对一致" if source == "confirmed"
                                  else "按纸质交接单登记"))


def registered_keys(conn: sqlite3.Connection, community: str) -> list[str]:
    return [str(r[0]) for r in conn.execute(
        "SELECT fingerprint FROM registered_key WHERE community = ? ORDER BY fingerprint",
        (community,))]


def package_rows(conn: sqlite3.Connection, ids: list[int]) -> list[PackageRow]:
    """Full rows (JSON included) of the packages `ids`, in community order."""
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    return [PackageRow(*r) for r in conn.execute(
        f"SELECT {_PACKAGE_COLS} FROM package WHERE id IN ({marks}) ORDER BY community, id",
        ids)]


def find_packages(conn: sqlite3.Connection, ref: str) -> list[PackageRow]:
    """Packages by short hash (the one printed on the slip) or by id (`12` or `#12`)."""
    ref = ref.strip().lstrip("#")
    cols = _PACKAGE_COLS.replace("manifest, results, elected", "'', '', ''")
    if ref.isdigit():
        rows = conn.execute(f"SELECT {cols} FROM package WHERE id = ? OR short_hash = ?",
                            (int(ref), ref))
    else:
        rows = conn.execute(f"SELECT {cols} FROM package WHERE short_hash = ?", (ref.lower(),))
    return [PackageRow(*r) for r in rows]


@dataclass(frozen=True, slots=True)
class Decision:
    id: int
    at: str
    by: str
    action: str        # approve | exclude | include | confirm_key | register_key
    community: str
    package_id: int | None
    fingerprint: str
    reason: str

    def json(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at, "by": self.by, "action": self.action,
                "community": self.community, "package_id": self.package_id,
                "fingerprint": self.fingerprint, "reason": self.reason}


def _decide(conn: sqlite3.Connection, *, at: str, by: str, action: str, community: str,
            package_id: int | None, fingerprint: str, reason: str) -> None:
    conn.execute("INSERT INTO decision (at, by, action, community, package_id, fingerprint, "
                 "reason) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (at, by, action, community, package_id, fingerprint, reason))


def add_decision(conn: sqlite3.Connection, *, at: str, by: str, action: str, community: str,
                 package_id: int, fingerprint: str, reason: str) -> None:
    """Approve, exclude or include a package: one row of the append-only decision log."""
    with transaction(conn):
        _decide(conn, at=at, by=by, action=action, community=community, package_id=package_id,
                fingerprint=fingerprint, reason=reason)


def decisions(conn: sqlite3.Connection) -> list[Decision]:
    return [Decision(*r) for r in conn.execute(
        "SELECT id, at, by, action, community, package_id, fingerprint, reason FROM decision "
        "ORDER BY id")]
