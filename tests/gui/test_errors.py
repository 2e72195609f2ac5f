"""Uncaught exceptions reach a person: the app's own hooks (ui/errors.py, installed as run_gui
installs them) write the traceback to the log file and open the 程序出错 dialog.

pytest-qt normally takes over sys.excepthook to fail a test whose slot raised; these tests turn
that off (qt_no_exception_capture) so the exception travels the way it does for users: PySide6 →
sys.excepthook → the app's hook."""

from __future__ import annotations

import errno
import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QPainter
from PySide6.QtWidgets import QApplication

from app import logs
from ui import errors

pytestmark = pytest.mark.qt_no_exception_capture

SCREEN = (1366, 768)


@pytest.fixture
def hooked(qapp, tmp_path, monkeypatch):
    """The log in a temporary data folder and the app's hooks installed, as `pollday` does."""
    from ui.app_main import make_app

    make_app()  # fonts and Chinese Qt strings, as run_gui has them before installing the hooks
    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    logs.shutdown()
    log_file = logs.setup("gui", console=False)
    rep = errors.install(qt_messages=False)
    yield rep, log_file
    errors.uninstall()
    logs.shutdown()
    logs.note_database(None)


def log_text(path: Path) -> str:
    for h in __import__("logging").getLogger().handlers:
        h.flush()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def open_dialogs() -> list[errors.ErrorDialog]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, errors.ErrorDialog) and w.isVisible()]


def test_exception_in_a_real_slot_shows_the_dialog_and_lands_in_the_log(
        hooked, window, qtbot, monkeypatch, shot):
    rep, log_file = hooked
    from ui.pages import results_page

    def locked(*_a, **_k):  # what SQLite raises when another program holds the write lock
        raise sqlite3.OperationalError("database is locked")

    page = window.show_step("results")
    button = page.validate_button
    qtbot.waitUntil(lambda: page.task is None, timeout=10000)  # the validation on show finished
    monkeypatch.setattr(results_page, "validate_in_thread", locked)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: rep.dialog is not None and rep.dialog.isVisible(), timeout=5000)
    dialog = rep.dialog
    assert open_dialogs() == [dialog]
    what = dialog.what.text()
    assert f"数据库 {window.ctx.db_path}" in what and "正被另一个程序使用" in what, what
    assert "不会丢失" in dialog.safe.text() and "可能没有做完" in dialog.safe.text()
    assert str(log_file) in dialog.where.text()
    assert not dialog.count.isVisible()

    text = log_text(log_file)
    assert "Traceback (most recent call last)" in text
    assert "in run_validation" in text and "sqlite3.OperationalError: database is locked" in text
    assert "[gui " in text and "正被另一个程序使用" in text

    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QGuiApplication.clipboard().text()
    assert "in run_validation" in copied and "database is locked" in copied
    assert copied.startswith("PollDay ") and "PySide6 " in copied and f"日志 {log_file}" in copied
    assert dialog.copied.text() == "已复制到剪贴板"

    # natural size, and it fits a 1366×768 laptop screen
    hint = dialog.sizeHint()
    assert dialog.width() <= SCREEN[0] and hint.height() <= SCREEN[1] - 80, hint
    shot(dialog, "error-dialog")
    window.resize(*SCREEN)
    composite = window.grab()
    painter = QPainter(composite)
    painter.drawPixmap(QPoint((SCREEN[0] - dialog.width()) // 2,
                              (SCREEN[1] - dialog.height()) // 2), dialog.grab())
    painter.end()
    shot_path = shot(window, "error-dialog-over-window")  # the window alone, for comparison
    composite.save(str(shot_path.with_name("error-dialog-1366x768.png")))

    # a barcode scanner at the desk types a card and Enter: the dialog stays until it is read
    qtbot.keyClicks(dialog, "PD1-0011")
    for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
        qtbot.keyClick(QApplication.focusWidget() or dialog, key)
    qtbot.wait(50)
    assert dialog.isVisible() and rep.dialog is dialog

    qtbot.mouseClick(dialog.continue_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rep.dialog is None, timeout=2000)
    assert open_dialogs() == []
    assert window.isVisible()  # the day goes on


def test_exception_in_a_worker_thread_shows_the_dialog_on_the_gui_thread(hooked, qtbot):
    rep, log_file = hooked
    stick = "/media/clerk/U盘/翠湖社区.pollday"
    shown = []
    rep.dialog_shown.connect(lambda d: shown.append(threading.current_thread()))

    def work():
        raise OSError(errno.ENOSPC, "No space left on device", stick)

    t = threading.Thread(target=work, name="报送包写入")
    t.start()
    t.join()
    qtbot.waitUntil(lambda: rep.dialog is not None and rep.dialog.isVisible(), timeout=5000)
    assert shown == [threading.main_thread()]
    assert rep.dialog.thread() is QApplication.instance().thread()
    assert f"磁盘（或U盘）已满，文件 {stick} 没有写完" in rep.dialog.what.text()
    text = log_text(log_file)
    assert "（线程 报送包写入）" in text and "OSError: [Errno 28] No space left on device" in text
    rep.dialog.accept()


def test_a_hundred_exceptions_give_one_dialog_with_a_count(hooked, qtbot, shot):
    rep, log_file = hooked
    fired = []
    timer = QTimer()
    timer.setInterval(0)

    def tick():
        fired.append(1)
        if len(fired) >= 100:
            timer.stop()
        raise KeyError(f"第{len(fired)}次")

    timer.timeout.connect(tick)
    timer.start()
    qtbot.waitUntil(lambda: len(fired) >= 100, timeout=10000)
    qtbot.waitUntil(lambda: rep.dialog is not None and "100 次" in rep.dialog.count.text(),
                    timeout=5000)
    assert len(open_dialogs()) == 1
    assert rep.dialog.count.isVisible()
    shot(rep.dialog, "error-dialog-count")
    assert rep.dialog.what.text().startswith("PollDay 遇到一个程序错误（KeyError")
    assert log_text(log_file).count("Traceback (most recent call last)") == 100
    details = rep.details()
    assert "共发生 100 次错误" in details
    assert details.count("—— 错误 ") == errors.KEPT_TRACEBACKS  # distinct ones kept, not 100
    qtbot.keyClick(rep.dialog, Qt.Key.Key_Escape)  # Esc closes it, like 继续
    qtbot.waitUntil(lambda: rep.dialog is None, timeout=2000)

    # after 继续, the next exception opens a fresh dialog with a fresh count
    QTimer.singleShot(0, lambda: 1 / 0)
    qtbot.waitUntil(lambda: rep.dialog is not None and rep.dialog.isVisible(), timeout=5000)
    assert not rep.dialog.count.isVisible() and "ZeroDivisionError" in rep.dialog.what.text()
    rep.dialog.accept()


def test_a_dialog_that_cannot_be_shown_is_logged_and_not_retried(hooked, qtbot, monkeypatch):
    rep, log_file = hooked

    def broken(self):
        raise RuntimeError("dialog broke")

    monkeypatch.setattr(errors.ErrorDialog, "refresh", broken)
    for i in range(3):
        QTimer.singleShot(0, lambda i=i: [][i])
    qtbot.waitUntil(lambda: log_text(log_file).count("IndexError") >= 3, timeout=5000)
    qtbot.wait(50)
    text = log_text(log_file)
    assert text.count("无法显示出错对话框") == 1 and "RuntimeError: dialog broke" in text
    assert open_dialogs() == []
    # the hook itself never raised: a later exception is still logged
    QTimer.singleShot(0, lambda: {}["later"])
    qtbot.waitUntil(lambda: "KeyError: 'later'" in log_text(log_file), timeout=5000)


def test_the_gui_process_installs_the_hook_and_logs(tmp_path, small_db):
    """`pollday --db` in a process of its own, as users start it: a slot that raises opens the
    dialog and lands in POLLDAY_HOME/logs/pollday.log."""
    script = textwrap.dedent(f"""
        import sys
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication
        from ui import errors, launcher
        from ui.app_main import make_app
        from ui.pages import results_page

        def boom(*a, **k):
            raise ValueError("强制的错误")

        def click(page):
            results_page.validate_in_thread = boom
            page.validate_button.click()

        def poke():
            app = QApplication.instance()
            windows = [w for w in app.topLevelWidgets() if type(w).__name__ == "MainWindow"]
            if not windows or not windows[0].isVisible():
                QTimer.singleShot(50, poke)
                return
            page = windows[0].show_step("results")
            QTimer.singleShot(2000, lambda: click(page))
            QTimer.singleShot(3500, report)

        def report():
            rep = errors.reporter()
            d = rep.dialog if rep else None
            print("DIALOG", d is not None and d.isVisible(), d.what.text() if d else "", flush=True)
            QApplication.instance().exit(0)

        make_app()
        QTimer.singleShot(0, poke)
        sys.exit(launcher.main(["--db", {str(small_db)!r}]))
    """)
    home = tmp_path / "home"
    env = dict(os.environ, POLLDAY_HOME=str(home), QT_QPA_PLATFORM="offscreen", PYTHONUTF8="1")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                       encoding="utf-8", env=env, timeout=120, cwd=Path(__file__).parents[2])
    assert r.returncode == 0, r.stdout + r.stderr
    assert "DIALOG True PollDay 遇到一个程序错误（ValueError：强制的错误）" in r.stdout, r.stdout + r.stderr
    text = (home / "logs" / "pollday.log").read_text(encoding="utf-8")
    assert "[gui " in text and "in run_validation" in text and "ValueError: 强制的错误" in text


def test_a_background_task_that_meets_a_full_stick_says_so_and_logs_it(hooked, qtbot):
    """Expected failures keep their own words: a task's error is shown by its page (not the
    hook), worded for the clerk, and its traceback still reaches the log."""
    from ui.tasks import Task

    rep, log_file = hooked
    target = "/media/clerk/U盘/备份-翠湖社区.db"

    def work(_progress, _cancel):
        raise OSError(errno.ENOSPC, "No space left on device", target)

    task = Task(work)
    with qtbot.waitSignal(task.finished, timeout=5000) as blocker:
        task.start()
    outcome = blocker.args[0]
    assert outcome.error == f"磁盘（或U盘）已满，文件 {target} 没有写完。请腾出空间或换一个U盘后重试。"
    text = log_text(log_file)
    assert "WARNING ui.tasks: 后台任务失败：磁盘（或U盘）已满" in text and "in work" in text
    assert rep.dialog is None  # handled where it happened: no 程序出错 dialog


def test_an_exception_escaping_start_up_is_shown_before_the_process_ends(hooked, qtbot):
    rep, log_file = hooked
    seen = []

    def answer():
        seen.append(rep.dialog.what.text())
        rep.dialog.accept()

    def start_up():
        raise FileNotFoundError(errno.ENOENT, "No such file or directory", "/media/u/翠湖.db")

    QTimer.singleShot(300, answer)
    assert errors.run_guarded(start_up) == 1
    assert seen == ["找不到文件 /media/u/翠湖.db：U盘可能已被拔出，或文件、文件夹已被移动或删除。"]
    assert "FileNotFoundError" in log_text(log_file)


def test_an_exception_in_a_qthread_run_reaches_the_dialog(hooked, qtbot):
    from PySide6.QtCore import QThread

    rep, log_file = hooked

    class Worker(QThread):
        def run(self):
            raise RuntimeError("工作线程出错")

    worker = Worker()
    worker.start()
    worker.wait(5000)
    qtbot.waitUntil(lambda: rep.dialog is not None and rep.dialog.isVisible(), timeout=5000)
    assert "RuntimeError：工作线程出错" in rep.dialog.what.text()
    text = log_text(log_file)
    assert "未处理的异常（线程 " in text and "RuntimeError: 工作线程出错" in text
    rep.dialog.accept()
