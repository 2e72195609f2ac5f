"""A small party election taken to the end through the voting use cases: 30 members, 28
present, 3 seats for 4 candidates (rare characters included), a write-in, an over-marked ballot,
2 elected in round 1 and the third seat in a runoff, every round locked. Helper module for the
result-document tests."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.clock import Clock
from app.meetings import Refusal
from app.rules import Ballot, make_ballot
from app.voting import (
    close_round,
    enter_ballots,
    lock_round,
    open_round,
    record_box,
    set_officials,
)
from tests.app.voting.voting_venue import Small, sign_in_first, small_meeting

CANDIDATES = ["王䶮", "欧阳娜娜", "李𠮷祥", "张喆"]
WRITE_IN = "赵大山"


@dataclass
class Venue:
    small: Small
    rounds: list[int]


def _ok(x: object) -> object:
    assert not isinstance(x, Refusal), x
    return x


def _run_round(s: Small, clock: Clock, round_id: int, ballots: list[Ballot], *,
               lock: bool = True) -> None:
    _ok(set_officials(s.conn, round_id, scrutineers=["钱监票", "孙监票"], counters=["周计票"],
                      actor="t", clock=clock))
    _ok(record_box(s.conn, round_id, "主票箱", printed=30, issued=28, returned=len(ballots),
                   spoiled=0, actor="t", clock=clock))
    for entry in ("A", "B"):
        _ok(enter_ballots(s.conn, round_id, entry, ballots, clerk=f"录入{entry}", clock=clock))
    _ok(close_round(s.conn, round_id, actor="t", clock=clock))


def build(conn: sqlite3.Connection, clock: Clock, *, lock: bool = True) -> Venue:
    s = small_meeting(conn, clock, __import__("app.model", fromlist=["RuleSet"]).RuleSet.PARTY,
                      voters=30, candidates=CANDIDATES, seats=3, code="party")
    sign_in_first(s, 28, clock)
    r1 = open_round(conn, s.contest.id, actor="t", clock=clock)
    assert not isinstance(r1, Refusal), r1
    a, b, c, d = r1.names
    first = ([make_ballot(r1.names, [a, b])] * 16 + [make_ballot(r1.names, [c])] * 8
             + [make_ballot(r1.names, [d], [c], write_ins=[WRITE_IN])] * 3
             + [make_ballot(r1.names, [a, b, c, d])])
    _run_round(s, clock, r1.id, first)
    r2 = open_round(conn, s.contest.id, actor="t", clock=clock, kind="runoff",
                    candidates=[c, d])
    assert not isinstance(r2, Refusal), r2
    if lock:
        _ok(lock_round(conn, r1.id, actor="总监票人", clock=clock))
    second = ([make_ballot(r2.names, [c])] * 20 + [make_ballot(r2.names, [d])] * 8)
    _run_round(s, clock, r2.id, second)
    if lock:
        _ok(lock_round(conn, r2.id, actor="总监票人", clock=clock))
    return Venue(s, [r1.id, r2.id])
