"""ui.tasks: work off the GUI thread with progress, cancel, errors; the progress dialog."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QProgressDialog, QPushButton

from ui.tasks import Cancelled, Task
from ui.widgets.progress import run_with_progress, start_with_progress


def test_result_and_progress_arrive_on_the_gui_thread(qtbot):
    gui = QThread.currentThread()
    seen: list[tuple[int, int, str, bool]] = []

    def work(progress, cancel):
        assert threading.current_thread() is not threading.main_thread()
        for i in range(1, 6):
            progress(i, 5, f"第{i}步")
            time.sleep(0.05)
        return "完成"

    task = Task(work)
    task.progress.connect(lambda d, t, m: seen.append((d, t, m, QThread.currentThread() is gui)))
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        task.start()
    outcome = blocker.args[0]
    assert outcome.ok and outcome.result == "完成"
    assert seen[-1] == (5, 5, "第5步", True)
    assert all(on_gui for *_x, on_gui in seen)


def test_fast_progress_is_throttled_but_the_last_report_gets_through(qtbot):
    count = []
    task = Task(lambda progress, cancel: [progress(i, 100000) for i in range(1, 100001)] and 1)
    task.progress.connect(lambda d, t, _m: count.append(d))
    with qtbot.waitSignal(task.finished, timeout=10000):
        task.start()
    assert count[-1] == 100000 and len(count) < 1000


def test_cancel_stops_the_work(qtbot):
    started = threading.Event()

    def work(progress, cancel):
        started.set()
        while True:
            cancel.raise_if_set()
            time.sleep(0.01)

    task = Task(work)
    task.start()
    assert started.wait(5)
    with qtbot.waitSignal(task.cancelled, timeout=5000):
        task.cancel()
    assert task.outcome.status == "cancelled"
    assert task.wait(2000)


def test_an_exception_becomes_a_failed_outcome_with_the_message(qtbot):
    def work(progress, cancel):
        raise OSError("U盘已拔出")

    task = Task(work)
    with qtbot.waitSignal(task.failed, timeout=5000) as blocker:
        task.start()
    message, detail = blocker.args
    assert message == "U盘已拔出" and "OSError" in detail
    assert task.outcome.status == "failed"


def test_progress_dialog_shows_progress_and_its_cancel_button_cancels(qtbot):
    seen = []

    def work(progress, cancel):
        for i in range(1000):
            if cancel():
                raise Cancelled()
            progress(i, 1000, "正在处理")
            time.sleep(0.005)
        return "done"

    def press_cancel():
        dialogs = [w for w in qtbot_widgets() if isinstance(w, QProgressDialog) and w.isVisible()]
        seen.extend((d.value(), d.maximum(), d.labelText()) for d in dialogs)
        for d in dialogs:
            d.findChild(QPushButton).click()  # the clerk presses 取消

    from tests.gui.conftest import later

    later(400, press_cancel)
    outcome = run_with_progress(None, "测试", "开始", work)
    assert outcome.status == "cancelled"
    assert len(seen) == 1 and seen[0][1] == 1000 and 0 < seen[0][0] < 1000 and seen[0][2] == "正在处理"


def qtbot_widgets():
    from PySide6.QtWidgets import QApplication

    return QApplication.topLevelWidgets()


def test_progress_dialog_returns_at_once_and_the_window_keeps_handling_events(qtbot):
    """No nested event loop: the slot that starts the work returns while it runs; a timer on
    the GUI thread keeps firing; the outcome arrives through the callback."""
    from PySide6.QtCore import QTimer

    gate = threading.Event()
    ticks: list[int] = []
    outcomes = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()

    def work(progress, cancel):
        progress(1, 2, "正在处理")
        assert gate.wait(20)
        return "完成"

    task = start_with_progress(None, "测试", "开始", work, outcomes.append)
    assert outcomes == [] and task.dialog.isVisible()  # returned while the work waits
    qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=5000)
    qtbot.waitUntil(lambda: task.dialog.labelText() == "正在处理", timeout=5000)
    assert outcomes == []
    gate.set()
    qtbot.waitUntil(lambda: bool(outcomes), timeout=5000)
    timer.stop()
    assert outcomes[0].ok and outcomes[0].result == "完成"
