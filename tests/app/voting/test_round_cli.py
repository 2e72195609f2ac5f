"""`pollday round|officials|box|validate|lock|unlock`: the 投票计票 and 结果 pages' use cases from a
shell on real SQLite files — the next round decided by the core (tie re-vote among exactly the
tied, for the seats they compete for), refusals in the pages' words with nothing written, exit
codes, and --at making a scripted day reproducible (same lock hash twice)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from pathlib import Path

import pytest
from pdtest import pollday_cmd

from app.cli import main
from app.clock import FixedClock
from app.model import RuleSet
from app.names import sort_names
from app.rules import make_ballot
from app.voting import enter_ballots, list_rounds
from db.connection import connect
from tests.app.voting.voting_venue import sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三"]
BALLOT_ORDER = ["乙二", "丙三", "甲一"]  # 按姓氏笔画为序: 乙 1 stroke, 丙 and 甲 5
T1, T2, T3 = "2026-11-22T09:00:00+08:00", "2026-11-22T10:30:00+08:00", "2026-11-22T10:45:00+08:00"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True, timeout=60,
                          encoding="utf-8")


def fast(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


def _venue(db: Path, present: int) -> None:
    import datetime as dt

    clock = FixedClock(dt.datetime.fromisoformat("2026-11-22T08:00:00+08:00"), 1.0)
    conn = connect(db)
    s = small_meeting(conn, clock, RuleSet.PARTY, voters=10, candidates=CANDS, seats=2)
    sign_in_first(s, present, clock)
    conn.close()


def _enter_tie(db: Path) -> None:
    """10 ballots: 甲一 8, 乙二 6, 丙三 6 → 甲一 elected, 乙二 and 丙三 tied for the last seat."""
    import datetime as dt

    clock = FixedClock(dt.datetime.fromisoformat("2026-11-22T10:00:00+08:00"), 1.0)
    conn = connect(db, create=False)
    r = list_rounds(conn, 1)[-1]
    assert list(r.names) == BALLOT_ORDER
    stack = ([make_ballot(r.names, ["甲一", "乙二"])] * 4
             + [make_ballot(r.names, ["甲一", "丙三"])] * 4
             + [make_ballot(r.names, ["乙二", "丙三"])] * 2)
    assert enter_ballots(conn, r.id, "A", stack, clerk="录入员", clock=clock) == 10
    conn.close()


def _day(db: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """A scripted first round to a tie, the re-vote opened, round 1 locked; the lock hash."""
    d = str(db)
    _venue(db, 10)
    assert fast(capsys, "round", "open", "--db", d, "--contest", "committee", "--single-entry",
                "--at", T1)[0] == 0
    _enter_tie(db)
    for args in (("officials", "set", "--scrutineers", "王监、李监", "--counters", "赵计"),
                 ("box", "set", "--printed", "12", "--issued", "10", "--returned", "10",
                  "--spoiled", "2"),
                 ("round", "close")):
        code, _, err = fast(capsys, *args, "--db", d, "--contest", "committee", "--at", T2)
        assert code == 0, (args, err)
    assert fast(capsys, "round", "next", "--db", d, "--contest", "committee", "--at", T3)[0] == 0
    code, out, err = fast(capsys, "lock", "--db", d, "--contest", "committee", "--round", "1",
                          "--at", T3)
    assert code == 0, err
    return out.rsplit("本轮锁定校验码 ", 1)[1].split("（", 1)[0].strip()


def test_a_round_from_open_to_lock_through_the_command_line(db_path: Path, capsys) -> None:
    d = str(db_path)
    _venue(db_path, 10)
    r = run("round", "open", "--db", d, "--contest", "committee", "--single-entry", "--at", T1)
    assert r.returncode == 0, r.stderr
    assert "第1轮" in r.stdout and "已开始：冻结实到 10 人" in r.stdout
    got = json.loads(run("round", "list", "--db", d, "--json").stdout)
    assert [(x["round"], x["kind"], x["state"], x["opened_at"], x["candidates"]) for x in got] == [
        (1, "first", "open", T1, BALLOT_ORDER)]

    # officials: a candidate is refused in the page's words, nothing written
    before = _count(db_path, "SELECT count(*) FROM audit")
    r = run("officials", "set", "--db", d, "--contest", "committee", "--scrutineers",
            "王监、乙二", "--counters", "赵计", "--at", T2)
    assert r.returncode == 1 and "OFFICIAL_IS_CANDIDATE" in r.stderr
    assert "监票人、计票人不得由本轮候选人担任：乙二" in r.stderr
    code, _, err = fast(capsys, "box", "set", "--db", d, "--contest", "committee", "--printed",
                        "10", "--issued", "10", "--returned", "10", "--spoiled", "1")
    assert code == 1 and "发出10张、作废1张，多于印制的10张" in err
    code, _, err = fast(capsys, "round", "close", "--db", d, "--contest", "committee",
                        "--round", "7")
    assert code == 1 and "尚无第7轮投票" in err
    with pytest.raises(SystemExit) as usage:  # argparse: a number that is not one
        main(["box", "set", "--db", d, "--contest", "committee", "--printed", "x",
              "--issued", "1", "--returned", "1"])
    assert usage.value.code == 2
    assert fast(capsys, "round", "open", "--db", d, "--contest", "committee", "--at",
                "yesterday")[0] == 2
    code, _, err = fast(capsys, "round", "next", "--db", d, "--contest", "committee")
    assert code == 1 and "PREVIOUS_OPEN" in err and "尚未结束计票，不能开始下一轮" in err
    assert _count(db_path, "SELECT count(*) FROM audit") == before

    _enter_tie(db_path)
    r = run("officials", "set", "--db", d, "--contest", "committee", "--scrutineers",
            "王监、李监", "--counters", "赵计", "--at", T2)
    assert r.returncode == 0, r.stderr
    assert "王监、李监（监票）；赵计（计票）" in r.stdout
    r = run("box", "set", "--db", d, "--contest", "committee", "--printed", "12", "--issued",
            "10", "--returned", "10", "--spoiled", "2", "--at", T2)
    assert r.returncode == 0, r.stderr
    assert "主票箱 已登记：印制 12，发出 10，收回 10，作废 2" in r.stdout
    code, _, err = fast(capsys, "lock", "--db", d)
    assert code == 1 and "计票尚未结束" in err
    r = run("round", "close", "--db", d, "--contest", "committee", "--at", T2)
    assert r.returncode == 0 and "计票已结束" in r.stdout, r.stderr

    # validation: the tie is an error with its rule text until the re-vote is opened
    r = run("validate", "--db", d, "--json")
    assert r.returncode == 1, r.stderr
    v = json.loads(r.stdout)
    rnd = v["contests"][0]["rounds"][0]
    assert rnd["status"] == "tie_revote" and rnd["elected"] == ["甲一"] and not rnd["may_lock"]
    tie = next(f for f in rnd["findings"] if f["code"] == "TIE_AT_LAST_SEAT")
    assert tie["severity"] == "error" and tie["rule"] and not tie["settled"]
    code, out, _ = fast(capsys, "validate", "--db", d)
    assert code == 1 and "规则：" + tie["rule"] in out and "不能锁定" in out
    locks = "SELECT count(*) FROM round_event WHERE kind = 'locked'"
    r = run("lock", "--db", d, "--at", T3)
    assert r.returncode == 1 and "LOCK_REFUSED" in r.stderr and "TIE_AT_LAST_SEAT" in r.stderr
    title = v["contests"][0]["title"]
    assert f"LOCK_REFUSED: {title}第1轮" in r.stderr, r.stderr   # the title once, not twice
    assert _count(db_path, locks) == 0

    # the next round as the core decides it: exactly the tied, for the one seat left
    r = run("round", "next", "--db", d, "--contest", "committee", "--dry-run", "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert (plan["round"], plan["kind"], plan["seats"]) == (2, "tie_revote", 1), plan
    assert sorted(plan["candidates"]) == sorted(["乙二", "丙三"]), plan
    assert "末位得票相等" in plan["why"]
    code, _, err = fast(capsys, "round", "open", "--db", d, "--contest", "committee", "--kind",
                        "runoff")
    assert code == 1 and "KIND_MISMATCH" in err and "不能开始投票：" in err
    code, out, _ = fast(capsys, "round", "next", "--db", d, "--contest", "committee", "--at", T3)
    assert code == 0 and "第2轮" in out and "乙二、丙三" in out
    r2 = json.loads(run("round", "list", "--db", d, "--contest", "committee", "--json").stdout)[1]
    assert (r2["kind"], r2["seats"], r2["opened_at"]) == ("tie_revote", 1, T3), r2
    assert r2["candidates"] == sort_names(["乙二", "丙三"]), r2  # ballot order

    # round 1 may be locked now (the tie is settled by round 2); unlock refused after round 2
    r = run("lock", "--db", d, "--contest", "committee", "--round", "1", "--at", T3)
    assert r.returncode == 0 and "已锁定，本轮锁定校验码 " in r.stdout, r.stderr
    assert r.stdout.startswith("委员第1轮（选举） 已锁定"), r.stdout   # the title once
    code, _, err = fast(capsys, "lock", "--db", d, "--contest", "committee", "--round", "1")
    assert code == 1 and "ALREADY_LOCKED" in err
    code, _, err = fast(capsys, "unlock", "--db", d, "--contest", "committee", "--round", "1")
    assert code == 1 and "解除锁定须说明原因" in err
    r = run("unlock", "--db", d, "--contest", "committee", "--round", "1", "--reason", "核对")
    assert r.returncode == 1 and "LATER_ROUND_EXISTS" in r.stderr
    assert _count(db_path, "SELECT count(*) FROM round_event WHERE kind = 'unlocked'") == 0
    code, out, _ = fast(capsys, "validate", "--db", d)
    assert "[已处理] " in out and "已锁定" in out


def test_quorum_refusal_writes_no_round(db_path: Path, capsys) -> None:
    _venue(db_path, 5)   # party assembly: more than 4/5 of 10 must be present
    before = _count(db_path, "SELECT count(*) FROM voting_round")
    code, _, err = fast(capsys, "round", "open", "--db", str(db_path), "--contest", "committee")
    assert code == 1 and "QUORUM_NOT_MET" in err and "不能开始投票：" in err
    assert "实到5人" in err
    assert _count(db_path, "SELECT count(*) FROM voting_round") == before == 0
    code, _, err = fast(capsys, "round", "next", "--db", str(db_path), "--contest", "committee")
    assert code == 1 and "尚未进行第一轮" in err
    assert fast(capsys, "round", "open", "--db", str(db_path), "--contest", "nope")[0] == 2
    assert fast(capsys, "round", "list", "--db", str(db_path / "missing.db"))[0] == 2


def test_a_scripted_day_with_at_is_reproducible(tmp_path: Path, capsys) -> None:
    first = _day(tmp_path / "a.db", capsys)
    second = _day(tmp_path / "b.db", capsys)
    assert len(first) == 12 and first == second
