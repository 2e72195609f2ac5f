"""`pollday staff set-roles`: the 主持人 (signed on with POLLDAY_PIN) changes a member's roles,
总监票人 flag and linked register person; refused (exit 1, the reason, nothing written) for
anyone else, for a candidate made 监票人 and for the last 主持人."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.test_cli_staff import PIN, _venue, counts, run


def test_set_roles_by_the_host_refused_for_others(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    _venue(db)
    before = counts(db)
    clerk = run("staff", "--db", db, "--operator", "钱签到", "set-roles", "孙计票",
                "--role", "监票人", pin=PIN)
    assert clerk.returncode == 1 and "只有主持人可以操作" in clerk.stderr
    cand = run("staff", "--db", db, "--operator", "赵主持", "set-roles", "钱签到",
               "--role", "监票人", "--person", "1", pin=PIN)   # person 1 is the candidate 甲一
    assert cand.returncode == 1 and "不得由候选人担任" in cand.stderr
    last = run("staff", "--db", db, "--operator", "赵主持", "set-roles", "赵主持",
               "--role", "签到员", pin=PIN)
    assert last.returncode == 1 and "唯一的主持人" in last.stderr
    assert counts(db) == before
    ok = run("staff", "--db", db, "--operator", "赵主持", "set-roles", "孙计票",
             "--role", "监票人", "--role", "计票人", "--chief", pin=PIN)
    assert ok.returncode == 0, ok.stderr
    assert "孙计票（计票人、监票人（总监票人））" in ok.stdout
    listed = run("staff", "--db", db, "list", "--json")
    sun = next(m for m in json.loads(listed.stdout) if m["name"] == "孙计票")
    assert sun["roles"] == ["teller", "scrutineer"] and sun["chief"] is True
    unlink = run("staff", "--db", db, "--operator", "赵主持", "set-roles", "孙计票",
                 "--role", "计票人", "--no-person", pin=PIN)
    assert unlink.returncode == 0, unlink.stderr
