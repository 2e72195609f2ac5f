"""SQL for the 报送包 and backups: consistent copies (VACUUM INTO), the minimised copy for the
district, and the event logs as plain rows for JSONL.

VACUUM INTO reads inside one transaction, so the copy is consistent while desks keep writing.
The minimised copy is rebuilt without personal data the district does not need (see
app/export/format.py) and vacuumed again with secure_delete on, so no freed page keeps a full ID
number.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from db.privacy import ID_RE, mask_free_text, mask_id

# Columns where people type what they like (reasons, notes, audit details): ID numbers masked
# in every table of the district's copy and in the event logs.
FREE_TEXT_COLUMNS = ("reason", "note", "detail")

def vacuum_into(conn: sqlite3.Connection, target: Path) -> None:
    """A consistent, compact copy of the database at `target` (which must not exist)."""
    conn.execute("VACUUM INTO ?", (str(target),))


def rollback_journal(path: Path) -> None:
    """Switch a copy out of WAL mode: one self-contained file that opens read-only anywhere."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
    finally:
        conn.close()


def _table_sql(conn: sqlite3.Connection, table: str) -> str:
    row = conn.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?",
                       (table,)).fetchone()
    if row is None:
        raise RuntimeError(f"no table {table} in the snapshot")
    return str(row[0])


def _dependent_sql(conn: sqlite3.Connection, table: str) -> list[str]:
    return [str(r[0]) for r in conn.execute(
        "SELECT sql FROM sqlite_schema WHERE tbl_name = ? AND type IN ('index', 'trigger')"
        " AND sql IS NOT NULL ORDER BY type, name", (table,))]


def _without_unique(create_sql: str, column: str) -> str:
    pattern = re.compile(rf"(\n\s*{column}\s+TEXT(?: NOT NULL)?) UNIQUE")
    out, n = pattern.subn(r"\1", create_sql)
    if n != 1:
        raise RuntimeError(f"person.{column}: UNIQUE not found where expected in {create_sql!r}")
    return out


def minimise(path: Path) -> None:
    """Strip the copy at `path` of what the district does not need (format.py lists it)."""
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = OFF")   # a private copy, read into the package
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA foreign_keys = OFF")
        conn.create_function("pd_mask_id", 1, mask_id, deterministic=True)
        conn.create_function("pd_mask_text", 1, mask_free_text, deterministic=True)
        conn.execute("BEGIN IMMEDIATE")
        create = _without_unique(_without_unique(_table_sql(conn, "person"), "id_number"),
                                 "token")
        dependents = _dependent_sql(conn, "person")
        cols = [str(r[1]) for r in conn.execute("PRAGMA table_info(person)")]
        select = {c: c for c in cols}
        select.update({
            "id_number": "pd_mask_id(id_number)",
            "phone": "''", "note": "''", "token": "''",
            "birth_date": "CASE WHEN birth_date IS NULL THEN NULL ELSE substr(birth_date, 1, 7) END",
        })
        conn.execute(create.replace("CREATE TABLE person", "CREATE TABLE person_min", 1))
        conn.execute(f"INSERT INTO person_min ({', '.join(cols)}) SELECT "
                     f"{', '.join(select[c] for c in cols)} FROM person ORDER BY id")
        conn.execute("DROP TABLE person")
        conn.execute("ALTER TABLE person_min RENAME TO person")
        for sql in dependents:
            conn.execute(sql)
        conn.execute("DELETE FROM person_key WHERE kind = 'id_rev'")
        conn.execute("UPDATE exclusion SET detail = ''")
        # Secrets a later feature may keep in settings (the venue pairing code, ...) stay home.
        conn.execute("DELETE FROM setting WHERE key LIKE '%secret%' OR key LIKE '%pairing%'"
                     " OR key LIKE '%password%' OR key LIKE '%token%'")
        for table, column in _free_text_columns(conn):
            _scrub_text_column(conn, table, column)
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise RuntimeError("the minimised snapshot breaks a foreign key")
        conn.execute("COMMIT")
        conn.execute("VACUUM")
    finally:
        conn.close()


def _free_text_columns(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    tables = [str(r[0]) for r in conn.execute(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        " AND name <> 'person' ORDER BY name")]
    return [(t, str(c[1])) for t in tables for c in conn.execute(f'PRAGMA table_info("{t}")')
            if str(c[1]) in FREE_TEXT_COLUMNS and str(c[2]).upper() == "TEXT"]


def _scrub_text_column(conn: sqlite3.Connection, table: str, column: str) -> None:
    """Mask ID-number-like text in an append-only table of the copy (its triggers are dropped
    and re-created around the update; the live database is never touched)."""
    ids = [r[0] for r in conn.execute(f"SELECT rowid, {column} FROM {table}")  # noqa: S608 - fixed names
           if r[1] is not None and ID_RE.search(str(r[1]))]
    if not ids:
        return
    triggers = conn.execute("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'"
                            " AND tbl_name = ?", (table,)).fetchall()
    for name, _sql in triggers:
        conn.execute(f'DROP TRIGGER "{name}"')
    conn.executemany(f"UPDATE {table} SET {column} = pd_mask_text({column}) WHERE rowid = ?",  # noqa: S608
                     [(i,) for i in ids])
    for _name, sql in triggers:
        conn.execute(sql)


def _rows(conn: sqlite3.Connection, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
    """Rows as dicts for the package's event logs, ID numbers in free-text fields masked."""
    cur = conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    free = [i for i, n in enumerate(names) if n in FREE_TEXT_COLUMNS]
    out = []
    for row in cur:
        values = list(row)
        for i in free:
            values[i] = mask_free_text(values[i])
        out.append(dict(zip(names, values, strict=True)))
    return out


def attendance_rows(conn: sqlite3.Connection, meeting_ids: list[int]) -> list[dict[str, Any]]:
    marks = ",".join("?" * len(meeting_ids))
    return _rows(conn, "SELECT e.id, m.code AS meeting, e.desk, e.seq, e.clock, e.kind,"
                       " e.person_id, e.operator, e.at, e.reason, e.ref FROM attendance_event e"
                       f" JOIN meeting m ON m.id = e.meeting_id WHERE e.meeting_id IN ({marks})"
                       " ORDER BY e.id", tuple(meeting_ids))


def ballot_rows(conn: sqlite3.Connection, meeting_ids: list[int]) -> list[dict[str, Any]]:
    marks = ",".join("?" * len(meeting_ids))
    head = ("SELECT {what}, m.code AS meeting, c.code AS contest, r.number AS round"
            " FROM {table} b JOIN voting_round r ON r.id = b.round_id"
            " JOIN contest c ON c.id = r.contest_id JOIN meeting m ON m.id = r.meeting_id"
            f" WHERE r.meeting_id IN ({marks}) ORDER BY b.id")
    entries = _rows(conn, head.format(
        what="'ballot_entry' AS \"table\", b.id, b.round_id, b.entry, b.seq, b.action, b.present,"
             " b.marks, b.write_ins, b.unmarked, b.invalid, b.reason, b.choice, b.clerk, b.at,"
             " b.note", table="ballot_entry"), tuple(meeting_ids))
    sheets = _rows(conn, head.format(
        what="'tally_sheet' AS \"table\", b.id, b.round_id, b.entry, b.counts, b.clerk, b.at,"
             " b.note", table="tally_sheet"), tuple(meeting_ids))
    return entries + sheets


def audit_rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    return _rows(conn, "SELECT id, at, actor, action, meeting_id, detail, outcome, prev_hash,"
                       " hash FROM audit ORDER BY id")


def round_candidate_persons(conn: sqlite3.Connection, round_id: int) -> dict[str, int | None]:
    return {str(n): (None if p is None else int(p)) for n, p in conn.execute(
        "SELECT name, person_id FROM round_candidate WHERE round_id = ?", (round_id,))}


def contest_candidate_persons(conn: sqlite3.Connection, contest_id: int) -> dict[str, int | None]:
    return {str(n): (None if p is None else int(p)) for n, p in conn.execute(
        "SELECT name, person_id FROM candidate WHERE contest_id = ?", (contest_id,))}


def person_profile(conn: sqlite3.Connection, person_id: int) -> dict[str, Any] | None:
    """What the district's make-up statistics need of a person: never the ID number."""
    row = conn.execute("SELECT gender, birth_date, education, party_status FROM person"
                       " WHERE id = ?", (person_id,)).fetchone()
    if row is None:
        return None
    birth = str(row[1] or "")
    return {"gender": row[0], "birth_year": int(birth[:4]) if birth[:4].isdigit() else None,
            "education": row[2], "party_status": row[3]}


def count(conn: sqlite3.Connection, table: str) -> int:
    if table not in {"person", "meeting", "attendance_event", "ballot_entry", "tally_sheet",
                     "audit"}:
        raise ValueError(table)
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - allow-listed


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
