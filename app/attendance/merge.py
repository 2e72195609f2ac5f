"""Another laptop's log: export with persons named by token, merge keyed by desk:seq."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from app.attendance.figures import events
from app.attendance.log import Kind
from app.attendance.view import serialized
from app.model import Meeting
from db import attendance as q
from db.tx import transaction


def export_events(conn: sqlite3.Connection, meeting: Meeting) -> list[dict[str, Any]]:
    """The meeting's log with persons named by token (ids differ between laptops)."""
    evs = events(conn, meeting)
    tokens = q.tokens_of(conn, {e.person_id for e in evs})
    return [{"desk": e.desk, "seq": e.seq, "clock": e.clock, "kind": str(e.kind),
             "person": tokens[e.person_id], "operator": e.operator, "at": e.at,
             "reason": e.reason, "ref": e.ref} for e in evs]


@serialized
def merge_events(conn: sqlite3.Connection, meeting: Meeting,
                 foreign: Iterable[dict[str, Any]]) -> int:
    """Add events from another desk's log (as `export_events` writes them); events known by
    desk:seq are skipped and nothing is overwritten. The Lamport clock moves past the highest
    clock seen, so later local events order after them. Returns how many were new."""
    rows = list(foreign)
    with transaction(conn):
        ids = q.person_ids_by_token(conn, (r["person"] for r in rows))
        added = 0
        for r in rows:
            pid = ids.get(r["person"])
            if pid is None:
                raise ValueError(f"event {r['desk']}:{r['seq']} names a person not on this "
                                 "register")
            added += q.insert_event_if_new(conn, (
                meeting.id, r["desk"], int(r["seq"]), int(r["clock"]), Kind(r["kind"]).value, pid,
                r.get("operator", ""), r["at"], r.get("reason", ""), r.get("ref", "")))
    return added
