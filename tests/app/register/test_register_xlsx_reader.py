"""The fast XLSX reader gives exactly what openpyxl gives (and falls back to it)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont

from app.register import sheets
from app.register.xlsx import Workbook, _column


def both(data: bytes) -> tuple[object, object]:
    return sheets._read_xlsx_fast(data, "f.xlsx", None), sheets._read_xlsx_openpyxl(data, "f.xlsx", None)


def _book(epoch_1904: bool = False) -> bytes:
    wb = openpyxl.Workbook()
    if epoch_1904:
        wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    ws = wb.active
    ws.title = "说明"
    ws.append(["这一页不是名册"])
    reg = wb.create_sheet("名册")
    reg.append(["翠湖社区名册"])
    reg.append([])
    reg.append(["姓名", "出生日期", "身份证号", "户号", "是否选民", "备注", "时间"])
    reg.append(["王芳", dt.datetime(1975, 3, 8), "11010519491231002X", 301, True, None, dt.time(8, 30)])
    reg.append([CellRichText([TextBlock(InlineFont(b=True), "欧阳"), "娜娜"]), dt.date(1990, 1, 2),
                110105194912310029, 3.5, False, "a&b<c>", None])
    reg["J9"] = "远处的格子"
    reg.append([None, None, None, None, None, None, None])
    cell = reg.cell(row=12, column=2, value=27461)
    cell.number_format = "yyyy/m/d"
    reg.cell(row=12, column=1, value="赵强")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_fast_reader_matches_openpyxl() -> None:
    for epoch in (False, True):
        fast, slow = both(_book(epoch))
        assert isinstance(fast, sheets.Table)
        assert fast == slow
        assert fast.sheet == "名册" and fast.header_row == 3
        rows = dict(fast.rows)
        assert rows[4][:5] == ["王芳", "1975-03-08", "11010519491231002X", "301", "是"]
        assert rows[5][0] == "欧阳娜娜" and rows[5][5] == "a&b<c>" and rows[5][3] == "3.5"
        # a serial day number with a date format: the workbook's epoch decides the day
        assert rows[12][:2] == ["赵强", "1979-03-09" if epoch else "1975-03-08"]
        assert (5, 2) in fast.lossy


def test_fast_reader_reads_libreoffice_sheet_like_openpyxl() -> None:
    from register_paths import LIBREOFFICE_XLSX

    data = LIBREOFFICE_XLSX.read_bytes()
    wb = Workbook(data)
    (sheet,) = wb.sheets
    head = []
    for n, values in wb.rows(sheet):
        head.append((n, values))
        if n == 3:
            break
    assert head[1][1][3] == dt.datetime(1965, 10, 27) and head[1][1][14] == 17473622146


def test_broken_xml_falls_back_to_openpyxl_message() -> None:
    fast = sheets._read_xlsx_fast(b"PK\x03\x04" + bytes(100), "f.xlsx", None)
    assert fast is None
    got = sheets.read_bytes(b"PK\x03\x04" + bytes(100), "f.xlsx")
    assert isinstance(got, sheets.Unreadable) and "XLSX" in got.reason


def test_column_letters() -> None:
    assert [_column(r) for r in ("A1", "Z9", "AA1", "AB12", "XFD1048576")] == [0, 25, 26, 27, 16383]


@settings(max_examples=25, deadline=None)
@given(cells=st.lists(st.lists(st.one_of(
    st.none(), st.booleans(), st.integers(-10**17, 10**17),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.dates(dt.date(1901, 1, 1), dt.date(2099, 12, 31)),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)),
    min_size=1, max_size=6), min_size=1, max_size=8))
def test_readers_agree_on_random_cells(cells: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号", "出生日期", "户号", "备注", "是否选民"])
    for row in cells:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    fast, slow = both(buf.getvalue())
    assert fast == slow
