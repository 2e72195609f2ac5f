"""Issue 15 item 5: 报送 · 审计日志. Every row in words, filters driven from the keyboard and the
mouse, the chain check at the top (a row edited with sqlite3 outside the app is named), a head
printed on paper typed in and compared, and the PDF and XLSX exports read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from db.audit import grouped
from tests.app.test_audit_log import make_audited_db, tamper_edit
from tests.gui.conftest import open_window


@pytest.fixture
def audited(tmp_path: Path) -> Path:
    return make_audited_db(tmp_path / "election.db")


def _page(qtbot, window):
    page = window.show_step("report", tab="审计日志")
    qtbot.waitUntil(page.is_loaded, timeout=10000)
    qtbot.wait(20)   # the banner's new height laid out before a screenshot
    return page


def _column(page, col: int) -> list[str]:
    return [str(page.model.row(i)[col]) for i in range(page.model.rowCount())]


def test_rows_in_words_and_filters_from_the_keyboard(qtbot, audited, shot):
    for window in open_window(qtbot, audited):
        window.resize(1366, 768)
        page = _page(qtbot, window)
        assert page.headline.text().startswith("审计记录完整")
        assert "请输入公告、报告单或交接单上印的审计链头核对" in page.check_text.text()
        total = page.model.rowCount()
        assert total == len(page.loaded.entries) == 6
        assert _column(page, 2)[-1] == "root"        # written as gui:root by an older version
        assert _column(page, 3)[-1] == "撤销请假"
        assert _column(page, 5)[-1] == "撤销 王䶮 的请假（原事由：=HYPERLINK(1)）"
        shot(window, "audit_page_1366x768")

        # 人员: Alt+P focuses the box, ↓ picks the first person (张三), ↓ again the next (李四).
        page.table.setFocus()
        qtbot.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is page.person
        qtbot.keyClick(page.person, Qt.Key.Key_Down)
        assert set(_column(page, 2)) == {page.person.currentText()} == {"张三"}
        qtbot.keyClick(page.person, Qt.Key.Key_Down)
        assert set(_column(page, 2)) == {"李四"} and page.model.rowCount() == 2
        assert "人员：李四" in page.count.text()

        # 动作 on top of it: only 李四's 登记请假.
        qtbot.keyClick(page, Qt.Key.Key_A, Qt.KeyboardModifier.AltModifier)
        assert QApplication.focusWidget() is page.action
        while page.action.currentText() != "登记请假":
            before = page.action.currentIndex()
            qtbot.keyClick(page.action, Qt.Key.Key_Down)
            assert page.action.currentIndex() != before, "登记请假 not offered"
        assert _column(page, 3) == ["登记请假"] and _column(page, 2) == ["李四"]

        qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
        assert page.model.rowCount() == total

        # 会议: the residents' meeting has only its creation.
        qtbot.keyClick(page, Qt.Key.Key_M, Qt.KeyboardModifier.AltModifier)
        while "居民委员会" not in page.meeting.currentText():
            qtbot.keyClick(page.meeting, Qt.Key.Key_Down)
        assert _column(page, 3) == ["新建会议"] and _column(page, 4) == ["residents"]
        qtbot.keyClick(page.meeting, Qt.Key.Key_Down)   # 不属于某个会议: the register
        assert _column(page, 3) == ["添加名册人员"]
        qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)

        # 时间: tick the box, type the start time into the 从 field (sections advance).
        qtbot.mouseClick(page.by_time, Qt.MouseButton.LeftButton)
        assert page.since.isEnabled()
        page.since.setFocus()
        page.since.setSelectedSection(page.since.Section.YearSection)
        qtbot.keyClicks(page.since, "202611220900")
        assert page.since.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-11-22 09:00"
        assert _column(page, 2) == ["root"], _column(page, 1)
        qtbot.mouseClick(page.by_time, Qt.MouseButton.LeftButton)
        assert page.model.rowCount() == total

        # Selecting a row shows all of it, with the operator as stored.
        page.table.setFocus()
        page.table.selectRow(total - 1)
        assert "root（记录为 gui:root）" in page.selected.text()
        assert "leave_removed" in page.selected.text()


def test_a_printed_head_typed_in_is_compared(qtbot, audited):
    for window in open_window(qtbot, audited):
        page = _page(qtbot, window)
        head = page.loaded.check.head.hash
        page.printed.setFocus()
        qtbot.keyClicks(page.printed, grouped(head).upper())
        qtbot.keyClick(page.printed, Qt.Key.Key_Return)
        qtbot.waitUntil(page.is_loaded, timeout=10000)
        assert "与纸面链头一致" in page.check_text.text()
        page.printed.clear()
        qtbot.keyClicks(page.printed, "ab" * 32)
        qtbot.mouseClick(page.compare_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(page.is_loaded, timeout=10000)
        assert "与纸面链头不符" in page.check_text.text()
        assert "#fde2e1" in page.banner.styleSheet()
        page.printed.clear()
        qtbot.keyClicks(page.printed, "1234")
        qtbot.keyClick(page.printed, Qt.Key.Key_Return)
        qtbot.waitUntil(page.is_loaded, timeout=10000)
        assert "不是审计链头" in page.printed_problem.text()


def test_a_row_edited_outside_the_app_is_named_at_the_top(qtbot, audited, shot):
    rid = tamper_edit(audited, "leave_added")
    for window in open_window(qtbot, audited):
        window.resize(1366, 768)
        page = _page(qtbot, window)
        assert page.headline.text() == f"审计记录不完整：第 {rid} 条起无法核实"
        assert "某领导，登记请假" in page.check_text.text()
        assert "被改动过" in page.check_text.text()
        assert "#fde2e1" in page.banner.styleSheet()
        ids = _column(page, 0)
        at = ids.index(str(rid))
        index = page.model.index(at, 3)
        assert page.model.data(index, Qt.ItemDataRole.BackgroundRole) is not None
        assert page.model.data(page.model.index(0, 3), Qt.ItemDataRole.BackgroundRole) is None
        shot(window, "audit_page_tampered_1366x768")


def test_export_pdf_and_xlsx_of_what_is_listed(qtbot, audited):
    from openpyxl import load_workbook

    from tests.app.documents.pdf_tools import pdf_text, squash

    for window in open_window(qtbot, audited):
        page = _page(qtbot, window)
        qtbot.keyClick(page, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)
        qtbot.keyClick(page.person, Qt.Key.Key_Down)    # 张三 only
        listed = page.model.rowCount()
        qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
        pdf = page.last_path
        assert pdf is not None and pdf.suffix == ".pdf" and pdf.is_file(), page.last_box.text()
        assert pdf.parent == audited.parent / "打印文件"
        page.last_box.close()
        text = squash(pdf_text(pdf))
        assert squash("审计记录完整") in text and squash("人员：张三") in text
        assert "李四" not in text and squash("新增签到台“一号台”") in text
        qtbot.mouseClick(page.xlsx_button, Qt.MouseButton.LeftButton)
        xlsx = page.last_path
        assert xlsx is not None and xlsx.suffix == ".xlsx"
        page.last_box.close()
        rows = [[c.value for c in r] for r in load_workbook(xlsx).active.iter_rows()]
        header = next(i for i, r in enumerate(rows) if r[0] == "序号")
        body = rows[header + 1:]
        assert len(body) == listed and {r[2] for r in body} == {"张三"}
