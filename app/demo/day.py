"""The demo's polling day after setup: stage `signed-in` (about 93% of the Party members signed in
at their branch desks through the attendance use cases, a few 列席 and a few people without a
vote turned away) and stage `final` (the 党员大会's 委员 and 纪委委员 elections counted and LOCKED:
委员 needs a runoff (另行选举) for its last seat, which is run to completion; every ballot
double-entered, a few differences between the clerks resolved after looking at the paper;
监票人 and 计票人 recorded for each round).

Deterministic: a seeded generator and a fixed clock. Ballots go in through `enter_ballots`, the
batch form of the same use case the entry page uses.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from collections.abc import Sequence
from typing import TypeVar

from app.attendance import Outcome, sign_in, sign_out
from app.clock import Clock, FixedClock
from app.electorate import electorate, load_persons
from app.meetings import Refusal, get_meeting, list_contests
from app.model import Meeting, PartyStatus
from app.rules import ABSTAIN, APPROVE, DISAPPROVE, Ballot
from app.voting import (
    VotingRound,
    close_round,
    compare_entries,
    enter_ballots,
    lock_round,
    open_round,
    record_box,
    resolve_difference,
    set_officials,
)

T = TypeVar("T")

SIGN_IN_SHARE = 93            # percent of 应到 who come
CHAIR = "大会主持人（演示）"
SECRETARY = "大会秘书处（演示）"
CLERK_A = "计票员甲（演示）"
CLERK_B = "计票员乙（演示）"
_TZ = dt.timezone(dt.timedelta(hours=8))

# Approval chances (per mille) per candidate, in the contest's ballot order is not known here,
# so by name: 委员 — six are clearly elected, 马晓东 / 单国栋 / 陈珺 fall short of half and the
# last seat goes to a runoff; 纪委委员 — three of four elected in the first round.
COMMITTEE_APPROVAL = {"欧阳红梅": 930, "张喆": 880, "曾凡荣": 860, "李建军": 900, "王淑芬": 840,
                      "刘志强": 820, "马晓东": 470, "单国栋": 430, "陈珺": 380}
DISCIPLINE_APPROVAL = {"周建平": 900, "翟丽华": 870, "孙浩": 820, "阿依古丽·买买提": 420}
RUNOFF_APPROVAL = {"马晓东": 700, "单国栋": 230, "陈珺": 60}


def _ok(result: T | Refusal) -> T:
    if isinstance(result, Refusal):
        raise RuntimeError(f"demo day refused: {result.code} {result.message}")
    return result


def day_clock(hour: int, minute: int, step_s: float) -> Clock:
    return FixedClock(dt.datetime(2026, 11, 29, hour, minute, tzinfo=_TZ), step_s)


def sign_in_members(conn: sqlite3.Connection, party: Meeting, rng: random.Random) -> int:
    """About 93% of 应到 sign in at their branch's desk; some 列席; a few turned away."""
    persons = load_persons(conn)
    el = electorate(conn, party, persons)
    expected = [p for p in el.voters if p.id not in el.excluded_ids]
    on_leave = [p for p in expected if p.id in el.leave_ids]
    others = [p for p in expected if p.id not in el.leave_ids]
    coming = SIGN_IN_SHARE * len(expected) // 100
    chosen = rng.sample(others, coming - 2) + rng.sample(on_leave, 2)  # two came after all
    attend = [p for p in el.non_voting if p.party_status is PartyStatus.PROBATIONARY]
    no_vote = [p for p in persons if p.party_status is PartyStatus.NONE and p.branch == ""]
    visitors = rng.sample(attend, 6) + rng.sample(no_vote, 4)
    arrivals = chosen + visitors
    rng.shuffle(arrivals)
    clock = day_clock(7, 50, 2.0)
    signed = 0
    for p in arrivals:
        desk = f"{p.branch}签到台" if p.branch else "第一党支部签到台"
        result = sign_in(conn, party, p, desk, f"{desk}签到员", clock)
        if result.outcome is Outcome.SIGNED_IN:
            signed += 1
    return signed


def _marks(rng: random.Random, names: Sequence[str], chance: dict[str, int], seats: int,
           over_mark: bool) -> str:
    marks = []
    for n in names:
        roll = rng.randrange(1000)
        if roll < chance[n]:
            marks.append(APPROVE)
        elif roll < chance[n] + (1000 - chance[n]) // 3:
            marks.append(DISAPPROVE)
        else:
            marks.append(ABSTAIN)
    if not over_mark:
        # A voter who approves too many crosses out the ones they like least (from the end).
        for i in range(len(marks) - 1, -1, -1):
            if marks.count(APPROVE) <= seats:
                break
            if marks[i] == APPROVE:
                marks[i] = DISAPPROVE
    return "".join(marks)


def true_stack(rng: random.Random, r: VotingRound, chance: dict[str, int],
               write_ins: Sequence[str] = ()) -> list[Ballot]:
    """The paper ballots of a round: one per member present, two over-marked, one blank, one
    declared unreadable, a few write-ins."""
    n = r.snapshot.present
    names = r.names
    stack: list[Ballot] = []
    for i in range(n):
        if i == 7:
            stack.append(Ballot(ABSTAIN * len(names)))
        elif i == 11:
            stack.append(Ballot(ABSTAIN * len(names), declared_invalid=True,
                                reason="字迹涂改无法辨认"))
        elif i in (19, 23) and r.number == 1:
            stack.append(Ballot(APPROVE * len(names)))       # over-marked: the core finds it
        else:
            marks = _marks(rng, names, chance, r.seats, over_mark=False)
            wi: tuple[str, ...] = ()
            if write_ins and i % 97 == 5 and marks.count(APPROVE) < r.seats:
                marks = marks.replace(APPROVE, DISAPPROVE, 1) if APPROVE in marks else marks
                wi = (write_ins[i % len(write_ins)],)
            stack.append(Ballot(marks, wi))
    rng.shuffle(stack)
    return stack


def _flip(b: Ballot, i: int) -> Ballot:
    m = list(b.marks)
    m[i] = DISAPPROVE if m[i] == APPROVE else APPROVE
    return Ballot("".join(m), b.write_ins, b.declared_invalid, b.reason, b.unmarked_write_ins)


def count_round(conn: sqlite3.Connection, r: VotingRound, stack: list[Ballot],
                clock: Clock, rng: random.Random) -> None:
    """Double entry with three deliberate differences, resolved after looking at the paper."""
    a = list(stack)
    b = list(stack)
    picks = rng.sample(range(20, len(stack)), 3)
    b[picks[0]] = _flip(stack[picks[0]], 0)                   # clerk B mistyped: A is right
    a[picks[1]] = _flip(stack[picks[1]], len(r.names) - 1)    # clerk A mistyped: B is right
    a[picks[2]] = _flip(stack[picks[2]], 1)                   # both wrong: read the paper
    b[picks[2]] = _flip(stack[picks[2]], 2 % len(r.names))
    _ok(enter_ballots(conn, r.id, "A", a, clerk=CLERK_A, clock=clock))
    _ok(enter_ballots(conn, r.id, "B", b, clerk=CLERK_B, clock=clock))
    comparison = _ok(compare_entries(conn, r.id))
    for d in comparison.differences:
        seq = d.seq
        truth = stack[seq - 1]
        if d.a == truth:
            choice, reading = "A", None
        elif d.b == truth:
            choice, reading = "B", None
        else:
            choice, reading = "paper", truth
        _ok(resolve_difference(conn, r.id, seq, choice, why="监票人核对原始选票", actor="监票人（演示）",
                               clock=clock, reading=reading))


def officials(conn: sqlite3.Connection, party: Meeting, rng: random.Random,
              avoid: set[str]) -> tuple[list[int], list[int]]:
    """Two 监票人 and two 计票人 among the members present, none of them a candidate."""
    from app.attendance import attendance_summary

    present = sorted(attendance_summary(conn, party).present_ids)
    persons = {p.id: p for p in load_persons(conn)}
    pool = [pid for pid in present if persons[pid].name not in avoid]
    chosen = rng.sample(pool, 4)
    return chosen[:2], chosen[2:]


def vote_and_count(conn: sqlite3.Connection, party: Meeting, r: VotingRound,
                   chance: dict[str, int], rng: random.Random, clock: Clock,
                   scrutineers: list[int], counters: list[int],
                   write_ins: Sequence[str] = ()) -> VotingRound:
    stack = true_stack(rng, r, chance, write_ins)
    present = r.snapshot.present
    _ok(set_officials(conn, r.id, scrutineers=scrutineers, counters=counters, actor=CHAIR,
                      clock=clock))
    _ok(record_box(conn, r.id, "主票箱", printed=present + 30, issued=present,
                   returned=len(stack), spoiled=0, actor=SECRETARY, clock=clock))
    count_round(conn, r, stack, clock, rng)
    return _ok(close_round(conn, r.id, actor=CHAIR, clock=clock))


def final(conn: sqlite3.Connection, party: Meeting, rng: random.Random) -> None:
    """Both contests of the 党员大会 to a locked result, 委员 through a runoff."""
    clock = day_clock(9, 0, 5.0)
    contests = {c.code: c for c in list_contests(conn, party.id)}
    committee, discipline = contests["committee"], contests["discipline"]
    r1 = _ok(open_round(conn, committee.id, actor=CHAIR, clock=clock))
    d1 = _ok(open_round(conn, discipline.id, actor=CHAIR, clock=clock))
    avoid = set(COMMITTEE_APPROVAL) | set(DISCIPLINE_APPROVAL)
    scrutineers, counters = officials(conn, party, rng, avoid)
    r1 = vote_and_count(conn, party, r1, COMMITTEE_APPROVAL, rng, clock, scrutineers, counters)
    d1 = vote_and_count(conn, party, d1, DISCIPLINE_APPROVAL, rng, clock, scrutineers, counters,
                        write_ins=("刘建华",))
    _ok(lock_round(conn, d1.id, actor=CHAIR, clock=clock))
    # Two members leave before the runoff: 实到 is frozen again for the new ballots.
    persons = {p.id: p for p in load_persons(conn)}
    from app.attendance import attendance_summary

    leaving = sorted(set(attendance_summary(conn, party).present_ids)
                     - set(scrutineers) - set(counters))[:2]
    for pid in leaving:
        desk = f"{persons[pid].branch}签到台"
        _ok_attendance(sign_out(conn, party, pid, desk, f"{desk}签到员", clock, "家中有事"))
    r2 = _ok(open_round(conn, committee.id, kind="runoff", actor=CHAIR, clock=clock,
                        candidates=[n for n in ("马晓东", "单国栋", "陈珺")]))
    _ok(lock_round(conn, r1.id, actor=CHAIR, clock=clock))
    r2 = vote_and_count(conn, party, r2, RUNOFF_APPROVAL, rng, clock, scrutineers, counters)
    _ok(lock_round(conn, r2.id, actor=CHAIR, clock=clock))


def _ok_attendance(result: object) -> None:
    outcome = getattr(result, "outcome", None)
    if outcome is not Outcome.SIGNED_OUT:
        raise RuntimeError(f"demo day: sign-out refused: {result}")


def play(conn: sqlite3.Connection, party_id: int, stage: str, seed: int) -> None:
    """Advance a freshly built demo venue to `stage` ('signed-in' or 'final')."""
    party = get_meeting(conn, party_id)
    assert party is not None
    rng = random.Random(seed + 2)
    sign_in_members(conn, party, rng)
    if stage == "final":
        final(conn, party, rng)
