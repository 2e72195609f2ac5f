"""`pollday scan import` interrupted as a real process (Ctrl+C, or the terminal closed / `kill`)
while it writes the batch: the database and the archive folder hold no part of that batch, and
importing the same folder again works."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app import cli
from app.bench.b_scan import _blank, _database, _layout
from db.connection import connect
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.app.scan.synth import write_deck
from tests.e2e.test_scan_watch_cli import ctrl_c_ignored

PAGES = 60


def _folder(tmp_path: Path) -> Path:
    """PAGES scans of one marked ballot (identical ballots are normal), each file made distinct
    and large by bytes after the JPEG's end, as some scanners append: the archive writes take a
    while, so the signal lands while the batch is being written."""
    one = tmp_path / "one"
    write_deck(_blank(tmp_path, 300), _layout(), 300, one, 1, edge_rate=0.0, write_in_rate=0.0)
    data = (one / "scan0001.jpg").read_bytes()
    folder = tmp_path / "scans"
    folder.mkdir()
    for i in range(PAGES):
        (folder / f"scan{i + 1:04d}.jpg").write_bytes(data + bytes([i % 251]) * 3_000_000)
    return folder


def _rows(db: Path) -> dict[str, int]:
    conn = connect(db, create=False)
    try:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]   # noqa: S608
                for t in ("scan_batch", "scan_file", "scan_page")}
    finally:
        conn.close()


def _interrupt_while_writing(proc: subprocess.Popen[bytes], archive: Path,
                             sig: signal.Signals) -> bool:
    """Send `sig` while the batch is certainly being written: the command is stopped (SIGSTOP) as
    soon as the batch's folder appears in the archive; if, stopped, that folder is still
    `batch-0001.partial` (renamed `batch-0001` just before the COMMIT), `sig` is sent and the
    command goes on (SIGCONT) to take it. False when the import got past that point before it
    was stopped (a busy machine ran this loop late): the signal was not sent."""
    deadline = time.monotonic() + 240
    while not (archive.is_dir() and any(archive.iterdir())):   # the writing has begun
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGSTOP)
    _pid, status = os.waitpid(proc.pid, os.WUNTRACED)      # returns once it is stopped (or ended)
    if not os.WIFSTOPPED(status):
        proc.returncode = os.waitstatus_to_exitcode(status)
        return False
    caught = (archive / "batch-0001.partial").is_dir()
    if caught:
        os.kill(proc.pid, sig)
    os.kill(proc.pid, signal.SIGCONT)
    return caught


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals to a child process")
@pytest.mark.parametrize(("sig", "ignored"), [(signal.SIGINT, False), (signal.SIGTERM, False),
                                              (signal.SIGINT, True)],
                         ids=["ctrl-c", "terminate", "ctrl-c-started-ignoring-it"])
def test_an_import_interrupted_while_writing_leaves_nothing(tmp_path: Path, sig: signal.Signals,
                                                            ignored: bool) -> None:
    """`ignored`: started with SIGINT ignored, as a shell starts a command put in the background
    (`pollday ... &`): Ctrl+C still interrupts it (it carried on and imported the batch)."""
    folder = _folder(tmp_path)
    for attempt in range(5):
        db = tmp_path / f"try{attempt}" / "day.db"
        db.parent.mkdir()
        _database(db).close()
        archive = db.with_name("day-scans")
        cmd = [*pollday_cmd(), "scan", "import", "--db", str(db), "--count", str(PAGES),
               str(folder)]
        with ctrl_c_ignored() if ignored else contextlib.nullcontext():
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"})
        try:
            if _interrupt_while_writing(proc, archive, sig):
                break
            proc.communicate(timeout=120)      # missed: the batch went in; again, afresh
        except BaseException:
            if proc.returncode is None and proc.poll() is None:
                proc.kill()
                proc.wait()
            raise
    else:
        pytest.fail("the signal never landed while the batch was being written (5 tries)")
    out, err = proc.communicate(timeout=120)
    assert proc.returncode != 0, (out.decode(), err.decode())
    assert _rows(db) == {"scan_batch": 0, "scan_file": 0, "scan_page": 0}
    assert [p for p in archive.rglob("*")] == [], "no part of the batch in the archive"
    if sig == signal.SIGINT:
        assert "这一批未导入" in err.decode("utf-8"), err.decode("utf-8")

    again = subprocess.run(cmd, capture_output=True, timeout=300)
    assert again.returncode == 0, again.stderr.decode("utf-8")
    assert _rows(db) == {"scan_batch": 1, "scan_file": PAGES, "scan_page": PAGES}
    assert len(list((archive / "batch-0001").iterdir())) == PAGES


def test_ctrl_c_just_after_the_commit_says_the_batch_is_in(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Ctrl+C after the COMMIT, before the command has said so (here: while the test-deck pages
    are judged): the batch is in, whole; the command must not say it was not imported (the clerk
    would import the same folder again and be refused, or worse, believe it not counted)."""
    folder = tmp_path / "scans"
    write_deck(_blank(tmp_path, 200), _layout(), 200, folder, 2, edge_rate=0.0,
               write_in_rate=0.0)
    db = tmp_path / "day.db"
    _database(db).close()

    def interrupted(*_a: object, **_k: object) -> list[object]:
        raise KeyboardInterrupt

    monkeypatch.setattr("app.scan.testdeck.judge_scanned", interrupted)
    code = cli.main(["scan", "import", "--db", str(db), "--count", "2", str(folder)],
                    ("app.cli",))
    err = capsys.readouterr().err
    assert code == 130 and "已完整导入为第1批" in err and "未导入" not in err, err
    assert _rows(db) == {"scan_batch": 1, "scan_file": 2, "scan_page": 2}
