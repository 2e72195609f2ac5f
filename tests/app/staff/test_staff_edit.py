"""Issue 15 leftovers: editing a member's roles, 总监票人 flag and linked register person (the
主持人's, audited; a candidate never becomes 计票人/监票人; the last 主持人 stays), and an audit
row for every sign-on, 切换人员, idle lock and sign-off naming who and where."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

from app.audit_catalogue import describe
from app.clock import FixedClock
from app.meetings.core import Refusal
from app.permissions import Actor, Role, check
from app.staff import (
    add_staff,
    edit_staff,
    list_staff,
    record_lock,
    record_sign_off,
    sign_on,
)
from db.connection import connect

T0 = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CLOCK = FixedClock(T0)


def _audit(conn: sqlite3.Connection) -> list[tuple[str, str, dict[str, object]]]:
    return [(str(a), str(b), json.loads(c)) for a, b, c in conn.execute(
        "SELECT actor, action, detail FROM audit ORDER BY id")]


def _list(conn: sqlite3.Connection) -> tuple[Actor, Actor]:
    assert not isinstance(add_staff(conn, "赵主持", [], "246810", actor="", clock=CLOCK), Refusal)
    host = sign_on(conn, "赵主持", "246810", clock=CLOCK)
    assert isinstance(host, Actor)
    got = add_staff(conn, "钱签到", ["签到员"], "135792", actor=host, clock=CLOCK)
    assert not isinstance(got, Refusal), got
    clerk = sign_on(conn, "钱签到", "135792", clock=CLOCK)
    assert isinstance(clerk, Actor)
    return host, clerk


def test_the_host_edits_roles_chief_and_link_audited(tmp_path: Path) -> None:
    from app.model import RuleSet
    from tests.app.voting.voting_venue import small_meeting

    conn = connect(tmp_path / "e.db")
    small_meeting(conn, CLOCK, RuleSet.PARTY, voters=5, candidates=["甲一"], seats=1)
    host, _clerk = _list(conn)
    pid, pname = conn.execute("SELECT id, name FROM person WHERE name != '甲一' LIMIT 1"
                              ).fetchone()
    got = edit_staff(conn, "钱签到", roles=["监票人", "签到员"], chief=True, person_id=pid,
                     actor=host, clock=CLOCK)
    assert not isinstance(got, Refusal), got
    assert got.roles == (Role.DESK, Role.SCRUTINEER) and got.chief and got.person_id == pid
    m = [x for x in list_staff(conn) if x.name == "钱签到"][0]
    assert m.roles_zh == "签到员、监票人（总监票人）" and m.person_id == pid
    # the PIN still works and the new roles act at once
    again = sign_on(conn, "钱签到", "135792", clock=CLOCK)
    assert isinstance(again, Actor) and check(conn, "unlock_result", again) is None
    actor, action, detail = _audit(conn)[-1]
    assert (actor, action) == ("赵主持", "staff_edited")
    words = describe(action, detail)
    assert "钱签到" in words and "签到员 → 签到员、监票人" in words and "总监票人" in words
    assert pname in words
    # unlink and drop the chief flag
    got = edit_staff(conn, "钱签到", roles=["监票人"], chief=False, person_id=None, actor=host,
                     clock=CLOCK)
    assert not isinstance(got, Refusal) and got.person_id is None and not got.chief


def test_only_the_host_edits_and_a_refusal_writes_nothing(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    _host, clerk = _list(conn)
    before = _audit(conn)
    for who in (clerk, "赵主持"):   # a 签到员; the host's name without a PIN
        got = edit_staff(conn, "钱签到", roles=["主持人"], chief=False, person_id=None,
                         actor=who, clock=CLOCK)
        assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED"
        assert "只有主持人可以操作" in got.message
    assert _audit(conn) == before
    assert [m.roles for m in list_staff(conn)] == [(Role.HOST,), (Role.DESK,)]


def test_a_candidate_never_becomes_teller_or_scrutineer_by_an_edit(tmp_path: Path) -> None:
    from app.model import RuleSet
    from tests.app.voting.voting_venue import small_meeting

    conn = connect(tmp_path / "e.db")
    small_meeting(conn, CLOCK, RuleSet.PARTY, voters=5, candidates=["甲一", "乙二"], seats=1)
    host, _clerk = _list(conn)
    pid = conn.execute("SELECT id FROM person WHERE name = '乙二'").fetchone()[0]
    before = _audit(conn)
    got = edit_staff(conn, "钱签到", roles=["签到员"], chief=False, person_id=pid, actor=host,
                     clock=CLOCK)   # linked to a candidate: fine as a 签到员
    assert not isinstance(got, Refusal), got
    for roles in (["计票人"], ["签到员", "监票人"]):
        got = edit_staff(conn, "钱签到", roles=roles, chief=False, person_id=pid, actor=host,
                         clock=CLOCK)
        assert isinstance(got, Refusal) and got.code == "OFFICIAL_IS_CANDIDATE", got
        assert "不得由候选人担任" in got.message
    # a member named like a candidate
    assert not isinstance(add_staff(conn, "甲一", ["签到员"], "975310", actor=host,
                                    clock=CLOCK), Refusal)
    got = edit_staff(conn, "甲一", roles=["监票人"], chief=False, person_id=None, actor=host,
                     clock=CLOCK)
    assert isinstance(got, Refusal) and got.code == "OFFICIAL_IS_CANDIDATE"
    assert [a[1] for a in _audit(conn)[len(before):]] == ["staff_edited", "staff_added"]
    assert [m.roles for m in list_staff(conn) if m.name == "钱签到"] == [(Role.DESK,)]


def test_the_last_host_is_never_demoted_and_rules_are_kept(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    host, _clerk = _list(conn)
    before = _audit(conn)
    got = edit_staff(conn, "赵主持", roles=["签到员"], chief=False, person_id=None, actor=host,
                     clock=CLOCK)
    assert isinstance(got, Refusal) and got.code == "LAST_HOST" and "唯一的主持人" in got.message
    for roles, chief, code in ((["签到员"], True, "CHIEF"), ([], False, "NO_ROLE"),
                               (["校长"], False, "NO_SUCH_ROLE")):
        got = edit_staff(conn, "钱签到", roles=roles, chief=chief, person_id=None, actor=host,
                         clock=CLOCK)
        assert isinstance(got, Refusal) and got.code == code, (roles, got)
    got = edit_staff(conn, "钱签到", roles=["签到员"], chief=False, person_id=99999, actor=host,
                     clock=CLOCK)
    assert isinstance(got, Refusal) and got.code == "NO_SUCH_PERSON"
    got = edit_staff(conn, "孙某", roles=["签到员"], chief=False, person_id=None, actor=host,
                     clock=CLOCK)
    assert isinstance(got, Refusal) and got.code == "NO_SUCH_STAFF"
    got = edit_staff(conn, "钱签到", roles=["签到员"], chief=False, person_id=None, actor=host,
                     clock=CLOCK)
    assert isinstance(got, Refusal) and got.code == "UNCHANGED"
    assert _audit(conn) == before
    # with a second 主持人 the first may step down
    assert not isinstance(edit_staff(conn, "钱签到", roles=["主持人"], chief=False,
                                     person_id=None, actor=host, clock=CLOCK), Refusal)
    got = edit_staff(conn, "赵主持", roles=["签到员"], chief=False, person_id=None, actor=host,
                     clock=CLOCK)
    assert not isinstance(got, Refusal), got
    assert check(conn, "staff", host) is not None   # demoted: no longer manages the list


def test_sign_on_switch_unlock_lock_and_sign_off_are_audited_with_where(tmp_path: Path) -> None:
    conn = connect(tmp_path / "e.db")
    _list(conn)
    before = len(_audit(conn))
    assert isinstance(sign_on(conn, "钱签到", "135792", clock=CLOCK, where="一号台",
                              how="sign_on"), Actor)
    clerk = sign_on(conn, "钱签到", "135792", clock=CLOCK, where="一号台", how="unlock")
    assert isinstance(clerk, Actor)
    assert isinstance(sign_on(conn, "赵主持", "246810", clock=CLOCK, where="一号台",
                              how="switch"), Actor)
    assert record_lock(conn, clerk, where="一号台", minutes=15, clock=CLOCK)
    assert record_sign_off(conn, clerk, where="一号台", clock=CLOCK)
    # a wrong PIN is no sign-on
    assert isinstance(sign_on(conn, "钱签到", "000001", clock=CLOCK, where="一号台",
                              how="sign_on"), Refusal)
    rows = _audit(conn)[before:]
    assert [(a, b) for a, b, _d in rows] == [
        ("钱签到", "staff_signed_on"), ("钱签到", "staff_signed_on"), ("赵主持", "staff_signed_on"),
        ("钱签到", "staff_locked"), ("钱签到", "staff_signed_off"), ("钱签到", "staff_pin_wrong")]
    words = [describe(b, d) for _a, b, d in rows]
    assert words[0] == "钱签到 在“一号台”登录"
    assert words[1] == "钱签到 在“一号台”解锁"
    assert words[2] == "赵主持 在“一号台”切换人员登录"
    assert words[3] == "“一号台”空闲 15 分钟后锁定（钱签到 登录中）"
    assert words[4] == "钱签到 在“一号台”退出登录"


def test_a_plain_sign_on_check_writes_nothing(tmp_path: Path) -> None:
    """The CLI's per-command PIN check (no `how`) writes no row of its own: a refused command
    still changes nothing."""
    conn = connect(tmp_path / "e.db")
    _list(conn)
    before = _audit(conn)
    assert isinstance(sign_on(conn, "钱签到", "135792", clock=CLOCK), Actor)
    assert _audit(conn) == before


def test_an_edit_never_links_a_register_person_another_member_is(tmp_path: Path) -> None:
    """One person is one member (add_staff refuses PERSON_TAKEN): an edit may not link a
    second member to the same register person either; a candidate clash names the person."""
    from app.model import RuleSet
    from tests.app.voting.voting_venue import small_meeting

    conn = connect(tmp_path / "e.db")
    small_meeting(conn, CLOCK, RuleSet.PARTY, voters=5, candidates=["甲一"], seats=1)
    host, _clerk = _list(conn)
    pid = conn.execute("SELECT id FROM person WHERE name != '甲一' LIMIT 1").fetchone()[0]
    got = edit_staff(conn, "钱签到", roles=["签到员"], chief=False, person_id=pid, actor=host,
                     clock=CLOCK)
    assert not isinstance(got, Refusal), got
    before = _audit(conn)
    got = edit_staff(conn, "赵主持", roles=["主持人"], chief=False, person_id=pid, actor=host,
                     clock=CLOCK)
    assert isinstance(got, Refusal) and got.code == "PERSON_TAKEN" and "钱签到" in got.message
    cand = conn.execute("SELECT id FROM person WHERE name = '甲一'").fetchone()[0]
    got = edit_staff(conn, "赵主持", roles=["主持人", "监票人"], chief=False, person_id=cand,
                     actor=host, clock=CLOCK)
    assert isinstance(got, Refusal) and got.code == "OFFICIAL_IS_CANDIDATE"
    assert "甲一" in got.message   # the linked person is named, not only the member
    assert _audit(conn) == before
