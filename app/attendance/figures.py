"""Live figures (应到 / 实到 / 出席率 and the quorum) computed from the log, and the 实到 snapshot
frozen when voting opens for a round."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app import rounding
from app.attendance.log import Event, Standing, event_from_row
from app.attendance.view import serialized, view
from app.clock import Clock, iso
from app.meetings import Refusal, list_leaves, rule_options
from app.model import Form, Meeting, RuleSet
from app.rules.quorum import QuorumResult, check_quorum
from db import attendance as q
from db.audit import append
from db.tx import transaction


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A double sign-in (merged from another desk's log) waiting for the chair."""

    person_id: int
    name: str
    standing: Event
    duplicate: Event


@dataclass(frozen=True, slots=True)
class DeskCount:
    """Standing sign-ins made at a desk (voters and 列席); desks with none are not listed."""

    desk: str
    signed_in: int


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
        """出席率 rounded half up once (app.rounding): '80.87%'; with the fraction beside it when
        the rounded figure would mislead against the quorum rule ('80.00%（3999/4999）')."""
        return rounding.rate_text(self.counted, self.expected, self.quorum.threshold)

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
    """part/whole as a percent, two decimals, rounded half up once (app.rounding)."""
    return rounding.percent_text(part, whole)


@serialized
def attendance_summary(conn: sqlite3.Connection, meeting: Meeting) -> Summary:
    """The live figures of `meeting` (a consistent read of the log)."""
    from app import proxies

    with q.read_transaction(conn):
        v = view(conn, meeting)
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


def under_way(conn: sqlite3.Connection, meeting: Meeting) -> Summary | None:
    """The live figures while `meeting` is under way — someone has signed in: 实到, 列席 or
    中途退场 — else None (closing the window then asks nothing)."""
    s = attendance_summary(conn, meeting)
    return s if s.present + s.attending + s.signed_out else None


@serialized
def standing_of(conn: sqlite3.Connection, meeting: Meeting, person_id: int) -> Standing:
    """One person's attendance as folded from the log."""
    with q.read_transaction(conn):
        v = view(conn, meeting)
        return v.states.get(person_id, Standing(person_id))


@serialized
def standings_of(conn: sqlite3.Connection, meeting: Meeting, person_ids: Iterable[int]
                 ) -> dict[int, Standing]:
    """Several persons' attendance in one read of the log (the rows a search shows)."""
    with q.read_transaction(conn):
        v = view(conn, meeting)
        return {pid: v.states.get(pid, Standing(pid)) for pid in person_ids}


def events(conn: sqlite3.Connection, meeting: Meeting) -> list[Event]:
    """The meeting's log in merge order."""
    return [event_from_row(r) for r in q.select_events(conn, meeting.id)]


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


@serialized
def open_voting(conn: sqlite3.Connection, meeting: Meeting, round_label: str, operator: str,
                clock: Clock) -> Snapshot | Refusal:
    """Freeze 实到 with the list of present persons for a round (开始投票). The counting work
    reads it back with `snapshot`; a label is used once per meeting."""
    from app.permissions import check

    label = round_label.strip()
    if not label:
        return Refusal("LABEL_EMPTY", "轮次名称不能为空")
    with transaction(conn):
        denied = check(conn, "open_voting", operator)
        if denied is not None:
            return Refusal("NOT_ALLOWED", denied.message)
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


def live_count_words(present: int, frozen_label: str = "", frozen: int = 0) -> str:
    """How a live count of those present is named on every page: 实到 until voting starts; once
    实到 is frozen (for `frozen_label`) the frozen figure is 实到 (the quorum's, the 报告单's) and
    the live count is 此刻在场, the frozen 实到 beside it, so nobody announces it as the quorum
    figure."""
    if not frozen_label:
        return f"实到 {present}"
    return f"此刻在场 {present}（冻结实到 {frozen}）"


def vote_label(number: int) -> str:
    """The label of the meeting's Nth freeze of 实到 (第N次投票)."""
    return f"第{number}次投票"


def next_vote_label(taken: Sequence[Snapshot]) -> str:
    """The label for the next freeze: the first 第N次投票 not yet used (labels typed at the
    command line do not take a number)."""
    used = {s.round_label for s in taken}
    n = 1
    while vote_label(n) in used:
        n += 1
    return vote_label(n)
