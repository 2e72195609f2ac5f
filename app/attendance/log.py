"""The attendance log's events and how one person's events fold into their standing.

Merge order is (clock, desk, seq), the clock a hybrid logical clock (app.clock: wall time, then a
logical counter; the Lamport clocks of logs written before order first): the earliest sign-in in
time stands, later ones are double sign-ins; undo_sign_in and resolve_duplicate name the event
they act on by desk:seq."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    SIGN_IN = "sign_in"
    UNDO_SIGN_IN = "undo_sign_in"
    SIGN_OUT = "sign_out"
    RETURN = "return"
    LIFT_EXCLUSION = "lift_exclusion"
    RESOLVE_DUPLICATE = "resolve_duplicate"


@dataclass(frozen=True, slots=True)
class Event:
    id: int
    meeting_id: int
    desk: str
    seq: int
    clock: int
    kind: Kind
    person_id: int
    operator: str
    at: str
    reason: str
    ref: str

    @property
    def key(self) -> str:
        """desk:seq, the event's name in every copy of the log."""
        return f"{self.desk}:{self.seq}"


def event_from_row(row: Sequence[Any]) -> Event:
    eid, mid, desk, seq, clock, kind, pid, operator, at, reason, ref = row
    return Event(int(eid), int(mid), desk, int(seq), int(clock), Kind(kind), int(pid), operator,
                 at, reason, ref)


@dataclass(slots=True)
class Standing:
    """One person's attendance folded from the log."""

    person_id: int
    sign_in: Event | None = None          # the standing sign-in
    out: Event | None = None              # sign_out after it, with no return since
    duplicates: list[Event] = field(default_factory=list)  # unresolved double sign-ins
    lifted: Event | None = None           # exclusion lifted at the desk

    @property
    def in_room(self) -> bool:
        return self.sign_in is not None and self.out is None


def fold_person(events: Iterable[Event]) -> Standing:
    """Fold one person's events, given in merge order (clock, desk, seq)."""
    st: Standing | None = None
    outs: set[str] = set()      # the sign-outs that hold the person out now
    for e in events:
        if st is None:
            st = Standing(e.person_id)
        if e.kind is Kind.SIGN_IN:
            if st.sign_in is None:
                st.sign_in, st.out = e, None
                outs.clear()
            else:
                st.duplicates.append(e)
        elif e.kind is Kind.UNDO_SIGN_IN:
            if st.sign_in is not None and st.sign_in.key == e.ref:
                st.sign_in, st.out = None, None
                outs.clear()
            else:
                st.duplicates = [d for d in st.duplicates if d.key != e.ref]
        elif e.kind is Kind.SIGN_OUT:
            # A sign-out names the sign-in it ends (ref): the standing one or a double of it.
            # One that names none of them did not see this person signed in (written before,
            # or for someone else): it ends nothing, even when its clock orders it after the
            # sign-in. An empty ref (a log written before sign-outs named one) ends it.
            if st.sign_in is not None and (e.ref == "" or e.ref == st.sign_in.key
                                           or any(d.key == e.ref for d in st.duplicates)):
                st.out = e
                outs.add(e.key)
        elif e.kind is Kind.RETURN:
            if e.ref == "" or e.ref in outs:     # likewise: the return names a sign-out
                st.out = None
                outs.clear()
        elif e.kind is Kind.LIFT_EXCLUSION:
            st.lifted = e
        elif e.kind is Kind.RESOLVE_DUPLICATE:
            st.duplicates = [d for d in st.duplicates if d.key != e.ref]
    return st if st is not None else Standing(0)


def fold(events: Iterable[Event]) -> dict[int, Standing]:
    """Fold a meeting's log (in merge order) into one Standing per person."""
    per: dict[int, list[Event]] = {}
    for e in events:
        per.setdefault(e.person_id, []).append(e)
    return {pid: fold_person(evs) for pid, evs in per.items()}
