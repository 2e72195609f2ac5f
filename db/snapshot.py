"""SQL for the 报送包 and backups: consistent copies (VACUUM INTO), the district's archive copy
(built from an allowlist), and the event logs as plain rows for JSONL.

VACUUM INTO reads inside one transaction, so the copy is consistent while desks keep writing.

The package's `snapshot.sqlite` is the district's ARCHIVE of the election: what the results and
attendance figures were computed from (meetings, contests and candidates, the register
minimised, who was entitled, excluded, on leave, present, every round with its ballots, boxes
and events, and the hash-chained audit log), so that a complaint or an inspection can later be
answered with PollDay itself (`pollday results --db snapshot.sqlite` recounts every round)
without the venue's laptop. The district's import never reads it.

It is BUILT, not scrubbed: a new file gets the source's schema (so PollDay can open and upgrade
it), then only the rows and columns listed in ARCHIVE are copied into it. Everything else stays
home by default: a table or column a later schema adds travels only once it is listed here (the
tests fail until every table and column is either listed or withheld with a reason). Withheld:
the venue's network pairing and sync state (TLS private key, pairing secret, desks, shared
document), the sign-in tokens, phones and notes, the search keys, the medical detail of an
exclusion, settings other than the community's place and the public signing keys. The full
copy with all of it is the backup (app/export/backup.py), which stays with the venue.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlite_utils

from db.files import ro_uri
from db.privacy import mask_free_text, mask_id

# Columns where people type what they like (reasons, notes, audit details): ID numbers masked
# in the archive and in the event logs.
FREE_TEXT_COLUMNS = ("reason", "note", "detail")

Transform = Callable[[Any], Any]


def _month(value: Any) -> Any:
    return None if value is None else str(value)[:7]


KEEP: Transform | None = None        # the value as stored
TEXT: Transform = mask_free_text      # free text: ID numbers masked

# table -> column -> how the value travels. A column of a listed table that is not listed here
# takes its default (NOT NULL columns without one are in WITHHELD_COLUMNS with what is written).
ARCHIVE: dict[str, dict[str, Transform | None]] = {
    "setting": {"key": KEEP, "value": KEEP},   # rows: SETTING_KEYS only
    "meeting": dict.fromkeys(("id", "code", "title", "community", "organisation", "rules", "form",
                              "date", "venue", "options", "is_current"), KEEP),
    "person": {**dict.fromkeys((
        "id", "name", "gender", "education", "branch", "resident_group", "household",
        "member_no", "party_status", "resident_voter", "household_rep", "resident_rep",
        "collective_member", "collective_delegate", "pinyin", "created_at"), KEEP),
        "id_number": mask_id,            # 1101**********1234: tells namesakes apart
        "birth_date": _month},           # YYYY-MM: the age statistics need no more
    "meeting_elector": dict.fromkeys(("meeting_id", "person_id"), KEEP),
    "exclusion": dict.fromkeys(("id", "meeting_id", "person_id", "reason", "approval_ref",
                                "approved_on"), KEEP),
    "leave": {"meeting_id": KEEP, "person_id": KEEP, "reason": TEXT},
    "desk": dict.fromkeys(("id", "meeting_id", "name", "scope"), KEEP),
    "contest": dict.fromkeys(("id", "meeting_id", "code", "title", "body", "kind", "seats",
                              "position", "post"), KEEP),
    "candidate": dict.fromkeys(("id", "contest_id", "person_id", "name", "gender", "part_time"),
                               KEEP),
    # The previous term's members (留任 / 新提拔 of the district's figures).
    "previous_member": dict.fromkeys(("person_id", "body", "post"), KEEP),
    "audit": {**dict.fromkeys(("id", "at", "actor", "action", "meeting_id", "outcome",
                               "prev_hash", "hash"), KEEP),
              "detail": TEXT},           # masked when written: the chain still verifies
    "attendance_event": {**dict.fromkeys(("id", "meeting_id", "desk", "seq", "clock", "kind",
                                          "person_id", "operator", "at", "ref", "sig"), KEEP),
                         "reason": TEXT},
    # Public keys: the district checks each event's desk signature again (app/sync/identity.py).
    "room_key": dict.fromkeys(("id", "public_key", "created_at"), KEEP),
    "desk_key": {**dict.fromkeys(("desk", "public_key", "certificate", "certified_at",
                                       "revoked_at", "revoked_by"), KEEP),
                      "revoked_reason": TEXT},
    "attendance_snapshot": dict.fromkeys((
        "id", "meeting_id", "round_label", "taken_at", "operator", "expected", "present",
        "excluded", "on_leave", "quorum_met", "rule_zh", "last_clock"), KEEP),
    "attendance_snapshot_person": dict.fromkeys(("snapshot_id", "person_id"), KEEP),
    "proxy": dict.fromkeys(("id", "meeting_id", "principal_id", "proxy_id", "document_ref",
                            "recorded_at"), KEEP),
    "voting_round": dict.fromkeys((
        "id", "meeting_id", "contest_id", "number", "kind", "seats", "snapshot_id", "follows_id",
        "mode", "double_entry", "opened_at", "opened_by"), KEEP),
    "round_candidate": dict.fromkeys(("round_id", "position", "name", "gender", "person_id"),
                                     KEEP),
    "round_event": {**dict.fromkeys(("id", "round_id", "kind", "actor", "at"), KEEP),
                    "reason": TEXT, "detail": TEXT},
    "ballot_box": dict.fromkeys(("id", "round_id", "name", "mobile", "printed", "issued",
                                 "returned", "spoiled", "actor", "at"), KEEP),
    "ballot_entry": {**dict.fromkeys((
        "id", "round_id", "entry", "seq", "action", "present", "marks", "write_ins", "unmarked",
        "invalid", "choice", "clerk", "at"), KEEP), "reason": TEXT, "note": TEXT},
    "tally_sheet": {**dict.fromkeys(("id", "round_id", "entry", "counts", "clerk", "at"), KEEP),
                    "note": TEXT},
}

# Columns of archived tables that stay home, and the value the archive holds instead.
WITHHELD_COLUMNS: dict[str, dict[str, Any]] = {
    "person": {"phone": "", "note": "", "token": ""},   # token: whoever has it signs in as them
    "exclusion": {"detail": ""},                       # may name an illness
}

# Tables that stay home (created empty in the archive, so PollDay can still open it), and why.
WITHHELD_TABLES: dict[str, str] = {
    "sync_host": "the venue pairing: TLS private key and the room's secret",
    "sync_peer": "a desk's link to its host",
    "sync_desk": "the host's list of desks and their addresses",
    "sync_update": "the shared document between laptops (carries sign-in tokens)",
    "person_key": "search keys, one of them the reversed ID number; rebuilt from the names",
    "staff": "the staff list's PIN hashes (a 6-digit PIN is guessed offline from its hash)",
    # Scanner counting (issue 17): the per-ballot records travel in a later package format; the
    # counted ballots travel already, as the round's entry A rows.
    "scan_layout": "scanner counting records (a later package format carries them)",
    "scan_batch": "scanner counting records (a later package format carries them)",
    "scan_file": "scanner counting records: archive paths of this laptop",
    "scan_page": "scanner counting records (a later package format carries them)",
    "scan_decision": "scanner counting records (a later package format carries them)",
    "scan_counted": "scanner counting records (a later package format carries them)",
    "scan_check": "scanner counting records (scan/ballots.jsonl carries the sample)",
    "scan_draw": "scanner counting records (scan/ballots.jsonl carries the sample)",
    "scan_sample": "scanner counting records (scan/ballots.jsonl carries the sample)",
    "scan_testdeck": "scanner counting records (scan/testdeck.json carries the result)",
    "scan_testdeck_result": "scanner counting records (scan/testdeck.json carries the result)",
}

# The settings that travel: the community's place (the district's report) and the public keys
# the certificates' QR codes are checked with.
SETTING_KEYS = ("community.street", "community.district")
SETTING_PREFIXES = ("signing_key.",)


def _setting_travels(key: str) -> bool:
    return key in SETTING_KEYS or key.startswith(SETTING_PREFIXES)


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


def _without_unique(create_sql: str, column: str) -> str:
    pattern = re.compile(rf"(\n\s*{column}\s+TEXT(?: NOT NULL)?) UNIQUE")
    out, n = pattern.subn(r"\1", create_sql)
    if n != 1:
        raise RuntimeError(f"person.{column}: UNIQUE not found where expected in {create_sql!r}")
    return out


def _schema(src: sqlite3.Connection) -> list[tuple[str, str, str]]:
    """(type, table, sql) of the source's tables, then its indexes and triggers."""
    rows = src.execute("SELECT type, tbl_name, sql FROM sqlite_schema WHERE sql IS NOT NULL"
                       " AND name NOT LIKE 'sqlite_%' ORDER BY type <> 'table', rowid").fetchall()
    out = []
    for kind, table, sql in rows:
        if kind == "table" and table == "person":
            # Masked ID numbers may repeat and every token is withheld (''): no UNIQUE.
            sql = _without_unique(_without_unique(sql, "id_number"), "token")
        out.append((str(kind), str(table), str(sql)))
    return out


def _archived_rows(src: sqlite3.Connection, table: str) -> Iterator[dict[str, Any]]:
    """The table's rows as they travel, in primary-key order (the same bytes every time)."""
    info = src.execute(f'PRAGMA table_info("{table}")').fetchall()
    present = {str(c[1]) for c in info}
    pk = [str(c[1]) for c in sorted(info, key=lambda c: int(c[5])) if int(c[5]) > 0]
    order = ", ".join(f'"{c}"' for c in pk) if pk else "rowid"
    columns = {c: f for c, f in ARCHIVE[table].items() if c in present}
    fixed = {c: v for c, v in WITHHELD_COLUMNS.get(table, {}).items() if c in present}
    names = list(columns)
    quoted = ", ".join(f'"{c}"' for c in names)
    for values in src.execute(f'SELECT {quoted} FROM "{table}" ORDER BY {order}'):  # noqa: S608
        row = {c: (v if columns[c] is None else columns[c](v))   # type: ignore[misc]
               for c, v in zip(names, values, strict=True)}
        if table == "setting" and not _setting_travels(str(row["key"])):
            continue
        row.update(fixed)
        yield row


def build_archive(source: Path, target: Path) -> None:
    """The district's archive (snapshot.sqlite) at `target` (a new file), built from the
    consistent copy at `source`: the source's schema, the rows and columns of ARCHIVE only."""
    src = sqlite3.connect(ro_uri(source), uri=True)
    dst = sqlite_utils.Database(sqlite3.connect(str(target), isolation_level=None))
    try:
        dst.execute("PRAGMA journal_mode = OFF")    # a private file, read into the package
        dst.execute("PRAGMA synchronous = OFF")
        dst.execute("PRAGMA foreign_keys = OFF")
        src.execute("BEGIN")                        # one read transaction: one state
        schema = _schema(src)
        with dst.atomic():
            for kind, _table, sql in schema:
                if kind == "table":
                    dst.execute(sql)
            for kind, table, _sql in schema:
                if kind == "table" and table in ARCHIVE:
                    dst.table(table).insert_all(_archived_rows(src, table), batch_size=500)
            for kind, _table, sql in schema:
                if kind != "table":
                    dst.execute(sql)
            dst.execute(f"PRAGMA user_version = {schema_version(src)}")
        if dst.execute("PRAGMA foreign_key_check").fetchone() is not None:
            raise RuntimeError("the archive copy breaks a foreign key")
        dst.execute("VACUUM")
    finally:
        src.close()
        dst.close()


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
    # sig: the desk's Ed25519 signature (hex; None for an event stored before desks signed)
    return _rows(conn, "SELECT e.id, m.code AS meeting, e.desk, e.seq, e.clock, e.kind,"
                       " e.person_id, e.operator, e.at, e.reason, e.ref, e.sig"
                       " FROM attendance_event e"
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
    month = birth[5:7]
    return {"gender": row[0], "birth_year": int(birth[:4]) if birth[:4].isdigit() else None,
            "birth_month": int(month) if month.isdigit() and 1 <= int(month) <= 12 else None,
            "education": row[2], "party_status": row[3],
            "previous": [{"body": str(b), "post": str(p)} for b, p in conn.execute(
                "SELECT body, post FROM previous_member WHERE person_id = ? ORDER BY body, post",
                (person_id,))]}


def count(conn: sqlite3.Connection, table: str) -> int:
    if table not in {"person", "meeting", "attendance_event", "ballot_entry", "tally_sheet",
                     "audit"}:
        raise ValueError(table)
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608 - allow-listed


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])
