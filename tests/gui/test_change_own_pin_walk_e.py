"""修改本人PIN, walk E findings: success is said (已修改本人PIN); each refusal is said once; the
须修改PIN note is one message and is shown whenever the mark is set (also from the 文件 menu); a
wrong current PIN clears only that box; the 工作人员名单 shows who must still change a reset
PIN; the 主持人's "已为 … 重设PIN" goes when another person signs on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from app import staff
from app.permissions import Actor
from db.connection import connect
from tests.gui.test_change_own_pin import _dialog, _type
from tests.gui.test_refused_before_the_work import switch_to
from tests.gui.test_staff_signon import (  # noqa: F401 (fixture)
    CLOCK,
    PIN,
    open_signed_on,
    staff_db,
)


def _said(dialog, words: str) -> int:
    return sum(label.text().count(words) for label in dialog.findChildren(QLabel)
               if label.isVisible())


def _reset(path, name: str, pin: str) -> None:
    conn = connect(path)
    host = staff.sign_on(conn, "赵主持", PIN["赵主持"], clock=CLOCK)
    assert isinstance(host, Actor)
    assert isinstance(staff.reset_pin(conn, name, pin, actor=host, clock=CLOCK), staff.Member)
    conn.close()


def test_refusals_once_wrong_current_keeps_new_and_success_is_said(qtbot, staff_db, shot):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "周监票")
    window.resize(1366, 768)
    window.change_pin_action.trigger()
    dialog = _dialog(qtbot, window)
    _type(qtbot, dialog, PIN["周监票"], "111111", "111111")
    assert _said(dialog, "太容易猜到") == 1
    dialog.pin1.clear()
    dialog.pin2.clear()
    dialog.pin1.setFocus()
    for text in ("580314", "580315"):
        box = QApplication.focusWidget()
        qtbot.keyClicks(box, text)
        qtbot.keyClick(box, Qt.Key.Key_Return)
    assert _said(dialog, "不一致") == 1, [lb.text() for lb in dialog.findChildren(QLabel)]
    # a wrong current PIN: only that box is cleared
    for box in (dialog.current, dialog.pin1, dialog.pin2):
        box.clear()
    dialog.current.setFocus()
    _type(qtbot, dialog, "999990", "580314", "580314")
    assert "PIN不正确" in dialog.problem.text()
    assert dialog.current.text() == "" and dialog.pin1.text() == "580314"
    assert dialog.pin2.text() == "580314" and QApplication.focusWidget() is dialog.current
    qtbot.keyClicks(dialog.current, PIN["周监票"])
    qtbot.keyClick(dialog.current, Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: _said(dialog, "已修改本人PIN") == 1, timeout=3000)
    qtbot.wait(30)
    shot(dialog, "change-own-pin-done")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert isinstance(staff.sign_on(window.ctx.conn, "周监票", "580314", clock=CLOCK), Actor)
    gen.close()


def test_the_staff_list_shows_who_must_change_a_reset_pin(qtbot, staff_db, shot):  # noqa: F811
    _reset(staff_db, "周监票", "864200")
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    row = [m.name for m in page.members].index("周监票")
    cells = [page.table.item(row, c).text() for c in range(page.table.columnCount())]
    assert "须修改PIN" in cells
    other = [m.name for m in page.members].index("钱签到")
    assert "须修改PIN" not in [page.table.item(other, c).text()
                               for c in range(page.table.columnCount())]
    shot(window, "staff-list-must-change-pin")
    gen.close()


def test_the_hosts_reset_message_goes_when_another_signs_on(qtbot, staff_db, shot):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    page.reset("周监票", "864200")
    assert "已为 周监票 重设PIN" in page.message.text()
    other = "孙计票"
    switch_to(qtbot, window, other)
    assert "重设PIN" not in page.message.text()
    gen.close()


def test_one_must_change_note_also_from_the_file_menu(qtbot, staff_db, shot):  # noqa: F811
    _reset(staff_db, "周监票", "864200")
    from tests.gui.conftest import open_window
    from tests.gui.test_staff_signon import sign_on_in

    gen = open_window(qtbot, staff_db)
    window = next(gen)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    sign_on_in(qtbot, window.sign_on_dialog.form, "周监票", "864200")
    dialog = _dialog(qtbot, window)
    note = dialog.note.text()
    assert not note.startswith("须修改PIN")   # not "must", then "or later"
    assert "主持人重设" in note and "也可稍后" in note
    shot(dialog, "change-own-pin-note-at-sign-on")
    dialog.reject()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    window.change_pin_action.trigger()
    qtbot.waitUntil(lambda: window.pin_dialog is not dialog and window.pin_dialog.isVisible(),
                    timeout=3000)
    later = window.pin_dialog
    assert later.note.isVisible() and "主持人重设" in later.note.text()
    shot(later, "change-own-pin-note-from-menu")
    gen.close()
