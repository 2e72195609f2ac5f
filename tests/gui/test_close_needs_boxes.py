"""结束计票 with no box's 发出/收回 registered is refused, saying the way (监票人·票箱); after the
close the box form is greyed (it was enabled, then refused 已结束，不能再改票箱记录)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt

from app import attendance, voting
from app.rules import Round
from tests.gui.test_counting_page import counting_db, open_page, settled, type_ballot


def test_close_refused_without_boxes_then_box_form_greyed_after_close(qtbot, tmp_path) -> None:
    page = open_page(qtbot, counting_db(tmp_path / "close.db"))
    try:
        page.resize(1366, 768)
        assert page.open_round(Round.FIRST) is not None
        page.setup_tab.scrutineers.setText("曾凡荣")
        page.setup_tab.counters.setText("王䶮")
        assert page.setup_tab.save_officials() is not None
        page.entry_b.setChecked(False)
        page.tabs.setCurrentIndex(1)
        tab = page.entry_tab
        for keys in ("11111", "1212"):
            type_ballot(qtbot, tab, keys)
        page.entry_b.setChecked(True)
        page.clerk_box.setText("李四")
        settled(qtbot, tab)
        for keys in ("11111", "1212"):
            type_ballot(qtbot, tab, keys)
        settled(qtbot, tab)
        assert page.close_button.isEnabled()
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
        assert page.round.state is voting.State.OPEN
        said = page.message.text()
        assert "不能结束计票" in said and "监票人 · 票箱" in said and "发出" in said, said
        shots = Path(tempfile.gettempdir())
        page.grab().save(str(shots / "pollday-close-refused-no-boxes.png"))
        page.tabs.setCurrentIndex(0)
        box = page.setup_tab
        assert box.box_button.isEnabled()
        box.printed.setValue(6)
        box.returned.setValue(2)
        box.issued.setValue(4)
        qtbot.mouseClick(box.box_button, Qt.MouseButton.LeftButton)
        assert page.round.boxes, page.message.text()
        qtbot.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
        assert page.round.state is voting.State.CLOSED, page.message.text()
        for w in (box.box_name, box.mobile, box.printed, box.issued, box.returned, box.spoiled,
                  box.box_button):
            assert not w.isEnabled(), w
        assert "重新开放" in box.box_button.toolTip()
        page.grab().save(str(shots / "pollday-closed-box-form-greyed.png"))
        # Reopened (with a reason): the box form is the 监票人's again.
        back = voting.reopen_round(page.ctx.conn, page.round.id, why="更正收回数",
                                   actor="主持人", clock=page.ctx.clock)
        assert isinstance(back, voting.VotingRound), back
        page.refresh_round()
        assert box.box_button.isEnabled() and box.returned.isEnabled()
        assert "重新开放" not in box.box_button.toolTip()
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()
