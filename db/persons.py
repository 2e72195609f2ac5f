"""The register's SQL: persons and their search keys (person_key).

Writers run inside the caller's transaction (db.tx.transaction); readers return app.model.Person.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

import sqlite_utils

from app.model import PartyStatus, Person

Conn = sqlite3.Connection | sqlite_utils.Database

# Columns written by an import, in this order (the person table minus id, token, pinyin,
# created_at). app.register.store.PersonRecord has the same fields.
DATA_COLUMNS: tuple[str, ...] = (
    "name", "gender", "birth_date", "id_number", "education", "branch", "resident_group",
    "household", "member_no", "party_status", "resident_voter", "household_rep", "resident_rep",
    "collective_member", "collective_delegate", "phone", "note",
)

_PERSON_COLUMNS = (
    "id, name, gender, birth_date, id_number, education, branch, resident_group, household,"
    " member_no, party_status, resident_voter, household_rep, resident_rep, collective_member,"
    " collective_delegate, token, pinyin"
)

KEY_KINDS: tuple[str, ...] = ("name", "pinyin", "initials", "id_rev", "member_no")

# The largest code point: key < prefix + MAX_CHAR selects every key starting with prefix.
MAX_CHAR = "\U0010ffff"


def raw(conn: Conn) -> sqlite3.Connection:
    return conn.conn if isinstance(conn, sqlite_utils.Database) else conn


def _person(row: Sequence[Any]) -> Person:
    return Person(
        id=row[0], name=row[1], gender=row[2], birth_date=row[3], id_number=row[4],
        education=row[5], branch=row[6], resident_group=row[7], household=row[8],
        member_no=row[9], party_status=PartyStatus(row[10]), resident_voter=bool(row[11]),
        household_rep=bool(row[12]), resident_rep=bool(row[13]), collective_member=bool(row[14]),
        collective_delegate=bool(row[15]), token=row[16], pinyin=row[17],
    )


# --- writers (inside the caller's transaction) -------------------------------------------

def insert_person(conn: Conn, values: Sequence[object], *, token: str, pinyin: str,
                  created_at: str) -> int:
    """Insert one person; `values` follow DATA_COLUMNS. Returns the new id."""
    cols = ", ".join(DATA_COLUMNS)
    marks = ", ".join("?" for _ in DATA_COLUMNS)
    cur = raw(conn).execute(
        f"INSERT INTO person ({cols}, token, pinyin, created_at) VALUES ({marks}, ?, ?, ?)",
        (*values, token, pinyin, created_at),
    )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def insert_persons(conn: Conn, rows: Sequence[tuple[Sequence[object], str, str]], *,
                   created_at: str) -> list[int]:
    """Insert many persons: (values in DATA_COLUMNS order, token, pinyin). Returns their ids,
    allocated after the largest id in use (the caller's write transaction keeps them free)."""
    c = raw(conn)
    if not c.in_transaction:
        raise RuntimeError("insert_persons must run inside a transaction")
    start = int(c.execute("SELECT coalesce(max(id), 0) FROM person").fetchone()[0]) + 1
    ids = list(range(start, start + len(rows)))
    cols = ", ".join(DATA_COLUMNS)
    marks = ", ".join("?" for _ in DATA_COLUMNS)
    c.executemany(
        f"INSERT INTO person (id, {cols}, token, pinyin, created_at)"
        f" VALUES (?, {marks}, ?, ?, ?)",
        ((pid, *values, token, pinyin, created_at)
         for pid, (values, token, pinyin) in zip(ids, rows, strict=True)),
    )
    return ids


def update_person(conn: Conn, person_id: int, changes: dict[str, object],
                  pinyin: str | None = None) -> None:
    """Set the given DATA_COLUMNS of one person (and its display pinyin)."""
    sets = dict(changes)
    bad = [c for c in sets if c not in DATA_COLUMNS]
    if bad:
        raise ValueError(f"not a person data column: {bad}")
    if pinyin is not None:
        sets["pinyin"] = pinyin
    if not sets:
        return
    assignments = ", ".join(f"{c} = ?" for c in sets)
    raw(conn).execute(f"UPDATE person SET {assignments} WHERE id = ?", (*sets.values(), person_id))


def replace_keys(conn: Conn, person_id: int, keys: Iterable[tuple[str, str]]) -> None:
    """Replace a person's search keys by (kind, key) pairs."""
    c = raw(conn)
    c.execute("DELETE FROM person_key WHERE person_id = ?", (person_id,))
    insert_keys(c, ((person_id, kind, key) for kind, key in keys))


def large_batch(conn: Conn, rows: int) -> None:
    """Before writing a large batch (over 5,000 rows): raise the page cache to 64 MB (from
    2 MB), which makes filling the indexes about twice as fast. Durability is unchanged."""
    c = raw(conn)
    if rows > 5000 and int(c.execute("PRAGMA cache_size").fetchone()[0]) > -65536:
        c.execute("PRAGMA cache_size = -65536")


def insert_keys(conn: Conn, rows: Iterable[tuple[int, str, str]]) -> None:
    """Insert (person_id, kind, key) rows; a repeated row is ignored.

    Rows go in as one JSON array per 50,000 (json_each): binding each row from Python costs a
    third more for a 20,000-person register's 120,000 keys. For a large batch the page cache is
    raised (see `large_batch`)."""
    batch = list(rows)
    c = raw(conn)
    large_batch(c, len(batch))
    for start in range(0, len(batch), 50_000):
        chunk = batch[start:start + 50_000]
        c.execute(
            "INSERT OR IGNORE INTO person_key (person_id, kind, key)"
            " SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'),"
            " json_extract(value, '$[2]') FROM json_each(?)",
            (json.dumps(chunk, ensure_ascii=False),))


# --- readers ------------------------------------------------------------------------------

def get_person(conn: Conn, person_id: int) -> Person | None:
    row = raw(conn).execute(f"SELECT {_PERSON_COLUMNS} FROM person WHERE id = ?",
                            (person_id,)).fetchone()
    return _person(row) if row else None


def get_by_token(conn: Conn, token: str) -> Person | None:
    row = raw(conn).execute(f"SELECT {_PERSON_COLUMNS} FROM person WHERE token = ?",
                            (token,)).fetchone()
    return _person(row) if row else None


def get_by_id_number(conn: Conn, id_number: str) -> Person | None:
    row = raw(conn).execute(f"SELECT {_PERSON_COLUMNS} FROM person WHERE id_number = ?",
                            (id_number.strip().upper(),)).fetchone()
    return _person(row) if row else None


def get_by_name(conn: Conn, name: str) -> list[Person]:
    """Everyone on the register with exactly this name, by id."""
    return [_person(r) for r in raw(conn).execute(
        f"SELECT {_PERSON_COLUMNS} FROM person WHERE name = ? ORDER BY id", (name,))]


def get_many(conn: Conn, ids: Sequence[int]) -> list[Person]:
    """Persons with the given ids, in the order given (unknown ids are left out)."""
    if not ids:
        return []
    found: dict[int, Person] = {}
    c = raw(conn)
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        marks = ", ".join("?" for _ in chunk)
        for row in c.execute(f"SELECT {_PERSON_COLUMNS} FROM person WHERE id IN ({marks})", chunk):
            found[row[0]] = _person(row)
    return [found[i] for i in ids if i in found]


def persons_with_any(conn: Conn, chars: str) -> list[Person]:
    """Persons whose name holds one of `chars` (a full scan; used once per database)."""
    cond = " OR ".join("instr(name, ?) > 0" for _ in chars)
    ids = [int(r[0]) for r in raw(conn).execute(f"SELECT id FROM person WHERE {cond}", list(chars))]
    return get_many(conn, ids)


def names(conn: Conn) -> list[tuple[int, str]]:
    """(id, name) of everyone, by id (re-keying the search keys)."""
    return [(int(i), str(n)) for i, n in raw(conn).execute("SELECT id, name FROM person ORDER BY id")]


def list_persons(conn: Conn) -> list[Person]:
    """Everyone on the register, by id (import order)."""
    return [_person(r) for r in raw(conn).execute(
        f"SELECT {_PERSON_COLUMNS} FROM person ORDER BY id")]


def count_persons(conn: Conn) -> int:
    return int(raw(conn).execute("SELECT count(*) FROM person").fetchone()[0])


def data_rows(conn: Conn) -> list[tuple[Any, ...]]:
    """(id, *DATA_COLUMNS) of everyone, by id: what a re-import compares against."""
    cols = ", ".join(DATA_COLUMNS)
    return [tuple(r) for r in raw(conn).execute(f"SELECT id, {cols} FROM person ORDER BY id")]


def existing_id_numbers(conn: Conn, id_numbers: Iterable[str]) -> dict[str, int]:
    """Which of these ID numbers are already on the register: id_number -> person id."""
    wanted = list(dict.fromkeys(id_numbers))
    out: dict[str, int] = {}
    c = raw(conn)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for num, pid in c.execute(
                f"SELECT id_number, id FROM person WHERE id_number IN ({marks})", chunk):
            out[num] = pid
    return out


def keys_of(conn: Conn, person_id: int) -> list[tuple[str, str]]:
    """A person's (kind, key) search keys, sorted."""
    return [(k, v) for k, v in raw(conn).execute(
        "SELECT kind, key FROM person_key WHERE person_id = ? ORDER BY kind, key", (person_id,))]


def key_prefix(conn: Conn, prefix: str, kinds: Sequence[str], *, limit: int, offset: int = 0,
               scope: Sequence[str] | None = None) -> list[tuple[int, str, str]]:
    """(person_id, kind, key) of keys starting with `prefix`, in key order: an index range scan
    on person_key's primary key. `scope`: only persons whose branch or residents' group is in it,
    checked key by key (fast when the scope holds many persons; see `scoped_keys`)."""
    kind_marks = ", ".join("?" for _ in kinds)
    params: list[object] = [prefix, prefix + MAX_CHAR, *kinds]
    if scope is None:
        sql = (f"SELECT person_id, kind, key FROM person_key WHERE key >= ? AND key < ?"
               f" AND kind IN ({kind_marks}) ORDER BY key, kind, person_id LIMIT ? OFFSET ?")
    else:
        scope_marks = ", ".join("?" for _ in scope)
        # CROSS JOIN fixes the loop order in SQLite: person_key outer, person looked up by id.
        sql = (f"SELECT k.person_id, k.kind, k.key FROM person_key k CROSS JOIN person p"
               f" ON p.id = k.person_id WHERE k.key >= ? AND k.key < ? AND k.kind IN ({kind_marks})"
               f" AND (p.branch IN ({scope_marks}) OR p.resident_group IN ({scope_marks}))"
               f" ORDER BY k.key, k.kind, k.person_id LIMIT ? OFFSET ?")
        params += [*scope, *scope]
    params += [limit, offset]
    return [(int(p), str(k), str(v)) for p, k, v in raw(conn).execute(sql, params)]


def count_in_scope(conn: Conn, scope: Sequence[str]) -> int:
    """Persons whose branch or residents' group is one of `scope`."""
    marks = ", ".join("?" for _ in scope)
    return int(raw(conn).execute(
        f"SELECT count(*) FROM person WHERE branch IN ({marks}) OR resident_group IN ({marks})",
        [*scope, *scope]).fetchone()[0])


def scoped_keys(conn: Conn, scope: Sequence[str],
                ranges: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[int, str, str]]:
    """(person_id, kind, key) of the scope's persons whose keys start with one of the prefixes
    (each with its kinds): one pass over the scope's persons, for a scope holding few of them."""
    scope_marks = ", ".join("?" for _ in scope)
    conds: list[str] = []
    params: list[object] = [*scope, *scope]
    for prefix, kinds in ranges:
        conds.append(f"(k.key >= ? AND k.key < ? AND k.kind IN ({', '.join('?' for _ in kinds)}))")
        params += [prefix, prefix + MAX_CHAR, *kinds]
    if not conds:
        return []
    sql = (f"SELECT DISTINCT k.person_id, k.kind, k.key FROM person p CROSS JOIN person_key k"
           f" ON k.person_id = p.id WHERE (p.branch IN ({scope_marks})"
           f" OR p.resident_group IN ({scope_marks})) AND ({' OR '.join(conds)})")
    return [(int(p), str(k), str(v)) for p, k, v in raw(conn).execute(sql, params)]
