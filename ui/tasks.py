"""Run long work off the GUI thread with progress and cancel.

The work is a plain function `fn(progress, cancel) -> result` from app/ (import, demo build,
PDF batches): `progress(done, total, message="")` reports, `cancel` is a CancelToken the work
polls (`cancel()` or `cancel.is_set()`) and answers by raising `Cancelled` or returning early.
The function runs in a QThread; results, errors and progress reach the GUI thread as queued
signals, progress at most every ~40 ms so a fast loop cannot flood the event queue.
A function that needs the database opens its own connection (SQLite connections stay in the
thread that uses them).
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, QThread, Signal

from app import logs

log = logging.getLogger(__name__)


class Cancelled(Exception):
    """Raised by work that noticed the cancel request."""


class CancelToken(threading.Event):
    """A threading.Event that can also be called: `if cancel(): ...`."""

    def __call__(self) -> bool:
        return self.is_set()

    def raise_if_set(self) -> None:
        if self.is_set():
            raise Cancelled()


ProgressFn = Callable[..., None]
WorkFn = Callable[[ProgressFn, CancelToken], Any]

PROGRESS_INTERVAL_S = 0.04


@dataclass(frozen=True)
class Outcome:
    status: str  # "ok" | "failed" | "cancelled"
    result: Any = None
    error: str = ""
    detail: str = ""  # traceback, for the log / a details box

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class _Thread(QThread):
    def __init__(self, task: Task) -> None:
        super().__init__()
        self._task = task

    def run(self) -> None:
        self._task._run_in_thread()


class Task(QObject):
    """One run of `fn` in its own thread. Connect the signals, then `start()`.

    A started task keeps itself alive until its thread ends (a QThread destroyed while running
    aborts the process); `cancel_all()` asks every running task to stop, for shutdown.
    """

    _running: set[Task] = set()

    progress = Signal(int, int, str)  # done, total (0 = unknown), message
    succeeded = Signal(object)
    failed = Signal(str, str)  # message, traceback
    cancelled = Signal()
    finished = Signal(object)  # Outcome; always emitted last, exactly once

    def __init__(self, fn: WorkFn, parent: QObject | None = None) -> None:
        # `parent` is the task's owner, never its Qt parent: a page deleted while the thread ran
        # deleted the task with it ("Signal source has been deleted" from the worker thread, the
        # page's answer lost; a QThread destroyed while running aborts the process). When the
        # owner goes, the task is cancelled and answers nobody; it lives until its thread ends.
        super().__init__()
        self._fn = fn
        self.cancel_token = CancelToken()
        self.outcome: Outcome | None = None
        self._thread = _Thread(self)
        self._last_progress = 0.0
        if parent is not None:
            parent.destroyed.connect(self._orphaned)

    def _orphaned(self, *_: object) -> None:
        self.cancel()
        with warnings.catch_warnings():   # a signal nobody was connected to says so
            warnings.simplefilter("ignore", RuntimeWarning)
            for signal in (self.progress, self.succeeded, self.failed, self.cancelled,
                           self.finished):
                try:
                    signal.disconnect()
                except (RuntimeError, TypeError):
                    pass

    def start(self) -> None:
        Task._running.add(self)
        self._thread.finished.connect(self._release)
        self._thread.start()

    def _release(self) -> None:
        Task._running.discard(self)

    @classmethod
    def cancel_all(cls, timeout_ms: int = 5000) -> None:
        for task in list(cls._running):
            task.cancel()
        for task in list(cls._running):
            task.wait(timeout_ms)

    def cancel(self) -> None:
        self.cancel_token.set()

    def is_running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, timeout_ms: int = -1) -> bool:
        """Block until the thread ends (tests and shutdown only; never in a slot)."""
        return self._thread.wait(timeout_ms) if timeout_ms >= 0 else self._thread.wait()

    def run_blocking(self) -> Outcome:
        """Start and spin a local event loop until done: the window keeps repainting."""
        loop = QEventLoop()
        self.finished.connect(loop.quit)
        self.start()
        if self.outcome is None:
            loop.exec()
        self._thread.wait()  # the outcome is set just before run() returns
        assert self.outcome is not None
        return self.outcome

    def _report(self, done: int, total: int = 0, message: str = "") -> None:
        now = time.monotonic()
        if done < total and now - self._last_progress < PROGRESS_INTERVAL_S:
            return
        self._last_progress = now
        self.progress.emit(int(done), int(total), str(message))

    def _run_in_thread(self) -> None:
        try:
            result = self._fn(self._report, self.cancel_token)
        except Cancelled:
            outcome = Outcome("cancelled")
        except Exception as exc:  # the GUI shows it; the thread must not die silently
            # a full disk or a pulled stick in words naming the file, not "[Errno 28] ..."
            words = logs.environment_words(exc) or str(exc) or type(exc).__name__
            outcome = Outcome("failed", error=words, detail=traceback.format_exc())
            log.warning("后台任务失败：%s", words, exc_info=True)
        else:
            outcome = Outcome("ok", result=result)
        self.outcome = outcome
        if outcome.status == "ok":
            self.succeeded.emit(outcome.result)
        elif outcome.status == "failed":
            self.failed.emit(outcome.error, outcome.detail)
        else:
            self.cancelled.emit()
        self.finished.emit(outcome)
