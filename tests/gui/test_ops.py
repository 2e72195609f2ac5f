"""ui.ops (issue 14, item 15): database operations on one serial worker per database, answers on
the GUI thread, a dialog when one fails; the 结果 page's writes and the 签到 page's counter go
through it, so the GUI thread keeps handling events while they run."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from app import attendance, voting
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import make_db
from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import counted_round, open_results
from ui import ops


@pytest.fixture
def db(tmp_path):
    return make_db(tmp_path / "ops.db")


def gate_op(parent, path) -> tuple[threading.Event, threading.Event]:
    """A slow operation on `path`'s worker: it starts, then waits until the test opens the
    gate. Everything asked after it on the same database waits behind it."""
    started, gate = threading.Event(), threading.Event()

    def slow(_conn):
        started.set()
        assert gate.wait(20)
        return "slow done"

    ops.run_op(parent, path, slow)
    assert started.wait(5)
    return started, gate


def test_the_gui_thread_keeps_handling_events_while_a_slow_operation_runs(qtbot, db):
    parent = QWidget()
    qtbot.addWidget(parent)
    gui = QThread.currentThread()
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    answers: list[tuple[object, bool, bool]] = []
    ran_on: list[bool] = []

    def slow(conn):
        ran_on.append(threading.current_thread() is threading.main_thread())
        assert gate.wait(20)
        return conn.execute("SELECT count(*) FROM person").fetchone()[0]

    gate = threading.Event()
    op = ops.run_op(parent, db, slow, lambda n: answers.append(
        (n, QThread.currentThread() is gui, gate.is_set())))
    # While the operation waits, the timer keeps firing: the GUI thread is free.
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5000)
    assert not answers and not op.done and not ops.idle(db)
    gate.set()
    qtbot.waitUntil(lambda: bool(answers), timeout=5000)
    timer.stop()
    assert answers == [(6, True, True)] and ran_on == [False]
    assert ops.idle(db)


def test_operations_on_one_database_run_in_the_order_asked(qtbot, db):
    parent = QWidget()
    qtbot.addWidget(parent)
    _started, gate = gate_op(parent, db)
    order: list[str] = []
    threads: set[int] = set()

    def step(name):
        def run(_conn):
            threads.add(threading.get_ident())
            order.append(f"ran {name}")
            return name
        return run

    for name in ("写入", "读取", "再写入"):
        ops.run_op(parent, db, step(name), lambda got: order.append(f"answered {got}"))
    assert order == []  # all wait behind the slow one
    gate.set()
    qtbot.waitUntil(lambda: ops.idle(db), timeout=5000)
    assert [o for o in order if o.startswith("ran")] == ["ran 写入", "ran 读取", "ran 再写入"]
    assert [o for o in order if o.startswith("answered")] == [
        "answered 写入", "answered 读取", "answered 再写入"]
    assert len(threads) == 1 and threading.main_thread().ident not in threads


def test_a_failed_operation_opens_the_default_error_dialog(qtbot, db):
    parent = QWidget()
    qtbot.addWidget(parent)
    succeeded: list[object] = []

    def locked(_conn):  # what SQLite raises when another program holds the write lock
        raise sqlite3.OperationalError("database is locked")

    op = ops.run_op(parent, db, locked, succeeded.append, title="未能锁定")
    qtbot.waitUntil(lambda: op.error_box is not None and op.error_box.isVisible(), timeout=5000)
    box = op.error_box
    assert box.windowTitle() == "未能锁定" and box.icon() is QMessageBox.Icon.Critical
    assert "正被另一个程序使用" in box.text(), box.text()
    assert "OperationalError" in box.detailedText()
    assert not succeeded
    box.button(QMessageBox.StandardButton.Ok).click()
    # The worker carries on after a failure.
    later: list[int] = []
    ops.run_op(parent, db, lambda conn: conn.execute("SELECT 1").fetchone()[0], later.append)
    qtbot.waitUntil(lambda: later == [1], timeout=5000)


def test_no_answer_reaches_a_page_that_was_closed(qtbot, db):
    parent = QWidget()
    _started, gate = gate_op(parent, db)
    answered: list[object] = []
    ops.run_op(parent, db, lambda _conn: 1, answered.append)
    parent.deleteLater()
    qtbot.waitUntil(lambda: not parent.isVisible(), timeout=1000)
    qtbot.wait(10)
    gate.set()
    qtbot.waitUntil(lambda: ops.idle(db), timeout=5000)
    qtbot.wait(20)
    assert answered == []


def test_no_answer_reaches_a_page_after_its_window_let_go_of_the_file(qtbot, db):
    """A desk page's counter refresh answered after the window had released the database and
    closed the page's connection: "Cannot operate on a closed database" in a full run."""
    parent = QWidget()
    qtbot.addWidget(parent)
    conn = connect(db)
    answered: list[object] = []

    def refreshed(result: object) -> None:   # what a page's answer does: read its connection
        answered.append(conn.execute("SELECT count(*) FROM person").fetchone()[0])

    try:
        _started, gate = gate_op(parent, db)
        ops.run_op(parent, db, lambda c: 1, refreshed)
        gate.set()
        ops.release(db)   # the worker finishes both, then ends; the answers are still queued
        conn.close()      # the window closes its own connection after that
        qtbot.wait(50)    # the queued answers arrive: nothing may touch the closed connection
        assert answered == []
    finally:
        ops.attach(db)


def test_results_lock_by_click_waits_for_the_database_and_the_page_follows(qtbot, tmp_path,
                                                                          shot):
    db = counting_db(tmp_path / "results.db")
    counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    p = open_results(qtbot, db)
    try:
        assert p.lock_button.isEnabled()
        _started, gate = gate_op(p, db)
        qtbot.mouseClick(p.lock_button, Qt.MouseButton.LeftButton)
        # The lock is queued behind the slow operation: the page says so, nothing is locked
        # yet, and the GUI thread is free (the click returned).
        assert "正在锁定" in p.message.text() and not p.lock_button.isEnabled()
        assert not p.is_idle()
        p.resize(1366, 768)
        qtbot.wait(30)
        shot(p, "ops-results-locking")
        conn = connect(db)
        assert voting.meeting_rounds(conn, p.ctx.meeting.id)[0].state is not voting.State.LOCKED
        gate.set()
        qtbot.waitUntil(p.is_idle, timeout=10000)
        assert voting.meeting_rounds(conn, p.ctx.meeting.id)[0].state is voting.State.LOCKED
        conn.close()
        assert "已锁定，本轮锁定校验码" in p.message.text()
        assert "已锁定" in p.heading.text() and p.unlock_button.isEnabled()
        qtbot.wait(30)
        shot(p, "ops-results-locked")
        # 解除锁定… with a reason, clicked: also on the worker.
        _started, gate = gate_op(p, db)
        qtbot.mouseClick(p.unlock_button, Qt.MouseButton.LeftButton)
        p.dialog.reason.setEditText("发现录入错误，须更正后重新锁定")
        qtbot.mouseClick(p.dialog.ok_button, Qt.MouseButton.LeftButton)
        assert "正在解除锁定" in p.message.text() and "已锁定" in p.heading.text()
        gate.set()
        qtbot.waitUntil(p.is_idle, timeout=10000)
        assert "已解除锁定" in p.message.text() and "已锁定" not in p.heading.text()
        # Counting reopened: 锁定结果 waits for 结束计票 (the reason beside it).
        assert not p.lock_button.isEnabled() and "计票尚未结束" in p.lock_why.text()
    finally:
        p.close()
        p.ctx.conn.close()


def test_results_next_round_by_click_is_opened_on_the_worker(qtbot, tmp_path):
    db = counting_db(tmp_path / "results.db")
    counted_round(db, ["ooo---", "ooo---", "ooo---", "---ooo"])
    p = open_results(qtbot, db)
    try:
        opened: list[bool] = []
        p.ctx.voting_opened.connect(lambda: opened.append(True))
        _started, gate = gate_op(p, db)
        qtbot.mouseClick(p.next_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(p.box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
        assert "正在开始另行选举" in p.message.text() and not opened
        gate.set()
        qtbot.waitUntil(p.is_idle, timeout=10000)
        assert opened and "已开始：应选 2 名" in p.message.text()
        assert p.rounds.count() == 2
    finally:
        p.close()
        p.ctx.conn.close()


def test_desk_counter_is_read_on_the_worker_and_a_sign_in_is_never_overwritten(qtbot, db, shot):
    from tests.gui.test_desk_page import open_desk_page

    conn = connect(db)
    page = open_desk_page(qtbot, conn, db, size=(1366, 768))
    try:
        qtbot.waitUntil(lambda: page.counter.text().startswith("实到 0 "), timeout=5000)
        _started, gate = gate_op(page, db)
        page.refresh_counter()            # what the 2 s poll does: queued, the GUI goes on
        assert page.refresh_op is not None and not page.refresh_op.done
        # A sign-in meanwhile is written at once and shows its own count ...
        zeng = next(x for x in db_persons.list_persons(conn) if x.name == "曾凡荣")
        result = page.sign_in(zeng)
        assert result is not None and result.written
        assert page.counter.text().startswith("实到 1 ")
        gate.set()
        qtbot.waitUntil(lambda: page.refresh_op is None and ops.idle(db), timeout=5000)
        # ... and the summary read before it never takes it back.
        assert page.counter.text().startswith("实到 1 ")
        assert attendance.attendance_summary(page.ctx.conn, page.ctx.meeting).present == 1
        qtbot.wait(30)
        shot(page, "ops-desk-counter")
    finally:
        page.close()
        attendance.forget(conn)
        conn.close()


def test_start_voting_is_written_on_the_worker_and_the_page_follows(qtbot, db):
    """开始投票 on the 会议 page: the click returns, the freeze is written on the database's
    worker (after what was asked before it), the page follows."""
    from app import meetings
    from app.clock import FixedClock
    from tests.gui.conftest import CLOCK_START
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.meeting_page import MeetingPage

    make_app()
    conn = connect(db)
    party = meetings.meeting_by_code(conn, "party")
    meetings.set_current(conn, party.id, clock=FixedClock(CLOCK_START, 1.0), actor="test")
    ctx = PageContext(conn, db, clock=FixedClock(CLOCK_START.replace(hour=9), 1.0), actor="test")
    page = MeetingPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    try:
        qtbot.waitUntil(page.is_idle, timeout=5000)
        for p in db_persons.list_persons(conn):   # everyone with a vote comes
            attendance.sign_in(conn, ctx.meeting, p, "一号台", "test", ctx.clock)
        _started, gate = gate_op(page, db)
        qtbot.mouseClick(page.open_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(page.confirm.button(QMessageBox.StandardButton.Ok),
                         Qt.MouseButton.LeftButton)
        assert not page.is_idle() and not page.open_button.isEnabled()
        assert attendance.snapshots(conn, ctx.meeting) == []   # not yet: behind the slow one
        gate.set()
        qtbot.waitUntil(page.is_idle, timeout=10000)
        assert [s.round_label for s in attendance.snapshots(conn, ctx.meeting)] == ["第1次投票"]
        qtbot.waitUntil(lambda: "冻结实到" in page.panel.rule.text(), timeout=5000)
    finally:
        page.close()
        attendance.forget(conn)
        conn.close()


def test_a_slow_operation_shows_the_busy_pointer_and_a_poll_does_not(qtbot, db):
    from PySide6.QtGui import QGuiApplication

    parent = QWidget()
    qtbot.addWidget(parent)
    for busy in (False, True):
        gate = threading.Event()
        ops.run_op(parent, db, lambda _conn, g=gate: g.wait(20), busy=busy)
        qtbot.wait(ops.BUSY_AFTER_MS + 100)
        cursor = QGuiApplication.overrideCursor()
        shown = cursor is not None and cursor.shape() == Qt.CursorShape.BusyCursor
        assert shown is busy
        gate.set()
        qtbot.waitUntil(lambda: ops.idle(db), timeout=5000)
        assert QGuiApplication.overrideCursor() is None
