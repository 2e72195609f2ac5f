"""结果: the 副主任 round that elected 张静, already elected 委员 of the same 居委会, could never
be locked (ELECTED_TO_TWO_POSTS, the button disabled) even when the supervising office allowed
it: a clerk trapped by the screen. Now 锁定结果 asks for the office's decision in words
(required, at least 4 characters), then the two 监票人's PINs; the round is locked with the
decision named. The summary that read 选举已完成（非一次性选举成功） in green is amber and says
why. Keys and clicks on a real database."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt

from app import meetings
from app.clock import FixedClock
from app.model import RuleSet
from app.staff import add_staff, sign_on
from db.connection import connect
from tests.app.voting.test_two_posts_one_body import _committee_elected, _finished_round
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_results import findings_text, open_results
from tests.gui.test_staff_signon import sign_on_in
from ui.pages.results_page import AMBER, GREEN

PIN = "135790"
DECISION = "街道选举工作指导机构意见：同意张静兼任副主任"


def _db(tmp_path, clock):  # type: ignore[no-untyped-def]
    s = _committee_elected(tmp_path, clock, deputy_first=True)
    deputy = next(c for c in meetings.list_contests(s.conn, s.meeting.id) if c.code == "fzr")
    _finished_round(s.conn, clock, deputy.id, 20, [(15, ["张静"]), (5, ["李明"])])
    host = ""
    for name, roles in (("赵主持", ["主持人"]), ("周监票", ["监票人"]), ("吴监票", ["监票人"])):
        got = add_staff(s.conn, name, roles, PIN, actor=host, clock=clock)
        assert not isinstance(got, meetings.Refusal), got
        if not host:
            signed = sign_on(s.conn, name, PIN, clock=clock)
            assert not isinstance(signed, meetings.Refusal)
            host = signed
    s.conn.close()
    return tmp_path / f"{RuleSet.RESIDENTS.value}.db"


def _locks(path) -> int:  # type: ignore[no-untyped-def]
    conn = connect(path)
    try:
        return conn.execute("SELECT count(*) FROM round_event WHERE kind = 'locked'").fetchone()[0]
    finally:
        conn.close()


def test_the_second_post_is_locked_with_the_office_decision(qtbot, tmp_path, fixed_clock, shot):
    path = _db(tmp_path, fixed_clock)
    p = open_results(qtbot, path)
    clock = FixedClock(CLOCK_START, 1.0)
    try:
        p.resize(1366, 768)
        p.ctx.actor = sign_on(p.ctx.conn, "周监票", PIN, clock=clock)
        # The summary: complete, but not green — and it says why.
        assert "非一次性选举成功" in p.summary.text()
        assert AMBER in p.summary.styleSheet() and GREEN not in p.summary.styleSheet()
        assert "张静 已当选本届居委会委员" in p.summary.text(), p.summary.text()
        row = next(i for i in range(p.rounds.count()) if "副主任" in p.rounds.item(i).text())
        p.rounds.setCurrentRow(row)
        qtbot.wait(50)
        assert "须记录指导机构意见后锁定" in p.rounds.item(row).text()
        assert p.lock_button.isEnabled()
        why = p.lock_why.text()
        assert "张静 已当选本届居委会委员" in why and "指导机构意见" in why, why
        shot(p, "results-two-posts-decision-1366")
        # Esc in the dialog: nothing locked, no PIN asked.
        qtbot.mouseClick(p.lock_button, Qt.MouseButton.LeftButton)
        dialog = p.dialog
        assert dialog is not None and dialog.isVisible()
        qtbot.keyClick(dialog.decision, Qt.Key.Key_Escape)
        assert not dialog.isVisible() and p.person_dialog is None
        # Again: the decision is required (4 characters at least), then the second PIN.
        qtbot.mouseClick(p.lock_button, Qt.MouseButton.LeftButton)
        dialog = p.dialog
        assert dialog is not None and dialog.isVisible()
        assert not dialog.ok_button.isEnabled()
        dialog.decision.setText("同意")        # keyClicks cannot type Chinese
        assert not dialog.ok_button.isEnabled()
        qtbot.keyClick(dialog.decision, Qt.Key.Key_Return)
        assert dialog.isVisible() and p.person_dialog is None
        dialog.decision.setText(DECISION)
        assert dialog.ok_button.isEnabled()
        dialog.resize(1000, dialog.sizeHint().height())
        shot(dialog, "results-two-posts-decision-dialog")
        qtbot.keyClick(dialog.decision, Qt.Key.Key_Return)
        assert not dialog.isVisible()
        second = p.person_dialog
        assert second is not None and second.isVisible()
        sign_on_in(qtbot, second.form, "吴监票", PIN)
        qtbot.waitUntil(lambda: _locks(path) == 2, timeout=5000)
        qtbot.waitUntil(lambda: p.is_idle() and "已锁定（按记录的决定）" in
                        p.rounds.item(row).text(), timeout=5000)
        (detail,) = [json.loads(d) for (d,) in p.ctx.conn.execute(
            "SELECT detail FROM audit WHERE action = 'round_locked' ORDER BY id DESC LIMIT 1")]
        assert detail["decision"] == DECISION and detail["second"] == "吴监票"
        p.rounds.setCurrentRow(row)
        texts = findings_text(p)
        assert any(t.startswith("! 已按记录的决定锁定") and DECISION in t for t in texts), texts
        assert "已按记录的决定锁定" in p.summary.text() and AMBER in p.summary.styleSheet()
        assert "一次性选举成功：" not in p.summary.text()
        shot(p, "results-two-posts-decided-1366")
    finally:
        p.close()
        p.ctx.conn.close()


def test_start_voting_warns_of_a_candidate_holding_a_post(qtbot, tmp_path, fixed_clock, shot):
    """会议 → 开始投票: the 副主任 contest lists 张静, elected 委员 since she was added; the
    confirmation names her and the post (a warning: voting may still start)."""
    from PySide6.QtWidgets import QMessageBox

    from tests.gui.test_one_start_voting import close
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.meeting_page import MeetingPage

    s = _committee_elected(tmp_path, fixed_clock, deputy_first=True)
    s.conn.close()
    path = tmp_path / f"{RuleSet.RESIDENTS.value}.db"
    make_app()
    conn = connect(path)
    ctx = PageContext(conn, path, clock=FixedClock(CLOCK_START.replace(hour=10), 1.0),
                      actor="主持人")
    page = MeetingPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    try:
        page.open_button.setFocus()
        qtbot.keyClick(page.open_button, Qt.Key.Key_Space)
        box = page.confirm
        assert box is not None and box.isVisible()
        text = box.text()
        assert "副主任候选人 张静 已当选本届居委会委员（委员第1轮（选举），已锁定）" in text, text
        assert box.defaultButton() is box.button(QMessageBox.StandardButton.Ok)  # not refused
        qtbot.wait(50)
        shot(box, "meeting-start-voting-two-posts")
        box.button(QMessageBox.StandardButton.Cancel).click()
    finally:
        close(ctx, page)
