"""投票计票: the footer's words belong to the round's state. A tester closed counting (footer:
"计票已结束，请到“结果”页验证并锁定"), reopened it (结果 → 解除锁定 reopens counting) and came
back: the round said 计票中, the footer still 计票已结束 (s75)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import voting
from app.clock import FixedClock
from app.meetings import Refusal
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import counting_db, open_page
from tests.gui.test_counting_results import ACTOR, counted_round


def test_the_footer_forgets_counting_closed_once_counting_is_reopened(qtbot, tmp_path, shot):
    db = counting_db(tmp_path / "footer.db")
    rid = counted_round(db, ["ooo---", "ooo---", "ooo---", "---ooo"])
    other = connect(db)
    clock = FixedClock(CLOCK_START.replace(hour=10, minute=30), 1.0)
    assert not isinstance(voting.reopen_round(other, rid, why="核对", actor=ACTOR, clock=clock),
                          Refusal)
    p = open_page(qtbot, db)
    try:
        p.resize(1366, 768)
        assert p.round is not None and p.round.state is voting.State.OPEN
        qtbot.mouseClick(p.close_button, Qt.MouseButton.LeftButton)
        assert "计票已结束" in p.message.text(), p.message.text()
        # Reopened on another page (结果 → 解除锁定), then this page is shown again.
        assert not isinstance(voting.reopen_round(other, rid, why="发现录入错误，须更正",
                                                  actor=ACTOR, clock=clock), Refusal)
        p.hide()
        p.show()
        qtbot.waitExposed(p)
        assert p.round.state is voting.State.OPEN and "计票中" in p.status.text()
        assert "计票已结束" not in p.message.text(), p.message.text()
        shot(p, "counting-footer-reopened-1366")
        # Reopened here: the footer says so, and closing again says closed again.
        qtbot.mouseClick(p.close_button, Qt.MouseButton.LeftButton)
        assert "计票已结束" in p.message.text()
        p.ask_reopen()
        p.dialog.reason.setEditText("发现录入错误，须更正")
        p.dialog.ok_button.click()
        assert "已重新开放计票" in p.message.text() and "计票中" in p.status.text()
    finally:
        p.close()
        p.ctx.conn.close()
        other.close()
