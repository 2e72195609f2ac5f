"""The district report over a file Excel (or a PDF viewer) holds open: Windows refuses the
replace; `pollday district report --out` says so in words and exits 1, the open file unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest
from winfake import Viewer

from app import fileio
from app.cli import main


@pytest.mark.parametrize("name", ["汇总.xlsx", "汇总.pdf"])
def test_report_open_in_excel_is_said_in_words(imported_db: Path, tmp_path: Path, name: str,
                                              capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fileio, "REPLACE_WAIT_S", 0.0)
    out = tmp_path / name
    argv = ["district", "report", "--db", str(imported_db), "--date", "2026-12-10",
            "--out", str(out)]
    assert main(argv) == 0
    first = out.read_bytes()
    capsys.readouterr()
    monkeypatch.setattr(fileio, "_replace", Viewer(out, winerror=32).replace)
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert str(out) in err and "正被其他程序打开" in err and "WinError" not in err
    assert out.read_bytes() == first
    assert [p.name for p in tmp_path.iterdir()] == [name]
