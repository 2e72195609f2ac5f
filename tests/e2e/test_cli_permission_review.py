"""The permission review's gaps through real `pollday` processes where a staff list exists:
`pollday meeting use` (switching the current meeting) and the first print of scannable ballots
(it records the round's layout) are the 主持人's; a refusal exits 1 with who may, writing nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app import meetings
from app.clock import FixedClock
from app.model import Form, Meeting, Organisation, RuleSet
from app.scan.setup import set_print_setting
from app.staff import sign_on
from db.connection import connect
from tests.e2e.test_cli_staff import PIN, T0, _venue, counts, run


def _current(path: Path) -> list[str]:
    raw = sqlite3.connect(path)
    try:
        return [r[0] for r in raw.execute("SELECT code FROM meeting WHERE is_current = 1")]
    finally:
        raw.close()


def _layouts(path: Path) -> int:
    raw = sqlite3.connect(path)
    try:
        return int(raw.execute("SELECT count(*) FROM scan_layout").fetchone()[0])
    finally:
        raw.close()


def test_switching_the_meeting_and_printing_scannable_ballots_are_the_hosts(
        tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    _venue(db)
    clock = FixedClock(T0, 1.0)
    conn = connect(db)
    host = sign_on(conn, "赵主持", PIN, clock=clock)
    other = meetings.create_meeting(conn, code="m2", title="另一会议", community="幸福社区",
                                    organisation=Organisation.PARTY_BRANCH, rules=RuleSet.PARTY,
                                    form=Form.ASSEMBLY, date="2026-11-23", clock=clock,
                                    actor=host)
    assert isinstance(other, Meeting), other
    mid = next(m.id for m in meetings.list_meetings(conn) if m.code == "m")
    assert not isinstance(meetings.set_current(conn, mid, clock=clock, actor=host),
                          meetings.Refusal)
    assert not isinstance(set_print_setting(conn, mid, markers=True, qr=False, actor=host,
                                            clock=clock), meetings.Refusal)
    conn.close()

    before, current = counts(db), _current(db)
    clerk = run("meeting", "use", "--db", db, "--operator", "孙计票", "m2", pin=PIN)
    assert clerk.returncode == 1 and "只有主持人可以操作" in clerk.stderr, clerk.stderr
    assert "孙计票（计票人）不能操作" in clerk.stderr
    nobody = run("meeting", "use", "--db", db, "m2")
    assert nobody.returncode == 1 and "请先选择本人姓名并输入PIN登录" in nobody.stderr
    assert counts(db) == before and _current(db) == current == ["m"]
    done = run("meeting", "use", "--db", db, "--operator", "赵主持", "m2", pin=PIN)
    assert done.returncode == 0 and "当前会议：m2" in done.stdout, done.stderr
    assert _current(db) == ["m2"]

    out = tmp_path / "scan.pdf"
    before = counts(db)
    for extra, pin in (((), None), (("--operator", "孙计票"), PIN)):
        got = run("print", "scan-ballots", "--db", db, "--meeting", "m", "--out", out, *extra,
                  pin=pin)
        assert got.returncode == 1 and "只有主持人可以操作" in got.stderr, got.stderr
        assert not out.exists()
    assert counts(db) == before and _layouts(db) == 0
    printed = run("print", "scan-ballots", "--db", db, "--meeting", "m", "--out", out,
                  "--operator", "赵主持", pin=PIN)
    assert printed.returncode == 0 and out.exists(), printed.stderr
    assert _layouts(db) == 1
