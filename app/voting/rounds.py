"""Voting rounds (轮次): open (quorum checked on the frozen 实到), officials, boxes, the decision
not to fill, close. Every write runs in one transaction with its audit row; expected refusals are
returned as `Refusal` values.

A round belongs to one contest and has its own seats and candidates: a runoff (另行选举) takes the
remaining seats and the previous round's runoff ranking, a tie re-vote (重新投票) the tied persons
and the seats they compete for, a re-run of a void round the void round's seats and candidates.
A round counts on the 实到 frozen when voting opened: the latest snapshot of the meeting (frozen
by 开始投票 on the 会议 page or `pollday attendance --open-voting`, or by another contest's round
opened for the same vote), unless a round of this contest already used it; then a new one is
frozen under the next 第N次投票. Several contests voted on at once so share one snapshot.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Sequence

from app.attendance import attendance_summary, next_vote_label, open_voting, snapshot, snapshots
from app.clock import Clock, iso
from app.meetings import Refusal, get_contest, get_meeting
from app.model import RuleSet
from app.names import name_sort_key
from app.rules import Round, Status
from app.voting.guard import officials_refused, refused
from app.voting.model import Mode, State, VotingRound
from app.voting.progression import plan_round, suggested_kind
from app.voting.store import list_rounds, load_round, must_round
from app.voting.validate import counted, decide_round
from db import voting as q
from db.audit import append
from db.tx import transaction

# --- opening a round --------------------------------------------------------------------------

def open_round(conn: sqlite3.Connection, contest_id: int, *, actor: str, clock: Clock,
               kind: Round | str | None = Round.FIRST, candidates: Sequence[str] | None = None,
               snapshot_label: str | None = None, mode: Mode | str = Mode.BALLOTS,
               double_entry: bool = True) -> VotingRound | Refusal:
    """Open the next round of a contest (开始投票): take the 实到 frozen for this vote (see the
    module's docstring) or the snapshot frozen under `snapshot_label`, else freeze it; refuse
    when the quorum is not met (party, collective), take seats and
    candidates from the previous round's decision (app.voting.progression). `candidates`
    narrows a runoff's ranking; `kind` None takes the kind the previous decision calls for."""
    mode = Mode(mode)
    with transaction(conn):
        denied = refused(conn, "open_round", actor)
        if denied is not None:
            return denied
        contest = get_contest(conn, contest_id)
        if contest is None:
            return Refusal("NO_SUCH_CONTEST", f"选举事项 {contest_id} 不存在")
        meeting = get_meeting(conn, contest.meeting_id)
        assert meeting is not None
        rounds = list_rounds(conn, contest_id)
        previous = rounds[-1] if rounds else None
        kind = suggested_kind(conn, previous) if kind is None else Round(kind)
        plan = plan_round(conn, contest_id, kind, previous, candidates)
        if isinstance(plan, Refusal):
            return plan
        seats, cands, _why = plan
        cands = sorted(cands, key=lambda c: name_sort_key(c[0]))  # ballot order: 按姓氏笔画为序
        if not cands:
            return Refusal("NO_CANDIDATES", f"{contest.title} 没有候选人")
        number = q.next_round_number(conn, contest_id)
        at = iso(clock.now())
        if snapshot_label and snapshot_label.strip():
            label = snapshot_label.strip()
            snap = snapshot(conn, meeting, label)
        else:
            frozen = snapshots(conn, meeting)
            snap = frozen[-1] if frozen else None
            if snap is not None and any(r.snapshot.id == snap.id for r in rounds):
                snap = None  # this contest already voted on it: a later vote
            label = snap.round_label if snap is not None else next_vote_label(frozen)
        if snap is None:
            live = attendance_summary(conn, meeting)
            if meeting.rules is not RuleSet.RESIDENTS and not live.quorum_met:
                q_ = live.quorum
                reason = (f"{q_.rule_zh}：应到{q_.expected}人，实到{q_.present}人，"
                          f"至少需{q_.required}人，不能开始投票")
                append(conn, at=at, actor=actor, action="round_refused", meeting_id=meeting.id,
                       detail={"contest": contest.code, "kind": kind.value, "expected":
                               q_.expected, "present": q_.present, "required": q_.required},
                       outcome="QUORUM_NOT_MET")
                return Refusal("QUORUM_NOT_MET", reason)
            taken = open_voting(conn, meeting, label, actor, clock)
            if isinstance(taken, Refusal):
                return taken
            snap = taken
        elif meeting.rules is not RuleSet.RESIDENTS and not snap.quorum_met:
            return Refusal("QUORUM_NOT_MET",
                           f"{snap.round_label} 冻结的实到人数不足法定人数（应到{snap.expected}人，"
                           f"实到{snap.present}人）：{snap.rule_zh}")
        rid = q.insert_round(conn, meeting_id=meeting.id, contest_id=contest_id, number=number,
                             kind=kind.value, seats=seats, snapshot_id=snap.id,
                             follows_id=previous.id if previous else None, mode=mode.value,
                             double_entry=double_entry, opened_at=at, opened_by=actor)
        q.insert_round_candidates(conn, rid, cands)
        append(conn, at=at, actor=actor, action="round_opened", meeting_id=meeting.id,
               detail={"round_id": rid, "contest": contest.code, "number": number,
                       "kind": kind.value, "seats": seats, "candidates": [c[0] for c in cands],
                       "snapshot": snap.round_label, "expected": snap.expected,
                       "present": snap.present, "mode": mode.value})
        r = load_round(conn, rid)
    assert r is not None
    return r


# --- officials, boxes, decisions, close -------------------------------------------------------

def _candidate_clash(r: VotingRound, names: Sequence[str], ids: Sequence[int]) -> list[str]:
    cand_names = set(r.names)
    cand_ids = {c.person_id for c in r.candidates if c.person_id is not None}
    clash = [n for n in names if n in cand_names]
    clash += [str(i) for i in ids if i in cand_ids]
    return clash


def split_names(text: str) -> list[str]:
    """Names typed in one line (the officials' fields, --scrutineers/--counters), separated by
    、，, ; or spaces."""
    return [n for n in re.split(r"[、，,；;\s]+", text.strip()) if n]


def set_officials(conn: sqlite3.Connection, round_id: int, *, scrutineers: Sequence[str | int],
                  counters: Sequence[str | int], actor: str,
                  clock: Clock) -> VotingRound | Refusal:
    """Record the 监票人 and 计票人 approved by the meeting for this round (names, or register ids
    which are turned into names). A candidate of the round is refused. Where a staff list
    exists they are chosen from it (监票人 and 计票人 roles; a member linked to a candidate of the
    round is refused too)."""
    with transaction(conn):
        denied = refused(conn, "round_manage", actor)
        if denied is not None:
            return denied
        r = must_round(conn, round_id)
        if isinstance(r, Refusal):
            return r
        if r.state is State.LOCKED:
            return Refusal("LOCKED", f"{r.label} 已锁定")
        ids = [x for x in [*scrutineers, *counters] if isinstance(x, int)]
        names_of = q.candidate_persons(conn, ids)
        missing = [i for i in ids if i not in names_of]
        if missing:
            return Refusal("NO_SUCH_PERSON", f"名册中没有编号 {missing}")
        def named(xs: Sequence[str | int]) -> list[str]:
            return [names_of[x] if isinstance(x, int) else x.strip() for x in xs]
        s_names, c_names = named(scrutineers), named(counters)
        empty = [what for what, xs in (("监票人", s_names), ("计票人", c_names))
                 if not [n for n in xs if n]]
        if empty:   # an empty list is not a choice the meeting made
            return Refusal("OFFICIALS_EMPTY", "未登记：" + "、".join(f"未填写{w}" for w in empty)
                           + "。请填写经大会通过的姓名，用顿号分隔")
        if any(not n for n in [*s_names, *c_names]):
            return Refusal("NAME_EMPTY", "监票人、计票人姓名不能为空")
        twice = [n for n, k in Counter([*s_names, *c_names]).items() if k > 1]
        if twice:   # one person cannot watch the count and count, nor hold one post twice
            return Refusal("OFFICIAL_TWICE",
                           f"同一人不能重复登记为监票人、计票人：{'、'.join(twice)}")
        off = officials_refused(conn, s_names, c_names)
        if isinstance(off, Refusal):
            return off
        clash = _candidate_clash(r, [*s_names, *c_names], [*ids, *off])
        if clash:
            shown = "、".join(names_of.get(int(x), x) if x.isdigit() else x for x in clash)
            return Refusal("OFFICIAL_IS_CANDIDATE",
                           f"监票人、计票人不得由本轮候选人担任：{shown}")
        at = iso(clock.now())
        detail = {"scrutineers": s_names, "counters": c_names}
        q.insert_event(conn, round_id=round_id, kind="officials", actor=actor, at=at,
                       detail_json=json.dumps(detail, ensure_ascii=False))
        append(conn, at=at, actor=actor, action="round_officials", meeting_id=r.meeting_id,
               detail={"round_id": round_id, **detail})
        out = load_round(conn, round_id)
    assert out is not None
    return out


def record_box(conn: sqlite3.Connection, round_id: int, name: str, *, printed: int, issued: int,
               returned: int, spoiled: int = 0, mobile: bool = False, actor: str,
               clock: Clock) -> VotingRound | Refusal:
    """发票/收票记录 of one box; recording the same box again replaces its figures (a new row)."""
    name = name.strip()
    if not name:
        return Refusal("NAME_EMPTY", "票箱名称不能为空")
    if min(printed, issued, returned, spoiled) < 0:
        return Refusal("NEGATIVE", "票数不能为负数")
    if issued + spoiled > printed:
        return Refusal("MORE_THAN_PRINTED",
                       f"发出{issued}张、作废{spoiled}张，多于印制的{printed}张")
    with transaction(conn):
        denied = refused(conn, "box_figures", actor)
        if denied is not None:
            return denied
        r = must_round(conn, round_id)
        if isinstance(r, Refusal):
            return r
        if r.state is not State.OPEN:
            return Refusal("NOT_OPEN", f"{r.label} 已结束，不能再改票箱记录")
        at = iso(clock.now())
        q.insert_box(conn, round_id=round_id, name=name, mobile=mobile, printed=printed,
                     issued=issued, returned=returned, spoiled=spoiled, actor=actor, at=at)
        append(conn, at=at, actor=actor, action="ballot_box_recorded", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "box": name, "mobile": mobile, "printed": printed,
                       "issued": issued, "returned": returned, "spoiled": spoiled})
        out = load_round(conn, round_id)
    assert out is not None
    return out


def record_no_fill(conn: sqlite3.Connection, round_id: int, *, decided_by: str, why: str,
                   actor: str, clock: Clock) -> VotingRound | Refusal:
    """Party elections: the meeting decided by majority not to fill the remaining seats
    (rules.md §1.6). A human decision the app records, never makes; only after a round whose
    decision is a runoff."""
    if not decided_by.strip() or not why.strip():
        return Refusal("REASON_MISSING", "须写明由谁决定（如：党员大会表决通过）及理由")
    with transaction(conn):
        denied = refused(conn, "round_manage", actor)
        if denied is not None:
            return denied
        r = must_round(conn, round_id)
        if isinstance(r, Refusal):
            return r
        meeting = get_meeting(conn, r.meeting_id)
        assert meeting is not None
        if meeting.rules is not RuleSet.PARTY:
            return Refusal("NOT_PARTY_MEETING", "只有党内选举可以决定不再补选剩余名额")
        if q.next_round_number(conn, r.contest_id) != r.number + 1:
            return Refusal("LATER_ROUND_EXISTS", f"{r.contest_title} 已有下一轮")
        if r.state is State.OPEN:
            return Refusal("COUNTING_NOT_FINISHED",
                           f"{r.label} 计票尚未结束：请先“结束计票”，再由会议决定是否补选")
        decision = decide_round(conn, r)
        if isinstance(decision, Refusal):
            return decision
        if decision.status is not Status.RUNOFF_NEEDED:
            return Refusal("NO_SEATS_UNFILLED", f"{r.label} 没有未选足的名额")
        at = iso(clock.now())
        q.insert_event(conn, round_id=round_id, kind="no_fill", actor=actor, at=at,
                       reason=why.strip(),
                       detail_json=json.dumps({"decided_by": decided_by.strip()},
                                              ensure_ascii=False))
        append(conn, at=at, actor=actor, action="round_no_fill_decided", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "decided_by": decided_by.strip(),
                       "why": why.strip(), "elected": list(decision.elected),
                       "unfilled": decision.runoff.seats if decision.runoff else 0})
        out = load_round(conn, round_id)
    assert out is not None
    return out


def close_round(conn: sqlite3.Connection, round_id: int, *, actor: str,
                clock: Clock) -> VotingRound | Refusal:
    """Counting is finished (计票结束): nothing more is entered and the round's decision stands
    (the next round is planned from it). Refused while A and B still differ, and while no box's
    发出/收回 is registered (every round, ballots or tally, needs them to be locked)."""
    with transaction(conn):
        denied = refused(conn, "round_manage", actor)
        if denied is not None:
            return denied
        r = must_round(conn, round_id)
        if isinstance(r, Refusal):
            return r
        if r.state is not State.OPEN:
            return Refusal("NOT_OPEN", f"{r.label} 已结束")
        stack = counted(conn, r)
        if isinstance(stack, Refusal):
            return stack
        if not r.boxes:     # the lock requires them (NO_BOXES) and a closed round refuses them
            return Refusal("NO_BOXES",
                           f"{r.label} 尚未登记票箱的发出、收回票数：请监票人先在"
                           "“监票人 · 票箱”登记每个票箱的发出、收回票数，再结束计票")
        at = iso(clock.now())
        q.insert_event(conn, round_id=round_id, kind="closed", actor=actor, at=at)
        append(conn, at=at, actor=actor, action="round_closed", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "ballots": sum(n for _, n in stack)})
        out = load_round(conn, round_id)
    assert out is not None
    return out


def reopen_round(conn: sqlite3.Connection, round_id: int, *, why: str, actor: str,
                 clock: Clock) -> VotingRound | Refusal:
    """Reopen a closed (not locked) round to correct an entry; the reason is audited."""
    if not why.strip():
        return Refusal("REASON_MISSING", "重新开放计票须说明原因")
    with transaction(conn):
        denied = refused(conn, "round_manage", actor)
        if denied is not None:
            return denied
        r = must_round(conn, round_id)
        if isinstance(r, Refusal):
            return r
        if r.state is not State.CLOSED:
            return Refusal("NOT_CLOSED", f"{r.label} 不是已结束未锁定的状态")
        if q.next_round_number(conn, r.contest_id) != r.number + 1:
            return Refusal("LATER_ROUND_EXISTS", f"{r.contest_title} 已按本轮结果开始下一轮")
        at = iso(clock.now())
        q.insert_event(conn, round_id=round_id, kind="reopened", actor=actor, at=at,
                       reason=why.strip())
        append(conn, at=at, actor=actor, action="round_reopened", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "why": why.strip()})
        out = load_round(conn, round_id)
    assert out is not None
    return out
