"""SQL of posts, part-time marks and the previous term's members (app/meetings/posts.py)."""

from __future__ import annotations

import sqlite3


def update_contest_post(conn: sqlite3.Connection, contest_id: int, post: str) -> bool:
    return conn.execute("UPDATE contest SET post = ? WHERE id = ?",
                        (post, contest_id)).rowcount == 1


def update_contest_body(conn: sqlite3.Connection, contest_id: int, body: str) -> bool:
    return conn.execute("UPDATE contest SET body = ? WHERE id = ?",
                        (body, contest_id)).rowcount == 1


def update_candidate_part_time(conn: sqlite3.Connection, candidate_id: int, part_time: bool
                               ) -> bool:
    return conn.execute("UPDATE candidate SET part_time = ? WHERE id = ?",
                        (int(part_time), candidate_id)).rowcount == 1


def part_time_persons(conn: sqlite3.Connection, contest_id: int) -> dict[str, bool]:
    """Candidate name → marked 兼职, of one contest."""
    return {str(n): bool(p) for n, p in conn.execute(
        "SELECT name, part_time FROM candidate WHERE contest_id = ?", (contest_id,))}


def insert_previous(conn: sqlite3.Connection, person_id: int, body: str, post: str) -> bool:
    return conn.execute("INSERT OR IGNORE INTO previous_member (person_id, body, post) "
                        "VALUES (?, ?, ?)", (person_id, body, post)).rowcount == 1


def delete_previous(conn: sqlite3.Connection, person_id: int, body: str, post: str) -> bool:
    return conn.execute("DELETE FROM previous_member WHERE person_id = ? AND body = ? AND "
                        "post = ?", (person_id, body, post)).rowcount == 1


def select_previous(conn: sqlite3.Connection) -> list[tuple[int, str, str, str]]:
    """(person id, name, body, post) of every previous-term member, by body, post, name."""
    return [(int(i), str(n), str(b), str(p)) for i, n, b, p in conn.execute(
        "SELECT m.person_id, p.name, m.body, m.post FROM previous_member m "
        "JOIN person p ON p.id = m.person_id ORDER BY m.body, m.post, p.name, m.person_id")]
