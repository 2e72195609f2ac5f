"""Residents' proxies at the 签到 desk (issue 14, item 17): the holder is told how many ballots
to hand over (本人 1 + 委托 N); a principal whose holder signed in is stopped in red (no second
ballot for one vote); before the holder came, the chair may revoke the proxy with a reason and
sign the principal in. Typed into the focused search box, Enter, clicks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app import attendance, meetings, proxies
from app.clock import FixedClock
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from tests.gui.test_desk_page import open_desk_page, type_chinese
from ui.widgets.feedback import Tone

ACTOR = "desk-test"


@pytest.fixture
def page(qtbot, tmp_path):
    path = make_db(tmp_path / "proxies.db")
    conn = connect(path)
    clock = FixedClock(CLOCK_START, 1.0)
    residents = meetings.meeting_by_code(conn, "residents")
    assert residents is not None
    meetings.set_current(conn, residents.id, clock=clock, actor=ACTOR)
    people = {p.name: p for p in db_persons.list_persons(conn)}
    for principal, holder in (("王䶮", "欧阳红梅"), ("曾凡荣", "单国栋")):
        got = proxies.add_proxy(conn, residents, people[principal], people[holder], clock=clock,
                                actor=ACTOR)
        assert isinstance(got, proxies.Proxy), got
    p = open_desk_page(qtbot, conn, path, at=CLOCK_START.replace(hour=9, minute=5),
                       size=(1366, 768))
    yield p
    p.close()
    attendance.forget(conn)
    conn.close()


def enter_name(qtbot, page, name: str) -> None:
    page.search_box.setFocus()
    type_chinese(page.focusWidget(), name)
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)


def test_holder_gets_two_ballots_and_the_principal_is_stopped(page, qtbot, shot) -> None:
    enter_name(qtbot, page, "欧阳红梅")
    assert page.feedback.tone is Tone.GREEN
    assert "发选票 2 张" in page.feedback.text()
    assert "本人 1 + 委托 1：王䶮" in page.feedback.text()
    assert page.counter.text().startswith("实到 1 ")
    qtbot.wait(30)
    shot(page, "desk-proxy-holder-1366")
    enter_name(qtbot, page, "王䶮")
    assert page.feedback.tone is Tone.RED
    assert "签到成功" not in page.feedback.text()
    assert "已委托 欧阳红梅；欧阳红梅 已于 09:05 签到并代为投票" in page.feedback.text()
    assert page.feedback.action.isHidden()     # nothing to confirm: the holder has the ballot
    assert page.last_result.event is None and page.counter.text().startswith("实到 1 ")
    qtbot.wait(30)
    shot(page, "desk-proxy-principal-stopped-1366")


def test_principal_before_holder_the_chair_revokes_with_a_reason(page, qtbot, shot) -> None:
    enter_name(qtbot, page, "曾凡荣")
    assert page.feedback.tone is Tone.AMBER and "单国栋 尚未签到" in page.feedback.text()
    assert page.last_result.event is None and page.counter.text().startswith("实到 0 ")
    assert not page.feedback.action.isHidden()
    qtbot.wait(30)
    shot(page, "desk-proxy-principal-early-1366")
    qtbot.mouseClick(page.feedback.action, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible() and "单国栋" in dialog.windowTitle() + \
        "".join(w.text() for w in dialog.findChildren(type(page.counter)))
    assert not dialog.ok_button.isEnabled()   # a reason is required
    dialog.reason.setCurrentIndex(0)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert page.feedback.tone is Tone.GREEN and "曾凡荣" in page.feedback.text()
    assert page.counter.text().startswith("实到 1 ")
    assert proxies.list_proxies(page.ctx.conn, page.ctx.meeting)[0].principal.name == "王䶮"
    actions = [r[0] for r in page.ctx.conn.execute("SELECT action FROM audit ORDER BY id")]
    assert "proxy_revoked" in actions
    enter_name(qtbot, page, "单国栋")          # the holder now carries only their own ballot
    assert page.feedback.tone is Tone.GREEN and "委托" not in page.feedback.text()
