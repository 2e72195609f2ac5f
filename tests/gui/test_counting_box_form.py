"""监票人 · 票箱: the box form shows the figures registered for the box it names. After the app
was reopened a tester saw 主票箱 印制/发出/收回 0/0/0 in the form while 40/24/21 were registered
(s79): 登记 / 更新此票箱 would have written the zeros nobody typed."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import voting
from app.clock import FixedClock
from app.meetings import Refusal
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import counting_db, open_page
from tests.gui.test_counting_results import ACTOR, counted_round


def _form(tab) -> tuple[int, int, int, int]:
    return (tab.printed.value(), tab.issued.value(), tab.returned.value(), tab.spoiled.value())


def test_the_box_form_shows_the_registered_figures_and_an_update_keeps_them(qtbot, tmp_path,
                                                                             shot):
    db = counting_db(tmp_path / "boxes.db")
    rid = counted_round(db, ["ooo---", "ooo---", "ooo---", "---ooo"])
    conn = connect(db)
    clock = FixedClock(CLOCK_START.replace(hour=10, minute=30), 1.0)
    assert not isinstance(voting.reopen_round(conn, rid, why="核对", actor=ACTOR, clock=clock),
                          Refusal)
    conn.close()
    p = open_page(qtbot, db)   # the app opened again on the day's database
    try:
        p.resize(1366, 768)
        tab = p.setup_tab
        p.tabs.setCurrentWidget(tab)
        assert tab.box_name.currentText() == "主票箱"
        assert _form(tab) == (6, 4, 4, 0), _form(tab)
        shot(p, "counting-box-form-registered-1366")
        # 登记 / 更新 without touching the figures: the registered figures stay.
        qtbot.mouseClick(tab.box_button, Qt.MouseButton.LeftButton)
        b = next(b for b in p.round.boxes if b.name == "主票箱")
        assert (b.printed, b.issued, b.returned, b.spoiled) == (6, 4, 4, 0)
        # Another box named: its own (none yet), then back: the registered figures again.
        tab.box_name.setCurrentText("流动票箱1")
        assert _form(tab)[1:] == (0, 0, 0)
        tab.box_name.setCurrentText("主票箱")
        assert _form(tab) == (6, 4, 4, 0)
    finally:
        p.close()
        p.ctx.conn.close()
