"""SQL of voting rounds, boxes, ballot entries, tally sheets and round events (schema v3).

All of these tables are append-only (triggers refuse UPDATE and DELETE): a correction is a new
row and the latest row of a key stands. Writers run inside the caller's transaction
(db.tx.transaction); rows come back as plain tuples in the order of the *_COLUMNS constants and
app/voting turns them into dataclasses.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

Row = tuple[Any, ...]

ROUND_COLUMNS = (
    "id, meeting_id, contest_id, number, kind, seats, snapshot_id, follows_id, mode,"
    " double_entry, opened_at, opened_by"
)
CANDIDATE_COLUMNS = "round_id, position, name, gender, person_id"
EVENT_COLUMNS = "id, round_id, kind, actor, at, reason, detail"
BOX_COLUMNS = "id, round_id, name, mobile, printed, issued, returned, spoiled, actor, at"
ENTRY_COLUMNS = (
    "id, round_id, entry, seq, action, present, marks, write_ins, unmarked, invalid, reason,"
    " choice, clerk, at, note"
)
SHEET_COLUMNS = "id, round_id, entry, counts, clerk, at, note"


# --- rounds -----------------------------------------------------------------------------------

def insert_round(conn: sqlite3.Connection, *, meeting_id: int, contest_id: int, number: int,
                 kind: str, seats: int, snapshot_id: int, follows_id: int | None, mode: str,
                 double_entry: bool, opened_at: str, opened_by: str) -> int:
    cur = conn.execute(
        "INSERT INTO voting_round (meeting_id, contest_id, number, kind, seats, snapshot_id,"
        " follows_id, mode, double_entry, opened_at, opened_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (meeting_id, contest_id, number, kind, seats, snapshot_id, follows_id, mode,
         int(double_entry), opened_at, opened_by))
    return int(cur.lastrowid or 0)


def insert_round_candidates(conn: sqlite3.Connection, round_id: int,
                            candidates: Iterable[tuple[str, str | None, int | None]]) -> None:
    conn.executemany(
        "INSERT INTO round_candidate (round_id, position, name, gender, person_id)"
        " VALUES (?, ?, ?, ?, ?)",
        ((round_id, i, name, gender, pid) for i, (name, gender, pid) in enumerate(candidates, 1)))


def select_round(conn: sqlite3.Connection, round_id: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {ROUND_COLUMNS} FROM voting_round WHERE id = ?", (round_id,)).fetchone()
    return row


def select_rounds_of_contest(conn: sqlite3.Connection, contest_id: int) -> list[Row]:
    return conn.execute(f"SELECT {ROUND_COLUMNS} FROM voting_round WHERE contest_id = ?"
                        " ORDER BY number", (contest_id,)).fetchall()


def select_rounds_of_meeting(conn: sqlite3.Connection, meeting_id: int) -> list[Row]:
    return conn.execute(
        f"SELECT {', '.join('r.' + c.strip() for c in ROUND_COLUMNS.split(','))}"
        " FROM voting_round r JOIN contest c ON c.id = r.contest_id WHERE r.meeting_id = ?"
        " ORDER BY c.position, c.id, r.number", (meeting_id,)).fetchall()


def next_round_number(conn: sqlite3.Connection, contest_id: int) -> int:
    row = conn.execute("SELECT coalesce(max(number), 0) + 1 FROM voting_round"
                       " WHERE contest_id = ?", (contest_id,)).fetchone()
    return int(row[0])


def select_round_candidates(conn: sqlite3.Connection, round_id: int) -> list[Row]:
    return conn.execute(f"SELECT {CANDIDATE_COLUMNS} FROM round_candidate WHERE round_id = ?"
                        " ORDER BY position", (round_id,)).fetchall()


# --- round events -----------------------------------------------------------------------------

def insert_event(conn: sqlite3.Connection, *, round_id: int, kind: str, actor: str, at: str,
                 reason: str = "", detail_json: str = "{}") -> int:
    cur = conn.execute(
        "INSERT INTO round_event (round_id, kind, actor, at, reason, detail)"
        " VALUES (?, ?, ?, ?, ?, ?)", (round_id, kind, actor, at, reason, detail_json))
    return int(cur.lastrowid or 0)


def select_events(conn: sqlite3.Connection, round_id: int) -> list[Row]:
    return conn.execute(f"SELECT {EVENT_COLUMNS} FROM round_event WHERE round_id = ? ORDER BY id",
                        (round_id,)).fetchall()


# --- boxes ------------------------------------------------------------------------------------

def insert_box(conn: sqlite3.Connection, *, round_id: int, name: str, mobile: bool, printed: int,
               issued: int, returned: int, spoiled: int, actor: str, at: str) -> int:
    cur = conn.execute(
        "INSERT INTO ballot_box (round_id, name, mobile, printed, issued, returned, spoiled,"
        " actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (round_id, name, int(mobile), printed, issued, returned, spoiled, actor, at))
    return int(cur.lastrowid or 0)


def select_boxes(conn: sqlite3.Connection, round_id: int) -> list[Row]:
    """The standing record of each box (the latest row per name), in the order first recorded."""
    return conn.execute(
        f"SELECT {BOX_COLUMNS} FROM ballot_box WHERE id IN (SELECT max(id) FROM ballot_box"
        " WHERE round_id = ? GROUP BY name) ORDER BY (SELECT min(id) FROM ballot_box b"
        " WHERE b.round_id = ballot_box.round_id AND b.name = ballot_box.name)",
        (round_id,)).fetchall()


# --- ballot entries ---------------------------------------------------------------------------

EntryValues = tuple[int, str, int, str, int, str, str, str, int, str, str, str, str, str]


def insert_entries(conn: sqlite3.Connection, rows: Iterable[EntryValues]) -> None:
    """Rows of (round_id, entry, seq, action, present, marks, write_ins, unmarked, invalid,
    reason, choice, clerk, at, note)."""
    conn.executemany(
        "INSERT INTO ballot_entry (round_id, entry, seq, action, present, marks, write_ins,"
        " unmarked, invalid, reason, choice, clerk, at, note)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def select_standing_entries(conn: sqlite3.Connection, round_id: int, entry: str) -> list[Row]:
    """The standing row of every seq of one entry (the latest row per seq), by seq. One index
    range scan; the last row of each seq is kept here (a max(id) subquery is several times
    slower on 10,000 ballots)."""
    standing: dict[int, Row] = {}
    for row in conn.execute(f"SELECT {ENTRY_COLUMNS} FROM ballot_entry WHERE round_id = ?"
                            " AND entry = ? ORDER BY seq, id", (round_id, entry)):
        standing[int(row[3])] = row
    return list(standing.values())


READING_COLUMNS = "seq, present, marks, write_ins, unmarked, invalid, reason, choice"


def select_readings(conn: sqlite3.Connection, round_id: int, entry: str) -> list[Row]:
    """Every row of one entry (columns of READING_COLUMNS) by seq, then by id: the last row of
    a seq is its standing reading. One index range scan (faster than a max(id) subquery)."""
    return conn.execute(
        f"SELECT {READING_COLUMNS} FROM ballot_entry WHERE round_id = ? AND entry = ?"
        " ORDER BY seq, id", (round_id, entry)).fetchall()


def select_standing_entry(conn: sqlite3.Connection, round_id: int, entry: str,
                          seq: int) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM ballot_entry WHERE round_id = ? AND entry = ? AND seq = ?"
        " ORDER BY id DESC LIMIT 1", (round_id, entry, seq)).fetchone()
    return row


def select_entry_history(conn: sqlite3.Connection, round_id: int, entry: str,
                         seq: int) -> list[Row]:
    return conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM ballot_entry WHERE round_id = ? AND entry = ? AND seq = ?"
        " ORDER BY id", (round_id, entry, seq)).fetchall()


def select_entry_log(conn: sqlite3.Connection, round_id: int, entry: str) -> list[Row]:
    """Every row of one entry (ENTRY_COLUMNS) in the order written: what another laptop
    replays to hold the same entry."""
    return conn.execute(f"SELECT {ENTRY_COLUMNS} FROM ballot_entry WHERE round_id = ?"
                        " AND entry = ? ORDER BY id", (round_id, entry)).fetchall()


def max_seq(conn: sqlite3.Connection, round_id: int, entry: str) -> int:
    row = conn.execute("SELECT coalesce(max(seq), 0) FROM ballot_entry WHERE round_id = ?"
                       " AND entry = ?", (round_id, entry)).fetchone()
    return int(row[0])


def next_seq(conn: sqlite3.Connection, round_id: int, entry: str) -> int:
    """The number of the next ballot typed into `entry`: after the last number whose standing
    row holds a ballot. Withdrawn numbers at the end (nothing entered after them: 录错组别,
    typed twice) are taken again, so A and B keep pairing by number; their rows stay in the
    number's history. A number a scanned page was counted under is never taken again."""
    row = conn.execute(
        "SELECT b.seq FROM ballot_entry AS b WHERE b.round_id = ? AND b.entry = ?"
        " AND ((b.present = 1 AND b.id = (SELECT max(s.id) FROM ballot_entry AS s"
        "  WHERE s.round_id = b.round_id AND s.entry = b.entry AND s.seq = b.seq))"
        "  OR EXISTS (SELECT 1 FROM scan_counted AS c WHERE c.round_id = b.round_id"
        "  AND c.seq = b.seq))"
        " ORDER BY b.seq DESC, b.id DESC LIMIT 1", (round_id, entry)).fetchone()
    return int(row[0]) + 1 if row is not None else 1


# --- tally sheets -----------------------------------------------------------------------------

def insert_sheet(conn: sqlite3.Connection, *, round_id: int, entry: str, counts_json: str,
                 clerk: str, at: str, note: str = "") -> int:
    cur = conn.execute(
        "INSERT INTO tally_sheet (round_id, entry, counts, clerk, at, note)"
        " VALUES (?, ?, ?, ?, ?, ?)", (round_id, entry, counts_json, clerk, at, note))
    return int(cur.lastrowid or 0)


def select_standing_sheet(conn: sqlite3.Connection, round_id: int, entry: str) -> Row | None:
    row: Row | None = conn.execute(
        f"SELECT {SHEET_COLUMNS} FROM tally_sheet WHERE round_id = ? AND entry = ?"
        " ORDER BY id DESC LIMIT 1", (round_id, entry)).fetchone()
    return row


def candidate_persons(conn: sqlite3.Connection, person_ids: Sequence[int]) -> dict[int, str]:
    """Names of persons by id (to name officials given by register id)."""
    out: dict[int, str] = {}
    for start in range(0, len(person_ids), 500):
        chunk = list(person_ids[start:start + 500])
        marks = ", ".join("?" for _ in chunk)
        for pid, name in conn.execute(f"SELECT id, name FROM person WHERE id IN ({marks})", chunk):
            out[int(pid)] = str(name)
    return out


def entry_clerks(conn: sqlite3.Connection, round_id: int, entry: str) -> set[str]:
    """Everyone whose ballots or tally sheet of `entry` ('A' or 'B') stand in the round. A
    withdrawal voids the rows of its number written before it, and names no reader itself: a
    clerk who entered a ballot into the wrong group and withdrew it is no clerk of that group
    (rows written after the withdrawal, a re-entry or a correction, count again)."""
    rows = conn.execute(
        "SELECT clerk FROM ballot_entry AS b WHERE round_id = ? AND entry = ?"
        " AND action <> 'withdraw' AND id > coalesce((SELECT max(w.id) FROM ballot_entry AS w"
        "  WHERE w.round_id = b.round_id AND w.entry = b.entry AND w.seq = b.seq"
        "  AND w.action = 'withdraw'), 0)"
        " UNION SELECT clerk FROM tally_sheet WHERE round_id = ? AND entry = ?",
        (round_id, entry, round_id, entry)).fetchall()
    return {str(r[0]) for r in rows}


def first_round_of_meeting(conn: sqlite3.Connection, meeting_id: int) -> tuple[int, str] | None:
    """(id, opened_at) of the meeting's first voting round, or None before voting opened."""
    row = conn.execute("SELECT id, opened_at FROM voting_round WHERE meeting_id = ?"
                       " ORDER BY id LIMIT 1", (meeting_id,)).fetchone()
    return (int(row[0]), str(row[1])) if row is not None else None


def locked_rounds_of_meeting(conn: sqlite3.Connection, meeting_id: int) -> list[tuple[int, str]]:
    """(round id, lock hash) of the meeting's rounds whose latest lock event is 'locked'."""
    rows = conn.execute(
        "SELECT r.id, json_extract(e.detail, '$.hash') FROM voting_round AS r"
        " JOIN round_event AS e ON e.id = (SELECT max(id) FROM round_event"
        "  WHERE round_id = r.id AND kind IN ('locked', 'unlocked'))"
        " WHERE r.meeting_id = ? AND e.kind = 'locked' ORDER BY r.id", (meeting_id,)).fetchall()
    return [(int(r[0]), str(r[1] or "")) for r in rows]
