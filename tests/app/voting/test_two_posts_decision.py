"""One person elected to two posts of one 居委会: the round that elects her to the second post
was refused the lock for good (ELECTED_TO_TWO_POSTS) even when the supervising office allowed
it, or once the votes were cast and she could no longer be withdrawn: a clerk trapped by the
screen. The lock now passes that problem (and only that one) with the office's decision in
words, recorded with both people who locked; validation shows the round locked with the
decision named, never as a clean result nor 一次性选举成功. At 开始投票 a candidate who already
holds a post of the same body is warned of. Real SQLite files; the CLI as a real process."""

from __future__ import annotations

import json

from app.meetings import Refusal, list_contests
from app.model import RuleSet
from app.results import results
from app.voting import lock_round, validate_meeting, validate_round
from app.voting.report import round_lines
from db.connection import connect
from tests.app.voting.test_round_cli import run
from tests.app.voting.test_two_posts_one_body import _committee_elected, _finished_round, _ok

DECISION = "街道选举工作指导机构意见：同意张静兼任副主任"


def _second_post_round(tmp_path, clock):  # type: ignore[no-untyped-def]
    s = _committee_elected(tmp_path, clock, deputy_first=True)
    deputy = next(c for c in list_contests(s.conn, s.meeting.id) if c.code == "fzr")
    r = _finished_round(s.conn, clock, deputy.id, 20, [(15, ["张静"]), (5, ["李明"])])
    return s, r


def test_the_lock_passes_the_second_post_with_the_office_decision(tmp_path, fixed_clock) -> None:
    s, r = _second_post_round(tmp_path, fixed_clock)
    v = _ok(validate_round(s.conn, r.id))
    assert not v.may_lock and [p.code for p in v.needs_decision] == ["ELECTED_TO_TWO_POSTS"]
    refused = lock_round(s.conn, r.id, actor="监票甲", second="监票乙", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "DECISION_MISSING"
    assert "--decision" in refused.message and "指导机构意见" in refused.message
    too_short = lock_round(s.conn, r.id, actor="监票甲", second="监票乙", clock=fixed_clock,
                           decision=" 同意 ")
    assert isinstance(too_short, Refusal) and too_short.code == "DECISION_MISSING"
    locked = _ok(lock_round(s.conn, r.id, actor="监票甲", second="监票乙", clock=fixed_clock,
                            decision=DECISION))
    assert locked.round.lock is not None and locked.round.lock.decision == DECISION
    assert locked.may_lock and [p.decision for p in locked.decided] == [DECISION]
    # Validation: locked with the decision named, not a clean result, not 一次性选举成功.
    mv = _ok(validate_meeting(s.conn, s.meeting.id))
    second = mv.contests[1].rounds[0]
    lines = [x.text for x in round_lines(second)]
    assert lines[0].startswith("! 已按记录的决定锁定：张静 已当选本届居委会委员"), lines
    assert DECISION in lines[0] and "监票甲、监票乙锁定" in lines[0]
    assert not any("没有发现问题" in t for t in lines)
    assert mv.complete and mv.may_lock and not mv.one_pass_success
    # Audited with both people and the decision.
    (detail,) = [json.loads(d) for (d,) in s.conn.execute(
        "SELECT detail FROM audit WHERE action = 'round_locked' ORDER BY id DESC LIMIT 1")]
    assert detail["decision"] == DECISION and detail["second"] == "监票乙"
    # Carried as today's problems are (the results JSON the package holds).
    doc = results(s.conn, s.meeting)
    (prob,) = doc["contests"][1]["rounds"][0]["problems"]
    assert prob["code"] == "ELECTED_TO_TWO_POSTS" and DECISION in prob["message"]
    assert doc["one_pass_success"] is False


def test_a_decision_does_not_pass_any_other_problem(tmp_path, fixed_clock) -> None:
    """A round still counting (not closed) is refused with its own reason, decision or not."""
    from app.voting import reopen_round

    s, r = _second_post_round(tmp_path, fixed_clock)
    _ok(reopen_round(s.conn, r.id, actor="主持人", clock=fixed_clock, why="核对"))
    refused = lock_round(s.conn, r.id, actor="监票甲", clock=fixed_clock, decision=DECISION)
    assert isinstance(refused, Refusal) and refused.code == "LOCK_REFUSED"


def test_opening_a_round_warns_of_a_candidate_holding_a_post(tmp_path, fixed_clock) -> None:
    from app.voting.validate import held_by_candidates

    s = _committee_elected(tmp_path, fixed_clock, deputy_first=True)
    deputy = next(c for c in list_contests(s.conn, s.meeting.id) if c.code == "fzr")
    (said,) = held_by_candidates(s.conn, s.meeting, [deputy.id])
    assert said.startswith("副主任候选人 张静 已当选本届居委会委员（委员第1轮（选举），已锁定）")
    assert held_by_candidates(s.conn, s.meeting, [s.contest.id]) == []


def test_the_command_line_warns_at_open_and_locks_with_a_decision(tmp_path, fixed_clock) -> None:
    s = _committee_elected(tmp_path, fixed_clock, deputy_first=True)
    db = str(tmp_path / f"{RuleSet.RESIDENTS.value}.db")
    s.conn.close()
    got = run("round", "open", "--db", db, "--contest", "fzr", "--single-entry")
    assert got.returncode == 0, got.stderr
    assert "注意" in got.stderr and "副主任候选人 张静 已当选本届居委会委员" in got.stderr
    conn = connect(db)
    from app.voting import close_round, enter_ballots, list_rounds, record_box, set_officials
    from tests.app.voting.voting_venue import ballots

    deputy = next(c for c in list_contests(conn, s.meeting.id) if c.code == "fzr")
    (r,) = list_rounds(conn, deputy.id)
    _ok(enter_ballots(conn, r.id, "A", ballots(r.names, [(15, ["张静"]), (5, ["李明"])]),
                      clerk="甲", clock=fixed_clock))
    _ok(record_box(conn, r.id, "主票箱", printed=25, issued=20, returned=20, actor="x",
                   clock=fixed_clock))
    _ok(set_officials(conn, r.id, scrutineers=["监票甲"], counters=["计票甲"], actor="x",
                      clock=fixed_clock))
    _ok(close_round(conn, r.id, actor="主持人", clock=fixed_clock))
    conn.close()
    got = run("lock", "--db", db, "--contest", "fzr")
    assert got.returncode == 1, got.stdout
    assert "张静 已当选本届居委会委员" in got.stderr and "--decision" in got.stderr
    got = run("lock", "--db", db, "--contest", "fzr", "--second", "监票乙", "--decision", "同意")
    assert got.returncode == 1 and "至少 4 个字" in got.stderr, got.stderr
    got = run("lock", "--db", db, "--contest", "fzr", "--second", "监票乙",
              "--decision", DECISION)
    assert got.returncode == 0, got.stderr
    assert "已锁定" in got.stdout and DECISION in got.stdout
    got = run("validate", "--db", db)
    tail = got.stdout.split("副主任（fzr）")[-1]
    assert "已按记录的决定锁定" in tail and DECISION in tail and "没有发现问题" not in tail
    assert got.returncode == 0, got.stdout      # every round locked: nothing left to do
    got = run("validate", "--db", db, "--json")
    (prob,) = json.loads(got.stdout)["contests"][1]["rounds"][0]["problems"]
    assert prob["code"] == "ELECTED_TO_TWO_POSTS" and prob["decision"] == DECISION


def test_only_the_later_election_carries_the_two_posts_flag(tmp_path, fixed_clock) -> None:
    """A tester's walk: 主任 counted first (张静 elected, not locked), then 委员 elected her
    too and was locked with the office's opinion; the EARLIER 主任 round was flagged as well,
    the order wrong (已当选本届居委会委员…本轮又当选主任). Only the round that made her hold a
    second post (counted later) carries it; the 主任 round stays clean, even re-counted."""
    from app.meetings import add_candidate, add_contest
    from app.model import ContestKind
    from app.voting import close_round, reopen_round
    from tests.app.voting.test_two_posts_one_body import _finished_round
    from tests.app.voting.voting_venue import sign_in_first, small_meeting

    conn = connect(tmp_path / "residents.db")
    s = small_meeting(conn, fixed_clock, RuleSet.RESIDENTS, voters=20,
                      candidates=["汤刚", "张静", "李明"], seats=2)
    head = _ok(add_contest(conn, s.meeting.id, code="zr", title="主任", kind=ContestKind.LEADER,
                           seats=1, post="主任", clock=fixed_clock, actor="t"))
    for pid in (s.voter_ids[1], s.voter_ids[2]):
        _ok(add_candidate(conn, head.id, name="", person_id=pid, clock=fixed_clock, actor="t"))
    sign_in_first(s, 20, fixed_clock)
    first = _finished_round(conn, fixed_clock, head.id, 20, [(15, ["张静"]), (5, ["李明"])])
    later = _finished_round(conn, fixed_clock, s.contest.id, 20,
                            [(14, ["汤刚", "张静"]), (6, ["李明"])])
    v = _ok(validate_round(conn, later.id))
    (p,) = v.problems
    assert p.message.startswith("张静 已当选本届居委会主任（主任第1轮（选举））") and "本轮又当选委员" in p.message
    assert _ok(validate_round(conn, first.id)).problems == ()
    _ok(lock_round(conn, later.id, actor="监票甲", second="监票乙", clock=fixed_clock,
                   decision=DECISION))
    # 主任 re-counted after the 委员 lock (as the tester did): still clean, still lockable.
    _ok(reopen_round(conn, first.id, actor="主持人", clock=fixed_clock, why="核对"))
    _ok(close_round(conn, first.id, actor="主持人", clock=fixed_clock))
    mv = _ok(validate_meeting(conn, s.meeting.id))
    by_title = {c.title: c.rounds[0] for c in mv.contests}
    assert by_title["主任"].problems == () and by_title["主任"].may_lock
    assert [x.code for x in by_title["委员"].problems] == ["ELECTED_TO_TWO_POSTS"]
    assert "本轮又当选委员" in by_title["委员"].problems[0].message
    _ok(lock_round(conn, first.id, actor="监票甲", second="监票乙", clock=fixed_clock))
