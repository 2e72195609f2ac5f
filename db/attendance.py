"""SQL of the attendance event log (attendance_event), the 实到 snapshots and proxies.

The event log is append-only (triggers refuse UPDATE and DELETE). Writers run inside the
caller's transaction (db.tx.transaction); rows come back as plain tuples in the order of the
*_COLUMNS constants and the app.attendance package turns them into dataclasses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

Row = tuple[Any, ...]

EVENT_COLUMNS = "id, meeting_id, desk, seq, clock, kind, person_id, operator, at, reason, ref"
SNAPSHOT_COLUMNS = (
    "id, meeting_id, round_label, taken_at, operator, expected, present, excluded, on_leave,"
    " quorum_met, rule_zh, last_clock"
)
PROXY_COLUMNS = "id, meeting_id, principal_id, proxy_id, document_ref, recorded_at"

# Events in merge order: the hybrid logical clock (app.clock), then the desk name, then the desk's
# own sequence.
_ORDER = "ORDER BY clock, desk, seq"


@contextmanager
def read_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """A consistent read (deferred BEGIN: in WAL mode it never blocks a desk that writes)."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("COMMIT")


# --- the event log ----------------------------------------------------------------------------

def next_seq(conn: sqlite3.Connection, desk: str) -> int:
    """The next sequence number of `desk` (1 for its first event)."""
    row = conn.execute("SELECT max(seq) FROM attendance_event WHERE desk = ?", (desk,)).fetchone()
    return int(row[0] or 0) + 1


def max_clock(conn: sqlite3.Connection) -> int:
    """The highest event clock in this database, merged events included (0 when the log is
    empty)."""
    row = conn.execute("SELECT max(clock) FROM attendance_event").fetchone()
    return int(row[0] or 0)


def max_person_clock(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> int:
    """The highest clock of one person's events in a meeting, merged ones included (0 when
    there are none): an index lookup."""
    row = conn.execute("SELECT max(clock) FROM attendance_event WHERE meeting_id = ?"
                       " AND person_id = ?", (meeting_id, person_id)).fetchone()
    return int(row[0] or 0)


def insert_event(conn: sqlite3.Connection, *, meeting_id: int, desk: str, seq: int, clock: int,
                 kind: str, person_id: int, operator: str, at: str, reason: str = "",
                 ref: str = "") -> int:
    cur = conn.execute(
        "INSERT INTO attendance_event (meeting_id, desk, seq, clock, kind, person_id, operator,"
        " at, reason, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (meeting_id, desk, seq, clock, kind, person_id, operator, at, reason, ref))
    return int(cur.lastrowid or 0)


def insert_event_if_new(conn: sqlite3.Connection, row: Sequence[Any]) -> bool:
    """Insert an event from another desk's log (columns of EVENT_COLUMNS minus id); an event
    already known by its desk:seq is skipped. Returns whether it was new."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO attendance_event (meeting_id, desk, seq, clock, kind, person_id,"
        " operator, at, reason, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", tuple(row))
    return cur.rowcount == 1


def select_event(conn: sqlite3.Connection, desk: str, seq: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM attendance_event WHERE desk = ? AND seq = ?",
        (desk, seq)).fetchone()
    return row


def select_events(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    """A meeting's whole log in merge order."""
    return conn.execute(f"SELECT {EVENT_COLUMNS} FROM attendance_event WHERE meeting_id = ?"
                        f" {_ORDER}", (meeting_id,)).fetchall()


def select_person_events(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> list[Row]:
    """One person's events in a meeting, in merge order (an index lookup)."""
    return conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM attendance_event WHERE meeting_id = ? AND person_id = ?"
        f" {_ORDER}", (meeting_id, person_id)).fetchall()


def select_events_after(conn: sqlite3.Connection, meeting_id: int, after_id: int) -> list[Row]:
    """A meeting's events with a local row id above `after_id`, by id."""
    return conn.execute(f"SELECT {EVENT_COLUMNS} FROM attendance_event WHERE meeting_id = ?"
                        " AND id > ? ORDER BY id", (meeting_id, after_id)).fetchall()


def audit_mark(conn: sqlite3.Connection) -> int:
    """The id of the last audit row: it moves whenever the register or a meeting changes."""
    row = conn.execute("SELECT max(id) FROM audit").fetchone()
    return int(row[0] or 0)


def select_events_since(conn: sqlite3.Connection, after_id: int) -> list[Row]:
    """Events with a local row id above `after_id` (what a desk has not sent yet)."""
    return conn.execute(f"SELECT {EVENT_COLUMNS} FROM attendance_event WHERE id > ? ORDER BY id",
                        (after_id,)).fetchall()


def _in_chunks(conn: sqlite3.Connection, sql: str, wanted: list[Any]) -> Iterator[Row]:
    """The rows of `sql` (its IN list written `{marks}`) for `wanted`, 500 values a query."""
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        yield from conn.execute(sql.format(marks=marks), chunk)


def person_ids_by_token(conn: sqlite3.Connection, tokens: Iterable[str]) -> dict[str, int]:
    return {str(token): int(pid) for token, pid in _in_chunks(
        conn, "SELECT token, id FROM person WHERE token IN ({marks})", list(dict.fromkeys(tokens)))}


def tokens_of(conn: sqlite3.Connection, person_ids: Iterable[int]) -> dict[int, str]:
    return {int(pid): str(token) for pid, token in _in_chunks(
        conn, "SELECT id, token FROM person WHERE id IN ({marks})", sorted(set(person_ids)))}


# --- snapshots (实到 frozen when voting opens) ----------------------------------------------------

def insert_snapshot(conn: sqlite3.Connection, *, meeting_id: int, round_label: str,
                    taken_at: str, operator: str, expected: int, present: int, excluded: int,
                    on_leave: int, quorum_met: bool, rule_zh: str, last_clock: int,
                    person_ids: Iterable[int]) -> int:
    cur = conn.execute(
        "INSERT INTO attendance_snapshot (meeting_id, round_label, taken_at, operator, expected,"
        " present, excluded, on_leave, quorum_met, rule_zh, last_clock)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (meeting_id, round_label, taken_at, operator, expected, present, excluded, on_leave,
         int(quorum_met), rule_zh, last_clock))
    sid = int(cur.lastrowid or 0)
    conn.executemany(
        "INSERT INTO attendance_snapshot_person (snapshot_id, person_id) VALUES (?, ?)",
        ((sid, pid) for pid in person_ids))
    return sid


def select_snapshots(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    return conn.execute(f"SELECT {SNAPSHOT_COLUMNS} FROM attendance_snapshot"
                        " WHERE meeting_id = ? ORDER BY id", (meeting_id,)).fetchall()


def select_snapshot(conn: sqlite3.Connection, snapshot_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {SNAPSHOT_COLUMNS} FROM attendance_snapshot WHERE id = ?",
        (snapshot_id,)).fetchone()
    return row


def select_snapshot_by_label(conn: sqlite3.Connection, meeting_id: int,
                             round_label: str) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {SNAPSHOT_COLUMNS} FROM attendance_snapshot WHERE meeting_id = ?"
        " AND round_label = ?", (meeting_id, round_label)).fetchone()
    return row


def select_snapshot_person_ids(conn: sqlite3.Connection, snapshot_id: int) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT person_id FROM attendance_snapshot_person WHERE snapshot_id = ? ORDER BY person_id",
        (snapshot_id,))]


# --- proxies (委托) ------------------------------------------------------------------------------

def insert_proxy(conn: sqlite3.Connection, *, meeting_id: int, principal_id: int, proxy_id: int,
                 document_ref: str, recorded_at: str) -> int:
    cur = conn.execute(
        "INSERT INTO proxy (meeting_id, principal_id, proxy_id, document_ref, recorded_at)"
        " VALUES (?, ?, ?, ?, ?)", (meeting_id, principal_id, proxy_id, document_ref, recorded_at))
    return int(cur.lastrowid or 0)


def delete_proxy(conn: sqlite3.Connection, proxy_row_id: int) -> bool:
    return conn.execute("DELETE FROM proxy WHERE id = ?", (proxy_row_id,)).rowcount == 1


def select_proxies(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    return conn.execute(f"SELECT {PROXY_COLUMNS} FROM proxy WHERE meeting_id = ? ORDER BY id",
                        (meeting_id,)).fetchall()


def select_proxy_of(conn: sqlite3.Connection, meeting_id: int, principal_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {PROXY_COLUMNS} FROM proxy WHERE meeting_id = ? AND principal_id = ?",
        (meeting_id, principal_id)).fetchone()
    return row


def select_proxies_held(conn: sqlite3.Connection, meeting_id: int, proxy_id: int) -> list[Row]:
    return conn.execute(f"SELECT {PROXY_COLUMNS} FROM proxy WHERE meeting_id = ? AND proxy_id = ?"
                        " ORDER BY id", (meeting_id, proxy_id)).fetchall()


def household_member_ids(conn: sqlite3.Connection, household: str) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        "SELECT id FROM person WHERE household = ? ORDER BY id", (household,))]


def candidate_person_refs(conn: sqlite3.Connection, meeting_id: int) -> list[tuple[int | None, str]]:
    """(person_id, name) of every candidate of the meeting's contests."""
    return [(None if pid is None else int(pid), str(name)) for pid, name in conn.execute(
        "SELECT c.person_id, c.name FROM candidate c JOIN contest k ON k.id = c.contest_id"
        " WHERE k.meeting_id = ?", (meeting_id,))]
