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
from db import sync as qs
from db.tx import transaction

CLOCK_AHEAD = 10**6      # a clock further beyond the highest known is refused (see app.sync.gate)
MAX_SEQ = (1 << 31) - 1


def export_events(conn: sqlite3.Connection, meeting: Meeting) -> list[dict[str, Any]]:
    """The meeting's log with persons named by token (ids differ between laptops)."""
    evs = events(conn, meeting)
    tokens = q.tokens_of(conn, {e.person_id for e in evs})
    sigs = qs.sigs_of(conn, [e.id for e in evs])
    return [{"desk": e.desk, "seq": e.seq, "clock": e.clock, "kind": str(e.kind),
             "person": tokens[e.person_id], "operator": e.operator, "at": e.at,
             "reason": e.reason, "ref": e.ref, "sig": sigs.get(e.id)} for e in evs]


@serialized
def merge_events(conn: sqlite3.Connection, meeting: Meeting,
                 foreign: Iterable[dict[str, Any]]) -> int:
    """Add events from another desk's log (as `export_events` writes them); events known by
    desk:seq are skipped and nothing is overwritten. The Lamport clock moves past the highest
    clock seen, so later local events order after them: a clock more than CLOCK_AHEAD beyond
    the highest known, or a seq of 2^31 or more, is refused (ValueError), so that no event can
    push the next clock past what SQLite stores. An event's signature (`sig`, hex) is kept with
    it. Returns how many were new."""
    rows = list(foreign)
    with transaction(conn):
        ids = q.person_ids_by_token(conn, (r["person"] for r in rows))
        limit = q.max_clock(conn) + CLOCK_AHEAD
        added = 0
        for r in rows:
            pid = ids.get(r["person"])
            if pid is None:
                raise ValueError(f"event {r['desk']}:{r['seq']} names a person not on this "
                                 "register")
            seq, clock = int(r["seq"]), int(r["clock"])
            if not 0 < seq <= MAX_SEQ or not 0 < clock <= limit:
                raise ValueError(f"event {r['desk']}:{r['seq']}: seq or clock out of range"
                                 f" (clock {str(clock)[:24]}, highest known {limit - CLOCK_AHEAD})")
            sig = r.get("sig")
            added += qs.insert_event_if_new(conn, (
                meeting.id, r["desk"], seq, clock, Kind(r["kind"]).value, pid,
                r.get("operator", ""), r["at"], r.get("reason", ""), r.get("ref", "")),
                sig if isinstance(sig, str) and sig else None)
    return added
