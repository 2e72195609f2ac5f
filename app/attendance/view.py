"""The per-connection in-memory view of a meeting: electorate and folded log.

Module functions keep, per connection, a view so that a sign-in costs a few indexed queries. It is
refreshed when the database changed behind it: PRAGMA data_version moves when another connection
commits (its new events are read incrementally), total_changes when this one wrote; a new audit
row (register, exclusions, leaves, options all audit) means a full rebuild. The use cases are
serialized by one lock, so a desk page may sign in on a worker thread while a timer reads the
figures on the GUI thread."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from app.attendance.log import Event, Standing, event_from_row, fold_person
from app.electorate import Electorate, electorate
from app.model import Meeting
from db import attendance as q
from db import files as dbfiles

P = ParamSpec("P")
R = TypeVar("R")
LOCK = threading.RLock()


def serialized(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func` under the module lock (the views are shared per connection)."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with LOCK:
            return func(*args, **kwargs)

    return wrapper


class View:
    """Electorate and folded log of one meeting as seen by one connection.

    Another connection (a second desk on the same file) mostly appends events: those are read
    incrementally (rows after the last seen id). Anything else that changes who counts is
    audited (register, exclusions, leaves, options), so a new audit row means a full rebuild."""

    def __init__(self, conn: sqlite3.Connection, meeting: Meeting) -> None:
        self.meeting = meeting
        self.electorate: Electorate = electorate(conn, meeting)
        self.voter_ids = frozenset(p.id for p in self.electorate.voters)
        self.attend_ids = frozenset(p.id for p in self.electorate.non_voting)
        self.events: dict[int, list[Event]] = {}
        self.states: dict[int, Standing] = {}
        self.excluded_ids = frozenset(self.electorate.excluded_ids)
        self.present_ids: set[int] = set()
        self.last_event_id = 0
        self.refresh(conn)
        self.audit_mark = q.audit_mark(conn)
        self.stamp = stamp(conn)

    def _counts(self, pid: int) -> bool:
        st = self.states.get(pid)
        return (st is not None and st.in_room and pid in self.voter_ids
                and pid not in self.excluded_ids)

    def _refold(self, pid: int) -> None:
        st = fold_person(self.events[pid])
        self.states[pid] = st
        if st.lifted is not None:
            self.excluded_ids = self.excluded_ids - {pid}
        if self._counts(pid):
            self.present_ids.add(pid)
        else:
            self.present_ids.discard(pid)

    def refresh(self, conn: sqlite3.Connection) -> None:
        """Fold in the events appended since the last look (by anyone), in merge order."""
        touched: set[int] = set()
        for e in map(event_from_row, q.select_events_after(conn, self.meeting.id, self.last_event_id)):
            self.events.setdefault(e.person_id, []).append(e)
            touched.add(e.person_id)
            self.last_event_id = max(self.last_event_id, e.id)
        for pid in touched:
            self.events[pid].sort(key=lambda x: (x.clock, x.desk, x.seq))
            self._refold(pid)

    def apply(self, e: Event) -> None:
        """Add an event written by this connection (its clock is its person's highest:
        append)."""
        self.events.setdefault(e.person_id, []).append(e)
        self.last_event_id = max(self.last_event_id, e.id)
        self._refold(e.person_id)


_VIEWS: OrderedDict[int, tuple[sqlite3.Connection, dict[int, View]]] = OrderedDict()
_MAX_CONNECTIONS = 4


def stamp(conn: sqlite3.Connection) -> tuple[int, int]:
    return dbfiles.data_version(conn), conn.total_changes


def view(conn: sqlite3.Connection, meeting: Meeting) -> View:
    """The view of `meeting` through `conn`, rebuilt when the database changed behind it."""
    entry = _VIEWS.get(id(conn))
    if entry is None or entry[0] is not conn:
        entry = (conn, {})
        _VIEWS[id(conn)] = entry
        while len(_VIEWS) > _MAX_CONNECTIONS:
            _VIEWS.popitem(last=False)
    _VIEWS.move_to_end(id(conn))
    views = entry[1]
    v = views.get(meeting.id)
    if v is None or v.meeting != meeting:
        v = views[meeting.id] = View(conn, meeting)
    elif v.stamp != stamp(conn):
        if v.audit_mark != q.audit_mark(conn):
            v = views[meeting.id] = View(conn, meeting)
        else:
            v.refresh(conn)
            v.stamp = stamp(conn)
    return v


def forget(conn: sqlite3.Connection) -> None:
    """Drop the cached view of `conn` (call before closing a long-lived connection)."""
    _VIEWS.pop(id(conn), None)
