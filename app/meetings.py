"""Meetings of the 换届 and their setup: the current meeting, options, explicit electors,
exclusions (不计入应到), leaves (请假), desks (签到台), contests (选举事项) and candidates.

Every write runs in a transaction and appends an audit row in the same transaction. Expected
refusals (a duplicate, a person without a vote, a missing approval) are returned as `Refusal`
values, not raised.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.clock import Clock, iso
from app.electorate import get_person, vote_right
from app.model import (
    FORMS_OF_RULES,
    ContestKind,
    ExclusionReason,
    Form,
    Meeting,
    Organisation,
    Person,
    RuleSet,
)
from app.names import name_sort_key
from app.rules.options import RuleOptions
from db import meetings as q
from db.audit import append
from db.tx import transaction


@dataclass(frozen=True, slots=True)
class Refusal:
    """An expected 'no' from a setup action: a stable code and a message for the clerk."""

    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Exclusion:
    id: int
    meeting_id: int
    person_id: int
    person_name: str
    reason: ExclusionReason
    detail: str
    approval_ref: str
    approved_on: str


@dataclass(frozen=True, slots=True)
class Leave:
    meeting_id: int
    person_id: int
    person_name: str
    reason: str


@dataclass(frozen=True, slots=True)
class Desk:
    id: int
    meeting_id: int
    name: str
    scope: tuple[str, ...]   # branches or residents' groups served; empty = everyone

    def serves(self, person: Person) -> bool:
        return not self.scope or person.branch in self.scope or person.resident_group in self.scope


@dataclass(frozen=True, slots=True)
class Contest:
    id: int
    meeting_id: int
    code: str
    title: str
    body: str
    kind: ContestKind
    seats: int
    position: int


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    contest_id: int
    person_id: int | None
    name: str
    gender: str | None


# --- meetings ---------------------------------------------------------------------------------

def meeting_from_row(row: q.Row) -> Meeting:
    mid, code, title, community, org, rules, form, date, venue, options, current = row
    return Meeting(id=int(mid), code=code, title=title, community=community,
                   organisation=Organisation(org), rules=RuleSet(rules), form=Form(form),
                   date=date, venue=venue, options=dict(json.loads(options)),
                   is_current=bool(current))


def _options_json(options: Mapping[str, Any]) -> str:
    unknown = set(options) - set(RuleOptions.field_names())
    if unknown:
        raise ValueError(f"unknown meeting options: {sorted(unknown)}")
    return json.dumps({k: bool(options[k]) for k in sorted(options)}, separators=(",", ":"))


def rule_options(meeting: Meeting) -> RuleOptions:
    """The meeting's options (rules.md §6) with defaults for what it does not set."""
    return RuleOptions.from_mapping(dict(meeting.options))


def create_meeting(conn: sqlite3.Connection, *, code: str, title: str, community: str,
                   organisation: Organisation, rules: RuleSet, form: Form, date: str,
                   venue: str = "", options: Mapping[str, Any] | None = None,
                   make_current: bool = False, clock: Clock, actor: str) -> Meeting | Refusal:
    if form not in FORMS_OF_RULES[rules]:
        return Refusal("FORM_NOT_OF_RULES", f"规则 {rules} 不适用会议形式 {form}")
    if not code.strip():
        return Refusal("CODE_EMPTY", "会议代码不能为空")
    dt.date.fromisoformat(date)  # a malformed date is a caller bug
    options_json = _options_json(options or {})
    with transaction(conn):
        if q.select_meeting_by_code(conn, code) is not None:
            return Refusal("CODE_TAKEN", f"会议代码 {code} 已存在")
        mid = q.insert_meeting(conn, code=code, title=title, community=community,
                               organisation=str(organisation), rules=str(rules), form=str(form),
                               date=date, venue=venue, options_json=options_json)
        if make_current or q.select_current_meeting(conn) is None:
            q.update_current(conn, mid)
        append(conn, at=iso(clock.now()), actor=actor, action="meeting_created", meeting_id=mid,
               detail={"code": code, "title": title, "rules": str(rules), "form": str(form),
                       "date": date, "options": json.loads(options_json)})
    return _reload(conn, mid)


def _reload(conn: sqlite3.Connection, meeting_id: int) -> Meeting:
    m = get_meeting(conn, meeting_id)
    assert m is not None, meeting_id  # written just before, in this connection
    return m


def list_meetings(conn: sqlite3.Connection) -> list[Meeting]:
    return [meeting_from_row(r) for r in q.select_meetings(conn)]


def get_meeting(conn: sqlite3.Connection, meeting_id: int) -> Meeting | None:
    row = q.select_meeting(conn, meeting_id)
    return meeting_from_row(row) if row is not None else None


def meeting_by_code(conn: sqlite3.Connection, code: str) -> Meeting | None:
    row = q.select_meeting_by_code(conn, code)
    return meeting_from_row(row) if row is not None else None


def current_meeting(conn: sqlite3.Connection) -> Meeting | None:
    row = q.select_current_meeting(conn)
    return meeting_from_row(row) if row is not None else None


def resolve_meeting(conn: sqlite3.Connection, code: str | None) -> Meeting | Refusal:
    """The meeting a command acts on: `--meeting CODE`, else the current one."""
    if code:
        m = meeting_by_code(conn, code)
        if m is None:
            known = "、".join(x.code for x in list_meetings(conn)) or "无"
            return Refusal("NO_SUCH_MEETING", f"没有代码为 {code} 的会议（现有：{known}）")
        return m
    m = current_meeting(conn)
    return m if m is not None else Refusal("NO_CURRENT_MEETING", "数据库中还没有会议")


def set_current(conn: sqlite3.Connection, meeting_id: int, *, clock: Clock,
                actor: str) -> Meeting | Refusal:
    with transaction(conn):
        m = get_meeting(conn, meeting_id)
        if m is None:
            return Refusal("NO_SUCH_MEETING", f"会议 {meeting_id} 不存在")
        q.update_current(conn, meeting_id)
        append(conn, at=iso(clock.now()), actor=actor, action="meeting_set_current",
               meeting_id=meeting_id, detail={"code": m.code})
    return _reload(conn, meeting_id)


def set_options(conn: sqlite3.Connection, meeting_id: int, options: Mapping[str, Any], *,
                clock: Clock, actor: str) -> Meeting | Refusal:
    """Merge `options` into the meeting's options (keys of RuleOptions)."""
    with transaction(conn):
        m = get_meeting(conn, meeting_id)
        if m is None:
            return Refusal("NO_SUCH_MEETING", f"会议 {meeting_id} 不存在")
        merged = {**m.options, **options}
        options_json = _options_json(merged)
        q.update_options(conn, meeting_id, options_json)
        append(conn, at=iso(clock.now()), actor=actor, action="meeting_options_set",
               meeting_id=meeting_id, detail={"before": m.options, "after": json.loads(options_json)})
    return _reload(conn, meeting_id)


def update_meeting(conn: sqlite3.Connection, meeting_id: int, *, title: str | None = None,
                   date: str | None = None, venue: str | None = None, clock: Clock,
                   actor: str) -> Meeting | Refusal:
    """Change the title, date or venue (the rule set and form stay: they decide who votes)."""
    with transaction(conn):
        m = get_meeting(conn, meeting_id)
        if m is None:
            return Refusal("NO_SUCH_MEETING", f"会议 {meeting_id} 不存在")
        new = {"title": m.title if title is None else title.strip(),
               "date": m.date if date is None else date,
               "venue": m.venue if venue is None else venue.strip()}
        if not new["title"]:
            return Refusal("TITLE_EMPTY", "会议名称不能为空")
        try:
            dt.date.fromisoformat(new["date"])
        except ValueError:
            return Refusal("DATE_INVALID", f"日期无效：{new['date']}")
        q.update_details(conn, meeting_id, **new)
        append(conn, at=iso(clock.now()), actor=actor, action="meeting_updated",
               meeting_id=meeting_id,
               detail={"before": {"title": m.title, "date": m.date, "venue": m.venue},
                       "after": new})
    return _reload(conn, meeting_id)


# --- explicit electors (委员会全体会议) --------------------------------------------------------

def add_electors(conn: sqlite3.Connection, meeting_id: int, person_ids: Sequence[int], *,
                 clock: Clock, actor: str) -> int | Refusal:
    """Add electors to a plenary; returns how many were new."""
    with transaction(conn):
        m = get_meeting(conn, meeting_id)
        if m is None or m.form != Form.PLENARY:
            return Refusal("NOT_PLENARY", "只有委员会全体会议有单独的选举人名单")
        added = [pid for pid in person_ids if q.insert_elector(conn, meeting_id, pid)]
        append(conn, at=iso(clock.now()), actor=actor, action="electors_added",
               meeting_id=meeting_id, detail={"person_ids": added})
    return len(added)


def remove_elector(conn: sqlite3.Connection, meeting_id: int, person_id: int, *, clock: Clock,
                   actor: str) -> bool:
    """Remove one elector from a plenary; False when the person was not one."""
    with transaction(conn):
        removed = q.delete_elector(conn, meeting_id, person_id)
        if removed:
            append(conn, at=iso(clock.now()), actor=actor, action="elector_removed",
                   meeting_id=meeting_id, detail={"person_id": person_id})
    return removed


def elector_ids(conn: sqlite3.Connection, meeting_id: int) -> set[int]:
    return q.select_elector_ids(conn, meeting_id)


# --- exclusions -------------------------------------------------------------------------------

def _exclusion(row: q.Row) -> Exclusion:
    eid, mid, pid, name, reason, detail, ref, on = row
    return Exclusion(int(eid), int(mid), int(pid), name, ExclusionReason(reason), detail, ref, on)


def add_exclusion(conn: sqlite3.Connection, meeting_id: int, person_id: int,
                  reason: ExclusionReason, *, approval_ref: str, approved_on: str,
                  detail: str = "", clock: Clock, actor: str) -> Exclusion | Refusal:
    """Record an approved exclusion from 应到 (rules.md §1.1)."""
    if not approval_ref.strip():
        return Refusal("APPROVAL_MISSING", "不计入应到人数须经上级党组织同意，请填写批准文号")
    try:
        dt.date.fromisoformat(approved_on)
    except ValueError:
        return Refusal("APPROVAL_DATE_INVALID", f"批准日期无效：{approved_on}")
    with transaction(conn):
        m = get_meeting(conn, meeting_id)
        person = get_person(conn, person_id)
        if m is None or person is None:
            return Refusal("NOT_FOUND", "会议或人员不存在")
        if m.rules != RuleSet.PARTY:
            # rules.md §2.3, §3: the base is every registered voter / member; no exclusions.
            return Refusal("NOT_PARTY_MEETING", "只有党内选举可以经批准不计入应到会人数")
        right = vote_right(conn, person, m)
        if not right.has_vote:
            return Refusal("NO_VOTE", f"{person.name}：{right.reason_zh}，本来就不计入应到")
        if q.select_exclusion_of(conn, meeting_id, person_id) is not None:
            return Refusal("ALREADY_EXCLUDED", f"{person.name} 已登记为不计入应到")
        if q.select_leave_of(conn, meeting_id, person_id) is not None:
            return Refusal("ON_LEAVE", f"{person.name} 已登记请假，请先撤销请假")
        eid = q.insert_exclusion(conn, meeting_id=meeting_id, person_id=person_id,
                                 reason=str(reason), detail=detail,
                                 approval_ref=approval_ref.strip(), approved_on=approved_on)
        append(conn, at=iso(clock.now()), actor=actor, action="exclusion_added",
               meeting_id=meeting_id,
               detail={"exclusion_id": eid, "person_id": person_id, "name": person.name,
                       "reason": str(reason), "approval_ref": approval_ref.strip(),
                       "approved_on": approved_on, "detail": detail})
        row = q.select_exclusion(conn, eid)
    assert row is not None
    return _exclusion(row)


def list_exclusions(conn: sqlite3.Connection, meeting_id: int) -> list[Exclusion]:
    return [_exclusion(r) for r in q.select_exclusions(conn, meeting_id)]


def lift_exclusion(conn: sqlite3.Connection, exclusion_id: int, *, why: str, clock: Clock,
                   actor: str) -> Exclusion | Refusal:
    """Lift an exclusion (the person counts in 应到 again). The row goes; the audit log keeps
    everything it said and why it was lifted."""
    if not why.strip():
        return Refusal("REASON_MISSING", "撤销不计入应到须说明原因")
    with transaction(conn):
        row = q.select_exclusion(conn, exclusion_id)
        if row is None:
            return Refusal("NOT_FOUND", f"不计入应到记录 {exclusion_id} 不存在")
        ex = _exclusion(row)
        q.delete_exclusion(conn, exclusion_id)
        append(conn, at=iso(clock.now()), actor=actor, action="exclusion_lifted",
               meeting_id=ex.meeting_id,
               detail={"exclusion_id": ex.id, "person_id": ex.person_id, "name": ex.person_name,
                       "reason": str(ex.reason), "approval_ref": ex.approval_ref,
                       "approved_on": ex.approved_on, "detail": ex.detail, "why": why.strip()})
    return ex


# --- leaves (请假: still in 应到) ---------------------------------------------------------------

def add_leave(conn: sqlite3.Connection, meeting_id: int, person_id: int, reason: str = "", *,
              clock: Clock, actor: str) -> Leave | Refusal:
    with transaction(conn):
        m = get_meeting(conn, meeting_id)
        person = get_person(conn, person_id)
        if m is None or person is None:
            return Refusal("NOT_FOUND", "会议或人员不存在")
        right = vote_right(conn, person, m)
        if not right.has_vote:
            return Refusal("NO_VOTE", f"{person.name}：{right.reason_zh}")
        if q.select_exclusion_of(conn, meeting_id, person_id) is not None:
            return Refusal("ALREADY_EXCLUDED", f"{person.name} 已登记为不计入应到")
        if q.select_leave_of(conn, meeting_id, person_id) is not None:
            return Refusal("ALREADY_ON_LEAVE", f"{person.name} 已登记请假")
        q.insert_leave(conn, meeting_id, person_id, reason)
        append(conn, at=iso(clock.now()), actor=actor, action="leave_added",
               meeting_id=meeting_id,
               detail={"person_id": person_id, "name": person.name, "reason": reason})
    return Leave(meeting_id, person_id, person.name, reason)


def remove_leave(conn: sqlite3.Connection, meeting_id: int, person_id: int, *, clock: Clock,
                 actor: str) -> Leave | Refusal:
    with transaction(conn):
        row = q.select_leave_of(conn, meeting_id, person_id)
        if row is None:
            return Refusal("NOT_FOUND", "没有这条请假记录")
        q.delete_leave(conn, meeting_id, person_id)
        append(conn, at=iso(clock.now()), actor=actor, action="leave_removed",
               meeting_id=meeting_id,
               detail={"person_id": person_id, "name": row[2], "reason": row[3]})
    return Leave(int(row[0]), int(row[1]), row[2], row[3])


def list_leaves(conn: sqlite3.Connection, meeting_id: int) -> list[Leave]:
    return [Leave(int(m), int(p), n, r) for m, p, n, r in q.select_leaves(conn, meeting_id)]


# --- desks ------------------------------------------------------------------------------------

def _desk(row: q.Row) -> Desk:
    did, mid, name, scope = row
    return Desk(int(did), int(mid), name, tuple(json.loads(scope)))


def add_desk(conn: sqlite3.Connection, meeting_id: int, name: str, scope: Sequence[str] = (),
             *, clock: Clock, actor: str) -> Desk | Refusal:
    name = name.strip()
    if not name:
        return Refusal("NAME_EMPTY", "签到台名称不能为空")
    scope_json = json.dumps(list(scope), ensure_ascii=False)
    with transaction(conn):
        if get_meeting(conn, meeting_id) is None:
            return Refusal("NOT_FOUND", f"会议 {meeting_id} 不存在")
        if q.desk_name_taken(conn, meeting_id, name):
            return Refusal("NAME_TAKEN", f"签到台 {name} 已存在")
        did = q.insert_desk(conn, meeting_id, name, scope_json)
        append(conn, at=iso(clock.now()), actor=actor, action="desk_added",
               meeting_id=meeting_id, detail={"desk_id": did, "name": name, "scope": list(scope)})
    return Desk(did, meeting_id, name, tuple(scope))


def remove_desk(conn: sqlite3.Connection, desk_id: int, *, clock: Clock,
                actor: str) -> Desk | Refusal:
    with transaction(conn):
        row = q.select_desk(conn, desk_id)
        if row is None:
            return Refusal("NOT_FOUND", f"签到台 {desk_id} 不存在")
        desk = _desk(row)
        q.delete_desk(conn, desk_id)
        append(conn, at=iso(clock.now()), actor=actor, action="desk_removed",
               meeting_id=desk.meeting_id,
               detail={"desk_id": desk.id, "name": desk.name, "scope": list(desk.scope)})
    return desk


def list_desks(conn: sqlite3.Connection, meeting_id: int) -> list[Desk]:
    return [_desk(r) for r in q.select_desks(conn, meeting_id)]


# --- contests and candidates ------------------------------------------------------------------

def _contest(row: q.Row) -> Contest:
    cid, mid, code, title, body, kind, seats, position = row
    return Contest(int(cid), int(mid), code, title, body, ContestKind(kind), int(seats),
                   int(position))


def add_contest(conn: sqlite3.Connection, meeting_id: int, *, code: str, title: str,
                kind: ContestKind, seats: int, body: str = "", position: int | None = None,
                clock: Clock, actor: str) -> Contest | Refusal:
    if seats < 1:
        return Refusal("SEATS_INVALID", "应选名额至少为 1")
    if not code.strip() or not title.strip():
        return Refusal("NAME_EMPTY", "选举事项的代码和名称不能为空")
    with transaction(conn):
        if get_meeting(conn, meeting_id) is None:
            return Refusal("NOT_FOUND", f"会议 {meeting_id} 不存在")
        if q.contest_code_taken(conn, meeting_id, code):
            return Refusal("CODE_TAKEN", f"选举事项 {code} 已存在")
        pos = position if position is not None else q.next_contest_position(conn, meeting_id)
        cid = q.insert_contest(conn, meeting_id=meeting_id, code=code, title=title, body=body,
                               kind=str(kind), seats=seats, position=pos)
        append(conn, at=iso(clock.now()), actor=actor, action="contest_added",
               meeting_id=meeting_id,
               detail={"contest_id": cid, "code": code, "title": title, "body": body,
                       "kind": str(kind), "seats": seats})
    return Contest(cid, meeting_id, code, title, body, kind, seats, pos)


def list_contests(conn: sqlite3.Connection, meeting_id: int) -> list[Contest]:
    return [_contest(r) for r in q.select_contests(conn, meeting_id)]


def get_contest(conn: sqlite3.Connection, contest_id: int) -> Contest | None:
    row = q.select_contest(conn, contest_id)
    return _contest(row) if row is not None else None


def add_candidate(conn: sqlite3.Connection, contest_id: int, *, name: str,
                  gender: str | None = None, person_id: int | None = None, clock: Clock,
                  actor: str) -> Candidate | Refusal:
    """Add a candidate; with `person_id` the name and gender come from the register."""
    with transaction(conn):
        contest = get_contest(conn, contest_id)
        if contest is None:
            return Refusal("NOT_FOUND", f"选举事项 {contest_id} 不存在")
        if person_id is not None:
            person = get_person(conn, person_id)
            if person is None:
                return Refusal("NOT_FOUND", f"人员 {person_id} 不存在")
            name, gender = person.name, person.gender
        name = name.strip()
        if not name:
            return Refusal("NAME_EMPTY", "候选人姓名不能为空")
        if gender not in (None, "M", "F"):
            return Refusal("GENDER_INVALID", f"性别无效：{gender}")
        if q.candidate_name_taken(conn, contest_id, name):
            return Refusal("NAME_TAKEN", f"{contest.title} 已有候选人 {name}（同名请加注以区分）")
        cand_id = q.insert_candidate(conn, contest_id=contest_id, person_id=person_id, name=name,
                                     gender=gender)
        append(conn, at=iso(clock.now()), actor=actor, action="candidate_added",
               meeting_id=contest.meeting_id,
               detail={"candidate_id": cand_id, "contest_id": contest_id,
                       "contest": contest.title, "name": name, "person_id": person_id})
    return Candidate(cand_id, contest_id, person_id, name, gender)


def remove_candidate(conn: sqlite3.Connection, candidate_id: int, *, why: str, clock: Clock,
                     actor: str) -> Candidate | Refusal:
    """Withdraw a candidate before ballots are printed (the reason is kept in the audit)."""
    if not why.strip():
        return Refusal("REASON_MISSING", "撤销候选人须说明原因")
    with transaction(conn):
        row = q.select_candidate(conn, candidate_id)
        if row is None:
            return Refusal("NOT_FOUND", f"候选人 {candidate_id} 不存在")
        cand = _candidate(row)
        contest = get_contest(conn, cand.contest_id)
        assert contest is not None  # foreign key
        q.delete_candidate(conn, candidate_id)
        append(conn, at=iso(clock.now()), actor=actor, action="candidate_removed",
               meeting_id=contest.meeting_id,
               detail={"candidate_id": cand.id, "contest_id": cand.contest_id,
                       "contest": contest.title, "name": cand.name, "person_id": cand.person_id,
                       "why": why.strip()})
    return cand


def _candidate(row: q.Row) -> Candidate:
    i, c, p, n, g = row
    return Candidate(int(i), int(c), None if p is None else int(p), n, g)


def list_candidates(conn: sqlite3.Connection, contest_id: int) -> list[Candidate]:
    """Candidates in name order (按姓氏笔画为序, rules.md §5)."""
    cands = [_candidate(r) for r in q.select_candidates(conn, contest_id)]
    return sorted(cands, key=lambda c: (name_sort_key(c.name), c.id))
