"""A reader that stops early (`pollday attendance … | head`, `pollday scan adjudicate --json |
head`) closes the pipe under a real `pollday` process: the command ends quietly, no traceback,
no "程序出错", exit status 128 + SIGPIPE on POSIX as a program the signal ended (1 on Windows,
which has no SIGPIPE). Handled once in the command line's entry point, for every command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pdtest import pollday_cmd

from tests.app.attendance.attendance_venue import make_venue

CLOSED = 128 + signal.SIGPIPE if hasattr(signal, "SIGPIPE") else 1


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "POLLDAY_HOME": str(home), "PYTHONUTF8": "1"}


def _run_into_closed_pipe(args: list[str], home: Path, stdin: bytes | None = None,
                          keep_lines: int = 0) -> tuple[int, list[bytes], str]:
    """Run pollday with stdout a pipe whose reader reads `keep_lines` lines then closes it."""
    p = subprocess.Popen([*pollday_cmd(), *args], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(home))
    assert p.stdin is not None and p.stdout is not None and p.stderr is not None
    if stdin is not None:
        p.stdin.write(stdin)
    p.stdin.close()
    got = [p.stdout.readline() for _ in range(keep_lines)]
    p.stdout.close()   # the reader is gone: every later write hits a closed pipe
    err = p.stderr.read().decode("utf-8", "replace")
    return p.wait(timeout=120), got, err


@pytest.mark.skipif(sys.platform == "win32", reason="the pipe is closed the POSIX way here")
@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_attendance_into_a_closed_pipe_ends_quietly(tmp_path: Path, fixed_clock,
                                                    as_json: bool) -> None:
    db = tmp_path / "venue.db"
    v = make_venue(db, fixed_clock)
    v.conn.close()
    # The whole answer fits a pipe's buffer: it fails when flushed at the end, after the
    # command returned (the reader closed the pipe before the first line came).
    code, _got, err = _run_into_closed_pipe(
        ["attendance", "--db", str(db), "--meeting", "party", *(["--json"] if as_json else [])],
        tmp_path / "home")
    assert "Traceback" not in err and "程序出错" not in err and "BrokenPipe" not in err, err
    assert code == CLOSED, (code, err)
