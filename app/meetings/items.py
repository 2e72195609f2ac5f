"""What a meeting is set up with: exclusions (不计入应到), leaves (请假), desks (签到台), contests
(选举事项) and candidates. Every write runs in a transaction with its audit row."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from app.clock import Clock, iso
from app.electorate import get_person, vote_right
from app.meetings.codes import code_problem
from app.meetings.core import Refusal, get_meeting, setup_refused
from app.model import (
    ContestKind,
    ExclusionReason,
    Meeting,
    PartyStatus,
    Person,
    RuleSet,
)
from app.names import name_sort_key
from app.posts import POSTS, post_of_old_title
from db import meetings as q
from db import persons as db_persons
from db.audit import append
from db.tx import transaction


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
    post: str = ""            # app.posts.POSTS, "" when not set


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    contest_id: int
    person_id: int | None
    name: str
    gender: str | None
    part_time: bool = False   # 兼职委员 (marked by the community)


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
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
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
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
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
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
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
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
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
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
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
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
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
    cid, mid, code, title, body, kind, seats, position, post = row
    return Contest(int(cid), int(mid), code, title, body, ContestKind(kind), int(seats),
                   int(position), str(post))


def add_contest(conn: sqlite3.Connection, meeting_id: int, *, code: str, title: str,
                kind: ContestKind, seats: int, body: str = "", position: int | None = None,
                post: str | None = None, clock: Clock, actor: str) -> Contest | Refusal:
    """A new contest. `post` (app.posts.POSTS) defaults to the title when the title is one of
    the posts word for word (委员, 书记 …), else none; the 选举事项 page and `contest add --post`
    show and change it."""
    if seats < 1:
        return Refusal("SEATS_INVALID", "应选名额至少为 1")
    if not code.strip() or not title.strip():
        return Refusal("NAME_EMPTY", "选举事项的代码和名称不能为空")
    if problem := code_problem(code, "选举事项代码"):
        return Refusal("CODE_INVALID", problem)
    if post is None:
        post = post_of_old_title(title)
    if post and post not in POSTS:
        return Refusal("POST_INVALID", f"职务“{post}”不在职务列表中（{'、'.join(POSTS)}）")
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        if get_meeting(conn, meeting_id) is None:
            return Refusal("NOT_FOUND", f"会议 {meeting_id} 不存在")
        if q.contest_code_taken(conn, meeting_id, code):
            return Refusal("CODE_TAKEN", f"选举事项 {code} 已存在")
        pos = position if position is not None else q.next_contest_position(conn, meeting_id)
        cid = q.insert_contest(conn, meeting_id=meeting_id, code=code, title=title, body=body,
                               kind=str(kind), seats=seats, position=pos, post=post)
        append(conn, at=iso(clock.now()), actor=actor, action="contest_added",
               meeting_id=meeting_id,
               detail={"contest_id": cid, "code": code, "title": title, "body": body,
                       "kind": str(kind), "seats": seats, "post": post})
    return Contest(cid, meeting_id, code, title, body, kind, seats, pos, post)


def list_contests(conn: sqlite3.Connection, meeting_id: int) -> list[Contest]:
    return [_contest(r) for r in q.select_contests(conn, meeting_id)]


def voting_started(conn: sqlite3.Connection, contest_id: int) -> bool:
    """A round of the contest has been opened (开始投票): its candidates and seats are frozen;
    after that only a new round or a withdrawal with a reason changes them."""
    return q.contest_has_rounds(conn, contest_id)


FROZEN_ZH = "候选人和应选名额已固定，此后只能另行选举或撤销候选人（须说明原因）"


def get_contest(conn: sqlite3.Connection, contest_id: int) -> Contest | None:
    row = q.select_contest(conn, contest_id)
    return _contest(row) if row is not None else None


def contest_for_setup(conn: sqlite3.Connection, contest_id: int, actor: str) -> Contest | Refusal:
    """The contest a setup change is about, or why not: the actor may not change the setup, or
    the contest does not exist. Called inside the change's transaction."""
    denied = setup_refused(conn, actor)
    if denied is not None:
        return denied
    contest = get_contest(conn, contest_id)
    if contest is None:
        return Refusal("NOT_FOUND", f"选举事项 {contest_id} 不存在")
    return contest


# 被选举权 (rules.md §1.3): only 正式党员 with rights may stand in a party election.
NOT_ELIGIBLE_ZH: dict[PartyStatus, str] = {
    PartyStatus.NONE: "不是中共党员",
    PartyStatus.PROBATIONARY: "是预备党员，没有被选举权",
    PartyStatus.ON_PROBATION: "受留党察看处分，察看期间没有被选举权",
    PartyStatus.SUSPENDED: "党员权利中止（被依法留置、逮捕），没有被选举权",
}
ELIGIBLE_RULE_ZH = "党内选举只有有表决权、选举权和被选举权的正式党员可以作为候选人"


def candidate_problem(conn: sqlite3.Connection, meeting: Meeting, *, person_id: int | None,
                      name: str) -> str | None:
    """Why this person may not be a candidate in `meeting` (被选举权, rules.md §1.3), in words
    naming the person, or None. Party meetings only: the other rule sets' candidates may come
    from outside the register. A name typed without a register link is checked against the
    register: refused when everyone of that exact name there lacks the right."""
    if meeting.rules is not RuleSet.PARTY:
        return None
    if person_id is not None:
        person = get_person(conn, person_id)
        found = [person] if person is not None else []
    else:
        found = db_persons.get_by_name(conn, name.strip())
    if not found or any(p.party_status is PartyStatus.FULL for p in found):
        return None
    p = found[0]
    where = f"（{p.branch}）" if p.branch else ""
    same = "；如是另一位同名的正式党员，请先将其登记到名册" if person_id is None else ""
    return (f"{p.name}{where}{NOT_ELIGIBLE_ZH[p.party_status]}，不能作为候选人"
            f"（{ELIGIBLE_RULE_ZH}）{same}")


def add_candidate(conn: sqlite3.Connection, contest_id: int, *, name: str,
                  gender: str | None = None, person_id: int | None = None, clock: Clock,
                  actor: str, despite_elected: str = "") -> Candidate | Refusal:
    """Add a candidate; with `person_id` the name and gender come from the register.

    A person already elected to another post of the same body in this meeting (residents'
    meetings, app.voting.validate.TWO_POSTS_RULE_ZH) is refused with ALREADY_ELECTED — a
    warning: given `despite_elected` (the reason, e.g. the supervising office's decision) the
    candidate is added and the reason audited; a round that elects that person is locked only
    with the supervising office's decision in words (app.voting.validate.lock_round)."""
    with transaction(conn):
        contest = contest_for_setup(conn, contest_id, actor)
        if isinstance(contest, Refusal):
            return contest
        if voting_started(conn, contest_id):
            return Refusal("VOTING_STARTED", f"{contest.title}（{contest.code}）已开始投票，"
                                             f"不能再添加候选人：{FROZEN_ZH}")
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
        meeting = get_meeting(conn, contest.meeting_id)
        assert meeting is not None  # foreign key
        # The right to stand first: a 预备党员 namesake of a candidate was told to "add a note
        # to tell them apart" instead of that he cannot stand (a clerk's walk).
        if problem := candidate_problem(conn, meeting, person_id=person_id, name=name):
            return Refusal("CANDIDATE_NOT_ELIGIBLE", problem)
        if q.candidate_name_taken(conn, contest_id, name):
            return Refusal("NAME_TAKEN", f"{contest.title} 已有候选人 {name}（同名请加注以区分）")
        from app.voting.validate import TWO_POSTS_RULE_ZH, second_post

        held = second_post(conn, meeting, contest, name=name, person_id=person_id)
        despite = despite_elected.strip() if held is not None else ""
        if held is not None and not despite:
            return Refusal("ALREADY_ELECTED",
                           f"{held.words()}，不宜再作为{contest.post or contest.title}候选人："
                           f"{TWO_POSTS_RULE_ZH}")
        cand_id = q.insert_candidate(conn, contest_id=contest_id, person_id=person_id, name=name,
                                     gender=gender)
        also = ({"despite_elected": despite, "elected_as": held.body + held.post}
                if held and despite else {})
        append(conn, at=iso(clock.now()), actor=actor, action="candidate_added",
               meeting_id=contest.meeting_id,
               detail={"candidate_id": cand_id, "contest_id": contest_id,
                       "contest": contest.title, "name": name, "person_id": person_id, **also})
    return Candidate(cand_id, contest_id, person_id, name, gender)


def remove_candidate(conn: sqlite3.Connection, candidate_id: int, *, why: str, clock: Clock,
                     actor: str) -> Candidate | Refusal:
    """Withdraw a candidate before ballots are printed (the reason is kept in the audit)."""
    if not why.strip():
        return Refusal("REASON_MISSING", "撤销候选人须说明原因")
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
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
    i, c, p, n, g, part = row
    return Candidate(int(i), int(c), None if p is None else int(p), n, g, bool(part))


def list_candidates(conn: sqlite3.Connection, contest_id: int) -> list[Candidate]:
    """Candidates in name order (按姓氏笔画为序, rules.md §5)."""
    cands = [_candidate(r) for r in q.select_candidates(conn, contest_id)]
    return sorted(cands, key=lambda c: (name_sort_key(c.name), c.id))
