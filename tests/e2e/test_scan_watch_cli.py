"""`pollday scan import --watch FOLDER` as a real process: files copied into the folder while it
runs are read (one JSON line each), a duplicate is refused with its reason, the hand count typed
on stdin imports the batch, Ctrl+C ends it with status 0; a folder that disappears (a pulled
stick) stops the watch and the command ends with status 1 once nothing waits."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.bench.b_scan import _blank, _database, _layout
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.scan.synth import write_deck

TOOL = "pdftoppm"


@contextlib.contextmanager
def ctrl_c_ignored() -> Iterator[None]:
    """A process started here inherits SIGINT ignored, as a POSIX shell without job control starts
    a command put in the background (`pollday ... &`), and as a test run started that way starts
    every command it runs."""
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before if before is not None else signal.default_int_handler)


class Watching:
    """The running command, its stdout lines parsed as they come."""

    def __init__(self, db: Path, folder: Path, *extra: str, ctrl_c: bool = True) -> None:
        cmd = [*pollday_cmd(), "scan", "import", "--db", str(db), "--watch", str(folder),
               "--poll", "0.2", "--operator", "计票员", *extra]
        with contextlib.nullcontext() if ctrl_c else ctrl_c_ignored():
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.PIPE, text=True, encoding="utf-8",
                                         env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        self.said: list[str] = []
        self.watching = threading.Event()
        self.readers = [threading.Thread(target=f, daemon=True)
                        for f in (self._read, self._read_stderr)]
        for t in self.readers:
            t.start()
        # the command lists the folder once it runs: files there before are not taken
        assert self.watching.wait(120), self.said

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(json.loads(line))

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.said.append(line)
            if line.startswith("正在监视"):
                self.watching.set()

    def next(self, timeout: float = 60) -> dict[str, Any]:
        return self.lines.get(timeout=timeout)

    def type(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def end(self, timeout: float = 60) -> tuple[int, str]:
        code = self.proc.wait(timeout)
        for t in self.readers:          # they end at the pipes' end: every line is taken
            t.join(timeout)
        return code, "".join(self.said)


@pytest.fixture
def made(tmp_path: Path) -> Path:
    where = tmp_path / "made"
    write_deck(_blank(tmp_path, 200), _layout(), 200, where, 3, edge_rate=0.0,
               write_in_rate=0.0)
    return where


def test_watch_reads_new_files_and_imports_with_the_count_typed_on_stdin(
        tmp_path: Path, made: Path) -> None:
    db = tmp_path / "day.db"
    _database(db).close()
    folder = tmp_path / "mfp"
    folder.mkdir()
    w = Watching(db, folder)
    try:
        shutil.copy(made / "scan0001.jpg", folder)
        shutil.copy(made / "scan0002.jpg", folder)
        got = [w.next(), w.next()]
        assert [(e["event"], e["file"], e["watch_batch"], e["pages"]) for e in got] == [
            ("read", "scan0001.jpg", 1, 1), ("read", "scan0002.jpg", 1, 1)]
        shutil.copy(made / "scan0002.jpg", folder / "again.jpg")
        e = w.next()
        assert (e["event"], e["file"]) == ("refused", "again.jpg")
        assert "与 scan0002.jpg 内容完全相同" in e["reason"]
        w.type("2")
        e = w.next()
        assert e["event"] == "imported" and e["batch"] == 1 and e["pages"] == 2, e
        assert e["hand_count"] == 2
        conn = connect(db, create=False)
        try:
            assert conn.execute("SELECT count(*) FROM scan_page").fetchone()[0] == 2
        finally:
            conn.close()
        assert sorted(os.listdir(folder)) == ["again.jpg", "scan0001.jpg", "scan0002.jpg"]
        if sys.platform != "win32":
            w.proc.send_signal(signal.SIGINT)
            code, err = w.end()
            assert code == 0 and "已停止监视" in err, err
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_a_batch_read_when_the_command_stopped_is_read_back_by_the_next_watch(
        tmp_path: Path, made: Path) -> None:
    """Ctrl+C after a file was read and before its count was typed: the next watch of the folder
    reads it back into a batch waiting for its count (it is not "already there")."""
    db = tmp_path / "day.db"
    _database(db).close()
    folder = tmp_path / "mfp"
    folder.mkdir()
    w = Watching(db, folder)
    try:
        shutil.copy(made / "scan0001.jpg", folder / "late001.jpg")
        e = w.next()
        assert (e["event"], e["file"]) == ("read", "late001.jpg")
        w.proc.send_signal(signal.SIGINT)
        code, err = w.end()
        assert code == 0 and "再次监视这个文件夹时会重新读出" in err, err
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()
    w = Watching(db, folder)
    try:
        e = w.next()
        assert e["event"] == "resumed" and e["files"] == ["late001.jpg"], e
        e = w.next()
        assert (e["event"], e["file"]) == ("read", "late001.jpg"), e
        w.type("1")
        e = w.next()
        assert e["event"] == "imported" and e["batch"] == 1 and e["pages"] == 1, e
        w.proc.send_signal(signal.SIGINT)
        code, err = w.end()
        assert code == 0 and "上次已读出、未导入的 1 个文件重新读出：late001.jpg" in err, err
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child process")
def test_ctrl_c_ends_a_watch_started_with_ctrl_c_ignored(tmp_path: Path, made: Path) -> None:
    """Started in the background by a shell (SIGINT ignored, inherited): Ctrl+C still ends the
    watch at once with status 0, a batch read and not counted named as left (it ran forever)."""
    db = tmp_path / "day.db"
    _database(db).close()
    folder = tmp_path / "mfp"
    folder.mkdir()
    w = Watching(db, folder, ctrl_c=False)
    try:
        shutil.copy(made / "scan0001.jpg", folder)
        e = w.next()
        assert (e["event"], e["file"]) == ("read", "scan0001.jpg")
        w.proc.send_signal(signal.SIGINT)
        code, err = w.end()
        assert code == 0 and "已停止监视" in err and "1 批已读出但未导入" in err, err
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()


def test_a_pulled_stick_stops_the_watch_and_the_command_ends(tmp_path: Path, made: Path) -> None:
    db = tmp_path / "day.db"
    _database(db).close()
    folder = tmp_path / "stick"
    folder.mkdir()
    shutil.copy(made / "scan0001.jpg", folder)      # scanned before the watch: --existing
    w = Watching(db, folder, "--existing")
    try:
        e = w.next()
        assert e["event"] == "existing" and "1 个未导入过" in e["words"] and "现在读取" in e["words"]
        e = w.next()
        assert (e["event"], e["file"]) == ("read", "scan0001.jpg")
        shutil.copy(made / "scan0003.jpg", folder)
        e = w.next()
        assert (e["event"], e["file"]) == ("read", "scan0003.jpg")
        folder.rename(tmp_path / "pulled")
        e = w.next()
        assert e["event"] == "stopped" and "已停止监视" in e["words"]
        w.type("2")                     # the batch already read still imports
        e = w.next()
        assert e["event"] == "imported" and e["pages"] == 2, e
        code, err = w.end()
        assert code == 1 and "已无法访问" in err, err
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()


def test_watch_and_count_are_asked_one_way_or_the_other(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    _database(db).close()
    done = subprocess.run([*pollday_cmd(), "scan", "import", "--db", str(db), "--watch",
                           str(tmp_path), "--count", "3"], capture_output=True, text=True,
                          encoding="utf-8", timeout=120)
    assert done.returncode == 2 and "--watch FOLDER" in done.stderr
