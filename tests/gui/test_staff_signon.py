"""Who uses the laptop (issue 15, GUI): the 工作人员名单 page, 谁在使用本机 on opening a database with
a staff list, the idle lock, a 签到员 refused an unlock, the two-person lock with two PINs, entry A
= entry B refused, the no-staff-list band (postponable) and the demo's open-mode band.

Keystrokes go into the focused widgets; PINs are typed, names picked with the arrow keys."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import attendance, meetings, session, staff, voting
from app.clock import FixedClock
from app.permissions import Actor, Role
from app.rules import Round
from db import audit as db_audit
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db, open_window
from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import counted_round

# name, roles, chief, PIN
STAFF = (
    ("赵主持", ["主持人"], False, "246810"),
    ("钱签到", ["签到员"], False, "135792"),
    ("周监票", ["监票人"], False, "314159"),
    ("吴总监", ["监票人"], True, "271828"),
    ("孙计票", ["计票人"], False, "161803"),
    ("李计票", ["计票人"], False, "141421"),
)
PIN = {name: pin for name, _r, _c, pin in STAFF}
CLOCK = FixedClock(CLOCK_START, 1.0)


def add_staff_list(path: Path) -> None:
    conn = connect(path)
    host = None
    for name, roles, chief, pin in STAFF:
        got = staff.add_staff(conn, name, roles, pin, actor=host or "", clock=CLOCK, chief=chief)
        assert isinstance(got, staff.Member), got
        if host is None:
            signed = staff.sign_on(conn, name, pin, clock=CLOCK)
            assert isinstance(signed, Actor)
            host = signed
    conn.close()


def pick_name(qtbot, combo, name: str) -> None:
    """The name chosen by keys: Home, then Down until it is current."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentData() == name:
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == name


def sign_on_in(qtbot, form, name: str, pin: str) -> None:
    pick_name(qtbot, form.name_box, name)
    form.pin.setFocus()
    qtbot.keyClicks(form.pin, pin)
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)


def open_signed_on(qtbot, path: Path, name: str):
    """The window on `path`, signed on as `name` through the opening dialog."""
    gen = open_window(qtbot, path)
    window = next(gen)
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    sign_on_in(qtbot, window.sign_on_dialog.form, name, PIN[name])
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    return gen, window


def sign_in_at_desk_two(window, name: str = "曾凡荣"):
    """The 主持人 (signed on behind the window's clerk) signs `name` in at 二号台; the person."""
    conn = window.ctx.conn
    host = staff.sign_on(conn, "赵主持", PIN["赵主持"], clock=CLOCK)
    assert isinstance(host, Actor)
    person = next(p for p in db_persons.list_persons(conn) if p.name == name)
    assert attendance.sign_in(conn, window.ctx.meeting, person, "二号台", host, CLOCK).written
    return person


def choose_at_desk(qtbot, desk, person, keys: str) -> None:
    """Type `keys` into the desk's search and select the person's row."""
    desk.search_box.setFocus()
    qtbot.keyClicks(desk.search_box, keys)
    qtbot.waitUntil(lambda: any(p.id == person.id for p in desk.found), timeout=5000)
    desk.results.selectRow(next(i for i, p in enumerate(desk.found) if p.id == person.id))


def try_to_add_a_worker(qtbot, window):
    """On the 工作人员名单 tab, add 冯工作 (工作人员, PIN 975312) with the keyboard; the page."""
    page = window.show_step("prepare", tab="工作人员名单")
    page.name.setText("冯工作")
    page.role_boxes[Role.WORKER].setChecked(True)
    for box in (page.pin1, page.pin2):
        box.setFocus()
        qtbot.keyClicks(box, "975312")
    qtbot.keyClick(page.pin2, Qt.Key.Key_Return)
    return page


@pytest.fixture
def staff_db(tmp_path):
    path = make_db(tmp_path / "staffed.db")
    add_staff_list(path)
    return path


def test_opening_a_database_with_a_staff_list_asks_who_uses_it(qtbot, staff_db, shot):
    gen = open_window(qtbot, staff_db)
    window = next(gen)
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    dialog = window.sign_on_dialog
    assert window.windowTitle() and dialog.windowTitle() == "谁在使用本机"
    assert window.locked and window.staff_band.isHidden()
    assert window.lock_overlay.heading.text() == "谁在使用本机"
    assert window.lock_overlay.button.text() == "登录"
    # No name chosen in advance (a PIN typed first counted against that name): the name first,
    # the PIN box closed until one is chosen.
    assert QApplication.focusWidget() is dialog.form.name_box and not dialog.form.pin.isEnabled()
    assert dialog.form.name_box.count() == len(STAFF)
    pick_name(qtbot, dialog.form.name_box, "钱签到")
    dialog.form.pin.setFocus()
    qtbot.keyClicks(dialog.form.pin, "999999")
    qtbot.keyClick(dialog.form.pin, Qt.Key.Key_Return)
    assert "PIN不正确" in dialog.form.problem.text() and dialog.isVisible()
    shot(window, "signon-window-locked")
    shot(dialog, "signon-dialog")
    qtbot.keyClicks(dialog.form.pin, PIN["钱签到"])
    qtbot.keyClick(dialog.form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert not window.locked
    actor = window.ctx.actor
    assert isinstance(actor, Actor) and actor.verified and actor.name == "钱签到"
    assert window.ctx.operator is actor
    assert window.signed_label.text() == "使用本机：钱签到（签到员）"
    assert window.header.signed_label.isVisible() and not window.header.operator.isVisible()
    # The wrong PIN is in the audit under the name tried.
    rows = db_audit.rows(window.ctx.conn)
    assert any(r["action"] == "staff_pin_wrong" and r["actor"] == "钱签到" for r in rows)
    # 切换人员 (Ctrl+L): another member signs on.
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.sign_on_dialog.isVisible(), timeout=3000)
    assert window.sign_on_dialog.windowTitle() == "切换人员"
    sign_on_in(qtbot, window.sign_on_dialog.form, "赵主持", PIN["赵主持"])
    qtbot.waitUntil(lambda: not window.sign_on_dialog.isVisible(), timeout=3000)
    assert window.ctx.actor.name == "赵主持" and "主持人" in window.signed_label.text()
    gen.close()


def test_idle_lock_keeps_the_desk_visible_takes_no_input_and_unlocks_with_a_pin(
        qtbot, staff_db, shot):
    conn = connect(staff_db)
    assert session.set_idle_lock_minutes(conn, 2)
    conn.close()
    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    window.resize(1366, 768)
    now = [1000.0]
    window.idle_now = lambda: now[0]
    window.last_input = now[0]
    desk = window.show_step("signin", tab="签到台")
    desk.search_box.setFocus()
    qtbot.keyClicks(desk.search_box, "zfr")        # activity: the clock starts again
    qtbot.waitUntil(lambda: desk.search_box.text() == "zfr", timeout=3000)
    now[0] += 119
    window.idle_timer.timeout.emit()
    assert not window.locked
    from PySide6.QtWidgets import QDialog
    left_open = QDialog(desk)                      # e.g. a reason half typed, then walked away
    left_open.open()
    now[0] += 2                                    # 2 minutes without a key or click
    window.idle_timer.timeout.emit()
    assert window.locked and window.lock_overlay.isVisible()
    assert not left_open.isVisible()               # closed: nothing usable beside the lock
    assert window.lock_overlay.button.text() == "解锁"
    # The desk stays on screen under the lock, with what it showed; keys do not reach it.
    assert desk.isVisible() and desk.search_box.text() == "zfr"
    qtbot.keyClicks(desk.search_box, "x")
    qtbot.keyClick(desk.search_box, Qt.Key.Key_Backspace)
    qtbot.wait(200)
    assert desk.search_box.text() == "zfr"
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)  # no step change
    assert window.current_step == "signin"
    form = window.lock_overlay.form
    assert window.focusWidget() is form.pin and form.name() == "钱签到"
    shot(window, "signon-idle-lock")
    qtbot.keyClicks(form.pin, "000001")
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    assert window.locked and "PIN不正确" in form.problem.text()
    qtbot.keyClicks(form.pin, PIN["钱签到"])
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    assert not window.locked
    assert window.ctx.actor.name == "钱签到"
    qtbot.keyClicks(desk.search_box, "x")
    qtbot.waitUntil(lambda: desk.search_box.text() == "zfrx", timeout=3000)
    gen.close()


def locked_round_db(path: Path) -> Path:
    counting_db(path)
    rid = counted_round(path, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    conn = connect(path)
    got = voting.lock_round(conn, rid, actor="open-mode", clock=CLOCK)   # before the staff list
    assert not isinstance(got, meetings.Refusal), got
    attendance.forget(conn)
    conn.close()
    add_staff_list(path)
    return path


def round_state(path: Path) -> str:
    from app.voting.store import load_round

    conn = connect(path)
    try:
        r = load_round(conn, 1)
        assert r is not None
        return str(r.state.value)
    finally:
        attendance.forget(conn)
        conn.close()


def results_page(qtbot, window):
    page = window.show_step("results")
    qtbot.waitUntil(lambda: page.is_idle() and page.current is not None, timeout=10000)
    return page


def test_a_desk_clerk_is_refused_an_unlock_and_only_the_chief_scrutineer_unlocks(
        qtbot, tmp_path):
    path = locked_round_db(tmp_path / "locked.db")
    gen, window = open_signed_on(qtbot, path, "钱签到")
    page = results_page(qtbot, window)
    assert page.unlock_button.isEnabled()
    page.unlock_button.setFocus()
    qtbot.keyClick(page.unlock_button, Qt.Key.Key_Space)
    assert "「解锁结果」只有总监票人" in page.message.text()
    assert "钱签到（签到员）不能操作" in page.message.text()
    dialog = page.person_dialog
    assert dialog is not None and dialog.isVisible()
    # Only the 总监票人 is offered; a wrong PIN unlocks nothing.
    names = [dialog.form.name_box.itemData(i) for i in range(dialog.form.name_box.count())]
    assert names == ["吴总监"]
    sign_on_in(qtbot, dialog.form, "吴总监", "000001")
    assert dialog.isVisible() and "PIN不正确" in dialog.form.problem.text()
    # The check behind the dialog refuses a 监票人 who is not the chief, naming who may.
    other = staff.sign_on(window.ctx.conn, "周监票", PIN["周监票"], clock=CLOCK)
    assert "只有总监票人" in (dialog.check(other) or "")
    dialog.reject()
    assert round_state(path) == "locked"
    # The use case refuses the desk clerk by itself as well (a page bypassed), writing nothing.
    before = len(db_audit.rows(window.ctx.conn))
    page.unlock(page.current, "测试")
    qtbot.waitUntil(page.is_idle, timeout=5000)
    assert "只有总监票人" in page.message.text() and round_state(path) == "locked"
    assert len(db_audit.rows(window.ctx.conn)) == before
    # The 总监票人 signs on for the unlock and gives the reason.
    page.ask_unlock()
    sign_on_in(qtbot, page.person_dialog.form, "吴总监", PIN["吴总监"])
    qtbot.waitUntil(lambda: page.dialog.isVisible(), timeout=3000)
    page.dialog.reason.setEditText("发现录入错误，须更正后重新锁定")
    page.dialog.ok_button.click()
    qtbot.waitUntil(lambda: round_state(path) != "locked", timeout=5000)
    row = db_audit.rows(window.ctx.conn)[-1]
    assert row["actor"] == "吴总监"
    assert window.ctx.actor.name == "钱签到"        # the laptop's person stays
    gen.close()


def test_two_person_lock_takes_two_different_scrutineers_pins(qtbot, tmp_path, shot):
    path = counting_db(tmp_path / "lock.db")
    counted_round(path, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    add_staff_list(path)
    gen, window = open_signed_on(qtbot, path, "周监票")
    window.resize(1366, 768)
    page = results_page(qtbot, window)
    assert page.lock_button.isEnabled()
    page.lock_button.setFocus()
    qtbot.keyClick(page.lock_button, Qt.Key.Key_Space)
    dialog = page.person_dialog
    assert dialog is not None and dialog.isVisible() and "第二名监票人" in page.message.text()
    shot(window, "signon-two-person-lock-window")
    shot(dialog, "signon-two-person-lock-dialog")
    # Offered: the other 监票人 (the chief is one), not the first person, not a 签到员.
    names = [dialog.form.name_box.itemData(i) for i in range(dialog.form.name_box.count())]
    assert names == ["吴总监"]
    sign_on_in(qtbot, dialog.form, "吴总监", "000001")           # a wrong PIN locks nothing
    assert "PIN不正确" in dialog.form.problem.text() and dialog.isVisible()
    # The check behind the dialog: the same person twice, or a 签到员, is refused in words.
    first = window.ctx.actor
    assert "两个人必须不同" in (dialog.check(first) or "")
    desk = staff.sign_on(window.ctx.conn, "钱签到", PIN["钱签到"], clock=CLOCK)
    assert "钱签到（签到员）不能操作" in (dialog.check(desk) or "")
    assert round_state(path) == "closed"
    sign_on_in(qtbot, dialog.form, "吴总监", PIN["吴总监"])
    qtbot.waitUntil(lambda: round_state(path) == "locked", timeout=5000)
    qtbot.waitUntil(page.is_idle, timeout=5000)
    assert "已锁定" in page.message.text()
    lock_row = next(r for r in reversed(db_audit.rows(window.ctx.conn))
                    if r["action"] == "round_locked")
    assert lock_row["actor"] == "周监票" and lock_row["detail"]["second"] == "吴总监"
    gen.close()


def test_entry_a_and_b_by_the_same_clerk_is_refused_on_the_counting_page(qtbot, tmp_path):
    from tests.gui.test_counting_page import BALLOT_ORDER, open_page, type_ballot

    path = counting_db(tmp_path / "ab.db")
    conn = connect(path)
    party = meetings.meeting_by_code(conn, "party")
    contest = meetings.list_contests(conn, party.id)[0]
    r = voting.open_round(conn, contest.id, actor="open-mode", clock=CLOCK, kind=Round.FIRST)
    assert not isinstance(r, meetings.Refusal) and r.names == BALLOT_ORDER
    assert not isinstance(voting.set_officials(conn, r.id, scrutineers=["曾凡荣"],
                                               counters=["王䶮"], actor="open-mode",
                                               clock=CLOCK), meetings.Refusal)
    attendance.forget(conn)
    conn.close()
    add_staff_list(path)
    page = open_page(qtbot, path)
    try:
        signed = staff.sign_on(page.ctx.conn, "孙计票", PIN["孙计票"], clock=CLOCK)
        assert isinstance(signed, Actor) and signed.has(Role.TELLER)
        page.ctx.set_actor(signed)
        assert page.clerk_box.isHidden() and page.clerk is signed
        page.reload()
        # The officials come from the staff list: the fields say who is on it.
        assert page.setup_tab.scrutineers.placeholderText() == "例如：周监票、吴总监"
        assert page.setup_tab.counters.placeholderText() == "例如：孙计票、李计票"
        page.entry_a.click()
        page.tabs.setCurrentWidget(page.entry_tab)
        type_ballot(qtbot, page.entry_tab, "ooooo-")
        assert "第1张已录入" in page.entry_tab.last.text(), page.entry_tab.last.text()
        page.entry_b.click()
        type_ballot(qtbot, page.entry_tab, "ooooo-")
        shown = page.entry_tab.last.text()
        assert "录入组A和B须由不同的人录入" in shown and "孙计票 已录入组A" in shown
        conn = sqlite3.connect(path)
        entered = conn.execute("SELECT entry, clerk FROM ballot_entry").fetchall()
        conn.close()
        assert entered == [("A", "孙计票")]
        other = staff.sign_on(page.ctx.conn, "李计票", PIN["李计票"], clock=CLOCK)
        assert isinstance(other, Actor)
        page.ctx.set_actor(other)
        type_ballot(qtbot, page.entry_tab, "ooooo-")
        conn = sqlite3.connect(path)
        entered = conn.execute("SELECT entry, clerk FROM ballot_entry ORDER BY entry").fetchall()
        conn.close()
        assert entered == [("A", "孙计票"), ("B", "李计票")]
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()


def test_a_database_without_a_staff_list_asks_for_one_postponable_with_a_band(
        qtbot, small_db, shot):
    gen = open_window(qtbot, small_db)
    window = next(gen)
    window.resize(1366, 768)
    band = window.staff_band
    assert band.isVisible() and not window.locked and window.sign_on_dialog is None
    assert "尚未建立工作人员名单" in band.label.text() and "请主持人" in band.label.text()
    assert window.header.operator.isVisible()          # open mode: the typed 值班人 as before
    qtbot.wait(50)
    shot(window, "no-staff-list-band")
    band.later_button.click()                          # 稍后
    assert band.isVisible() and not band.later_button.isVisible()
    assert "开放模式" in band.label.text()
    band.create_button.click()                         # 建立工作人员名单…
    page = window.current_page()
    assert window.current_tab() == "工作人员名单"
    page.name.setFocus()
    page.name.setText("赵主持")
    assert page.role_boxes[Role.HOST].isChecked()      # the first member is the 主持人
    page.pin1.setFocus()
    qtbot.keyClicks(page.pin1, "123456")
    assert "太容易猜到" in page.pin_hint.text()
    page.pin1.clear()
    qtbot.keyClicks(page.pin1, PIN["赵主持"])
    page.pin2.setFocus()
    qtbot.keyClicks(page.pin2, PIN["赵主持"][:-1])
    assert page.pin_hint.text() == "两次输入的PIN不一致"
    qtbot.keyClicks(page.pin2, PIN["赵主持"][-1])
    assert page.pin_hint.text() == "PIN可以使用"
    qtbot.keyClick(page.pin2, Qt.Key.Key_Return)
    assert "已添加 赵主持（主持人）" in page.message.text()
    assert page.table.rowCount() == 1 and page.table.item(0, 1).text() == "主持人"
    # The list exists now: the band goes, and the new 主持人 signs on.
    assert band.isHidden() and window.enforced
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    sign_on_in(qtbot, window.sign_on_dialog.form, "赵主持", PIN["赵主持"])
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    # The 主持人 adds a 签到员 linked to a register person, found by the desk's search.
    page.name.setText("欧阳红梅")
    page.role_boxes[Role.DESK].setChecked(True)
    page.picker.box.setFocus()
    qtbot.keyClicks(page.picker.box, "oyhm")
    qtbot.keyClick(page.picker.box, Qt.Key.Key_Return)
    assert page.linked is not None and page.linked.name == "欧阳红梅"
    for box in (page.pin1, page.pin2):
        box.setFocus()
        qtbot.keyClicks(box, "975312")
    qtbot.keyClick(page.pin2, Qt.Key.Key_Return)
    assert "已添加 欧阳红梅（签到员）" in page.message.text(), page.message.text()
    assert page.table.item(1, 3).text() == "欧阳红梅"
    qtbot.wait(50)   # the header's name laid out
    shot(window, "staff-page")
    gen.close()


def test_a_desk_clerk_may_not_manage_the_staff_list(qtbot, staff_db):
    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    page = window.show_step("prepare", tab="工作人员名单")
    # Asked before the work: the form and the buttons are off, saying who may.
    assert not page.add_group.isEnabled() and not page.remove_button.isEnabled()
    assert "「管理工作人员名单」只有主持人可以操作" in page.add_group.toolTip()
    page.add()                                   # reached anyway: the use case refuses too
    assert "「管理工作人员名单」只有主持人可以操作" in page.message.text()
    assert "钱签到（签到员）不能操作" in page.message.text()
    assert page.table.rowCount() == len(STAFF)
    gen.close()


def test_the_demo_runs_in_open_mode_with_a_band_saying_so(qtbot, tmp_path, shot):
    from app.demo import build_demo

    path = tmp_path / "demo.db"
    conn = connect(path)
    build_demo(conn)
    conn.close()
    add_staff_list(path)     # even with a staff list the demo stays open
    gen = open_window(qtbot, path)
    window = next(gen)
    band = window.demo_band
    assert band is not None and band.isVisible()
    assert "开放模式，无需登录" in band.text()
    assert not window.locked and window.sign_on_dialog is None and window.staff_band.isHidden()
    assert window.signed_label.text() == "开放模式，无需登录"
    window.resize(1366, 768)
    qtbot.wait(50)
    shot(window, "demo-open-mode-band")
    gen.close()


def test_export_backup_and_host_mode_are_the_hosts_where_a_staff_list_exists(
        qtbot, staff_db, tmp_path, monkeypatch):
    from app.export import verify_package
    from app.export.stick import Drive

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    page = window.show_step("report", tab="U盘报送包")
    page.list_drives = lambda: [Drive(stick, "KINGSTON", 7 * 1024 ** 3, 8 * 1024 ** 3)]
    page.refresh_drives()
    assert page.target == stick
    page.export_button.click()
    refused = "只有主持人可以操作；钱签到（签到员）不能操作"
    assert page.task is None and "导出" in page.status.text() and refused in page.status.text()
    page.backup_now()
    assert page.backup_task is None and refused in page.backup_status.text()
    host = window.show_step("signin", tab="多台签到")
    host.start_host(bind="127.0.0.1")
    assert not host.runner.running and refused in host.state.text()
    assert list(stick.iterdir()) == []
    # The 主持人 exports: the package is written and names the 主持人 in the audit.
    window.ctx.set_actor(staff.sign_on(window.ctx.conn, "赵主持", PIN["赵主持"], clock=CLOCK))
    page = window.show_step("report", tab="U盘报送包")
    page.export_button.click()
    qtbot.waitUntil(page.is_idle, timeout=30000)
    assert page.last is not None, page.status.text()
    assert verify_package(page.last[1].path).ok
    row = next(r for r in reversed(db_audit.rows(window.ctx.conn))
               if r["action"] == "package_exported")
    assert row["actor"] == "赵主持"
    gen.close()


def test_a_teller_at_the_desk_is_refused_a_sign_in_in_words_and_nothing_is_written(
        qtbot, staff_db):
    from tests.gui.test_desk_page import scan
    from ui.widgets.feedback import Tone

    gen, window = open_signed_on(qtbot, staff_db, "孙计票")
    desk = window.show_step("signin", tab="签到台")
    zeng = next(p for p in db_persons.list_persons(window.ctx.conn) if p.name == "曾凡荣")
    before = window.ctx.conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0]
    desk.search_box.setFocus()
    scan(qtbot, desk.search_box, zeng.token)
    assert desk.feedback.tone is Tone.RED
    text = desk.feedback.text()
    assert "没有权限" in text and "曾凡荣" in text
    assert "只有签到员或主持人可以操作；孙计票（计票人）不能操作" in text
    after = window.ctx.conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0]
    assert after == before
    gen.close()


def test_the_host_at_the_results_page_has_two_scrutineers_sign_on_for_the_lock(qtbot, tmp_path):
    path = counting_db(tmp_path / "lock2.db")
    counted_round(path, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    add_staff_list(path)
    gen, window = open_signed_on(qtbot, path, "赵主持")
    page = results_page(qtbot, window)
    page.lock_button.setFocus()
    qtbot.keyClick(page.lock_button, Qt.Key.Key_Space)
    first = page.person_dialog
    assert first.windowTitle() == "锁定结果：第一名监票人"
    names = [first.form.name_box.itemData(i) for i in range(first.form.name_box.count())]
    assert names == ["周监票", "吴总监"]
    sign_on_in(qtbot, first.form, "周监票", PIN["周监票"])
    second = page.person_dialog
    assert second is not first and second.isVisible() and not first.isVisible()
    names = [second.form.name_box.itemData(i) for i in range(second.form.name_box.count())]
    assert names == ["吴总监"]
    sign_on_in(qtbot, second.form, "吴总监", PIN["吴总监"])
    qtbot.waitUntil(lambda: round_state(path) == "locked", timeout=5000)
    lock_row = next(r for r in reversed(db_audit.rows(window.ctx.conn))
                    if r["action"] == "round_locked")
    assert lock_row["actor"] == "周监票" and lock_row["detail"]["second"] == "吴总监"
    assert window.ctx.actor.name == "赵主持"
    gen.close()


def test_a_wrong_pin_on_a_read_only_database_is_said_not_raised(qtbot, staff_db, tmp_path):
    from ui.signon import SignOnForm

    conn = sqlite3.connect(f"file:{staff_db}?mode=ro", uri=True)
    try:
        form = SignOnForm(conn, CLOCK)
        qtbot.addWidget(form)
        pick_name(qtbot, form.name_box, "钱签到")
        form.pin.setFocus()
        qtbot.keyClicks(form.pin, "000001")
        qtbot.keyClick(form.pin, Qt.Key.Key_Return)
        assert "未能核对PIN：数据库不能写入" in form.problem.text()
    finally:
        conn.close()


def test_the_host_resets_a_pin_removes_a_member_and_sets_the_idle_lock(qtbot, staff_db, shot):
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    assert [page.table.item(r, 0).text() for r in range(page.table.rowCount())] == \
        [name for name, *_ in STAFF]
    assert page.table.item(3, 2).text() == "是"                    # 吴总监
    # 重设PIN for 钱签到: the new PIN twice, with the live hint.
    page.table.setFocus()
    page.table.selectRow(1)
    page.reset_button.click()
    dialog = page.dialog
    dialog.pin1.setFocus()
    qtbot.keyClicks(dialog.pin1, "112233")
    dialog.pin2.setFocus()
    qtbot.keyClicks(dialog.pin2, "112234")
    assert dialog.hint.text() == "两次输入的PIN不一致"
    qtbot.keyClick(dialog.pin2, Qt.Key.Key_Backspace)
    qtbot.keyClicks(dialog.pin2, "3")
    assert dialog.hint.text() == "PIN可以使用"
    qtbot.keyClick(dialog.pin2, Qt.Key.Key_Return)
    assert not dialog.isVisible() and "已为 钱签到 重设PIN" in page.message.text()
    assert dialog.pin1.text() == "" and dialog.pin2.text() == ""   # used: not kept
    assert isinstance(staff.sign_on(window.ctx.conn, "钱签到", "112233", clock=CLOCK), Actor)
    assert isinstance(staff.sign_on(window.ctx.conn, "钱签到", PIN["钱签到"], clock=CLOCK),
                      staff.Refusal)
    # 删除 李计票 (asked first); the last 主持人 cannot be removed.
    page.table.selectRow(5)
    page.remove_button.click()
    box = page.dialog
    remove = next(b for b in box.buttons() if b.text() == "删除")
    remove.click()
    assert "已从名单中删除 李计票" in page.message.text()
    assert page.table.rowCount() == len(STAFF) - 1
    page.table.selectRow(0)
    page.remove(page.selected().name)
    assert "赵主持 是名单中唯一的主持人，不能删除" in page.message.text()
    # The idle lock's minutes, kept in the database.
    page.idle.setFocus()
    page.idle.selectAll()
    qtbot.keyClicks(page.idle, "5")
    qtbot.keyClick(page.idle, Qt.Key.Key_Return)
    assert session.idle_lock_minutes(window.ctx.conn) == 5
    assert "空闲锁定：5 分钟" in page.message.text()
    qtbot.wait(50)
    shot(window, "staff-page-list")
    gen.close()
