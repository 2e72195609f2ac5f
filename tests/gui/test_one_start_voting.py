"""One 开始投票: opening voting on the 会议 page opens the first round of every contest not yet
started (the same frozen 实到), and 投票计票 shows it at once; opening a round on 投票计票 shows
its freeze on the 会议 page at once. Both pages share one PageContext, as in the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from app import attendance, voting
from app.clock import FixedClock
from app.rules import Round
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import ACTOR, counting_db


def two_pages(qtbot, tmp_path):
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.counting.page import CountingPage
    from ui.pages.meeting_page import MeetingPage

    path = counting_db(tmp_path / "one-start.db")
    make_app()
    conn = connect(path)
    ctx = PageContext(conn, path, clock=FixedClock(CLOCK_START.replace(hour=9), 1.0), actor=ACTOR)
    meeting, counting = MeetingPage(ctx), CountingPage(ctx)
    for p in (meeting, counting):
        qtbot.addWidget(p)
        p.resize(1366, 768)
        p.show()
        qtbot.waitExposed(p)
    return ctx, meeting, counting


def close(ctx, *pages) -> None:
    for p in pages:
        p.close()
        p._poll.stop() if hasattr(p, "_poll") else None
    QApplication.processEvents()              # the meeting page's first refresh is queued
    attendance.forget(ctx.conn)
    ctx.conn.close()


def test_start_on_the_meeting_page_opens_the_round_on_counting(qtbot, tmp_path, shot) -> None:
    ctx, meeting, counting = two_pages(qtbot, tmp_path)
    try:
        assert counting.round is None and "尚未开始投票" in counting.status.text()
        meeting.activateWindow()
        meeting.open_button.setFocus()
        qtbot.keyClick(meeting.open_button, Qt.Key.Key_Space)
        box = meeting.confirm
        assert box is not None and box.isVisible()
        assert "委员" in box.text()                  # it names the contests it opens
        qtbot.wait(50)
        shot(box, "meeting-start-voting-confirm")
        # Return on the default button (the dialog gives it the focus; in a long run another
        # test's leftover window may hold the application's focus widget instead).
        default = box.defaultButton()
        assert default is box.button(QMessageBox.StandardButton.Ok)
        qtbot.keyClick(default, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=3000)
        qtbot.waitUntil(meeting.is_idle, timeout=10000)  # written on the database's worker
        rounds = voting.list_rounds(ctx.conn, counting.contest.id)
        assert len(rounds) == 1 and rounds[0].snapshot.round_label == "第1次投票"
        # 投票计票 follows at once (no restart, no second 开始投票).
        assert counting.round is not None and counting.round.id == rounds[0].id
        assert "冻结实到 4" in counting.status.text()
        assert "第1次投票" in meeting.panel.rule.text() and "冻结实到 4 人" in meeting.panel.rule.text()
        qtbot.wait(100)                          # let the layout take the new line
        shot(meeting, "meeting-voting-started")
    finally:
        close(ctx, meeting, counting)


def test_a_round_opened_on_counting_shows_on_the_meeting_page(qtbot, tmp_path) -> None:
    ctx, meeting, counting = two_pages(qtbot, tmp_path)
    try:
        qtbot.waitUntil(lambda: "规则" in meeting.panel.rule.text(), timeout=3000)
        assert "冻结实到" not in meeting.panel.rule.text()
        assert counting.open_round(Round.FIRST) is not None
        assert "第1次投票" in meeting.panel.rule.text() and "冻结实到 4 人" in meeting.panel.rule.text()
        # The 会议 page's next 开始投票 is a later vote, not a second freeze of this one.
        assert attendance.next_vote_label(meeting.snapshots) == "第2次投票"
    finally:
        close(ctx, meeting, counting)
