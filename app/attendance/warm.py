"""A connection's view of a meeting built on another connection, then handed over.

The first use of a meeting on a connection folds the whole register (~140 ms for the demo's
8,200 people, ~0.5 s for 20,000). A desk page signs in on the GUI thread (a sign-in is written
before the screen says so), so its connection needs that view; `build` makes it on a worker's
connection and `adopt` installs it for the GUI connection, which then only reads what changed
since (events after it, or a rebuild if an audited change came in between)."""

from __future__ import annotations

import sqlite3

from app.attendance import view as v
from app.model import Meeting
from db import attendance as q


def is_warm(conn: sqlite3.Connection, meeting: Meeting) -> bool:
    """`conn` already holds a view of `meeting` (possibly behind: its next use catches up)."""
    with v._GUARD:
        entry = v._VIEWS.get(id(conn))
        if entry is None or entry[0] is not conn:
            return False
        held = entry[1].get(meeting.id)
        return held is not None and held.meeting == meeting


def build(conn: sqlite3.Connection, meeting: Meeting) -> v.View:
    """The view of `meeting` read through `conn` (a worker's connection), in one read, under
    no lock: it touches no shared view, and a sign-in on the GUI thread must not wait for it."""
    with q.read_transaction(conn):
        return v.View(conn, meeting)


@v.serialized
def adopt(conn: sqlite3.Connection, meeting: Meeting, built: v.View) -> bool:
    """Install `built` as `conn`'s view of `meeting` unless it holds one already. Returns
    whether it was installed."""
    if is_warm(conn, meeting) or built.meeting != meeting:
        return False
    with v._GUARD:
        entry = v._VIEWS.get(id(conn))
        if entry is None or entry[0] is not conn:
            entry = (conn, {})
            v._VIEWS[id(conn)] = entry
            while len(v._VIEWS) > v._MAX_CONNECTIONS:
                v._VIEWS.popitem(last=False)
    # The stamp was `conn`'s of the other connection: unknown here, so the next use compares
    # the audit mark and reads the events after the view's last one.
    built.stamp = (-1, -1)
    entry[1][meeting.id] = built
    return True
