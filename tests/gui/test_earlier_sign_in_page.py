"""会议 page, double sign-ins: the earlier sign-in is the one shown 有效 (reported: the host's
03:08:03 was listed as 重复 of an offline desk's 03:08:05, and 各签到台签到人数 credited the desk)."""

from __future__ import annotations

import datetime as dt

from app import attendance
from app.clock import FixedClock
from app.meetings import current_meeting
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import make_db

TZ = dt.timezone(dt.timedelta(hours=8))


def _at(h: int, m: int, s: int) -> FixedClock:
    return FixedClock(dt.datetime(2026, 11, 22, h, m, s, tzinfo=TZ))


def test_the_host_page_shows_the_earlier_sign_in_as_standing(qtbot, tmp_path, shot):
    from tests.app.sync.sync_venue import copy_db
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.meeting_page import MeetingPage

    make_app()
    host_db, desk_db = make_db(tmp_path / "host.db"), tmp_path / "desk.db"
    copy_db(host_db, desk_db)
    conns = {"主机": connect(host_db, create=False), "二号台": connect(desk_db, create=False)}
    m = current_meeting(conns["主机"])
    assert m is not None
    people = {p.name: p for p in db_persons.list_persons(conns["主机"])}
    for name in ("王䶮", "欧阳红梅", "张喆"):     # the host's log runs ahead of the desk's
        assert attendance.sign_in(conns["主机"], m, people[name], "主机", "clerk",
                                  _at(3, 0, 0)).written
    assert attendance.sign_in(conns["主机"], m, people["曾凡荣"], "主机", "clerk",
                              _at(3, 8, 3)).written
    assert attendance.sign_in(conns["二号台"], m, people["曾凡荣"], "二号台", "clerk",
                              _at(3, 8, 5)).written            # offline, two seconds later
    foreign = attendance.export_events(conns["二号台"], m)
    attendance.forget(conns["二号台"])
    conns["二号台"].close()
    conn = conns["主机"]
    page = None
    try:
        assert attendance.merge_events(conn, m, foreign) == 1     # the desk reconnects
        page = MeetingPage(PageContext(conn, host_db, clock=_at(3, 10, 0), actor="chair"))
        qtbot.addWidget(page)
        page.resize(1366, 768)
        page.show()
        qtbot.waitExposed(page)
        page.refresh()
        t = page.dup_table
        assert t.isVisible() and t.rowCount() == 1
        assert [t.horizontalHeaderItem(c).text() for c in (1, 2)] == [
            "有效签到（签到台 时间）", "重复签到（签到台 时间）"]
        assert [t.item(0, c).text() for c in range(3)] == [
            "曾凡荣", "主机 03:08:03", "二号台 03:08:05"]
        assert page.desks.text().startswith("各签到台签到人数：主机 4")
        assert "二号台" not in page.desks.text()
        shot(page, "meeting-earlier-sign-in-stands")
        t.cellWidget(0, 3).click()
        dialog = page.dialog
        assert dialog is not None
        text = dialog.findChildren(type(page.desks))
        words = "\n".join(w.text() for w in text)
        assert "有效：主机 03:08:03" in words and "重复：二号台 03:08:05" in words
        dialog.close()
    finally:
        if page is not None:
            page.close()
            qtbot.wait(50)   # the page's queued refreshes run before the connection closes
        attendance.forget(conn)
        conn.close()
