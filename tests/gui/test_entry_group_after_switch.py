"""切换人员 on the counting page with A and B by different people (a staff list): the walk's
trap. 甲 entered group A; 乙 signed on and the page stayed on A, so 乙's first ballot went into
A. Now the page tells 乙 who entered the group shown and which to choose, and chooses for a
person the group they already entered."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app import attendance, meetings, staff, voting
from app.permissions import Actor
from app.rules import Round
from db.connection import connect
from tests.gui.test_staff_signon import CLOCK, PIN, add_staff_list


def test_the_counting_page_shows_a_signed_on_person_their_group(qtbot, tmp_path):
    from tests.gui.test_counting_page import BALLOT_ORDER, counting_db, open_page, type_ballot

    path = counting_db(tmp_path / "ab.db")
    conn = connect(path)
    party = meetings.meeting_by_code(conn, "party")
    contest = meetings.list_contests(conn, party.id)[0]
    r = voting.open_round(conn, contest.id, actor="open-mode", clock=CLOCK, kind=Round.FIRST)
    assert not isinstance(r, meetings.Refusal) and r.names == BALLOT_ORDER
    attendance.forget(conn)
    conn.close()
    add_staff_list(path)
    page = open_page(qtbot, path)
    try:
        def sign_on(name: str) -> Actor:
            who = staff.sign_on(page.ctx.conn, name, PIN[name], clock=CLOCK)
            assert isinstance(who, Actor)
            page.ctx.set_actor(who)
            return who

        sign_on("孙计票")
        page.reload()
        page.entry_a.click()
        page.tabs.setCurrentWidget(page.entry_tab)
        type_ballot(qtbot, page.entry_tab, "ooooo-")
        assert "第1张已录入" in page.entry_tab.last.text(), page.entry_tab.last.text()
        sign_on("李计票")   # entered nothing: the page says whose group A is and where B is
        assert page.entry == "A"
        said = page.message.text()
        assert "录入组A由 孙计票 录入" in said and "录入另一组请选“录入组 B”" in said, said
        page.resize(1366, 768)
        page.grab().save(str(Path(tempfile.gettempdir()) / "entry_group_after_switch.png"))
        page.entry_b.click()
        type_ballot(qtbot, page.entry_tab, "ooooo-")
        assert "第1张已录入" in page.entry_tab.last.text(), page.entry_tab.last.text()
        sign_on("孙计票")   # back: group A is chosen for them
        assert page.entry == "A" and "孙计票 已录入组A" in page.message.text()
        sign_on("李计票")
        assert page.entry == "B" and "李计票 已录入组B" in page.message.text()
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()
