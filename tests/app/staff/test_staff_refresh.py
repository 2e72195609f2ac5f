"""The staff list reaches a joined desk with the register refresh (names, roles, PIN hashes), so
its staff sign on there without the host; the desk's own wrong-PIN throttle is kept, and a wrong
PIN typed on the host does not make every desk fetch the register again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.clock import FixedClock
from app.meetings import Refusal
from app.permissions import Actor
from app.staff import add_staff, remove_staff, sign_on
from app.sync import register
from db import sync as q
from db.connection import connect
from db.tx import transaction
from tests.app.sync.sync_venue import copy_db, make_assembly

CLOCK = FixedClock(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))


def test_desk_takes_the_staff_list_and_keeps_its_throttle(tmp_path: Path) -> None:
    host = tmp_path / "host.db"
    make_assembly(host, 10)
    desk = tmp_path / "desk.db"
    copy_db(host, desk)
    d = connect(desk)
    with transaction(d):
        register.record_joined(d)
    h = connect(host)
    v0 = q.register_version(h)
    assert not isinstance(add_staff(h, "赵主持", ["主持人"], "246810", actor="", clock=CLOCK), Refusal)
    chair = sign_on(h, "赵主持", "246810", clock=CLOCK)
    assert isinstance(chair, Actor)
    for name in ("钱签到", "孙签到"):
        assert not isinstance(add_staff(h, name, ["签到员"], "135792", actor=chair, clock=CLOCK),
                              Refusal)
    v1 = q.register_version(h)
    assert v1 != v0
    assert isinstance(sign_on(h, "钱签到", "000001", clock=CLOCK), Refusal)    # the host's own
    assert q.register_version(h) == v1                                      # throttle: no change
    h.close()

    assert isinstance(sign_on(d, "钱签到", "135792", clock=CLOCK), Refusal)   # not on the desk yet
    copy = tmp_path / "copy.db"
    src = connect(host)
    q.copy_register_for_desk(src, copy)   # what the host sends
    src.close()
    change = register.take(d, copy, desk="一号台", clock=CLOCK)
    assert "staff" in change.lists and "工作人员名单有变" in register.describe(change)
    clerk = sign_on(d, "钱签到", "135792", clock=CLOCK, where="一号台")
    assert isinstance(clerk, Actor) and clerk.roles_zh() == "签到员"
    for _ in range(3):
        assert isinstance(sign_on(d, "孙签到", "000002", clock=CLOCK), Refusal)
    assert d.execute("SELECT failed FROM staff WHERE name = '孙签到'").fetchone() == (3,)

    h = connect(host)
    chair = sign_on(h, "赵主持", "246810", clock=CLOCK)
    assert isinstance(chair, Actor)
    assert not isinstance(remove_staff(h, "钱签到", actor=chair, clock=CLOCK), Refusal)
    h.close()
    change = register.take(d, host, desk="一号台", clock=CLOCK)
    assert "staff" in change.lists
    assert isinstance(sign_on(d, "钱签到", "135792", clock=CLOCK), Refusal)   # removed there too
    assert d.execute("SELECT failed FROM staff WHERE name = '孙签到'").fetchone() == (3,)
    assert d.execute("PRAGMA foreign_key_check").fetchall() == []
    d.close()
