"""`pollday sign-in --desk` in real processes on a real file, where the meeting has desks set up
(walk finding): an unknown desk is refused with the known desks listed; a person another desk
serves is refused with the 签到台 screen's words unless --here-anyway, which is audited like the
screen's 仍在本台签到 (F9)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess

from app.clock import FixedClock
from app.meetings import Desk, add_desk
from tests.app.attendance.attendance_venue import (
    NOW,
    pollday_cmd,
    venue_fixture,  # noqa: F401  (fixture "venue")
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def _events(db: str) -> int:
    with sqlite3.connect(db) as c:
        return int(c.execute("SELECT count(*) FROM attendance_event").fetchone()[0])


def _outside_audits(db: str) -> list[str]:
    with sqlite3.connect(db) as c:
        return [r[0] for r in c.execute(
            "SELECT detail FROM audit WHERE action = 'sign_in_outside_scope'")]


def test_an_unknown_desk_and_a_person_outside_the_desks_scope(venue, db_path) -> None:
    from app import attendance as att

    clock = FixedClock(dt.datetime.fromisoformat(NOW), 1.0)
    for name, scope in (("一号台", ["第一支部"]), ("二号台", ["第二支部", "第三支部"])):
        got = add_desk(venue.conn, venue.party.id, name, scope, clock=clock, actor="t")
        assert isinstance(got, Desk), got
    # the words the 签到台 screen shows (the same use case, asked to check the scope)
    screen = att.sign_in(venue.conn, venue.party, venue.ids["张三"], "二号台", "t", clock,
                         check_scope=True)
    assert screen.outcome is att.Outcome.OTHER_DESK and not screen.written
    venue.conn.close()
    db = str(db_path)
    zhang, wang = str(venue.ids["张三"]), str(venue.ids["王䶮"])

    r = _run("sign-in", "--db", db, "--desk", "三号台不存在", "--", zhang)
    assert r.returncode == 1, r
    assert "没有签到台“三号台不存在”" in r.stderr and "一号台、二号台" in r.stderr
    assert r.stdout == "" and _events(db) == 0

    r = _run("sign-in", "--db", db, "--desk", "二号台", "--operator", "小王", "--", zhang, wang)
    assert r.returncode == 1, r
    lines = [json.loads(x) for x in r.stdout.splitlines()]
    assert [x["result"] for x in lines] == ["other_desk", "signed_in"]
    assert lines[0]["message"] == screen.message
    assert "属于一号台（第一支部）" in lines[0]["message"] and "--here-anyway" in r.stderr
    assert _events(db) == 1 and _outside_audits(db) == []

    r = _run("sign-in", "--db", db, "--desk", "二号台", "--operator", "小王", "--here-anyway",
             "--", zhang)
    assert r.returncode == 0, r
    assert json.loads(r.stdout)["result"] == "signed_in"
    assert _events(db) == 2
    (detail,) = _outside_audits(db)
    assert json.loads(detail)["desk"] == "二号台" and json.loads(detail)["name"] == "张三"
    # the desk that serves him is known: a plain sign-in there says already signed in
    r = _run("sign-in", "--db", db, "--desk", "一号台", "--", zhang)
    assert r.returncode == 0 and json.loads(r.stdout)["result"] == "already_signed_in"


def test_a_late_arrival_after_voting_opened_gets_no_ballot_from_the_cli(venue, db_path) -> None:
    """Walk finding: after 开始投票 the CLI said "ballots": 1 for a late arrival. It says the vote
    had begun, 实到 frozen without them, and no ballot for that vote (as the desk does)."""
    venue.conn.close()
    db = str(db_path)
    zhang, li = str(venue.ids["张三"]), str(venue.ids["李四"])
    r = _run("sign-in", "--db", db, "--desk", "一号台", "--at", "2026-11-22T08:30:00+08:00",
             "--", zhang)
    assert json.loads(r.stdout)["ballots"] == 1
    r = _run("attendance", "--db", db, "--open-voting", "第1次投票", "--at",
             "2026-11-22T09:00:00+08:00")
    assert r.returncode == 0, r
    r = _run("sign-in", "--db", db, "--desk", "一号台", "--at", "2026-11-22T09:05:00+08:00",
             "--", li)
    assert r.returncode == 0, r
    got = json.loads(r.stdout)
    assert got["result"] == "signed_in" and got["ballots"] == 0
    assert got["late_for"] == {"round": "第1次投票", "frozen_present": 1,
                               "frozen_at": "2026-11-22T09:00:00+08:00"}
    assert "冻结后到会" in got["message"] and "第1次投票不发选票" in got["message"]
    r = _run("attendance", "--db", db, "--json")
    assert json.loads(r.stdout)["frozen"] == {
        "round": "第1次投票", "at": "2026-11-22T09:00:00+08:00", "expected": 7, "present": 1,
        "late": 1}
    r = _run("attendance", "--db", db)
    assert "第1次投票（09:00 开始投票）冻结：应到 7 人，实到 1 人" in r.stdout
    assert "冻结后到会 1 人" in r.stdout
