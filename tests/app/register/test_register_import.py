"""Importing register files: encodings, XLSX, every bad row reported, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from app.bench.data import HEADERS, register_rows, write_csv, write_xlsx
from app.model import PartyStatus
from app.register.importer import ImportStatus, import_register
from db import persons
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"


def csv_text(rows: list[list[str]]) -> str:
    return "\r\n".join(",".join(r) for r in rows) + "\r\n"


SIMPLE = [
    ["姓名", "性别", "出生年月", "身份证号", "支部", "党员类别", "是否户代表"],
    ["曾小明", "男", "1949.12", "110105194912310011", "第一支部", "正式党员", "是"],
    ["单　芳", "", "", "11010519491231002X", "第一支部", "预备党员", ""],
    ["李四", "女", "1980/1/1", "", "第二支部", "留党察看", "否"],
]


@pytest.fixture
def conn(db_path):
    return connect(db_path)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16"])
def test_encodings_are_detected(conn, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_text(SIMPLE).encode(encoding))
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.IMPORTED, r.problems
    got = persons.list_persons(conn)
    assert [p.name for p in got] == ["曾小明", "单芳", "李四"]
    a, b, c = got
    assert (a.gender, a.birth_date, a.party_status, a.household_rep) == (
        "M", "1949-12-31", PartyStatus.FULL, True)
    assert (b.gender, b.birth_date, b.id_number) == ("F", "1949-12-31", "11010519491231002X")
    assert (c.gender, c.birth_date, c.id_number, c.branch) == ("F", "1980-01-01", None, "第二支部")


def test_tab_separated_and_title_row(conn, tmp_path: Path) -> None:
    path = tmp_path / "名册.txt"
    lines = [["翠湖社区党员名册（2026年11月）"], [], *SIMPLE]
    path.write_text("\n".join("\t".join(r) for r in lines), encoding="utf-8")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.IMPORTED and r.count == 3


def test_exactly_three_bad_rows_import_nothing(conn, tmp_path: Path) -> None:
    rows = register_rows(40)
    rows[4]["公民身份号码"] = rows[4]["公民身份号码"][:-1] + ("0" if rows[4]["公民身份号码"][-1] != "0" else "1")
    rows[11]["性别"] = "女" if rows[11]["性别"] == "男" else "男"
    rows[30]["出生日期"] = "1975-02-30"
    path = write_csv(rows, tmp_path / "bad.csv")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    assert [(p.row, p.column) for p in r.problems] == [
        (6, "公民身份号码"), (13, "性别"), (32, "出生日期")]  # header is row 1
    assert "校验位" in r.problems[0].reason
    assert "身份证号显示为" in r.problems[1].reason
    assert "不存在" in r.problems[2].reason
    assert str(r.problems[0]).startswith("bad.csv 第6行「公民身份号码」：")
    assert persons.count_persons(conn) == 0
    assert conn.execute("SELECT count(*) FROM person_key").fetchone()[0] == 0


def test_duplicate_ids_in_file_and_on_register(conn, tmp_path: Path) -> None:
    rows = register_rows(10)
    first = write_csv(rows[:5], tmp_path / "a.csv")
    assert import_register(conn, first, now=NOW).count == 5
    second = rows[3:10] + [dict(rows[8], 姓名="冒名")]
    r = import_register(conn, write_csv(second, tmp_path / "b.csv"), now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    # rows[3], rows[4] (rows 2, 3) are already on the register; row 9 repeats row 7 (rows[8])
    assert [p.row for p in r.problems] == [2, 3, 9]
    assert "与第7行重复" in r.problems[2].reason
    fixed = write_csv(rows[3:10], tmp_path / "c.csv")
    r = import_register(conn, fixed, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    assert [p.row for p in r.problems] == [2, 3]
    assert all("已在名册中" in p.reason and p.column == "公民身份号码" for p in r.problems)
    assert rows[3]["姓名"] in r.problems[0].reason
    assert persons.count_persons(conn) == 5


def test_unknown_header_needs_mapping_then_explicit_mapping(conn, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(csv_text([["姓名", "所在党组织", "年龄"], ["张三", "第一支部", "40"]]), encoding="utf-8")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.NEEDS_MAPPING
    assert r.unknown_headers == ["所在党组织"]
    assert persons.count_persons(conn) == 0
    r = import_register(conn, path, now=NOW, mapping={"所在党组织": "branch"})
    assert r.status is ImportStatus.IMPORTED
    assert persons.list_persons(conn)[0].branch == "第一支部"
    r2 = import_register(conn, path, now=NOW, mapping={"所在党组织": None})
    assert r2.status is ImportStatus.IMPORTED
    assert persons.list_persons(conn)[1].branch == ""


def test_layout_problems(conn, tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(csv_text([["姓名", "支部", "党支部"], ["张三", "一", "二"]]), encoding="utf-8")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS and "都是所在党支部" in r.problems[0].reason
    path.write_text(csv_text([["性别", "支部"], ["男", "一"]]), encoding="utf-8")
    r = import_register(conn, path, now=NOW)
    assert "找不到「姓名」列" in r.problems[0].reason
    r = import_register(conn, path, now=NOW, mapping={"支部": "nonsense"})
    assert any("不存在" in p.reason for p in r.problems)
    path.write_text(csv_text([["姓名", "支部"]]), encoding="utf-8")
    assert "没有人员" in import_register(conn, path, now=NOW).problems[0].reason
    assert persons.count_persons(conn) == 0


@pytest.mark.parametrize(("content", "reason"), [
    (b"", "空"), (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
    (b"%PDF-1.4 ...", "PDF"), (b"PK\x03\x04garbage", "XLSX"), (b"\xff\xfe\x00", "编码"),
    (b"\x81\x30", "编码"), (b"a,b\x00c\n", "二进制"),
])
def test_unreadable_files(conn, tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(content)
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.UNREADABLE
    assert reason in r.problems[0].reason and r.problems[0].file == "x.csv"
    missing = import_register(conn, tmp_path / "nope.csv", now=NOW)
    assert missing.status is ImportStatus.UNREADABLE and "无法打开" in missing.problems[0].reason


def test_xlsx_with_title_row_date_cells_numbers_and_gaps(conn, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["翠湖社区居民名册"])
    ws.append([])
    ws.append(["序号", "姓名", "出生日期", "户号", "联系电话", "是否选民", "居民小组"])
    ws.append([1, "王芳", dt.datetime(1975, 3, 8), 301, 13800000000, "是", "第一组"])
    ws.append([])
    ws.append([2, "赵强", 27461, "0302", "13900000000", True, "第一组"])
    ws.append([3, "钱多", "1975.03", 303.0, None, "否", "第二组"])
    ws.append([4, "孙立", "not a date", 304, None, "是", "第二组"])
    path = tmp_path / "r.xlsx"
    wb.save(path)
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    assert [(p.row, p.column) for p in r.problems] == [(8, "出生日期")]
    ws.delete_rows(8)
    wb.save(path)
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.IMPORTED, r.problems
    got = [(p.name, p.birth_date, p.household, p.resident_voter) for p in persons.list_persons(conn)]
    assert got == [("王芳", "1975-03-08", "301", True), ("赵强", "1975-03-08", "0302", True),
                   ("钱多", "1975-03", "303", False)]
    assert persons.list_persons(conn)[0].resident_group == "第一组"


def test_xlsx_id_number_stored_as_number_is_refused(conn, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号"])
    wb.active.append(["王芳", 110105194912310010])
    path = tmp_path / "n.xlsx"
    wb.save(path)
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.BAD_ROWS
    assert (r.problems[0].row, r.problems[0].column) == (2, "身份证号")
    assert "存成了数字" in r.problems[0].reason


def test_progress_and_cancel(conn, tmp_path: Path) -> None:
    path = write_xlsx(register_rows(1200), tmp_path / "p.xlsx")
    seen: list[tuple[int, int]] = []
    r = import_register(conn, path, now=NOW, progress=lambda d, t: seen.append((d, t)))
    assert r.count == 1200
    assert seen[-1] == (2400, 2400) and seen == sorted(seen) and len(seen) >= 4
    calls = [0]

    def cancel_on_write() -> bool:  # let reading pass, cancel while writing
        calls[0] += 1
        return calls[0] > 2

    conn2 = connect(tmp_path / "c.db")
    r = import_register(conn2, path, now=NOW, cancel=cancel_on_write)
    assert r.status is ImportStatus.CANCELLED
    assert persons.count_persons(conn2) == 0
    assert not conn2.in_transaction
    r = import_register(conn2, path, now=NOW, cancel=lambda: True)
    assert r.status is ImportStatus.CANCELLED and persons.count_persons(conn2) == 0


def test_generated_register_headers_are_all_known() -> None:
    from app.register.sheets import unknown_headers

    assert unknown_headers(list(HEADERS)) == []


def test_repeated_header_rows_are_skipped(conn, tmp_path: Path) -> None:
    path = tmp_path / "pages.csv"
    path.write_text(csv_text([SIMPLE[0], SIMPLE[1], SIMPLE[0], SIMPLE[2]]), encoding="utf-8")
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.IMPORTED and r.count == 2


def test_xlsx_that_unpacks_too_big_is_refused(conn, tmp_path: Path) -> None:
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (5 << 20))
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buf.getvalue())
    assert path.stat().st_size < 100_000
    r = import_register(conn, path, now=NOW)
    assert r.status is ImportStatus.UNREADABLE and "压缩比" in r.problems[0].reason
    assert "xl/worksheets/sheet1.xml" in r.problems[0].reason and "250:1" in r.problems[0].reason
