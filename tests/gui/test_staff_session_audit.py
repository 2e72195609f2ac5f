"""Issue 15 leftovers (GUI): every sign-on at the window, 切换人员, the idle lock, unlocking and
退出登录 leave an audit row naming who and where (this laptop, or the desk it joined as); the
desk's last answer stays readable under the lock; the 审计日志 page shows the member's name and
filters by them. Keys go into the focused widgets."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import session
from db import audit as db_audit
from db import persons as db_persons
from db.connection import connect
from tests.gui.test_desk_page import scan
from tests.gui.test_staff_signon import (  # noqa: F401
    PIN,
    choose_at_desk,
    open_signed_on,
    sign_in_at_desk_two,
    sign_on_in,
    staff_db,
)

SESSION = ("staff_signed_on", "staff_locked", "staff_signed_off")


def _session_rows(window):
    return [(r["actor"], r["action"], r["detail"]) for r in db_audit.rows(window.ctx.conn)
            if r["action"] in SESSION]


def test_sign_on_lock_unlock_switch_and_sign_off_are_audited_with_where(qtbot, staff_db):  # noqa: F811
    import json

    conn = connect(staff_db)
    assert session.set_idle_lock_minutes(conn, 2)
    conn.close()
    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    where = window.where
    assert where and where != "本机"
    now = [1000.0]
    window.idle_now = lambda: now[0]
    window.last_input = now[0]
    # the desk answers a sign-in; the idle lock keeps that answer readable
    desk = window.show_step("signin", tab="签到台")
    zeng = next(p for p in db_persons.list_persons(window.ctx.conn) if p.name == "曾凡荣")
    desk.search_box.setFocus()
    scan(qtbot, desk.search_box, zeng.token)
    qtbot.waitUntil(lambda: "曾凡荣" in desk.feedback.text(), timeout=5000)
    answered = desk.feedback.text()
    now[0] += 121
    window.idle_timer.timeout.emit()
    assert window.locked
    assert desk.feedback.isVisible() and desk.feedback.text() == answered
    form = window.lock_overlay.form
    qtbot.keyClicks(form.pin, PIN["钱签到"])
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    assert not window.locked and desk.feedback.text() == answered
    # 切换人员 (Ctrl+L)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.sign_on_dialog.isVisible(), timeout=3000)
    sign_on_in(qtbot, window.sign_on_dialog.form, "赵主持", PIN["赵主持"])
    qtbot.waitUntil(lambda: not window.sign_on_dialog.isVisible(), timeout=3000)
    # 退出登录 (文件 menu): the window locks and asks who signs on next
    window.sign_off_action.trigger()
    assert window.locked and window.lock_overlay.heading.text() == "已退出登录"
    assert window.lock_overlay.button.text() == "登录"
    sign_on_in(qtbot, window.lock_overlay.form, "钱签到", PIN["钱签到"])
    assert not window.locked and window.ctx.actor.name == "钱签到"
    rows = [(a, act, json.loads(d) if isinstance(d, str) else d)
            for a, act, d in _session_rows(window)]
    assert [(a, act, d.get("how")) for a, act, d in rows] == [
        ("钱签到", "staff_signed_on", "sign_on"), ("钱签到", "staff_locked", None),
        ("钱签到", "staff_signed_on", "unlock"), ("赵主持", "staff_signed_on", "switch"),
        ("赵主持", "staff_signed_off", None), ("钱签到", "staff_signed_on", "sign_on")]
    assert {d["where"] for _a, _act, d in rows} == {where}
    assert rows[1][2]["minutes"] == 2
    # the 审计日志 page names the member (never gui:) and filters by them
    page = window.show_step("report", tab="审计日志")
    qtbot.waitUntil(page.is_loaded, timeout=10000)
    names = [page.person.itemData(i) for i in range(page.person.count())]
    assert "钱签到" in names and "赵主持" in names
    assert not any(str(n).startswith("gui:") for n in names if n)
    page.person.setFocus()
    page.person.setCurrentIndex(page.person.findData("赵主持"))
    page.apply_filter()
    assert page.shown and all(e.operator == "赵主持" for e in page.shown)
    assert {e.action for e in page.shown} >= {"staff_signed_on", "staff_signed_off"}
    # closing the window (or opening another database) signs 钱签到 off, once
    window.close()
    window.release_database()
    qtbot.waitUntil(lambda: window.db_released, timeout=3000)
    gen.close()
    conn = connect(staff_db)
    try:
        last = [(r["actor"], r["action"], r["detail"]) for r in db_audit.rows(conn)
                if r["action"] in SESSION][-1]
    finally:
        conn.close()
    detail = json.loads(last[2]) if isinstance(last[2], str) else last[2]
    assert last[:2] == ("钱签到", "staff_signed_off") and detail.get("closed") is True
    assert len(_rows_of(staff_db)) == len(rows) + 1


def _rows_of(path):
    conn = connect(path)
    try:
        return [r for r in db_audit.rows(conn) if r["action"] in SESSION]
    finally:
        conn.close()


def test_a_desk_clerk_undoing_another_desks_sign_in_is_told_who_may(qtbot, staff_db):  # noqa: F811
    """The desk's red answer for a role refusal names who may; nothing is written."""
    from ui.widgets.feedback import Tone

    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    conn = window.ctx.conn
    zeng = sign_in_at_desk_two(window)
    desk = window.show_step("signin", tab="签到台")
    assert desk.desk_name != "二号台"
    choose_at_desk(qtbot, desk, zeng, "zfr")
    before = conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0]
    desk.undo_chosen()   # refused before a reason is asked for
    assert desk.dialog is None or not desk.dialog.isVisible()
    assert desk.feedback.tone is Tone.RED
    text = desk.feedback.text()
    assert "没有权限，未办理" in text and "曾凡荣" in text
    assert "只有主持人可以操作" in text and "钱签到（签到员）不能操作" in text
    assert conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0] == before
    gen.close()
