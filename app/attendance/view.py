"""The per-connection in-memory view of a meeting: electorate and folded log.

Module functions keep, per connection, a view so that a sign-in costs a few indexed queries. It is
refreshed when the database changed behind it: PRAGMA data_version moves when another connection
commits (its new events are read incrementally), total_changes when this one wrote; a new audit
row (register, exclusions, leaves, options all audit) means a full rebuild. The use cases are
serialized per connection (`lock(conn)`): two threads sharing a connection take turns, while a
sign-in on the GUI thread's connection never waits for a worker's connection rebuilding its own
view (~140 ms after an audited change). One lock per connection also cannot deadlock with
SQLite's write lock: a thread holds at most its own connection's lock while it waits for
BEGIN IMMEDIATE."""

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
_GUARD = threading.Lock()  # the registries below (_LOCKS, _VIEWS), held only briefly
_LOCKS: dict[int, threading.RLock] = {}


def lock(conn: sqlite3.Connection) -> threading.RLock:
    """The lock of `conn`'s views and use cases. Keyed by the connection's id: should a closed
    connection's id come back for a new one, the two share a lock, which only serializes more."""
    held = _LOCKS.get(id(conn))
    if held is None:
        with _GUARD:
            held = _LOCKS.setdefault(id(conn), threading.RLock())
    return held


def serialized(func: Callable[P, R]) -> Callable[P, R]:
    """Run `func(conn, ...)` under `conn`'s lock (each connection has its own views)."""
    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        conn = args[0] if args else kwargs["conn"]
        with lock(conn):  # type: ignore[arg-type]  # the use cases take the connection first
            return func(*args, **kwargs)

    return wrapper


class View:
    """Electorate and folded log of one meeting as seen by one connection.

    Another connection (a second desk on the same file) mostly appends events: those are read
    incrementally (rows after the last seen id). Anything else that changes who counts is
    audited (register, exclusions, leaves, options), so a new audit row means a full rebuild.

    An event this connection wrote is folded in at once (`apply`), but another connection may
    have committed events or audit rows between this view's last look and that write: the
    next use looks again (`behind`), reading what it has not read and skipping what it folded.
    The stamps are taken before reading, so a commit landing during a read is seen next time."""

    def __init__(self, conn: sqlite3.Connection, meeting: Meeting) -> None:
        self.meeting = meeting
        self.stamp = stamp(conn)
        self.audit_mark = self.read_mark = q.audit_mark(conn)
        self.behind = False          # an own write folded in: look again at the next use
        self.folded: set[int] = set()  # ids folded by `apply`, after last_event_id
        self.electorate: Electorate = electorate(conn, meeting)
        self.voter_ids = frozenset(p.id for p in self.electorate.voters)
        self.attend_ids = frozenset(p.id for p in self.electorate.non_voting)
        self.events: dict[int, list[Event]] = {}
        self.states: dict[int, Standing] = {}
        self.excluded_ids = frozenset(self.electorate.excluded_ids)
        self.present_ids: set[int] = set()
        self.last_event_id = 0
        self.refresh(conn)

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
            self.last_event_id = max(self.last_event_id, e.id)
            if e.id in self.folded:
                continue
            self.events.setdefault(e.person_id, []).append(e)
            touched.add(e.person_id)
        self.folded = {i for i in self.folded if i > self.last_event_id}
        for pid in touched:
            self.events[pid].sort(key=lambda x: (x.clock, x.desk, x.seq))
            self._refold(pid)

    def apply(self, e: Event) -> None:
        """Add an event written by this connection (its clock is its person's highest:
        append). Events other connections committed before it are read at the next use."""
        self.events.setdefault(e.person_id, []).append(e)
        self.folded.add(e.id)
        self.behind = True
        self._refold(e.person_id)


_VIEWS: OrderedDict[int, tuple[sqlite3.Connection, dict[int, View]]] = OrderedDict()
_MAX_CONNECTIONS = 4


def stamp(conn: sqlite3.Connection) -> tuple[int, int]:
    return dbfiles.data_version(conn), conn.total_changes


def view(conn: sqlite3.Connection, meeting: Meeting) -> View:
    """The view of `meeting` through `conn`, rebuilt when the database changed behind it.
    Called under `lock(conn)`."""
    with _GUARD:
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
    elif v.behind or v.stamp != stamp(conn):
        # `read_mark`, not `audit_mark`: after an own write the latter is the mark after it,
        # which may include another connection's audited change this view never read.
        now, mark = stamp(conn), q.audit_mark(conn)
        if mark != v.read_mark:
            v = views[meeting.id] = View(conn, meeting)
        else:
            v.refresh(conn)
            v.stamp, v.behind = now, False
    return v


def forget(conn: sqlite3.Connection) -> None:
    """Drop the cached view of `conn` (call before closing a long-lived connection)."""
    with _GUARD:
        _VIEWS.pop(id(conn), None)
