"""Which next step the 结果 page offers for a round (app.voting.progression: may_open_next,
may_decide_no_fill): decided in the core from the round, its decision and the later rounds."""

from __future__ import annotations

import dataclasses

from app.meetings import Refusal
from app.model import RuleSet
from app.rules import Round, Status
from app.voting import (
    MeetingValidation,
    VotingRound,
    close_round,
    enter_ballots,
    open_round,
    record_box,
    record_no_fill,
    validate_meeting,
)
from app.voting.progression import is_last, may_decide_no_fill, may_open_next
from db.connection import connect
from tests.app.voting.voting_venue import ballots, sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四"]


def _round_view(conn, meeting_id: int, number: int = 1):
    mv = validate_meeting(conn, meeting_id)
    assert isinstance(mv, MeetingValidation), mv
    rounds = [v.round for c in mv.contests for v in c.rounds]
    v = next(v for c in mv.contests for v in c.rounds if v.round.number == number)
    return v.result, v.round, rounds


def test_a_runoff_is_offered_after_the_last_round_with_seats_unfilled(db_path, fixed_clock
                                                                       ) -> None:
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    sign_in_first(s, 20, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, double_entry=False)
    assert isinstance(r, VotingRound)
    # Only 甲一 and 乙二 pass the half: one seat of three is left.
    enter_ballots(conn, r.id, "A", ballots(r.names, [(12, ["甲一", "乙二"]), (8, ["丙三"])]),
                  clerk="甲", clock=fixed_clock)
    res, rv, rounds = _round_view(conn, s.meeting.id)
    assert res is not None and res.status is Status.RUNOFF_NEEDED
    assert not may_open_next(res, rv, rounds)              # still counting
    # not while counting: the decision stands on the final count (a round with nothing entered
    # yet elects nobody, and a walk recorded 不再补选 on it)
    assert not may_decide_no_fill(res, rv, rounds, s.meeting)
    got = record_no_fill(conn, r.id, decided_by="党员大会表决通过", why="剩余名额暂缺",
                         actor="主持人", clock=fixed_clock)
    assert isinstance(got, Refusal) and got.code == "COUNTING_NOT_FINISHED", got
    assert "结束计票" in got.message
    record_box(conn, r.id, "主票箱", printed=20, issued=20, returned=20, actor="秘书处",
               clock=fixed_clock)
    close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    res, rv, rounds = _round_view(conn, s.meeting.id)
    assert is_last(rv, rounds)
    assert may_open_next(res, rv, rounds) and may_decide_no_fill(res, rv, rounds, s.meeting)
    # Not a party meeting, or no meeting: no 不再补选.
    residents = dataclasses.replace(s.meeting, rules=RuleSet.RESIDENTS)
    assert not may_decide_no_fill(res, rv, rounds, residents)
    assert not may_decide_no_fill(res, rv, rounds, None)
    # A later round of the contest: neither is offered for the first any more.
    runoff = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock,
                        kind=Round.RUNOFF, double_entry=False)
    assert isinstance(runoff, VotingRound), runoff
    res, rv, rounds = _round_view(conn, s.meeting.id)
    assert not is_last(rv, rounds)
    assert not may_open_next(res, rv, rounds)
    assert not may_decide_no_fill(res, rv, rounds, s.meeting)
    conn.close()


def test_no_runoff_once_the_meeting_decided_not_to_fill(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    sign_in_first(s, 20, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, double_entry=False)
    assert isinstance(r, VotingRound)
    enter_ballots(conn, r.id, "A", ballots(r.names, [(12, ["甲一", "乙二"]), (8, ["丙三"])]),
                  clerk="甲", clock=fixed_clock)
    record_box(conn, r.id, "主票箱", printed=20, issued=20, returned=20, actor="秘书处",
               clock=fixed_clock)
    close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    got = record_no_fill(conn, r.id, decided_by="党员大会表决通过", why="剩余名额暂缺",
                         actor="主持人", clock=fixed_clock)
    assert not isinstance(got, Refusal), got
    res, rv, rounds = _round_view(conn, s.meeting.id)
    assert not may_open_next(res, rv, rounds)
    assert not may_decide_no_fill(res, rv, rounds, s.meeting)
    conn.close()


def test_a_complete_contest_offers_nothing(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=2)
    sign_in_first(s, 20, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, double_entry=False)
    assert isinstance(r, VotingRound)
    enter_ballots(conn, r.id, "A", ballots(r.names, [(15, ["甲一", "乙二"]), (5, ["丙三"])]),
                  clerk="甲", clock=fixed_clock)
    record_box(conn, r.id, "主票箱", printed=20, issued=20, returned=20, actor="秘书处",
               clock=fixed_clock)
    close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    res, rv, rounds = _round_view(conn, s.meeting.id)
    assert res is not None and res.status is Status.ELECTED
    assert not may_open_next(res, rv, rounds)
    assert not may_decide_no_fill(res, rv, rounds, s.meeting)
    conn.close()
