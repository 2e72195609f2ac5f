"""Issue 13 finding 6: a candidate named `=HYPERLINK("http://x","y")` became a live formula in the
package's summary.xlsx (LibreOffice evaluated it) and summary.csv was not escaped. Every cell the
package writes from user text that begins with =, +, -, @, tab or CR is now text: in XLSX a text
cell holding the name unchanged (quote prefix set), in CSV the name after an apostrophe (the
spreadsheet convention for text; `read_csv_cell` gives the name back). Checked with openpyxl and
with LibreOffice headless converting the files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from app.export import content
from app.export import format as fmt
from tests.fixtures.small_election import KEY, TZ

EVIL = '=HYPERLINK("http://x","y")'
NAMES = [EVIL, "何志刚", "罗敏"]
AT = dt.datetime(2026, 11, 23, 9, 0, tzinfo=TZ)
CSV_FILTER = "Text - txt - csv (StarCalc):44,34,76"   # comma, quote, UTF-8
DANGEROUS = [EVIL, "+1+1", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1", "=1+1"]


@pytest.fixture(scope="module")
def package_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    from app.clock import FixedClock
    from app.export.build import build_package
    from app.meetings import Refusal
    from app.model import RuleSet
    from app.voting import (
        close_round,
        enter_ballots,
        lock_round,
        open_round,
        record_box,
        set_officials,
    )
    from db.connection import connect
    from tests.app.voting.voting_venue import ballots, sign_in_first, small_meeting

    folder = tmp_path_factory.mktemp("inert")
    db = folder / "election.db"
    clock = FixedClock(dt.datetime(2026, 11, 22, 8, 30, tzinfo=TZ), 1.0)
    conn = connect(db)
    s = small_meeting(conn, clock, RuleSet.PARTY, voters=12, code="party", candidates=NAMES,
                      seats=2)
    sign_in_first(s, 11, clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=clock)
    assert not isinstance(r, Refusal), r
    paper = ballots(r.names, [(6, [EVIL, "何志刚"]), (3, [EVIL, "罗敏"]), (2, ["何志刚"])])
    for clerk, who in (("A", "甲"), ("B", "乙")):
        assert not isinstance(enter_ballots(conn, r.id, clerk, paper, clerk=who, clock=clock),
                              Refusal)
    record_box(conn, r.id, "主票箱", printed=15, issued=11, returned=11, actor="秘书处",
               clock=clock)
    set_officials(conn, r.id, scrutineers=["监票人甲", "监票人乙"], counters=["计票人甲"],
                  actor="主持人", clock=clock)
    close_round(conn, r.id, actor="主持人", clock=clock)
    assert not isinstance(lock_round(conn, r.id, actor="主持人", clock=clock), Refusal)
    conn.close()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("POLLDAY_HOME", str(folder / "home"))
        built = build_package(db, key=KEY, at=AT)
    assert not isinstance(built, Refusal), built
    with zipfile.ZipFile(io.BytesIO(built.data)) as zf:
        return {n: zf.read(n) for n in (fmt.SUMMARY_XLSX, fmt.SUMMARY_CSV)}


def _xlsx_cells(data: bytes) -> list[tuple[object, str]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    return [(c.value, c.data_type) for row in ws.iter_rows() for c in row]


def test_summary_xlsx_holds_the_name_as_text(package_files: dict[str, bytes]) -> None:
    cells = _xlsx_cells(package_files[fmt.SUMMARY_XLSX])
    assert not [c for c in cells if c[1] == "f"], "a formula cell in summary.xlsx"
    elected = [v for v, _t in cells if isinstance(v, str) and EVIL in v]
    assert elected and all(v.startswith(EVIL) for v in elected), elected


def test_summary_csv_escapes_the_name(package_files: dict[str, bytes]) -> None:
    rows = list(csv.reader(io.StringIO(package_files[fmt.SUMMARY_CSV].decode("utf-8-sig"))))
    cells = [c for row in rows for c in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")], cells
    (elected,) = [c for c in cells if EVIL in c]
    assert elected.startswith("'" + EVIL)
    assert content.read_csv_cell(elected).startswith(EVIL)


def test_every_dangerous_start_is_inert_and_reads_back() -> None:
    row = tuple(DANGEROUS) + ("何志刚", 3, "", "-", "95.00%", "是", "abc", "def")
    cells = _xlsx_cells(content.summary_xlsx([row], AT))
    # XML reads a stored CR back as LF (openpyxl does not write _x000D_): still a text cell.
    assert [v for v, _t in cells[len(content.SUMMARY_HEADER):]] == \
        [*(d.replace("\r", "\n") for d in DANGEROUS), "何志刚", 3, None, "-", "95.00%", "是", "abc",
         "def"]
    assert all(t != "f" for _v, t in cells)
    text = content.summary_csv([row]).decode("utf-8-sig")
    (_header, back) = list(csv.reader(io.StringIO(text, newline="")))
    assert [content.read_csv_cell(c) for c in back] == [str(v) for v in row]
    assert all(c[:1] not in ("=", "+", "-", "@", "\t", "\r") or c == "-" for c in back), back


def _soffice(src: Path, to: str, tmp: Path, infilter: str = "") -> Path:
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp / "out"
    subprocess.run([exe, f"-env:UserInstallation=file://{tmp / 'lo-profile'}", "--headless",
                    *([f"--infilter={infilter}"] if infilter else []),
                    "--convert-to", to, "--outdir", str(out), str(src)],
                   check=True, capture_output=True, timeout=120)
    (got,) = out.iterdir()
    return got


def test_libreoffice_reads_the_literal_name(package_files: dict[str, bytes],
                                            tmp_path: Path) -> None:
    """LibreOffice opens summary.xlsx: the cell is the literal text, not "y" nor Err:501."""
    src = tmp_path / "summary.xlsx"
    src.write_bytes(package_files[fmt.SUMMARY_XLSX])
    as_csv = _soffice(src, f"csv:{CSV_FILTER}", tmp_path)
    rows = list(csv.reader(io.StringIO(as_csv.read_text("utf-8"))))
    cells = [c for row in rows for c in row]
    assert any(c.startswith(EVIL) for c in cells), cells
    assert "Err:501" not in cells and "y" not in cells


def test_libreoffice_does_not_evaluate_the_csv(package_files: dict[str, bytes],
                                               tmp_path: Path) -> None:
    """LibreOffice imports summary.csv: the cell is text (a formula before the fix)."""
    from openpyxl import load_workbook

    src = tmp_path / "summary.csv"
    src.write_bytes(package_files[fmt.SUMMARY_CSV])
    ws = load_workbook(_soffice(src, "xlsx", tmp_path, infilter=CSV_FILTER)).active
    assert ws is not None
    cells = [c for row in ws.iter_rows() for c in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    assert any(isinstance(c.value, str) and EVIL in c.value for c in cells)
