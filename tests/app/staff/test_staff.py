"""The staff list: PINs stored only as scrypt hashes, the first member is the 主持人, only a
signed-on 主持人 manages the list, wrong PINs are throttled (kept in the database) and audited."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from app.clock import FixedClock
from app.meetings.core import Refusal
from app.permissions import Actor, Role
from app.staff import (
    THROTTLE_FREE,
    add_staff,
    list_staff,
    remove_staff,
    reset_pin,
    sign_on,
    throttle_delay_s,
)
from db.connection import connect

T0 = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _clock() -> FixedClock:
    return FixedClock(T0)


def _host(conn: sqlite3.Connection) -> Actor:
    got = add_staff(conn, "赵主持", ["签到员"], "246810", actor="", clock=_clock())
    assert not isinstance(got, Refusal), got
    actor = sign_on(conn, "赵主持", "246810", clock=_clock())
    assert isinstance(actor, Actor)
    return actor


def test_first_member_is_the_host_and_the_pin_is_never_stored_in_clear(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    host = _host(conn)
    assert host.verified and host.has(Role.HOST) and host.has(Role.DESK)
    assert [(m.name, m.roles_zh) for m in list_staff(conn)] == [("赵主持", "主持人、签到员")]
    conn.close()
    assert b"246810" not in (tmp_path / "e.db").read_bytes()
    raw = sqlite3.connect(tmp_path / "e.db")
    h, salt, n = raw.execute("SELECT pin_hash, pin_salt, pin_n FROM staff").fetchone()
    assert len(h) == 64 and len(salt) == 32 and n >= 2 ** 14


def test_only_a_signed_on_host_manages_the_list(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    host = _host(conn)
    clerk = add_staff(conn, "钱签到", ["签到员"], "135792", actor=host, clock=_clock())
    assert not isinstance(clerk, Refusal)
    desk = sign_on(conn, "钱签到", "135792", clock=_clock())
    assert isinstance(desk, Actor) and not desk.has(Role.HOST)
    before = conn.execute("SELECT count(*) FROM audit").fetchone()[0]
    for who in (desk, "赵主持"):   # a clerk; the host's name typed without a PIN
        got = add_staff(conn, "孙某", ["计票人"], "975310", actor=who, clock=_clock())
        assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED"
        assert "只有主持人可以操作" in got.message
        got = reset_pin(conn, "钱签到", "864200", actor=who, clock=_clock())
        assert isinstance(got, Refusal) and "只有主持人" in got.message
        assert isinstance(remove_staff(conn, "钱签到", actor=who, clock=_clock()), Refusal)
    assert [m.name for m in list_staff(conn)] == ["赵主持", "钱签到"]
    assert conn.execute("SELECT count(*) FROM audit").fetchone()[0] == before
    assert not isinstance(reset_pin(conn, "钱签到", "864200", actor=host, clock=_clock()), Refusal)
    assert isinstance(sign_on(conn, "钱签到", "864200", clock=_clock()), Actor)
    assert not isinstance(remove_staff(conn, "钱签到", actor=host, clock=_clock()), Refusal)
    assert isinstance(sign_on(conn, "钱签到", "864200", clock=_clock()), Refusal)
    last = remove_staff(conn, "赵主持", actor=host, clock=_clock())
    assert isinstance(last, Refusal) and last.code == "LAST_HOST"


def test_weak_or_short_pins_are_refused(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    for pin in ("12345", "123456", "111111", "98765a", "６６６６６６"):
        got = add_staff(conn, "赵主持", [], pin, actor="", clock=_clock())
        assert isinstance(got, Refusal) and got.code == "PIN", pin
    assert list_staff(conn) == []


def test_wrong_pins_wait_longer_each_time_kept_in_the_database_and_audited(tmp_path: Path
                                                                           ) -> None:
    conn = connect(tmp_path / "e.db")
    _host(conn)
    clock = FixedClock(T0)
    for _ in range(THROTTLE_FREE):
        got = sign_on(conn, "赵主持", "000001", clock=clock, where="一号台")
        assert isinstance(got, Refusal) and got.code == "PIN_WRONG", got
    assert "5 秒后再试" in got.message
    conn.close()
    conn = connect(tmp_path / "e.db")     # the wait survives closing the program
    waiting = sign_on(conn, "赵主持", "246810", clock=FixedClock(T0 + dt.timedelta(seconds=4)))
    assert isinstance(waiting, Refusal) and waiting.code == "PIN_WAIT"
    assert "08:30:05" in waiting.message
    later = FixedClock(T0 + dt.timedelta(seconds=5))
    assert isinstance(sign_on(conn, "赵主持", "246810", clock=later), Actor)
    rows = conn.execute("SELECT actor, outcome, detail FROM audit WHERE action ="
                        " 'staff_pin_wrong'").fetchall()
    assert len(rows) == THROTTLE_FREE and all(r[1] == "refused" for r in rows)
    assert '"where":"一号台"' in rows[0][2] and "000001" not in str(rows)
    assert conn.execute("SELECT failed, locked_until FROM staff").fetchone() == (0, "")
    assert [throttle_delay_s(k) for k in range(2, 12)] == [0, 5, 10, 20, 40, 80, 160, 300, 300,
                                                           300]


def test_a_candidate_can_never_be_teller_or_scrutineer(tmp_path: Path) -> None:
    from tests.app.voting.voting_venue import small_meeting

    conn = connect(tmp_path / "e.db")
    from app.model import RuleSet

    small_meeting(conn, _clock(), RuleSet.PARTY, voters=5, candidates=["甲一", "乙二"], seats=1)
    host = _host(conn)
    got = add_staff(conn, "甲一", ["监票人"], "135792", actor=host, clock=_clock())
    assert isinstance(got, Refusal) and got.code == "OFFICIAL_IS_CANDIDATE" and "甲一" in got.message
    ok = add_staff(conn, "甲一", ["签到员"], "135792", actor=host, clock=_clock())
    assert not isinstance(ok, Refusal)
    pid = conn.execute("SELECT id FROM person WHERE name = '乙二'").fetchone()[0]
    linked = add_staff(conn, "乙二（工作名）", ["计票人"], "135792", actor=host, clock=_clock(),
                       person_id=pid)
    assert isinstance(linked, Refusal) and linked.code == "OFFICIAL_IS_CANDIDATE"


def test_a_database_from_before_staff_lists_upgrades_into_open_mode(tmp_path: Path) -> None:
    """schema-v5 (the last release without staff) upgrades with no staff list: free-text
    operators keep working and the old operators stay as they were recorded."""
    import shutil

    from app import attendance as att
    from app.meetings import resolve_meeting
    from app.model import Meeting
    from app.permissions import enforced
    from tests.pdtest import FIXTURES

    path = tmp_path / "old.db"
    shutil.copy(FIXTURES / "schema-v5.db", path)
    before = sqlite3.connect(path).execute("SELECT operator FROM attendance_event ORDER BY id"
                                           ).fetchall()
    conn = connect(path)
    assert list_staff(conn) == [] and not enforced(conn)
    assert conn.execute("SELECT operator FROM attendance_event ORDER BY id").fetchall() == before
    m = resolve_meeting(conn, "party")
    assert isinstance(m, Meeting)
    got = att.sign_out(conn, m, 1, "一号台", "gui:root", _clock())
    assert got.outcome.value in ("signed_out", "already_out"), got
