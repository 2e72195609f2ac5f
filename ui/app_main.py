"""`pollday` with no command: the GUI.

`pollday --db PATH` opens that election database; with no database the one used last (when its
file is still there), else the demo venue: a demo database in the per-user data folder, built on
first use (off the GUI thread, with a progress dialog). `pollday --demo` opens the demo.
"""

from __future__ import annotations

import argparse
import logging
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QStandardPaths, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import logs, session
from db import files as dbfiles
from db.connection import SchemaTooNew, connect
from db.identity import DatabaseFileChanged
from ui import errors, fonts, preload
from ui.main_window import DEFAULT_SIZE, MainWindow
from ui.tasks import Task
from ui.widgets.progress import run_with_progress

APP_NAME = "PollDay"
DISPLAY_NAME = "PollDay 选举日现场管理"

log = logging.getLogger(__name__)


def parse_args(args: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="pollday", description="PollDay 选举日现场管理（图形界面）")
    parser.add_argument("--db", metavar="PATH",
                        help="选举数据库文件；不给出时打开上次使用的数据库（没有时打开演示数据库）")
    parser.add_argument("--demo", action="store_true", help="打开演示数据库（虚构数据）")
    # For the start-up benchmark and the bundle's smoke test: print a line and quit as soon as
    # the main window has been shown.
    parser.add_argument("--quit-after-show", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(list(args))


GUI_SWITCH_INTERVAL_S = 0.001


def make_app(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication with PollDay's name, Chinese locale, Qt's Chinese strings and fonts."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(
        list(argv) if argv is not None else sys.argv[:1])
    if app.property("pollday_ready"):
        return app
    app.setProperty("pollday_ready", True)
    # The GUI thread takes the interpreter back from a busy worker (a view rebuilt, the pages'
    # imports) within 1 ms instead of Python's 5: a sign-in's dozen SQLite calls each release it.
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(DISPLAY_NAME)  # Qt appends it to window titles
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    # Qt's own dialogs (file dialog, 确定/取消 buttons) in Chinese.
    if translator.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)
    fonts.install(app)
    return app


def demo_db_path() -> Path:
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder) / "demo.db"


def build_demo(path: Path) -> Path:
    """Build the demo database at `path`, under a temporary name first so a failed build never
    leaves a half-made demo behind."""
    from app import demo

    partial = path.with_name(path.name + ".part")
    for p in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        p.unlink(missing_ok=True)
    conn = connect(partial)
    try:
        demo.build_demo(conn)
        dbfiles.checkpoint(conn)
    finally:
        conn.close()
    partial.replace(path)
    return path


def mark_old_demo(conn: sqlite3.Connection) -> None:
    """The demo file of this laptop is the demo, whichever version built it: one built before
    the builder wrote its marker gets it now, so its window shows the 演示数据，虚构 band.
    Done on the window's own connection (no second open of the file at start-up)."""
    from app import session
    from db.tx import transaction

    try:
        if not session.is_demo(conn):
            with transaction(conn):
                session.mark_demo(conn)
    except (OSError, sqlite3.Error):
        pass            # read-only: the window opens without the band


def update_search_keys(conn: sqlite3.Connection) -> None:
    """A register stored by an older version gets today's search keys (the parts of a dotted
    name), once; a read-only file keeps searching with the keys it has."""
    from app import search

    try:
        search.update_keys(conn)
    except (OSError, sqlite3.Error, DatabaseFileChanged):
        log.warning("search keys not updated (read-only database?)", exc_info=True)


def ensure_demo(parent: QWidget | None, path: Path) -> bool:
    """Make sure the demo database exists; False (after an error dialog) when it cannot be made.
    The build is one transaction and cannot be interrupted, so the dialog has no 取消."""
    if path.exists():
        return True
    outcome = run_with_progress(parent, "准备演示数据", "正在生成演示社区（翠湖社区）的名册和会议，约需数秒…",
                                lambda _progress, _cancel: build_demo(path), cancellable=False)
    if not outcome.ok:
        show_error(parent, "无法生成演示数据库", outcome.error, outcome.detail)
    return outcome.ok


def open_database(path: Path) -> sqlite3.Connection:
    """Open (and migrate) an existing election database. Raises with a clerk-readable message."""
    if not path.exists():
        raise FileNotFoundError(f"数据库文件不存在：{path}")
    try:
        return connect(path, create=False)
    except SchemaTooNew:
        raise
    except sqlite3.DatabaseError as exc:
        raise OpenError(f"{path} 不是可用的 PollDay 数据库（{exc}）") from exc


class OpenError(Exception):
    pass


def open_main_window(path: Path, parent: QWidget | None = None, *,
                     demo: bool = False) -> MainWindow | None:
    """The main window on `path`, or None after an error dialog. `demo`: the file is this
    laptop's demo database (marked as such when an older version built it)."""
    try:
        conn = open_database(path)
    except (SchemaTooNew, FileNotFoundError, OpenError, PermissionError) as exc:
        show_error(parent, "无法打开数据库", str(exc))
        return None
    if demo:
        mark_old_demo(conn)
    update_search_keys(conn)
    logs.note_database(path)  # an SQLite error that escapes is then worded with this file's name
    window = MainWindow(conn, path)
    preload.start(window)  # the pages' modules, while nobody clicks
    return window


def show_error(parent: QWidget | None, title: str, message: str, detail: str = "") -> None:
    log.warning("%s：%s%s", title, message, f"\n{detail}" if detail else "")
    box = QMessageBox(QMessageBox.Icon.Critical, title, message, QMessageBox.StandardButton.Ok,
                      parent)
    if detail:
        box.setDetailedText(detail)
    box.exec()


def start_gui(args: Sequence[str]) -> MainWindow | None:
    """Everything `pollday` does before the event loop: the window shown, or None after an
    error dialog (or when the clerk gave up on the demo build)."""
    ns = parse_args(args)
    make_app()
    last = None if ns.db or ns.demo else session.last_database()
    if ns.db or last is not None:
        path = Path(ns.db).expanduser().resolve() if ns.db else last
    else:
        path = demo_db_path()
        if not ensure_demo(None, path):
            return None
    window = open_main_window(path, demo=path == demo_db_path())
    if window is None:
        return None
    show_sized(window)
    return window


def show_sized(window: MainWindow) -> None:
    """1280×800, or maximised on a screen smaller than that (venue laptops are often 1366×768)."""
    screen = window.screen().availableGeometry()
    width, height = DEFAULT_SIZE
    if screen.width() < width or screen.height() < height:
        window.showMaximized()
    else:
        window.resize(width, height)
        window.show()


def run_gui(args: Sequence[str]) -> int:
    """The GUI as users run it: warnings and uncaught exceptions go to the log file, and an
    uncaught exception opens the error dialog (ui/errors.py) instead of vanishing."""
    logs.setup("gui")
    make_app()
    errors.install()
    errors.enable_crash_dump()
    return errors.run_guarded(lambda: _run_gui(args))


def _run_gui(args: Sequence[str]) -> int:
    window = start_gui(args)
    if window is None:
        return 1
    app = QApplication.instance()
    assert app is not None
    app.aboutToQuit.connect(Task.cancel_all)  # never leave a worker thread behind at exit
    if parse_args(args).quit_after_show:
        def shown() -> None:
            print(f"window-shown {window.windowTitle()}", flush=True)
            app.quit()

        QTimer.singleShot(0, shown)  # runs once the loop has painted the shown window
    return app.exec()
