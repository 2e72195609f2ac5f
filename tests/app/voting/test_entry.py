"""Ballot entry: the keystroke form, over-marked ballots as typed, corrections as new rows."""

from __future__ import annotations

import itertools
import sqlite3

import pytest

from app.meetings import Refusal
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


def test_a_withdrawn_last_number_is_taken_again_by_the_next_ballot(db_path, fixed_clock) -> None:
    """The walk: A's 6th was withdrawn (录错组别); A's next ballot took 7 while B's 6th paper
    ballot was 6, and 双录比对 (which pairs by number) showed every later ballot as a difference.
    The paper ballot 6 was not entered in A: the next A ballot is 6 again, and the withdrawal
    stays in the number's history and the audit."""
    from app.voting import compare_entries, enter_ballots, withdraw_ballot

    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    sign_in_first(s, 18, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, double_entry=True)
    assert isinstance(r, VotingRound)
    paper = ["1", "2", "12", "21", "111", "0", "1", "2"]
    for keys in paper[:5]:
        assert not isinstance(enter_ballot(conn, r.id, "A", keys, clerk="甲", clock=fixed_clock), Refusal)
    wrong = enter_ballot(conn, r.id, "A", "1", clerk="乙", clock=fixed_clock)
    assert wrong.seq == 6
    gone = withdraw_ballot(conn, r.id, "A", 6, why="录错组别", clerk="乙", clock=fixed_clock)
    assert gone.ballot is None
    for keys in paper:
        assert not isinstance(enter_ballot(conn, r.id, "B", keys, clerk="乙", clock=fixed_clock), Refusal)
    again = enter_ballot(conn, r.id, "A", paper[5], clerk="甲", clock=fixed_clock)
    assert again.seq == 6 and again.action == "enter"
    for keys in paper[6:]:
        enter_ballot(conn, r.id, "A", keys, clerk="甲", clock=fixed_clock)
    assert [e.seq for e in entries(conn, r.id, "A")] == list(range(1, 9))
    diff = compare_entries(conn, r.id)
    assert not isinstance(diff, Refusal) and diff.differences == (), diff
    assert [(h.action, h.clerk) for h in history(conn, r.id, "A", 6)] == [
        ("enter", "乙"), ("withdraw", "乙"), ("enter", "甲")]
    assert "ballot_withdraw" in [a for (a,) in conn.execute("SELECT action FROM audit")]
    # a withdrawn number with ballots after it keeps its place: numbering is not shifted
    withdraw_ballot(conn, r.id, "A", 3, why="重复录入", clerk="甲", clock=fixed_clock)
    assert enter_ballot(conn, r.id, "A", "1", clerk="甲", clock=fixed_clock).seq == 9
    # a typed stack (pollday ballot enter) numbers the same way
    withdraw_ballot(conn, r.id, "A", 9, why="重复录入", clerk="甲", clock=fixed_clock)
    assert enter_ballots(conn, r.id, "A", [Ballot("o-----"), Ballot("x-----")], clerk="甲",
                         clock=fixed_clock) == 2
    assert [e.seq for e in entries(conn, r.id, "A")][-2:] == [9, 10]
    assert entries(conn, r.id, "A")[-2].ballot == Ballot("o-----")
    conn.close()
