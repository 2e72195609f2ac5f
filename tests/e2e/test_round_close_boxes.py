"""`pollday round close` (a real process) is refused while the round has no box's 发出/收回
registered: the lock needs them and a closed round refuses them, so closing would leave the round
stuck until reopened. The refusal says what to do; once a box is set, close goes through."""

from __future__ import annotations

import subprocess

from app.model import RuleSet
from app.voting import enter_ballots, load_round, open_round
from app.voting.model import State, VotingRound
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.voting.voting_venue import ballots, sign_in_first, small_meeting


def _run(*args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *(str(a) for a in args)], capture_output=True,
                          text=True, encoding="utf-8", timeout=180)


def test_cli_round_close_refused_without_box_figures(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=["甲一", "乙二",
                                                                              "丙三"], seats=2)
    sign_in_first(s, 20, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, double_entry=False)
    assert isinstance(r, VotingRound), r
    enter_ballots(conn, r.id, "A", ballots(r.names, [(20, ["甲一", "乙二"])]), clerk="甲",
                  clock=fixed_clock)
    conn.close()
    where = ("--db", db_path, "--contest", s.contest.code)
    done = _run("round", "close", *where, "--operator", "主持人")
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert "NO_BOXES" in done.stderr and "不能结束计票" in done.stderr, done.stderr
    assert "pollday box set" in done.stderr, done.stderr
    conn = connect(db_path)
    got = load_round(conn, r.id)
    assert got is not None and got.state is State.OPEN
    conn.close()
    done = _run("box", "set", *where, "--printed", 25, "--issued", 20, "--returned", 20,
                "--operator", "秘书处")
    assert done.returncode == 0, done.stderr
    done = _run("round", "close", *where, "--operator", "主持人")
    assert done.returncode == 0 and "计票已结束" in done.stdout, done.stderr
