"""Sign-in desks, attendance and the live quorum (签到、出席、法定人数).

Attendance is an append-only event log (db/attendance.py): sign_in, undo_sign_in (reason
required), sign_out (中途退场), return, lift_exclusion, resolve_duplicate. Who is present is
computed from the log, never stored as a total. Each event is keyed desk:seq and carries a Lamport
clock, so another laptop's log can be merged (`merge_events`): per person the earliest
(clock, desk) sign-in stands; a later one is a *double sign-in*, listed for the chair and never
counted. At one desk a second sign-in is refused (already_signed_in) and writes nothing.

Decisions (rules.md §1.1, §2):
- A person without a vote who may attend (预备党员, 留党察看, 权利中止 at a 党员大会: 列席) is signed in
  and the event is recorded, so the sheet and the report show who was in the room; the result is
  `no_vote` and they are never counted in 实到. Someone who is not part of the meeting at all (a
  non-member at a 党员大会) gets `no_vote` and nothing is written.
- An approved exclusion (不计入应到) makes sign-in return `excluded` without writing: the clerk
  confirms, `lift_exclusion` (reason required, audited) puts the person back into 应到, then
  `sign_in`.
- 实到 = persons with a vote, in 应到, whose standing sign-in is not followed by a sign-out.
- Residents' elections: a present proxy (委托) adds the principals it validly represents to the
  live turnout estimate (`represented`), unless the principal came in person.

Every use case runs in one transaction (BEGIN IMMEDIATE … COMMIT with synchronous=FULL) and the
event is durable before the function returns. Expected outcomes are returned, not raised.

Module functions keep, per connection, an in-memory view of the meeting (electorate and folded
log) so that a sign-in costs a few indexed queries; the view is rebuilt whenever the database
changed behind it (PRAGMA data_version for other connections, total_changes for this one).
"""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from app.clock import Clock, iso
from app.electorate import Electorate, NoVote, electorate
from app.meetings import Exclusion, Refusal, list_exclusions, list_leaves, rule_options
from app.meetings import lift_exclusion as meetings_lift_exclusion
from app.model import Form, Meeting, Person, RuleSet
from app.rules.quorum import QuorumResult, check_quorum
from db import attendance as q
from db import persons as db_persons
from db.audit import append
from db.tx import transaction


class Kind(StrEnum):
    SIGN_IN = "sign_in"
    UNDO_SIGN_IN = "undo_sign_in"
    SIGN_OUT = "sign_out"
    RETURN = "return"
    LIFT_EXCLUSION = "lift_exclusion"
    RESOLVE_DUPLICATE = "resolve_duplicate"


class Outcome(StrEnum):
    SIGNED_IN = "signed_in"
    ALREADY_SIGNED_IN = "already_signed_in"
    NO_VOTE = "no_vote"              # recorded when the person attends without a vote (列席)
    EXCLUDED = "excluded"            # approved exclusion: confirm, lift_exclusion, sign_in
    UNKNOWN = "unknown"              # no such person
    UNDONE = "undone"
    SIGNED_OUT = "signed_out"
    RETURNED = "returned"
    LIFTED = "lifted"
    RESOLVED = "resolved"
    NOT_SIGNED_IN = "not_signed_in"
    ALREADY_OUT = "already_out"
    NOT_OUT = "not_out"
    NOT_EXCLUDED = "not_excluded"
    REASON_MISSING = "reason_missing"
    NO_SUCH_EVENT = "no_such_event"


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


def _event(row: Sequence[Any]) -> Event:
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
    for e in events:
        if st is None:
            st = Standing(e.person_id)
        if e.kind is Kind.SIGN_IN:
            if st.sign_in is None:
                st.sign_in, st.out = e, None
            else:
                st.duplicates.append(e)
        elif e.kind is Kind.UNDO_SIGN_IN:
            if st.sign_in is not None and st.sign_in.key == e.ref:
                st.sign_in, st.out = None, None
            else:
                st.duplicates = [d for d in st.duplicates if d.key != e.ref]
        elif e.kind is Kind.SIGN_OUT:
            if st.sign_in is not None:
                st.out = e
        elif e.kind is Kind.RETURN:
            st.out = None
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


# --- the per-connection view ------------------------------------------------------------------

class _View:
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
        self.stamp = _stamp(conn)

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
        for e in map(_event, q.select_events_after(conn, self.meeting.id, self.last_event_id)):
            self.events.setdefault(e.person_id, []).append(e)
            touched.add(e.person_id)
            self.last_event_id = max(self.last_event_id, e.id)
        for pid in touched:
            self.events[pid].sort(key=lambda x: (x.clock, x.desk, x.seq))
            self._refold(pid)

    def apply(self, e: Event) -> None:
        """Add an event written by this connection (its clock is the highest: append)."""
        self.events.setdefault(e.person_id, []).append(e)
        self.last_event_id = max(self.last_event_id, e.id)
        self._refold(e.person_id)


_VIEWS: OrderedDict[int, tuple[sqlite3.Connection, dict[int, _View]]] = OrderedDict()
_MAX_CONNECTIONS = 4


def _stamp(conn: sqlite3.Connection) -> tuple[int, int]:
    return int(conn.execute("PRAGMA data_version").fetchone()[0]), conn.total_changes


def _view(conn: sqlite3.Connection, meeting: Meeting) -> _View:
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
        v = views[meeting.id] = _View(conn, meeting)
    elif v.stamp != _stamp(conn):
        if v.audit_mark != q.audit_mark(conn):
            v = views[meeting.id] = _View(conn, meeting)
        else:
            v.refresh(conn)
            v.stamp = _stamp(conn)
    return v


def forget(conn: sqlite3.Connection) -> None:
    """Drop the cached view of `conn` (call before closing a long-lived connection)."""
    _VIEWS.pop(id(conn), None)


# --- results ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Result:
    """What a desk action did. `present` is 实到 after it; `event` is what was written (None when
    nothing was); `standing` is the person's standing sign-in (time and desk)."""

    outcome: Outcome
    person: Person | None
    present: int
    message: str
    event: Event | None = None
    standing: Event | None = None
    no_vote: NoVote | None = None
    exclusion: Exclusion | None = None
    proxies_for: tuple[Person, ...] = ()
    proxy_problems: tuple[str, ...] = ()

    @property
    def written(self) -> bool:
        return self.event is not None

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "person": self.person.id if self.person else None,
            "name": self.person.name if self.person else None,
            "result": str(self.outcome), "present": self.present, "message": self.message,
        }
        if self.standing is not None:
            out["standing"] = {"desk": self.standing.desk, "at": self.standing.at}
        if self.no_vote is not None:
            out["no_vote"] = str(self.no_vote)
        if self.proxies_for:
            out["proxy_for"] = [p.name for p in self.proxies_for]
        if self.proxy_problems:
            out["proxy_problems"] = list(self.proxy_problems)
        return out


def find_person(conn: sqlite3.Connection, ref: str | int) -> Person | None:
    """A person by register id, QR token or ID number (公民身份号码)."""
    if isinstance(ref, int):
        return db_persons.get_person(conn, ref)
    s = ref.strip()
    if not s:
        return None
    p = db_persons.get_by_token(conn, s)
    if p is None and len(s) in (15, 18):
        p = db_persons.get_by_id_number(conn, s)
    if p is None and s.isdigit() and len(s) <= 12:
        p = db_persons.get_person(conn, int(s))
    return p


def _resolve(conn: sqlite3.Connection, ref: str | int | Person) -> Person | None:
    return ref if isinstance(ref, Person) else find_person(conn, ref)


def _write(conn: sqlite3.Connection, v: _View, *, kind: Kind, person: Person, desk: str,
           operator: str, at: str, reason: str = "", ref: str = "") -> Event:
    """Append one event inside the caller's transaction."""
    desk = desk.strip()
    seq = q.next_seq(conn, desk)
    clock = q.max_clock(conn) + 1
    eid = q.insert_event(conn, meeting_id=v.meeting.id, desk=desk, seq=seq, clock=clock,
                         kind=str(kind), person_id=person.id, operator=operator, at=at,
                         reason=reason, ref=ref)
    return Event(eid, v.meeting.id, desk, seq, clock, kind, person.id, operator, at, reason, ref)


def _commit_view(conn: sqlite3.Connection, v: _View, e: Event) -> None:
    """After COMMIT: fold the event into the view and take the new stamp."""
    v.apply(e)
    v.audit_mark = q.audit_mark(conn)
    v.stamp = _stamp(conn)


def _unknown(v: _View, ref: object) -> Result:
    return Result(Outcome.UNKNOWN, None, len(v.present_ids), f"名册中没有：{ref}")


def sign_in(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
            desk: str, operator: str, clock: Clock) -> Result:
    """Sign a person in at `desk` (签到). Durable before it returns when something is written."""
    from app import proxies  # residents' proxies build on this module

    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = _view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        st = v.states.get(person.id)
        present = len(v.present_ids)
        if st is not None and st.sign_in is not None:
            s = st.sign_in
            note = "（已退场）" if st.out is not None else ""
            return Result(Outcome.ALREADY_SIGNED_IN, person, present,
                          f"{person.name} 已于 {s.at[11:16]} 在 {s.desk} 签到{note}，不再重复计入",
                          standing=s)
        pid = person.id
        if pid not in v.voter_ids:
            right_reason = _no_vote_reason(conn, person, meeting)
            if pid not in v.attend_ids:
                msg = f"{person.name}：{_zh(right_reason)}，不参加本次会议表决"
                if meeting.form is Form.HOUSEHOLD:
                    holder = proxies.household_voter(conn, meeting, person)
                    msg += f"（本户由 {holder.name} 投票）" if holder else "（本户没有户代表）"
                return Result(Outcome.NO_VOTE, person, present, msg, no_vote=right_reason)
            e = _write(conn, v, kind=Kind.SIGN_IN, person=person, desk=desk, operator=operator,
                       at=iso(clock.now()))
        elif pid in v.excluded_ids:
            ex = next((x for x in list_exclusions(conn, meeting.id) if x.person_id == pid), None)
            return Result(Outcome.EXCLUDED, person, present,
                          f"{person.name} 已批准不计入应到人数，须确认后撤销不计入再签到",
                          exclusion=ex)
        else:
            e = _write(conn, v, kind=Kind.SIGN_IN, person=person, desk=desk, operator=operator,
                       at=iso(clock.now()))
            right_reason = None
        check = proxies.check_at_sign_in(conn, meeting, person)
    _commit_view(conn, v, e)
    present = len(v.present_ids)
    if right_reason is not None:
        return Result(Outcome.NO_VOTE, person, present,
                      f"{person.name}：{_zh(right_reason)}，列席，不计入实到", event=e,
                      no_vote=right_reason)
    msg = f"{person.name} 签到成功"
    if check.principals:
        msg += "，受委托：" + "、".join(p.name for p in check.principals)
    if check.problems:
        msg += "；" + "；".join(check.messages)
    return Result(Outcome.SIGNED_IN, person, present, msg, event=e,
                  proxies_for=check.principals, proxy_problems=check.problems)


def _no_vote_reason(conn: sqlite3.Connection, person: Person, meeting: Meeting) -> NoVote | None:
    from app.electorate import vote_right

    return vote_right(conn, person, meeting).reason


def _zh(reason: NoVote | None) -> str:
    from app.electorate import NO_VOTE_ZH

    return NO_VOTE_ZH[reason] if reason is not None else "无表决权"


def _reason_missing(v: _View, person: Person, what: str) -> Result:
    return Result(Outcome.REASON_MISSING, person, len(v.present_ids), f"{what}须填写原因")


def undo_sign_in(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
                 desk: str, operator: str, clock: Clock, reason: str) -> Result:
    """Cancel a person's standing sign-in (撤销签到); a reason is required. Audited."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = _view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        if not reason.strip():
            return _reason_missing(v, person, "撤销签到")
        st = v.states.get(person.id)
        if st is None or st.sign_in is None:
            return Result(Outcome.NOT_SIGNED_IN, person, len(v.present_ids),
                          f"{person.name} 尚未签到")
        at = iso(clock.now())
        undone = st.sign_in
        e = _write(conn, v, kind=Kind.UNDO_SIGN_IN, person=person, desk=desk, operator=operator,
                   at=at, reason=reason.strip(), ref=undone.key)
        append(conn, at=at, actor=operator or desk, action="sign_in_undone", meeting_id=meeting.id,
               detail={"person_id": person.id, "name": person.name, "event": undone.key,
                       "signed_in_at": undone.at, "reason": reason.strip(), "desk": desk})
    _commit_view(conn, v, e)
    return Result(Outcome.UNDONE, person, len(v.present_ids),
                  f"已撤销 {person.name} 的签到（{reason.strip()}）", event=e, standing=undone)


def sign_out(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
             desk: str, operator: str, clock: Clock, reason: str = "") -> Result:
    """A signed-in person leaves early (中途退场): no longer in 实到 until they return."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = _view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        st = v.states.get(person.id)
        if st is None or st.sign_in is None:
            return Result(Outcome.NOT_SIGNED_IN, person, len(v.present_ids),
                          f"{person.name} 尚未签到")
        if st.out is not None:
            return Result(Outcome.ALREADY_OUT, person, len(v.present_ids),
                          f"{person.name} 已于 {st.out.at[11:16]} 退场", standing=st.sign_in)
        e = _write(conn, v, kind=Kind.SIGN_OUT, person=person, desk=desk, operator=operator,
                   at=iso(clock.now()), reason=reason.strip())
    _commit_view(conn, v, e)
    return Result(Outcome.SIGNED_OUT, person, len(v.present_ids), f"{person.name} 已退场",
                  event=e, standing=st.sign_in)


def return_(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
            desk: str, operator: str, clock: Clock) -> Result:
    """A person who signed out comes back (返回会场)."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = _view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        st = v.states.get(person.id)
        if st is None or st.sign_in is None:
            return Result(Outcome.NOT_SIGNED_IN, person, len(v.present_ids),
                          f"{person.name} 尚未签到")
        if st.out is None:
            return Result(Outcome.NOT_OUT, person, len(v.present_ids),
                          f"{person.name} 在会场，未退场", standing=st.sign_in)
        e = _write(conn, v, kind=Kind.RETURN, person=person, desk=desk, operator=operator,
                   at=iso(clock.now()))
    _commit_view(conn, v, e)
    return Result(Outcome.RETURNED, person, len(v.present_ids), f"{person.name} 已返回会场",
                  event=e, standing=st.sign_in)


def lift_exclusion(conn: sqlite3.Connection, meeting: Meeting, person_ref: str | int | Person,
                   desk: str, operator: str, clock: Clock, reason: str) -> Result:
    """An excluded person came after all: after the clerk confirms, put them back into 应到
    (the exclusion row is lifted through app.meetings, audited, and the log records it so a
    merged copy agrees). Then call `sign_in`."""
    person = _resolve(conn, person_ref)
    with transaction(conn):
        v = _view(conn, meeting)
        if person is None:
            return _unknown(v, person_ref)
        if not reason.strip():
            return _reason_missing(v, person, "撤销不计入应到")
        ex = next((x for x in list_exclusions(conn, meeting.id) if x.person_id == person.id), None)
        if ex is None or person.id not in v.excluded_ids:
            return Result(Outcome.NOT_EXCLUDED, person, len(v.present_ids),
                          f"{person.name} 没有不计入应到的记录")
        lifted = meetings_lift_exclusion(conn, ex.id, why=reason.strip(), clock=clock,
                                         actor=operator or desk)
        assert not isinstance(lifted, Refusal), lifted  # checked above, same transaction
        e = _write(conn, v, kind=Kind.LIFT_EXCLUSION, person=person, desk=desk,
                   operator=operator, at=iso(clock.now()), reason=reason.strip())
    _commit_view(conn, v, e)
    v.audit_mark = -1  # the exclusion table changed: rebuild the electorate on next use
    v.stamp = (-1, -1)
    return Result(Outcome.LIFTED, person, len(v.present_ids),
                  f"{person.name} 已恢复计入应到，请签到", event=e, exclusion=ex)


def resolve_duplicate(conn: sqlite3.Connection, meeting: Meeting, event_key: str, desk: str,
                      operator: str, clock: Clock, reason: str) -> Result:
    """The chair resolves a double sign-in (`desk:seq` of the later sign-in): it is dismissed
    from the list. It never counted; the standing sign-in stays. Audited."""
    with transaction(conn):
        v = _view(conn, meeting)
        d_desk, _, d_seq = event_key.rpartition(":")
        row = q.select_event(conn, d_desk, int(d_seq)) if d_seq.isdigit() else None
        dup = _event(row) if row is not None else None
        person = db_persons.get_person(conn, dup.person_id) if dup is not None else None
        st = v.states.get(dup.person_id) if dup is not None else None
        if dup is None or person is None or st is None or dup not in st.duplicates:
            return Result(Outcome.NO_SUCH_EVENT, person, len(v.present_ids),
                          f"没有待处理的重复签到 {event_key}")
        if not reason.strip():
            return _reason_missing(v, person, "处理重复签到")
        at = iso(clock.now())
        e = _write(conn, v, kind=Kind.RESOLVE_DUPLICATE, person=person, desk=desk,
                   operator=operator, at=at, reason=reason.strip(), ref=dup.key)
        append(conn, at=at, actor=operator or desk, action="duplicate_sign_in_resolved",
               meeting_id=meeting.id, detail={"person_id": person.id, "name": person.name,
                                              "event": dup.key, "reason": reason.strip()})
    _commit_view(conn, v, e)
    return Result(Outcome.RESOLVED, person, len(v.present_ids),
                  f"已处理 {person.name} 的重复签到 {dup.key}", event=e, standing=st.sign_in)


# --- live figures -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Duplicate:
    """A double sign-in (merged from another desk's log) waiting for the chair."""

    person_id: int
    name: str
    standing: Event
    duplicate: Event


@dataclass(frozen=True, slots=True)
class DeskCount:
    desk: str
    signed_in: int      # standing sign-ins made at this desk (voters and 列席)


@dataclass(frozen=True, slots=True)
class Summary:
    """应到 / 实到 / 出席率 and the quorum, computed from the log (rules.md §1.1-1.2, §2.3, §3).

    `present` is 实到: voters in 应到 whose sign-in stands and who have not signed out. For the
    residents' forms the quorum's count is the live estimate of 参加投票的人数: persons present,
    plus principals represented by a present proxy (form all), or households (form household)."""

    meeting: Meeting
    registered: int          # persons with a vote (有选举权的人数)
    expected: int            # 应到 (the rule's base: voters / households / representatives)
    present: int             # 实到
    excluded: int            # approved exclusions still standing (party)
    leave: int               # 请假 (still in 应到)
    signed_out: int          # signed in, then left (中途退场)
    attending: int           # signed in without a vote (列席)
    represented: int         # principals represented by a present proxy (residents)
    households_present: int  # residents, form household
    quorum: QuorumResult
    duplicates: tuple[Duplicate, ...]
    desks: tuple[DeskCount, ...]
    present_ids: frozenset[int]

    @property
    def counted(self) -> int:
        """The count the quorum rule was applied to."""
        return self.quorum.present

    @property
    def quorum_met(self) -> bool:
        return self.quorum.met

    @property
    def rule(self) -> str:
        return self.quorum.rule_zh

    @property
    def rate(self) -> str:
        """出席率 as a percent string from integers, rounded down: '80.87%'."""
        return format_rate(self.counted, self.expected)

    @property
    def fraction(self) -> str:
        return f"{self.counted}/{self.expected}"

    def as_json(self) -> dict[str, Any]:
        return {
            "meeting": self.meeting.code, "expected": self.expected, "present": self.present,
            "excluded": self.excluded, "leave": self.leave, "rate": self.rate,
            "fraction": self.fraction, "quorum_met": self.quorum_met, "rule": self.rule,
            "required": self.quorum.required, "missing": self.quorum.missing,
            "counted": self.counted, "registered": self.registered,
            "signed_out": self.signed_out, "attending": self.attending,
            "represented": self.represented,
            "duplicates": [{"person": d.person_id, "name": d.name, "standing": d.standing.key,
                            "standing_at": d.standing.at, "duplicate": d.duplicate.key,
                            "duplicate_at": d.duplicate.at} for d in self.duplicates],
            "desks": [{"desk": d.desk, "signed_in": d.signed_in} for d in self.desks],
        }


def format_rate(part: int, whole: int) -> str:
    """part/whole as a percent with two decimals, rounded down, integers only."""
    if whole <= 0:
        return "0.00%"
    bp = part * 10000 // whole
    return f"{bp // 100}.{bp % 100:02d}%"


def attendance_summary(conn: sqlite3.Connection, meeting: Meeting) -> Summary:
    """The live figures of `meeting` (a consistent read of the log)."""
    from app import proxies

    with q.read_transaction(conn):
        v = _view(conn, meeting)
        present_ids = frozenset(v.present_ids)
        represented_ids = proxies.represented(conn, meeting, present_ids)
        leave_ids = {lv.person_id for lv in list_leaves(conn, meeting.id)}
    el = v.electorate
    registered = len(v.voter_ids)
    excluded = len(v.excluded_ids & v.voter_ids)
    households_present = 0
    if meeting.rules is RuleSet.RESIDENTS:
        by_id = {p.id: p for p in el.voters}
        if meeting.form is Form.HOUSEHOLD:
            base = el.households
            homes = {by_id[i].household for i in present_ids | represented_ids if i in by_id}
            households_present = len(homes - {""})
            counted = households_present
        else:
            base = registered
            counted = len(present_ids) + len(represented_ids - present_ids)
        quorum = check_quorum(meeting.rules, meeting.form, eligible=base, present=counted,
                              options=rule_options(meeting))
    else:
        quorum = check_quorum(meeting.rules, meeting.form, eligible=registered,
                              present=len(present_ids), excluded=excluded,
                              options=rule_options(meeting))
    names = {p.id: p.name for p in (*el.voters, *el.non_voting)}
    duplicates: list[Duplicate] = []
    desks: dict[str, int] = {}
    signed_out = attending = 0
    for pid, st in v.states.items():
        if st.sign_in is None:
            continue
        desks[st.sign_in.desk] = desks.get(st.sign_in.desk, 0) + 1
        if st.out is not None and pid in v.voter_ids:
            signed_out += 1
        if st.out is None and pid in v.attend_ids:
            attending += 1
        duplicates.extend(Duplicate(pid, names.get(pid, str(pid)), st.sign_in, d)
                          for d in st.duplicates)
    duplicates.sort(key=lambda d: (d.duplicate.clock, d.duplicate.desk, d.duplicate.seq))
    return Summary(
        meeting=meeting, registered=registered, expected=quorum.expected,
        present=len(present_ids), excluded=excluded,
        leave=len(leave_ids & (v.voter_ids - v.excluded_ids)), signed_out=signed_out,
        attending=attending, represented=len(represented_ids - present_ids),
        households_present=households_present, quorum=quorum, duplicates=tuple(duplicates),
        desks=tuple(DeskCount(k, n) for k, n in sorted(desks.items())), present_ids=present_ids)


def standing_of(conn: sqlite3.Connection, meeting: Meeting, person_id: int) -> Standing:
    """One person's attendance as folded from the log."""
    with q.read_transaction(conn):
        v = _view(conn, meeting)
        return v.states.get(person_id, Standing(person_id))


def events(conn: sqlite3.Connection, meeting: Meeting) -> list[Event]:
    """The meeting's log in merge order."""
    return [_event(r) for r in q.select_events(conn, meeting.id)]


def search(conn: sqlite3.Connection, query: str, limit: int = 20,
           scope: Sequence[str] | None = None) -> list[Person]:
    """Find a person at the desk (name, pinyin, initials, last ID digits, member number)."""
    from app import search as person_search

    return person_search.search(conn, query, limit, scope)


# --- opening the vote: 实到 frozen for a round ----------------------------------------------------

@dataclass(frozen=True, slots=True)
class Snapshot:
    id: int
    meeting_id: int
    round_label: str
    taken_at: str
    operator: str
    expected: int
    present: int
    excluded: int
    on_leave: int
    quorum_met: bool
    rule_zh: str
    last_clock: int
    person_ids: tuple[int, ...]


def _snapshot(conn: sqlite3.Connection, row: Sequence[Any]) -> Snapshot:
    sid, mid, label, at, operator, expected, present, excluded, leave, met, rule, last = row
    return Snapshot(int(sid), int(mid), label, at, operator, int(expected), int(present),
                    int(excluded), int(leave), bool(met), rule, int(last),
                    tuple(q.select_snapshot_person_ids(conn, int(sid))))


def open_voting(conn: sqlite3.Connection, meeting: Meeting, round_label: str, operator: str,
                clock: Clock) -> Snapshot | Refusal:
    """Freeze 实到 with the list of present persons for a round (开始投票). The counting work
    reads it back with `snapshot`; a label is used once per meeting."""
    label = round_label.strip()
    if not label:
        return Refusal("LABEL_EMPTY", "轮次名称不能为空")
    with transaction(conn):
        if q.select_snapshot_by_label(conn, meeting.id, label) is not None:
            return Refusal("SNAPSHOT_EXISTS", f"{label} 的实到人数已经冻结")
        s = attendance_summary(conn, meeting)
        at = iso(clock.now())
        sid = q.insert_snapshot(
            conn, meeting_id=meeting.id, round_label=label, taken_at=at, operator=operator,
            expected=s.expected, present=s.counted, excluded=s.excluded, on_leave=s.leave,
            quorum_met=s.quorum_met, rule_zh=s.rule, last_clock=q.max_clock(conn),
            person_ids=sorted(s.present_ids))
        append(conn, at=at, actor=operator, action="attendance_snapshot", meeting_id=meeting.id,
               detail={"snapshot_id": sid, "round": label, "expected": s.expected,
                       "present": s.counted, "quorum_met": s.quorum_met})
        row = q.select_snapshot(conn, sid)
        assert row is not None
        return _snapshot(conn, row)


def snapshot(conn: sqlite3.Connection, meeting: Meeting, round_label: str) -> Snapshot | None:
    row = q.select_snapshot_by_label(conn, meeting.id, round_label)
    return _snapshot(conn, row) if row is not None else None


def snapshots(conn: sqlite3.Connection, meeting: Meeting) -> list[Snapshot]:
    return [_snapshot(conn, r) for r in q.select_snapshots(conn, meeting.id)]


# --- another laptop's log ---------------------------------------------------------------------

def export_events(conn: sqlite3.Connection, meeting: Meeting) -> list[dict[str, Any]]:
    """The meeting's log with persons named by token (ids differ between laptops)."""
    evs = events(conn, meeting)
    tokens = q.tokens_of(conn, {e.person_id for e in evs})
    return [{"desk": e.desk, "seq": e.seq, "clock": e.clock, "kind": str(e.kind),
             "person": tokens[e.person_id], "operator": e.operator, "at": e.at,
             "reason": e.reason, "ref": e.ref} for e in evs]


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
