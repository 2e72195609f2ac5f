"""The audit log: append-only rows chained by SHA-256 so an edited or removed row is detectable."""

from __future__ import annotations

import hashlib
import json
import sqlite3
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


def verify_chain(conn: sqlite3.Connection) -> list[str]:
    """Problems found in the chain (empty when intact), naming the audit row id."""
    problems: list[str] = []
    prev = GENESIS
    for rid, at, actor, action, mid, detail, outcome, prev_hash, h in conn.execute(
        "SELECT id, at, actor, action, meeting_id, detail, outcome, prev_hash, hash"
        " FROM audit ORDER BY id"
    ):
        if prev_hash != prev:
            problems.append(f"audit row {rid}: previous hash does not match (row removed or reordered)")
        if _row_hash(prev_hash, at, actor, action, mid, detail, outcome) != h:
            problems.append(f"audit row {rid}: content does not match its hash (row edited)")
        prev = h
    return problems
