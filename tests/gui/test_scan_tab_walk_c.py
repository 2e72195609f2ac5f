"""扫描认定 (walk C findings): the highlighted flagged ballot is the one shown, with its image,
when the tab is opened and refreshed again (it said 没有待认定的选票 with 认定 enabled), and
认定 is off whenever no ballot is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_counting_page import counting_db, open_page, ready_round
from tests.gui.test_scan_tab_two_people import _overvotes


def _tab(qtbot, tmp_path):
    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    page.resize(1366, 768)
    r = ready_round(page)
    folder = _overvotes(page.ctx.conn, r, tmp_path)
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
    tab = page.scan_tab
    tab.hand_count.setValue(3)
    tab.start_import(folder)
    qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
    return page, tab


def test_the_highlighted_ballot_is_the_one_shown(qtbot, tmp_path, shot):
    page, tab = _tab(qtbot, tmp_path)
    assert tab.queue.count() == 2 and tab.queue.currentRow() == 0
    tab.refresh()             # the tab shown again, or a change followed from elsewhere
    tab.focus_first()
    first = tab.pages[0]
    assert f"第{first.batch}批第{first.position}张" in tab.reading.text()
    assert "没有待认定" not in tab.reading.text()
    qtbot.waitUntil(lambda: tab.image.pixmap() is not None and not tab.image.pixmap().isNull(),
                    timeout=10000)
    assert tab.decide_button.isEnabled()
    shot(page, "scan_walkc_shown")
    # nothing chosen: nothing shown, and 认定 is off
    tab.queue.setCurrentRow(-1)
    assert not tab.decide_button.isEnabled() and "选择" in tab.reading.text()
    assert tab.image.pixmap().isNull()
    tab.refresh()
    assert tab.queue.currentRow() == 0 and tab.decide_button.isEnabled()
