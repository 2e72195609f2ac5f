"""Uncaught exceptions in the GUI reach a person: logged, then shown in a Chinese dialog.

`install()` sets `sys.excepthook` (PySide6 sends exceptions raised in slots and overrides there)
and `threading.excepthook`. Each exception is written to the log file (app/logs.py) at once, from
whatever thread raised it; the dialog is always opened on the GUI thread through a queued signal,
so a worker thread's exception shows the same way. While a dialog is open, further exceptions only
raise its count (a timer failing 100 times gives one dialog saying 100 次). If showing the dialog
itself fails, that is logged and no dialog is tried again: the log still gets every exception.

What the dialog promises is what the app does: every write is committed before the screen says
it is done (architecture convention 5), so acknowledged sign-ins and entries are kept; the action
under way when the error came may not have happened, and the dialog says so.
"""

from __future__ import annotations

import datetime as dt
import faulthandler
import logging
import platform
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    Qt,
    QThread,
    QtMsgType,
    Signal,
    Slot,
    qInstallMessageHandler,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from app import __version__, logs

log = logging.getLogger(__name__)

KEPT_TRACEBACKS = 5  # distinct tracebacks kept for 复制详情; the rest are only counted
DIALOG_WIDTH = 560

SAFE_TEXT = ("已经确认完成的操作不会丢失：签到、录入等每一项都是先写入数据库，屏幕才显示完成的。"
             "出错时正在进行、屏幕上还没有显示完成的那一项操作可能没有做完，请查看后再做一次。")


@dataclass
class _Seen:
    text: str
    count: int


class ErrorReporter(QObject):
    """Collects uncaught exceptions from any thread and shows them on the GUI thread."""

    _arrived = Signal()
    dialog_shown = Signal(object)  # the ErrorDialog, each time one opens (tests, screenshots)

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._inside = threading.local()
        self._count = 0
        self._first_words = ""
        self._seen: list[_Seen] = []
        self._scheduled = False
        self._gave_up = False
        self.dialog: ErrorDialog | None = None
        self._arrived.connect(self._show, Qt.ConnectionType.QueuedConnection)

    # -- any thread ------------------------------------------------------------------------

    def report(self, exc_type: type[BaseException], exc: BaseException,
               tb: TracebackType | None, where: str = "") -> None:
        if getattr(self._inside, "on", False):
            return  # an exception while reporting one: never loop
        self._inside.on = True
        try:
            self._report(exc_type, exc, tb, where)
        except Exception:  # noqa: BLE001 - the hook must not raise
            _last_words(exc_type, exc, tb)
        finally:
            self._inside.on = False

    def _report(self, exc_type: type[BaseException], exc: BaseException,
                tb: TracebackType | None, where: str) -> None:
        logs.log_uncaught(exc_type, exc, tb, where)
        text = logs.format_exception(exc_type, exc, tb)
        if where:
            text = f"{where}\n{text}"
        with self._lock:
            self._count += 1
            if not self._first_words:
                self._first_words = logs.describe_error(exc)
            for seen in self._seen:
                if seen.text == text:
                    seen.count += 1
                    break
            else:
                if len(self._seen) < KEPT_TRACEBACKS:
                    self._seen.append(_Seen(text, 1))
            schedule = not self._scheduled and not self._gave_up
            self._scheduled = True
        if self._gave_up or QCoreApplication.instance() is None:
            _last_words(exc_type, exc, tb)
            return
        if schedule:
            self._arrived.emit()  # queued: the slot runs on the GUI thread, after this returns

    # -- GUI thread ------------------------------------------------------------------------

    @Slot()
    def _show(self) -> None:
        try:
            if self.dialog is None:
                # no parent: closing or switching the main window must not take it along
                self.dialog = ErrorDialog(self)
                self.dialog.finished.connect(self._closed)
                self.dialog.refresh()
                self.dialog.show()
                self.dialog.raise_()
                self.dialog.activateWindow()
                self.dialog_shown.emit(self.dialog)
            else:
                self.dialog.refresh()
        except Exception:  # noqa: BLE001 - log it and give up on dialogs; never recurse
            self._gave_up = True
            log.exception("无法显示出错对话框；此后的错误只写入日志")
        finally:
            with self._lock:
                self._scheduled = False

    def _closed(self) -> None:
        with self._lock:
            self._count = 0
            self._first_words = ""
            self._seen = []
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def snapshot(self) -> tuple[int, str, list[_Seen]]:
        with self._lock:
            return self._count, self._first_words, [_Seen(s.text, s.count) for s in self._seen]

    def details(self) -> str:
        """What 复制详情 copies: versions, where the log is, and each distinct traceback."""
        count, _words, seen = self.snapshot()
        from PySide6 import __version__ as pyside_version
        from PySide6.QtCore import qVersion

        build = "打包版" if getattr(sys, "frozen", False) else "源代码运行"
        lines = [
            f"PollDay {__version__}（{build}）",
            f"Python {platform.python_version()} · PySide6 {pyside_version} · Qt {qVersion()}",
            f"系统 {platform.platform()}",
            f"时间 {dt.datetime.now().astimezone().isoformat(timespec='seconds')}",
            f"数据库 {logs.current_database() or '（未打开）'}",
            f"日志 {log_location()}",
            f"共发生 {count} 次错误",
        ]
        for i, s in enumerate(seen, start=1):
            lines += ["", f"—— 错误 {i}（{s.count} 次）——", s.text.rstrip()]
        return "\n".join(lines) + "\n"


def log_location() -> str:
    active = logs.active_log()
    return str(active) if active is not None else f"{logs.log_path()}（本进程未写日志）"


class ErrorDialog(QDialog):
    """程序出错: what happened, that acknowledged work is kept, 复制详情, the log file, 继续."""

    def __init__(self, reporter: ErrorReporter, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.reporter = reporter
        self.setWindowTitle("程序出错")
        self.setWindowModality(Qt.WindowModality.ApplicationModal)
        self.setFixedWidth(DIALOG_WIDTH)

        icon = QLabel()
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_MessageBoxIconSize)
        icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(size, size))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)

        self.what = _wrapped("", "font-size: 12pt; font-weight: bold;")
        self.what.setObjectName("what")
        self.safe = _wrapped(SAFE_TEXT)
        self.count = _wrapped("", "color: #a05a00;")
        self.count.setObjectName("count")
        self.where = _wrapped("")
        self.where.setObjectName("logpath")
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.copied = QLabel("")
        self.copied.setStyleSheet("color: #2e7d32;")

        text = QVBoxLayout()
        text.setSpacing(10)
        for w in (self.what, self.safe, self.count, self.where):
            text.addWidget(w)
        top = QHBoxLayout()
        top.addWidget(icon)
        top.addLayout(text, 1)

        # A desk's barcode scanner types a card and Enter: that must not close the dialog
        # unread. No default button, and the buttons take focus only by a click; Esc closes.
        self.copy_button = QPushButton("复制详情")
        self.copy_button.clicked.connect(self.copy_details)
        self.continue_button = QPushButton("继续")
        self.continue_button.clicked.connect(self.accept)
        for b in (self.copy_button, self.continue_button):
            b.setAutoDefault(False)
            b.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.copied, 1)
        buttons.addWidget(self.continue_button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addSpacing(6)
        layout.addLayout(buttons)

    def refresh(self) -> None:
        count, words, _seen = self.reporter.snapshot()
        self.what.setText(words or "PollDay 遇到一个程序错误。")
        self.count.setText(f"到现在共发生 {count} 次错误，只显示这一个对话框。" if count > 1 else "")
        self.count.setVisible(count > 1)
        self.where.setText("如果问题反复出现，请按“复制详情”，把内容交给技术支持人员。"
                           f"详细记录已写入日志文件：\n{log_location()}")
        self.adjustSize()

    def copy_details(self) -> None:
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.reporter.details())
        self.copied.setText("已复制到剪贴板")


def _wrapped(text: str, style: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    if style:
        label.setStyleSheet(style)
    return label


def _last_words(exc_type: type[BaseException], exc: BaseException,
                tb: TracebackType | None) -> None:
    """No dialog possible: the traceback (already in the log) is also printed for a console."""
    if sys.stderr is None or isinstance(sys.stderr, logs.StderrToLog):
        return  # stderr is the log itself: once is enough
    try:
        sys.__excepthook__(exc_type, exc, tb)
    except Exception:  # noqa: BLE001 - nothing else to try
        pass


# -- installing ----------------------------------------------------------------------------

_reporter: ErrorReporter | None = None
_previous: tuple[Any, Any] | None = None
_crash_file: Any = None


def reporter() -> ErrorReporter | None:
    return _reporter


def install(*, qt_messages: bool = True) -> ErrorReporter:
    """Route uncaught exceptions (main thread, Qt slots, other threads) to the log and the
    dialog. Call on the GUI thread. Idempotent."""
    global _reporter, _previous
    if _reporter is not None:
        return _reporter
    app = QCoreApplication.instance()
    if app is not None:
        assert QThread.currentThread() is app.thread(), "install on the GUI thread"
    rep = ErrorReporter()
    _reporter = rep
    _previous = (sys.excepthook, threading.excepthook)

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        # PySide6 also calls it from a QThread whose run() raised: say which thread
        current = threading.current_thread()
        where = "" if current is threading.main_thread() else f"线程 {current.name}"
        rep.report(exc_type, exc, tb, where)

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        name = args.thread.name if args.thread is not None else "?"
        rep.report(args.exc_type, args.exc_value, args.exc_traceback, f"线程 {name}")

    sys.excepthook = hook
    threading.excepthook = thread_hook
    if qt_messages:
        qInstallMessageHandler(_qt_message)
    return rep


def uninstall() -> None:
    """Put back the hooks `install` replaced (tests)."""
    global _reporter, _previous
    if _previous is not None:
        sys.excepthook, threading.excepthook = _previous
    if _reporter is not None and _reporter.dialog is not None:
        _reporter.dialog.close()
    _reporter, _previous = None, None


_QT_LEVELS = {QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}


def _qt_message(kind: QtMsgType, _context: Any, message: str) -> None:
    level = _QT_LEVELS.get(kind)
    if level is not None:
        logging.getLogger("qt").log(level, "%s", message)


def enable_crash_dump() -> Path | None:
    """A hard crash (a fault inside Qt) leaves no Python traceback: faulthandler writes the
    threads' stacks to crash.log beside the log instead."""
    global _crash_file
    try:
        folder = logs.log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "crash.log"
        _crash_file = open(path, "a", encoding="utf-8")  # noqa: SIM115 - lives as long as the app
        faulthandler.enable(file=_crash_file)
        return path
    except (OSError, ValueError, RuntimeError):
        log.warning("无法启用崩溃记录", exc_info=True)
        return None


def run_guarded(main: Callable[[], int]) -> int:
    """Run the GUI's start-up and event loop; an exception escaping it (no event loop left to
    show a dialog later) is logged and shown in the dialog before the process exits."""
    try:
        return main()
    except Exception:
        exc_type, exc, tb = sys.exc_info()
        assert exc_type is not None and exc is not None
        rep = _reporter
        if rep is None or QCoreApplication.instance() is None:
            logs.log_uncaught(exc_type, exc, tb)
            raise
        rep.report(exc_type, exc, tb)
        QCoreApplication.processEvents()  # delivers the queued signal: the dialog opens
        if rep.dialog is not None:
            rep.dialog.exec()
        return 1
