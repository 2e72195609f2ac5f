"""Ballot entry: the keystroke form, over-marked ballots as typed, corrections as new rows."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from app.model import RuleSet
from app.rules import Ballot
from app.voting import (
    Entered,
    KeyProblem,
    VotingRound,
    correct_ballot,
    enter_ballot,
    entries,
    history,
    keys_for,
    keystrokes,
    open_round,
    parse_keys,
)
from app.voting.entry import REASON_DECLARED
from db.connection import connect
from tests.app.voting.voting_venue import sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四", "戊五", "己六"]


def test_parse_keys_one_digit_per_candidate() -> None:
    assert parse_keys("1201 12", 7) == "ox-o-ox"
    assert parse_keys("12", 6) == "ox----"          # trailing blanks left out
    assert parse_keys("\n", 3) == "---"             # Enter alone: a blank ballot
    assert parse_keys("000000\r\n", 6) == "------"
    too_many = parse_keys("1111111", 6)
    assert isinstance(too_many, KeyProblem) and too_many.position == -1
    bad = parse_keys("13", 6)
    assert isinstance(bad, KeyProblem) and bad.position == 1 and "3" in bad.message


def test_every_six_candidate_ballot_takes_at_most_seven_keystrokes() -> None:
    counts = []
    for marks in itertools.product("ox-", repeat=6):
        m = "".join(marks)
        assert parse_keys(keys_for(m), 6) == m
        counts.append(keystrokes(m))
    assert max(counts) == 7 and min(counts) == 1


@pytest.fixture
def opened(db_path, fixed_clock):
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    sign_in_first(s, 18, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(r, VotingRound)
    yield conn, r
    conn.close()


def test_over_marked_ballot_is_stored_as_typed_and_found_by_the_core(opened, fixed_clock) -> None:
    conn, r = opened
    e = enter_ballot(conn, r.id, "A", "1111", clerk="甲", clock=fixed_clock)
    assert isinstance(e, Entered)
    assert e.ballot == Ballot("oooo--")
    assert e.check is not None and not e.check.valid and "所选人数多于应选人数" in e.check.reason
    # The clerk never flagged it: stored as typed.
    assert entries(conn, r.id, "A")[0].ballot == Ballot("oooo--")
    ok = enter_ballot(conn, r.id, "A", "12", clerk="甲", clock=fixed_clock,
                      write_ins=["刘某"])
    assert ok.check is not None and ok.check.valid and ok.seq == 2
    # Two write-ins plus two ○ on a 3-seat ballot: over-marked too.
    over = enter_ballot(conn, r.id, "A", "11", clerk="甲", clock=fixed_clock,
                        write_ins=["刘某", "陈某"])
    assert over.check is not None and not over.check.valid


def test_declared_invalid_keeps_a_reason(opened, fixed_clock) -> None:
    conn, r = opened
    e = enter_ballot(conn, r.id, "A", "", clerk="甲", clock=fixed_clock, invalid=True)
    assert e.ballot is not None and e.ballot.declared_invalid
    stored = entries(conn, r.id, "A")[0].ballot
    assert stored is not None and stored.reason == REASON_DECLARED


def test_refusals_are_returned(opened, fixed_clock) -> None:
    conn, r = opened
    assert enter_ballot(conn, r.id, "A", "19", clerk="甲", clock=fixed_clock).code == "KEYS_INVALID"
    assert enter_ballot(conn, r.id, "C", "1", clerk="甲", clock=fixed_clock).code == "ENTRY_INVALID"
    assert enter_ballot(conn, r.id, "A", "1", clerk="甲", clock=fixed_clock, seq=5).seq == 5
    taken = enter_ballot(conn, r.id, "A", "2", clerk="甲", clock=fixed_clock, seq=5)
    assert taken.code == "SEQ_TAKEN"
    assert enter_ballot(conn, r.id, "A", Ballot("oo"), clerk="甲",
                        clock=fixed_clock).code == "MARKS_INVALID"


def test_correction_is_a_new_row_and_audited(opened, fixed_clock) -> None:
    conn, r = opened
    enter_ballot(conn, r.id, "B", "1", clerk="乙", clock=fixed_clock)
    assert correct_ballot(conn, r.id, "B", 1, "2", why="", clerk="乙",
                          clock=fixed_clock).code == "REASON_MISSING"
    fixed = correct_ballot(conn, r.id, "B", 1, "21", why="看错了", clerk="乙", clock=fixed_clock)
    assert fixed.ballot == Ballot("xo----") and fixed.action == "correct"
    rows = history(conn, r.id, "B", 1)
    assert [h.ballot.marks for h in rows if h.ballot] == ["o-----", "xo----"]
    assert entries(conn, r.id, "B")[0].ballot == Ballot("xo----")
    gone = correct_ballot(conn, r.id, "B", 1, None, why="重复录入", clerk="乙", clock=fixed_clock)
    assert gone.ballot is None and entries(conn, r.id, "B")[0].ballot is None
    actions = [a for (a,) in conn.execute("SELECT action FROM audit ORDER BY id")]
    assert actions[-2:] == ["ballot_correct", "ballot_withdraw"]
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE ballot_entry SET marks = 'oooooo'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM ballot_entry")
