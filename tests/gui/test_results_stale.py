"""No stale messages on 结果: a red "不能锁定…计票尚未结束" does not stay beside "没有发现问题" once
counting has been closed and F5 validates again; a message belongs to the round it was said of."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import voting
from app.clock import FixedClock
from app.meetings import Refusal
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import ACTOR, counted_round, findings_text, open_results


def test_a_lock_refusal_clears_when_the_state_changes(qtbot, tmp_path, shot) -> None:
    db = counting_db(tmp_path / "stale.db")
    rid = counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    conn = connect(db)
    clock = FixedClock(CLOCK_START.replace(hour=10, minute=30), 1.0)
    assert not isinstance(voting.reopen_round(conn, rid, why="核对", actor=ACTOR, clock=clock),
                          Refusal)
    p = open_results(qtbot, db)
    try:
        p.resize(1366, 768)
        # 锁定结果 is not offered; why is said beside it (it was refused after a click).
        assert not p.lock_button.isEnabled()
        assert "计票尚未结束" in p.lock_why.text() and p.lock_why.isVisible()
        # Counting is closed on 投票计票 (another connection), then F5 here.
        assert not isinstance(voting.close_round(conn, rid, actor=ACTOR, clock=clock),
                              Refusal)
        p.setFocus()
        qtbot.keyClick(p, Qt.Key.Key_F5)
        qtbot.waitUntil(lambda: p.is_idle() and p.validation is not None
                        and p.current.round.state is voting.State.CLOSED, timeout=5000)
        assert not any("计票尚未结束" in t for t in findings_text(p))
        assert p.message.text() == "", p.message.text()
        assert p.lock_why.text() == "" and not p.lock_why.isVisible()
        assert p.lock_button.isEnabled()
        qtbot.wait(50)
        shot(p, "results-no-stale-message")
    finally:
        p.close()
        p.ctx.conn.close()
        conn.close()
