"""`pollday meeting|exclusion|leave|desk-setup|elector`: a real election set up from a shell,
through the console script on real SQLite files."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from meeting_setup_csv import id_number, write_register_csv
from pdtest import pollday_cmd

from app.cli import main

PARTY = ("--code", "party", "--title", "中共翠湖社区委员会换届选举党员大会", "--community",
         "新华街道翠湖社区", "--organisation", "party_committee", "--rules", "party-2020",
         "--form", "assembly", "--date", "2026-12-01")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True, timeout=60,
                          encoding="utf-8")


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def fast(capsys: pytest.CaptureFixture[str], *args: str) -> Result:
    """The same command in this process (the refusals and usage errors: many, each quick)."""
    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return Result(code, out.out, out.err)


def done(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """A follow-up command in this process (its subprocess run is elsewhere in this file)."""
    r = fast(capsys, *args)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def ok(*args: str) -> str:
    r = run(*args)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def test_meeting_create_list_use_and_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "new" / "e.db")
    out = ok("meeting", "create", "--db", db, *PARTY, "--venue", "社区活动中心",
             "--option", "quorum_inclusive=true")
    assert "已建立会议 party" in out and "当前会议" in out
    done(capsys, "meeting", "create", "--db", db, "--code", "res", "--title", "居委会选举大会",
       "--community", "翠湖社区", "--organisation", "居民委员会", "--rules", "residents-2025",
       "--form", "household", "--date", "2026-12-08")
    got = json.loads(ok("meeting", "list", "--db", db, "--json"))
    assert [(m["code"], m["current"], m["form"]) for m in got] == [
        ("party", True, "assembly"), ("res", False, "household")]
    assert got[0]["options"] == {"quorum_inclusive": True} and got[0]["venue"] == "社区活动中心"
    assert "当前会议：res" in ok("meeting", "use", "res", "--db", db)
    assert "* res" in ok("meeting", "list", "--db", db)
    out = ok("meeting", "set-option", "--db", db, "runoff_turnout_required=false")
    assert "runoff_turnout_required=false" in out
    # Errors name the field; usage is exit 2, a refusal exit 1.
    r = fast(capsys, "meeting", "create", "--db", db, *PARTY[:-4], "--form", "all", "--date", "2026-12-01")
    assert r.returncode == 2 and "--form" in r.stderr and "assembly（党员大会）" in r.stderr
    r = fast(capsys, "meeting", "create", "--db", db, *PARTY[:-2], "--date", "2026-13-01")
    assert r.returncode == 2 and "--date" in r.stderr
    r = fast(capsys, "meeting", "create", "--db", db, *PARTY, "--option", "quorum=1")
    assert r.returncode == 2 and "--option" in r.stderr and "quorum_inclusive" in r.stderr
    r = fast(capsys, "meeting", "create", "--db", db, *PARTY)
    assert r.returncode == 1 and "CODE_TAKEN" in r.stderr
    r = fast(capsys, "meeting", "use", "nope", "--db", db)
    assert r.returncode == 2 and "CODE" in r.stderr and "party、res" in r.stderr
    r = fast(capsys, "meeting", "list", "--db", str(tmp_path / "missing.db"))
    assert r.returncode == 2 and "--db" in r.stderr


def test_exclusions_leaves_desks_and_a_sign_in(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "e.db")
    ok("meeting", "create", "--db", db, *PARTY)
    ok("import-register", "--db", db, str(write_register_csv(tmp_path / "名册.csv")))
    # By ID number; 应到 drops from 4 (正式党员) to 3.
    out = ok("exclusion", "add", id_number(0), "--db", db, "--reason", "abroad",
             "--approval", "街党工委〔2026〕12号", "--date", "2026-11-10")
    assert "曾凡荣" in out and "应到 3 人" in out
    r = fast(capsys, "exclusion", "add", "5", "--db", db, "--reason", "abroad", "--approval", "X",
            "--date", "2026-11-10")  # 吉祥 is 预备党员: has no vote, so nothing to exclude
    assert r.returncode == 1 and "NO_VOTE" in r.stderr
    r = fast(capsys, "exclusion", "add", "2", "--db", db, "--reason", "holiday", "--approval", "X",
            "--date", "2026-11-10")
    assert r.returncode == 2 and "--reason" in r.stderr and "自费出国半年以上" in r.stderr
    r = fast(capsys, "exclusion", "add", "2", "--db", db, "--reason", "illness", "--approval", " ",
            "--date", "2026-11-10")
    assert r.returncode == 2 and "--approval" in r.stderr
    r = fast(capsys, "exclusion", "add", "99", "--db", db, "--reason", "illness", "--approval", "X",
            "--date", "2026-11-10")
    assert r.returncode == 2 and "PERSON" in r.stderr
    got = json.loads(ok("exclusion", "list", "--db", db, "--json"))
    assert got == [{"person_id": 1, "name": "曾凡荣", "reason": "abroad",
                    "approval": "街党工委〔2026〕12号", "date": "2026-11-10", "detail": ""}]
    r = fast(capsys, "exclusion", "lift", "1", "--db", db)
    assert r.returncode == 2 and "--why" in r.stderr
    assert "应到 4 人" in ok("exclusion", "lift", "1", "--db", db, "--why", "已回国")
    # 请假 still counts in 应到.
    assert "应到 4 人" in ok("leave", "add", "2", "--db", db, "--reason", "出差")
    assert fast(capsys, "leave", "add", "2", "--db", db).returncode == 1
    assert "王秀兰  出差" in ok("leave", "list", "--db", db)
    done(capsys, "leave", "remove", "2", "--db", db)
    assert fast(capsys, "leave", "remove", "2", "--db", db).returncode == 1
    # Desks with their scope; the sync command `pollday desk` is untouched.
    ok("desk-setup", "add", "--db", db, "--name", "一号台", "--scope", "第一党支部")
    done(capsys, "desk-setup", "add", "--db", db, "--name", "二号台", "--scope", "第二党支部，第三党支部")
    assert fast(capsys, "desk-setup", "add", "--db", db, "--name", "一号台").returncode == 1
    got = json.loads(ok("desk-setup", "list", "--db", db, "--json"))
    assert got == [{"name": "一号台", "scope": ["第一党支部"]},
                   {"name": "二号台", "scope": ["第二党支部", "第三党支部"]}]
    r = fast(capsys, "desk-setup", "remove", "--db", db, "--name", "三号台")
    assert r.returncode == 2 and "--name" in r.stderr
    ok("desk-setup", "remove", "--db", db, "--name", "二号台")
    # The set-up database signs people in.
    out = ok("sign-in", "--db", db, "--desk", "一号台", id_number(1))
    assert "王秀兰" in out
    # Electors belong to a plenary only.
    r = fast(capsys, "elector", "add", "1", "--db", db)
    assert r.returncode == 1 and "NOT_PLENARY" in r.stderr


def test_plenary_electors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "e.db")
    ok("meeting", "create", "--db", db, "--code", "plenary", "--title", "委员会第一次全体会议",
       "--community", "翠湖社区", "--organisation", "party_committee", "--rules", "party-2020",
       "--form", "plenary", "--date", "2026-12-02")
    ok("import-register", "--db", db, str(write_register_csv(tmp_path / "名册.csv")))
    assert "已添加选举人 3 名" in ok("elector", "add", "1", "2", id_number(2), "--db", db)
    assert "已添加选举人 0 名" in done(capsys, "elector", "add", "1", "--db", db)
    ok("elector", "remove", "2", "--db", db)
    assert fast(capsys, "elector", "remove", "2", "--db", db).returncode == 1
    got = json.loads(ok("elector", "list", "--db", db, "--json"))
    assert got == [{"person_id": 1, "name": "曾凡荣"}, {"person_id": 3, "name": "欧阳红梅"}]
