"""The numbers add up: 双录比对's 一致 + 不一致 equals the ballots compared (a number withdrawn
by both clerks is no ballot, not an agreeing one); a ballot typed beyond 收回 warns at once and
validation refuses to lock while the entries exceed 收回."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from app import attendance, voting
from tests.gui.test_counting_page import counting_db, open_page, ready_round, settled, type_ballot

BALLOTS = ("11111", "1212", "22222")


def withdraw_last(qtbot, tab) -> None:
    settled(qtbot, tab)
    tab.table.setFocus()
    tab.table.selectRow(len(tab.entered) - 1)
    qtbot.mouseClick(tab.withdraw_button, Qt.MouseButton.LeftButton)
    tab.dialog.reason.setEditText("同一张选票录了两次")
    qtbot.mouseClick(tab.dialog.ok_button, Qt.MouseButton.LeftButton)


def test_totals_add_up_and_over_returned_warns_and_blocks(qtbot, tmp_path, shot) -> None:
    page = open_page(qtbot, counting_db(tmp_path / "totals.db"))
    try:
        page.resize(1366, 768)
        ready_round(page)
        page.setup_tab.returned.setValue(3)
        assert page.setup_tab.save_box() is not None
        page.tabs.setCurrentIndex(1)
        tab = page.entry_tab
        for keys in BALLOTS:
            type_ballot(qtbot, tab, keys)
        assert "#c62828" not in tab.last.styleSheet()
        type_ballot(qtbot, tab, "111")                       # a 4th ballot, 收回 is 3
        settled(qtbot, tab)
        assert "#c62828" in tab.last.styleSheet(), tab.last.text()
        assert "多于票箱收回 3 张" in tab.last.text()
        assert "票箱收回 3 张" in tab.counter.text()
        shot(page, "counting-over-returned")
        withdraw_last(qtbot, tab)
        # Entry B: the same three, and the same 4th typed and withdrawn.
        page.entry_b.setChecked(True)
        page.clerk_box.setText("李四")
        settled(qtbot, tab)
        for keys in (*BALLOTS, "111"):
            type_ballot(qtbot, tab, keys)
        withdraw_last(qtbot, tab)
        settled(qtbot, tab)
        page.tabs.setCurrentIndex(2)
        text = page.compare_tab.view.summary.text()
        shot(page, "counting-compare-totals")
        agreed = int(re.search(r"一致 (\d+) 张", text).group(1))
        differing = int(re.search(r"不一致 (\d+) 张", text).group(1))
        compared = int(re.search(r"比对 (\d+) 张", text).group(1))
        assert (compared, agreed, differing) == (3, 3, 0), text
        # A 4th ballot typed by both clerks alike: validation refuses to lock (a finding).
        page.tabs.setCurrentIndex(1)
        type_ballot(qtbot, tab, "111")
        page.entry_a.setChecked(True)
        type_ballot(qtbot, tab, "111")
        v = voting.validate_round(page.ctx.conn, page.round.id)
        assert any(p.code == "BOX_RETURNED_MISMATCH" and "多于票箱登记收回3张" in p.message
                   for p in v.problems), v.problems
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()
