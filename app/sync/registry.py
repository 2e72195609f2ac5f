"""The desk registry on the host: which desks hold a certified key, revoking one, and what the
log holds of revoked desks and from before desks signed (app.sync.identity).

A revoked desk is refused at its next hello and every update it sends afterwards is refused; its
events made before stay in the log (they were valid when made) and are listed here. The
revocation is a row change of the registry, so it reaches every desk with the register refresh
(app.sync.register); each desk then refuses that desk's new events too."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.clock import Clock, iso
from db import sync as q
from db.audit import append
from db.tx import transaction


@dataclass(frozen=True, slots=True)
class DeskKeyRow:
    desk: str
    public_key: str
    certified_at: str
    revoked_at: str | None
    revoked_by: str
    revoked_reason: str
    events: int             # this desk's events in the log
    unsigned: int           # ... of them without a signature (stored before desks signed)

    @property
    def fingerprint(self) -> str:
        k = self.public_key
        return " ".join(k[i:i + 4] for i in range(0, 16, 4))


def desk_keys(conn: sqlite3.Connection) -> list[DeskKeyRow]:
    counts = q.event_counts_by_desk(conn)
    out = []
    for desk, pub, at, revoked, by, reason in q.select_desk_key_rows(conn):
        events, unsigned = counts.get(str(desk), (0, 0))
        out.append(DeskKeyRow(str(desk), str(pub), str(at), revoked, str(by), str(reason),
                              events, unsigned))
    return out


def revoke_desk(conn: sqlite3.Connection, desk: str, *, reason: str, actor: str,
                clock: Clock) -> str:
    """Revoke `desk`'s key (audited). '' when done, else why not (in words)."""
    if not reason.strip():
        return "吊销签到台须写明原因"
    from app.permissions import check

    at = iso(clock.now())
    with transaction(conn):
        denied = check(conn, "host_mode", actor)   # the host's desks: the 主持人's
        if denied is not None:
            return denied.message
        if not q.revoke_desk_key(conn, desk, at, actor, reason.strip()):
            return f"没有未吊销的签到台“{desk}”"
        append(conn, at=at, actor=actor, action="sync_desk_revoked",
               detail={"desk": desk, "reason": reason.strip(),
                       "events_kept": q.count_events_of_desk(conn, desk)})
    return ""


def revoked_events(conn: sqlite3.Connection) -> list[tuple[str, int, str, str]]:
    """(desk, seq, kind, at) of the events of revoked desks: kept, listed for the chair."""
    out = []
    for desk, _pub, _at, revoked_at, _by, _reason in q.select_desk_key_rows(conn):
        if revoked_at is not None:
            out += [(str(d), int(s), str(k), str(a)) for d, s, k, a, _ in
                    q.events_of_desk(conn, str(desk))]
    return out


def unsigned_count(conn: sqlite3.Connection) -> int:
    """Events without a signature: stored before desks signed (kept as they are)."""
    return q.count_unsigned(conn)
