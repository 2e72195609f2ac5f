"""`pollday import-register` and `pollday register --json`, through the real console script."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from register_paths import pollday_cmd

from app.bench.data import register_rows, write_csv
from app.cli import main
from app.meetings import create_meeting
from app.model import Form, RuleSet
from db import persons
from db.connection import connect


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True, timeout=120,
                          encoding="utf-8")


def test_import_then_list_as_json(tmp_path: Path) -> None:
    db = tmp_path / "sub" / "e.db"  # created with its folder
    rows = register_rows(12)
    src = write_csv(rows, tmp_path / "名册.csv", "gbk")
    r = run("import-register", "--db", str(db), str(src))
    assert r.returncode == 0, r.stderr
    assert "12" in r.stdout
    r = run("register", "--db", str(db), "--json")
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert [p["name"] for p in got] == [x["姓名"] for x in rows]
    assert set(got[0]) == {"id", "name", "gender", "birth_date", "education", "branch",
                           "resident_group", "household", "status", "votes", "token"}
    assert got[0]["birth_date"] == rows[0]["出生日期"] and got[0]["household"] == rows[0]["户号"]
    assert [p["education"] for p in got] == [x["文化程度"] for x in rows]
    assert all(p["votes"] is None for p in got)  # no meeting yet
    assert len({p["token"] for p in got}) == 12


def test_bad_rows_and_persons_already_registered_exit_1(tmp_path: Path, capsys) -> None:
    db = tmp_path / "e.db"
    rows = register_rows(10)
    assert main(["import-register", "--db", str(db), str(write_csv(rows[:4], tmp_path / "a.csv"))]) == 0
    capsys.readouterr()
    bad = [dict(r) for r in rows]
    bad[6]["性别"] = "未知"
    code = main(["import-register", "--db", str(db), str(write_csv(bad, tmp_path / "b.csv"))])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.splitlines()
    assert [x.split("「")[0] for x in lines] == [
        "b.csv 第2行", "b.csv 第3行", "b.csv 第4行", "b.csv 第5行", "b.csv 第8行"]
    assert "性别「未知」无法识别" in lines[-1]
    assert out == ""
    assert persons.count_persons(connect(db)) == 4


def test_already_registered_rows_each_named(tmp_path: Path, capsys) -> None:
    db = tmp_path / "e.db"
    rows = register_rows(6)
    main(["import-register", "--db", str(db), str(write_csv(rows[:3], tmp_path / "a.csv"))])
    capsys.readouterr()
    code = main(["import-register", "--db", str(db), str(write_csv(rows, tmp_path / "all.csv"))])
    err = capsys.readouterr().err
    assert code == 1
    named = err.splitlines()
    assert all("已在名册中" in x for x in named)
    assert [x.split("「")[0] for x in named] == ["all.csv 第2行", "all.csv 第3行", "all.csv 第4行"]
    assert all(rows[i]["姓名"] in named[i] for i in range(3))
    assert persons.count_persons(connect(db)) == 3


def test_unknown_header_and_map_option(tmp_path: Path, capsys) -> None:
    db = tmp_path / "e.db"
    src = tmp_path / "m.csv"
    src.write_text("姓名,所在党组织\r\n张三,第一支部\r\n", encoding="utf-8")
    assert main(["import-register", "--db", str(db), str(src)]) == 1
    assert "所在党组织" in capsys.readouterr().err
    assert main(["import-register", "--db", str(db), str(src), "--map", "所在党组织=nope"]) == 1
    assert main(["import-register", "--db", str(db), str(src), "--map", "所在党组织=branch"]) == 0
    assert persons.list_persons(connect(db))[0].branch == "第一支部"


def test_votes_follow_current_meeting_and_update(tmp_path: Path, capsys, fixed_clock) -> None:
    db = tmp_path / "e.db"
    rows = register_rows(40)
    main(["import-register", "--db", str(db), str(write_csv(rows, tmp_path / "a.csv"))])
    conn = connect(db)
    m = create_meeting(conn, code="party", title="党员大会", community="翠湖社区",
                       organisation="party_committee", rules=RuleSet.PARTY, form=Form.ASSEMBLY,
                       date="2026-11-22", make_current=True, clock=fixed_clock, actor="test")
    assert getattr(m, "code", None) == "party", m
    capsys.readouterr()
    assert main(["register", "--db", str(db), "--json"]) == 0
    got = json.loads(capsys.readouterr().out)
    want = [r["人员类别"] == "正式党员" for r in rows]
    assert [p["votes"] for p in got] == want
    assert any(want) and not all(want)
    # re-import with one change: --update shows it and applies it
    new = [dict(r) for r in rows]
    new[0]["居民小组"] = "第99居民小组"
    src = write_csv(new, tmp_path / "b.csv")
    assert main(["import-register", "--db", str(db), str(src), "--update", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "变更 1 人" in out and "第99居民小组" in out
    assert persons.list_persons(connect(db))[0].resident_group == rows[0]["居民小组"]
    assert main(["import-register", "--db", str(db), str(src), "--update"]) == 0
    assert persons.list_persons(connect(db))[0].resident_group == "第99居民小组"


def test_a_row_with_two_bad_fields_is_one_line(tmp_path: Path, capsys) -> None:
    src = tmp_path / "two.csv"
    src.write_text("姓名,性别,是否选民\r\n张三,男,是\r\n李四,未知,大概\r\n", encoding="utf-8")
    assert main(["import-register", "--db", str(tmp_path / "e.db"), str(src)]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line == "two.csv 第3行「性别」：性别「未知」无法识别（应为 男 或 女）；「是否选民」：「大概」应为 是 或 否"
