"""SQL for meetings and what hangs off them: electors, exclusions, leaves, desks, contests,
candidates. Person rows are read through db/persons.py.

Rows come back as plain tuples in the column order named by the *_COLUMNS constants;
app/meetings.py and app/electorate.py turn them into dataclasses. Callers own the transaction
(db.tx.transaction) and the audit row.
"""

from __future__ import annotations

import sqlite3
from typing import Any

Row = tuple[Any, ...]

MEETING_COLUMNS = (
    "id, code, title, community, organisation, rules, form, date, venue, options, is_current"
)
EXCLUSION_COLUMNS = (
    "e.id, e.meeting_id, e.person_id, p.name, e.reason, e.detail, e.approval_ref, e.approved_on"
)
LEAVE_COLUMNS = "l.meeting_id, l.person_id, p.name, l.reason"
DESK_COLUMNS = "id, meeting_id, name, scope"
CONTEST_COLUMNS = "id, meeting_id, code, title, body, kind, seats, position, post"
CANDIDATE_COLUMNS = "id, contest_id, person_id, name, gender, part_time"


# --- meetings ---------------------------------------------------------------------------------

def insert_meeting(conn: sqlite3.Connection, *, code: str, title: str, community: str,
                   organisation: str, rules: str, form: str, date: str, venue: str,
                   options_json: str) -> int:
    cur = conn.execute(
        "INSERT INTO meeting (code, title, community, organisation, rules, form, date, venue,"
        " options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (code, title, community, organisation, rules, form, date, venue, options_json),
    )
    return int(cur.lastrowid or 0)


def select_meetings(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(f"SELECT {MEETING_COLUMNS} FROM meeting ORDER BY id").fetchall()


def select_meeting(conn: sqlite3.Connection, meeting_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {MEETING_COLUMNS} FROM meeting WHERE id = ?", (meeting_id,)).fetchone()
    return row


def select_meeting_by_code(conn: sqlite3.Connection, code: str) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {MEETING_COLUMNS} FROM meeting WHERE code = ?", (code,)).fetchone()
    return row


def select_current_meeting(conn: sqlite3.Connection) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {MEETING_COLUMNS} FROM meeting WHERE is_current = 1").fetchone()
    return row


def update_current(conn: sqlite3.Connection, meeting_id: int) -> None:
    # Clear first: the partial unique index allows only one row with is_current = 1.
    conn.execute("UPDATE meeting SET is_current = 0 WHERE is_current = 1 AND id <> ?",
                 (meeting_id,))
    conn.execute("UPDATE meeting SET is_current = 1 WHERE id = ?", (meeting_id,))


def update_details(conn: sqlite3.Connection, meeting_id: int, *, title: str, date: str,
                   venue: str) -> None:
    conn.execute("UPDATE meeting SET title = ?, date = ?, venue = ? WHERE id = ?",
                 (title, date, venue, meeting_id))


def update_options(conn: sqlite3.Connection, meeting_id: int, options_json: str) -> None:
    conn.execute("UPDATE meeting SET options = ? WHERE id = ?", (options_json, meeting_id))


# --- explicit electors (plenary) --------------------------------------------------------------

def insert_elector(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> bool:
    cur = conn.execute(
        "INSERT OR IGNORE INTO meeting_elector (meeting_id, person_id) VALUES (?, ?)",
        (meeting_id, person_id))
    return cur.rowcount == 1


def delete_elector(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> bool:
    cur = conn.execute("DELETE FROM meeting_elector WHERE meeting_id = ? AND person_id = ?",
                       (meeting_id, person_id))
    return cur.rowcount == 1


def select_elector_ids(conn: sqlite3.Connection, meeting_id: int) -> set[int]:
    return {int(r[0]) for r in conn.execute(
        "SELECT person_id FROM meeting_elector WHERE meeting_id = ?", (meeting_id,))}


def is_elector(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> bool:
    return conn.execute(
        "SELECT 1 FROM meeting_elector WHERE meeting_id = ? AND person_id = ?",
        (meeting_id, person_id)).fetchone() is not None


# --- exclusions -------------------------------------------------------------------------------

def insert_exclusion(conn: sqlite3.Connection, *, meeting_id: int, person_id: int, reason: str,
                     detail: str, approval_ref: str, approved_on: str) -> int:
    cur = conn.execute(
        "INSERT INTO exclusion (meeting_id, person_id, reason, detail, approval_ref, approved_on)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (meeting_id, person_id, reason, detail, approval_ref, approved_on))
    return int(cur.lastrowid or 0)


def select_exclusions(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    return conn.execute(
        f"SELECT {EXCLUSION_COLUMNS} FROM exclusion e JOIN person p ON p.id = e.person_id"
        " WHERE e.meeting_id = ? ORDER BY e.id", (meeting_id,)).fetchall()


def select_exclusion(conn: sqlite3.Connection, exclusion_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {EXCLUSION_COLUMNS} FROM exclusion e JOIN person p ON p.id = e.person_id"
        " WHERE e.id = ?", (exclusion_id,)).fetchone()
    return row


def select_exclusion_of(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {EXCLUSION_COLUMNS} FROM exclusion e JOIN person p ON p.id = e.person_id"
        " WHERE e.meeting_id = ? AND e.person_id = ?", (meeting_id, person_id)).fetchone()
    return row


def delete_exclusion(conn: sqlite3.Connection, exclusion_id: int) -> bool:
    return conn.execute("DELETE FROM exclusion WHERE id = ?", (exclusion_id,)).rowcount == 1


# --- leaves (请假) -----------------------------------------------------------------------------

def insert_leave(conn: sqlite3.Connection, meeting_id: int, person_id: int, reason: str) -> None:
    conn.execute("INSERT INTO leave (meeting_id, person_id, reason) VALUES (?, ?, ?)",
                 (meeting_id, person_id, reason))


def delete_leave(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> bool:
    return conn.execute("DELETE FROM leave WHERE meeting_id = ? AND person_id = ?",
                        (meeting_id, person_id)).rowcount == 1


def select_leaves(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    return conn.execute(
        f"SELECT {LEAVE_COLUMNS} FROM leave l JOIN person p ON p.id = l.person_id"
        " WHERE l.meeting_id = ? ORDER BY l.person_id", (meeting_id,)).fetchall()


def select_leave_of(conn: sqlite3.Connection, meeting_id: int, person_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {LEAVE_COLUMNS} FROM leave l JOIN person p ON p.id = l.person_id"
        " WHERE l.meeting_id = ? AND l.person_id = ?", (meeting_id, person_id)).fetchone()
    return row


# --- desks ------------------------------------------------------------------------------------

def insert_desk(conn: sqlite3.Connection, meeting_id: int, name: str, scope_json: str) -> int:
    cur = conn.execute("INSERT INTO desk (meeting_id, name, scope) VALUES (?, ?, ?)",
                       (meeting_id, name, scope_json))
    return int(cur.lastrowid or 0)


def select_desks(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    return conn.execute(f"SELECT {DESK_COLUMNS} FROM desk WHERE meeting_id = ? ORDER BY id",
                        (meeting_id,)).fetchall()


def select_desk(conn: sqlite3.Connection, desk_id: int) -> Row | None:
    row: Row | None = conn.execute(f"SELECT {DESK_COLUMNS} FROM desk WHERE id = ?",
                                   (desk_id,)).fetchone()
    return row


def delete_desk(conn: sqlite3.Connection, desk_id: int) -> bool:
    return conn.execute("DELETE FROM desk WHERE id = ?", (desk_id,)).rowcount == 1


def desk_name_taken(conn: sqlite3.Connection, meeting_id: int, name: str) -> bool:
    return conn.execute("SELECT 1 FROM desk WHERE meeting_id = ? AND name = ?",
                        (meeting_id, name)).fetchone() is not None


# --- contests and candidates ------------------------------------------------------------------

def insert_contest(conn: sqlite3.Connection, *, meeting_id: int, code: str, title: str,
                   body: str, kind: str, seats: int, position: int, post: str = "") -> int:
    cur = conn.execute(
        "INSERT INTO contest (meeting_id, code, title, body, kind, seats, position, post)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (meeting_id, code, title, body, kind, seats, position, post))
    return int(cur.lastrowid or 0)


def select_contests(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    return conn.execute(
        f"SELECT {CONTEST_COLUMNS} FROM contest WHERE meeting_id = ? ORDER BY position, id",
        (meeting_id,)).fetchall()


def select_contest(conn: sqlite3.Connection, contest_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {CONTEST_COLUMNS} FROM contest WHERE id = ?", (contest_id,)).fetchone()
    return row


def contest_code_taken(conn: sqlite3.Connection, meeting_id: int, code: str) -> bool:
    return conn.execute("SELECT 1 FROM contest WHERE meeting_id = ? AND code = ?",
                        (meeting_id, code)).fetchone() is not None


def next_contest_position(conn: sqlite3.Connection, meeting_id: int) -> int:
    return int(conn.execute("SELECT coalesce(max(position), 0) + 1 FROM contest"
                            " WHERE meeting_id = ?", (meeting_id,)).fetchone()[0])


def update_contest_seats(conn: sqlite3.Connection, contest_id: int, seats: int) -> bool:
    return conn.execute("UPDATE contest SET seats = ? WHERE id = ?",
                        (seats, contest_id)).rowcount == 1


def delete_contest(conn: sqlite3.Connection, contest_id: int) -> bool:
    """The contest and (by cascade) its candidates; the caller refuses once a round exists."""
    return conn.execute("DELETE FROM contest WHERE id = ?", (contest_id,)).rowcount == 1


def contest_has_rounds(conn: sqlite3.Connection, contest_id: int) -> bool:
    return conn.execute("SELECT 1 FROM voting_round WHERE contest_id = ? LIMIT 1",
                        (contest_id,)).fetchone() is not None


def insert_candidate(conn: sqlite3.Connection, *, contest_id: int, person_id: int | None,
                     name: str, gender: str | None) -> int:
    cur = conn.execute(
        "INSERT INTO candidate (contest_id, person_id, name, gender) VALUES (?, ?, ?, ?)",
        (contest_id, person_id, name, gender))
    return int(cur.lastrowid or 0)


def select_candidates(conn: sqlite3.Connection, contest_id: int) -> list[Row]:
    return conn.execute(f"SELECT {CANDIDATE_COLUMNS} FROM candidate WHERE contest_id = ?"
                        " ORDER BY id", (contest_id,)).fetchall()


def candidate_name_taken(conn: sqlite3.Connection, contest_id: int, name: str) -> bool:
    return conn.execute("SELECT 1 FROM candidate WHERE contest_id = ? AND name = ?",
                        (contest_id, name)).fetchone() is not None


def select_candidate(conn: sqlite3.Connection, candidate_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {CANDIDATE_COLUMNS} FROM candidate WHERE id = ?", (candidate_id,)).fetchone()
    return row


def delete_candidate(conn: sqlite3.Connection, candidate_id: int) -> bool:
    return conn.execute("DELETE FROM candidate WHERE id = ?", (candidate_id,)).rowcount == 1
