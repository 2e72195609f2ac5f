"""Finding a person at a desk, and what Enter may do with what was found.

The search covers the whole register: a person another desk serves is found and named with
that desk ("属于二号台（第三党支部）"), never "not on the register". Enter signs in only a person
the query names unambiguously (`Finding.sure`): exactly one exact match. A prefix-only hit, or
several exact ones (nine namesakes), is shown for the clerk to pick.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.attendance.log import Event
from app.attendance.view import view
from app.meetings import Desk, list_desks
from app.model import Meeting, Person
from db import persons as db_persons


@dataclass(frozen=True, slots=True)
class Found:
    person: Person
    exact: bool     # the query names this person exactly (not only a prefix)
    has_vote: bool  # in this meeting
    home: str       # "" when the desk serves the person, else "属于二号台（第三党支部）"
    no_vote: str = ""  # why the person has no vote in this meeting, in words


@dataclass(frozen=True, slots=True)
class Finding:
    rows: tuple[Found, ...]   # exact matches first, people with a vote first, then the rest
    sure: Person | None       # the one person Enter signs in; None: the clerk picks

    @property
    def exact_count(self) -> int:
        return sum(1 for f in self.rows if f.exact)


def _desk(desks: list[Desk], name: str) -> Desk | None:
    return next((d for d in desks if d.name == name.strip()), None)


def _home(desks: list[Desk], here: Desk | None, person: Person) -> str:
    if here is None or here.serves(person):
        return ""
    group = person.branch or person.resident_group or "未填支部或居民小组"
    serving = [d.name for d in desks if d.scope and d.serves(person)]
    serving = serving or [d.name for d in desks if not d.scope]
    return f"属于{'、'.join(serving)}（{group}）" if serving else f"不属于任何签到台（{group}）"


def home_desk(conn: sqlite3.Connection, meeting: Meeting, person: Person, desk: str) -> str:
    """"" when `desk` serves `person` (or has no scope, or is not a set-up desk); otherwise
    which desk does, in words: "属于二号台（第三党支部）"."""
    desks = list_desks(conn, meeting.id)
    return _home(desks, _desk(desks, desk), person)


def _direct(conn: sqlite3.Connection, query: str) -> Person | None:
    """A whole sign-in token or ID number typed or pasted (never a register id: '1234' typed
    is the end of an ID number, not person 1234)."""
    from app.attendance.desk import find_person

    s = query.strip()
    if not s or (s.isdigit() and len(s) <= 12):
        return None
    return find_person(conn, s)


def find(conn: sqlite3.Connection, meeting: Meeting, query: str, desk: str,
         limit: int = 20) -> Finding:
    """Persons matching `query` on the whole register, for the desk named `desk`: those it
    serves are searched first so the list is never filled with others."""
    from app import search as person_search
    from app.electorate import vote_right

    desks = list_desks(conn, meeting.id)
    here = _desk(desks, desk)
    ids: list[int] = []
    if here is not None and here.scope:
        ids = person_search.search_ids(conn, query, limit, list(here.scope))
    ids += [i for i in person_search.search_ids(conn, query, limit) if i not in ids]
    persons = db_persons.get_many(conn, ids)
    exact = person_search.exact_ids(conn, query, persons)
    direct = _direct(conn, query)
    if direct is not None:
        exact.add(direct.id)
        if all(p.id != direct.id for p in persons):
            persons.insert(0, direct)
    rows = []
    for p in persons:
        right = vote_right(conn, p, meeting)
        rows.append(Found(p, p.id in exact, right.has_vote, _home(desks, here, p),
                          "" if right.has_vote else right.reason_zh))
    order = {p.id: i for i, p in enumerate(persons)}
    rows.sort(key=lambda f: (not f.exact, not f.has_vote, bool(f.home), order[f.person.id]))
    exact_rows = [f.person for f in rows if f.exact]
    return Finding(tuple(rows), exact_rows[0] if len(exact_rows) == 1 else None)


def attending_ids(conn: sqlite3.Connection, meeting: Meeting) -> frozenset[int]:
    """Persons who may attend without a vote (列席): their sign-in is not counted as 实到."""
    return view(conn, meeting).attend_ids


def recent(conn: sqlite3.Connection, meeting: Meeting, desk: str,
           limit: int = 30) -> list[tuple[Event, Person]]:
    """The standing sign-ins made at `desk`, newest first, read from the event log (so the
    list survives a restart)."""
    v = view(conn, meeting)
    mine = [st.sign_in for st in v.states.values()
            if st.sign_in is not None and st.sign_in.desk == desk.strip()]
    mine.sort(key=lambda e: e.seq, reverse=True)      # the desk's own order
    mine = mine[:limit]
    people = {p.id: p for p in db_persons.get_many(conn, [e.person_id for e in mine])}
    return [(e, people[e.person_id]) for e in mine if e.person_id in people]
