"""Reading a register file into rows of strings: CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM,
GBK/GB18030 — detected, not asked; comma, tab or semicolon) and XLSX (openpyxl, read-only).

The kind of file is told by its content, not its name. Row numbers are those the user sees in
the spreadsheet (1-based, the header row included). A file that cannot be read is a returned
reason in Chinese, never an exception."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.register.fields import field_of, is_ignored
from app.register.limits import (
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_ROWS,
    CellError,
    CellRange,
    Counter,
    Refused,
    check_archive,
    column_letter,
    is_error,
    prescan,
    too_long,
    too_wide,
)

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

MAX_FILE_BYTES = 200 * 1024 * 1024
HEADER_SEARCH_ROWS = 20


@dataclass
class Table:
    file: str
    kind: str                 # 'csv' or 'xlsx'
    encoding: str             # CSV: the detected encoding; XLSX: ''
    sheet: str                # XLSX: the sheet read; CSV: ''
    header_row: int
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number, cells as text), empty rows left out
    # Cells that were numbers too long to be exact (an ID number typed into a number cell).
    lossy: set[tuple[int, int]] = field(default_factory=set)
    # Cells holding a spreadsheet error value (#REF!, #DIV/0! ...): (row, column, text).
    errors: list[tuple[int, int, str]] = field(default_factory=list)
    # Merged ranges below the header filled from their top-left cell: (range, value).
    merged: list[tuple[CellRange, str]] = field(default_factory=list)
    sheets: tuple[str, ...] = ()  # XLSX: every sheet in the file


@dataclass(frozen=True, slots=True)
class Unreadable:
    file: str
    reason: str
    choices: tuple[str, ...] = ()  # XLSX: several sheets hold a register: the user picks one


class Cancelled(Exception):
    """Raised inside reading when the cancel callable says so (caught by the importer)."""


def read_table(path: str | Path, cancel: Cancel | None = None, sheet: str | None = None
               ) -> Table | Unreadable:
    p = Path(path)
    name = p.name
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            return Unreadable(name, f"文件过大（{size // (1024 * 1024)} MB），名册文件不应超过200 MB")
        data = p.read_bytes()
    except OSError as e:
        return Unreadable(name, f"无法打开文件：{e.strerror or e}")
    return read_bytes(data, name, cancel, sheet)


def read_bytes(data: bytes, name: str, cancel: Cancel | None = None, sheet: str | None = None
               ) -> Table | Unreadable:
    if not data.strip():
        return Unreadable(name, "文件是空的")
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, name, cancel, sheet)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return Unreadable(name, "这是旧版 Excel（.xls）或 WPS 文件，请在表格软件中另存为 .xlsx 或 CSV 后再导入")
    if data[:5] == b"%PDF-":
        return Unreadable(name, "这是 PDF 文件，请导入 CSV 或 XLSX 格式的名册")
    return _read_csv(data, name, cancel)


# --- CSV ----------------------------------------------------------------------------------

def decode(data: bytes) -> tuple[str, str] | None:
    """(text, encoding name) or None when no supported encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "UTF-8 (BOM)"
        except UnicodeDecodeError:
            return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            return None
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "GBK/GB18030"
    except UnicodeDecodeError:
        return None


def _delimiter(text: str) -> str:
    """Comma, tab or semicolon: the one most used in the first lines (a title line above the
    headers has none)."""
    lines = [line for line in text[:20000].splitlines() if line.strip()][:HEADER_SEARCH_ROWS]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def _read_csv(data: bytes, name: str, cancel: Cancel | None) -> Table | Unreadable:
    decoded = decode(data)
    if decoded is None:
        return Unreadable(name, "无法识别文件编码（支持 UTF-8 和 GBK），或者这不是表格文件")
    text, encoding = decoded
    if "\x00" in text:
        return Unreadable(name, "文件含有二进制内容，不是 CSV 或 XLSX 表格")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=False)
    raw_rows: list[tuple[int, list[str]]] = []
    try:
        for n, row in enumerate(reader, start=1):
            if n % 2000 == 0 and cancel is not None and cancel():
                raise Cancelled
            raw_rows.append((n, row))
    except csv.Error as e:
        return Unreadable(name, f"第{reader.line_num}行：CSV 格式错误（{e}）")
    table = _table(name, "csv", encoding, "", raw_rows, set())
    # A sheet saved as CSV keeps its error values (#REF! ...) as text; no "#" in the file, no
    # error value: the cells are not walked.
    if isinstance(table, Table) and "#" in text:
        table.errors = [(n, c, v.strip()) for n, r in table.rows for c, v in enumerate(r)
                        if v[:1] == "#" and is_error(v)]
    return table


# --- XLSX ---------------------------------------------------------------------------------

def cell_text(value: object) -> tuple[str, bool]:
    """A cell as text, and whether it was a number too long to be exact."""
    if value is None:
        return "", False
    if isinstance(value, bool):
        return ("是" if value else "否"), False
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat(), False
        return value.isoformat(sep=" "), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, int):
        return str(value), abs(value) >= 10**15
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value), False
        if value.is_integer():
            return str(int(value)), abs(value) >= 1e15
        return repr(value), False
    if isinstance(value, dt.time | dt.timedelta):
        return str(value), False
    return str(value), False


Raw = list[tuple[int, list[object]]]


@dataclass(frozen=True, slots=True)
class SheetChoice:
    """The sheets to try, in order (the active visible one first), or why none can be read."""

    order: list[int]
    reason: str = ""


def choose_sheets(titles: Sequence[str], visible: Sequence[bool], active: int,
                  wanted: str | None) -> SheetChoice:
    """A sheet named by the user (hidden or not), else the active sheet when visible, then the
    other visible sheets. Hidden sheets are never read unless named."""
    if wanted is not None:
        if wanted in titles:
            return SheetChoice([list(titles).index(wanted)])
        return SheetChoice([], f"没有名为「{wanted}」的工作表；文件中的工作表：{sheet_list(titles, visible)}")
    shown = [i for i, v in enumerate(visible) if v]
    if not shown:
        return SheetChoice([], f"所有工作表都是隐藏的：{sheet_list(titles, visible)}；请取消隐藏名册所在的工作表")
    first = [active] if 0 <= active < len(titles) and visible[active] else []
    return SheetChoice(first + [i for i in shown if i not in first])


def sheet_list(titles: Sequence[str], visible: Sequence[bool]) -> str:
    return "、".join(f"「{t}」" + ("" if v else "（隐藏）") for t, v in zip(titles, visible, strict=True))


def _raw_to_text(raw: Raw, merged: Sequence[CellRange]
                 ) -> tuple[list[tuple[int, list[str]]], set[tuple[int, int]],
                            list[tuple[int, int, str]], list[tuple[CellRange, str]]]:
    """Cells as text; lossy numbers; error cells (row, column, text); merged ranges filled from
    their top-left cell (range, the value filled in)."""
    rows: list[tuple[int, list[str]]] = []
    lossy: set[tuple[int, int]] = set()
    errors: list[tuple[int, int, str]] = []
    for n, values in raw:
        cells: list[str] = []
        for c, v in enumerate(values):
            if type(v) is str:
                if v and v[0] == "#" and is_error(v):
                    errors.append((n, c, v.strip()))
                cells.append(v)
                continue
            if isinstance(v, CellError):
                errors.append((n, c, v.text))
                cells.append(v.text)
                continue
            text, is_lossy = cell_text(v)
            if is_lossy:
                lossy.add((n, c))
            cells.append(text)
        rows.append((n, cells))
    return rows, lossy, errors, _fill_merged(rows, merged)


def _fill_merged(rows: list[tuple[int, list[str]]], merged: Sequence[CellRange]
                 ) -> list[tuple[CellRange, str]]:
    """Spreadsheets keep a merged range's value in its top-left cell only: copy it into the
    range's other cells (of the rows present), as the user sees it on screen."""
    if not merged:
        return []
    by_no = {n: cells for n, cells in rows}
    filled: list[tuple[CellRange, str]] = []
    budget = MAX_CELLS
    for rng in merged:
        top = by_no.get(rng.min_row)
        value = top[rng.min_col] if top is not None and rng.min_col < len(top) else ""
        if not value.strip() or rng.min_col >= MAX_COLUMNS:
            continue
        last_col = min(rng.max_col, MAX_COLUMNS - 1)
        for r in range(rng.min_row, min(rng.max_row, rng.min_row + MAX_ROWS) + 1):
            cells = by_no.get(r)
            if cells is None:
                continue
            if len(cells) <= last_col:
                cells.extend([""] * (last_col + 1 - len(cells)))
            for c in range(rng.min_col, last_col + 1):
                cells[c] = value
            budget -= last_col + 1 - rng.min_col
            if budget < 0:
                raise Refused(f"合并单元格展开后超过 {MAX_CELLS:,} 个单元格，超过名册的上限，未读取")
        filled.append((rng, value))
    return filled


def _read_xlsx(data: bytes, name: str, cancel: Cancel | None, sheet: str | None = None
               ) -> Table | Unreadable:
    fast = _read_xlsx_fast(data, name, cancel, sheet)
    return fast if fast is not None else _read_xlsx_openpyxl(data, name, cancel, sheet)


SheetRead = Callable[[int], tuple[Raw, list[CellRange]]]


def _pick_sheet(name: str, titles: Sequence[str], visible: Sequence[bool], active: int,
                wanted: str | None, read: SheetRead) -> Table | Unreadable:
    """The sheet named, else the active visible sheet when it holds a register (a known
    header); else the one other visible sheet that does. Several: ask which, naming them."""
    choice = choose_sheets(titles, visible, active, wanted)
    if choice.reason:
        return Unreadable(name, choice.reason)
    first: Table | None = None
    found: list[Table] = []
    for i in choice.order:
        raw, merged = read(i)
        rows, lossy, errors, filled = _raw_to_text(raw, merged)
        table = _table(name, "xlsx", "", titles[i], rows, lossy)
        if not isinstance(table, Table):
            continue
        table.errors = [e for e in errors if e[0] >= table.header_row]
        table.merged = [(r, v) for r, v in filled if r.max_row > table.header_row]
        table.sheets = tuple(titles)
        if wanted is not None or (not found and first is None
                                  and _known_headers(table.headers) > 0):
            return table  # named, or the active sheet is a register: read it
        first = first or table
        if _known_headers(table.headers) > 0:
            found.append(table)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        return Unreadable(name, choices=tuple(t.sheet for t in found), reason="文件中有多个名册工作表：" + "、".join(f"「{t.sheet}」" for t in found)
                          + "，不知道该导入哪一个；请在表格软件中把要导入的工作表设为当前工作表后保存，"
                          "或用 --sheet 工作表名 指定")
    return first if first is not None else Unreadable(name, "表格中没有数据")


def _read_xlsx_fast(data: bytes, name: str, cancel: Cancel | None, sheet: str | None = None
                    ) -> Table | Unreadable | None:
    """The stdlib reader (app.register.xlsx); None when it cannot read the file."""
    from app.register.xlsx import Workbook

    def read(i: int) -> tuple[Raw, list[CellRange]]:
        raw: Raw = [(n, values) for n, values in wb.rows(wb.sheets[i], cancel)
                    if any(v is not None and v != "" for v in values)]
        return raw, wb.merged

    try:
        wb = Workbook(data)
        return _pick_sheet(name, [s.title for s in wb.sheets], [s.visible for s in wb.sheets],
                           wb.active, sheet, read)
    except Cancelled:
        raise
    except Refused as e:
        return Unreadable(name, e.reason)
    except Exception:  # noqa: BLE001 - anything unexpected: let openpyxl try (and explain)
        return None


def _openpyxl_rows(ws: object, cancel: Cancel | None) -> Raw:
    reset = getattr(ws, "reset_dimensions", None)
    if reset is not None:
        reset()  # the stored size is often wrong in files written by other tools
    counter = Counter()
    raw: Raw = []
    iter_rows = getattr(ws, "iter_rows")  # noqa: B009 - openpyxl's sheet types are untyped
    for n, values in enumerate(iter_rows(values_only=True), start=1):
        if n % 2000 == 0 and cancel is not None and cancel():
            raise Cancelled
        filled = 0
        for c, v in enumerate(values):
            if v is None or v == "":
                continue
            filled += 1
            ref = f"{column_letter(c)}{n}"
            too_wide(c, ref)
            if isinstance(v, str):
                too_long(v, ref)
        counter.row(filled, n)
        if filled:
            raw.append((n, list(values)))
    return raw


def _read_xlsx_openpyxl(data: bytes, name: str, cancel: Cancel | None, sheet: str | None = None
                        ) -> Table | Unreadable:
    # openpyxl is imported here: CSV-only use and the CLI start faster without it.
    import openpyxl

    from app.register.xlsx import merged_ranges

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_archive(zf)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Refused as e:
        return Unreadable(name, e.reason)
    except (zipfile.BadZipFile, KeyError) as e:
        return Unreadable(name, f"不是有效的 XLSX 文件（{type(e).__name__}），请用表格软件重新保存")
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        return Unreadable(name, f"XLSX 文件已损坏，无法读取（{type(e).__name__}: {str(e)[:80]}）")

    def read(i: int) -> tuple[Raw, list[CellRange]]:
        ws = wb.worksheets[i]
        part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
        if part:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                prescan(zf, part)
        return _openpyxl_rows(ws, cancel), merged_ranges(data, part)

    try:
        sheets = wb.worksheets
        active = sheets.index(wb.active) if wb.active in sheets else 0
        return _pick_sheet(name, [str(ws.title) for ws in sheets],
                           [getattr(ws, "sheet_state", "visible") == "visible" for ws in sheets],
                           active, sheet, read)
    except Cancelled:
        raise
    except Refused as e:
        return Unreadable(name, e.reason)
    except Exception as e:  # noqa: BLE001 - a broken sheet inside a valid zip
        return Unreadable(name, f"XLSX 文件已损坏，无法读取（{type(e).__name__}: {str(e)[:80]}）")
    finally:
        wb.close()


# --- header row ---------------------------------------------------------------------------

def _known_headers(cells: Iterable[str]) -> int:
    return sum(1 for c in cells if c.strip() and (field_of(c) is not None))


def _table(name: str, kind: str, encoding: str, sheet: str,
           raw_rows: Sequence[tuple[int, list[str]]], lossy: set[tuple[int, int]]
           ) -> Table | Unreadable:
    """Find the header row (a title such as “XX社区党员名册” may sit above it) and keep the
    non-empty rows below it."""
    strip = str.strip
    nonempty = [(n, r) for n, r in raw_rows if any(map(strip, r))]
    if not nonempty:
        return Unreadable(name, "表格中没有数据")
    header_at = 0
    for i, (_n, r) in enumerate(nonempty[:HEADER_SEARCH_ROWS]):
        known = _known_headers(r)
        if known >= 2 or (known == 1 and any(field_of(c) == "name" for c in r)):
            header_at = i
            break
    header_no, header_cells = nonempty[header_at]
    headers = [h.strip() for h in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    # Exports that print page by page repeat the header row: those repeats are not persons.
    repeat = [h.strip() for h in headers]
    n_rep = len(repeat)
    first = repeat[0] if repeat else ""
    # A row whose first cell differs from the first header is no repeat: checked first.
    rows = [(n, r) for n, r in nonempty[header_at + 1:]
            if (n_rep and (not r or strip(r[0]) != first))
            or [strip(c) for c in r[:n_rep]] != repeat]
    return Table(name, kind, encoding, sheet, header_no, headers, rows,
                 {(n, c) for n, c in lossy if n > header_no})


def unknown_headers(headers: Sequence[str]) -> list[str]:
    """Headers that are neither a known field nor a known column PollDay leaves out."""
    return [h for h in headers if h.strip() and field_of(h) is None and not is_ignored(h)]
