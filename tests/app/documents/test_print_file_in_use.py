"""`pollday print` over a PDF a viewer holds open (Windows refuses the replace): exit 1 with the
words naming the file, the open copy unchanged, no temporary file left (the GUI's print buttons:
tests/gui/test_file_in_use.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from winfake import Viewer

from app import fileio
from app.cli import main
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")

AT = "2026-11-22T09:00:00+08:00"


@pytest.fixture(autouse=True)
def no_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileio, "REPLACE_WAIT_S", 0.0)


def test_pollday_print_onto_a_pdf_open_in_a_viewer(venue, db_path: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    venue.conn.close()
    out = tmp_path / "out" / "签到表.pdf"
    argv = ["print", "signin-sheets", "--db", str(db_path), "--out", str(out), "--at", AT]
    assert main(argv) == 0
    first = out.read_bytes()
    capsys.readouterr()

    viewer = Viewer(out, winerror=5)
    monkeypatch.setattr(fileio, "_replace", viewer.replace)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert str(out) in err and "正被其他程序打开" in err and "新生成的文件没有保存" in err
    assert "WinError" not in err and "Traceback" not in err
    assert viewer.refused == fileio.REPLACE_TRIES
    assert out.read_bytes() == first
    assert [p.name for p in out.parent.iterdir()] == ["签到表.pdf"]

    viewer.release_after = viewer.refused + 2          # the viewer lets go while we retry
    assert main(argv) == 0
    assert [p.name for p in out.parent.iterdir()] == ["签到表.pdf"]

