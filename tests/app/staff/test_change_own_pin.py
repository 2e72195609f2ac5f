"""A member changes their own PIN (修改本人PIN): the current PIN checked and throttled as at
sign-on, the same PIN rules as when set, audited; a 主持人 reset marks 须修改PIN until then."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from app.audit_catalogue import describe
from app.clock import FixedClock
from app.meetings.core import Refusal
from app.permissions import Actor
from app.staff import (
    THROTTLE_FREE,
    add_staff,
    change_own_pin,
    must_change_pin,
    reset_pin,
    sign_on,
)
from db.connection import connect

T0 = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _clock() -> FixedClock:
    return FixedClock(T0)


def _two(conn: sqlite3.Connection) -> Actor:
    assert not isinstance(add_staff(conn, "赵主持", ["签到员"], "246810", actor="",
                                    clock=_clock()), Refusal)
    host = sign_on(conn, "赵主持", "246810", clock=_clock())
    assert isinstance(host, Actor)
    assert not isinstance(add_staff(conn, "钱监票", ["监票人"], "135792", actor=host,
                                    clock=_clock()), Refusal)
    return host


def _audit(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    return [(str(a), str(b)) for a, b in
            conn.execute("SELECT actor, action FROM audit ORDER BY id").fetchall()]


def test_a_member_changes_their_own_pin_and_it_is_audited(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    _two(conn)
    got = change_own_pin(conn, "钱监票", "135792", "580314", clock=_clock(), where="计票电脑")
    assert not isinstance(got, Refusal), got
    assert isinstance(sign_on(conn, "钱监票", "580314", clock=_clock()), Actor)
    assert isinstance(sign_on(conn, "钱监票", "135792", clock=_clock()), Refusal)
    assert ("钱监票", "staff_pin_changed") in _audit(conn)
    row = conn.execute("SELECT detail FROM audit WHERE action = 'staff_pin_changed'").fetchone()
    assert "580314" not in row[0] and "135792" not in row[0]   # never a PIN in the audit
    words = describe("staff_pin_changed", {"name": "钱监票", "where": "计票电脑"})
    assert "钱监票" in words and "修改" in words
    conn.close()
    assert b"580314" not in (tmp_path / "e.db").read_bytes()


def test_a_wrong_current_pin_is_counted_and_throttled_as_at_sign_on(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    _two(conn)
    for _k in range(THROTTLE_FREE):
        got = change_own_pin(conn, "钱监票", "999990", "580314", clock=_clock())
        assert isinstance(got, Refusal) and got.code == "PIN_WRONG", got
    assert "秒后再试" in got.message
    got = change_own_pin(conn, "钱监票", "135792", "580314", clock=_clock())   # right, but waits
    assert isinstance(got, Refusal) and got.code == "PIN_WAIT"
    assert [a for a in _audit(conn) if a[1] == "staff_pin_wrong"] == \
        [("钱监票", "staff_pin_wrong")] * THROTTLE_FREE
    assert ("钱监票", "staff_pin_changed") not in _audit(conn)
    assert isinstance(sign_on(conn, "钱监票", "135792", clock=FixedClock(
        T0 + dt.timedelta(minutes=10))), Actor)   # the PIN did not change


def test_a_weak_or_unchanged_new_pin_is_refused_and_nothing_changes(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    _two(conn)
    before = _audit(conn)
    for new in ("111111", "123456", "12345", "abcdef", "135792"):
        got = change_own_pin(conn, "钱监票", "135792", new, clock=_clock())
        assert isinstance(got, Refusal) and got.code == "PIN", (new, got)
        assert new not in got.message
    assert _audit(conn) == before
    assert isinstance(sign_on(conn, "钱监票", "135792", clock=_clock()), Actor)


def test_a_host_reset_marks_must_change_until_the_member_changes_it(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    host = _two(conn)
    assert not must_change_pin(conn, "钱监票")
    assert not isinstance(reset_pin(conn, "钱监票", "864200", actor=host, clock=_clock()),
                          Refusal)
    assert must_change_pin(conn, "钱监票") and not must_change_pin(conn, "赵主持")
    assert not isinstance(change_own_pin(conn, "钱监票", "864200", "580314", clock=_clock()),
                          Refusal)
    assert not must_change_pin(conn, "钱监票")
