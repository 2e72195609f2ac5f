"""What the district writes is inert (issue 13, finding 6): a community named like a formula is a
text cell in the summary XLSX, read back as the same text by openpyxl and by LibreOffice (not a
formula, not Err:501), in the 各社区 rows and in the 日报's list of communities still to go."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from app.district.export import write_xlsx
from app.district.figures import Community, Report

EVIL = '=HYPERLINK("http://example.invalid/x","点我")'
NAMES = (EVIL, "+86 社区", "-社区", "@社区", "\t社区")


def _report() -> Report:
    return Report([Community(n, street="=1+1", plan_date="2026-12-01") for n in NAMES], [], None)


@pytest.fixture()
def xlsx(tmp_path: Path) -> Path:
    out = tmp_path / "汇总.xlsx"
    write_xlsx(_report(), out, dt.date(2026, 12, 2))
    return out


def test_openpyxl_reads_literal_text(xlsx: Path) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    rows = list(wb["各社区"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in rows] == list(NAMES)
    assert {r[1] for r in rows} == {"=1+1"}
    daily = [str(c.value) for c in cells if c.parent.title == "日报" and c.value]
    assert any(d.startswith(EVIL) for d in daily)


def test_libreoffice_reads_literal_text(xlsx: Path, tmp_path: Path) -> None:
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "out"
    # Sheet 2 (各社区) as CSV, UTF-8 (76), as shown (formulas would be evaluated).
    to = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2"
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}",
                    "--headless", "--convert-to", to, "--outdir", str(out), str(xlsx)],
                   check=True, capture_output=True, timeout=120)
    (got,) = out.iterdir()
    rows = list(csv.reader(io.StringIO(got.read_text("utf-8"))))
    assert rows[0][2] == "社区"
    assert [r[2] for r in rows[1:]] == list(NAMES), rows
    cells = [c for r in rows for c in r]
    assert "Err:501" not in cells and "点我" not in cells and "2" not in [r[1] for r in rows]
