"""The log file every PollDay process writes, and plain words for the errors the environment makes.

One rotating file per user, `<data folder>/logs/pollday.log` (1 MB × 5, UTF-8), shared by the GUI
and every command: warnings and errors only, each line naming the process (`gui`, `cli serve`, ...)
and its pid. The file and its folder are created when the first record arrives, so a process that
has nothing to say leaves nothing behind. Several processes may append at once (a host and the
`pollday` commands on the same laptop); a rollover that another process's open handle prevents
(Windows) is skipped for a minute and the record is still written.

The frozen app started without a console has nowhere to print: `route_stderr_to_log` sends what
would have gone to stderr (a traceback, a library's warning) into the same log.

`describe_error` turns an uncaught environment error (a locked database, a full disk, a stick
pulled out, a write-protected stick) into a sentence naming the file, for the error dialog and the
command line. Expected failures are caught where they happen and keep their own words; this is for
the ones that escaped.
"""

from __future__ import annotations

import errno
import io
import logging
import logging.handlers
import os
import sqlite3
import sys
import threading
import time
import traceback
from pathlib import Path
from types import TracebackType

from app.fileio import shown_path

LOG_NAME = "pollday.log"
MAX_BYTES = 1_000_000
BACKUPS = 5
ROLLOVER_RETRY_S = 60.0
FORMAT = "%(asctime)s [%(role)s %(process)d] %(levelname)s %(name)s: %(message)s"

_lock = threading.Lock()
_handler: _SharedRotatingFileHandler | None = None
_database: Path | None = None


def log_dir() -> Path:
    from app.home import data_home  # lazily: the runtime hook imports this module very early

    return data_home() / "logs"


def log_path() -> Path:
    return log_dir() / LOG_NAME


class _RoleFilter(logging.Filter):
    def __init__(self, role: str) -> None:
        super().__init__()
        self.role = role

    def filter(self, record: logging.LogRecord) -> bool:
        record.role = self.role
        return True


class _SharedRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """RotatingFileHandler that creates its folder on first use and survives a rollover another
    process prevents (Windows cannot rename a file someone else holds open)."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
                         delay=True)
        self._rollover_blocked_until = 0.0

    def _open(self) -> io.TextIOWrapper:
        Path(self.baseFilename).parent.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 (logging API)
        if time.monotonic() < self._rollover_blocked_until:
            return False
        # The standard handler compares characters with the file's bytes: a Chinese line is
        # three times longer on disk than it counts, and the file outgrew MAX_BYTES.
        if self.stream is None:
            self.stream = self._open()
        self.stream.seek(0, 2)
        line = f"{self.format(record)}\n".encode("utf-8", "replace")
        return bool(self.stream.tell() + len(line) >= self.maxBytes)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging API)
        # The log's own disk is full or read-only: the clerk already has the words on screen;
        # logging's default would print a traceback over them.
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handleError(record)

    def doRollover(self) -> None:  # noqa: N802 (logging API)
        try:
            super().doRollover()
        except OSError:
            # Another process holds the file (Windows): keep appending, try again later.
            self._rollover_blocked_until = time.monotonic() + ROLLOVER_RETRY_S
            if self.stream is None:
                self.stream = self._open()


class _ConsoleHandler(logging.StreamHandler):  # type: ignore[type-arg]  # stream type varies
    """Warnings on whatever sys.stderr is at the time (as Python prints them with no logging
    set up), unless stderr itself goes to the log."""

    def emit(self, record: logging.LogRecord) -> None:
        stream = sys.stderr
        if stream is None or isinstance(stream, StderrToLog):
            return
        self.setStream(stream)
        super().emit(record)


def setup(role: str, *, console: bool = True) -> Path:
    """Send warnings and errors of this process to the log file (and, with `console`, to stderr
    as before). Idempotent: a second call changes nothing. Returns the log file's path."""
    global _handler
    with _lock:
        if _handler is not None:
            return Path(_handler.baseFilename)
        handler = _SharedRotatingFileHandler(log_path())
        handler.setLevel(logging.WARNING)
        handler.addFilter(_RoleFilter(role))
        handler.setFormatter(logging.Formatter(FORMAT))
        root = logging.getLogger()
        root.addHandler(handler)
        if console:
            echo = _ConsoleHandler()
            echo.setLevel(logging.WARNING)
            echo.setFormatter(logging.Formatter("%(message)s"))
            root.addHandler(echo)
        if root.level == logging.NOTSET or root.level > logging.WARNING:
            root.setLevel(logging.WARNING)
        _handler = handler
        return Path(handler.baseFilename)


def shutdown() -> None:
    """Undo `setup` (tests): remove the handlers this module added and close the file."""
    global _handler
    with _lock:
        root = logging.getLogger()
        for h in list(root.handlers):
            if isinstance(h, (_SharedRotatingFileHandler, _ConsoleHandler)):
                root.removeHandler(h)
                h.close()
        _handler = None


def active_log() -> Path | None:
    """The log file this process writes, or None before `setup`."""
    return Path(_handler.baseFilename) if _handler is not None else None


def check_writable() -> tuple[Path, str | None]:
    """(log path, None) when the log can be written, else (path, why not) in words."""
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a", encoding="utf-8"):
            pass
    except OSError as exc:
        return path, describe_error(exc)
    return path, None


class StderrToLog(io.TextIOBase):
    """A stand-in for sys.stderr that writes each line to the log (logger `stderr`). Text written
    while a record is being logged (logging's own error report) is dropped, never looped."""

    def __init__(self) -> None:
        super().__init__()
        self._buffer = ""
        self._busy = threading.local()
        self._logger = logging.getLogger("stderr")

    @property
    def encoding(self) -> str:  # type: ignore[override]  # TextIOBase declares it read-only
        return "utf-8"

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if getattr(self._busy, "on", False):
            return len(text)
        self._buffer += text
        if "\n" in self._buffer:
            lines, self._buffer = self._buffer.rsplit("\n", 1)
            self._emit(lines)
        return len(text)

    def flush(self) -> None:
        if self._buffer and not getattr(self._busy, "on", False):
            text, self._buffer = self._buffer, ""
            self._emit(text)

    def _emit(self, text: str) -> None:
        if not text.strip():
            return
        self._busy.on = True
        try:
            self._logger.warning("%s", text)
        except Exception:  # noqa: BLE001 - nowhere left to report it
            pass
        finally:
            self._busy.on = False


def route_stderr_to_log(role: str = "gui") -> None:
    """For a process with no console (the frozen app started from Explorer): what would go to
    stderr goes to the log; stdout (nobody reads it) goes nowhere."""
    setup(role, console=False)
    sys.stderr = StderrToLog()
    sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process


# -- uncaught exceptions ---------------------------------------------------------------------

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def log_uncaught(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None,
                 where: str = "") -> None:
    """Write an uncaught exception, with its traceback, to the log."""
    place = f"（{where}）" if where else ""
    logging.getLogger("pollday.uncaught").error(
        "未处理的异常%s：%s", place, describe_error(exc), exc_info=(exc_type, exc, tb))


def to_file_only(message: str, exc: BaseException) -> None:
    """Write `message` with the traceback of `exc` to the log file alone (the clerk has been
    told in words; the traceback is for whoever reads the log)."""
    handler = _handler
    if handler is None:
        return
    record = logging.getLogger("pollday.environment").makeRecord(
        "pollday.environment", logging.WARNING, __file__, 0, "%s", (message,),
        (type(exc), exc, exc.__traceback__))
    handler.handle(record)


def format_exception(exc_type: type[BaseException], exc: BaseException,
                     tb: TracebackType | None) -> str:
    return "".join(traceback.format_exception(exc_type, exc, tb))


def install_cli_hooks() -> None:
    """Commands: an uncaught exception is logged, printed as before, and followed by one line
    in words saying what happened and where the log is."""
    previous = sys.excepthook

    def hook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            previous(exc_type, exc, tb)
            return
        try:   # the file gets it; the console gets it once, from the previous hook
            to_file_only(f"未处理的异常：{describe_error(exc)}", exc)
        finally:
            previous(exc_type, exc, tb)
            where = active_log()
            tail = f"详细记录见日志 {where}" if where else ""
            print(f"出错：{describe_error(exc)}{'；' if tail else ''}{tail}", file=sys.stderr)

    previous_thread = threading.excepthook

    def thread_hook(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
            name = args.thread.name if args.thread is not None else "?"
            log_uncaught(args.exc_type, args.exc_value, args.exc_traceback, f"线程 {name}")
        previous_thread(args)

    sys.excepthook = hook
    threading.excepthook = thread_hook


# -- plain words -----------------------------------------------------------------------------

def note_database(path: Path | None) -> None:
    """The database this process works on, named when an SQLite error escapes (SQLite's own
    exceptions do not say which file)."""
    global _database
    _database = path


def current_database() -> Path | None:
    return _database


# Windows error numbers an OSError carries in `winerror` (winerror.h).
_WIN_WRITE_PROTECT = 19
_WIN_NOT_READY = 21
_WIN_DISK_FULL = (39, 112)
_WIN_GONE = (55, 1167)  # ERROR_DEV_NOT_EXIST, ERROR_DEVICE_NOT_CONNECTED
_WIN_IN_USE = (32, 33)


def describe_error(exc: BaseException, database: Path | None = None) -> str:
    """One sentence for a clerk: what happened, naming the file. An exception of PollDay's own
    (StickWriteError, SchemaTooNew, ...) already speaks to the clerk and keeps its words; a
    library's or Python's is looked through, with its causes, for an environment error;
    anything else is called a program error."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        words = environment_words(current, database)
        if words:
            return words
        if _own_words(current):
            return str(current).strip()
        current = current.__cause__ or current.__context__
    message = str(exc).strip()
    detail = f"{type(exc).__name__}：{message}" if message else type(exc).__name__
    return f"PollDay 遇到一个程序错误（{detail}）。"


def environment_words(exc: BaseException, database: Path | None = None) -> str | None:
    """Words for `exc` itself when it is an environment error (locked database, full disk,
    missing file, stick gone, read-only, file in use), else None. Causes are not looked at, so
    a message PollDay wrote around one is never replaced."""
    return _describe_one(exc, database or _database)


def _own_words(exc: BaseException) -> bool:
    module = type(exc).__module__.split(".", 1)[0]
    return module in ("app", "db", "ui") and bool(str(exc).strip())


def _describe_one(exc: BaseException, database: Path | None) -> str | None:
    from app.fileio import FileInUse

    if isinstance(exc, FileInUse):
        return str(exc)
    if isinstance(exc, sqlite3.Error):
        return _describe_sqlite(exc, database)
    if isinstance(exc, OSError):
        return _describe_os(exc)
    return None


def _describe_sqlite(exc: sqlite3.Error, database: Path | None) -> str | None:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc).lower()
    where = f"数据库 {database} " if database else "数据库"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "is locked" in text:
        return (f"{where}正被另一个程序使用（例如另一个 PollDay 窗口或命令），"
                "刚才的操作没有写入。请关闭另一个程序后重试。")
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return f"磁盘已满，{where}无法写入。请腾出空间后重试。"
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return f"{where}是只读的（所在的U盘或文件夹不允许写入），无法写入。"
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk i/o error" in text \
            or "unable to open" in text:
        return f"读写{where}时出错：存放它的磁盘或U盘可能已被拔出或出了故障。"
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text:
        return f"{where}已损坏或不是 PollDay 数据库，请改用最近的备份。"
    return None


def _describe_os(exc: OSError) -> str | None:
    # A temporary name is said as the file it stands for (shown_path).
    target = exc.filename if exc.filename is not None else None
    file = f"文件 {shown_path(target)} " if target is not None else "文件"
    if exc.filename2 is not None and shown_path(exc.filename) != shown_path(exc.filename2):
        file = f"文件 {shown_path(exc.filename)} → {shown_path(exc.filename2)} "
    winerror = getattr(exc, "winerror", None)
    code = exc.errno
    if code == errno.ENOSPC or winerror in _WIN_DISK_FULL:
        return f"磁盘（或U盘）已满，{file}没有写完。请腾出空间或换一个U盘后重试。"
    if code == errno.EROFS or winerror == _WIN_WRITE_PROTECT:
        return f"{file}所在的磁盘或U盘是只读的（U盘的写保护开关可能打开了），无法写入。"
    if winerror in (_WIN_NOT_READY, *_WIN_GONE) or code in (errno.ENODEV, errno.ENXIO):
        return f"{file}所在的U盘或磁盘已不在（可能已被拔出）。请插好后重试。"
    if code == errno.ENOENT:
        return f"找不到{file.rstrip()}：U盘可能已被拔出，或文件、文件夹已被移动或删除。"
    if code == errno.EIO:
        return f"读写{file}时出错：U盘或磁盘可能已被拔出或出了故障。"
    if winerror in _WIN_IN_USE:
        return f"{file}正被其他程序打开（例如 PDF 阅读器或杀毒软件），请关闭后重试。"
    if code in (errno.EACCES, errno.EPERM):
        return f"没有权限读写{file.rstrip()}（文件可能正被其他程序打开，或所在文件夹不允许写入）。"
    return None
