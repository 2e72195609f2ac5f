"""`pollday staff set-pin --operator NAME`: a member changes their own PIN as a real process —
the current PIN from POLLDAY_PIN (checked and throttled as at sign-on), the new one from
POLLDAY_NEW_PIN (the same PIN rules); exit 1 with the reason and nothing changed when refused."""

from __future__ import annotations

from pathlib import Path

from app.clock import FixedClock
from app.meetings.core import Refusal
from app.permissions import Actor
from app.staff import add_staff, must_change_pin, sign_on
from db.connection import connect
from tests.e2e.test_cli_staff import PIN, T0, counts, run


def _two(path: Path) -> None:
    clock = FixedClock(T0, 1.0)
    conn = connect(path)
    assert not isinstance(add_staff(conn, "赵主持", ["主持人"], PIN, actor="", clock=clock), Refusal)
    host = sign_on(conn, "赵主持", PIN, clock=clock)
    assert isinstance(host, Actor)
    assert not isinstance(add_staff(conn, "周监票", ["监票人"], PIN, actor=host, clock=clock),
                          Refusal)
    conn.close()


def _signs_on(path: Path, name: str, pin: str) -> bool:
    conn = connect(path)
    try:
        return isinstance(sign_on(conn, name, pin, clock=FixedClock(T0)), Actor)
    finally:
        conn.close()


def test_set_pin_changes_only_ones_own_pin_and_refuses_bad_input(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    _two(db)
    before = counts(db)
    weak = run("staff", "--db", db, "set-pin", "--operator", "周监票", pin=PIN, new_pin="123456")
    assert weak.returncode == 1 and "太容易猜到" in weak.stderr
    no_pin = run("staff", "--db", db, "set-pin", "--operator", "周监票", new_pin="580314")
    assert no_pin.returncode == 1 and "POLLDAY_PIN" in no_pin.stderr
    assert counts(db) == before
    wrong = run("staff", "--db", db, "set-pin", "--operator", "周监票", pin="999990",
                new_pin="580314")
    assert wrong.returncode == 1 and "PIN不正确" in wrong.stderr
    assert _signs_on(db, "周监票", PIN)
    # the 主持人 resets it: 须修改PIN until 周监票 picks their own
    reset = run("staff", "--db", db, "--operator", "赵主持", "reset-pin", "周监票", pin=PIN,
                new_pin="864200")
    assert reset.returncode == 0, reset.stderr
    conn = connect(db)
    assert must_change_pin(conn, "周监票")
    conn.close()
    ok = run("staff", "--db", db, "set-pin", "--operator", "周监票", pin="864200",
             new_pin="580314")
    assert ok.returncode == 0, ok.stderr
    assert "周监票 的PIN已修改" in ok.stdout
    assert _signs_on(db, "周监票", "580314") and not _signs_on(db, "周监票", "864200")
    conn = connect(db)
    assert not must_change_pin(conn, "周监票")
    actions = [r[0] for r in conn.execute("SELECT actor FROM audit WHERE action ="
                                          " 'staff_pin_changed'")]
    conn.close()
    assert actions == ["周监票"]
    assert _signs_on(db, "赵主持", PIN)   # the other member's PIN is untouched
