"""`pollday contest` and `pollday candidate`: the 选举事项 page's use cases from a shell, on a real
SQLite file — stroke order, the margin in the page's words, refusals that write nothing, exit
codes 0 / 1 / 2. One real process per command family, the rest in this process."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app import meetings
from app.model import ContestKind, RuleSet
from app.names import name_sort_key
from db.connection import connect
from tests.app.voting.test_round_cli import fast, run
from tests.app.voting.voting_venue import small_meeting


def _audit_rows(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM audit").fetchone()[0])
    finally:
        conn.close()


@pytest.fixture
def party_db(db_path: Path, fixed_clock) -> Path:
    conn = connect(db_path)
    small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=12, candidates=["甲一"], seats=3)
    conn.close()
    return db_path


def test_contest_add_list_set_seats_withdraw(party_db: Path, capsys) -> None:
    db = str(party_db)
    r = run("contest", "add", "--db", db, "--title", "书记", "--seats", "1")
    assert r.returncode == 0, r.stderr
    assert "已添加：书记，应选1名（代码 c1）" in r.stdout
    # the margin for 0 candidates, in the page's words
    assert "✗ " in r.stdout and "候选人0名，应选1名" in r.stdout
    code, out, _ = fast(capsys, "contest", "list", "--db", db, "--json")
    got = {c["code"]: c for c in json.loads(out)}
    assert code == 0 and got["c1"]["kind"] == "leader" and got["committee"]["kind"] == "committee"
    assert got["committee"]["candidates"] == ["甲一"] and got["committee"]["seats"] == 3

    # refusals: nothing written, exit 1; usage: exit 2
    before = _audit_rows(party_db)
    assert fast(capsys, "contest", "add", "--db", db, "--title", "委员", "--seats", "0")[0] == 1
    code, _, err = fast(capsys, "contest", "add", "--db", db, "--title", "委员", "--seats", "2",
                        "--code", "c1")
    assert code == 1 and "CODE_TAKEN" in err and "选举事项 c1 已存在" in err
    code, _, err = fast(capsys, "contest", "withdraw", "--db", db, "--contest", "c1")
    assert code == 1 and "撤销选举事项须说明原因" in err
    code, _, err = fast(capsys, "contest", "set-seats", "--db", db, "--contest", "nope",
                        "--seats", "2")
    assert code == 2 and "nope" in err and "c1（书记）" in err
    assert _audit_rows(party_db) == before

    code, out, _ = fast(capsys, "contest", "set-seats", "--db", db, "--contest", "committee",
                        "--seats", "5")
    assert code == 0 and "应选名额：3 → 5" in out
    code, out, _ = fast(capsys, "contest", "withdraw", "--db", db, "--contest", "c1",
                        "--reason", "上级批复不设书记职务")
    assert code == 0 and "已撤销选举事项 书记（c1）" in out
    conn = connect(party_db, create=False)
    try:
        m = meetings.current_meeting(conn)
        assert m is not None
        assert [(c.code, c.seats) for c in meetings.list_contests(conn, m.id)] == [("committee", 5)]
        last = conn.execute("SELECT action, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
        assert last[0] == "contest_removed" and "上级批复不设书记职务" in last[1]
    finally:
        conn.close()


def test_seats_and_withdrawal_refused_once_voting_started(party_db: Path, capsys,
                                                          fixed_clock) -> None:
    from app.voting import open_round

    conn = connect(party_db, create=False)
    m = meetings.current_meeting(conn)
    assert m is not None
    contest = meetings.list_contests(conn, m.id)[0]
    for name in ("乙二", "丙三", "丁四"):
        meetings.add_candidate(conn, contest.id, name=name, clock=fixed_clock, actor="t")
    from app.attendance import sign_in
    for pid in range(1, 13):
        sign_in(conn, m, pid, "主签到台", "t", fixed_clock)
    assert not isinstance(open_round(conn, contest.id, actor="t", clock=fixed_clock),
                          meetings.Refusal)
    conn.close()
    before = _audit_rows(party_db)
    code, _, err = fast(capsys, "contest", "set-seats", "--db", str(party_db), "--contest",
                        "committee", "--seats", "2")
    assert code == 1 and "VOTING_STARTED" in err and "已开始投票，不能再改应选名额" in err
    code, _, err = fast(capsys, "contest", "withdraw", "--db", str(party_db), "--contest",
                        "committee", "--reason", "x")
    assert code == 1 and "已开始投票，不能再撤销" in err
    code, _, err = fast(capsys, "candidate", "add", "--db", str(party_db), "--contest",
                        "committee", "--name", "戊五")
    assert code == 1 and "VOTING_STARTED" in err and "不能再添加候选人" in err
    assert _audit_rows(party_db) == before


def test_candidates_in_stroke_order_with_margin_and_refusals(party_db: Path, capsys) -> None:
    db = str(party_db)
    r = run("candidate", "add", "--db", db, "--contest", "committee", "--name", "于明",
            "--gender", "F")
    assert r.returncode == 0, r.stderr
    assert "已添加候选人 于明" in r.stdout
    for name in ("干明", "十明", "丁明", "下明", "寸明"):
        assert fast(capsys, "candidate", "add", "--db", db, "--contest", "committee",
                    "--name", name)[0] == 0
    # a person from the register by id: name and gender from the register
    conn = connect(party_db, create=False)
    pid, pname = conn.execute("SELECT id, name FROM person WHERE name != '甲一' LIMIT 1").fetchone()
    conn.close()
    code, out, _ = fast(capsys, "candidate", "add", "--db", db, "--contest", "committee",
                        str(pid))
    assert code == 0 and f"已添加候选人 {pname}" in out

    code, out, _ = fast(capsys, "candidate", "list", "--db", db, "--contest", "committee",
                        "--json")
    got = json.loads(out)
    names = [c["name"] for c in got["candidates"]]
    assert names == sorted(names, key=name_sort_key) and len(names) == 8
    assert all(c["strokes"] for c in got["candidates"])
    assert got["margin"] == meetings.margin_check(RuleSet.PARTY, ContestKind.COMMITTEE, 3, 8).words
    code, out, _ = fast(capsys, "candidate", "list", "--db", db, "--contest", "committee",
                        "--explain")
    lines = out.splitlines()
    assert lines[0].startswith("委员（committee）· 应选 3 名")
    assert [ln.split()[1] for ln in lines[1:9]] == names
    assert lines[-1].startswith("✓ 候选人8名，应选3名")

    before = _audit_rows(party_db)
    code, _, err = fast(capsys, "candidate", "add", "--db", db, "--contest", "committee",
                        "--name", "于明")
    assert code == 1 and "NAME_TAKEN" in err and "委员 已有候选人 于明" in err
    code, _, err = fast(capsys, "candidate", "withdraw", "--db", db, "--contest", "committee",
                        "于明")
    assert code == 1 and "撤销候选人须说明原因" in err
    assert fast(capsys, "candidate", "add", "--db", db, "--contest", "committee")[0] == 2
    assert fast(capsys, "candidate", "add", "--db", db, "--contest", "committee", "99999")[0] == 2
    code, _, err = fast(capsys, "candidate", "withdraw", "--db", db, "--contest", "committee",
                        "无此人", "--reason", "x")
    assert code == 2 and "无此人" in err
    assert _audit_rows(party_db) == before

    code, out, _ = fast(capsys, "candidate", "withdraw", "--db", db, "--contest", "committee",
                        "于明", "--reason", "本人辞去候选人资格")
    assert code == 0 and "已撤销候选人 于明（本人辞去候选人资格）" in out
    assert "候选人7名" in out


def test_a_candidate_without_the_right_to_stand_is_refused_as_on_the_page(party_db: Path) -> None:
    """被选举权 (rules.md §1.3): the candidate use case refuses a 预备党员; the command says why
    in its words and writes nothing."""
    conn = connect(party_db, create=False)
    pid, name = conn.execute("SELECT id, name FROM person WHERE name != '甲一' LIMIT 1").fetchone()
    conn.execute("UPDATE person SET party_status = 'probationary' WHERE id = ?", (pid,))
    conn.commit()
    conn.close()
    before = _audit_rows(party_db)
    r = run("candidate", "add", "--db", str(party_db), "--contest", "committee", str(pid))
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert "CANDIDATE_NOT_ELIGIBLE" in r.stderr and name in r.stderr
    assert "预备党员，没有被选举权" in r.stderr
    r = run("candidate", "add", "--db", str(party_db), "--contest", "committee", "--name", name)
    assert r.returncode == 1 and "CANDIDATE_NOT_ELIGIBLE" in r.stderr
    assert _audit_rows(party_db) == before
