"""Issue 15 leftovers: a backup by hand and host mode check the permission inside the use case
(app.export.backup.backup_database, app.sync.host.Host), so no caller can skip it: refused
where a staff list exists unless the 主持人 asks, with the words that say who may, and nothing
written; the periodic backup (no person asked for it) goes on; open mode is as before."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.export.backup import Backup, backup_database
from app.meetings.core import Refusal
from app.model import RuleSet
from app.permissions import Actor, Denied
from app.staff import add_staff, sign_on
from app.sync.host import Host, HostRefused
from db.connection import connect
from tests.app.voting.voting_venue import small_meeting

T0 = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CLOCK = FixedClock(T0)
REFUSED = "只有主持人可以操作"


@pytest.fixture()
def venue(tmp_path: Path) -> tuple[Path, Actor, Actor]:
    db = tmp_path / "e.db"
    conn = connect(db)
    small_meeting(conn, CLOCK, RuleSet.PARTY, voters=4, candidates=["甲一"], seats=1)
    assert not isinstance(add_staff(conn, "赵主持", [], "246810", actor="", clock=CLOCK), Refusal)
    host = sign_on(conn, "赵主持", "246810", clock=CLOCK)
    assert isinstance(host, Actor)
    assert not isinstance(add_staff(conn, "钱签到", ["签到员"], "135792", actor=host,
                                    clock=CLOCK), Refusal)
    clerk = sign_on(conn, "钱签到", "135792", clock=CLOCK)
    assert isinstance(clerk, Actor)
    conn.close()
    return db, host, clerk


def _audit(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [str(r[0]) for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    finally:
        conn.close()


def test_a_backup_by_hand_is_the_hosts_inside_the_use_case(venue, tmp_path: Path) -> None:
    db, host, clerk = venue
    stick = tmp_path / "stick"
    for who in (clerk, "赵主持", None):   # a 签到员, the host's name without a PIN, nobody
        got = backup_database(db, stick, at=T0, actor=who)
        assert isinstance(got, Denied) and REFUSED in got.message, got
    assert not stick.exists() or list(stick.iterdir()) == []
    got = backup_database(db, stick, at=T0, actor=host)
    assert isinstance(got, Backup) and got.path.is_file()
    periodic = backup_database(db, tmp_path / "auto", at=T0, keep=5, periodic=True)
    assert isinstance(periodic, Backup)


def test_open_mode_backs_up_for_anyone(tmp_path: Path) -> None:
    db = tmp_path / "open.db"
    conn = connect(db)
    small_meeting(conn, CLOCK, RuleSet.PARTY, voters=3, candidates=["甲一"], seats=1)
    conn.close()
    assert isinstance(backup_database(db, tmp_path / "s", at=T0), Backup)


def test_host_mode_is_the_hosts_inside_the_use_case(venue) -> None:
    db, host, clerk = venue
    before = _audit(db)
    for who in (clerk, "赵主持", None):
        with pytest.raises(HostRefused) as refused:
            Host(db, "m", actor=who)
        assert REFUSED in refused.value.message
    assert _audit(db) == before   # no host identity made, nothing written
    started = Host(db, "m", actor=host)
    started.close()
    assert "sync_host_created" in _audit(db)[len(before):]
