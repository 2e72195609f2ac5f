"""Database operations off the GUI thread: one serial worker per database file.

    run_op(self, ctx.db_path, lambda conn: voting.unlock_round(conn, ...),
           on_success=self._unlocked)

`fn(conn)` runs in the database's worker thread, on that thread's own connection (opened at its
first operation, kept for the next ones: a SQLite connection stays in the thread that uses it).
Operations on one database run one after another in the order they were asked for, so a write
and the read that follows it never cross; the GUI thread never waits for them. The answer comes
back on the GUI thread: `on_success(result)`, or `on_failure(OpFailure)` when `fn` raised —
without `on_failure`, a dialog names what went wrong (a full disk, a pulled stick, a file in use:
in words) with the details for support, and the log gets the traceback. Expected outcomes are
returned values (a Refusal), not exceptions, and go to `on_success`. While an operation has
been running for more than BUSY_AFTER_MS the mouse pointer shows it is busy.

The pattern of Anki's CollectionOp; long work with a progress bar and 取消 is ui.tasks.
A callback whose `parent` was deleted meanwhile (its page closed) is not called.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import logs

log = logging.getLogger(__name__)

BUSY_AFTER_MS = 150
STOP_TIMEOUT_S = 10.0
FAILED_TITLE = "操作未能完成"


@dataclass(frozen=True)
class OpFailure:
    words: str        # for a person: what went wrong, naming the file
    detail: str       # the traceback, for 详细信息 and the log
    error: BaseException


@dataclass(eq=False)
class Op:
    """One operation: asked on the GUI thread, run by the database's worker."""

    fn: Callable[[sqlite3.Connection], Any]
    parent: QObject | None
    on_success: Callable[[Any], None] | None
    on_failure: Callable[[OpFailure], None] | None
    title: str
    database: str = ""  # the resolved path: the worker it runs on
    busy: bool = True  # shows the busy pointer when slow (not for a page's own polls)
    done: bool = False
    result: Any = None
    failure: OpFailure | None = None
    error_box: QMessageBox | None = field(default=None, repr=False)


class _Relay(QObject):
    """Lives on the GUI thread: the worker's finished operations arrive here queued."""

    finished = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _deliver(self, op: Op) -> None:
        _finish(op)


class _Worker:
    """The thread of one database: runs its operations in order on its own connection."""

    def __init__(self, db_path: Path, relay: _Relay) -> None:
        self.db_path = db_path
        self.relay = relay
        self.jobs: queue.Queue[Op | None] = queue.Queue()
        self.conn: sqlite3.Connection | None = None
        self.thread = threading.Thread(target=self._loop, name=f"db-ops:{db_path.name}",
                                       daemon=True)
        self.thread.start()

    def _connection(self) -> sqlite3.Connection:
        if self.conn is None:
            from db.connection import connect

            self.conn = connect(self.db_path, create=False)
        return self.conn

    def _loop(self) -> None:
        while True:
            op = self.jobs.get()
            if op is None:
                break
            self._run(op)
            self.relay.finished.emit(op)
        self._close()

    def _run(self, op: Op) -> None:
        try:
            op.result = op.fn(self._connection())
        except Exception as exc:  # answered on the GUI thread; the worker carries on
            words = logs.environment_words(exc) or str(exc) or type(exc).__name__
            op.failure = OpFailure(words, traceback.format_exc(), exc)
            log.warning("%s：%s", op.title, words, exc_info=True)
            if self.conn is not None and self.conn.in_transaction:
                self.conn.rollback()
        finally:
            op.done = True

    def _close(self) -> None:
        if self.conn is None:
            return
        from app import attendance

        attendance.forget(self.conn)
        self.conn.close()
        self.conn = None


_workers: dict[str, _Worker] = {}
_released: set[str] = set()  # windows closed on these: no new operation opens them again
_pending: list[Op] = []
_relay: _Relay | None = None
_busy_cursor = False


def _key(db_path: Path | str) -> str:
    return str(Path(db_path).resolve())


def run_op(parent: QObject | None, db_path: Path | str,
           fn: Callable[[sqlite3.Connection], Any],
           on_success: Callable[[Any], None] | None = None,
           on_failure: Callable[[OpFailure], None] | None = None, *,
           title: str = FAILED_TITLE, busy: bool = True) -> Op:
    """Queue `fn(conn)` on the worker of `db_path`; the callbacks run on the GUI thread.
    `busy=False` for a page's timed refresh: the pointer does not flicker every poll."""
    global _relay
    if _relay is None:
        _relay = _Relay()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(stop_all)
    key = _key(db_path)
    op = Op(fn, parent, on_success, on_failure, title, key, busy)
    if key in _released:  # a page's late refresh after its window let go of the file
        log.info("operation on %s after it was released: not run", key)
        op.done = True
        return op
    worker = _workers.get(key)
    if worker is None or not worker.thread.is_alive():
        worker = _workers[key] = _Worker(Path(key), _relay)
    _pending.append(op)
    if busy:
        QTimer.singleShot(BUSY_AFTER_MS, _update_cursor)
    worker.jobs.put(op)
    return op


def idle(db_path: Path | str | None = None) -> bool:
    """No operation waiting or running (on `db_path`, or on any database)."""
    return not _pending if db_path is None else not any(
        op.database == _key(db_path) for op in _pending)


def attach(db_path: Path | str) -> None:
    """A window (its pages' context) opens `db_path`: operations on it run again."""
    _released.discard(_key(db_path))


def release(db_path: Path | str) -> None:
    """The database's worker finishes what it was asked, then closes its connection and ends
    (its window closed: the file must not stay open); later operations are not run until the
    file is attached again."""
    key = _key(db_path)
    _released.add(key)
    worker = _workers.pop(key, None)
    if worker is not None:
        worker.jobs.put(None)
        worker.thread.join(STOP_TIMEOUT_S)


def stop_all() -> None:
    """Let every worker finish what it was asked, then close its connection (at quit)."""
    for worker in list(_workers.values()):
        worker.jobs.put(None)
    for key, worker in list(_workers.items()):
        worker.thread.join(STOP_TIMEOUT_S)
        _workers.pop(key, None)


def _finish(op: Op) -> None:
    if op in _pending:
        _pending.remove(op)
    _update_cursor()
    if op.parent is not None and not shiboken6.isValid(op.parent):
        return  # the page that asked is gone
    if op.database in _released:
        # Its window let go of the file (its pages' connection is closed or closing): an answer
        # that came back after that has nobody to tell; the work itself was done and committed.
        return
    if op.failure is None:
        if op.on_success is not None:
            op.on_success(op.result)
    elif op.on_failure is not None:
        op.on_failure(op.failure)
    else:
        op.error_box = error_dialog(op.parent, op.title, op.failure)


def error_dialog(parent: QObject | None, title: str, failure: OpFailure) -> QMessageBox:
    """The default answer to a failed operation: what went wrong in words, the details for
    support, opened without a nested event loop."""
    widget = parent if isinstance(parent, QWidget) else None
    box = QMessageBox(QMessageBox.Icon.Critical, title,
                      f"{failure.words}\n\n这一项没有完成，请查看后再做一次。已经显示完成的操作不受影响。",
                      QMessageBox.StandardButton.Ok, widget)
    box.setDetailedText(failure.detail)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def _update_cursor() -> None:
    """A busy pointer while an operation has run longer than BUSY_AFTER_MS."""
    global _busy_cursor
    if QGuiApplication.instance() is None:
        return
    busy = any(op.busy for op in _pending)
    if busy and not _busy_cursor:
        _busy_cursor = True
        QGuiApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
    elif not busy and _busy_cursor:
        _busy_cursor = False
        QGuiApplication.restoreOverrideCursor()
