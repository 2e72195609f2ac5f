"""Whether a staff list exists (app.staff.has_staff, one EXISTS query): the window's bands and
permissions.enforced ask this without reading the whole list."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from app.clock import FixedClock
from app.meetings import Refusal
from app.permissions import Actor, enforced
from app.staff import add_staff, has_staff, remove_staff, sign_on
from db.connection import connect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def test_has_staff_follows_the_list(db_path, fixed_clock: FixedClock) -> None:
    conn = connect(db_path)
    assert not has_staff(conn) and not enforced(conn)
    assert not isinstance(add_staff(conn, "赵主持", ["主持人"], "246810", actor="",
                                    clock=fixed_clock), Refusal)
    assert has_staff(conn) and enforced(conn)
    host = sign_on(conn, "赵主持", "246810", clock=fixed_clock)
    assert isinstance(host, Actor)
    assert not isinstance(add_staff(conn, "周监票", ["监票人"], "246810", actor=host,
                                    clock=fixed_clock), Refusal)
    assert not isinstance(remove_staff(conn, "周监票", actor=host, clock=fixed_clock), Refusal)
    assert has_staff(conn)                                  # the 主持人 is still listed
    conn.execute("UPDATE staff SET removed_at = '2026-11-22T09:00:00+08:00'")   # all gone
    assert not has_staff(conn) and not enforced(conn)
    conn.close()


def test_a_database_from_before_staff_lists_read_only_has_none(tmp_path: Path) -> None:
    old = tmp_path / "v5.db"
    shutil.copy(FIXTURES / "schema-v5.db", old)
    conn = sqlite3.connect(f"file:{old}?mode=ro", uri=True)   # not upgraded: no staff table
    assert not has_staff(conn)
    conn.close()
