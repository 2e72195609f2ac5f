"""One person, two posts of the same 居委会 (a tester's walk): 张静 was elected 委员, then added as a
副主任 candidate, won that too, the validation said nothing and the round locked; the district
counted 3 people filling 4 seats. The rules are silent on it: the app warns when she is added
(refused unless a reason is given), and the validation refuses to lock the round that elects her
to the second post (app.voting.validate.TWO_POSTS_RULE_ZH). Real SQLite files."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from app.clock import Clock
from app.meetings import (
    Contest,
    Refusal,
    add_candidate,
    add_contest,
    list_contests,
    remove_candidate,
)
from app.model import ContestKind, RuleSet
from app.voting import (
    MeetingValidation,
    RoundValidation,
    VotingRound,
    close_round,
    enter_ballots,
    lock_round,
    open_round,
    record_box,
    set_officials,
    validate_meeting,
    validate_round,
)
from db.connection import connect
from tests.app.voting.voting_venue import Small, ballots, sign_in_first, small_meeting


def _ok(x):  # type: ignore[no-untyped-def]
    assert not isinstance(x, Refusal), x
    return x


def _finished_round(conn: sqlite3.Connection, clock: Clock, contest_id: int, voters: int,
                    groups: Sequence[tuple[int, Sequence[str]]]) -> VotingRound:
    """A round counted (single entry), boxes and officials recorded, counting closed."""
    r = _ok(open_round(conn, contest_id, actor="主持人", clock=clock, double_entry=False))
    _ok(enter_ballots(conn, r.id, "A", ballots(r.names, groups), clerk="甲", clock=clock))
    _ok(record_box(conn, r.id, "主票箱", printed=voters + 5, issued=voters, returned=voters,
                   actor="x", clock=clock))
    _ok(set_officials(conn, r.id, scrutineers=["监票甲"], counters=["计票甲"], actor="x",
                      clock=clock))
    _ok(close_round(conn, r.id, actor="主持人", clock=clock))
    return r


def _deputy(s: Small, clock: Clock) -> Contest:
    got = add_contest(s.conn, s.meeting.id, code="fzr", title="副主任", kind=ContestKind.LEADER,
                      seats=1, post="副主任", clock=clock, actor="t")
    assert isinstance(got, Contest)
    return got


def test_a_person_elected_member_is_warned_off_a_deputy_candidacy(tmp_path, fixed_clock) -> None:
    s = _committee_elected(tmp_path, fixed_clock)
    deputy = _deputy(s, fixed_clock)
    pid = s.voter_ids[1]   # 张静
    refused = add_candidate(s.conn, deputy.id, name="", person_id=pid, clock=fixed_clock,
                            actor="t")
    assert isinstance(refused, Refusal) and refused.code == "ALREADY_ELECTED"
    assert "张静 已当选本届居委会委员" in refused.message
    assert "委员第1轮" in refused.message and "街道" in refused.message
    # Typed by name (no register link): the same warning.
    typed = add_candidate(s.conn, deputy.id, name="张静", clock=fixed_clock, actor="t")
    assert isinstance(typed, Refusal) and typed.code == "ALREADY_ELECTED"
    # A losing 委员 candidate may stand for 副主任.
    _ok(add_candidate(s.conn, deputy.id, name="", person_id=s.voter_ids[2], clock=fixed_clock,
                      actor="t"))
    # With a reason the warning is overridden, and the reason is audited.
    added = _ok(add_candidate(s.conn, deputy.id, name="", person_id=pid, clock=fixed_clock,
                              actor="t", despite_elected="街道选举工作指导组同意"))
    assert added.name == "张静"
    (detail,) = [d for (d,) in s.conn.execute(
        "SELECT detail FROM audit WHERE action = 'candidate_added' ORDER BY id DESC LIMIT 1")]
    assert "街道选举工作指导组同意" in detail


def _committee_elected(tmp_path, clock: Clock, rules: RuleSet = RuleSet.RESIDENTS,
                       deputy_first: bool = False) -> Small:
    """委员 (2 seats): 汤刚 and 张静 elected over 李明, locked. `deputy_first`: the 副主任
    contest with 张静 and 李明 as candidates is set up before (nobody elected yet)."""
    conn = connect(tmp_path / f"{rules.value}.db")
    s = small_meeting(conn, clock, rules, voters=20, candidates=["汤刚", "张静", "李明"],
                      seats=2)
    if deputy_first:
        deputy = _deputy(s, clock)
        for pid in (s.voter_ids[1], s.voter_ids[2]):
            _ok(add_candidate(conn, deputy.id, name="", person_id=pid, clock=clock, actor="t"))
    sign_in_first(s, 20, clock)
    r = _finished_round(conn, clock, s.contest.id, 20,
                        [(14, ["汤刚", "张静"]), (6, ["李明"])])
    locked = _ok(lock_round(conn, r.id, actor="主持人", clock=clock))
    assert locked.result.elected == ("汤刚", "张静")
    return s


def test_winning_a_second_post_of_the_same_body_blocks_the_lock(tmp_path, fixed_clock) -> None:
    """The 副主任 candidates were entered before the 委员 were elected: nothing to warn of then;
    the validation finds it."""
    s = _committee_elected(tmp_path, fixed_clock, deputy_first=True)
    deputy = next(c for c in list_contests(s.conn, s.meeting.id) if c.code == "fzr")
    r = _finished_round(s.conn, fixed_clock, deputy.id, 20, [(15, ["张静"]), (5, ["李明"])])
    v = _ok(validate_round(s.conn, r.id))
    assert isinstance(v, RoundValidation) and v.result is not None
    assert v.result.elected == ("张静",) and not v.may_lock
    (p,) = v.problems
    assert p.code == "ELECTED_TO_TWO_POSTS"
    assert "张静 已当选本届居委会委员" in p.message and "副主任" in p.message
    mv = _ok(validate_meeting(s.conn, s.meeting.id))
    assert isinstance(mv, MeetingValidation) and not mv.may_lock and mv.complete
    assert not mv.one_pass_success      # one person in two seats is no 一次性选举成功
    # The 委员 round, locked first, is not the one that is refused.
    assert [x.code for x in mv.contests[0].rounds[0].problems] == []
    assert [x.code for x in mv.contests[1].rounds[0].problems] == ["ELECTED_TO_TWO_POSTS"]
    refused = lock_round(s.conn, r.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and "张静 已当选本届居委会委员" in refused.message


def test_a_withdrawn_second_candidacy_lets_the_round_lock(tmp_path, fixed_clock) -> None:
    s = _committee_elected(tmp_path, fixed_clock)
    deputy = _deputy(s, fixed_clock)
    zj = _ok(add_candidate(s.conn, deputy.id, name="", person_id=s.voter_ids[1],
                           clock=fixed_clock, actor="t", despite_elected="录入测试"))
    for pid in (s.voter_ids[2], s.voter_ids[3]):
        _ok(add_candidate(s.conn, deputy.id, name="", person_id=pid, clock=fixed_clock,
                          actor="t"))
    _ok(remove_candidate(s.conn, zj.id, why="已当选委员", clock=fixed_clock, actor="t"))
    r = _finished_round(s.conn, fixed_clock, deputy.id, 20, [(15, ["李明"]), (5, [])])
    _ok(lock_round(s.conn, r.id, actor="主持人", clock=fixed_clock))


def test_a_party_secretary_comes_from_the_elected_members(tmp_path, fixed_clock) -> None:
    """Party rules are untouched: the 书记 is elected from among the 委员."""
    s = _committee_elected(tmp_path, fixed_clock, RuleSet.PARTY)
    sec = _ok(add_contest(s.conn, s.meeting.id, code="sj", title="书记", kind=ContestKind.LEADER,
                          seats=1, post="书记", clock=fixed_clock, actor="t"))
    _ok(add_candidate(s.conn, sec.id, name="", person_id=s.voter_ids[1], clock=fixed_clock,
                      actor="t"))


def test_the_command_line_warns_at_entry_and_refuses_the_lock(tmp_path, fixed_clock) -> None:
    """As the tester did it, each command a real process: candidate add, validate, lock."""
    from tests.app.voting.test_round_cli import run

    s = _committee_elected(tmp_path, fixed_clock)
    deputy = _deputy(s, fixed_clock)
    db = str(tmp_path / f"{RuleSet.RESIDENTS.value}.db")
    zj, lm = str(s.voter_ids[1]), str(s.voter_ids[2])
    s.conn.close()
    got = run("candidate", "add", "--db", db, "--contest", "fzr", zj)
    assert got.returncode == 1, got.stdout
    assert "ALREADY_ELECTED" in got.stderr and "张静 已当选本届居委会委员" in got.stderr
    first, hint = got.stderr.strip().splitlines()
    assert first.startswith("ALREADY_ELECTED: 张静 已当选本届居委会委员") and "--despite-elected" in hint
    got = run("candidate", "add", "--db", db, "--contest", "fzr", zj,
              "--despite-elected", "录入测试")
    assert got.returncode == 0, got.stderr
    assert run("candidate", "add", "--db", db, "--contest", "fzr", lm).returncode == 0
    conn = connect(db)
    _finished_round(conn, fixed_clock, deputy.id, 20, [(15, ["张静"]), (5, ["李明"])])
    conn.close()
    got = run("validate", "--db", db)
    assert got.returncode == 1, got.stdout
    assert "张静 已当选本届居委会委员" in got.stdout and "没有发现问题" not in got.stdout.split(
        "副主任（fzr）")[-1]
    got = run("lock", "--db", db, "--contest", "fzr")
    assert got.returncode == 1, got.stdout + got.stderr
    assert "张静 已当选本届居委会委员" in got.stdout + got.stderr
    conn = connect(db)
    assert conn.execute("SELECT count(*) FROM round_event WHERE kind = 'locked'").fetchone()[0] == 1
    conn.close()


def test_a_round_locked_before_the_check_is_found_by_the_validation(tmp_path, fixed_clock,
                                                                   monkeypatch) -> None:
    """The tester's database: the 副主任 round was locked by a version without the check;
    `validate` said 没有发现问题. It now names her on that round (and only there)."""
    from app.voting import validate as validation
    from app.voting.report import round_lines

    s = _committee_elected(tmp_path, fixed_clock, deputy_first=True)
    deputy = next(c for c in list_contests(s.conn, s.meeting.id) if c.code == "fzr")
    r = _finished_round(s.conn, fixed_clock, deputy.id, 20, [(15, ["张静"]), (5, ["李明"])])
    with monkeypatch.context() as m:
        m.setattr(validation, "_with_second_posts", lambda conn, v, own: v)
        _ok(lock_round(s.conn, r.id, actor="主持人", clock=fixed_clock))
    mv = _ok(validate_meeting(s.conn, s.meeting.id))
    committee, second = mv.contests[0].rounds[0], mv.contests[1].rounds[0]
    assert committee.problems == () and second.round.lock is not None
    assert [p.code for p in second.problems] == ["ELECTED_TO_TWO_POSTS"]
    lines = [x.text for x in round_lines(second)]
    assert lines[0].startswith("✗ 已锁定，但有问题：张静 已当选本届居委会委员（委员第1轮（选举），已锁定）")
    assert not any("没有发现问题" in t for t in lines)
