"""Pages built when needed (issue 14 item 15): opening a step builds only the tab on screen (签到
built 签到台 and 多台签到 at once, ~50 ms on the GUI thread); another tab is built when first
opened, by a click or by code; while nobody clicks, the next step of the day is built ahead."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from ui.main_window import LazyTab


def test_a_step_builds_its_other_tabs_when_they_are_opened(window, qtbot):
    from ui.pages.desk_page import DeskPage
    from ui.pages.host_page import HostPage

    desk = window.show_step("signin")
    assert isinstance(desk, DeskPage)
    tabs = window.stack.currentWidget()
    assert isinstance(tabs, QTabWidget) and isinstance(tabs.widget(1), LazyTab)
    assert not window.findChildren(HostPage)
    qtbot.mouseClick(tabs.tabBar(), Qt.MouseButton.LeftButton,
                     pos=tabs.tabBar().tabRect(1).center())       # the clerk clicks 多台签到
    host = tabs.currentWidget()
    assert isinstance(host, HostPage) and tabs.tabText(1) == "多台签到"
    assert window.current_page() is host and window.current_tab() == "多台签到"
    assert tabs.count() == 2 and not tabs.findChildren(LazyTab)
    assert window.show_step("signin", tab="签到台") is desk      # built once


def test_a_tab_asked_for_by_name_is_built_and_shown(window):
    page = window.show_step("report", tab="审计日志")
    assert not isinstance(page, LazyTab) and page.isVisible()
    assert window.current_tab() == "审计日志"


def test_the_next_step_of_the_day_is_built_while_nobody_clicks(window, qtbot):
    window.show_step("signin")
    assert "meeting" not in window._step_widgets
    qtbot.waitUntil(lambda: "meeting" in window._step_widgets, timeout=60000)  # after preload
    page = window._step_widgets["meeting"]
    assert not page.isVisible()
    assert window.show_step("meeting") is page and page.isVisible()
