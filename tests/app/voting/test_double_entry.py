"""Double entry: three deliberate differences found exactly, side by side; resolution by A, B or
the paper (audited); the counted stack is the resolved one."""

from __future__ import annotations

import random

import pytest

from app.meetings import Refusal
from app.model import RuleSet
from app.rules import Ballot, count_ballots
from app.voting import (
    Comparison,
    Difference,
    VotingRound,
    close_round,
    compare_entries,
    correct_ballot,
    counted,
    enter_ballot,
    enter_ballots,
    open_round,
    record_box,
    resolve_difference,
)
from db.connection import connect
from tests.app.voting.voting_venue import sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四", "戊五"]


@pytest.fixture
def round_(db_path, fixed_clock):
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=60, candidates=CANDS, seats=4)
    sign_in_first(s, 60, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(r, VotingRound)
    yield conn, r
    conn.close()


def _paper(n: int) -> list[Ballot]:
    rng = random.Random(5)
    return [Ballot("".join(rng.choices("oox-", k=4)) + "-") for _ in range(n)]


def test_three_differences_found_exactly_and_resolved(round_, fixed_clock) -> None:
    conn, r = round_
    paper = _paper(60)
    a, b = list(paper), list(paper)
    b[9] = Ballot("xxxxx")                                   # B mistyped ballot 10
    a[29] = Ballot(paper[29].marks, ("刘某",))                  # A added a write-in to ballot 30
    a[49] = Ballot("ooooo")                                  # ballot 50: both wrong
    b[49] = Ballot("-----", declared_invalid=True, reason="无法辨认")
    assert enter_ballots(conn, r.id, "A", a, clerk="甲", clock=fixed_clock) == 60
    assert enter_ballots(conn, r.id, "B", b, clerk="乙", clock=fixed_clock) == 60
    c = compare_entries(conn, r.id)
    assert isinstance(c, Comparison)
    assert (c.count_a, c.count_b, c.agreed) == (60, 60, 57)
    assert [d.seq for d in c.differences] == [10, 30, 50]
    assert (c.differences[0].a, c.differences[0].b) == (paper[9], Ballot("xxxxx"))
    assert not c.complete
    assert isinstance(counted(conn, r), Refusal)
    closing = close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    assert isinstance(closing, Refusal) and "10、30、50" in closing.message
    # Resolution after looking at the paper.
    assert resolve_difference(conn, r.id, 10, "C", why="x", actor="监票人",
                              clock=fixed_clock).code == "CHOICE_INVALID"
    assert resolve_difference(conn, r.id, 10, "A", why="", actor="监票人",
                              clock=fixed_clock).code == "REASON_MISSING"
    assert resolve_difference(conn, r.id, 1, "A", why="核对原票", actor="监票人",
                              clock=fixed_clock).code == "NO_DIFFERENCE"
    d1 = resolve_difference(conn, r.id, 10, "A", why="核对原票", actor="监票人", clock=fixed_clock)
    d2 = resolve_difference(conn, r.id, 30, "B", why="核对原票", actor="监票人", clock=fixed_clock)
    d3 = resolve_difference(conn, r.id, 50, "paper", why="核对原票", actor="监票人",
                            clock=fixed_clock, reading=paper[49])
    assert isinstance(d1, Difference) and d1.reading == paper[9]
    assert isinstance(d2, Difference) and d2.reading == paper[29]
    assert isinstance(d3, Difference) and d3.reading == paper[49] and d3.choice == "paper"
    c = compare_entries(conn, r.id)
    assert isinstance(c, Comparison) and c.complete and len(c.differences) == 3
    stack = counted(conn, r)
    assert not isinstance(stack, Refusal)
    names = r.names
    expected = count_ballots(names, 4, [(p, 1) for p in paper])
    assert count_ballots(names, 4, stack) == expected
    audit = [a for (a,) in conn.execute(
        "SELECT action FROM audit WHERE action = 'ballot_difference_resolved'")]
    assert len(audit) == 3
    record_box(conn, r.id, "主票箱", printed=60, issued=60, returned=60, actor="秘书处",
               clock=fixed_clock)
    assert isinstance(close_round(conn, r.id, actor="主持人", clock=fixed_clock), VotingRound)


def test_missing_and_extra_ballots_are_differences(round_, fixed_clock) -> None:
    conn, r = round_
    paper = _paper(5)
    enter_ballots(conn, r.id, "A", paper, clerk="甲", clock=fixed_clock)
    enter_ballots(conn, r.id, "B", paper + [Ballot("o----")], clerk="乙", clock=fixed_clock)
    c = compare_entries(conn, r.id)
    assert isinstance(c, Comparison) and [d.seq for d in c.differences] == [6]
    assert c.differences[0].a is None and c.differences[0].b == Ballot("o----")
    # B typed one ballot too many: A is right, there is no sixth ballot.
    resolve_difference(conn, r.id, 6, "A", why="共收回5张", actor="监票人", clock=fixed_clock)
    stack = counted(conn, r)
    assert not isinstance(stack, Refusal) and sum(n for _, n in stack) == 5
    # A later entered to agree with B: where A and B agree, their reading counts ...
    enter_ballot(conn, r.id, "A", "1", clerk="甲", clock=fixed_clock, seq=6)
    stack = counted(conn, r)
    assert not isinstance(stack, Refusal) and sum(n for _, n in stack) == 6
    # ... and where they differ again, the resolution made from the paper stands.
    correct_ballot(conn, r.id, "A", 6, None, why="误录", clerk="甲", clock=fixed_clock)
    stack = counted(conn, r)
    assert not isinstance(stack, Refusal) and sum(n for _, n in stack) == 5


def test_reason_wording_is_not_a_difference(round_, fixed_clock) -> None:
    conn, r = round_
    enter_ballot(conn, r.id, "A", "", invalid=True, reason="涂改", clerk="甲", clock=fixed_clock)
    enter_ballot(conn, r.id, "B", "", invalid=True, reason="无法辨认", clerk="乙",
                 clock=fixed_clock)
    c = compare_entries(conn, r.id)
    assert isinstance(c, Comparison) and c.differences == () and c.agreed == 1
