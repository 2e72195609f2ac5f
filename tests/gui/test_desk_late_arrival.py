"""Walk finding: after voting opened (实到 frozen for the round), a late arrival got a plain green
✓ 签到成功 at the desk. The desk says plainly, in amber, that voting has begun, that this person
arrived after 实到 was frozen, and that no ballot is issued for the vote already begun."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import attendance
from app.clock import FixedClock
from tests.gui.conftest import CLOCK_START
from tests.gui.test_bigscreen import pages, tiles, token  # noqa: F401 (pages: a fixture)
from tests.gui.test_desk_page import desk_db, page, person, scan  # noqa: F401 (fixtures)
from ui.widgets.feedback import Tone


def test_a_sign_in_after_voting_opened_is_amber_and_gets_no_ballot(page, qtbot, shot):  # noqa: F811
    meeting = page.ctx.meeting
    zeng, wang = person(page, "曾凡荣"), person(page, "王䶮")
    scan(qtbot, page.search_box, zeng.token)
    assert page.feedback.tone is Tone.GREEN
    clock = FixedClock(CLOCK_START.replace(hour=9), 1.0)
    snap = attendance.open_voting(page.ctx.conn, meeting, "第1次投票", "主持", clock)
    assert isinstance(snap, attendance.Snapshot) and snap.present == 1
    page.search_box.setFocus()
    scan(qtbot, page.search_box, wang.token)
    r = page.last_result
    assert r.outcome is attendance.Outcome.SIGNED_IN and r.ballots == 0
    assert page.feedback.tone is Tone.AMBER
    text = page.feedback.text()
    assert "王䶮" in text and "投票已开始" in text and "冻结后到会" in text
    assert "第1次投票不发选票" in text and "实到已冻结为 1 人" in text
    assert "✔ 签到成功" not in text
    qtbot.wait(30)
    shot(page, "desk-late-arrival")


def test_the_meeting_page_shows_the_frozen_present_and_late_arrivals_apart(pages, qtbot, shot):  # noqa: F811
    """Walk finding: after the freeze the 会议 page's big numbers read the live 实到 (52, 91.23%)
    while the 报告单 and 公告 print the frozen 50. The big numbers are the frozen ones; who came
    after the freeze is a separate, labelled figure."""
    desk, meeting = pages
    conn = meeting.ctx.conn
    desk.desk_box.setCurrentIndex(desk.desk_box.findText("二号台"))
    for name in ("曾凡荣", "王䶮"):
        scan(qtbot, desk.search_box, token(conn, name))
    qtbot.mouseClick(meeting.open_button, Qt.MouseButton.LeftButton)
    meeting.confirm.button(QMessageBox.StandardButton.Ok).click()   # without quorum: still
    qtbot.waitUntil(meeting.is_idle, timeout=10000)
    assert [s.present for s in attendance.snapshots(conn, meeting.ctx.meeting)] == [2]
    desk.search_box.setFocus()
    scan(qtbot, desk.search_box, token(conn, "欧阳红梅"))
    assert desk.feedback.tone is Tone.AMBER and "冻结后到会" in desk.feedback.text()
    meeting.refresh()
    qtbot.waitUntil(lambda: "冻结后到会" in meeting.panel.rule.text(), timeout=5000)
    assert tiles(meeting.panel) == {"expected": "3", "present": "2", "leave": "0",
                                 "excluded": "1", "rate": "66.67%"}
    rule = meeting.panel.rule.text()
    assert "冻结实到 2 人" in rule and "冻结后到会 1 人" in rule and "此刻在场 3 人" in rule
    meeting.resize(1366, 768)
    qtbot.wait(30)
    shot(meeting, "meeting-frozen-and-late")
