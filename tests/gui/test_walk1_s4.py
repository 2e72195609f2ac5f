"""Fresh-eyes walk, findings 4, 7, 9, 11, 14, 15, 16, 18: each reproduced by keystrokes or clicks."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.rules import Round
from tests.gui.test_counting_page import counting_db, open_page


def test_empty_officials_are_refused_naming_the_empty_field(qtbot, tmp_path, shot):
    page = open_page(qtbot, counting_db(tmp_path / "c.db"))
    try:
        assert page.open_round(Round.FIRST) is not None
        tab = page.setup_tab
        tab.scrutineers.setText("")
        tab.counters.setText("")
        qtbot.mouseClick(tab.officials_button, Qt.MouseButton.LeftButton)
        assert "已登记" not in page.message.text()
        assert "监票人" in page.message.text() and "未填写" in page.message.text()
        assert not page.round.officials.scrutineers
        tab.scrutineers.setText("曾凡荣")
        qtbot.mouseClick(tab.officials_button, Qt.MouseButton.LeftButton)
        assert "未填写计票人" in page.message.text()
        # The hint in an empty box reads as a hint, not as names already filled in.
        assert tab.counters.placeholderText().startswith("例如")
        tab.counters.setText("")
        page.resize(1366, 768)
        shot(page, "walk1-officials-empty")
    finally:
        page.close()
        page.ctx.conn.close()
