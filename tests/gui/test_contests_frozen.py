"""选举事项: once a contest's first round is opened (开始投票) its candidates and seats are frozen.
A 7th candidate typed after that is refused by the use case (GUI and CLI share it) and the page
says so in red; the margin line no longer shows green. Withdrawal with a reason stays possible."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import meetings, voting
from app.clock import FixedClock
from app.rules import Round
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import ACTOR, counting_db
from ui.pages.contests_page import GREEN, RED


def test_adding_a_7th_candidate_after_voting_opened_is_refused(qtbot, tmp_path, shot) -> None:
    from ui.app_main import make_app
    from ui.pages.contests_page import ContestsPage
    from ui.pages.context import PageContext

    path = counting_db(tmp_path / "frozen.db")
    conn = connect(path)
    clock = FixedClock(CLOCK_START.replace(hour=9), 1.0)
    contest = meetings.list_contests(conn, meetings.meeting_by_code(conn, "party").id)[0]
    r = voting.open_round(conn, contest.id, actor=ACTOR, clock=clock, kind=Round.FIRST)
    assert not isinstance(r, meetings.Refusal), r
    make_app()
    p = ContestsPage(PageContext(conn, path, clock=clock, actor=ACTOR))
    qtbot.addWidget(p)
    p.resize(1366, 768)
    p.show()
    qtbot.waitExposed(p)
    try:
        assert p.contest is not None and p.contest.id == contest.id
        # The page says it is frozen before anyone tries.
        assert "已开始投票" in p.margin.text() and GREEN not in p.margin.styleSheet()
        p.search_box.setFocus()
        p.search_box.setText("赵乐际")                # keyClicks cannot type Chinese
        p.typed_button.setFocus()                       # the button, by keyboard
        qtbot.keyClick(p.typed_button, Qt.Key.Key_Space)
        assert len(meetings.list_candidates(conn, contest.id)) == 6
        assert RED in p.message.styleSheet(), p.message.text()
        assert "已开始投票" in p.message.text() and "不能再添加候选人" in p.message.text()
        assert p.table.rowCount() == 6
        qtbot.wait(50)
        shot(p, "contests-frozen-refused")
        # The CLI's use case refuses the same way; seats too.
        got = meetings.add_candidate(conn, contest.id, name="赵乐际", clock=clock, actor=ACTOR)
        assert isinstance(got, meetings.Refusal) and got.code == "VOTING_STARTED"
        seats = meetings.set_contest_seats(conn, contest.id, 6, clock=clock, actor=ACTOR)
        assert isinstance(seats, meetings.Refusal) and seats.code == "VOTING_STARTED"
    finally:
        p.close()
        conn.close()
