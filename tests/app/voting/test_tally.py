"""Tally-sheet mode (正字): totals entered twice, compared, resolved; the count equals the
totals and a scenario export recounts to the same result."""

from __future__ import annotations

import random

import pytest

from app.meetings import Refusal
from app.model import RuleSet
from app.results import export_round
from app.rules import count_ballots
from app.scenario import Scenario, parse_scenario
from app.scenario_run import outcome_json, run_scenario
from app.voting import (
    Sheet,
    SheetComparison,
    VotingRound,
    close_round,
    compare_sheets,
    counted,
    enter_ballot,
    enter_sheet,
    record_box,
    resolve_sheet,
    set_officials,
    sheet_ballots,
    validate_round,
)
from app.voting import open_round as open_
from db.connection import connect
from tests.app.voting.voting_venue import sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四"]


@pytest.fixture
def tally_round(db_path, fixed_clock):
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=40, candidates=CANDS, seats=3)
    sign_in_first(s, 40, fixed_clock)
    r = open_(conn, s.contest.id, actor="主持人", clock=fixed_clock, mode="tally")
    assert isinstance(r, VotingRound)
    yield conn, r
    conn.close()


def _sheet(r: VotingRound, approve: list[int], disapprove: list[int], valid: int = 38,
           invalid: int = 2, write_ins: dict[str, int] | None = None) -> Sheet:
    return Sheet(valid, invalid, dict(zip(r.names, approve, strict=True)),
                 dict(zip(r.names, disapprove, strict=True)), write_ins or {})


def test_sheet_ballots_have_exactly_the_totals() -> None:
    """Every consistent sheet (a + d <= valid per candidate, approvals <= seats × valid) becomes
    a stack the core counts back to the same totals, with no ballot over-marked."""
    names = ("甲", "乙", "丙", "丁", "戊")
    rng = random.Random(11)
    checked = 0
    while checked < 300:
        valid, seats = rng.randint(0, 12), rng.randint(1, 4)
        approve = [rng.randint(0, valid) for _ in names]
        disapprove = [rng.randint(0, valid - a) for a in approve]
        write_ins = {"外人": rng.randint(1, valid)} if valid and rng.random() < 0.5 else {}
        if sum(approve) + sum(write_ins.values()) > seats * valid:
            continue
        sheet = Sheet(valid, rng.randint(0, 2), dict(zip(names, approve, strict=True)),
                      dict(zip(names, disapprove, strict=True)), write_ins)
        count = count_ballots(names, seats, sheet_ballots(names, sheet))
        assert (count.valid, count.invalid) == (valid, sheet.invalid)
        got = {e.name: (e.approve, e.disapprove) for e in count.tally}
        want = {n: (a, d) for n, a, d in zip(names, approve, disapprove, strict=True)}
        assert got == {**want, **{w: (v, 0) for w, v in write_ins.items()}}
        checked += 1


def test_sheets_compared_resolved_and_counted(tally_round, fixed_clock) -> None:
    conn, r = tally_round
    assert enter_ballot(conn, r.id, "A", "1", clerk="甲", clock=fixed_clock).code == "TALLY_MODE"
    impossible = enter_sheet(conn, r.id, "A", _sheet(r, [38, 38, 38, 1], [0, 0, 0, 0]),
                             clerk="甲", clock=fixed_clock)
    assert isinstance(impossible, Refusal) and impossible.code == "SHEET_INCONSISTENT"
    a = _sheet(r, [30, 25, 22, 10], [2, 3, 4, 20], write_ins={"刘某": 3})
    b = _sheet(r, [30, 25, 21, 10], [2, 3, 4, 20], write_ins={"刘某": 3})
    enter_sheet(conn, r.id, "A", a, clerk="甲", clock=fixed_clock)
    assert isinstance(counted(conn, r), Refusal)          # B missing
    enter_sheet(conn, r.id, "B", b, clerk="乙", clock=fixed_clock)
    c = compare_sheets(conn, r.id)
    assert isinstance(c, SheetComparison)
    assert [(d.line, d.a, d.b) for d in c.differences] == [(f"{r.names[2]} 赞成", 22, 21)]
    pending = counted(conn, r)
    assert isinstance(pending, Refusal) and pending.code == "DIFFERENCES_PENDING"
    assert resolve_sheet(conn, r.id, a, why="", actor="监票人",
                         clock=fixed_clock).code == "REASON_MISSING"
    resolve_sheet(conn, r.id, a, why="重新清点", actor="监票人", clock=fixed_clock)
    stack = counted(conn, r)
    assert not isinstance(stack, Refusal)
    record_box(conn, r.id, "主票箱", printed=45, issued=40, returned=40, actor="x", clock=fixed_clock)
    set_officials(conn, r.id, scrutineers=["监票甲"], counters=["计票甲"], actor="x",
                  clock=fixed_clock)
    close_round(conn, r.id, actor="x", clock=fixed_clock)
    v = validate_round(conn, r.id)
    assert not isinstance(v, Refusal) and v.result is not None and v.may_lock
    tally = {e.name: (e.approve, e.disapprove, e.abstain) for e in v.result.count.tally}
    assert tally[r.names[0]] == (30, 2, 6) and tally["刘某"] == (3, 0, 0)
    assert v.result.count.invalid == 2
    assert set(v.result.elected) == {r.names[0], r.names[1], r.names[2]}
    doc = export_round(conn, v.round)
    assert isinstance(doc, dict)
    scenario = parse_scenario(doc)
    assert isinstance(scenario, Scenario)
    assert outcome_json(run_scenario(scenario)) == v.output()
