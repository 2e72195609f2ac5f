"""Validation and lock: refused with every reason while errors stand; lock and unlock audited;
the canonical JSON and its short hash."""

from __future__ import annotations

import hashlib
import json

import pytest

from app.meetings import Refusal
from app.model import RuleSet
from app.voting import (
    MeetingValidation,
    RoundValidation,
    VotingRound,
    close_round,
    enter_ballot,
    enter_ballots,
    load_round,
    lock_round,
    open_round,
    record_box,
    reopen_round,
    set_officials,
    unlock_round,
    validate_meeting,
    validate_round,
)
from db.audit import verify_chain
from db.connection import connect
from tests.app.voting.voting_venue import ballots, sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四"]


@pytest.fixture
def counted_round(db_path, fixed_clock):
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    sign_in_first(s, 20, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, double_entry=False)
    assert isinstance(r, VotingRound)
    enter_ballots(conn, r.id, "A", ballots(r.names, [(12, ["甲一", "乙二", "丙三"]),
                                                     (8, ["甲一", "乙二", "丁四"])]),
                  clerk="甲", clock=fixed_clock)
    yield conn, s, r
    conn.close()


def test_lock_refused_with_every_reason(counted_round, fixed_clock) -> None:
    conn, s, r = counted_round
    refused = lock_round(conn, r.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "LOCK_REFUSED"
    for words in ("票箱", "监票人和计票人", "计票尚未结束"):
        assert words in refused.message
    # 21 ballots returned for 20 issued: the round is void (RETURNED_EXCEEDS_ISSUED).
    enter_ballot(conn, r.id, "A", "111", clerk="甲", clock=fixed_clock)
    record_box(conn, r.id, "主票箱", printed=25, issued=20, returned=21, actor="x",
               clock=fixed_clock)
    set_officials(conn, r.id, scrutineers=["监票甲"], counters=["计票甲"], actor="x",
                  clock=fixed_clock)
    close_round(conn, r.id, actor="x", clock=fixed_clock)
    v = validate_round(conn, r.id)
    assert isinstance(v, RoundValidation) and v.result is not None
    assert v.result.status.value == "void_revote" and not v.may_lock and v.problems == ()
    refused = lock_round(conn, r.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and "RETURNED_EXCEEDS_ISSUED" in refused.message
    # A void round is re-run as the same kind of round with the same candidates.
    rerun = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(rerun, VotingRound) and rerun.number == 2 and rerun.seats == 3
    assert rerun.kind.value == "first" and rerun.follows_id == r.id
    mv = validate_meeting(conn, s.meeting.id)
    assert isinstance(mv, MeetingValidation) and not mv.one_pass_success


def test_lock_and_unlock_are_audited_and_hashed(counted_round, fixed_clock) -> None:
    conn, s, r = counted_round
    record_box(conn, r.id, "主票箱", printed=25, issued=20, returned=20, actor="x",
               clock=fixed_clock)
    set_officials(conn, r.id, scrutineers=["监票甲", "监票乙"], counters=["计票甲"], actor="x",
                  clock=fixed_clock)
    close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    locked = lock_round(conn, r.id, actor="主持人", clock=fixed_clock)
    assert isinstance(locked, RoundValidation) and locked.round.lock is not None
    lock = locked.round.lock
    assert lock.hash == hashlib.sha256(lock.canonical.encode("utf-8")).hexdigest()[:12]
    doc = json.loads(lock.canonical)
    assert doc["scrutineers"] == ["监票甲", "监票乙"] and doc["counters"] == ["计票甲"]
    assert doc["result"]["contests"][0]["status"] == "elected"
    assert lock.canonical == json.dumps(doc, ensure_ascii=False, sort_keys=True,
                                        separators=(",", ":"))
    assert lock_round(conn, r.id, actor="x", clock=fixed_clock).code == "ALREADY_LOCKED"
    assert enter_ballot(conn, r.id, "A", "1", clerk="甲", clock=fixed_clock).code == "NOT_OPEN"
    assert reopen_round(conn, r.id, why="x", actor="x", clock=fixed_clock).code == "NOT_CLOSED"
    assert unlock_round(conn, r.id, why="", actor="x", clock=fixed_clock).code == "REASON_MISSING"
    opened = unlock_round(conn, r.id, why="监票人发现一张选票漏录", actor="主持人", clock=fixed_clock)
    assert isinstance(opened, VotingRound) and opened.lock is None
    assert opened.state.value == "open"
    enter_ballot(conn, r.id, "A", "", clerk="甲", clock=fixed_clock)   # the forgotten blank
    record_box(conn, r.id, "主票箱", printed=25, issued=21, returned=21, actor="x",
               clock=fixed_clock)
    close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    relocked = lock_round(conn, r.id, actor="主持人", clock=fixed_clock)
    assert isinstance(relocked, RoundValidation) and relocked.round.lock is not None
    assert relocked.round.lock.hash != lock.hash
    # issued 21 ≠ 实到 20 is a warning only.
    assert [f.code.value for f in relocked.findings] == ["ISSUED_NOT_EQUAL_PRESENT"]
    actions = [a for (a,) in conn.execute(
        "SELECT action FROM audit WHERE action IN ('round_locked', 'round_unlocked') ORDER BY id")]
    assert actions == ["round_locked", "round_unlocked", "round_locked"]
    detail = conn.execute("SELECT detail FROM audit WHERE action = 'round_unlocked'").fetchone()[0]
    assert "漏录" in detail and lock.hash in detail
    assert verify_chain(conn) == []
    r2 = load_round(conn, r.id)
    assert r2 is not None and r2.state.value == "locked"
    mv = validate_meeting(conn, s.meeting.id)
    assert isinstance(mv, MeetingValidation) and mv.complete and mv.one_pass_success
    assert mv.contests[0].elected == relocked.result.elected
