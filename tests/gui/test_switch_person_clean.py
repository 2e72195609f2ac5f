"""切换人员 and the idle lock leave nothing of the last person behind (walk B findings 1, 2):
- on 切换人员 (and after 退出登录) no name is chosen in advance: the next person's PIN typed under
  the previous person's name counted as the previous person's wrong PIN (two such rows against
  one 计票人); the PIN box takes nothing until a name is chosen. The idle lock keeps its own
  person's name chosen (it is their screen);
- the 添加工作人员 form drops typed PINs on a lock, a switch or a sign-off, and everything else
  typed there when another person signs on."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import session, staff
from app.permissions import Role
from db.connection import connect
from tests.gui.test_staff_signon import PIN, open_signed_on, pick_name, staff_db  # noqa: F401


def failed_pins(window, name: str) -> int:
    return next(m.failed for m in staff.list_staff(window.ctx.conn) if m.name == name)


def open_switch(qtbot, window):
    window.header.switch_button.click()
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    return window.sign_on_dialog


def test_switch_chooses_no_name_and_a_pin_typed_first_counts_against_no_one(
        qtbot, staff_db, shot):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "孙计票")
    window.resize(1366, 768)
    dialog = open_switch(qtbot, window)
    form = dialog.form
    assert form.name() == "" and form.name_box.currentIndex() == -1
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.name_box, timeout=3000)
    assert not form.pin.isEnabled()
    shot(dialog, "switch-person-no-name")
    # The next person types their PIN straight away and presses Enter: nothing is tried.
    qtbot.keyClicks(QApplication.focusWidget(), PIN["钱签到"])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert failed_pins(window, "孙计票") == 0
    assert window.ctx.actor.name == "孙计票" and dialog.isVisible()
    # Their name chosen by keys, the PIN box opens and signs them on.
    pick_name(qtbot, form.name_box, "钱签到")
    assert form.pin.isEnabled()
    form.pin.setFocus()
    qtbot.keyClicks(form.pin, PIN["钱签到"])
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert window.ctx.actor.name == "钱签到" and window.ctx.actor.verified
    assert failed_pins(window, "孙计票") == 0 and failed_pins(window, "钱签到") == 0
    gen.close()


def test_the_idle_lock_keeps_its_person_chosen_and_sign_off_does_not(qtbot, staff_db):  # noqa: F811
    conn = connect(staff_db)
    assert session.set_idle_lock_minutes(conn, 1)
    conn.close()
    gen, window = open_signed_on(qtbot, staff_db, "孙计票")
    window.activateWindow()
    now = [1000.0]
    window.idle_now = lambda: now[0]
    window.last_input = now[0]
    now[0] += 61
    window.idle_timer.timeout.emit()
    assert window.locked
    form = window.lock_overlay.form
    assert form.name() == "孙计票" and form.pin.isEnabled()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.pin, timeout=3000)
    qtbot.keyClicks(form.pin, PIN["孙计票"])
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    window.sign_off()
    assert window.locked and form.name() == "" and not form.pin.isEnabled()
    gen.close()


def fill_add_form(qtbot, page) -> None:
    page.name.setText("冯工作")
    page.role_boxes[Role.WORKER].setChecked(True)
    for box in (page.pin1, page.pin2):
        box.setFocus()
        qtbot.keyClicks(box, "975312")


def test_the_add_staff_form_drops_pins_on_a_lock_and_everything_on_a_switch(
        qtbot, staff_db, shot):  # noqa: F811
    conn = connect(staff_db)
    assert session.set_idle_lock_minutes(conn, 1)
    conn.close()
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    fill_add_form(qtbot, page)
    now = [1000.0]
    window.idle_now = lambda: now[0]
    window.last_input = now[0]
    now[0] += 61
    window.idle_timer.timeout.emit()
    assert window.locked
    assert page.pin1.text() == "" and page.pin2.text() == ""     # the PINs go at once
    assert page.name.text() == "冯工作"                           # their own screen: kept
    form = window.lock_overlay.form
    qtbot.keyClicks(form.pin, PIN["赵主持"])
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    fill_add_form(qtbot, page)
    dialog = open_switch(qtbot, window)
    pick_name(qtbot, dialog.form.name_box, "钱签到")
    dialog.form.pin.setFocus()
    qtbot.keyClicks(dialog.form.pin, PIN["钱签到"])
    qtbot.keyClick(dialog.form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert page.pin1.text() == "" and page.pin2.text() == ""
    assert page.name.text() == "" and not page.role_boxes[Role.WORKER].isChecked()
    shot(window, "staff-page-after-switch")
    gen.close()
