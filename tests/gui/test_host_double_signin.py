"""The host page signals a new double sign-in: when a desk's log merged into the host's holds a
second sign-in of someone already signed in, a red line names the person, both desks and
times, and points to the 会议 page; the window alert goes off (the taskbar flashes). Resolved
on 会议, the line goes away."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import attendance
from app.clock import FixedClock
from app.meetings import current_meeting
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db

TIMEOUT_MS = 10000


def test_a_new_double_sign_in_is_signalled_on_the_host_page(qtbot, tmp_path, request, shot,
                                                              monkeypatch):
    from PySide6.QtWidgets import QApplication

    from tests.app.sync.sync_venue import copy_db
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.host_page import HostPage
    from ui.pages.meeting_page import MeetingPage

    make_app()
    alerts: list[object] = []
    monkeypatch.setattr(QApplication, "alert", staticmethod(lambda w, ms=0: alerts.append(w)))
    host_db, other_db = make_db(tmp_path / "host.db"), tmp_path / "other.db"
    copy_db(host_db, other_db)
    clock = FixedClock(CLOCK_START, 60.0)
    conn = connect(host_db, create=False)
    ctx = PageContext(conn, host_db, clock=clock, actor="chair")
    page = HostPage(ctx)
    qtbot.addWidget(page)

    def close() -> None:
        page.shutdown(wait=10)
        page.close()
        attendance.forget(conn)
        conn.close()

    request.addfinalizer(close)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    m = current_meeting(conn)
    zeng = next(p for p in db_persons.list_persons(conn) if p.name == "曾凡荣")
    assert attendance.sign_in(conn, m, zeng, "主机", "clerk", clock).written
    qtbot.waitUntil(lambda: page._dups_seen is not None, timeout=TIMEOUT_MS)
    assert not page.dup_line.isVisible() and alerts == []

    other = connect(other_db, create=False)        # the same person at a desk, later
    om = current_meeting(other)
    assert attendance.sign_in(other, om, zeng, "二号台", "clerk", clock).written
    foreign = attendance.export_events(other, om)
    attendance.forget(other)
    other.close()
    attendance.merge_events(conn, m, foreign)       # what the host does when the desk syncs

    qtbot.waitUntil(page.dup_line.isVisible, timeout=TIMEOUT_MS)   # the page's own poll
    said = page.dup_line.text()
    assert said.startswith("新的重复签到：曾凡荣（二号台 ")
    assert "已于 主机 " in said and "重复签到待处理 1 起" in said and "会议" in said
    assert alerts == [page.window()]
    shot(page, "host-new-double-sign-in")
    qtbot.wait(1200)                                  # polled again: no second alert
    assert len(alerts) == 1 and page.dup_line.text() == said

    meeting_page = MeetingPage(ctx)                   # the chair resolves it on 会议
    qtbot.addWidget(meeting_page)
    meeting_page.show()
    meeting_page.refresh()
    qtbot.mouseClick(meeting_page.dup_table.cellWidget(0, 3), Qt.MouseButton.LeftButton)
    dialog = meeting_page.dialog
    assert dialog is not None
    dialog.reason.setEditText("同一人两处签到，以主机为准")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not page.dup_line.isVisible(), timeout=TIMEOUT_MS)
    assert len(alerts) == 1
