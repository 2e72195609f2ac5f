"""加入主机 and desk mode on loopback: the dialog reads a pairing code (typed, or scanned in one
burst however long) and refuses a malformed one; it joins a real `pollday serve` process; the
desk page then works from its own database, shows the offline banner with the count of
sign-ins not yet shared while the host is down, and drops it (count back to 0) when the host
returns."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from app import attendance
from app.clock import FixedClock
from app.meetings import current_meeting
from app.sync import Pairing
from db import persons as db_persons
from db.connection import connect
from tests.app.sync.sync_venue import Procs, free_port, serve
from tests.gui.conftest import CLOCK_START, make_db

TIMEOUT_MS = 20000
GOOD = Pairing("127.0.0.1", 40123, "ab" * 32, "s3cr3t-s3cr3t-s3cr3t", "0a1b2c3d4e5f",
               "party 2026").code()


@pytest.fixture
def procs(request):
    p = Procs()
    request.addfinalizer(p.kill_all)
    return p


def open_desk_page(qtbot, request, desk_db):
    """The desk page on a desk's database, shown at 1280x720, its link stopped at the end."""
    from ui.pages.context import PageContext
    from ui.pages.desk_page import DeskPage

    conn = connect(desk_db, create=False)
    ctx = PageContext(conn, desk_db, clock=FixedClock(CLOCK_START.replace(hour=9), 3.0),
                      actor="desk-test")
    page = DeskPage(ctx)

    def close() -> None:
        if page.sync is not None:
            page.sync.stop()
        page.close()
        attendance.forget(conn)
        conn.close()

    request.addfinalizer(close)
    qtbot.addWidget(page)
    page.resize(1280, 720)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def dialog(qtbot, tmp_path):
    from ui.app_main import make_app
    from ui.pages.join_dialog import JoinDialog

    make_app()
    d = JoinDialog(None, tmp_path)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    yield d
    if d.task is not None:
        d.task.wait(30000)
    d.close()


def test_reads_a_code_and_refuses_a_malformed_one(dialog):
    assert not dialog.ok_button.isEnabled()
    dialog.code.setText("PD1;127.0.0.1;notaport;xx")
    assert dialog.pairing is None and not dialog.ok_button.isEnabled()
    assert "配对码" in dialog.code_state.text()
    dialog.code.setText(GOOD.replace("ab" * 32, "zz" * 32))
    assert dialog.pairing is None and "指纹" in dialog.code_state.text()
    dialog.code.setText(GOOD)
    assert dialog.pairing is not None and dialog.pairing.meeting_code == "party 2026"
    assert "127.0.0.1:40123" in dialog.code_state.text()
    assert not dialog.ok_button.isEnabled()          # a desk name is still needed
    dialog.desk.setText("一号:台")
    assert not dialog.ok_button.isEnabled() and "“:”" in dialog.state.text()
    dialog.desk.setText("一号台")
    assert dialog.ok_button.isEnabled()
    assert dialog.path.text().endswith("签到台-一号台.db")


def test_a_scanned_code_fills_the_field_in_one_burst(dialog, qtbot):
    dialog.desk.setFocus()
    qtbot.keyClicks(dialog.desk, GOOD)       # scanner speed: keys back to back, then Enter
    qtbot.keyClick(dialog.desk, Qt.Key.Key_Return)
    assert dialog.code.text() == GOOD and dialog.desk.text() == ""
    assert dialog.pairing is not None and dialog.isVisible()


def test_join_then_offline_banner_while_the_host_is_down(qtbot, tmp_path, procs, request, shot):
    from ui.app_main import make_app
    from ui.pages.join_dialog import JoinDialog

    make_app()
    host_db = make_db(tmp_path / "host.db")
    port, pairing_file = free_port(), tmp_path / "pairing.txt"
    host = serve(procs, host_db, port, pairing_file)

    d = JoinDialog(None, tmp_path)
    qtbot.addWidget(d)
    d.show()
    d.code.setText(pairing_file.read_text(encoding="utf-8"))
    d.desk.setText("一号台")
    joined: list[str] = []
    d.joined.connect(joined.append)
    d.ok_button.click()
    qtbot.waitUntil(lambda: bool(joined) or "拒绝" in d.state.text() or "连不上" in d.state.text(),
                    timeout=TIMEOUT_MS)
    assert joined, d.state.text()
    desk_db = tmp_path / "签到台-一号台.db"
    assert joined == [str(desk_db)] and not d.isVisible()
    assert (tmp_path / "签到台-一号台.db.pairing").read_text().strip() == \
        pairing_file.read_text().strip()

    page = open_desk_page(qtbot, request, desk_db)
    conn = page.ctx.conn
    assert page.sync is not None and page.desk_name == "一号台"
    from ui.pages.host_page import HostPage

    not_a_host = HostPage(page.ctx)     # a desk's copy cannot become a second host
    qtbot.addWidget(not_a_host)
    assert not not_a_host.start_button.isEnabled() and "一号台" in not_a_host.state.text()
    qtbot.waitUntil(lambda: page.sync.status is not None and page.sync.status.online,
                    timeout=TIMEOUT_MS)
    assert page.banner.isVisible() and page.banner.text().startswith("在线")

    host.kill()
    host.wait(10)
    qtbot.waitUntil(lambda: page.banner.isVisible() and not page.banner.online,
                    timeout=TIMEOUT_MS)
    assert f"主机 127.0.0.1:{port}" in page.banner.text()
    assert page.banner.text().startswith("离线 自 ") and "0 条未共享" in page.banner.text()
    zeng = next(p for p in db_persons.list_persons(conn) if p.name == "曾凡荣")
    r = page.sign_in(zeng)
    assert r is not None and r.written                 # offline, the desk goes on
    qtbot.waitUntil(lambda: "1 条未共享" in page.banner.text(), timeout=TIMEOUT_MS)
    assert page.banner.unshared == 1
    shot(page, "desk-offline-banner")

    serve(procs, host_db, port, pairing_file)          # the host is back, same port
    qtbot.waitUntil(lambda: page.banner.online and page.banner.unshared == 0,
                    timeout=TIMEOUT_MS)
    host_conn = connect(host_db, create=False)
    try:
        m = current_meeting(host_conn)
        assert m is not None
        assert attendance.attendance_summary(host_conn, m).present == 1
    finally:
        attendance.forget(host_conn)
        host_conn.close()


def test_hosts_found_on_the_network_are_listed_and_the_codes_host_is_picked(
        qtbot, tmp_path, procs, request, shot):
    """The code's port is stale (the host restarted elsewhere): 在会场网络查找主机 lists the hosts
    that answer by mDNS (`pollday serve` on 127.0.0.1 advertises on loopback by default),
    picks the one with the code's certificate, and the desk joins it at the address it answers
    on now."""
    import dataclasses

    from app.sync import read_pairing
    from ui.app_main import make_app
    from ui.pages.join_dialog import JoinDialog

    make_app()
    host_db = make_db(tmp_path / "host.db")
    port, pairing_file = free_port(), tmp_path / "pairing.txt"
    host = serve(procs, host_db, port, pairing_file)
    real = read_pairing(pairing_file)
    assert host.stdout is not None
    said = json.loads(host.stdout.readline())
    if said.get("mdns") != "on":
        pytest.skip(f"zeroconf cannot bind to 127.0.0.1 here: {said}")

    d = JoinDialog(None, tmp_path)
    qtbot.addWidget(d)
    d.browse_interfaces = ["127.0.0.1"]
    d.show()
    qtbot.waitExposed(d)
    assert d.find_button.isEnabled() and not d.hosts.isVisible()   # no code needed to look
    d.code.setText(dataclasses.replace(real, port=free_port()).code())
    d.desk.setText("二号台")
    d.find_button.click()
    qtbot.waitUntil(lambda: d.task is None and d.hosts.isVisible(), timeout=TIMEOUT_MS)
    # other hosts on this machine's loopback may answer too: the code's one is picked
    mine = [i for i in range(d.hosts.count()) if f"127.0.0.1:{port}" in d.hosts.item(i).text()]
    assert len(mine) == 1
    assert d.hosts.currentRow() == mine[0] and d.pairing == real   # the code now names it
    assert f"已选主机：127.0.0.1:{port}" in d.state.text()
    shot(d, "join-dialog-hosts-found")
    joined: list[str] = []
    d.joined.connect(joined.append)
    d.ok_button.click()
    qtbot.waitUntil(lambda: bool(joined) or d.task is None and not d.isVisible(),
                    timeout=TIMEOUT_MS)
    assert joined == [str(tmp_path / "签到台-二号台.db")], d.state.text()


def test_a_person_added_on_the_host_is_found_at_the_desk(qtbot, tmp_path, procs, request, shot):
    """The host's register changes after the desk joined: the desk page says what came in and
    finds the new person by name; the counter's 应到 follows."""
    import asyncio

    from app.model import PartyStatus
    from app.register.store import PersonRecord, add_persons
    from app.sync import join, read_pairing
    from ui.app_main import make_app

    make_app()
    host_db = make_db(tmp_path / "host.db")
    port, pairing_file = free_port(), tmp_path / "pairing.txt"
    serve(procs, host_db, port, pairing_file)
    desk_db = tmp_path / "签到台-二号台.db"
    pairing = read_pairing(pairing_file)
    asyncio.run(join(desk_db, pairing, "二号台"))
    from ui.widgets.offline_banner import save_pairing

    save_pairing(desk_db, pairing.code())
    page = open_desk_page(qtbot, request, desk_db)
    assert page.sync is not None
    qtbot.waitUntil(lambda: page.sync.status is not None and page.sync.status.online,
                    timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: page.counter.text().startswith("实到"), timeout=TIMEOUT_MS)
    expected_before = page._expected
    assert not page.register_notice.isVisible()
    page.search_box.setText("欧阳晓岚")
    qtbot.waitUntil(lambda: page.results.rowCount() == 0, timeout=TIMEOUT_MS)

    from app.meetings.items import add_desk
    from db.tx import transaction

    host = connect(host_db, create=False)
    m = current_meeting(host)
    assert m is not None
    with transaction(host):       # a late member, and the chair gives 二号台 its branch
        add_persons(host, [PersonRecord("欧阳晓岚", gender="F", branch="第一党支部",
                                        party_status=PartyStatus.FULL)],
                    "2026-11-29T08:30:00+08:00", actor="chair")
        add_desk(host, m.id, "二号台", ["第一党支部"], clock=FixedClock(CLOCK_START, 1.0),
                 actor="chair")
    host.close()
    qtbot.waitUntil(page.register_notice.isVisible, timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: page.scope_label.text() == "负责：第一党支部", timeout=TIMEOUT_MS)
    assert page.desk_name == "二号台"
    assert page.register_notice.text().endswith("名册已按主机更新：新增 1 人，签到台设置有变")
    qtbot.waitUntil(lambda: page.results.rowCount() == 1, timeout=TIMEOUT_MS)
    assert "欧阳晓岚" in page.results.item(0, 0).text() + page.results.item(0, 1).text()
    qtbot.waitUntil(lambda: page._expected == expected_before + 1, timeout=TIMEOUT_MS)
    assert page.counter.text().endswith(f"应到 {expected_before + 1}")
    qtbot.wait(100)                                    # the layout follows the new counter text
    shot(page, "desk-register-refreshed")


def test_a_host_not_in_host_mode_is_said_in_its_own_words(dialog, qtbot, tmp_path):
    """Nothing listens at the code's port: the dialog says the host is not in host mode or the
    port is wrong (it used to say 连不上主机 for every cause); no desk database is left."""
    port = free_port()
    dialog.code.setText(GOOD.replace("40123", str(port)))
    dialog.desk.setText("一号台")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.task is None, timeout=TIMEOUT_MS)
    assert "没有开启主机模式" in dialog.state.text() and f"127.0.0.1:{port}" in dialog.state.text()
    assert "连不上主机" not in dialog.state.text() and dialog.isVisible()
    assert not (tmp_path / "签到台-一号台.db").exists()


def paste(qtbot, widget, text: str) -> None:
    """Ctrl+V into the focused field, as a clerk pastes a code copied from a chat message."""
    from PySide6.QtGui import QGuiApplication

    QGuiApplication.clipboard().setText(text)
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


@pytest.mark.parametrize("tail", [" 请用这个码加入", "\n主机在二楼", "，谢谢", ";x"])
def test_a_pasted_code_with_trailing_text_is_malformed_not_another_meeting(dialog, qtbot, tail):
    """The text after the code used to end up in the meeting code (the host then said 属于另一场
    会议): now the dialog refuses it as malformed and says what is extra; 加入 stays off."""
    dialog.code.clear()
    paste(qtbot, dialog.code, GOOD + tail)
    assert dialog.code.text().startswith(GOOD)
    dialog.desk.setFocus()
    qtbot.keyClicks(dialog.desk, "A1", delay=120)   # a person, not a scanner
    assert dialog.pairing is None and not dialog.ok_button.isEnabled()
    said = dialog.code_state.text()
    assert "格式不对" in said and "末尾多了" in said and "另一场会议" not in said
    dialog.code.clear()
    paste(qtbot, dialog.code, GOOD + "\n")           # a line end alone is no extra text
    assert dialog.pairing is not None and dialog.ok_button.isEnabled(), repr(dialog.code.text())


def test_joining_from_a_window_confirms_the_meeting_and_closes_the_window_left_behind(
        qtbot, tmp_path, procs, shot):
    """From the 多台签到 page of a window on another database: paste the host's code, type the
    desk's name, Enter. The desk's window opens with a confirmation naming the meeting's title;
    the window left behind lets go of its database and closes (sign-ins there would never be
    shared); the desk page's band names the host and says it is online."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.app_main import open_main_window
    from ui.main_window import MainWindow
    from ui.pages.desk_page import DeskPage
    from ui.pages.join_dialog import JoinDialog

    host_db = make_db(tmp_path / "host.db")
    port, pairing_file = free_port(), tmp_path / "pairing.txt"
    serve(procs, host_db, port, pairing_file)
    left = open_main_window(make_db(tmp_path / "left" / "本机.db"))
    assert isinstance(left, MainWindow)
    qtbot.addWidget(left)
    left.resize(1366, 768)
    left.show()
    page = left.show_step("signin", tab="多台签到")
    qtbot.mouseClick(page.join_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(page.join_dialog, JoinDialog)
                    and page.join_dialog.isVisible(), timeout=TIMEOUT_MS)
    d = page.join_dialog
    d.folder = tmp_path            # the desk's copy next to the host's, not in left/
    paste(qtbot, d.code, pairing_file.read_text(encoding="utf-8"))
    d.desk.setFocus()
    qtbot.keyClicks(d.desk, "A1", delay=120)
    assert d.ok_button.isEnabled(), d.state.text()
    qtbot.keyClick(d.desk, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: left.db_released, timeout=TIMEOUT_MS)
    assert not left.isVisible(), "the window left behind must close"
    windows = [w for w in QApplication.topLevelWidgets()
               if isinstance(w, MainWindow) and w is not left and w.isVisible()]
    assert len(windows) == 1
    desk_window = windows[0]
    qtbot.addWidget(desk_window)
    box = desk_window.findChild(QMessageBox, "joinedBox")
    assert box is not None and box.isVisible()
    text = box.text()
    assert "《中共翠湖社区委员会换届选举党员大会》" in text and "“A1”" in text
    assert f"127.0.0.1:{port}" in text and "本机.db" in text and "不会共享" in text
    shot(box, "join-confirmation")
    desk_window.resize(1366, 768)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=TIMEOUT_MS)
    desk = desk_window.current_page()
    assert isinstance(desk, DeskPage)
    qtbot.waitUntil(lambda: desk.banner.isVisible() and desk.banner.online, timeout=TIMEOUT_MS)
    assert desk.banner.text().startswith("在线")
    assert f"已加入主机 127.0.0.1:{port}" in desk.banner.text() and "“A1”" in desk.banner.text()
    shot(desk_window, "desk-joined-online-band")
    desk_window.close()
    qtbot.waitUntil(lambda: desk_window.db_released, timeout=TIMEOUT_MS)
