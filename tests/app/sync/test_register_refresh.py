"""A joined desk takes the host's register (db.sync.merge_register through app.sync.register):
persons added, corrected, removed, tokens moved between persons, leave / exclusion lists
replaced; the desk's own attendance events untouched; all or nothing."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from app import attendance as att
from app.clock import FixedClock
from app.meetings import resolve_meeting
from app.meetings.items import add_desk, add_exclusion, add_leave, list_desks
from app.model import ExclusionReason, Meeting, PartyStatus
from app.register.diff import current_records
from app.register.store import PersonRecord, add_persons
from app.sync import register
from db import persons as db_persons
from db import sync as q
from db.connection import connect
from db.tx import transaction
from tests.app.sync.sync_venue import NOW, copy_db, make_assembly

CLOCK = FixedClock(dt.datetime(2026, 11, 22, 9, 0), 1.0)


@pytest.fixture
def host_and_desk(tmp_path: Path) -> tuple[Path, Path, list[str]]:
    host = tmp_path / "host.db"
    _m, tokens = make_assembly(host, 30)
    desk = tmp_path / "desk.db"
    copy_db(host, desk)
    conn = connect(desk)
    with transaction(conn):
        register.record_joined(conn)
    conn.close()
    return host, desk, tokens


def _meeting(conn: sqlite3.Connection) -> Meeting:
    m = resolve_meeting(conn, None)
    assert isinstance(m, Meeting)
    return m


def _pid(conn: sqlite3.Connection, token: str) -> int:
    return int(conn.execute("SELECT id FROM person WHERE token = ?", (token,)).fetchone()[0])


def test_desk_takes_what_changed_on_the_host(host_and_desk, tmp_path: Path) -> None:
    host, desk, tokens = host_and_desk
    d = connect(desk)
    m = _meeting(d)
    for t in tokens[:5]:                      # the desk signed in five before the change
        assert att.sign_in(d, m, t, "一号台", "op", CLOCK).outcome == "signed_in"
    events_before = d.execute("SELECT * FROM attendance_event ORDER BY id").fetchall()
    assert register.taken_version(d) == register.version_of(host)

    h = connect(host)
    late = add_persons(h, [PersonRecord("迟到党员", party_status=PartyStatus.FULL)], NOW)[0]
    a, b = _pid(h, tokens[10]), _pid(h, tokens[11])
    with transaction(h):                      # two cards swapped, a name corrected
        h.execute("UPDATE person SET token = 'x' WHERE id = ?", (a,))
        h.execute("UPDATE person SET token = ? WHERE id = ?", (tokens[10], b))
        h.execute("UPDATE person SET token = ? WHERE id = ?", (tokens[11], a))
        fixed = _pid(h, tokens[12])
        rec = replace(current_records(h)[fixed], name="欧阳小明")
        db_persons.update_person(h, fixed, {"name": rec.name})
        db_persons.replace_keys(h, fixed, rec.keys())
        h.execute("DELETE FROM person_key WHERE person_id = (SELECT id FROM person"
                  " WHERE token = ?)", (tokens[29],))
        h.execute("DELETE FROM person WHERE token = ?", (tokens[29],))   # never signed in
    assert not isinstance(add_leave(h, m.id, _pid(h, tokens[20]), "住院", clock=CLOCK,
                                    actor="chair"), type(None))
    assert hasattr(add_exclusion(h, m.id, _pid(h, tokens[21]), ExclusionReason.ABROAD,
                                 approval_ref="街党工委〔2026〕12号", approved_on="2026-11-20",
                                 clock=CLOCK, actor="chair"), "person_id")
    assert hasattr(add_desk(h, m.id, "一号台", ["第1支部"], clock=CLOCK, actor="chair"), "scope")
    host_version = q.register_version(h)
    host_summary = att.attendance_summary(h, m)
    h.close()
    assert register.taken_version(d) != host_version

    change = register.take(d, host, desk="一号台", clock=CLOCK)
    assert (change.added, change.changed, change.removed, change.kept) == (1, 3, 1, 0)
    assert change.version == host_version == register.taken_version(d) == q.register_version(d)
    assert change.lists == ("exclusion", "leave", "desk")
    assert register.describe(change) == ("名册已按主机更新：新增 1 人，修改 3 人，删除 1 人，"
                                         "不计入应到、请假、签到台设置有变")
    assert d.execute("SELECT * FROM attendance_event ORDER BY id").fetchall() == events_before
    assert d.execute("PRAGMA foreign_key_check").fetchall() == []
    # the late person signs in at the desk; the swapped cards name the right persons
    late_token = d.execute("SELECT token FROM person WHERE id = ?", (late,)).fetchone()[0]
    assert att.sign_in(d, m, late_token, "一号台", "op", CLOCK).outcome == "signed_in"
    assert _pid(d, tokens[10]) == b and _pid(d, tokens[11]) == a
    s = att.attendance_summary(d, m)
    assert (s.expected, s.leave, s.excluded) == (host_summary.expected, 1, 1) == (29, 1, 1)
    assert s.present == 6
    # searching by the corrected name finds the person (search keys came along)
    from app.search import search
    assert [p.name for p in search(d, "欧阳小明")] == ["欧阳小明"]
    assert [(x.name, x.scope) for x in list_desks(d, m.id)] == [("一号台", ("第1支部",))]
    audit = d.execute("SELECT detail FROM audit WHERE action = ?", (register.ACTION,)).fetchall()
    assert len(audit) == 1 and '"added":1' in audit[0][0]
    att.forget(d)
    d.close()


def test_a_person_the_desk_signed_in_is_kept_when_the_host_removed_them(host_and_desk) -> None:
    host, desk, tokens = host_and_desk
    d = connect(desk)
    m = _meeting(d)
    assert att.sign_in(d, m, tokens[3], "一号台", "op", CLOCK).outcome == "signed_in"
    h = connect(host)
    with transaction(h):
        h.execute("DELETE FROM person_key WHERE person_id = (SELECT id FROM person WHERE token = ?)",
                  (tokens[3],))
        h.execute("DELETE FROM person WHERE token = ?", (tokens[3],))
    h.close()
    change = register.take(d, host, desk="一号台", clock=CLOCK)
    assert (change.removed, change.kept) == (0, 1)
    assert "保留" in register.describe(change)
    assert att.attendance_summary(d, m).present == 1
    att.forget(d)
    d.close()


def test_another_schema_on_the_host_changes_nothing(host_and_desk, tmp_path: Path) -> None:
    host, desk, tokens = host_and_desk
    h = sqlite3.connect(host)
    h.execute("ALTER TABLE leave ADD COLUMN extra TEXT")
    h.execute("UPDATE person SET name = '改过' WHERE id = 1")
    h.commit()
    h.close()
    d = connect(desk)
    before = d.execute("SELECT * FROM person ORDER BY id").fetchall()
    version = register.taken_version(d)
    with pytest.raises(ValueError, match="leave"):
        register.take(d, host, desk="一号台", clock=CLOCK)
    assert d.execute("SELECT * FROM person ORDER BY id").fetchall() == before
    assert register.taken_version(d) == version
    assert d.execute("PRAGMA database_list").fetchall()[-1][1] == "main"   # detached again
    d.close()
