"""The log file (app/logs.py) and the words for environment errors that escaped."""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from pdtest import ROOT

from app import logs
from app.fileio import FileInUse


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    logs.shutdown()
    yield tmp_path / "home"
    logs.shutdown()


def run_py(script: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, POLLDAY_HOME=str(home), PYTHONUTF8="1")
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, encoding="utf-8", env=env, timeout=60, cwd=ROOT)


# -- plain words -----------------------------------------------------------------------------

def test_a_locked_database_is_named(tmp_path):
    path = tmp_path / "翠湖.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    with pytest.raises(sqlite3.OperationalError) as caught:
        other.execute("INSERT INTO t VALUES (1)")
    holder.rollback()
    words = logs.describe_error(caught.value, database=path)
    assert words.startswith(f"数据库 {path} 正被另一个程序使用"), words
    logs.note_database(path)  # the GUI notes the open database; the hook has no argument
    try:
        assert logs.describe_error(caught.value).startswith(f"数据库 {path} 正被另一个程序使用")
    finally:
        logs.note_database(None)


@pytest.mark.parametrize(("message", "words"), [
    ("disk I/O error", "读写数据库 {db} 时出错：存放它的磁盘或U盘可能已被拔出或出了故障。"),
    ("database or disk is full", "磁盘已满，数据库 {db} 无法写入。请腾出空间后重试。"),
    ("attempt to write a readonly database", "数据库 {db} 是只读的（所在的U盘或文件夹不允许写入），无法写入。"),
    ("database disk image is malformed", "数据库 {db} 已损坏或不是 PollDay 数据库，请改用最近的备份。"),
])
def test_sqlite_environment_errors_are_named(tmp_path, message, words):
    db = tmp_path / "election.db"
    assert logs.describe_error(sqlite3.OperationalError(message), database=db) == words.format(db=db)


def test_a_missing_file_or_pulled_stick_is_named(tmp_path):
    gone = tmp_path / "U盘" / "报送包.pollday"
    with pytest.raises(OSError) as caught:
        gone.read_bytes()
    assert logs.describe_error(caught.value) == (
        f"找不到文件 {gone}：U盘可能已被拔出，或文件、文件夹已被移动或删除。")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_full_disk_is_said_in_words():
    with pytest.raises(OSError) as caught, open("/dev/full", "wb", buffering=0) as f:
        f.write(b"x")
    assert caught.value.errno == errno.ENOSPC
    assert logs.describe_error(caught.value).startswith("磁盘（或U盘）已满")


def test_read_only_stick_and_windows_codes():
    ro = OSError(errno.EROFS, "Read-only file system", "/media/u/备份.db")
    assert logs.describe_error(ro).startswith("文件 /media/u/备份.db 所在的磁盘或U盘是只读的")

    class WinError(OSError):  # what Windows sets: winerror beside a generic errno
        def __init__(self, winerror: int, filename: str) -> None:
            super().__init__(errno.EINVAL, "windows", filename)
            self.winerror = winerror

    assert "已不在（可能已被拔出）" in logs.describe_error(WinError(21, r"E:\包.pollday"))
    assert "已不在（可能已被拔出）" in logs.describe_error(WinError(1167, r"E:\包.pollday"))
    assert "只读" in logs.describe_error(WinError(19, r"E:\包.pollday"))
    assert logs.describe_error(WinError(112, r"E:\包.pollday")).startswith("磁盘（或U盘）已满")


def _raised_from(cause: OSError, exc: Exception) -> Exception:
    """exc as raised while handling cause (`raise exc from cause`), caught."""
    try:
        try:
            raise cause
        except OSError as c:
            raise exc from c
    except Exception as got:
        return got
    raise AssertionError("not raised")


def test_words_are_found_through_the_cause_and_file_in_use_keeps_its_own(tmp_path):
    wrapped = _raised_from(OSError(errno.ENOSPC, "No space left on device", "/media/u/x.pdf"),
                           RuntimeError("export failed"))
    assert logs.describe_error(wrapped).startswith("磁盘（或U盘）已满，文件 /media/u/x.pdf 没有写完")
    # PollDay's own message around an OSError is kept, not replaced by the cause's words
    from app.export.stick import StickWriteError

    own = _raised_from(OSError(errno.ENOSPC, "No space left on device", "/media/u/x.pollday"),
                       StickWriteError("U 盘空间不足：报送包需要 3.2 MB，U 盘只剩 1.0 MB"))
    assert isinstance(own, StickWriteError)
    assert logs.describe_error(own) == "U 盘空间不足：报送包需要 3.2 MB，U 盘只剩 1.0 MB"
    assert logs.environment_words(own) is None
    held = FileInUse(tmp_path / "公告.pdf", PermissionError(errno.EACCES, "denied"))
    assert logs.describe_error(held) == str(held)
    assert logs.describe_error(ValueError("bad package path")) == (
        "PollDay 遇到一个程序错误（ValueError：bad package path）。")


# -- the log file ----------------------------------------------------------------------------

def test_nothing_is_created_until_a_warning_comes_and_info_is_not_kept(home):
    path = logs.setup("cli test", console=False)
    assert path == home / "logs" / "pollday.log"
    assert logs.active_log() == path
    logging.getLogger("pollday.test").info("not kept")
    assert not (home / "logs").exists()
    logging.getLogger("pollday.test").warning("签到台 一号台 离线")
    logs.shutdown()
    line = path.read_text(encoding="utf-8").strip()
    assert line.endswith("WARNING pollday.test: 签到台 一号台 离线")
    assert f"[cli test {os.getpid()}]" in line


def test_the_log_rotates_at_one_megabyte_keeping_five(home):
    path = logs.setup("cli test", console=False)
    record = "名" * 300
    for _ in range(8000):  # ~7 MB of UTF-8
        logging.getLogger("pollday.test").warning(record)
    logs.shutdown()
    files = sorted(p.name for p in path.parent.iterdir())
    assert files == ["pollday.log", *(f"pollday.log.{i}" for i in range(1, 6))]
    assert all(p.stat().st_size <= logs.MAX_BYTES for p in path.parent.iterdir())


def test_a_rollover_another_process_prevents_is_skipped_not_fatal(home, monkeypatch):
    """Windows cannot rename a log another PollDay process holds open: keep appending."""
    path = logs.setup("cli test", console=False)
    handler = next(h for h in logging.getLogger().handlers
                   if isinstance(h, logs._SharedRotatingFileHandler))
    refused = []

    def rename_refused(source: str, dest: str) -> None:
        refused.append(dest)
        raise PermissionError(errno.EACCES, "The process cannot access the file", source)

    handler.rotator = rename_refused
    monkeypatch.setattr(logging, "raiseExceptions", True)
    for i in range(4000):
        logging.getLogger("pollday.test").warning("%05d %s", i, "x" * 300)
    logs.shutdown()
    assert len(refused) == 1  # tried once, then left alone for a minute
    text = path.read_text(encoding="utf-8")
    assert "03999 " in text and path.stat().st_size > logs.MAX_BYTES


def test_an_unwritable_log_folder_is_reported(home):
    home.mkdir(parents=True)
    (home / "logs").write_text("a file where the folder should be")
    path, problem = logs.check_writable()
    assert path == home / "logs" / "pollday.log"
    assert problem  # in words


def test_the_log_is_writable_in_a_fresh_home(home):
    path, problem = logs.check_writable()
    assert problem is None and path.exists()


# -- processes -------------------------------------------------------------------------------

def test_a_command_that_crashes_logs_and_says_so(tmp_path):
    home = tmp_path / "home"
    r = run_py("""
        import errno, sys
        import app.cli.cmd_sort_names as cmd
        from ui import launcher

        def run(args):
            raise OSError(errno.EROFS, "Read-only file system", "/media/u/报送包.pollday")
        cmd.run = run
        sys.exit(launcher.main(["sort-names"]))
    """, home)
    assert r.returncode == 1
    # The environment's failure is said in words only; the traceback goes to the log.
    assert "Traceback (most recent call last)" not in r.stderr
    log = home / "logs" / "pollday.log"
    assert r.stderr.strip() == (
        f"出错：文件 /media/u/报送包.pollday 所在的磁盘或U盘是只读的（U盘的写保护开关可能打开了），"
        f"无法写入。；详细记录见日志 {log}")
    text = log.read_text(encoding="utf-8")
    assert "[cli sort-names " in text and "WARNING pollday.environment" in text
    assert "Traceback (most recent call last)" in text
    assert "OSError: [Errno 30] Read-only file system: '/media/u/报送包.pollday'" in text


def test_a_command_thread_that_crashes_is_logged_and_warnings_still_print(tmp_path):
    home = tmp_path / "home"
    r = run_py("""
        import logging, sys, threading
        import app.cli.cmd_sort_names as cmd
        from ui import launcher

        def run(args):
            logging.getLogger("app.sync").warning("发现主机失败：组播被拒绝")
            t = threading.Thread(target=lambda: 1 / 0, name="发现")
            t.start(); t.join()
            return 0
        cmd.run = run
        sys.exit(launcher.main(["sort-names"]))
    """, home)
    assert r.returncode == 0, r.stderr
    assert "发现主机失败：组播被拒绝" in r.stderr  # warnings print as they did before the log
    text = (home / "logs" / "pollday.log").read_text(encoding="utf-8")
    assert "WARNING app.sync: 发现主机失败：组播被拒绝" in text
    assert "（线程 发现）" in text and "ZeroDivisionError" in text


def test_without_a_console_stderr_goes_to_the_log(tmp_path):
    """What the frozen app does when started from Explorer (packaging/rthook_console.py)."""
    home = tmp_path / "home"
    r = run_py("""
        import sys
        from app import logs
        logs.route_stderr_to_log("gui")
        print("to nobody")
        print("Qt: a library's complaint", file=sys.stderr)
        raise RuntimeError("uncaught in a console-less app")
    """, home)
    assert r.returncode == 1
    assert r.stdout == "" and r.stderr == ""
    text = (home / "logs" / "pollday.log").read_text(encoding="utf-8")
    assert "WARNING stderr: Qt: a library's complaint" in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: uncaught in a console-less app" in text
    assert "to nobody" not in text


def test_the_runtime_hook_routes_a_missing_stderr_to_the_log(tmp_path):
    """packaging/rthook_console.py as the frozen app runs it, in a process with no stderr (a
    windowed start); on Windows the same routing follows FreeConsole, which only Windows can
    show."""
    home = tmp_path / "home"
    r = run_py("""
        import runpy, sys
        sys.stderr = None
        sys.argv = ["pollday", "sort-names"]
        runpy.run_path("packaging/rthook_console.py")
        print("warning from a library", file=sys.stderr)
        from ui import launcher
        import app.cli.cmd_sort_names as cmd
        def run(args):
            raise PermissionError(13, "Permission denied", "C:/Users/张三/AppData/Roaming/PollDay/x")
        cmd.run = run
        sys.exit(launcher.main(["sort-names"]))
    """, home)
    assert r.returncode == 1 and r.stdout == "" and r.stderr == ""
    text = (home / "logs" / "pollday.log").read_text(encoding="utf-8")
    assert "WARNING stderr: warning from a library" in text and "[cli sort-names " in text
    # An environment error is said in words (to the log, as stderr is) with its traceback.
    assert "WARNING pollday.environment: 没有权限读写文件 C:/Users/张三/AppData/Roaming/PollDay/x" in text
    assert "WARNING stderr: 出错：没有权限读写文件 C:/Users/张三/AppData/Roaming/PollDay/x" in text
    assert "PermissionError: [Errno 13] Permission denied" in text


def test_a_command_with_a_bug_says_it_once_and_exits_70(tmp_path):
    """A bug (not a refusal, not the environment) is told apart from a refusal: exit 70, the
    traceback once on stderr (it was printed twice), the words line, the log has it."""
    home = tmp_path / "home"
    r = run_py("""
        import sys
        import app.cli.cmd_sort_names as cmd
        from ui import launcher

        def run(args):
            raise NameError("name 'with_round' is not defined")
        cmd.run = run
        sys.exit(launcher.main(["sort-names"]))
    """, home)
    assert r.returncode == 70, r.stderr
    assert r.stderr.count("Traceback (most recent call last)") == 1, r.stderr
    assert "出错：" in r.stderr
    assert "with_round" in (home / "logs" / "pollday.log").read_text(encoding="utf-8")
