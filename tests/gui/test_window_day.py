"""The whole window (issue 14, items 12-14): closing mid-election asks and reopening restores the
page; the demo says it is a demo; branches in natural order; 值班人 as 登记人; 列席 labelled; one
step highlighted; file dialog columns in Chinese."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QToolButton,
    QTreeView,
)

from app import attendance, meetings, session
from app.clock import FixedClock
from app.register.branch_order import branch_sort_key, chinese_number, sorted_branches
from app.register.store import add_persons
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import later, open_window, person_records
from ui import pages


def sign_in_someone(path, name="曾凡荣", when=dt.datetime(2026, 11, 22, 9, 0)):
    conn = connect(path)
    m = meetings.current_meeting(conn) or meetings.list_meetings(conn)[0]
    if meetings.current_meeting(conn) is None:
        meetings.set_current(conn, m.id, clock=FixedClock(when, 1.0), actor="test")
    got = attendance.sign_in(conn, m, person_id(conn, name), "一号台", "test",
                             FixedClock(when, 1.0))
    assert got.event is not None, got.message
    conn.close()
    return got


def person_id(conn, name: str) -> int:
    return next(p.id for p in db_persons.list_persons(conn) if p.name == name)


def answer_box(qtbot, button_text: str | None, seen: list[str]) -> None:
    """When the next modal box shows: note its text, then press Esc (None) or click a button."""

    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            later(20, act)
            return
        seen.append(box.text() + "\n" + box.informativeText())
        if button_text is None:
            qtbot.keyClick(box, Qt.Key.Key_Escape)
        else:
            button = next(b for b in box.findChildren(QPushButton) if b.text() == button_text)
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    later(0, act)


def type_text(widget, text: str) -> None:
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def test_closing_mid_election_asks_and_reopening_restores_the_page(qtbot, small_db, shot):
    sign_in_someone(small_db)
    gen = open_window(qtbot, small_db)
    window = next(gen)
    qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    assert window.current_step == "voting"
    tabs = window.stack.currentWidget()
    tab = tabs.tabText(tabs.count() - 1) if hasattr(tabs, "tabText") else None
    if tab is not None:
        tabs.setCurrentIndex(tabs.count() - 1)
    seen: list[str] = []
    answer_box(qtbot, None, seen)                  # Esc: keep working
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert seen and "实到 1 人" in seen[0] and "不会丢失" in seen[0]
    assert small_db.name in seen[0] and "投票计票" in seen[0]
    assert window.isVisible() and not window.db_released
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    answer_box(qtbot, "关闭窗口", seen)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert len(seen) == 2
    qtbot.waitUntil(lambda: window.db_released, timeout=3000)
    assert not window.isVisible()
    # The close button sends a spontaneous close event: it asks too (Esc keeps the window).
    gen.close()

    from ui.app_main import open_main_window
    again = open_main_window(small_db)
    qtbot.addWidget(again)
    again.show()
    assert again.current_step == "voting"
    assert again.current_tab() == tab
    assert again.ctx.meeting is not None and again.ctx.meeting.code == "party"
    shot(again, "window-restored-counting")
    again.close()


def test_closing_with_nobody_signed_in_does_not_ask(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.db_released, timeout=3000)


def test_demo_band_on_every_page_from_the_builders_marker(qtbot, tmp_path, small_db, shot):
    from app.demo import build_demo
    from ui import pages

    demo_path = tmp_path / "any-name.db"   # the marker decides, not the file name
    conn = connect(demo_path)
    build_demo(conn)
    assert session.is_demo(conn)
    conn.close()
    for path, demo in ((small_db, False), (demo_path, True)):
        gen = open_window(qtbot, path)
        window = next(gen)
        window.resize(1366, 768)
        for number, step in enumerate(pages.STEPS, start=1):
            qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"),
                           Qt.KeyboardModifier.ControlModifier)
            band = window.demo_band
            assert (band is not None and band.isVisible()) == demo, step.key
            if demo:
                assert "演示数据，虚构" in band.text()
                assert band.visibleRegion().boundingRect().height() == band.height()
        if demo:
            shot(window, "window-demo-band")
        gen.close()


def test_branches_sort_naturally_on_the_desk_setup_page(qtbot, tmp_path):
    assert chinese_number("十一") == 11 and chinese_number("二十三") == 23
    assert chinese_number("一百零五") == 105 and chinese_number("１２") == 12
    assert sorted_branches(["离退休党支部", "第十一党支部", "第二党支部", "第十党支部",
                            "第一党支部", "第三党支部"]) == [
        "第一党支部", "第二党支部", "第三党支部", "第十党支部", "第十一党支部", "离退休党支部"]
    assert branch_sort_key("第2居民小组") < branch_sort_key("第十居民小组")

    from tests.gui.conftest import make_db

    path = make_db(tmp_path / "branches.db", people=False)
    records = person_records()
    names = ["离退休党支部", "第十一党支部", "第二党支部", "第十党支部", "第一党支部", "第三党支部"]
    records = [dataclasses.replace(r, branch=b) for r, b in zip(records, names, strict=True)]
    conn = connect(path)
    add_persons(conn, records, "2026-11-20T10:00:00+08:00", actor="test")
    conn.close()
    gen = open_window(qtbot, path)
    window = next(gen)
    page = window.show_step("prepare", tab="签到台设置")
    listed = [page.scope.item(i).text() for i in range(page.scope.count())]
    assert listed[:6] == ["第一党支部", "第二党支部", "第三党支部", "第十党支部", "第十一党支部",
                          "离退休党支部"]
    gen.close()


def test_registrar_is_the_named_person_never_a_login(window, qtbot):
    assert not window.ctx.actor.startswith("gui:")
    field = window.header.operator
    field.setFocus()
    type_text(field, "李秀英")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert window.ctx.actor == "李秀英"
    m = window.ctx.meeting
    got = attendance.sign_in(window.ctx.conn, m, person_id(window.ctx.conn, "曾凡荣"), "一号台", window.ctx.actor,
                             window.ctx.clock)
    assert got.event is not None and got.event.operator == "李秀英"
    assert session.operator(window.ctx.conn) == "李秀英"   # remembered for this database


def test_attending_count_is_labelled_not_present(window, qtbot):
    m = window.ctx.meeting
    got = attendance.sign_in(window.ctx.conn, m, person_id(window.ctx.conn, "吉𠮷"), "一号台", "test", window.ctx.clock)
    assert got.event is not None
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    page = window.current_page()
    page.refresh()
    assert "另有列席 1 人（无表决权，不计入实到）" in page.desks.text()


def highlighted(bar) -> list[str]:
    """Steps whose left edge is drawn in a highlight colour (orange/amber)."""
    img = bar.grab().toImage()
    out = []
    for key, button in bar.buttons.items():
        c = img.pixelColor(button.x() + 2, button.y() + button.height() // 2)
        if c.red() > 200 and c.green() < 200 and c.blue() < 150:
            out.append(key)
    return out


def test_one_step_highlighted_in_the_sidebar(window, qtbot, shot):
    bar = window.step_bar
    qtbot.mouseClick(bar.buttons["signin"], Qt.MouseButton.LeftButton)
    bar.buttons["signin"].setFocus(Qt.FocusReason.TabFocusReason)  # as Tab leaves it
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    assert window.current_step == "meeting"
    assert highlighted(bar) == ["meeting"]
    shot(bar, "sidebar-one-step")


def test_file_dialog_columns_in_chinese(qtbot, tmp_path):
    from ui import filedialogs
    from ui.app_main import make_app

    make_app()
    (tmp_path / "名册.xlsx").write_bytes(b"x" * 2048)
    dlg = filedialogs.make_dialog(None, "导入名册", str(tmp_path), "Excel (*.xlsx)")
    qtbot.addWidget(dlg)
    dlg.show()
    detail = dlg.findChild(QToolButton, "detailModeButton")
    qtbot.mouseClick(detail, Qt.MouseButton.LeftButton)
    tree = dlg.findChild(QTreeView, "treeView")
    model = tree.model()
    qtbot.waitUntil(lambda: model.rowCount(tree.rootIndex()) == 1, timeout=3000)
    row = [model.index(0, c, tree.rootIndex()).data() for c in range(4)]
    assert row[0] == "名册.xlsx" and row[2] == "Excel 表格"
    assert row[1] == "2.0 KB"
    assert row[3].startswith(dt.date.today().isoformat()[:4] + "-"), row[3]
    assert all(not any(w in str(v) for w in ("bytes", "KiB")) for v in row)
    labels = " ".join(w.text() for w in dlg.findChildren(QLabel))
    assert "Look in" not in labels and "Files of type" not in labels
    dlg.close()


@pytest.mark.slow
def test_screenshots_of_every_page_at_laptop_sizes(qtbot, tmp_path, shot):
    """Item 12: every step and tab of the demo at 1366x768 and 1280x720, saved for a person to
    look at; the window never grows beyond the screen's size."""
    from app.demo import build_demo

    path = tmp_path / "demo.db"
    conn = connect(path)
    build_demo(conn, stage="signed-in")
    conn.close()
    gen = open_window(qtbot, path)
    window = next(gen)
    for w, h in ((1366, 768), (1280, 720)):
        window.resize(w, h)
        for step in pages.STEPS:
            window.show_step(step.key)
            stack = window.stack.currentWidget()
            tabs = [stack.tabText(i) for i in range(stack.count())] if isinstance(
                stack, QTabWidget) else [None]
            for tab in tabs:
                window.show_step(step.key, tab=tab)
                qtbot.wait(50)
                assert window.width() <= w and window.height() <= h, (step.key, tab)
                shot(window, f"laptop-{w}x{h}-{step.key}{'-' + tab if tab else ''}")
    gen.close()


def test_a_demo_built_by_an_older_version_gets_the_band(qtbot, tmp_path, monkeypatch):
    """This laptop's demo file built before the marker existed opened unmarked on relaunch (a
    clerk's walk): `pollday` with no database marks it and the band shows."""
    from app.demo import build_demo
    from db import settings
    from db.tx import transaction
    from ui import app_main

    old = tmp_path / "demo.db"
    conn = connect(old)
    build_demo(conn)
    with transaction(conn):
        conn.execute("DELETE FROM setting WHERE key = ?", (session.DEMO,))
    assert not session.is_demo(conn) and settings.get(conn, session.DEMO) is None
    conn.close()
    monkeypatch.setattr(app_main, "demo_db_path", lambda: old)
    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))  # no election database used yet
    window = app_main.start_gui([])
    assert window is not None
    qtbot.addWidget(window)
    assert window.demo_band is not None and "演示数据，虚构" in window.demo_band.text()
    window.close()
