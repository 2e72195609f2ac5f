"""结果: 锁定结果 is not offered while the round cannot be locked. A tester on 主任第1轮 (a seat
unfilled) saw 不能锁定 in the list, yet the button was enabled; two 监票人 typed their PINs and
were then refused (SEATS_UNFILLED). Now the button is disabled with the reason beside it (what
to do: 开始另行选举, or the meeting's decision not to fill), and no PIN is asked for a round that
cannot be locked. Once the runoff is opened the first round is lockable (rules.md §4: the error
is settled by the next round), and the button is enabled again."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app.clock import FixedClock
from app.meetings import Refusal
from app.staff import add_staff, sign_on
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import counted_round, open_results

PIN = "135790"
UNFILLED = ["ooo---", "ooo---", "ooo---", "---ooo"]   # 3 elected of 5 seats


def test_lock_button_is_disabled_with_the_reason_until_the_runoff_opens(qtbot, tmp_path, shot):
    db = counting_db(tmp_path / "results.db")
    counted_round(db, UNFILLED)
    p = open_results(qtbot, db)
    try:
        p.resize(1366, 768)
        assert "不能锁定" in p.rounds.item(0).text()
        assert not p.lock_button.isEnabled()
        why = p.lock_why.text()
        assert p.lock_why.isVisible() and "SEATS_UNFILLED" in why, why
        assert "开始另行选举" in why and "会议决定不再补选" in why, why
        shot(p, "results-lock-why-1366")
        qtbot.mouseClick(p.lock_button, Qt.MouseButton.LeftButton)
        qtbot.wait(50)
        assert p.lock_task is None
        # The runoff opened: the first round's SEATS_UNFILLED is settled, the button offered.
        qtbot.mouseClick(p.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.box is not None and p.box.isVisible(), timeout=5000)
        p.box.button(QMessageBox.StandardButton.Yes).click()
        qtbot.waitUntil(lambda: p.is_idle() and p.rounds.count() == 2, timeout=5000)
        p.rounds.setCurrentRow(0)
        assert "可锁定" in p.rounds.item(0).text()
        assert p.lock_button.isEnabled() and not p.lock_why.isVisible()
    finally:
        p.close()
        p.ctx.conn.close()


def test_no_pin_is_asked_for_a_round_that_cannot_be_locked(qtbot, tmp_path):
    db = counting_db(tmp_path / "results.db")
    counted_round(db, UNFILLED)
    conn = connect(db)
    clock = FixedClock(CLOCK_START, 1.0)
    host = ""
    for name, roles in (("赵主持", ["主持人"]), ("周监票", ["监票人"]), ("吴监票", ["监票人"])):
        got = add_staff(conn, name, roles, PIN, actor=host, clock=clock)
        assert not isinstance(got, Refusal), got
        if not host:
            signed = sign_on(conn, name, PIN, clock=clock)
            assert not isinstance(signed, Refusal)
            host = signed
    conn.close()
    p = open_results(qtbot, db)
    try:
        p.ctx.actor = sign_on(p.ctx.conn, "赵主持", PIN, clock=clock)
        p.show_round()
        assert not p.lock_button.isEnabled()
        p.lock()   # e.g. a shortcut or a stale enabled state: still no PIN asked
        qtbot.wait(50)
        assert p.person_dialog is None
        assert "不能锁定" in p.message.text() and "SEATS_UNFILLED" in p.message.text()
    finally:
        p.close()
        p.ctx.conn.close()
