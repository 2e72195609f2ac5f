"""Keys typed right after signing on are taken (fresh-eyes walk): on 投票计票 → 逐张录入 a 计票人
switches person (Ctrl+L) or unlocks the idle lock and types a ballot straight away, with no click
into the entry line. The line had been turned off while no one (or another person) was signed on,
the focus left it, and the ballots typed after the dialog closed went nowhere (录入组A已录入 0 张)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import session
from db.connection import connect
from tests.gui.test_counting_page import settled
from tests.gui.test_counting_rights_before import counting_page, open_round_db
from tests.gui.test_lock_pick_name import type_pin_and_unlock
from tests.gui.test_refused_before_the_work import switch_to
from tests.gui.test_staff_signon import open_signed_on


def type_into_focus(qtbot, keys: str) -> None:
    """The clerk's keys go where the focus is, as on the laptop."""
    for key in keys:
        focused = QApplication.focusWidget()
        assert focused is not None
        qtbot.keyClicks(focused, key)
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, Qt.Key.Key_Return)


def entry_page(qtbot, path, who: str):
    gen, window = open_signed_on(qtbot, path, who)
    window.resize(1366, 768)
    window.activateWindow()
    page = counting_page(window)
    page.tabs.setCurrentIndex(1)
    entry = page.entry_tab
    qtbot.waitUntil(lambda: QApplication.focusWidget() is entry.line, timeout=3000)
    settled(qtbot, entry)
    return gen, window, entry


def test_ballots_typed_right_after_switch_person_are_entered(qtbot, tmp_path, shot):
    # The desk clerk had the laptop: the line was off (the focus left it) until a 计票人 signs on.
    gen, window = open_signed_on(qtbot, open_round_db(tmp_path), "钱签到")
    window.resize(1366, 768)
    window.activateWindow()
    page = counting_page(window)
    page.tabs.setCurrentIndex(1)
    entry = page.entry_tab
    settled(qtbot, entry)
    assert not entry.line.isEnabled()
    switch_to(qtbot, window, "孙计票")
    qtbot.wait(50)   # the clerk's hand goes from the PIN to the ballot
    # The dialog closed, the system gives the window back its activation (Windows does; the
    # offscreen platform in tests leaves the hidden dialog active): its focus widget takes keys.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    settled(qtbot, entry)
    for _ in range(3):
        type_into_focus(qtbot, "1112")
        settled(qtbot, entry)
    assert "录入组A已录入 3 张" in entry.counter.text(), entry.counter.text()
    assert QApplication.focusWidget() is entry.line
    shot(window, "entry-after-switch-person")
    gen.close()


def test_ballots_typed_right_after_the_idle_unlock_are_entered(qtbot, tmp_path, shot):
    path = open_round_db(tmp_path)
    conn = connect(path)
    assert session.set_idle_lock_minutes(conn, 1)
    conn.close()
    gen, window, entry = entry_page(qtbot, path, "孙计票")
    now = [1000.0]
    window.idle_now = lambda: now[0]
    window.last_input = now[0]
    now[0] += 61
    window.idle_timer.timeout.emit()
    assert window.locked
    type_pin_and_unlock(qtbot, window, "孙计票")
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    qtbot.wait(50)   # the clerk's hand goes from the PIN to the ballot
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    settled(qtbot, entry)
    for _ in range(2):
        type_into_focus(qtbot, "1112")
        settled(qtbot, entry)
    assert "录入组A已录入 2 张" in entry.counter.text(), entry.counter.text()
    shot(window, "entry-after-idle-unlock")
    gen.close()
