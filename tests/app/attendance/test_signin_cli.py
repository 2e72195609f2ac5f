"""`pollday sign-in` sub-actions, `--meeting`, and `pollday attendance --open-voting` in real
subprocesses on a real file."""

from __future__ import annotations

import json
import subprocess

from tests.app.attendance.attendance_venue import (
    pollday_cmd,
    venue_fixture,  # noqa: F401  (fixture "venue")
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


def _lines(r: subprocess.CompletedProcess[str]) -> list[dict]:
    return [json.loads(x) for x in r.stdout.splitlines()]


def test_sign_in_actions_and_meetings(venue, db_path) -> None:
    venue.conn.close()
    db = str(db_path)
    r = _run("sign-in", "--db", db, "--desk", "一号台", "--operator", "小王", "--",
             "tok00001", "2", "tok00001", "no-such", "9")
    assert r.returncode == 1                                  # unknown and excluded
    got = [(x["name"], x["result"], x["present"]) for x in _lines(r)]
    assert got == [("张三", "signed_in", 1), ("李四", "signed_in", 2),
                   ("张三", "already_signed_in", 2), (None, "unknown", 2),
                   ("孙病假", "excluded", 2)]
    r = _run("sign-in", "--db", db, "--desk", "一号台", "--action", "undo", "--", "2")
    assert r.returncode == 1 and _lines(r)[0]["result"] == "reason_missing"
    r = _run("sign-in", "--db", db, "--desk", "一号台", "--action", "undo", "--reason",
             "误签", "--", "2")
    undone = _lines(r)[0]
    assert r.returncode == 0 and (undone["result"], undone["present"]) == ("undone", 1)
    r = _run("sign-in", "--db", db, "--desk", "二号台", "--action", "lift-exclusion",
             "--reason", "本人到会", "--", "9")
    assert r.returncode == 0 and _lines(r)[0]["result"] == "lifted"
    r = _run("sign-in", "--db", db, "--desk", "二号台", "--", "9", "11")
    assert [x["result"] for x in _lines(r)] == ["signed_in", "no_vote"]   # 吴居民: not a member
    # the residents' election keeps its own attendance
    r = _run("sign-in", "--db", db, "--meeting", "residents", "--desk", "A", "--", "11")
    assert _lines(r)[0]["result"] == "signed_in" and _lines(r)[0]["present"] == 1
    r = _run("attendance", "--db", db, "--json")
    data = json.loads(r.stdout)
    assert (data["expected"], data["present"], data["excluded"]) == (8, 2, 0)
    assert data["rate"] == "25.00%" and data["quorum_met"] is False
    assert "五分之四" in data["rule"] and data["duplicates"] == []
    r = _run("attendance", "--db", db, "--meeting", "residents", "--json")
    assert json.loads(r.stdout)["present"] == 1
    r = _run("attendance", "--db", db, "--open-voting", "第一轮", "--operator", "秘书处")
    assert r.returncode == 0 and "应到 8 人，实到 2 人" in r.stdout
    again = _run("attendance", "--db", db, "--open-voting", "第一轮")
    assert again.returncode == 1 and "已经冻结" in again.stderr
    assert _run("attendance", "--db", db, "--meeting", "nope").returncode == 2
    assert _run("sign-in", "--db", db + ".missing", "--desk", "x", "--", "1").returncode == 2


def test_sign_in_and_open_voting_at_a_given_time(venue, db_path) -> None:
    venue.conn.close()
    db = str(db_path)
    at = "2026-11-22T09:05:00+08:00"
    assert _run("sign-in", "--db", db, "--desk", "一号台", "--at", "nine", "--",
                "1").returncode == 2
    r = _run("sign-in", "--db", db, "--desk", "一号台", "--at", at, "--", "1", "2")
    assert r.returncode == 0, r.stderr
    r = _run("attendance", "--db", db, "--open-voting", "第一轮", "--at",
             "2026-11-22T09:30:00+08:00")
    assert r.returncode == 0, r.stderr
    from db.connection import connect

    conn = connect(db_path, create=False)
    signed = {row[0] for row in conn.execute("SELECT at FROM attendance_event")}
    frozen = {row[0] for row in conn.execute("SELECT taken_at FROM attendance_snapshot")}
    conn.close()
    assert signed == {at}, signed
    assert frozen == {"2026-11-22T09:30:00+08:00"}, frozen
