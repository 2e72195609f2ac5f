"""多台签到 host dashboard on loopback: nothing listens until host mode is on; the pairing code is
shown as a QR that decodes to the code; a desk (the sync core's DeskService in a thread) that
joins shows up online with its events, offline once it stops; a connection with the wrong
secret is listed as refused; the quorum panel shows the desks' consolidated sign-ins."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import subprocess

import pytest

from app import attendance
from app.clock import FixedClock
from app.meetings import current_meeting
from app.sync import DeskService, join, parse, shared
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db

TIMEOUT_MS = 15000


def open_host_page(qtbot, tmp_path, request, size: tuple[int, int] = (1280, 760)):
    """The 多台签到 host page on a new database, shown at `size`; shut down with its database
    after the test."""
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.host_page import HostPage

    make_app()
    path = make_db(tmp_path / "host.db")
    conn = connect(path)
    ctx = PageContext(conn, path, clock=FixedClock(CLOCK_START, 1.0), actor="host-test")
    page = HostPage(ctx)
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)

    def close() -> None:
        page.shutdown(wait=10)
        page.close()
        attendance.forget(conn)
        conn.close()

    request.addfinalizer(close)
    return page


@pytest.fixture
def host_page(qtbot, tmp_path, request):
    return open_host_page(qtbot, tmp_path, request)


def start_on_loopback(page, qtbot) -> str:
    page.port.setValue(0)
    page.address.setText("127.0.0.1")
    page.start_host(bind="127.0.0.1")
    qtbot.waitUntil(lambda: bool(page.code), timeout=TIMEOUT_MS)
    return page.code


@pytest.fixture
def desks(request):
    """DeskServices started by a test, always stopped."""
    started: list[DeskService] = []
    request.addfinalizer(lambda: [d.stop() for d in started])
    return started


def row_of(page, desk: str) -> dict[str, str]:
    t = page.table
    for r in range(t.rowCount()):
        if t.item(r, 0).text() == desk:
            return {t.horizontalHeaderItem(c).text(): t.item(r, c).text()
                    for c in range(t.columnCount())}
    return {}


def zbar(path) -> str:
    out = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True,
                         timeout=20)
    return out.stdout.strip()


def test_nothing_listens_until_host_mode_is_on(host_page, qtbot):
    assert not host_page.runner.running and host_page.code == ""
    assert not host_page.stop_button.isEnabled()
    code = start_on_loopback(host_page, qtbot)
    pairing = parse(code)
    assert pairing.address == "127.0.0.1" and pairing.port > 0
    with socket.create_connection(("127.0.0.1", pairing.port), timeout=2):
        pass
    host_page.stop_host()
    qtbot.waitUntil(lambda: host_page.code == "", timeout=TIMEOUT_MS)
    assert not host_page.runner.running and host_page.start_button.isEnabled()
    assert "已停止" in host_page.state.text()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", pairing.port), timeout=2).close()


def test_dashboard_shows_a_desk_online_then_offline_and_a_refused_attempt(
        host_page, qtbot, tmp_path, desks, shot):
    code = start_on_loopback(host_page, qtbot)
    qr_png = shot(host_page.qr, "host-qr")
    assert zbar(qr_png) == code   # the QR on screen is the pairing code itself

    pairing = parse(code)
    desk_db = tmp_path / "desk-1.db"
    asyncio.run(join(desk_db, pairing, "一号台", timeout=20))
    service = DeskService(desk_db, pairing).start()
    desks.append(service)
    conn = connect(desk_db, create=False)
    try:
        meeting = current_meeting(conn)
        assert meeting is not None
        people = [p for p in db_persons.list_persons(conn) if p.name in ("曾凡荣", "王䶮")]
        for p in people:
            r = attendance.sign_in(conn, meeting, p, "一号台", "desk", FixedClock(CLOCK_START, 1))
            assert r.written
        service.notify()
        assert service.wait(shared, 15)
    finally:
        attendance.forget(conn)
        conn.close()

    qtbot.waitUntil(lambda: row_of(host_page, "一号台").get("状态") == "在线"
                    and row_of(host_page, "一号台").get("已收到") == "2", timeout=TIMEOUT_MS)
    row = row_of(host_page, "一号台")
    assert row["未收到"] == "0" and row["签到人数"] == "2" and row["最后联系"]
    qtbot.waitUntil(lambda: host_page.panel.figures is not None
                    and host_page.panel.figures.present == 2, timeout=TIMEOUT_MS)

    from ui.pages.meeting_page import MeetingPage

    meeting_page = MeetingPage(host_page.ctx)   # the big screen: the host's merged figures
    qtbot.addWidget(meeting_page)
    screen = meeting_page.open_bigscreen()
    assert screen.panel.figures is not None and screen.panel.figures.present == 2
    screen.close()                               # deletes itself on close
    meeting_page.close()
    qtbot.waitUntil(lambda: meeting_page.bigscreen is None, timeout=TIMEOUT_MS)

    wrong = dataclasses.replace(pairing, secret="x" * 24)
    with pytest.raises(Exception, match="配对码不对"):
        asyncio.run(join(tmp_path / "intruder.db", wrong, "冒充台", timeout=10))
    qtbot.waitUntil(lambda: host_page.refused.count() == 1, timeout=TIMEOUT_MS)
    assert "配对码" in host_page.refused.item(0).text()
    assert "1 次" in host_page.refused_title.text()
    shot(host_page, "host-dashboard-online")

    service.stop()
    qtbot.waitUntil(lambda: row_of(host_page, "一号台").get("状态") == "离线",
                    timeout=TIMEOUT_MS)
    shot(host_page, "host-dashboard-desk-offline")


def test_meeting_page_lists_a_double_sign_in_and_the_chair_resolves_it(qtbot, tmp_path, shot):
    """Two desks signed the same person in while apart: the merged log on the host shows both
    desks and times on 会议; 处理… asks for a reason and resolves it through the use case."""
    from tests.app.sync.sync_venue import copy_db
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.meeting_page import MeetingPage

    make_app()
    host_db, other_db = make_db(tmp_path / "host.db"), tmp_path / "other.db"
    copy_db(host_db, other_db)
    clock = FixedClock(CLOCK_START, 60.0)
    for db, desk in ((host_db, "一号台"), (other_db, "二号台")):
        c = connect(db, create=False)
        m = current_meeting(c)
        zeng = next(p for p in db_persons.list_persons(c) if p.name == "曾凡荣")
        assert attendance.sign_in(c, m, zeng, desk, "clerk", clock).written
        if desk == "二号台":
            foreign = attendance.export_events(c, m)
        attendance.forget(c)
        c.close()
    conn = connect(host_db, create=False)
    try:
        attendance.merge_events(conn, current_meeting(conn), foreign)
        ctx = PageContext(conn, host_db, clock=clock, actor="chair")
        page = MeetingPage(ctx)
        qtbot.addWidget(page)
        page.resize(1280, 760)
        page.show()
        qtbot.waitExposed(page)
        page.refresh()
        t = page.dup_table
        assert t.isVisible() and t.rowCount() == 1
        assert t.item(0, 0).text() == "曾凡荣"
        assert t.item(0, 1).text().startswith("一号台 08:30")
        assert t.item(0, 2).text().startswith("二号台 08:31")
        shot(page, "meeting-double-sign-in")
        t.cellWidget(0, 3).click()
        dialog = page.dialog
        assert dialog is not None and not dialog.ok_button.isEnabled()   # a reason is required
        dialog.reason.setEditText("同一人两台各签一次，以一号台为准")
        dialog.ok_button.click()
        assert t.rowCount() == 0 and not t.isVisible()
        s = attendance.attendance_summary(conn, current_meeting(conn))
        assert s.duplicates == () and s.present == 1
        audit = [a for (a,) in conn.execute(
            "SELECT detail FROM audit WHERE action = 'duplicate_sign_in_resolved'")]
        assert len(audit) == 1 and "二号台:1" in audit[0]
        page.close()
        qtbot.wait(50)   # the page's queued refreshes run before the connection closes
    finally:
        attendance.forget(conn)
        conn.close()


def test_refused_attempts_come_from_the_audit_log_and_a_flood_is_summed_up(host_page, qtbot,
                                                                          shot):
    """The refused list is read from the host's audit rows (not from log lines): a flood of
    wrong-secret hellos writes PER_WINDOW rows, and host mode off writes one row for the rest."""
    from app.sync import wire
    from app.sync.pairing import client_context
    from app.sync.refusals import PER_WINDOW

    pairing = parse(start_on_loopback(host_page, qtbot))
    bad = wire.control({"t": "hello", "secret": "x" * 24, "room": pairing.room,
                        "meeting": pairing.meeting_code, "desk": "冒充台"})

    async def knock(n: int) -> None:
        for _ in range(n):
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", pairing.port, ssl=client_context(), server_hostname="x")
            writer.write(bad)
            await asyncio.wait_for(reader.read(), 10)
            writer.close()

    asyncio.run(knock(PER_WINDOW + 5))
    qtbot.waitUntil(lambda: host_page.refused.count() == PER_WINDOW, timeout=TIMEOUT_MS)
    assert f"{PER_WINDOW} 次" in host_page.refused_title.text()
    assert "冒充台" in host_page.refused.item(0).text()
    assert "配对码（密钥）不对" in host_page.refused.item(0).text()
    host_page.stop_host()
    qtbot.waitUntil(lambda: host_page.code == "" and not host_page.runner.running,
                    timeout=TIMEOUT_MS)
    host_page.refresh()
    assert host_page.refused.count() == PER_WINDOW + 1
    assert "又 5 次" in host_page.refused.item(0).text()
    assert f"{PER_WINDOW + 5} 次" in host_page.refused_title.text()
    shot(host_page, "host-dashboard-refused-flood")
