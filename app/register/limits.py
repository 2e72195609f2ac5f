"""What a spreadsheet we read may be: limits tied to what a real register can be, error values,
merged ranges. Shared by the register's readers (app.register.xlsx and its openpyxl fallback)
and the district's plan / previous-term readers.

A register of 20,000 persons saved by LibreOffice is a 1.7 MB XLSX whose sheet XML unpacks to
12.8 MB (ratio 9) and whose shared strings are 2.4 MB. The limits leave five times that room
(100,000 persons), and refuse anything beyond in seconds, before it is unpacked:

    MAX_MEMBER_BYTES    64 MiB unpacked per file inside the XLSX (the 20k register: 12.8 MB)
    MAX_TOTAL_BYTES    128 MiB unpacked in all
    MAX_RATIO          250 : 1 unpacked to packed for any member above 1 MiB (real files: 2-20)
    MAX_SHARED_BYTES    32 MiB of shared strings (the 20k register: 2.4 MB)
    MAX_ROWS       100,000 rows with data
    MAX_CELLS    2,000,000 cells with data (100,000 rows of 20 columns; the 20k register: 17)
    MAX_COLUMNS        256 columns (a register has 10-30)
    MAX_CELL_CHARS  32,767 characters in one cell (Excel's own limit)
    MAX_ROW_ELEMENTS  1,048,576 rows in the XML, empty or not (Excel's own limit)
    MAX_CELL_ELEMENTS 3,000,000 cells in the XML, empty or not (counted in a fast first pass
                      over the sheet's bytes before parsing: parsing runs ~2 µs a cell)

The sizes checked are those of the zip's central directory, and Python's zipfile never returns
more bytes than a member declares (it stops there and checks the CRC), so a lying header only
makes the read fail; the rows and cells are counted while streaming.
"""

from __future__ import annotations

from dataclasses import dataclass
from zipfile import ZipFile

MIB = 1024 * 1024
MAX_MEMBER_BYTES = 64 * MIB
MAX_TOTAL_BYTES = 128 * MIB
MAX_RATIO = 250
MAX_SHARED_BYTES = 32 * MIB
MAX_MEMBERS = 10_000
MAX_ROWS = 100_000
MAX_CELLS = 2_000_000
MAX_COLUMNS = 256
MAX_CELL_CHARS = 32_767
# Rows and cells present in the sheet's XML, empty or not: no spreadsheet has more than
# 1,048,576 rows; empty styled cells are bounded so that a sheet of nothing is refused in seconds.
MAX_ROW_ELEMENTS = 1_048_576
MAX_CELL_ELEMENTS = 3_000_000

# What spreadsheets show for a formula that failed (Excel and LibreOffice write these into
# XLSX as cells of type 'e'; openpyxl and CSV exports give them as text).
ERROR_VALUES = frozenset({"#DIV/0!", "#REF!", "#N/A", "#VALUE!", "#NAME?", "#NUM!", "#NULL!",
                          "#SPILL!", "#CALC!", "#GETTING_DATA", "#FIELD!", "#BLOCKED!",
                          "#CONNECT!", "#BUSY!", "#UNKNOWN!"})


class Refused(Exception):
    """The file is beyond what a register can be: `reason` says which limit, in Chinese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class CellError:
    """A cell holding a spreadsheet error value (#REF!, #DIV/0! ...)."""

    text: str

    def __str__(self) -> str:
        return self.text


def is_error(value: object) -> bool:
    return isinstance(value, CellError) or (isinstance(value, str) and value.strip() in ERROR_VALUES)


def _mb(n: int) -> str:
    return f"{n / MIB:.0f} MB" if n >= MIB else f"{n / 1024:.0f} KB"


def check_archive(zf: ZipFile) -> None:
    """Raise Refused when the zip's members are beyond a register (sizes, ratio, count)."""
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise Refused(f"XLSX 内含 {len(infos)} 个文件，超过上限 {MAX_MEMBERS}，不像是一份名册，未读取")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        limit = MAX_SHARED_BYTES if info.filename.endswith("sharedStrings.xml") else MAX_MEMBER_BYTES
        if size > limit:
            raise Refused(f"XLSX 内的 {info.filename} 解压后有 {_mb(size)}，超过上限 {_mb(limit)}"
                          f"（两万人的名册约 13 MB），不像是一份名册，未读取")
        if size > MIB and size > MAX_RATIO * max(info.compress_size, 1):
            ratio = size // max(info.compress_size, 1)
            raise Refused(f"XLSX 内的 {info.filename} 压缩比为 {ratio}:1（{_mb(info.compress_size)} "
                          f"解压为 {_mb(size)}），超过上限 {MAX_RATIO}:1，疑似“压缩炸弹”，未读取")
    if total > MAX_TOTAL_BYTES:
        raise Refused(f"XLSX 解压后共 {_mb(total)}，超过上限 {_mb(MAX_TOTAL_BYTES)}，不像是一份名册，未读取")


class Counter:
    """Counts rows and cells with data while streaming; raises Refused past the limits."""

    __slots__ = ("rows", "cells", "elements")

    def __init__(self) -> None:
        self.rows = 0
        self.cells = 0
        self.elements = 0

    def row(self, cells: int, row_no: int, elements: int = 0) -> None:
        self.elements += elements
        if self.elements > MAX_CELL_ELEMENTS:
            raise Refused(f"工作表的单元格（含空单元格）超过 {MAX_CELL_ELEMENTS:,} 个（读到第{row_no}行），"
                          "超过名册的上限，未读取")
        if row_no > MAX_ROW_ELEMENTS:
            raise Refused(f"工作表的行号 {row_no} 超过表格软件的上限 {MAX_ROW_ELEMENTS:,} 行，未读取")
        if cells == 0:
            return
        self.rows += 1
        self.cells += cells
        if self.rows > MAX_ROWS:
            raise Refused(f"工作表超过 {MAX_ROWS:,} 行数据（读到第{row_no}行），超过名册的上限，未读取")
        if self.cells > MAX_CELLS:
            raise Refused(f"工作表超过 {MAX_CELLS:,} 个有内容的单元格（读到第{row_no}行），"
                          f"超过名册的上限，未读取")


def prescan(zf: ZipFile, part: str) -> None:
    """Count the rows and cells of a sheet part in its raw bytes (a C-speed pass, ~0.5 s for
    64 MB) and refuse a sheet of millions of empty cells before the slow parse."""
    pats_c = (b"<c ", b"<c>", b"<c/", b":c ", b":c>", b":c/")
    pats_r = (b"<row", b":row")
    cells = rows = 0
    tail = b""
    with zf.open(part) as fh:
        while True:
            chunk = fh.read(4 * MIB)
            if not chunk:
                return
            buf = tail + chunk
            cells += sum(buf.count(p) for p in pats_c)
            rows += sum(buf.count(p) for p in pats_r)
            tail = buf[-4:]
            # a match inside the kept tail is counted again with the next chunk: subtract it
            cells -= sum(tail.count(p) for p in pats_c)
            rows -= sum(tail.count(p) for p in pats_r)
            if cells > MAX_CELL_ELEMENTS:
                raise Refused(f"工作表的单元格（含空单元格）超过 {MAX_CELL_ELEMENTS:,} 个，超过名册的上限，未读取")
            if rows > MAX_ROW_ELEMENTS:
                raise Refused(f"工作表超过表格软件的上限 {MAX_ROW_ELEMENTS:,} 行，未读取")


def too_long(text: str, ref: str) -> None:
    if len(text) > MAX_CELL_CHARS:
        raise Refused(f"单元格 {ref} 有 {len(text)} 个字符，超过一个单元格的上限 {MAX_CELL_CHARS}，未读取")


def too_wide(col: int, ref: str) -> None:
    if col >= MAX_COLUMNS:
        raise Refused(f"单元格 {ref} 在第 {col + 1} 列，名册不超过 {MAX_COLUMNS} 列，未读取")


def column_letter(col: int) -> str:
    """'A' for 0."""
    out = ""
    n = col + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


@dataclass(frozen=True, slots=True)
class CellRange:
    """A merged range: rows 1-based as the user sees them, columns 0-based."""

    ref: str
    min_row: int
    min_col: int
    max_row: int
    max_col: int


def parse_range(ref: str) -> CellRange | None:
    import re

    m = re.fullmatch(r"\$?([A-Z]{1,3})\$?(\d{1,7})(?::\$?([A-Z]{1,3})\$?(\d{1,7}))?", ref.strip().upper())
    if not m:
        return None
    c1, r1 = _col(m[1]), int(m[2])
    c2, r2 = (_col(m[3]), int(m[4])) if m[3] else (c1, r1)
    return CellRange(ref.strip(), min(r1, r2), min(c1, c2), max(r1, r2), max(c1, c2))


def _col(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
