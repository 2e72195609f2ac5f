"""The counting half from the command line: `pollday ballot enter`, `tally enter`, `compare` and
`resolve` call the same use cases as the 计票 page, say the same refusals, and keep a file all or
nothing."""

from __future__ import annotations

import json
import subprocess

import pytest

from app.cli import main
from app.cli.ballot_lines import Line, ballot_lines, line_text, parse_line
from app.meetings import Refusal
from app.model import RuleSet
from app.rules import Ballot
from app.voting import (
    Comparison,
    Mode,
    VotingRound,
    compare_entries,
    counted,
    enter_ballots,
    entries,
    load_round,
    open_round,
)
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.voting.voting_venue import sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四"]


@pytest.fixture
def venue(db_path, fixed_clock):
    """A party meeting of 20, four candidates for three seats, round 1 open (double entry);
    returns (db_path, the round)."""
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    sign_in_first(s, 20, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(r, VotingRound)
    conn.close()
    return db_path, r


def _args(db, *more: str) -> list[str]:
    return [*more, "--db", str(db), "--contest", "committee"]


def test_ballot_line_format_round_trips() -> None:
    assert parse_line("1201 12") == Line("1201 12", (), None)
    assert parse_line("11 +张三 ＋李四 +张三") == Line("11", ("张三", "李四"), None)
    assert parse_line("！无法辨认选票意图") == Line("", (), "无法辨认选票意图")
    assert parse_line("1 + 王五") == Line("1", ("王五",), None)
    assert parse_line("1 +") == "“+”后须写另选他人的姓名"
    assert "原因" in str(parse_line("1 !"))
    assert "含空格" in str(parse_line("+张 三"))
    lines = dict(ballot_lines("# 第一箱\n1\n\n  \n0\n"))
    assert lines[2] == Line("1", (), None) and lines[5] == Line("0", (), None)
    assert "写 0" in str(lines[4]) and 1 not in lines and 3 not in lines
    for keys, w, reason in (("1201", (), None), ("", ("张三",), None), ("", (), "x"),
                            ("0", (), None), ("12", ("甲", "乙"), "有记号")):
        assert parse_line(line_text(keys, w, reason)) == Line(keys, w, reason)


def test_ballot_enter_all_or_nothing_names_every_bad_line(venue, tmp_path, capsys) -> None:
    db, r = venue
    f = tmp_path / "a.txt"
    f.write_text("1110\n1a\n11 +\n12345\n!有记号\n", encoding="utf-8")
    assert main(_args(db, "ballot", "enter", "--clerk", "A", str(f))) == 1
    err = capsys.readouterr().err
    assert "a.txt 第2行：第2位“a”无效：1=赞成○，2=不赞成×，0或空格=弃权" in err
    assert "a.txt 第3行：“+”后须写另选他人的姓名" in err
    assert "a.txt 第4行：输入了5个字符，本选票只有4名候选人" in err
    assert "第1行" not in err and "第5行" not in err and "未录入任何选票" in err
    conn = connect(db, create=False)
    assert entries(conn, r.id, "A") == []
    conn.close()


def test_ballot_enter_writes_what_the_gui_would(venue, tmp_path, capsys) -> None:
    db, r = venue
    f = tmp_path / "a.txt"
    # GBK with a BOM-less file, as an old Windows editor saves it.
    f.write_bytes("111\n0\n2 +戊五\n1111\n!有识别投票人的记号\n".encode("gbk"))
    assert main(_args(db, "ballot", "enter", "--clerk", "A", str(f), "--json",
                      "--at", "2026-11-22T10:15:00+08:00", "--operator", "王录入")) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["entered"], out["first"], out["last"], out["valid"], out["invalid"]) == (5, 1, 5, 3, 2)
    assert [x["seq"] for x in out["invalid_ballots"]] == [4, 5]
    assert out["invalid_ballots"][1]["reason"] == "有识别投票人的记号"
    conn = connect(db, create=False)
    got = entries(conn, r.id, "A")
    conn.close()
    assert [e.ballot for e in got] == [
        Ballot("ooo-"), Ballot("----"), Ballot("x---", ("戊五",)), Ballot("oooo"),
        Ballot("----", (), True, "有识别投票人的记号")]
    assert {e.at for e in got} == {"2026-11-22T10:15:00+08:00"} and got[0].clerk == "王录入"
    # Numbered after the clerk's last ballot, from stdin this time.
    done = subprocess.run([*pollday_cmd(), *_args(db, "ballot", "enter", "--clerk", "A")],
                          input="11\n", capture_output=True, text=True, encoding="utf-8",
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert "第6–6张" in done.stdout


def test_ballot_enter_refusals_and_usage(venue, tmp_path, capsys) -> None:
    db, _r = venue
    f = tmp_path / "a.txt"
    f.write_text("1\n", encoding="utf-8")
    assert main(_args(db, "ballot", "enter", "--clerk", "A", str(tmp_path / "no.txt"))) == 2
    assert "文件不存在" in capsys.readouterr().err
    assert main(_args(db, "ballot", "enter", "--clerk", "A", str(f), "--at", "noon")) == 2
    assert "bad --at" in capsys.readouterr().err
    assert main(["ballot", "enter", "--db", str(db), "--contest", "x", "--clerk", "A",
                 str(f)]) == 2
    assert "选举事项代码 x 不存在" in capsys.readouterr().err
    assert main(_args(db, "ballot", "enter", "--clerk", "A", "--round", "2", str(f))) == 1
    assert "尚无第2轮" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(_args(db, "ballot", "enter", "--clerk", "C", str(f)))
    assert exc.value.code == 2
    capsys.readouterr()
    f.write_text("# nothing\n", encoding="utf-8")
    assert main(_args(db, "ballot", "enter", "--clerk", "B", str(f))) == 1
    assert "没有选票" in capsys.readouterr().err


def test_compare_and_resolve_as_the_compare_tab(venue, tmp_path, capsys, fixed_clock) -> None:
    db, r = venue
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("111\n11 2\n2\n+戊五\n", encoding="utf-8")
    b.write_text("111\n1101\n2\n+戊六\n0\n", encoding="utf-8")
    assert main(_args(db, "ballot", "enter", "--clerk", "A", str(a))) == 0
    assert main(_args(db, "ballot", "enter", "--clerk", "B", str(b))) == 0
    capsys.readouterr()
    assert main(_args(db, "compare")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["count_a"], doc["count_b"], doc["agreed"], doc["pending"]) == (4, 5, 2, 3)
    d = {x["seq"]: x for x in doc["differences"]}
    assert d[2]["a"]["line"] == "1102" and d[2]["b"]["line"] == "1101"
    assert d[4]["a"]["line"] == "+戊五" and d[5]["a"] is None and d[5]["b"]["line"] == "0"

    assert main(_args(db, "resolve", "--seq", "2", "--take", "B", "--reason", "")) == 1
    assert "须说明依据" in capsys.readouterr().err
    assert main(_args(db, "resolve", "--seq", "1", "--take", "A", "--reason", "核对原始选票")) == 1
    assert "第1张 A、B 录入一致，无须处理" in capsys.readouterr().err
    assert main(_args(db, "resolve", "--seq", "4", "--reading", "1x", "--reason", "核对")) == 1
    assert "第2位“x”无效" in capsys.readouterr().err
    assert main(_args(db, "resolve", "--seq", "2", "--take", "B", "--reason", "核对原始选票",
                      "--operator", "监票人丙", "--at", "2026-11-22T11:00:00+08:00")) == 0
    assert main(_args(db, "resolve", "--seq", "4", "--reading", "+戊五 !有记号",
                      "--reason", "核对原始选票")) == 0
    assert main(_args(db, "resolve", "--seq", "5", "--take", "A", "--reason", "B 多录一张")) == 0
    assert "无此选票" in capsys.readouterr().out
    conn = connect(db, create=False)
    c = compare_entries(conn, r.id)
    assert isinstance(c, Comparison) and c.complete
    resolved = {x.seq: (x.choice, x.reading) for x in c.differences}
    assert resolved == {2: ("B", Ballot("oo-o")), 4: ("paper", Ballot("----", ("戊五",), True, "有记号")),
                        5: ("A", None)}
    now = load_round(conn, r.id)
    assert now is not None
    stack = counted(conn, now)
    audit = conn.execute("SELECT actor, at FROM audit WHERE action='ballot_difference_resolved'"
                         " ORDER BY id").fetchall()
    conn.close()
    assert not isinstance(stack, Refusal) and sum(n for _b, n in stack) == 4
    assert audit[0] == ("监票人丙", "2026-11-22T11:00:00+08:00")


def test_tally_sheets_entered_compared_and_resolved(db_path, fixed_clock, tmp_path,
                                                    capsys) -> None:
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=20, candidates=CANDS, seats=3)
    sign_in_first(s, 20, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, mode=Mode.TALLY)
    assert isinstance(r, VotingRound)
    refused = enter_ballots(conn, r.id, "A", [Ballot("o---")], clerk="x", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.message.endswith("按正字计票单录入，不逐张录入选票")
    conn.close()
    names = r.names
    good = "\n".join(["# 计票单", "有效 18", "无效票 2",
                      *(f"{n} {10 + i} {i}" for i, n in enumerate(names)), "+戊五 1"])
    a = tmp_path / "a.txt"
    a.write_text(good, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_text(f"有效 18\n有效 3\n{names[0]} 10\n戊五 2\n+{names[1]} 1\n", encoding="utf-8")
    assert main(_args(db_path, "tally", "enter", "--clerk", "A", str(bad))) == 1
    err = capsys.readouterr().err
    assert "bad.txt 第2行：“有效”已在第1行写过" in err
    assert f"第3行：候选人 {names[0]} 后须写 2 个整数" in err
    assert "第4行：“戊五”不是本轮候选人" in err and "+戊五 票数" in err
    assert f"第5行：{names[1]} 是本轮候选人" in err
    assert "缺少：无效、" in err
    # The core's consistency check, in its words.
    over = tmp_path / "over.txt"
    over.write_text(good.replace(f"{names[0]} 10 0", f"{names[0]} 10 9"), encoding="utf-8")
    assert main(_args(db_path, "tally", "enter", "--clerk", "A", str(over))) == 1
    assert f"{names[0]} 的赞成票与不赞成票之和多于有效票 18 张" in capsys.readouterr().err
    assert main(_args(db_path, "tally", "enter", "--clerk", "A", str(a))) == 0
    assert "尚待录入组 B 的计票单" in capsys.readouterr().out
    b = tmp_path / "b.txt"
    b.write_text(good.replace("+戊五 1", "+戊五 2"), encoding="utf-8")
    assert main(_args(db_path, "tally", "enter", "--clerk", "B", str(b))) == 0
    assert "戊五（另选）：A 1 / B 2" in capsys.readouterr().out
    assert main(_args(db_path, "compare")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["pending"] is True and doc["differences"] == [{"line": "戊五（另选）", "a": 1, "b": 2}]
    assert main(_args(db_path, "resolve", "--sheet", str(a), "--reason", "重新清点选票后确认")) == 0
    assert "已按重新清点确认" in capsys.readouterr().out
    assert main(_args(db_path, "compare")) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["complete"] is True and doc["pending"] is False
    assert doc["resolved"]["write_ins"] == {"戊五": 1}
