"""Item 12 of the laptop-screen issue: at 1366x768 each table shows at least 8 rows and no label
is cut; at 1280x720 nothing is out of reach. Each page is opened at the size it gets inside the
main window at that screen size (the window less its step bar, header and status bar)."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QLabel, QScrollArea, QWidget

from app import attendance, meetings
from app.clock import FixedClock
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from tests.gui.test_counting_page import open_page as open_counting
from tests.gui.test_counting_page import ready_round
from tests.gui.test_counting_results import counted_round, open_results
from tests.gui.test_desk_page import ACTOR as DESK_ACTOR
from tests.gui.test_desk_page import open_desk_page

# The page's share of a maximised window on each screen (step bar 190 px wide; menu, demo band,
# header and status bar ~117 px high).
PAGE_AT_1366 = (1176, 651)
PAGE_AT_1280 = (1090, 603)
BRANCHES = ("第一党支部", "第十一党支部", "第十二党支部", "第三党支部", "第四党支部", "退休党支部")


def rows_shown(table: QAbstractItemView) -> float:
    """How many rows of the table's row height its viewport holds."""
    row = table.rowHeight(0) if table.model().rowCount() else table.verticalHeader().defaultSectionSize()
    return table.viewport().height() / row


def fully_inside(w: QWidget, page: QWidget) -> bool:
    """The widget is shown whole: within the page and at least as wide as it asks to be."""
    top_left = w.mapTo(page, w.rect().topLeft())
    bottom_right = w.mapTo(page, w.rect().bottomRight())
    return (w.isVisible() and page.rect().contains(top_left) and page.rect().contains(bottom_right)
            and w.width() >= w.minimumSizeHint().width())


def resize(qtbot, page, size) -> None:
    page.resize(*size)
    qtbot.wait(30)


def test_counting_boxes_table_shows_eight_rows_and_the_clerk_box_is_whole(qtbot, tmp_path, shot):
    from tests.gui.test_counting_page import counting_db

    page = open_counting(qtbot, counting_db(tmp_path / "counting.db"))
    try:
        ready_round(page)
        tab = page.setup_tab
        for name in ("主票箱", "流动票箱1", "流动票箱2"):
            tab.box_name.setCurrentText(name)
            assert tab.save_box() is not None
        page.tabs.setCurrentWidget(tab)
        resize(qtbot, page, PAGE_AT_1366)
        assert tab.boxes.rowCount() == 3
        assert rows_shown(tab.boxes) >= 8, rows_shown(tab.boxes)
        scroll = tab.findChild(QScrollArea)
        assert scroll is None or scroll.verticalScrollBar().maximum() == 0  # nothing hidden
        shot(page, "laptop-rows-1366-counting-setup")
        resize(qtbot, page, PAGE_AT_1280)
        # 录入人: its placeholder whole, and both entry groups on screen.
        box = page.clerk_box
        need = box.fontMetrics().horizontalAdvance(box.placeholderText())
        assert box.width() >= need + 12, (box.width(), need)
        for w in (page.entry_a, page.entry_b, page.open_button, box):
            assert fully_inside(w, page), w
        page.tabs.setCurrentWidget(tab)
        qtbot.wait(30)
        # At 1280x720 the box table and the line under it can still be reached (scrolled to).
        scroll = tab.findChild(QScrollArea)
        if scroll is not None:
            scroll.ensureWidgetVisible(tab.box_button)
            qtbot.wait(30)
        assert tab.box_button.visibleRegion().boundingRect().height() == tab.box_button.height()
        shot(page, "laptop-rows-1280-counting-setup")
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()


def test_results_tally_shows_eight_rows(qtbot, tmp_path, shot):
    from tests.gui.test_counting_page import counting_db

    path = counting_db(tmp_path / "results.db")
    counted_round(path, ["111110", "111101", "011111", "111110"])
    p = open_results(qtbot, path)
    try:
        p.rounds.setCurrentRow(0)
        resize(qtbot, p, PAGE_AT_1366)
        assert p.tally.rowCount() == 6
        assert rows_shown(p.tally) >= 8, rows_shown(p.tally)
        scroll = p.findChild(QScrollArea)
        assert scroll is None or scroll.verticalScrollBar().maximum() == 0  # nothing hidden
        for w in (p.lock_button, p.findings):
            assert w.visibleRegion().boundingRect().height() == w.height(), w
        shot(p, "laptop-rows-1366-results")
        resize(qtbot, p, PAGE_AT_1280)
        # At 1280x720 the lock button can still be reached (the column scrolls if it must).
        scroll = p.findChild(QScrollArea)
        if scroll is not None:
            scroll.ensureWidgetVisible(p.lock_button)
            qtbot.wait(30)
        assert p.lock_button.visibleRegion().boundingRect().height() == p.lock_button.height()
        shot(p, "laptop-rows-1280-results")
    finally:
        p.close()
        p.ctx.conn.close()


def test_desk_scope_label_is_elided_with_the_whole_list_in_its_tooltip(qtbot, tmp_path, shot):
    desk_db = make_db(tmp_path / "desk.db")
    conn = connect(desk_db)
    party = meetings.meeting_by_code(conn, "party")
    got = meetings.add_desk(conn, party.id, "三号台", list(BRANCHES),
                            clock=FixedClock(CLOCK_START, 1.0), actor=DESK_ACTOR)
    assert not isinstance(got, meetings.Refusal)
    page = open_desk_page(qtbot, conn, desk_db, size=PAGE_AT_1280)
    try:
        page.desk_box.setCurrentIndex(page.desk_box.findText("三号台"))
        qtbot.wait(30)
        label: QLabel = page.scope_label
        full = "负责：" + "、".join(BRANCHES)
        assert label.text() == full and label.toolTip() == full
        for size in (PAGE_AT_1280, PAGE_AT_1366):
            resize(qtbot, page, size)
            shown = label.shown_text()
            fits = label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
            assert fits, (shown, label.contentsRect().width())
            # Cut only with an ellipsis, and never to less than the first branch.
            assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1])), shown
            assert shown.startswith("负责：第一党支部"), shown
        shot(page, "laptop-rows-1366-desk")
    finally:
        page.close()
        attendance.forget(conn)
        conn.close()

