"""The staff list's SQL (schema v6, table `staff`): names, roles, PIN hashes and the wrong-PIN
throttle. Writers run inside the caller's transaction (db.tx.transaction)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

_COLUMNS = ("id, name, roles, chief, person_id, pin_hash, pin_salt, pin_n, pin_r, pin_p, failed,"
            " locked_until, created_at, created_by, removed_at, removed_by")


@dataclass(frozen=True, slots=True)
class StaffRow:
    id: int
    name: str
    roles: tuple[str, ...]
    chief: bool
    person_id: int | None
    pin_hash: str
    pin_salt: str
    pin_n: int
    pin_r: int
    pin_p: int
    failed: int
    locked_until: str
    created_at: str
    created_by: str
    removed_at: str | None
    removed_by: str


def _row(r: tuple[object, ...]) -> StaffRow:
    (sid, name, roles, chief, person_id, h, salt, n, rr, p, failed, until, created_at, created_by,
     removed_at, removed_by) = r
    return StaffRow(id=int(str(sid)), name=str(name),
                    roles=tuple(x for x in str(roles).split(",") if x), chief=bool(chief),
                    person_id=None if person_id is None else int(str(person_id)),
                    pin_hash=str(h), pin_salt=str(salt), pin_n=int(str(n)), pin_r=int(str(rr)),
                    pin_p=int(str(p)), failed=int(str(failed)), locked_until=str(until),
                    created_at=str(created_at), created_by=str(created_by),
                    removed_at=None if removed_at is None else str(removed_at),
                    removed_by=str(removed_by))


def has_table(conn: sqlite3.Connection) -> bool:
    """False on a database opened read-only below schema v6 (connect() upgrades the others)."""
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'staff'"
                        ).fetchone() is not None


def any_active(conn: sqlite3.Connection) -> bool:
    """A staff list exists (one active member): stops at the first row."""
    if not has_table(conn):
        return False
    return bool(conn.execute("SELECT EXISTS (SELECT 1 FROM staff WHERE removed_at IS NULL)"
                             ).fetchone()[0])


def active_count(conn: sqlite3.Connection) -> int:
    if not has_table(conn):
        return 0
    return int(conn.execute("SELECT count(*) FROM staff WHERE removed_at IS NULL").fetchone()[0])


def active(conn: sqlite3.Connection) -> list[StaffRow]:
    """The active staff, in the order they were added."""
    if not has_table(conn):
        return []
    return [_row(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM staff WHERE removed_at IS NULL ORDER BY id")]


def by_name(conn: sqlite3.Connection, name: str) -> StaffRow | None:
    """The active member called `name`, or None."""
    if not has_table(conn):
        return None
    r = conn.execute(f"SELECT {_COLUMNS} FROM staff WHERE name = ? AND removed_at IS NULL",
                     (name,)).fetchone()
    return _row(r) if r is not None else None


def insert(conn: sqlite3.Connection, *, name: str, roles: tuple[str, ...], chief: bool,
           person_id: int | None, pin_hash: str, pin_salt: str, n: int, r: int, p: int,
           at: str, by: str) -> int:
    cur = conn.execute(
        "INSERT INTO staff (name, roles, chief, person_id, pin_hash, pin_salt, pin_n, pin_r,"
        " pin_p, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (name, ",".join(roles), int(chief), person_id, pin_hash, pin_salt, n, r, p, at, by))
    return int(cur.lastrowid or 0)


def set_pin(conn: sqlite3.Connection, staff_id: int, *, pin_hash: str, pin_salt: str, n: int,
            r: int, p: int) -> None:
    """A new PIN; the throttle starts again."""
    conn.execute("UPDATE staff SET pin_hash = ?, pin_salt = ?, pin_n = ?, pin_r = ?, pin_p = ?,"
                 " failed = 0, locked_until = '' WHERE id = ?",
                 (pin_hash, pin_salt, n, r, p, staff_id))


def set_roles(conn: sqlite3.Connection, staff_id: int, *, roles: tuple[str, ...], chief: bool,
              person_id: int | None) -> None:
    """A member's roles, 总监票人 flag and linked register person (the PIN stays)."""
    conn.execute("UPDATE staff SET roles = ?, chief = ?, person_id = ? WHERE id = ?",
                 (",".join(roles), int(chief), person_id, staff_id))


def set_throttle(conn: sqlite3.Connection, staff_id: int, *, failed: int, locked_until: str
                 ) -> None:
    conn.execute("UPDATE staff SET failed = ?, locked_until = ? WHERE id = ?",
                 (failed, locked_until, staff_id))


def remove(conn: sqlite3.Connection, staff_id: int, *, at: str, by: str) -> None:
    """The row stays (the audit names them); the PIN hash is wiped."""
    conn.execute("UPDATE staff SET removed_at = ?, removed_by = ?, pin_hash = '', pin_salt = ''"
                 " WHERE id = ?", (at, by, staff_id))


def candidate_contests(conn: sqlite3.Connection, person_id: int | None, name: str) -> list[str]:
    """The contests (titles) where this register person, or a candidate of this name, stands (by
    name too, as app.voting.rounds checks a round's officials)."""
    rows = conn.execute(
        "SELECT DISTINCT c.title FROM candidate AS k JOIN contest AS c ON c.id = k.contest_id"
        " WHERE k.person_id = ? OR k.name = ? ORDER BY c.id", (person_id, name)).fetchall()
    return [str(r[0]) for r in rows]
