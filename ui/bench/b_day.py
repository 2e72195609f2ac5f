"""GUI-thread stalls during a scripted polling day.

gui_longest_block_ms: the main window on the demo venue (stage `signed-in`: ~93% of the 党员大会
signed in), offscreen at 1366x768, driven through its widgets as a clerk does: the window
looked at for a few seconds, late-comers signed
in at the 签到 page by a scanner's keystroke burst (token + Enter) while the page's 2-second poll
refreshes the counter; 开始投票 clicked on the 会议 page and confirmed; ballots typed key by key
on the 投票计票 page (the event loop runs between two keys, as between a person's keystrokes);
then on the 结果 page the validation, 锁定结果 clicked, 解除锁定… with a reason, and
开始另行选举… for the runoff. A watchdog timer on the GUI thread
(every 5 ms) records the longest gap between its ticks: any slot, paint or write that holds the
GUI thread shows up there. The figure is that longest gap in milliseconds (it includes up to one
timer interval). The database writes a day needs but a clerk does not type here (the rest of the
ballots, the second clerk's entry, closing the count) are made on a side connection while the
watchdog is paused, and are not counted. The step of the longest stall is printed to stderr.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.bench import metric

TICK_MS = 5
STALL_MS = 40
LATE_COMERS = 12
TYPED_BALLOTS = 12
POLL_WAIT_S = 4.5  # two polls of the 签到 page's counter
OPENED_WAIT_S = 4.0  # the window shown, nothing clicked yet (the page modules load meanwhile)
TIMEOUT_S = 60.0


class Watchdog:
    """A precise timer on the GUI thread; `longest_ms` is the longest gap between its ticks while
    running, `where` the step that was under way then."""

    def __init__(self) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest_ms = 0.0
        self.where = ""
        self.step = ""
        self.gaps: dict[str, float] = {}
        self.cpu_gaps: dict[str, float] = {}  # the GUI thread's CPU time between two ticks
        self.last_cpu = 0.0
        self.sampler: threading.Thread | None = None
        self.sampling = True
        self.running = False
        self.stalls: list[str] = []

    def start(self, step: str = "") -> None:
        if step:
            self.step = step
        self.last = time.perf_counter()
        self.last_cpu = time.thread_time()
        self.running = True
        self.timer.start()
        if os.environ.get("POLLDAY_BENCH_STALLS") and self.sampler is None:
            self.sampler = threading.Thread(target=self._sample, daemon=True)
            self.sampler.start()

    def stop(self) -> None:
        self.running = False
        self.timer.stop()
        self._tick()

    def _sample(self) -> None:
        """With POLLDAY_BENCH_STALLS=1: what the GUI thread was doing during each stall over
        STALL_MS (printed to stderr at the end), to find the slot that blocks."""
        import traceback

        main = threading.main_thread().ident
        while self.sampling:
            time.sleep(0.01)
            if not self.running or time.perf_counter() - self.last < STALL_MS / 1000:
                continue
            frame = sys._current_frames().get(main or 0)
            if frame is None:
                continue
            mine = [f"{Path(f.filename).name}:{f.lineno} {f.name}"
                    for f in traceback.extract_stack(frame)
                    if "site-packages" not in f.filename and "python3" not in f.filename]
            self.stalls.append(f"[{self.step}] " + " > ".join(mine[-6:]))

    def _tick(self) -> None:
        now = time.perf_counter()
        gap = (now - self.last) * 1000.0
        self.last = now
        cpu = time.thread_time()  # the GUI thread's own work, whatever else runs on the machine
        self.cpu_gaps[self.step] = max(self.cpu_gaps.get(self.step, 0.0),
                                       (cpu - self.last_cpu) * 1000.0)
        self.last_cpu = cpu
        self.gaps[self.step] = max(self.gaps.get(self.step, 0.0), gap)
        if gap > self.longest_ms:
            self.longest_ms, self.where = gap, self.step


def wait_until(app: Any, done: Callable[[], bool], what: str, timeout_s: float = TIMEOUT_S) -> None:
    """Spin the event loop (as the real one would, in short slices) until `done()`."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.001)


def idle_for(app: Any, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.001)


def demo_signed_in(folder: Path) -> Path:
    from app.demo import build_demo
    from db.connection import connect

    path = folder / "demo.db"
    conn = connect(path)
    try:
        build_demo(conn, stage="signed-in")
    finally:
        conn.close()
    return path


def stack_of(r: Any, code: str) -> list[Any]:
    """The paper ballots of round `r` of contest `code` (the demo's voting, fixed seed)."""
    import random

    from app.demo import day

    chance = day.COMMITTEE_APPROVAL if code == "committee" else day.DISCIPLINE_APPROVAL
    stack = day.true_stack(random.Random(r.id), r, chance, ())
    # the plain ones first: those a clerk types here are keys only (no F4, no 另选他人)
    return sorted(stack, key=lambda b: b.declared_invalid or bool(b.write_ins))


def finish_count(path: Path, meeting_id: int) -> None:
    """What the day needs beyond the typed ballots, on a side connection: officials, the box,
    clerk A's remaining ballots, clerk B's whole stack, the count closed — for every open round
    of the meeting."""
    import random

    from app.demo import day
    from app.meetings import get_meeting, list_contests
    from app.voting import (
        close_round,
        enter_ballots,
        entries,
        list_rounds,
        record_box,
        set_officials,
    )
    from db.connection import connect

    conn = connect(path, create=False)
    try:
        party = get_meeting(conn, meeting_id)
        assert party is not None
        rng = random.Random(5)
        clock = day.day_clock(9, 30, 5.0)
        avoid = set(day.COMMITTEE_APPROVAL) | set(day.DISCIPLINE_APPROVAL)
        scrutineers, counters = day.officials(conn, party, rng, avoid)
        for contest in list_contests(conn, party.id):
            r = list_rounds(conn, contest.id)[-1]
            stack = stack_of(r, contest.code)
            present = r.snapshot.present
            day._ok(set_officials(conn, r.id, scrutineers=scrutineers, counters=counters,
                                  actor="bench", clock=clock))
            day._ok(record_box(conn, r.id, "主票箱", printed=present + 30, issued=present,
                               returned=len(stack), spoiled=0, actor="bench", clock=clock))
            already = len(entries(conn, r.id, "A"))
            day._ok(enter_ballots(conn, r.id, "A", stack[already:], clerk="A", clock=clock))
            day._ok(enter_ballots(conn, r.id, "B", stack, clerk="B", clock=clock))
            day._ok(close_round(conn, r.id, actor="bench", clock=clock))
    finally:
        conn.close()


def scripted_day(scratch: Path) -> Watchdog:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app import attendance
    from app.electorate import electorate
    from app.meetings import list_contests
    from app.voting import keys_for
    from db import persons as db_persons
    from ui.app_main import make_app, open_main_window
    from ui.widgets.reason_dialog import ReasonDialog

    path = demo_signed_in(scratch)
    make_app()
    app = QApplication.instance()
    window = open_main_window(path, demo=True)
    if window is None:
        raise RuntimeError("the window did not open")
    dog = Watchdog()
    ctx = window.ctx
    try:
        window.resize(1366, 768)
        window.show()
        QTest.qWaitForWindowExposed(window)
        m = ctx.meeting
        assert m is not None
        summary = attendance.attendance_summary(ctx.conn, m)
        voters = {p.id for p in electorate(ctx.conn, m).voters}
        late = [p for p in db_persons.list_persons(ctx.conn)
                if p.id in voters and p.id not in summary.present_ids][:LATE_COMERS]

        # --- the window as it opens: the clerk reads it for a few seconds ------------------------
        dog.start("窗口打开后")
        idle_for(app, OPENED_WAIT_S)

        # --- 签到: late-comers scanned, the counter polled --------------------------------------
        dog.step = "签到页打开"
        desk = window.show_step("signin")
        idle_for(app, 0.3)
        for i, p in enumerate(late):
            dog.step = f"签到（扫码 {i + 1}）"
            target = QApplication.focusWidget() or desk.search_box
            for ch in p.token:  # a burst: counted as one stall with the sign-in it makes
                QTest.keyClick(target, ch)
            QTest.keyClick(target, Qt.Key.Key_Return)
            wait_until(app, lambda p=p: desk.feedback.title.text() == p.name, "the sign-in answer")
            idle_for(app, 0.05)
        dog.step = "签到页（计数刷新）"
        idle_for(app, POLL_WAIT_S)

        # --- 会议: 开始投票 ------------------------------------------------------------------------
        dog.step = "会议页打开"
        meeting = window.show_step("meeting")
        idle_for(app, 0.3)
        dog.step = "开始投票"
        QTest.mouseClick(meeting.open_button, Qt.MouseButton.LeftButton)
        wait_until(app, lambda: meeting.confirm is not None and meeting.confirm.isVisible(),
                   "the 开始投票 question")
        assert meeting.confirm is not None
        ok = meeting.confirm.button(QMessageBox.StandardButton.Ok)
        QTest.mouseClick(ok, Qt.MouseButton.LeftButton)
        idle_for(app, 0.5)

        # --- 投票计票: ballots typed key by key ---------------------------------------------------
        dog.step = "投票计票页打开"
        counting = window.show_step("voting")
        idle_for(app, 0.3)
        counting.tabs.setCurrentIndex(1)
        entry = counting.entry_tab
        wait_until(app, lambda: not entry.loading, "the entry tab")
        r = counting.round
        assert r is not None
        code = next(c.code for c in list_contests(ctx.conn, m.id) if c.id == r.contest_id)
        for i, ballot in enumerate(stack_of(r, code)[:TYPED_BALLOTS]):
            dog.step = f"录入选票 {i + 1}"
            keys = keys_for(ballot.marks)
            entry.line.setFocus()
            for ch in keys:  # typed by a person: the event loop runs between two keys
                QTest.keyClick(entry.line, ch)
                app.processEvents()
            QTest.keyClick(entry.line, Qt.Key.Key_Return)
            wait_until(app, lambda: not entry.loading, "the ballot entered")
        idle_for(app, 0.2)
        dog.stop()
        finish_count(path, m.id)  # not typed by a clerk here: not counted

        # --- 结果: validate, lock, unlock, lock, next round ----------------------------------------
        dog.start("结果页打开（验证）")
        results = window.show_step("results")
        wait_until(app, lambda: results.is_idle() and results.validation is not None,
                   "the validation")
        lockable = next(i for i, v in enumerate(results.items) if v.may_lock)
        runoff = next(i for i, v in enumerate(results.items)
                      if v.result is not None and v.result.status.name == "RUNOFF_NEEDED")
        results.rounds.setCurrentRow(lockable)
        idle_for(app, 0.1)
        for step in ("锁定结果", "解除锁定"):
            dog.step = step
            if step == "解除锁定":
                QTest.mouseClick(results.unlock_button, Qt.MouseButton.LeftButton)
                wait_until(app, lambda: isinstance(results.dialog, ReasonDialog)
                           and results.dialog.isVisible(), "the unlock dialog")
                dialog = results.dialog
                assert isinstance(dialog, ReasonDialog)
                dialog.reason.setCurrentIndex(0)
                QTest.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
            else:
                wait_until(app, results.lock_button.isEnabled, "the lock button")
                QTest.mouseClick(results.lock_button, Qt.MouseButton.LeftButton)
            idle_for(app, 0.05)
            wait_until(app, results.is_idle, f"{step} done")
            idle_for(app, 0.1)
            if ("锁定" not in results.message.text()
                    or results.message.styleSheet().find("#c62828") >= 0):
                raise RuntimeError(f"{step}: {results.message.text()}")
        dog.step = "开始另行选举"
        results.rounds.setCurrentRow(runoff)
        wait_until(app, results.next_button.isEnabled, "the next-round button")
        QTest.mouseClick(results.next_button, Qt.MouseButton.LeftButton)
        wait_until(app, lambda: results.box is not None and results.box.isVisible(),
                   "the next-round question")
        assert results.box is not None
        yes = results.box.button(QMessageBox.StandardButton.Yes)
        QTest.mouseClick(yes, Qt.MouseButton.LeftButton)
        idle_for(app, 0.05)
        wait_until(app, results.is_idle, "the next round opened")
        idle_for(app, 0.3)
        if "已开始" not in results.message.text():
            raise RuntimeError(f"the runoff did not open: {results.message.text()}")
        dog.stop()
    finally:
        dog.timer.stop()
        window.close()
    return dog


@metric("gui_longest_block_ms", "ms", 50.0, "lt", issue="The clerk's day without traps")
def gui_longest_block_ms(scratch: Path) -> float:
    dog = scripted_day(scratch)
    dog.sampling = False
    worst = sorted(dog.gaps.items(), key=lambda kv: -kv[1])[:5]
    print("gui_longest_block_ms: " + "; ".join(f"{k} {v:.0f} ms" for k, v in worst),
          file=sys.stderr)
    busy = sorted(dog.cpu_gaps.items(), key=lambda kv: -kv[1])[:5]
    print("  of which the GUI thread's own CPU time: "
          + "; ".join(f"{k} {v:.0f} ms" for k, v in busy), file=sys.stderr)
    from collections import Counter

    for stall, n in Counter(dog.stalls).most_common(40):
        print(f"{n * 10:5d} ms  {stall}", file=sys.stderr)
    return dog.longest_ms
