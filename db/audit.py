"""The audit log: append-only rows chained by SHA-256 so an edited or removed row is detectable.

The chain alone proves nothing to someone who holds the file: drop the triggers, rewrite a row,
recompute every later hash, and it verifies again. What anchors it is the HEAD (the last row's
full hash) written OUTSIDE the file: printed on the notice, the count report and the hand-over
slip (in groups and in a QR), and in the signed package manifest. `verify_to_head` proves the log
up to a printed head was not rewritten: the head is the hash of some row, and every row up to it
re-verifies (a rewrite at or before that row changes its hash, so the head matches no row).
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from db.privacy import mask_ids_in_json

GENESIS = "0" * 64


def _row_hash(prev_hash: str, at: str, actor: str, action: str, meeting_id: int | None,
              detail: str, outcome: str) -> str:
    payload = json.dumps([prev_hash, at, actor, action, meeting_id, detail, outcome],
                         ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def append(conn: sqlite3.Connection, *, at: str, actor: str, action: str,
           meeting_id: int | None = None, detail: dict[str, Any] | None = None,
           outcome: str = "ok") -> str:
    """Append one row inside the caller's transaction; returns its hash."""
    row = conn.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    prev = row[0] if row else GENESIS
    # An ID number typed into a reason is masked before it is hashed: the log never holds one,
    # and the district's copy re-verifies (db/privacy.py).
    detail_s = mask_ids_in_json(json.dumps(detail or {}, ensure_ascii=False, sort_keys=True,
                                           separators=(",", ":")))
    h = _row_hash(prev, at, actor, action, meeting_id, detail_s, outcome)
    conn.execute(
        "INSERT INTO audit (at, actor, action, meeting_id, detail, outcome, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (at, actor, action, meeting_id, detail_s, outcome, prev, h),
    )
    return h


AuditRow = Sequence[Any]   # id, at, actor, action, meeting_id, detail, outcome, prev_hash, hash
_SELECT = ("SELECT id, at, actor, action, meeting_id, detail, outcome, prev_hash, hash"
           " FROM audit")
KIND_WORDS = {"content": "内容与它的校验值不符（写入后被改动过）",
              "link": "记下的上一条校验值对不上（它之前的记录被删除或调换过）"}


def breaks_of(rows: Iterable[AuditRow]) -> list[tuple[int, str]]:
    """EVERY row of `rows` (id order) that does not verify, as (id, kind): "link" when the
    previous hash it names is not the stored hash of the row before (a row removed or
    reordered), "content" when its own content no longer gives its hash (edited). A row after an
    edited one still links to the edited row's stored hash, so each edit is named on its own."""
    out: list[tuple[int, str]] = []
    prev = GENESIS
    for rid, at, actor, action, mid, detail, outcome, prev_hash, h in rows:
        if prev_hash != prev:
            out.append((int(rid), "link"))
        if _row_hash(prev_hash, at, actor, action, mid, detail, outcome) != h:
            out.append((int(rid), "content"))
        prev = h
    return out


def breaks(conn: sqlite3.Connection, *, up_to: int | None = None) -> list[tuple[int, str]]:
    """`breaks_of` the database's audit log (`up_to`: stop after that row id)."""
    return breaks_of(conn.execute(_SELECT + " WHERE id <= ? ORDER BY id",
                                  (up_to if up_to is not None else 2**62,)))


def break_words(rid: int, kind: str) -> str:
    return f"第 {rid} 条审计记录{KIND_WORDS.get(kind, kind)}"


def verify_chain(conn: sqlite3.Connection, *, up_to: int | None = None) -> list[str]:
    """Problems found in the chain in words (empty when intact), one per row that does not
    verify, naming the audit row id; `up_to` stops after that row id."""
    return [break_words(rid, kind) for rid, kind in breaks(conn, up_to=up_to)]


def first_break(conn: sqlite3.Connection) -> tuple[int, str] | None:
    """The first row that does not verify: (its id, "link" | "content", as `breaks_of`); None
    when every row verifies."""
    found = breaks(conn)
    return found[0] if found else None


@dataclass(frozen=True, slots=True)
class Head:
    row: int        # the audit row id whose hash this is (0 for an empty log)
    hash: str       # 64 lower-case hex digits (GENESIS for an empty log)
    rows: int       # how many rows up to and including it
    broken: tuple[int, ...] = ()   # `checked_head`: the rows that do not verify (none: intact)


def head(conn: sqlite3.Connection) -> Head:
    """The chain head now: the last row's id and full hash."""
    row = conn.execute("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return Head(0, GENESIS, 0)
    n = conn.execute("SELECT COUNT(*) FROM audit WHERE id <= ?", (row[0],)).fetchone()[0]
    return Head(int(row[0]), str(row[1]), int(n))


def checked_head(conn: sqlite3.Connection) -> Head:
    """`head`, with every row that does not verify: what a document printing the head uses,
    so it never vouches for a log that does not re-verify."""
    h = head(conn)
    bad = tuple(dict.fromkeys(rid for rid, _k in breaks(conn)))
    return Head(h.row, h.hash, h.rows, bad)


def grouped(h: str, size: int = 4) -> str:
    """A hash for reading aloud and comparing on paper: groups of 4 hex digits."""
    return " ".join(h[i:i + size] for i in range(0, len(h), size))


_HEX64 = re.compile(r"[0-9a-f]{64}")


def normalise_head(text: str) -> str | None:
    """A head as typed or scanned (any case, spaces or dashes between groups) -> 64 hex digits."""
    h = re.sub(r"[\s\-:]", "", text).lower()
    return h if _HEX64.fullmatch(h) else None


def verify_to_head(conn: sqlite3.Connection, printed: str) -> tuple[int | None, list[str]]:
    """(the row the printed head names, problems up to that row). No row with that hash means
    the log was rewritten at or before the row it was printed from, or it is another database's
    head: the problem says so."""
    match = conn.execute("SELECT id FROM audit WHERE hash = ? ORDER BY id LIMIT 1",
                         (printed,)).fetchone()
    if match is None:
        if printed == GENESIS:
            return 0, []
        return None, [f"没有任何一条审计记录的校验值是纸面链头 {printed}：打印该链头之后，"
                      "它之前的记录被改写并重算过链条（或该链头属于另一个数据库）"]
    rid = int(match[0])
    return rid, verify_chain(conn, up_to=rid)


def rows(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every audit row in id order (detail parsed back to JSON where it is)."""
    out = []
    for rid, at, actor, action, mid, detail, outcome, prev_hash, h in conn.execute(
        "SELECT id, at, actor, action, meeting_id, detail, outcome, prev_hash, hash"
        " FROM audit ORDER BY id"
    ):
        try:
            parsed: Any = json.loads(detail)
        except json.JSONDecodeError:
            parsed = detail
        out.append({"id": rid, "at": at, "actor": actor, "action": action, "meeting_id": mid,
                    "detail": parsed, "outcome": outcome, "prev_hash": prev_hash, "hash": h})
    return out


def open_for_check(path: Path) -> sqlite3.Connection | None:
    """The database at `path` opened READ-ONLY (checking changes nothing, migrates nothing);
    None when it has no audit log (not a PollDay election database). FileNotFoundError when
    there is no file; sqlite3.DatabaseError when it is not a database."""
    from db.files import ro_uri

    if not path.is_file():
        raise FileNotFoundError(str(path))
    conn = sqlite3.connect(ro_uri(path), uri=True)
    try:
        has = conn.execute("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit'"
                           ).fetchone()
    except BaseException:
        conn.close()
        raise
    if not has:
        conn.close()
        return None
    return conn
