"""SQL of the scanner checked as a clerk and of the test deck (schema v9): the round's check
mode, the random draws of the sample and the ballots drawn, test-deck pages and their results.

Append-only tables; writers run inside the caller's transaction (db.tx.transaction)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

Row = tuple[Any, ...]


def mode(conn: sqlite3.Connection, round_id: int) -> str | None:
    """The round's check mode (None: not chosen). Every double-entry count asks: a database
    opened without its migrations (read-only, older schema) has no such table and no mode."""
    try:
        row = conn.execute("SELECT mode FROM scan_check WHERE round_id = ? ORDER BY id DESC"
                           " LIMIT 1", (round_id,)).fetchone()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return None
        raise
    return None if row is None else str(row[0])


def insert_mode(conn: sqlite3.Connection, round_id: int, mode: str, actor: str, at: str) -> None:
    conn.execute("INSERT INTO scan_check (round_id, mode, actor, at) VALUES (?, ?, ?, ?)",
                 (round_id, mode, actor, at))


def scanned_unflagged(conn: sqlite3.Connection, round_id: int) -> list[Row]:
    """(seq in entry A, page id, batch, position) of the round's scanned ballots counted into
    entry A that the machine read without a flag, in entry order."""
    return [tuple(r) for r in conn.execute(
        "SELECT c.seq, p.id, p.batch_id, p.position FROM scan_counted c"
        " JOIN scan_page p ON p.id = c.page_id WHERE c.round_id = ? AND c.entry = 'A'"
        " AND p.status = 'read' ORDER BY c.seq", (round_id,))]


def scanned_all(conn: sqlite3.Connection, round_id: int) -> list[Row]:
    """(seq in entry A, page id, batch, position, file name, page in file) of every scanned
    ballot counted into the round's entry A, in entry order."""
    return [tuple(r) for r in conn.execute(
        "SELECT c.seq, p.id, p.batch_id, p.position, f.name, p.page FROM scan_counted c"
        " JOIN scan_page p ON p.id = c.page_id JOIN scan_file f ON f.id = p.file_id"
        " WHERE c.round_id = ? AND c.entry = 'A' ORDER BY c.seq", (round_id,))]


def insert_draw(conn: sqlite3.Connection, round_id: int, population: int, size: int,
                last_seq: int, actor: str, at: str) -> int:
    cur = conn.execute("INSERT INTO scan_draw (round_id, population, size, last_seq, actor, at)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (round_id, population, size, last_seq, actor, at))
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def insert_sample(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Rows of (draw_id, seq, page_id)."""
    conn.executemany("INSERT INTO scan_sample (draw_id, seq, page_id) VALUES (?, ?, ?)", rows)


def draws(conn: sqlite3.Connection, round_id: int) -> list[Row]:
    return [tuple(r) for r in conn.execute(
        "SELECT id, population, size, last_seq, actor, at FROM scan_draw WHERE round_id = ?"
        " ORDER BY id", (round_id,))]


def drawn_up_to(conn: sqlite3.Connection, round_id: int) -> int:
    """The entry-A number up to which the round's draws cover the scanned ballots (0: none)."""
    return int(conn.execute("SELECT coalesce(max(last_seq), 0) FROM scan_draw WHERE round_id = ?",
                            (round_id,)).fetchone()[0])


def sample(conn: sqlite3.Connection, round_id: int) -> list[Row]:
    """(seq, page id, batch, position, file name, page in file, draw id) of every ballot drawn
    for the round, in scan order (batch, position): the order the clerk pulls them."""
    return [tuple(r) for r in conn.execute(
        "SELECT s.seq, p.id, p.batch_id, p.position, f.name, p.page, s.draw_id FROM scan_sample s"
        " JOIN scan_draw d ON d.id = s.draw_id JOIN scan_page p ON p.id = s.page_id"
        " JOIN scan_file f ON f.id = p.file_id WHERE d.round_id = ?"
        " ORDER BY p.batch_id, p.position", (round_id,))]


def insert_testdeck_page(conn: sqlite3.Connection, code: int, deck: int, page_no: int,
                         plan: str) -> None:
    conn.execute("INSERT INTO scan_testdeck (code, deck, page_no, plan) VALUES (?, ?, ?, ?)",
                 (code, deck, page_no, plan))


def insert_test_layout(conn: sqlite3.Connection, code: int, contest_id: int, round_no: int,
                       fmt: str, geometry: str, qr: int, actor: str, at: str) -> None:
    conn.execute("INSERT INTO scan_layout (code, contest_id, round_no, format, geometry, qr,"
                 " test_deck, actor, at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?)",
                 (code, contest_id, round_no, fmt, geometry, qr, actor, at))


def next_deck(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(deck), 0) + 1 FROM scan_testdeck").fetchone()[0])


def testdeck_pages(conn: sqlite3.Connection) -> list[Row]:
    """(code, deck, page_no, plan, contest_id, round_no) of every test-deck page printed."""
    return [tuple(r) for r in conn.execute(
        "SELECT t.code, t.deck, t.page_no, t.plan, l.contest_id, l.round_no FROM scan_testdeck t"
        " JOIN scan_layout l ON l.code = t.code ORDER BY t.deck, t.page_no")]


def testdeck_scanned(conn: sqlite3.Connection) -> list[Row]:
    """(page id, layout code, status, marks, flags, batch, position) of scanned pages of a
    test-deck layout not judged yet."""
    return [tuple(r) for r in conn.execute(
        "SELECT p.id, p.layout_code, p.status, p.marks, p.flags, p.batch_id, p.position"
        " FROM scan_page p JOIN scan_testdeck t ON t.code = p.layout_code"
        " WHERE p.id NOT IN (SELECT page_id FROM scan_testdeck_result) ORDER BY p.id")]


def insert_testdeck_result(conn: sqlite3.Connection, page_id: int, code: int, passed: bool,
                           expected: str, got: str, why: str, at: str) -> None:
    conn.execute("INSERT INTO scan_testdeck_result (page_id, code, passed, expected, got, why, at)"
                 " VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (page_id, code, int(passed), expected, got, why, at))


def testdeck_results(conn: sqlite3.Connection) -> list[Row]:
    """(page id, code, deck, page_no, passed, expected, got, why, at, batch, position)."""
    return [tuple(r) for r in conn.execute(
        "SELECT r.page_id, r.code, t.deck, t.page_no, r.passed, r.expected, r.got, r.why, r.at,"
        " p.batch_id, p.position FROM scan_testdeck_result r"
        " JOIN scan_testdeck t ON t.code = r.code JOIN scan_page p ON p.id = r.page_id"
        " ORDER BY t.deck, r.page_id")]


def test_layout_codes(conn: sqlite3.Connection) -> set[int]:
    return {int(r[0]) for r in conn.execute("SELECT code FROM scan_layout WHERE test_deck = 1")}
