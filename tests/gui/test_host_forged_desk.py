"""The host page names what the gate refused from a paired desk (a sign-in forged in another
desk's name: the reason and the record), lists the desks whose signed records it takes, and after
a desk is revoked, the revocation with that desk's earlier records kept; the revoked desk is
refused at its next hello and its earlier sign-ins still count."""

from __future__ import annotations

import asyncio

from app import attendance
from app.clock import FixedClock
from app.meetings import current_meeting
from app.sync import DeskService, join, parse, shared
from app.sync.registry import revoke_desk, revoked_events
from db import persons as db_persons
from db.connection import connect
from tests.app.sync.rogue import Rogue, body, signed
from tests.gui.conftest import CLOCK_START
from tests.gui.test_host_page import TIMEOUT_MS, open_host_page, start_on_loopback


def test_host_page_shows_a_forged_sign_in_refused_and_a_revoked_desk(qtbot, tmp_path, request,
                                                                      shot):
    page = open_host_page(qtbot, tmp_path, request, size=(1366, 768))
    code = start_on_loopback(page, qtbot)
    pairing = parse(code)
    desk_db = tmp_path / "desk-1.db"
    asyncio.run(join(desk_db, pairing, "一号台", timeout=20))
    service = DeskService(desk_db, pairing).start()
    request.addfinalizer(service.stop)
    conn = connect(desk_db, create=False)
    try:
        meeting = current_meeting(conn)
        assert meeting is not None
        person = db_persons.list_persons(conn)[0]
        assert attendance.sign_in(conn, meeting, person, "一号台", "desk",
                                  FixedClock(CLOCK_START, 1)).written
        token = conn.execute("SELECT token FROM person WHERE id = ?", (person.id,)).fetchone()[0]
        other = conn.execute("SELECT token FROM person WHERE id <> ? LIMIT 1",
                             (person.id,)).fetchone()[0]
    finally:
        attendance.forget(conn)
        conn.close()
    service.notify()
    assert service.wait(shared, 15)
    assert token

    rogue = Rogue.joined(tmp_path / "rogue.db", pairing, "二号台")
    value = signed(rogue, body("一号台", 50, 10, "sign_in", other))
    answers = rogue.attack(lambda ev: ev.__setitem__("一号台:50", value), 1.0)
    assert answers[-1] == {"t": "rejected", "reason": "bad_signature"}

    qtbot.waitUntil(lambda: page.refused.count() == 1, timeout=TIMEOUT_MS)
    line = page.refused.item(0).text()
    assert "自称“二号台”" in line and "冒用他台名义" in line and "记录 一号台:50" in line
    qtbot.waitUntil(lambda: "二号台" in page.keys_line.text(), timeout=TIMEOUT_MS)
    assert "已登记签名密钥：一号台（" in page.keys_line.text()
    qtbot.waitUntil(lambda: page.panel.figures is not None and page.panel.figures.present == 1,
                    timeout=TIMEOUT_MS)

    # the chair revokes 一号台 (say its laptop was lost): its sign-in stays, it is refused now
    assert revoke_desk(page.ctx.conn, "一号台", reason="笔记本遗失", actor="主持人",
                       clock=FixedClock(CLOCK_START, 1)) == ""
    assert [e[:2] for e in revoked_events(page.ctx.conn)] == [("一号台", 1)]
    page.refresh()
    assert "已吊销：一号台（笔记本遗失；此前 1 条记录保留）" in page.keys_line.text()
    assert page.panel.figures is not None and page.panel.figures.present == 1
    service.stop()
    again = DeskService(desk_db, pairing).start()
    request.addfinalizer(again.stop)
    qtbot.waitUntil(lambda: again.status().refused == "desk_revoked", timeout=TIMEOUT_MS)
    assert "吊销" in again.status().banner()
    qtbot.waitUntil(lambda: page.refused.count() == 2, timeout=TIMEOUT_MS)
    assert "签到台已被吊销" in page.refused.item(0).text()
    shot(page, "host-forged-desk")
