"""The district report files: the XLSX opens in LibreOffice (headless, every sheet to CSV) with
the figures of `district report --json`; the PDF and the 日报 carry them as text."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.app.district.conftest import cli, run

# Every sheet to its own UTF-8 CSV (76 = UTF-8; token 9 true: cells as shown, so the number
# formats are checked too; token 12 = -1: all sheets).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def _soffice() -> str:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    # Not a skip: CI installs libreoffice-calc-nogui (packaging/dev.py DEBIAN_TEST).
    assert exe, "LibreOffice is missing: apt-get install libreoffice-calc-nogui"
    return exe


def test_summary_xlsx_opens_in_libreoffice(imported_db: Path, report_json: dict[str, Any],
                                           tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    run("district", "report", "--db", imported_db, "--date", "2026-12-10", "--out", out)
    report = report_json
    subprocess.run([_soffice(), "-env:UserInstallation=" + (tmp_path / "lo-profile").as_uri(),
                    "--headless", "--convert-to", CSV_FILTER, "--outdir", str(tmp_path),
                    str(out)], check=True, capture_output=True, timeout=180)
    sheets = {p.stem.split("-", 1)[1]: list(csv.reader(p.open(encoding="utf-8")))
              for p in tmp_path.glob("汇总-*.csv")}
    assert set(sheets) == {"汇总", "各社区", "班子结构", "日报"}
    summary = {r[0]: r[1] for r in sheets["汇总"] if len(r) > 1 and r[1]}
    # Cells as shown (the number format keeps the published decimals) = the JSON numbers.
    assert summary["一次性选举成功率(%)"] == f"{report['one_pass_rate']:.2f}"
    assert summary["党员大会出席率(%)"] == f"{report['party_attendance_rate']:.2f}"
    assert summary["选民参选率(%)"] == f"{report['voter_turnout_rate']:.2f}"
    assert summary["已完成"] == str(report["completed"])
    rows = sheets["各社区"]
    assert rows[0][2] == "社区" and len(rows) - 1 == report["communities"]
    by_name = {r[2]: r for r in rows[1:]}
    for c in report["per_community"]:
        assert by_name[c["community"]][5] == c["stage"]
        for col, key in ((rows[0].index("党员大会出席率(%)"), "party_attendance_rate"),
                         (rows[0].index("选民参选率(%)"), "voter_turnout_rate")):
            rate = c[key]
            assert by_name[c["community"]][col] == ("" if rate is None else f"{rate:.2f}")
    bodies = {r[0]: r for r in sheets["班子结构"][1:]}
    for b in report["makeup"]:
        assert bodies[b["body"]][1] == str(b["members"])
        assert bodies[b["body"]][2] == f"{b['average_age']:.2f}"
        assert "，".join(b["changes"]) == bodies[b["body"]][13]


def test_pdf_report_and_daily(imported_db: Path, report_json: dict[str, Any],
                              tmp_path: Path) -> None:
    pdf = tmp_path / "report.pdf"
    run("district", "report", "--db", imported_db, "--date", "2026-12-10", "--out", pdf)
    report = report_json
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert f"一次性选举成功率 {report['one_pass_rate']:.2f}%" in text
    assert f"党员大会出席率 {report['party_attendance_rate']:.2f}%" in text
    assert f"选民参选率 {report['voter_turnout_rate']:.2f}%" in text
    for c in report["per_community"]:
        assert c["community"] in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True,
                           check=True).stdout
    assert "Helvetica" not in fonts
    daily = tmp_path / "daily.pdf"
    cli("district", "daily", "--db", imported_db, "--date", "2026-12-10", "--out", daily)
    dtext = subprocess.run(["pdftotext", str(daily), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "日报" in dtext and "累计完成" in dtext
    cli("district", "report", "--db", imported_db, "--out", tmp_path / "x.doc", ok=(1,))
    assert not (tmp_path / "x.doc").exists()
