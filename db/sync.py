"""SQL of the multi-desk sync (schema v4): the host's pairing, the desk's host, the desks the host
has heard of, and the shared document's stored updates. Writers run inside the caller's
transaction (db.tx.transaction)."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.files import ro_uri

Row = tuple[Any, ...]

HOST_COLUMNS = "room, meeting_code, secret, cert_pem, key_pem, fingerprint, created_at"
PEER_COLUMNS = "room, meeting_code, desk, instance, joined_at, acked_seq"
DESK_COLUMNS = "desk, instance, address, first_seen, last_contact, connected, reported_seq"


# --- host pairing -----------------------------------------------------------------------------

def select_host(conn: sqlite3.Connection) -> Row | None:
    row: Row | None = conn.execute(f"SELECT {HOST_COLUMNS} FROM sync_host WHERE id = 1").fetchone()
    return row


def insert_host(conn: sqlite3.Connection, *, room: str, meeting_code: str, secret: str,
                cert_pem: str, key_pem: str, fingerprint: str, created_at: str) -> None:
    conn.execute(f"INSERT INTO sync_host (id, {HOST_COLUMNS}) VALUES (1, ?, ?, ?, ?, ?, ?, ?)",
                 (room, meeting_code, secret, cert_pem, key_pem, fingerprint, created_at))


def set_host_sign_key(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("UPDATE sync_host SET sign_private = ? WHERE id = 1", (key,))


def select_host_sign_key(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT sign_private FROM sync_host WHERE id = 1").fetchone()
    return "" if row is None else str(row[0])


# --- the room's signing authority and the desk registry (schema v5) ---------------------------

def select_authority(conn: sqlite3.Connection) -> Row | None:
    """(public_key,) of the room's signing key, or None."""
    row: Row | None = conn.execute("SELECT public_key FROM room_key WHERE id = 1").fetchone()
    return row


def put_authority(conn: sqlite3.Connection, public_key: str, at: str) -> None:
    conn.execute("INSERT INTO room_key (id, public_key, created_at) VALUES (1, ?, ?)"
                 " ON CONFLICT (id) DO UPDATE SET public_key = excluded.public_key",
                 (public_key, at))


def select_desk_keys(conn: sqlite3.Connection) -> list[Row]:
    """(desk, public_key, certificate, revoked_at) of every desk in the registry."""
    return conn.execute("SELECT desk, public_key, certificate, revoked_at FROM desk_key"
                        " ORDER BY desk").fetchall()


def has_desk_key(conn: sqlite3.Connection, desk: str) -> bool:
    """Whether `desk` is in the registry (revoked or not)."""
    return conn.execute("SELECT 1 FROM desk_key WHERE desk = ?", (desk,)).fetchone() is not None


def select_desk_key_rows(conn: sqlite3.Connection) -> list[Row]:
    """(desk, public_key, certified_at, revoked_at, revoked_by, revoked_reason)."""
    return conn.execute("SELECT desk, public_key, certified_at, revoked_at, revoked_by,"
                        " revoked_reason FROM desk_key ORDER BY desk").fetchall()


def insert_desk_key(conn: sqlite3.Connection, *, desk: str, public_key: str, certificate: str,
                    at: str) -> None:
    conn.execute("INSERT INTO desk_key (desk, public_key, certificate, certified_at)"
                 " VALUES (?, ?, ?, ?)", (desk, public_key, certificate, at))


def revoke_desk_key(conn: sqlite3.Connection, desk: str, at: str, by: str, reason: str) -> bool:
    return conn.execute("UPDATE desk_key SET revoked_at = ?, revoked_by = ?,"
                        " revoked_reason = ? WHERE desk = ? AND revoked_at IS NULL",
                        (at, by, reason, desk)).rowcount == 1


def events_of_desk(conn: sqlite3.Connection, desk: str) -> list[Row]:
    """(desk, seq, kind, at, sig IS NOT NULL) of one desk's events, by seq."""
    return conn.execute("SELECT desk, seq, kind, at, sig IS NOT NULL FROM attendance_event"
                        " WHERE desk = ? ORDER BY seq", (desk,)).fetchall()


def event_counts_by_desk(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """Desk -> (its events in the log, how many of them unsigned), in one query."""
    return {str(d): (int(n), int(u)) for d, n, u in conn.execute(
        "SELECT desk, count(*), count(*) - count(sig) FROM attendance_event GROUP BY desk")}


def count_events_of_desk(conn: sqlite3.Connection, desk: str) -> int:
    return int(conn.execute("SELECT count(*) FROM attendance_event WHERE desk = ?",
                            (desk,)).fetchone()[0])


def count_unsigned(conn: sqlite3.Connection) -> int:
    return int(conn.execute(
        "SELECT count(*) FROM attendance_event WHERE sig IS NULL").fetchone()[0])


# --- event signatures -------------------------------------------------------------------------

def sigs_of(conn: sqlite3.Connection, event_ids: list[int]) -> dict[int, str]:
    """Event id -> its signature, for the signed ones among `event_ids`."""
    out: dict[int, str] = {}
    for start in range(0, len(event_ids), 500):
        chunk = event_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        out.update((int(i), str(s)) for i, s in conn.execute(
            f"SELECT id, sig FROM attendance_event WHERE id IN ({marks})"  # noqa: S608
            " AND sig IS NOT NULL", chunk))
    return out


def set_sig(conn: sqlite3.Connection, event_id: int, sig: str) -> None:
    """Sign an unsigned event (the only change the log allows, see migration 0005)."""
    conn.execute("UPDATE attendance_event SET sig = ? WHERE id = ? AND sig IS NULL",
                 (sig, event_id))


def insert_event_if_new(conn: sqlite3.Connection, row: tuple[Any, ...], sig: str | None) -> bool:
    """An event from another laptop (meeting_id, desk, seq, clock, kind, person_id, operator,
    at, reason, ref) with its signature; skipped when its desk:seq is known."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO attendance_event (meeting_id, desk, seq, clock, kind, person_id,"
        " operator, at, reason, ref, sig) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*row, sig))
    return cur.rowcount == 1


def set_peer_sign_key(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("UPDATE sync_peer SET sign_private = ? WHERE id = 1", (key,))


def select_peer_sign_key(conn: sqlite3.Connection) -> str:
    row = conn.execute("SELECT sign_private FROM sync_peer WHERE id = 1").fetchone()
    return "" if row is None else str(row[0])


# --- the desk's host --------------------------------------------------------------------------

def select_peer(conn: sqlite3.Connection) -> Row | None:
    row: Row | None = conn.execute(f"SELECT {PEER_COLUMNS} FROM sync_peer WHERE id = 1").fetchone()
    return row


def insert_peer(conn: sqlite3.Connection, *, room: str, meeting_code: str, desk: str,
                instance: str, joined_at: str, sign_private: str = "") -> None:
    conn.execute("INSERT OR REPLACE INTO sync_peer (id, room, meeting_code, desk, instance,"
                 " joined_at, sign_private)"
                 " VALUES (1, ?, ?, ?, ?, ?, ?)",
                 (room, meeting_code, desk, instance, joined_at, sign_private))


def update_acked(conn: sqlite3.Connection, acked_seq: int) -> None:
    conn.execute("UPDATE sync_peer SET acked_seq = max(acked_seq, ?) WHERE id = 1", (acked_seq,))


# --- desks seen by the host -------------------------------------------------------------------

def select_desks(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(f"SELECT {DESK_COLUMNS} FROM sync_desk ORDER BY desk").fetchall()


def select_desk(conn: sqlite3.Connection, desk: str) -> Row | None:
    row: Row | None = conn.execute(f"SELECT {DESK_COLUMNS} FROM sync_desk WHERE desk = ?",
                                   (desk,)).fetchone()
    return row


def upsert_desk(conn: sqlite3.Connection, *, desk: str, instance: str, address: str, at: str,
                connected: bool, reported_seq: int) -> None:
    conn.execute(
        "INSERT INTO sync_desk (desk, instance, address, first_seen, last_contact, connected,"
        " reported_seq) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (desk) DO UPDATE SET"
        " address = excluded.address, last_contact = excluded.last_contact,"
        " connected = excluded.connected,"
        " reported_seq = max(sync_desk.reported_seq, excluded.reported_seq)",
        (desk, instance, address, at, at, int(connected), reported_seq))


def touch_desks(conn: sqlite3.Connection, contacts: Iterable[tuple[str, str, int]]) -> None:
    """(desk, last_contact, reported_seq) for desks heard from since the last write."""
    conn.executemany("UPDATE sync_desk SET last_contact = ?, reported_seq = max(reported_seq, ?)"
                     " WHERE desk = ?", ((at, seq, desk) for desk, at, seq in contacts))


def set_connected(conn: sqlite3.Connection, desk: str, connected: bool, at: str) -> None:
    conn.execute("UPDATE sync_desk SET connected = ?, last_contact = ? WHERE desk = ?",
                 (int(connected), at, desk))


def reset_connected(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE sync_desk SET connected = 0")


# --- the shared document ----------------------------------------------------------------------

def select_updates(conn: sqlite3.Connection) -> list[bytes]:
    return [bytes(r[0]) for r in conn.execute("SELECT data FROM sync_update ORDER BY id")]


def count_updates(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM sync_update").fetchone()[0])


def insert_updates(conn: sqlite3.Connection, updates: Iterable[bytes]) -> None:
    conn.executemany("INSERT INTO sync_update (data) VALUES (?)", ((u,) for u in updates))


def replace_updates(conn: sqlite3.Connection, merged: bytes) -> None:
    """Compaction: every stored update replaced by one that holds them all."""
    conn.execute("DELETE FROM sync_update")
    conn.execute("INSERT INTO sync_update (data) VALUES (?)", (merged,))


# --- per-desk progress of the event log -------------------------------------------------------

def desk_seqs(conn: sqlite3.Connection) -> dict[str, tuple[int, int]]:
    """desk -> (number of events, highest seq) over the whole log."""
    return {str(d): (int(n), int(m)) for d, n, m in conn.execute(
        "SELECT desk, count(*), max(seq) FROM attendance_event GROUP BY desk")}


def seqs_of(conn: sqlite3.Connection, desk: str) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT seq FROM attendance_event WHERE desk = ? ORDER BY seq", (desk,))]


def event_keys(conn: sqlite3.Connection) -> set[str]:
    return {f"{d}:{s}" for d, s in conn.execute("SELECT desk, seq FROM attendance_event")}


# --- the copy a joining desk receives ---------------------------------------------------------

def copy_for_desk(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent copy of the database for a joining desk, without the host's secrets and
    registry (VACUUM INTO reads in one transaction; the copy is vacuumed again so no freed page
    keeps the TLS key)."""
    conn.execute("VACUUM INTO ?", (str(target),))
    dst = sqlite3.connect(target)
    try:
        dst.execute("PRAGMA secure_delete = ON")
        dst.execute("DELETE FROM sync_host")
        dst.execute("DELETE FROM sync_desk")
        strip_staff_pins(dst)
        dst.commit()
        dst.execute("VACUUM")
    finally:
        dst.close()


# --- refused connection attempts (audit rows written by the host) -----------------------------

def select_refusals(conn: sqlite3.Connection, actions: tuple[str, ...], limit: int) -> list[Row]:
    """(action, at, detail) of the audit rows of these actions, newest first."""
    marks = ",".join("?" * len(actions))
    return conn.execute(f"SELECT action, at, detail FROM audit WHERE action IN ({marks})"
                        " ORDER BY id DESC LIMIT ?", (*actions, limit)).fetchall()


def count_refusals(conn: sqlite3.Connection, one: str, more: str) -> tuple[int, int]:
    """(rows of `one`, sum of the counts of the `more` rows)."""
    a, b = conn.execute(
        "SELECT count(*) FILTER (WHERE action = ?),"
        " coalesce(sum(json_extract(detail, '$.count')) FILTER (WHERE action = ?), 0)"
        " FROM audit WHERE action IN (?, ?)", (one, more, one, more)).fetchone()
    return int(a), int(b)


# --- the register on a desk, refreshed from the host ------------------------------------------
# The host owns the register: persons, their search keys, the electors of each meeting, the
# exclusions (不计入应到), leave (请假), proxies (委托) and the desks with what each one serves. A
# desk that joined keeps a copy; when the host's copy changes (a late correction, a leave phoned
# in, a desk's scope set) the desk takes the host's tables
# whole. Its own attendance events are never touched, and a person the host removed stays on a
# desk that already recorded an event for them.

# (table, ORDER BY) of what the register version covers; person_key is derived from person.
# The desk registry (keys, revocations) and the room's public key travel with it (schema v5).
VERSIONED = (("person", "id"), ("meeting_elector", "meeting_id, person_id"),
             ("exclusion", "id"), ("leave", "meeting_id, person_id"), ("proxy", "id"),
             ("desk", "id"), ("room_key", "id"), ("desk_key", "desk"))
REPLACED = ("person_key", "meeting_elector", "exclusion", "leave", "proxy", "desk",
            "room_key", "desk_key")
# Tables whose rows keep a person on a desk even when the host no longer has them.
KEEPS_PERSON = (("attendance_event", "person_id"), ("attendance_snapshot_person", "person_id"),
                ("candidate", "person_id"), ("round_candidate", "person_id"))


# The staff list travels with the register (names, roles, PIN hashes: a desk signs its staff on
# without the host). The wrong-PIN throttle (failed, locked_until) is each laptop's own: it
# neither changes the version nor is overwritten on a desk.
STAFF_SHARED = ("id, name, roles, chief, person_id, pin_hash, pin_salt, pin_n, pin_r, pin_p,"
                " created_at, created_by, removed_at, removed_by")
# Only the PINs of those who sign on at a desk (签到员, 主持人) travel: a desk laptop lost or
# stolen must not hand the 监票人's and 计票人's hashes to an offline guesser. The others' rows
# arrive with the hash and salt blank (named, never signed on there).
_AT_DESK = ("((',' || roles || ',') LIKE '%,desk,%' OR (',' || roles || ',') LIKE '%,host,%')")
STAFF_FOR_DESK = STAFF_SHARED.replace(
    "pin_hash, pin_salt", f"CASE WHEN {_AT_DESK} THEN pin_hash ELSE '' END,"
                          f" CASE WHEN {_AT_DESK} THEN pin_salt ELSE '' END")


def strip_staff_pins(conn: sqlite3.Connection) -> None:
    """In a copy for a desk: blank the PINs of the staff who do not sign on at a desk."""
    if _has_staff(conn, "main"):
        conn.execute(f"UPDATE staff SET pin_hash = '', pin_salt = '' WHERE NOT {_AT_DESK}")  # noqa: S608


def _has_staff(conn: sqlite3.Connection, schema: str) -> bool:
    return conn.execute(f"SELECT 1 FROM {schema}.sqlite_schema WHERE type = 'table'"  # noqa: S608
                        " AND name = 'staff'").fetchone() is not None


def register_version(conn: sqlite3.Connection, schema: str = "main") -> str:
    """A digest of the register's rows: equal on host and desk when the desk is up to date."""
    h = hashlib.sha256()
    for table, order in VERSIONED:
        h.update(f"\x00{table}\x00".encode())
        for row in conn.execute(f'SELECT * FROM {schema}."{table}" ORDER BY {order}'):  # noqa: S608 - fixed names
            h.update(repr(row).encode("utf-8"))
    staff = conn.execute(f"SELECT {STAFF_FOR_DESK} FROM {schema}.staff ORDER BY id"  # noqa: S608
                         ).fetchall() if _has_staff(conn, schema) else []
    if staff:   # (a database without a staff list keeps the version it had)
        h.update(b"\x00staff\x00")
        for row in staff:
            h.update(repr(row).encode("utf-8"))
    return h.hexdigest()[:32]


def register_version_of_file(path: Path) -> str:
    """`register_version` of a copy, read-only (the file is not touched)."""
    conn = sqlite3.connect(ro_uri(path), uri=True)
    try:
        return register_version(conn)
    finally:
        conn.close()


@dataclass(frozen=True, slots=True)
class RegisterChange:
    added: int        # persons new on this desk
    changed: int      # persons whose details changed
    removed: int      # persons the host no longer has, removed here
    kept: int         # ... kept here because this desk recorded something for them
    version: str
    lists: tuple[str, ...] = ()   # the other tables that changed (REPLACED, but person_key)


def _columns(conn: sqlite3.Connection, schema: str, table: str) -> list[str]:
    return [str(r[1]) for r in conn.execute(f'PRAGMA {schema}.table_info("{table}")')]


def merge_register(conn: sqlite3.Connection) -> RegisterChange:
    """Take the register tables of the host's copy, attached as schema `h` (`attach_host_copy`:
    ATTACH cannot run inside a transaction), into this desk's database, inside the caller's
    transaction."""
    for table in ("person", *REPLACED):
        if _columns(conn, "main", table) != _columns(conn, "h", table):
            raise ValueError(f"主机与本机的数据库版本不同（{table} 表结构不一致），请升级到同一版本")
    staff = _has_staff(conn, "main") and _has_staff(conn, "h") and conn.execute(
        f"SELECT EXISTS (SELECT {STAFF_SHARED} FROM main.staff EXCEPT"  # noqa: S608
        f" SELECT {STAFF_FOR_DESK} FROM h.staff) OR EXISTS (SELECT {STAFF_FOR_DESK} FROM h.staff"
        f" EXCEPT SELECT {STAFF_SHARED} FROM main.staff)").fetchone()[0]
    if staff:   # out first (it names persons), back in after the persons
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS pd_throttle"
                     " (name TEXT PRIMARY KEY, failed INTEGER, locked_until TEXT)")
        conn.execute("DELETE FROM temp.pd_throttle")
        conn.execute("INSERT INTO temp.pd_throttle SELECT name, failed, locked_until"
                     " FROM main.staff WHERE removed_at IS NULL")
        conn.execute("DELETE FROM main.staff")
    cols = _columns(conn, "main", "person")
    differs = " OR ".join(f"p.{c} IS NOT q.{c}" for c in cols if c != "id")
    added = [r[0] for r in conn.execute(
        "SELECT id FROM h.person WHERE id NOT IN (SELECT id FROM main.person)")]
    changed = [r[0] for r in conn.execute(
        f"SELECT p.id FROM main.person p JOIN h.person q ON q.id = p.id WHERE {differs}")]  # noqa: S608
    gone = [r[0] for r in conn.execute(
        "SELECT id FROM main.person WHERE id NOT IN (SELECT id FROM h.person)")]
    lists = tuple(t for t in REPLACED if t != "person_key" and conn.execute(
        f'SELECT EXISTS (SELECT * FROM main."{t}" EXCEPT SELECT * FROM h."{t}")'  # noqa: S608
        f' OR EXISTS (SELECT * FROM h."{t}" EXCEPT SELECT * FROM main."{t}")').fetchone()[0])
    # Only what differs is written: a leave phoned in rewrites the leave list, not 20,000 persons.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS pd_touched (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.pd_touched")
    conn.executemany("INSERT INTO temp.pd_touched (id) VALUES (?)",
                     [(i,) for i in added + changed])
    for table in lists:   # a list that names a person the host removed differs, so it goes too
        conn.execute(f'DELETE FROM main."{table}"')  # noqa: S608 - fixed names
    conn.executemany("DELETE FROM main.person_key WHERE person_id = ?",
                     [(i,) for i in changed + gone])
    # Unique token / id_number may move between persons: free them before the upsert.
    conn.executemany("UPDATE main.person SET token = '~' || id, id_number = NULL WHERE id = ?",
                     [(i,) for i in changed + gone])
    names = ", ".join(cols)
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
    conn.execute(f"INSERT INTO main.person ({names}) SELECT {names} FROM h.person"  # noqa: S608
                 " WHERE id IN (SELECT id FROM temp.pd_touched)"
                 f" ON CONFLICT (id) DO UPDATE SET {updates}")
    kept_by = " UNION ".join(f'SELECT {c} FROM main."{t}" WHERE {c} IS NOT NULL'
                             for t, c in KEEPS_PERSON)
    removed = conn.execute(
        f"DELETE FROM main.person WHERE id NOT IN (SELECT id FROM h.person)"  # noqa: S608
        f" AND id NOT IN ({kept_by})").rowcount
    key_cols = ", ".join(_columns(conn, "main", "person_key"))
    conn.execute(f"INSERT INTO main.person_key ({key_cols}) SELECT {key_cols} FROM h.person_key"  # noqa: S608
                 " WHERE person_id IN (SELECT id FROM temp.pd_touched)")
    for table in lists:
        tcols = ", ".join(_columns(conn, "main", table))
        conn.execute(f'INSERT INTO main."{table}" ({tcols}) SELECT {tcols} FROM h."{table}"')  # noqa: S608
    conn.execute("DELETE FROM temp.pd_touched")
    if staff:
        conn.execute(f"INSERT INTO main.staff ({STAFF_SHARED}) SELECT {STAFF_FOR_DESK}"  # noqa: S608
                     " FROM h.staff")
        conn.execute("UPDATE main.staff SET"
                     " failed = (SELECT t.failed FROM temp.pd_throttle AS t"
                     "           WHERE t.name = staff.name),"
                     " locked_until = (SELECT t.locked_until FROM temp.pd_throttle AS t"
                     "                 WHERE t.name = staff.name)"
                     " WHERE removed_at IS NULL AND name IN (SELECT name FROM temp.pd_throttle)")
        conn.execute("DELETE FROM temp.pd_throttle")
        lists += ("staff",)
    return RegisterChange(len(added), len(changed), int(removed), len(gone) - int(removed),
                          register_version(conn, "h"), lists)


def copy_register_for_desk(conn: sqlite3.Connection, target: Path) -> None:
    """The register tables alone (what `merge_register` reads), for a joined desk: a consistent
    snapshot (VACUUM INTO) stripped of everything else and of the secondary indexes, so a
    refresh sends ~60% less than the whole database (less again once compressed)."""
    conn.execute("VACUUM INTO ?", (str(target),))
    keep = {t for t, _ in VERSIONED} | set(REPLACED) | {"staff"}
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        dst.execute("PRAGMA foreign_keys = OFF")
        dst.execute("PRAGMA secure_delete = ON")
        dst.execute("BEGIN")
        for kind, name in dst.execute(
                "SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'"
                " AND type IN ('table', 'index', 'trigger', 'view')").fetchall():
            if kind == "table" and name in keep:
                continue
            if kind == "table":
                dst.execute(f'DROP TABLE IF EXISTS "{name}"')
            elif kind == "index":
                dst.execute(f'DROP INDEX IF EXISTS "{name}"')
            else:
                dst.execute(f'DROP {kind.upper()} IF EXISTS "{name}"')
        strip_staff_pins(dst)
        dst.execute("COMMIT")
        dst.execute("VACUUM")
    finally:
        dst.close()


def attach_host_copy(conn: sqlite3.Connection, host_copy: Path) -> None:
    conn.execute("ATTACH DATABASE ? AS h", (str(host_copy),))


def detach_host_copy(conn: sqlite3.Connection) -> None:
    conn.execute("DETACH DATABASE h")
