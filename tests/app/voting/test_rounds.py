"""Rounds: quorum refusal on opening, officials, boxes, runoff / tie re-vote pre-fill, the
decision not to fill, close and reopen."""

from __future__ import annotations

import sqlite3

import pytest

from app.attendance import Snapshot, next_vote_label, open_voting, snapshots
from app.meetings import Refusal
from app.model import RuleSet
from app.rules import Round, Status
from app.voting import (
    VotingRound,
    close_round,
    decide_round,
    enter_ballots,
    load_round,
    open_round,
    record_box,
    record_no_fill,
    reopen_round,
    set_officials,
    validate_round,
)
from db.audit import verify_chain
from db.connection import connect
from tests.app.voting.voting_venue import ballots, sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四"]


@pytest.fixture
def party(db_path, fixed_clock):
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    yield s
    conn.close()


def _single(conn, contest_id, clock, **kw) -> VotingRound:
    r = open_round(conn, contest_id, actor="主持人", clock=clock, double_entry=False, **kw)
    assert isinstance(r, VotingRound), r
    return r


def _count(conn, r: VotingRound, clock, groups) -> VotingRound:
    stack = ballots(r.names, groups)
    assert enter_ballots(conn, r.id, "A", stack, clerk="甲", clock=clock) == len(stack)
    record_box(conn, r.id, "主票箱", printed=30, issued=len(stack), returned=len(stack),
               actor="秘书处", clock=clock)
    closed = close_round(conn, r.id, actor="主持人", clock=clock)
    assert isinstance(closed, VotingRound), closed
    return closed


def test_open_round_refused_without_quorum(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 16, fixed_clock)        # 5*16 = 80, not > 4*20
    refused = open_round(conn, party.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "QUORUM_NOT_MET"
    assert "应到20人，实到16人，至少需17人" in refused.message
    assert snapshots(conn, party.meeting) == []   # nothing frozen, the label is still free
    row = conn.execute("SELECT action, outcome FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert row == ("round_refused", "QUORUM_NOT_MET")
    sign_in_first(party, 17, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    assert r.snapshot.present == 17 and r.snapshot.expected == 20 and r.number == 1
    assert r.kind is Round.FIRST and r.seats == 3 and set(r.names) == set(CANDS)


def test_officials_are_never_candidates(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    by_name = set_officials(conn, r.id, scrutineers=["乙二"], counters=["某人"], actor="主持人",
                            clock=fixed_clock)
    assert isinstance(by_name, Refusal) and by_name.code == "OFFICIAL_IS_CANDIDATE"
    by_id = set_officials(conn, r.id, scrutineers=[party.voter_ids[0]], counters=["某人"],
                          actor="主持人", clock=fixed_clock)
    assert isinstance(by_id, Refusal) and "甲一" in by_id.message
    ok = set_officials(conn, r.id, scrutineers=[party.voter_ids[10], "外请监票人"],
                       counters=["计票甲"], actor="主持人", clock=fixed_clock)
    assert isinstance(ok, VotingRound) and ok.officials.complete
    assert ok.officials.scrutineers[1] == "外请监票人"


def test_one_person_is_never_two_officials(party, fixed_clock) -> None:
    """Found walking the CLI: 杨平 as 监票人 and 计票人, or 陈洋 twice (once by register id),
    was accepted. Refused in words, nothing recorded."""
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    before = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    both = set_officials(conn, r.id, scrutineers=["杨平"], counters=["杨平"], actor="主持人",
                         clock=fixed_clock)
    assert isinstance(both, Refusal) and both.code == "OFFICIAL_TWICE" and "杨平" in both.message
    voter = party.voter_ids[10]
    name = conn.execute("SELECT name FROM person WHERE id = ?", (voter,)).fetchone()[0]
    twice = set_officials(conn, r.id, scrutineers=["监票甲"], counters=[name, voter],
                          actor="主持人", clock=fixed_clock)
    assert isinstance(twice, Refusal) and twice.code == "OFFICIAL_TWICE" and name in twice.message
    assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before


def test_boxes_replace_by_name_and_add_up(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    refused = record_box(conn, r.id, "主票箱", printed=10, issued=10, returned=9, spoiled=1,
                         actor="x", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "MORE_THAN_PRINTED"
    record_box(conn, r.id, "主票箱", printed=25, issued=15, returned=15, actor="x",
               clock=fixed_clock)
    record_box(conn, r.id, "流动票箱", printed=5, issued=5, returned=4, spoiled=0, mobile=True,
               actor="x", clock=fixed_clock)
    r2 = record_box(conn, r.id, "主票箱", printed=25, issued=14, returned=14, spoiled=1,
                    actor="x", clock=fixed_clock)
    assert isinstance(r2, VotingRound)
    assert [(b.name, b.issued, b.mobile) for b in r2.boxes] == [("主票箱", 14, False),
                                                                ("流动票箱", 5, True)]
    assert r2.issued == 19 and r2.returned == 18


def test_runoff_prefilled_from_the_previous_decision(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    early = open_round(conn, party.contest.id, kind="runoff", actor="x", clock=fixed_clock)
    assert isinstance(early, Refusal) and early.code == "PREVIOUS_OPEN"
    # 甲一 15 (elected), 乙二 8, 丙三 6, 丁四 2: two seats to a runoff.
    r = _count(conn, r, fixed_clock, [(2, ["甲一", "乙二", "丙三"]), (6, ["甲一", "乙二", "丁四"]),
                                      (4, ["甲一", "丙三"]), (3, ["甲一"]), (5, [])])
    d = decide_round(conn, r)
    assert not isinstance(d, Refusal) and d.status is Status.RUNOFF_NEEDED
    assert d.elected == ("甲一",)
    wrong = open_round(conn, party.contest.id, kind="tie_revote", actor="x", clock=fixed_clock)
    assert isinstance(wrong, Refusal) and wrong.code == "KIND_MISMATCH"
    outside = open_round(conn, party.contest.id, kind="runoff", actor="x", clock=fixed_clock,
                         candidates=["甲一", "乙二"])
    assert isinstance(outside, Refusal) and outside.code == "NOT_IN_RANKING"
    r2 = _single(conn, party.contest.id, fixed_clock, kind="runoff")
    assert r2.kind is Round.RUNOFF and r2.seats == 2 and r2.number == 2
    # The runoff ranking (乙二 8, 丁四 6, 丙三 6), on the ballot in stroke order (乙 丁 丙).
    assert list(r2.names) == ["乙二", "丁四", "丙三"]
    assert r2.follows_id == r.id and r2.snapshot.round_label == "第2次投票"
    # The first round's SEATS_UNFILLED is settled by the runoff now opened.
    v = validate_round(conn, r.id)
    assert not isinstance(v, Refusal) and "SEATS_UNFILLED" in [c.value for c in v.settled]
    # A closed round with a later round cannot be reopened.
    assert reopen_round(conn, r.id, why="x", actor="x", clock=fixed_clock).code == \
        "LATER_ROUND_EXISTS"


def test_tie_revote_prefilled_with_the_tied_persons(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    # 甲一 20, 乙二 18, 丙三 11, 丁四 11: both qualify, the last seat is tied.
    r = _count(conn, r, fixed_clock, [(9, ["甲一", "乙二", "丙三"]), (9, ["甲一", "乙二", "丁四"]),
                                      (2, ["甲一", "丙三", "丁四"])])
    r = load_round(conn, r.id)
    d = decide_round(conn, r)
    assert d.status is Status.TIE_REVOTE and d.tie is not None and d.tie.seats == 1
    r2 = _single(conn, party.contest.id, fixed_clock, kind="tie_revote")
    assert r2.seats == 1 and set(r2.names) == {"丙三", "丁四"} and r2.kind is Round.TIE_REVOTE


def test_no_fill_decision_is_party_only_recorded_and_audited(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    r = _count(conn, r, fixed_clock, [(15, ["甲一", "乙二"]), (5, ["丙三"])])
    assert record_no_fill(conn, r.id, decided_by="", why="x", actor="x",
                          clock=fixed_clock).code == "REASON_MISSING"
    decided = record_no_fill(conn, r.id, decided_by="党员大会举手表决通过",
                             why="当选人数接近应选名额且符合最低职数", actor="主持人", clock=fixed_clock)
    assert isinstance(decided, VotingRound) and decided.no_fill is not None
    v = validate_round(conn, r.id)
    assert not isinstance(v, Refusal) and [c.value for c in v.settled] == ["SEATS_UNFILLED"]
    refused = open_round(conn, party.contest.id, kind="runoff", actor="x", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "NO_FILL_DECIDED"
    row = conn.execute("SELECT detail FROM audit WHERE action = 'round_no_fill_decided'").fetchone()
    assert "党员大会举手表决通过" in row[0]
    assert verify_chain(conn) == []


def test_close_reopen_and_append_only(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    r = _count(conn, r, fixed_clock, [(20, ["甲一", "乙二", "丙三"])])
    assert enter_ballots(conn, r.id, "A", [], clerk="甲", clock=fixed_clock).code == "NOT_OPEN"
    assert reopen_round(conn, r.id, why=" ", actor="x", clock=fixed_clock).code == "REASON_MISSING"
    again = reopen_round(conn, r.id, why="漏录一张", actor="主持人", clock=fixed_clock)
    assert isinstance(again, VotingRound) and again.state.value == "open"
    for table in ("voting_round", "round_event", "ballot_box", "round_candidate"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(f"DELETE FROM {table}")


def _chair_opens_voting(party, clock) -> Snapshot:
    """开始投票 on the 会议 page: 实到 frozen under the next label."""
    snap = open_voting(party.conn, party.meeting, next_vote_label(snapshots(party.conn,
                       party.meeting)), "秘书处", clock)
    assert isinstance(snap, Snapshot), snap
    return snap


def test_the_round_counts_on_the_present_frozen_when_voting_opened(party, fixed_clock) -> None:
    conn = party.conn
    sign_in_first(party, 16, fixed_clock)
    short = _chair_opens_voting(party, fixed_clock)     # frozen without the quorum (warned)
    assert (short.round_label, short.present, short.quorum_met) == ("第1次投票", 16, False)
    refused = open_round(conn, party.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "QUORUM_NOT_MET"
    assert "第1次投票" in refused.message and "实到16人" in refused.message
    sign_in_first(party, 18, fixed_clock)
    chair = _chair_opens_voting(party, fixed_clock)     # frozen again: not stuck on the first
    assert (chair.round_label, chair.present, chair.quorum_met) == ("第2次投票", 18, True)
    sign_in_first(party, 20, fixed_clock)               # two late-comers after voting opened
    r = _single(conn, party.contest.id, fixed_clock)
    assert r.snapshot.id == chair.id and r.snapshot.present == 18
    # 甲一 15 of 18 (elected), 乙二 8, 丙三 6, 丁四 6: two seats to a runoff, a later vote.
    r = _count(conn, r, fixed_clock, [(2, ["甲一", "乙二", "丙三"]), (6, ["甲一", "乙二", "丁四"]),
                                      (4, ["甲一", "丙三"]), (3, ["甲一"]), (3, [])])
    d = decide_round(conn, r)
    assert not isinstance(d, Refusal) and d.status is Status.RUNOFF_NEEDED
    r2 = _single(conn, party.contest.id, fixed_clock, kind="runoff")
    assert r2.snapshot.id != chair.id
    assert (r2.snapshot.round_label, r2.snapshot.present) == ("第3次投票", 20)


def test_close_is_refused_while_no_box_is_registered(party, fixed_clock) -> None:
    """The lock requires the boxes' 发出/收回 (NO_BOXES) and a closed round refuses box records:
    closing a round with no box would leave it stuck until reopened. Refused, naming the way."""
    conn = party.conn
    sign_in_first(party, 20, fixed_clock)
    r = _single(conn, party.contest.id, fixed_clock)
    stack = ballots(r.names, [(3, ["甲一", "乙二"])])
    assert enter_ballots(conn, r.id, "A", stack, clerk="甲", clock=fixed_clock) == len(stack)
    refused = close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "NO_BOXES", refused
    assert "监票人 · 票箱" in refused.message and "发出" in refused.message
    got = load_round(conn, r.id)
    assert got is not None and got.state.value == "open"
    record_box(conn, r.id, "主票箱", printed=30, issued=3, returned=3, actor="秘书处",
               clock=fixed_clock)
    assert isinstance(close_round(conn, r.id, actor="主持人", clock=fixed_clock), VotingRound)
