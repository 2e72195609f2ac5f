"""`pollday scan import` by someone who may not import (under a staff list only a 计票人 may) is
refused when the command starts, with the words and exit status the import itself gives: the
watch used to start, read every scan file, and refuse only once the clerk had typed the hand
count (周主任, the 主持人, watched a folder until `2` was typed). Real `pollday` processes; nothing
is read, nothing is written. A signed-on 计票人 still watches and imports."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from app.bench.b_scan import _blank, _database, _layout
from app.clock import FixedClock
from app.meetings import Refusal
from app.staff import add_staff, sign_on
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.scan.synth import write_deck
from tests.e2e.test_cli_staff import PIN, T0
from tests.e2e.test_scan_watch_cli import Watching

HOST_REFUSED = "周主任（主持人）不能操作"


def _staffed(db: Path) -> None:
    """The scan database with a staff list: 周主任 (主持人), 孙计票 (计票人)."""
    conn = _database(db)
    try:
        clock = FixedClock(T0, 1.0)
        host: str = ""
        for name, roles in (("周主任", ["主持人"]), ("孙计票", ["计票人"])):
            got = add_staff(conn, name, roles, PIN, actor=host, clock=clock)
            assert not isinstance(got, Refusal), got
            if not host:
                signed = sign_on(conn, name, PIN, clock=clock)
                assert not isinstance(signed, Refusal), signed
                host = signed
    finally:
        conn.close()


@pytest.fixture
def made(tmp_path: Path) -> Path:
    where = tmp_path / "made"
    write_deck(_blank(tmp_path, 200), _layout(), 200, where, 2, edge_rate=0.0,
               write_in_rate=0.0)
    return where


def _scan_pages(db: Path) -> int:
    import sqlite3

    raw = sqlite3.connect(db)
    try:
        return int(raw.execute("SELECT count(*) FROM scan_page").fetchone()[0])
    finally:
        raw.close()


def _run(*args: object, timeout: float = 60) -> tuple[int | None, str, str]:
    """The command's status, stdout and stderr; None as status when it was still running after
    `timeout` seconds (a watch that started instead of refusing: it is killed)."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("POLLDAY_PIN")},
           "POLLDAY_PIN": PIN, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*pollday_cmd(), *(str(a) for a in args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            encoding="utf-8", env=env)
    try:
        out, err = proc.communicate("2\n", timeout=timeout)
        return proc.returncode, out, err
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        return None, out, err


def test_a_host_watching_the_scan_folder_is_refused_at_start_before_any_file_is_read(
        tmp_path: Path, made: Path) -> None:
    db = tmp_path / "day.db"
    _staffed(db)
    folder = tmp_path / "mfp"
    folder.mkdir()
    for name in ("scan0001.jpg", "scan0002.jpg"):
        shutil.copy(made / name, folder)
    code, out, err = _run("scan", "import", "--db", db, "--watch", folder, "--existing",
                          "--poll", "0.2", "--operator", "周主任")
    assert code == 1, (code, out, err)
    assert HOST_REFUSED in err and "（NOT_ALLOWED）" in err, err
    assert "正在监视" not in err, err
    assert out == "", out                     # not one file read
    assert _scan_pages(db) == 0
    # the one-shot import says the same words, with the same status
    once = subprocess.run([*pollday_cmd(), "scan", "import", "--db", str(db), "--count", "2",
                           str(folder), "--operator", "周主任"], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, "POLLDAY_PIN": PIN})
    assert once.returncode == 1, once.stderr
    assert once.stderr.strip() == err.strip(), (once.stderr, err)


def test_a_watch_without_operator_under_a_staff_list_is_refused_at_start(
        tmp_path: Path, made: Path) -> None:
    db = tmp_path / "day.db"
    _staffed(db)
    folder = tmp_path / "mfp"
    folder.mkdir()
    shutil.copy(made / "scan0001.jpg", folder)
    code, out, err = _run("scan", "import", "--db", db, "--watch", folder, "--existing",
                          "--poll", "0.2")
    assert code == 1, (code, out, err)
    assert "未说明由谁操作" in err and "--operator 姓名" in err, err
    assert "正在监视" not in err and out == "", (out, err)


def test_a_signed_on_counter_still_watches_and_imports(
        tmp_path: Path, made: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "day.db"
    _staffed(db)
    folder = tmp_path / "mfp"
    folder.mkdir()
    monkeypatch.setenv("POLLDAY_PIN", PIN)
    w = Watching(db, folder, "--operator", "孙计票")
    try:
        shutil.copy(made / "scan0001.jpg", folder)
        e = w.next()
        assert (e["event"], e["file"]) == ("read", "scan0001.jpg"), e
        w.type("1")
        e = w.next()
        assert e["event"] == "imported" and e["pages"] == 1, e
        assert _scan_pages(db) == 1
    finally:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait()
