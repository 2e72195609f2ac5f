"""文件 → 修改本人PIN…: the signed-on member types the current PIN, then the new one twice, by
keys; a wrong current PIN is counted as at sign-on, a weak new one refused; after a 主持人
reset the next sign-on offers the dialog (须修改PIN). Not offered in open mode."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import staff
from app.permissions import Actor
from tests.gui.conftest import open_window
from tests.gui.test_staff_signon import (  # noqa: F401 (fixture)
    CLOCK,
    PIN,
    open_signed_on,
    sign_on_in,
    staff_db,
)
from ui.pin_change import ChangePinDialog


def _dialog(qtbot, window) -> ChangePinDialog:
    qtbot.waitUntil(lambda: isinstance(getattr(window, "pin_dialog", None), ChangePinDialog)
                    and window.pin_dialog.isVisible(), timeout=3000)
    return window.pin_dialog


def _type(qtbot, dialog: ChangePinDialog, current: str, new1: str, new2: str) -> None:
    """Keys into the focused box; Enter moves on from box to box, the last one submits."""
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.current, timeout=3000)
    for text in (current, new1, new2):
        box = QApplication.focusWidget()
        qtbot.keyClicks(box, text)
        qtbot.keyClick(box, Qt.Key.Key_Return)


def test_a_member_changes_their_own_pin_from_the_file_menu(qtbot, staff_db, shot):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "周监票")
    window.resize(1366, 768)
    action = window.change_pin_action
    assert action in window.menuBar().actions()[0].menu().actions() and action.isEnabled()
    action.trigger()
    dialog = _dialog(qtbot, window)
    assert dialog.windowTitle() == "修改本人PIN" and "周监票" in dialog.heading.text()
    assert not dialog.note.isVisible()
    # a weak new PIN: refused, the current one kept typed
    _type(qtbot, dialog, PIN["周监票"], "111111", "111111")
    assert "太容易猜到" in dialog.hint.text() and dialog.isVisible()   # said once, there
    assert QApplication.focusWidget() is dialog.pin1
    # a wrong current PIN: counted like a wrong sign-on
    for box in (dialog.current, dialog.pin1, dialog.pin2):
        box.clear()
    dialog.current.setFocus()
    _type(qtbot, dialog, "999990", "580314", "580314")
    assert "PIN不正确" in dialog.problem.text() and dialog.isVisible()
    qtbot.wait(30)
    shot(dialog, "change-own-pin-wrong-current")
    assert dialog.pin1.text() == dialog.pin2.text() == "580314"   # only the current PIN again
    _type(qtbot, dialog, PIN["周监票"], "", "")
    qtbot.waitUntil(lambda: "已修改本人PIN" in dialog.problem.text(), timeout=3000)
    qtbot.waitUntil(lambda: dialog.ok.hasFocus(), timeout=3000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)   # 关闭
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert "周监票 的PIN已修改" in window.statusBar().currentMessage()
    conn = window.ctx.conn
    assert isinstance(staff.sign_on(conn, "周监票", "580314", clock=CLOCK), Actor)
    assert isinstance(staff.sign_on(conn, "周监票", PIN["周监票"], clock=CLOCK), staff.Refusal)
    actions = [r[0] for r in conn.execute("SELECT action FROM audit WHERE actor = '周监票'"
                                          " ORDER BY id")]
    assert actions.count("staff_pin_wrong") == 2 and "staff_pin_changed" in actions
    window.sign_off()
    assert not action.isEnabled()   # no one signed on
    gen.close()


def test_after_a_host_reset_the_next_sign_on_offers_the_change(qtbot, staff_db, shot):  # noqa: F811
    from db.connection import connect

    conn = connect(staff_db)
    host = staff.sign_on(conn, "赵主持", PIN["赵主持"], clock=CLOCK)
    assert isinstance(host, Actor)
    assert isinstance(staff.reset_pin(conn, "钱签到", "864200", actor=host, clock=CLOCK),
                      staff.Member)
    conn.close()
    gen = open_window(qtbot, staff_db)
    window = next(gen)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    sign_on_in(qtbot, window.sign_on_dialog.form, "钱签到", "864200")
    dialog = _dialog(qtbot, window)
    assert dialog.note.isVisible() and "主持人重设" in dialog.note.text()
    qtbot.wait(30)
    shot(window, "change-own-pin-after-reset-window")
    shot(dialog, "change-own-pin-after-reset")
    _type(qtbot, dialog, "864200", "580314", "580314")
    qtbot.waitUntil(lambda: dialog.ok.hasFocus(), timeout=3000)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)   # 关闭
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert not staff.must_change_pin(window.ctx.conn, "钱签到")
    gen.close()


def test_open_mode_has_no_change_pin(qtbot, small_db):
    gen = open_window(qtbot, small_db)
    window = next(gen)
    assert not window.change_pin_action.isEnabled()
    window.change_own_pin()
    assert getattr(window, "pin_dialog", None) is None
    gen.close()
