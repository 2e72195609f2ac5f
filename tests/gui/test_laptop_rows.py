"""Item 12 of the laptop-screen issue: at 1366x768 each table shows at least 8 rows and no label
is cut; at 1280x720 nothing is out of reach. Each page is opened at the size it gets inside the
main window at that screen size (the window less its step bar, header and status bar)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QStyle,
    QStyleOptionComboBox,
    QTableView,
    QTabWidget,
    QWidget,
)

from app import attendance, meetings
from app.clock import FixedClock
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from tests.gui.test_counting_page import open_page as open_counting
from tests.gui.test_counting_page import ready_round
from tests.gui.test_counting_results import counted_round, open_results
from tests.gui.test_desk_page import ACTOR as DESK_ACTOR
from tests.gui.test_desk_page import open_desk_page
from ui import pages

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



def test_officials_hints_and_round_name_are_whole_at_1280(qtbot, tmp_path, shot):
    """A new round before its officials are recorded: the 监票人/计票人 boxes show their hints
    whole, and the round list its round and state, at 1280x720 (both were cut)."""
    from app.rules import Round
    from tests.gui.test_counting_page import counting_db

    page = open_counting(qtbot, counting_db(tmp_path / "officials.db"))
    try:
        assert page.open_round(Round.FIRST) is not None
        page.tabs.setCurrentWidget(page.setup_tab)
        for size in (PAGE_AT_1280, PAGE_AT_1366):
            resize(qtbot, page, size)
            tab = page.setup_tab
            assert not tab.scrutineers.text() and not tab.counters.text()
            assert cut_texts(page) == [], size
            assert "第1轮" in page.round_box.currentText()
        shot(page, "laptop-rows-1280-counting-officials")
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()


def test_ballot_entry_keeps_eight_rows_while_a_clerk_types(qtbot, tmp_path, shot):
    """逐张录入 in use (the walk measured 4.8 rows at 1366x768): ballots typed with keystrokes,
    the last ballot's answer shown whole beside the counter, 8 entered ballots in sight."""
    from tests.gui.test_counting_page import counting_db, type_ballot

    page = open_counting(qtbot, counting_db(tmp_path / "entry.db"))
    try:
        ready_round(page)
        setup = page.setup_tab
        setup.box_name.setCurrentText("主票箱")
        setup.issued.setValue(4)
        setup.returned.setValue(4)
        assert setup.save_box() is not None
        tab = page.entry_tab
        page.tabs.setCurrentWidget(tab)
        for size in (PAGE_AT_1366, PAGE_AT_1280):
            resize(qtbot, page, size)
            type_ballot(qtbot, tab, "111" if size == PAGE_AT_1366 else "12")
            qtbot.wait(30)                      # the layout takes the new texts
            assert "已录入" in tab.last.text()
            # The answer whole: its wrapped height fits the height it was given.
            assert tab.last.heightForWidth(tab.last.width()) <= tab.last.height(), tab.last.text()
            assert cut_texts(page) == [], size
            # Each entered ballot's clerk and time whole in their columns.
            for col in (3, 4):
                need = tab.table.sizeHintForColumn(col)
                assert tab.table.columnWidth(col) >= need, (col, tab.table.columnWidth(col), need)
            if size == PAGE_AT_1366:
                assert rows_shown(tab.table) >= 8, rows_shown(tab.table)
            shot(page, f"laptop-rows-{size[0]}-counting-entry")
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()


# --- every page of the demo, in the main window, at both laptop sizes ----------------------------

SCREENS = ((1366, 768), (1280, 720))


@pytest.fixture(scope="module")
def final_demo(tmp_path_factory):
    """The demo venue at the end of the day (register, desks, rounds entered and locked), built
    once for the module; each test opens a copy."""
    from app.demo import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    conn = connect(path)
    build_demo(conn, stage="final")
    conn.close()
    return path


def every_page(window):
    """(name, page) for every step and tab, the counting page's own tabs included; each shown
    and settled before it is yielded."""
    from tests.gui.test_demo_venue import settle

    for step in pages.STEPS:
        window.show_step(step.key)
        stack = window.stack.currentWidget()
        tabs = ([stack.tabText(i) for i in range(stack.count())]
                if isinstance(stack, QTabWidget) else [None])
        for tab in tabs:
            page = window.show_step(step.key, tab=tab)
            settle(window.qtbot, window)
            if step.key == "results" and getattr(page, "rounds", None) is not None:
                page.rounds.setCurrentRow(0)      # a round's tally, findings and buttons
                settle(window.qtbot, window)
            inner = getattr(page, "tabs", None)
            name = f"{step.key}-{tab}" if tab else step.key
            if isinstance(inner, QTabWidget):
                for i in range(inner.count()):
                    if not inner.isTabEnabled(i):
                        continue
                    inner.setCurrentIndex(i)
                    settle(window.qtbot, window)
                    yield f"{name}-{inner.tabText(i).split(' ')[0]}", page
            else:
                yield name, page


def shown_tables(page: QWidget) -> list[QTableView]:
    return [t for t in page.findChildren(QTableView) if t.isVisible()]


def cut_texts(page: QWidget) -> list[str]:
    """Texts shown cut on the page: one-line labels narrower than their text, lists whose
    current item does not fit, empty boxes whose hint does not fit."""
    out = []
    for label in page.findChildren(QLabel):
        if (not label.isVisible() or label.wordWrap() or not label.text()
                or hasattr(label, "shown_text") or rich(label)):
            continue
        text = label.text().replace("&", "") if label.buddy() is not None else label.text()
        lines = text.split("\n")
        need = max(label.fontMetrics().horizontalAdvance(line) for line in lines)
        if need > label.contentsRect().width() + 1:
            out.append(f"label {text!r}: {need} > {label.contentsRect().width()}")
        # Squeezed in height: the glyphs' lower part cut off (a big fingerprint was).
        tall = label.fontMetrics().height() * len(lines)
        if label.contentsRect().height() < tall - 2:
            out.append(f"label {text!r}: {label.contentsRect().height()} px high < {tall}")
    for box in page.findChildren(QComboBox):
        if not box.isVisible() or not box.currentText() or box.isEditable():
            continue
        opt = QStyleOptionComboBox()
        box.initStyleOption(opt)
        field = box.style().subControlRect(QStyle.ComplexControl.CC_ComboBox, opt,
                                           QStyle.SubControl.SC_ComboBoxEditField, box)
        need = box.fontMetrics().horizontalAdvance(box.currentText())
        if need > field.width():
            out.append(f"list {box.currentText()!r}: {need} > {field.width()}")
    for edit in page.findChildren(QLineEdit):
        if (not edit.isVisible() or isinstance(edit.parent(), QComboBox) or edit.text()
                or not edit.placeholderText()):
            continue
        need = edit.fontMetrics().horizontalAdvance(edit.placeholderText())
        if need > edit.width() - 10:
            out.append(f"hint {edit.placeholderText()!r}: {need} > {edit.width() - 10}")
    return out


def rich(label: QLabel) -> bool:
    text = label.text()
    return label.textFormat() == Qt.TextFormat.RichText or ("<" in text and ">" in text)


def out_of_reach(page: QWidget) -> list[str]:
    """Controls a person cannot bring into view: not shown whole, and not inside a scroll area
    that shows them whole once scrolled to."""
    out = []
    controls = (QAbstractButton, QLineEdit, QComboBox, QAbstractItemView)
    for w in page.findChildren(QWidget):
        if (not w.isVisible() or not isinstance(w, controls) or isinstance(w, QHeaderView)
                or isinstance(w.parent(), QComboBox) or w.window() is not page.window()
                or w.objectName() == "qt_tableview_cornerbutton"):
            continue
        if whole(w):
            continue
        scroll, p = None, w.parentWidget()
        while p is not None and p is not page.window():
            if isinstance(p, QScrollArea):
                scroll = p
                break
            p = p.parentWidget()
        if scroll is not None:
            # Scrolled to the whole widget (ensureWidgetVisible of an editable list only
            # brings its text cursor into view).
            at = w.mapTo(scroll.widget(), w.rect().center())
            scroll.ensureVisible(at.x(), at.y(), w.width() // 2 + 1, w.height() // 2 + 1)
            if whole(w):
                continue
        name = getattr(w, "text", lambda: "")() or w.accessibleName() or type(w).__name__
        out.append(f"{name}: {w.visibleRegion().boundingRect()} of {w.size()}")
    return out


def whole(w: QWidget) -> bool:
    shown = w.visibleRegion().boundingRect()
    return shown.width() >= w.width() - 1 and shown.height() >= w.height() - 1


@pytest.mark.slow
def test_every_page_of_the_demo_at_laptop_sizes(qtbot, tmp_path, final_demo, shot):
    """Issue 14 item 12 on every page: at 1366x768 every table shows at least 8 rows and no
    text is cut; at 1280x720 no text is cut and every control can be reached. Screenshots of
    each page at both sizes are saved for a person to look at."""
    from tests.gui.conftest import open_window

    path = tmp_path / "demo.db"
    shutil.copy(final_demo, path)
    gen = open_window(qtbot, path)
    window = next(gen)
    window.qtbot = qtbot
    problems: list[str] = []
    try:
        for w, h in SCREENS:
            window.resize(w, h)
            qtbot.wait(30)
            for name, page in every_page(window):
                assert window.width() <= w and window.height() <= h, name
                if (w, h) == (1366, 768):
                    for t in shown_tables(page):
                        if rows_shown(t) < 8:
                            problems.append(f"{w}x{h} {name}: {t.accessibleName() or type(t).__name__}"
                                            f" shows {rows_shown(t):.1f} rows")
                problems += [f"{w}x{h} {name}: {c}" for c in cut_texts(page)]
                if (w, h) == (1280, 720):
                    problems += [f"{w}x{h} {name}: out of reach {c}" for c in out_of_reach(page)]
                shot(window, f"laptop-page-{w}x{h}-{name}")
    finally:
        gen.close()
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_the_district_window_at_laptop_sizes(qtbot, tmp_path_factory, tmp_path, shot):
    """The district office's window (`pollday --district`), with the demo district's packages
    and plan: the same measures as the election window's pages."""
    from tests.app.district.conftest import shared_demo
    from tests.gui.test_district_page import _page, _wait_import

    packages = shared_demo(tmp_path_factory)
    window, page = _page(qtbot, tmp_path / "district.db")
    _wait_import(qtbot, page, sorted(packages.glob("*.pollday")))
    page.load_sheet("plan", packages / "plan.xlsx")
    problems: list[str] = []
    for w, h in SCREENS:
        window.resize(w, h)
        qtbot.wait(50)
        if (w, h) == (1366, 768):
            problems += [f"{w}x{h}: {type(t).__name__} shows {rows_shown(t):.1f} rows"
                         for t in shown_tables(page) if rows_shown(t) < 8]
        problems += [f"{w}x{h}: {c}" for c in cut_texts(page)]
        if (w, h) == (1280, 720):
            problems += [f"{w}x{h}: out of reach {c}" for c in out_of_reach(page)]
        shot(window, f"laptop-page-{w}x{h}-district")
    window.close()
    assert not problems, "\n".join(problems)
