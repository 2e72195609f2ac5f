"""Issue 13, finding 5: spreadsheets from someone else. Each file is built here the way it was
met (LibreOffice headless saving XLSX from a sheet we write, openpyxl for what LibreOffice does
not make, a real 950 MB bomb streamed into a zip) and imported through `pollday import-register`
or the use case; each is read as the user sees it, or refused in words naming the cell, the
sheet or the limit, with nothing written."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from register_paths import pollday_cmd

from app.register import limits, sheets
from app.register.importer import ImportStatus, import_register
from db import persons
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")

FODS_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><office:document '
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" '
    'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">'
    "<office:body><office:spreadsheet>")
FODS_TAIL = "</office:spreadsheet></office:body></office:document>"


def text(t: str, rows_spanned: int = 1) -> str:
    span = f' table:number-rows-spanned="{rows_spanned}"' if rows_spanned > 1 else ""
    return f'<table:table-cell office:value-type="string"{span}><text:p>{escape(t)}</text:p></table:table-cell>'


def formula(f: str) -> str:
    return f'<table:table-cell table:formula="of:={escape(f, {chr(34): "&quot;"})}"/>'


COVERED = "<table:covered-table-cell/>"


def fods(name: str, rows: list[str]) -> str:
    body = "".join(f"<table:table-row>{r}</table:table-row>" for r in rows)
    return f'{FODS_HEAD}<table:table table:name="{name}">{body}</table:table>{FODS_TAIL}'


def libreoffice_xlsx(sources: list[Path], out: Path) -> None:
    """Save each source (.fods or .xlsx) as XLSX with LibreOffice headless, one process."""
    out.mkdir(exist_ok=True)
    profile = out.parent / "lo-profile"
    subprocess.run([str(SOFFICE), f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--convert-to", "xlsx", "--outdir", str(out), *map(str, sources)],
                   capture_output=True, timeout=180, check=True)
    for s in sources:
        assert (out / (s.stem + ".xlsx")).exists(), f"LibreOffice did not convert {s.name}"


MERGED_NAMES = ["王一", "王二", "王三", "王四", "王五", "李一", "李二", "李三", "李四", "李五"]


@pytest.fixture(scope="module")
def lo_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    src = tmp_path_factory.mktemp("src")
    # Hidden first sheet (an old register), the visible 名册 active: written by openpyxl, then
    # saved again by LibreOffice (LibreOffice keeps the hidden state and the active tab).
    wb = openpyxl.Workbook()
    old = wb.active
    assert old is not None
    old.title = "旧名册"
    for r in (["姓名", "性别"], ["旧人甲", "男"], ["旧人乙", "女"]):
        old.append(r)
    reg = wb.create_sheet("名册")
    for r in (["姓名", "性别"], ["新人甲", "男"], ["新人乙", "女"], ["新人丙", "女"]):
        reg.append(r)
    old.sheet_state = "hidden"
    wb.active = 1
    wb.save(src / "hidden.xlsx")
    # 10 persons, 所在党支部 merged over two blocks of five rows (8 cells empty in the file).
    rows = [text("姓名") + text("性别") + text("所在党支部")]
    for i, name in enumerate(MERGED_NAMES):
        branch = text("第一支部", 5) if i == 0 else text("第二支部", 5) if i == 5 else COVERED
        rows.append(text(name) + text("男") + branch)
    (src / "merged.fods").write_text(fods("名册", rows), encoding="utf-8")
    # Formulas that failed, in the 姓名 column (and one in 备注).
    rows = [text("姓名") + text("性别") + text("备注")]
    for f in ("1/0", "NA()", "[.#REF!]", 'VALUE("x")'):
        rows.append(formula(f) + text("男") + text(""))
    rows.append(text("赵六") + text("女") + formula("1/0"))
    rows.append(text("钱七") + text("女") + text(""))
    (src / "errors.fods").write_text(fods("名册", rows), encoding="utf-8")
    out = tmp_path_factory.mktemp("lo")
    libreoffice_xlsx([src / "hidden.xlsx", src / "merged.fods", src / "errors.fods"], out)
    return out


def run_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POLLDAY_HOME": str(home)}
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True, timeout=120,
                          env=env)


def names_in(db: Path) -> list[str]:
    conn = connect(db)
    try:
        return [p.name for p in persons.list_persons(conn)]
    finally:
        conn.close()


# --- sheets -------------------------------------------------------------------------------

@needs_soffice
def test_libreoffice_hidden_first_sheet_reads_the_visible_register(lo_files: Path,
                                                                   tmp_path: Path) -> None:
    xlsx = lo_files / "hidden.xlsx"
    wb = openpyxl.load_workbook(xlsx)
    assert wb.worksheets[0].sheet_state == "hidden" and wb.active.title == "名册"
    db = tmp_path / "e.db"
    got = run_cli("import-register", "--db", str(db), str(xlsx), home=tmp_path)
    assert got.returncode == 0, got.stderr
    assert "读取工作表「名册」" in got.stdout and "已导入 3 人" in got.stdout
    assert sorted(names_in(db)) == sorted(["新人甲", "新人乙", "新人丙"])
    # --sheet names the sheet to read, hidden or not.
    db2 = tmp_path / "old.db"
    got = run_cli("import-register", "--db", str(db2), "--sheet", "旧名册", str(xlsx), home=tmp_path)
    assert got.returncode == 0, got.stderr
    assert "读取工作表「旧名册」" in got.stdout and sorted(names_in(db2)) == ["旧人乙", "旧人甲"]
    got = run_cli("import-register", "--db", str(tmp_path / "x.db"), "--sheet", "名单", str(xlsx),
                  home=tmp_path)
    assert got.returncode == 1 and "没有名为「名单」的工作表" in got.stderr
    assert "「旧名册」（隐藏）、「名册」" in got.stderr


@needs_soffice
def test_both_readers_skip_the_hidden_sheet(lo_files: Path) -> None:
    data = (lo_files / "hidden.xlsx").read_bytes()
    fast = sheets._read_xlsx_fast(data, "hidden.xlsx", None)
    slow = sheets._read_xlsx_openpyxl(data, "hidden.xlsx", None)
    assert isinstance(fast, sheets.Table) and fast == slow
    assert fast.sheet == "名册" and [r[0] for _n, r in fast.rows] == ["新人甲", "新人乙", "新人丙"]


def _two_registers() -> bytes:
    wb = openpyxl.Workbook()
    notes = wb.active
    assert notes is not None
    notes.title = "说明"
    notes.append(["本表由居委会填写"])
    for title in ("第一网格", "第二网格"):
        ws = wb.create_sheet(title)
        ws.append(["姓名", "性别"])
        ws.append([title + "的人", "男"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_several_registers_ask_which_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "两个网格.xlsx"
    path.write_bytes(_two_registers())
    for reader in (sheets._read_xlsx_fast, sheets._read_xlsx_openpyxl):
        got = reader(path.read_bytes(), path.name, None)
        assert isinstance(got, sheets.Unreadable)
        assert "多个名册工作表：「第一网格」、「第二网格」" in got.reason and "--sheet" in got.reason
    db = tmp_path / "e.db"
    got = run_cli("import-register", "--db", str(db), str(path), home=tmp_path)
    assert got.returncode == 1 and "「第一网格」、「第二网格」" in got.stderr
    got = run_cli("import-register", "--db", str(db), "--sheet", "第二网格", str(path), home=tmp_path)
    assert got.returncode == 0 and "读取工作表「第二网格」" in got.stdout
    assert names_in(db) == ["第二网格的人"]


# --- merged cells -------------------------------------------------------------------------

@needs_soffice
def test_merged_branch_cells_are_filled_from_the_top_left_with_a_note(lo_files: Path,
                                                                     tmp_path: Path) -> None:
    xlsx = lo_files / "merged.xlsx"
    ws = openpyxl.load_workbook(xlsx).active
    assert sorted(str(r) for r in ws.merged_cells.ranges) == ["C2:C6", "C7:C11"]
    assert [ws.cell(r, 3).value for r in range(2, 12)].count(None) == 8  # as the file holds it
    db = tmp_path / "e.db"
    got = run_cli("import-register", "--db", str(db), str(xlsx), home=tmp_path)
    assert got.returncode == 0, got.stderr
    assert "已导入 10 人" in got.stdout
    assert "合并单元格 C2:C6：第2至6行都按左上角的值「第一支部」读入" in got.stdout
    assert "合并单元格 C7:C11：第7至11行都按左上角的值「第二支部」读入" in got.stdout
    conn = connect(db)
    try:
        branch = {p.name: p.branch for p in persons.list_persons(conn)}
    finally:
        conn.close()
    assert branch == {n: "第一支部" if n.startswith("王") else "第二支部" for n in MERGED_NAMES}
    # The openpyxl reader (used when the fast one cannot read a file) fills the same way.
    data = xlsx.read_bytes()
    assert sheets._read_xlsx_fast(data, "m", None) == sheets._read_xlsx_openpyxl(data, "m", None)


# --- error values -------------------------------------------------------------------------

@needs_soffice
def test_error_values_from_libreoffice_are_refused_by_cell(lo_files: Path, tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    got = run_cli("import-register", "--db", str(db), str(lo_files / "errors.xlsx"), home=tmp_path)
    assert got.returncode == 1
    lines = got.stderr.splitlines()
    for row, cell, value in ((2, "A2", "#DIV/0!"), (3, "A3", "#N/A"), (4, "A4", "#REF!"),
                             (5, "A5", "#VALUE!"), (6, "C6", "#DIV/0!")):
        assert any(f"第{row}行「" in line and f"单元格 {cell} 是表格的错误值 {value}" in line
                   for line in lines), (row, got.stderr)
    assert not any("第7行" in line for line in lines)  # 钱七 is fine
    assert not db.exists() or names_in(db) == []


def test_error_cells_written_by_openpyxl_both_readers(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名", "出生日期", "备注"])
    codes = ["#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!"]
    for code in codes:
        ws.append([code, "1980-01-01", ""])  # openpyxl writes these as error cells (t="e")
    ws.append(["孙八", "#REF!", ""])
    buf = io.BytesIO()
    wb.save(buf)
    assert b't="e"' in openpyxl.reader.excel.ZipFile(buf).read("xl/worksheets/sheet1.xml")
    fast = sheets._read_xlsx_fast(buf.getvalue(), "e.xlsx", None)
    slow = sheets._read_xlsx_openpyxl(buf.getvalue(), "e.xlsx", None)
    assert isinstance(fast, sheets.Table) and fast == slow
    assert fast.errors == [(n, 0, c) for n, c in enumerate(codes, start=2)] + [(9, 1, "#REF!")]
    path = tmp_path / "e.xlsx"
    path.write_bytes(buf.getvalue())
    conn = connect(tmp_path / "e.db")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    assert [(p.row, p.column) for p in r.problems] == [(n, "姓名") for n in range(2, 9)] + [(9, "出生日期")]
    assert "单元格 B9 是表格的错误值 #REF!" in r.problems[-1].reason  # told once, not as a bad date
    assert persons.list_persons(conn) == []
    conn.close()


def test_error_values_in_a_csv_saved_from_a_sheet_are_refused_by_cell(tmp_path: Path) -> None:
    path = tmp_path / "导出.csv"
    path.write_text("姓名,性别\n#DIV/0!,男\n钱七,#N/A\n孙八,女\n", encoding="utf-8")
    conn = connect(tmp_path / "e.db")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    assert [(p.row, p.column) for p in r.problems] == [(2, "姓名"), (3, "性别")]
    assert "单元格 A2 是表格的错误值 #DIV/0!" in r.problems[0].reason
    assert persons.list_persons(conn) == []
    conn.close()


# --- names --------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "point"), [
    ("张\u202e三丰", "U+202E（RIGHT-TO-LEFT OVERRIDE）"),
    ("李\u200f四", "U+200F（RIGHT-TO-LEFT MARK）"),
    ("\u2066王五\u2069", "U+2066（LEFT-TO-RIGHT ISOLATE）"),
    ("赵\u061c六", "U+061C（ARABIC LETTER MARK）"),
])
def test_format_controls_in_names_are_refused(tmp_path: Path, name: str, point: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for r in (["姓名", "性别"], ["钱七", "女"], [name, "男"]):
        ws.append(r)
    path = tmp_path / "bidi.xlsx"
    wb.save(path)
    conn = connect(tmp_path / "e.db")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    (p,) = r.problems
    assert (p.row, p.column) == (3, "姓名") and point in p.reason and "格式控制字符" in p.reason
    assert persons.list_persons(conn) == []
    conn.close()
    csv = tmp_path / "bidi.csv"
    csv.write_text(f"姓名,性别\n{name},男\n", encoding="utf-8")
    conn = connect(tmp_path / "c.db")
    r = import_register(conn, csv, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS and point in r.problems[0].reason
    conn.close()


# --- bombs --------------------------------------------------------------------------------

def test_xlsx_bomb_is_refused_in_seconds_with_bounded_memory(tmp_path: Path) -> None:
    """The file of the finding: 3 MB on disk, 950 MB of one sheet's rows once unpacked (under
    the old 1 GiB cap: it ran > 400 s and reached 8.2 GB). Refused by a real pollday process."""
    from app.bench.b_register import BOMB_UNPACKED, refuse_in_subprocess, write_xlsx_bomb

    bomb = write_xlsx_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 5 * limits.MIB
    info = openpyxl.reader.excel.ZipFile(bomb).getinfo("xl/worksheets/sheet1.xml")
    assert abs(info.file_size - BOMB_UNPACKED) < 1024  # 950 MB
    code, secs, peak_mb, err = refuse_in_subprocess(bomb, tmp_path / "bomb.db")
    assert code == 1
    assert "bomb.xlsx" in err and "xl/worksheets/sheet1.xml" in err and "950 MB" in err
    assert "上限 64 MB" in err
    assert secs < 10 and peak_mb < 300, (secs, peak_mb)
    assert not (tmp_path / "bomb.db").exists() or names_in(tmp_path / "bomb.db") == []


def _sheet_of(tmp_path: Path, name: str, row: Callable[[int], bytes], unpacked: int
              ) -> tuple[Path, float]:
    from app.bench.b_register import write_xlsx_bomb

    path = write_xlsx_bomb(tmp_path / name, unpacked, row=row)
    info = openpyxl.reader.excel.ZipFile(path).getinfo("xl/worksheets/sheet1.xml")
    return path, info.file_size / info.compress_size


def _empty_row(n: int) -> bytes:
    return f'<row r="{n}" ht="{n % 97}.{n % 13}"/>'.encode()


def _empty_cells(n: int) -> bytes:
    cells = "".join(f'<c s="{(n * 7 + i) % 10}"/>' for i in range(16))
    return f'<row r="{n % 1_000_000 + 2}">{cells}</row>'.encode()


@pytest.mark.parametrize(("row", "words"), [
    (_empty_row, "超过表格软件的上限 1,048,576 行"),
    (_empty_cells, "单元格（含空单元格）超过 3,000,000 个"),
])
def test_a_sheet_of_nothing_under_the_size_limits_is_refused_in_seconds(
        tmp_path: Path, row: Callable[[int], bytes], words: str) -> None:
    """Below the member size and ratio limits, empty rows or empty cells alone: refused by
    counting while streaming, in seconds."""
    path, ratio = _sheet_of(tmp_path, "empty.xlsx", row, 63 * limits.MIB)
    assert ratio < limits.MAX_RATIO  # the archive check lets it through
    t = time.perf_counter()
    got = sheets.read_table(path)
    secs = time.perf_counter() - t
    assert isinstance(got, sheets.Unreadable) and words in got.reason, got
    assert secs < 10, secs


def test_row_limit_counts_rows_with_data_in_both_readers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_ROWS", 50)
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["姓名"])
    for i in range(60):
        ws.append([f"人{i}"])
    buf = io.BytesIO()
    wb.save(buf)
    for reader in (sheets._read_xlsx_fast, sheets._read_xlsx_openpyxl):
        got = reader(buf.getvalue(), "many.xlsx", None)
        assert isinstance(got, sheets.Unreadable) and "超过 50 行数据（读到第51行）" in got.reason


def test_a_long_cell_is_refused(tmp_path: Path) -> None:
    from app.bench.b_register import write_xlsx_bomb

    long_row = b"<row><c t=\"inlineStr\"><is><t>" + b"x" * 40_000 + b"</t></is></c></row>"
    path = write_xlsx_bomb(tmp_path / "long.xlsx", 200_000, row=long_row)
    got = sheets.read_table(path)
    assert isinstance(got, sheets.Unreadable) and "40000 个字符，超过一个单元格的上限 32767" in got.reason
