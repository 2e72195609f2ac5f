"""SQL of the scanned ballots' record (app/scan/records.py): pages with their file, layouts with
their contest and meeting, standing decisions, counted pages, the blind sample, and the reading
finally counted for each scanned ballot (entry R where a difference was resolved, else entry A's
standing row)."""

from __future__ import annotations

import sqlite3
from typing import Any

Row = tuple[Any, ...]


def page_records(conn: sqlite3.Connection) -> list[Row]:
    return [tuple(r) for r in conn.execute(
        "SELECT p.id, p.batch_id, p.position, p.page, p.status, p.reason, p.layout_code, p.dpi,"
        " p.residual_mm, p.upside_down, p.marks, p.write_in_rows, p.scores, p.flags, f.name,"
        " f.sha256, f.pages FROM scan_page p JOIN scan_file f ON f.id = p.file_id"
        " ORDER BY p.batch_id, p.position")]


def layout_meetings(conn: sqlite3.Connection) -> list[Row]:
    """(code, contest code, round number, format, test deck, meeting id) of every layout."""
    return [tuple(r) for r in conn.execute(
        "SELECT l.code, c.code, l.round_no, l.format, l.test_deck, c.meeting_id"
        " FROM scan_layout l JOIN contest c ON c.id = l.contest_id ORDER BY l.code")]


def decisions(conn: sqlite3.Connection) -> list[Row]:
    """The standing (latest) decision of each page."""
    return [tuple(r) for r in conn.execute(
        "SELECT page_id, marks, write_ins, invalid, reason, first_person, second_person, note, at"
        " FROM scan_decision d WHERE id = (SELECT max(id) FROM scan_decision e"
        " WHERE e.page_id = d.page_id)")]


def counted(conn: sqlite3.Connection) -> list[Row]:
    return [tuple(r) for r in conn.execute(
        "SELECT page_id, round_id, entry, seq, at FROM scan_counted")]


def sampled_pages(conn: sqlite3.Connection) -> set[int]:
    return {int(r[0]) for r in conn.execute("SELECT page_id FROM scan_sample")}


def final_readings(conn: sqlite3.Connection) -> dict[tuple[int, int], Row]:
    """(round id, seq) -> (present, marks, write_ins, invalid, entry, clerk, action) of the reading
    counted for each scanned ballot: the resolution (R) where A and B differed, else A's
    standing row (a correction in A stands)."""
    latest: dict[tuple[int, int, str], Row] = {}
    for rid, entry, seq, present, marks, write_ins, invalid, clerk, action in conn.execute(
            "SELECT e.round_id, e.entry, e.seq, e.present, e.marks, e.write_ins, e.invalid,"
            " e.clerk, e.action FROM ballot_entry e JOIN scan_counted c"
            " ON c.round_id = e.round_id AND c.seq = e.seq WHERE e.entry IN ('A', 'R')"
            " ORDER BY e.id"):
        latest[(int(rid), int(seq), str(entry))] = (present, marks, write_ins, invalid, entry,
                                                   clerk, action)
    out: dict[tuple[int, int], Row] = {}
    for (rid, seq, entry), row in latest.items():
        if entry == "R" or (rid, seq) not in out:
            out[(rid, seq)] = row
    return out


def archived_files(conn: sqlite3.Connection) -> list[Row]:
    """(sha256, archived path relative to the database's folder) of every scan file."""
    return [tuple(r) for r in conn.execute("SELECT sha256, archived FROM scan_file")]
