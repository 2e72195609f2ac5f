"""The 会议 page: the live quorum panel, 开始投票 (实到 frozen), and the projector's big screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import attendance, meetings
from app.clock import FixedClock
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_desk_page import ACTOR, desk_db, scan  # noqa: F401 (desk_db is a fixture)


@pytest.fixture
def pages(qtbot, desk_db):  # noqa: F811 (the fixture imported above)
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.desk_page import DeskPage
    from ui.pages.meeting_page import MeetingPage

    make_app()
    conn = connect(desk_db)
    ctx = PageContext(conn, desk_db, clock=FixedClock(CLOCK_START.replace(hour=8, minute=50), 5.0),
                      actor=ACTOR)
    desk, meeting = DeskPage(ctx), MeetingPage(ctx)
    for w in (desk, meeting):
        qtbot.addWidget(w)
        w.resize(1100, 700)
        w.show()
    qtbot.waitExposed(meeting)
    yield desk, meeting
    if meeting.bigscreen is not None:
        meeting.bigscreen.close()
    attendance.forget(conn)
    conn.close()


def tiles(panel) -> dict[str, str]:
    return {k: t.number.text() for k, t in panel.tiles.items()}


def token(conn, name: str) -> str:
    return next(p.token for p in db_persons.list_persons(conn) if p.name == name)


def test_quorum_panel_follows_sign_ins_here_and_from_another_connection(pages, qtbot, shot,
                                                                        desk_db):  # noqa: F811
    desk, page = pages
    conn = page.ctx.conn
    # 应到 3 (曾凡荣 王䶮 欧阳红梅; 张喆 excluded); more than 4/5 of 3 means all three.
    qtbot.waitUntil(lambda: page.summary is not None, timeout=3000)  # read off the GUI thread
    assert tiles(page.panel) == {"expected": "3", "present": "0", "leave": "0",
                                 "excluded": "1", "rate": "0.00%"}
    assert "还差 3 人" in page.panel.verdict.text()
    assert "五分之四" in page.panel.rule.text()
    desk.desk_box.setCurrentIndex(desk.desk_box.findText("二号台"))
    scan(qtbot, desk.search_box, token(conn, "曾凡荣"))
    scan(qtbot, desk.search_box, token(conn, "王䶮"))
    qtbot.waitUntil(lambda: tiles(page.panel)["present"] == "2", timeout=3000)  # the poll
    assert tiles(page.panel)["rate"] == "66.67%"
    assert "还差 1 人" in page.panel.verdict.text()
    assert "一号台" not in page.desks.text() and "二号台 2" in page.desks.text()
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "meeting-not-met")
    # Another laptop's copy of the log, or the CLI, writes through its own connection.
    other = connect(desk_db)
    party = meetings.meeting_by_code(other, "party")
    r = attendance.sign_in(other, party, token(other, "欧阳红梅"), "三号台", "cli",
                           FixedClock(CLOCK_START.replace(hour=8, minute=52)))
    assert r.outcome is attendance.Outcome.SIGNED_IN
    attendance.forget(other)
    other.close()
    qtbot.waitUntil(lambda: tiles(page.panel)["present"] == "3", timeout=3000)
    assert "符合规定" in page.panel.verdict.text()
    assert page.panel.figures.met
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "meeting-met")


def test_big_screen_shows_the_same_figures_and_toggles_full_screen(pages, qtbot, shot):
    desk, page = pages
    scan(qtbot, desk.search_box, token(page.ctx.conn, "曾凡荣"))
    qtbot.mouseClick(page.screen_button, Qt.MouseButton.LeftButton)
    big = page.bigscreen
    assert big is not None and big.isVisible()
    qtbot.waitExposed(big)
    qtbot.waitUntil(lambda: tiles(big.panel)["present"] == "1", timeout=3000)
    assert tiles(big.panel) == tiles(page.panel)
    assert big.panel.verdict.text() == page.panel.verdict.text()
    assert big.title.text() == "中共翠湖社区委员会换届选举党员大会"
    # Very large type, growing with the window (1280x720 here; a projector is larger).
    big_pt = big.panel.tiles["present"].number.font().pointSizeF()
    assert big_pt >= 60 and big_pt > 1.5 * page.panel.tiles["present"].number.font().pointSizeF()
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(big, "bigscreen")
    qtbot.keyClick(big, Qt.Key.Key_F11)
    assert big.isFullScreen()
    qtbot.keyClick(big, Qt.Key.Key_Escape)
    assert not big.isFullScreen()
    # The projector keeps following while the secretary looks at another page.
    page.hide()
    scan(qtbot, desk.search_box, token(page.ctx.conn, "王䶮"))
    qtbot.waitUntil(lambda: tiles(big.panel)["present"] == "2", timeout=3000)
    big.close()
    qtbot.waitUntil(lambda: page.bigscreen is None)


def test_open_voting_confirms_the_numbers_and_freezes_present(pages, qtbot, shot):
    desk, page = pages
    conn = page.ctx.conn
    desk.desk_box.setCurrentIndex(desk.desk_box.findText("二号台"))  # serves every branch
    for name in ("曾凡荣", "王䶮", "欧阳红梅"):
        scan(qtbot, desk.search_box, token(conn, name))
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    box = page.confirm
    assert box is not None and box.isVisible()
    assert "应到 <b>3</b>" in box.text() and "实到 <b>3</b>" in box.text()
    assert "100.00%" in box.text()
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(box, "meeting-open-voting-confirm")
    box.button(QMessageBox.StandardButton.Cancel).click()  # cancelled: nothing frozen
    assert attendance.snapshots(conn, page.ctx.meeting) == []
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    page.confirm.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(page.is_idle, timeout=10000)  # written on the database's worker
    snaps = attendance.snapshots(conn, page.ctx.meeting)
    assert [(s.round_label, s.expected, s.present, s.quorum_met) for s in snaps] == [
        ("第1次投票", 3, 3, True)]
    assert "第1次投票" in page.panel.rule.text() and "冻结实到 3 人" in page.panel.rule.text()
    # The next round gets the next label.
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    assert "第2次投票" in page.confirm.text()
    page.confirm.button(QMessageBox.StandardButton.Cancel).click()


def test_open_voting_without_quorum_warns_and_defaults_to_cancel(pages, qtbot):
    _desk, page = pages
    qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
    box = page.confirm
    assert "到会人数不足" in box.text() and "还差 3 人" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()


def test_switching_meeting_follows_on_both_pages_and_the_big_screen(pages, qtbot):
    desk, page = pages
    big = page.open_bigscreen()
    residents = meetings.meeting_by_code(page.ctx.conn, "residents")
    assert page.ctx.switch_meeting(residents.id) == ""
    assert page.title.text() == big.title.text() == "翠湖社区第十二届居民委员会选举大会"
    # Every one of the six on the register is a resident voter; nobody excluded.
    qtbot.waitUntil(lambda: tiles(page.panel)["expected"] == "6", timeout=3000)
    assert "居民委员会组织法" in page.panel.rule.text()
    assert [desk.desk_box.itemText(i) for i in range(desk.desk_box.count())] == ["签到台"]
    scan(qtbot, desk.search_box, token(page.ctx.conn, "单国栋"))  # votes here, not at the 党员大会
    assert desk.last_result.outcome is attendance.Outcome.SIGNED_IN
    qtbot.waitUntil(lambda: tiles(big.panel)["present"] == "1", timeout=3000)
