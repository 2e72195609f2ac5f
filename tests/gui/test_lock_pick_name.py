"""The idle lock when someone else walks up (walk finding 1): they pick their own name in the
lock's 姓名 list — by mouse in the list's popup, or by keys (Alt+N, Down, or the popup opened
with Alt+Down) — type their PIN and unlock. The lock took every click and key in the popup
(the list stayed open, the app had to be killed), and Alt+N was eaten under a page that has its
own 姓名(&N) field, so the PIN typed next was counted against the previous person."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import session
from db.connection import connect
from tests.gui.test_staff_signon import PIN, open_signed_on, staff_db  # noqa: F401


def idle_locked(qtbot, path, who: str, tab: str = "工作人员名单"):
    conn = connect(path)
    assert session.set_idle_lock_minutes(conn, 1)
    conn.close()
    gen, window = open_signed_on(qtbot, path, who)
    window.resize(1366, 768)
    window.show_step("prepare", tab=tab)   # a page with its own 姓名(&N) and PIN(&P) fields
    window.activateWindow()
    now = [1000.0]
    window.idle_now = lambda: now[0]
    window.last_input = now[0]
    now[0] += 61
    window.idle_timer.timeout.emit()
    assert window.locked
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.lock_overlay.form.pin,
                    timeout=3000)
    return gen, window


def type_pin_and_unlock(qtbot, window, who: str) -> None:
    form = window.lock_overlay.form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is form.pin, timeout=3000)
    qtbot.keyClicks(QApplication.focusWidget(), PIN[who])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    assert window.ctx.actor.name == who and window.ctx.actor.verified


def test_another_person_picks_their_name_in_the_popup_with_the_mouse(qtbot, staff_db, shot):  # noqa: F811
    gen, window = idle_locked(qtbot, staff_db, "赵主持")
    shot(window, "lock-on-staff-page")
    combo = window.lock_overlay.form.name_box
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
    row = combo.findData("钱签到")
    rect = view.visualRect(view.model().index(row, 0))
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=3000)
    assert window.lock_overlay.form.name() == "钱签到"
    shot(window, "lock-another-name-picked")
    type_pin_and_unlock(qtbot, window, "钱签到")
    gen.close()


def test_another_person_picks_their_name_in_the_popup_by_keys(qtbot, staff_db):  # noqa: F811
    gen, window = idle_locked(qtbot, staff_db, "赵主持")
    combo = window.lock_overlay.form.name_box
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is combo
    qtbot.keyClick(combo, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)   # opens the list
    view = combo.view()
    qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
    target = combo.findData("周监票")
    for _ in range(target - combo.currentIndex()):
        qtbot.keyClick(view, Qt.Key.Key_Down)
    qtbot.keyClick(view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=3000)
    assert window.lock_overlay.form.name() == "周监票"
    type_pin_and_unlock(qtbot, window, "周监票")
    gen.close()


def test_escape_closes_the_popup_and_the_lock_stays(qtbot, staff_db):  # noqa: F811
    gen, window = idle_locked(qtbot, staff_db, "赵主持")
    combo = window.lock_overlay.form.name_box
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=3000)
    assert window.locked and window.lock_overlay.form.name() == "赵主持"
    assert QApplication.focusWidget() is combo
    qtbot.keyClick(combo, Qt.Key.Key_Tab)
    type_pin_and_unlock(qtbot, window, "赵主持")
    gen.close()


def test_alt_n_then_down_changes_the_name_and_the_pin_is_not_spent(qtbot, staff_db):  # noqa: F811
    gen, window = idle_locked(qtbot, staff_db, "赵主持")
    form = window.lock_overlay.form
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.name_box
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Down)
    assert form.name() == "钱签到"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is form.pin
    type_pin_and_unlock(qtbot, window, "钱签到")
    gen.close()


def test_the_opening_dialogs_name_list_takes_a_click_too(qtbot, staff_db):  # noqa: F811
    from tests.gui.conftest import open_window

    gen = open_window(qtbot, staff_db)
    window = next(gen)
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    form = window.sign_on_dialog.form
    combo = form.name_box
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(lambda: view.isVisible(), timeout=3000)
    rect = view.visualRect(view.model().index(combo.findData("孙计票"), 0))
    qtbot.mouseMove(view.viewport(), rect.center())
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=3000)
    assert form.name() == "孙计票"
    qtbot.keyClicks(form.pin, PIN["孙计票"])
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    assert window.ctx.actor.name == "孙计票"
    gen.close()
