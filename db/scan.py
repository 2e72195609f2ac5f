"""SQL of scanner counting (schema v8): layouts, batches, files, pages, decisions, counted pages.

Append-only tables (triggers refuse UPDATE and DELETE); writers run inside the caller's
transaction (db.tx.transaction); rows come back as plain tuples in the order of the *_COLUMNS
constants and app/scan turns them into what it needs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

Row = tuple[Any, ...]

LAYOUT_COLUMNS = "code, contest_id, round_no, format, geometry, qr, test_deck, actor, at"
PAGE_COLUMNS = (
    "id, batch_id, position, file_id, page, status, reason, layout_code, dpi, residual_mm,"
    " upside_down, marks, write_in_rows, scores, flags"
)
DECISION_COLUMNS = (
    "id, page_id, marks, write_ins, invalid, reason, first_person, second_person, note, at"
)


def layouts(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute(f"SELECT {LAYOUT_COLUMNS} FROM scan_layout ORDER BY code").fetchall()


def layout_for(conn: sqlite3.Connection, contest_id: int, round_no: int, geometry: str,
               qr: int) -> Row | None:
    row = conn.execute(
        f"SELECT {LAYOUT_COLUMNS} FROM scan_layout WHERE contest_id = ? AND round_no = ?"
        " AND geometry = ? AND qr = ? AND test_deck = 0",
        (contest_id, round_no, geometry, qr)).fetchone()
    return None if row is None else tuple(row)


def next_layout_code(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(code), 0) + 1 FROM scan_layout").fetchone()[0])


def insert_layout(conn: sqlite3.Connection, code: int, contest_id: int, round_no: int, fmt: str,
                  geometry: str, qr: int, actor: str, at: str) -> None:
    conn.execute("INSERT INTO scan_layout (code, contest_id, round_no, format, geometry, qr,"
                 " actor, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (code, contest_id, round_no, fmt, geometry, qr, actor, at))


def insert_batch(conn: sqlite3.Connection, hand_count: int, source: str, operator: str,
                 at: str) -> int:
    cur = conn.execute("INSERT INTO scan_batch (hand_count, source, operator, at)"
                       " VALUES (?, ?, ?, ?)", (hand_count, source, operator, at))
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def batches(conn: sqlite3.Connection) -> list[Row]:
    return conn.execute("SELECT id, hand_count, source, operator, at FROM scan_batch"
                        " ORDER BY id").fetchall()


def batch_ids(conn: sqlite3.Connection) -> set[int]:
    return {int(r[0]) for r in conn.execute("SELECT id FROM scan_batch")}


def known_hashes(conn: sqlite3.Connection, hashes: Sequence[str]) -> dict[str, Row]:
    """sha256 -> (batch id, file name) of files already imported."""
    out: dict[str, Row] = {}
    for h in hashes:
        row = conn.execute("SELECT batch_id, name FROM scan_file WHERE sha256 = ?",
                           (h,)).fetchone()
        if row is not None:
            out[h] = tuple(row)
    return out


def insert_file(conn: sqlite3.Connection, batch_id: int, name: str, sha256: str, archived: str,
                size: int, pages: int) -> int:
    cur = conn.execute("INSERT INTO scan_file (batch_id, name, sha256, archived, size, pages)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (batch_id, name, sha256, archived, size, pages))
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def insert_pages(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Rows of (batch_id, position, file_id, page, status, reason, layout_code, dpi,
    residual_mm, upside_down, marks, write_in_rows, scores, flags)."""
    conn.executemany(
        "INSERT INTO scan_page (batch_id, position, file_id, page, status, reason, layout_code,"
        " dpi, residual_mm, upside_down, marks, write_in_rows, scores, flags)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def pages(conn: sqlite3.Connection, *, batch_id: int | None = None,
          layout_codes: Sequence[int] | None = None) -> list[Row]:
    sql = f"SELECT {', '.join('p.' + c.strip() for c in PAGE_COLUMNS.split(','))} FROM scan_page p"
    args: list[Any] = []
    if layout_codes is not None:
        sql += f" WHERE p.layout_code IN ({', '.join('?' * len(layout_codes))})"
        args.extend(layout_codes)
    elif batch_id is not None:
        sql += " WHERE p.batch_id = ?"
        args.append(batch_id)
    return conn.execute(sql + " ORDER BY p.batch_id, p.position", args).fetchall()


def page(conn: sqlite3.Connection, page_id: int) -> Row | None:
    row = conn.execute(f"SELECT {PAGE_COLUMNS} FROM scan_page WHERE id = ?",
                       (page_id,)).fetchone()
    return None if row is None else tuple(row)


def file_of_page(conn: sqlite3.Connection, page_id: int) -> Row | None:
    row = conn.execute("SELECT f.name, f.archived, f.sha256 FROM scan_file f"
                       " JOIN scan_page p ON p.file_id = f.id WHERE p.id = ?",
                       (page_id,)).fetchone()
    return None if row is None else tuple(row)


def files(conn: sqlite3.Connection, batch_id: int) -> list[Row]:
    return conn.execute("SELECT id, name, sha256, archived, size, pages FROM scan_file"
                        " WHERE batch_id = ? ORDER BY id", (batch_id,)).fetchall()


def insert_decision(conn: sqlite3.Connection, page_id: int, marks: str, write_ins: str,
                    invalid: int, reason: str, first: str, second: str, note: str,
                    at: str) -> None:
    conn.execute("INSERT INTO scan_decision (page_id, marks, write_ins, invalid, reason,"
                 " first_person, second_person, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 (page_id, marks, write_ins, invalid, reason, first, second, note, at))


def decisions(conn: sqlite3.Connection, page_ids: Sequence[int] | None = None) -> dict[int, Row]:
    """page id -> its standing (latest) decision."""
    rows = conn.execute(
        f"SELECT {DECISION_COLUMNS} FROM scan_decision d WHERE id = (SELECT max(id) FROM"
        " scan_decision e WHERE e.page_id = d.page_id)").fetchall()
    wanted = None if page_ids is None else set(page_ids)
    return {int(r[1]): tuple(r) for r in rows if wanted is None or int(r[1]) in wanted}


def counted_pages(conn: sqlite3.Connection, round_id: int) -> set[int]:
    return {int(r[0]) for r in conn.execute(
        "SELECT page_id FROM scan_counted WHERE round_id = ?", (round_id,))}


def insert_counted(conn: sqlite3.Connection, rows: Iterable[Sequence[Any]]) -> None:
    """Rows of (page_id, round_id, entry, seq, at)."""
    conn.executemany("INSERT INTO scan_counted (page_id, round_id, entry, seq, at)"
                     " VALUES (?, ?, ?, ?, ?)", rows)


def file_names(conn: sqlite3.Connection) -> dict[int, str]:
    return {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, name FROM scan_file")}


def counted_rounds(conn: sqlite3.Connection, page_id: int) -> list[int]:
    """The rounds a scanned page was counted into (a page of several contests: one a contest)."""
    return [int(r[0]) for r in conn.execute(
        "SELECT DISTINCT round_id FROM scan_counted WHERE page_id = ? ORDER BY round_id",
        (page_id,))]


def is_counted(conn: sqlite3.Connection, page_id: int) -> bool:
    return conn.execute("SELECT 1 FROM scan_counted WHERE page_id = ?",
                        (page_id,)).fetchone() is not None
