"""The host's overview of its desks, for the chair's dashboard and `pollday attendance --json`:
read from the database, so any window or process on the host can show it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from db import sync as q


@dataclass(frozen=True, slots=True)
class DeskLinkStatus:
    desk: str
    connected: bool
    address: str
    first_seen: str
    last_contact: str
    reported_seq: int     # the desk's own last event, as it last told the host
    received: int         # the desk's events the host has stored (1..received, no gap)

    @property
    def pending(self) -> int:
        """Events the desk has said it wrote that the host has not received (at least)."""
        return max(0, self.reported_seq - self.received)

    def as_json(self) -> dict[str, Any]:
        return {"desk": self.desk, "connected": self.connected, "address": self.address,
                "last_contact": self.last_contact, "received": self.received,
                "pending": self.pending}


def have(conn: sqlite3.Connection) -> dict[str, int]:
    """Per desk, the highest seq up to which this database has every event of that desk."""
    out: dict[str, int] = {}
    for desk, (count, top) in q.desk_seqs(conn).items():
        if count == top:
            out[desk] = top
            continue
        n = 0
        for s in q.seqs_of(conn, desk):
            if s != n + 1:
                break
            n = s
        out[desk] = n
    return out


def is_host(conn: sqlite3.Connection) -> bool:
    return q.select_host(conn) is not None


def host_status(conn: sqlite3.Connection) -> list[DeskLinkStatus]:
    """Every desk that has connected to this host: connection state, last contact, events not
    yet received. Empty when this database is not a host's."""
    got = have(conn)
    return [DeskLinkStatus(desk, bool(connected), address, first, last, int(seq),
                           got.get(desk, 0))
            for desk, _inst, address, first, last, connected, seq in q.select_desks(conn)]
