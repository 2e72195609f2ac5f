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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.register.fields import field_of, is_ignored

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


@dataclass(frozen=True, slots=True)
class Unreadable:
    file: str
    reason: str


class Cancelled(Exception):
    """Raised inside reading when the cancel callable says so (caught by the importer)."""


def read_table(path: str | Path, cancel: Cancel | None = None) -> Table | Unreadable:
    p = Path(path)
    name = p.name
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            return Unreadable(name, f"文件过大（{size // (1024 * 1024)} MB），名册文件不应超过200 MB")
        data = p.read_bytes()
    except OSError as e:
        return Unreadable(name, f"无法打开文件：{e.strerror or e}")
    return read_bytes(data, name, cancel)


def read_bytes(data: bytes, name: str, cancel: Cancel | None = None) -> Table | Unreadable:
    if not data.strip():
        return Unreadable(name, "文件是空的")
    if data[:4] == b"PK\x03\x04":
        too_big = _unpacked_too_big(data)
        if too_big:
            return Unreadable(name, too_big)
        return _read_xlsx(data, name, cancel)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return Unreadable(name, "这是旧版 Excel（.xls）或 WPS 文件，请在表格软件中另存为 .xlsx 或 CSV 后再导入")
    if data[:5] == b"%PDF-":
        return Unreadable(name, "这是 PDF 文件，请导入 CSV 或 XLSX 格式的名册")
    return _read_csv(data, name, cancel)


MAX_UNPACKED_BYTES = 1024 * 1024 * 1024


def _unpacked_too_big(data: bytes) -> str:
    """A reason when the XLSX would unpack to more than 1 GB (a damaged or hostile file)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            total = sum(i.file_size for i in z.infolist())
    except Exception:  # noqa: BLE001 - not a readable zip: the readers explain that
        return ""
    if total > MAX_UNPACKED_BYTES:
        return f"XLSX 文件解压后超过 1 GB（{total // (1024 * 1024)} MB），不像是一份名册"
    return ""


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
    return _table(name, "csv", encoding, "", raw_rows, set())


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


def _sheet_rows(ws: object, cancel: Cancel | None) -> tuple[list[tuple[int, list[str]]],
                                                           set[tuple[int, int]]]:
    rows: list[tuple[int, list[str]]] = []
    lossy: set[tuple[int, int]] = set()
    iter_rows = getattr(ws, "iter_rows")  # noqa: B009 - openpyxl's sheet types are untyped
    for n, values in enumerate(iter_rows(values_only=True), start=1):
        if n % 2000 == 0 and cancel is not None and cancel():
            raise Cancelled
        cells: list[str] = []
        for c, v in enumerate(values):
            text, is_lossy = cell_text(v)
            if is_lossy:
                lossy.add((n, c))
            cells.append(text)
        rows.append((n, cells))
    return rows, lossy


def _read_xlsx(data: bytes, name: str, cancel: Cancel | None) -> Table | Unreadable:
    fast = _read_xlsx_fast(data, name, cancel)
    return fast if fast is not None else _read_xlsx_openpyxl(data, name, cancel)


def _pick_sheet(name: str, sheets: Iterable[tuple[str, list[tuple[int, list[str]]],
                                                  set[tuple[int, int]]]]) -> Table | Unreadable:
    """The first sheet with a known header, else the first sheet with data."""
    best: Table | None = None
    for title, rows, lossy in sheets:
        table = _table(name, "xlsx", "", title, rows, lossy)
        if isinstance(table, Table) and _known_headers(table.headers) > 0:
            return table
        if best is None and isinstance(table, Table):
            best = table
    return best if best is not None else Unreadable(name, "表格中没有数据")


def _read_xlsx_fast(data: bytes, name: str, cancel: Cancel | None) -> Table | Unreadable | None:
    """The stdlib reader (app.register.xlsx); None when it cannot read the file."""
    from app.register.xlsx import Workbook

    def sheets() -> Iterator[tuple[str, list[tuple[int, list[str]]], set[tuple[int, int]]]]:
        for sheet in wb.sheets:
            rows: list[tuple[int, list[str]]] = []
            lossy: set[tuple[int, int]] = set()
            for n, values in wb.rows(sheet, cancel):
                cells: list[str] = []
                for c, v in enumerate(values):
                    if type(v) is str:
                        cells.append(v)
                        continue
                    text, is_lossy = cell_text(v)
                    if is_lossy:
                        lossy.add((n, c))
                    cells.append(text)
                rows.append((n, cells))
            yield sheet.title, rows, lossy

    try:
        wb = Workbook(data)
        return _pick_sheet(name, sheets())
    except Cancelled:
        raise
    except Exception:  # noqa: BLE001 - anything unexpected: let openpyxl try (and explain)
        return None


def _read_xlsx_openpyxl(data: bytes, name: str, cancel: Cancel | None) -> Table | Unreadable:
    # openpyxl is imported here: CSV-only use and the CLI start faster without it.
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError) as e:
        return Unreadable(name, f"不是有效的 XLSX 文件（{type(e).__name__}），请用表格软件重新保存")
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        return Unreadable(name, f"XLSX 文件已损坏，无法读取（{type(e).__name__}: {str(e)[:80]}）")
    def sheets() -> Iterator[tuple[str, list[tuple[int, list[str]]], set[tuple[int, int]]]]:
        for ws in wb.worksheets:
            reset = getattr(ws, "reset_dimensions", None)
            if reset is not None:
                reset()  # the stored size is often wrong in files written by other tools
            rows, lossy = _sheet_rows(ws, cancel)
            yield str(ws.title), rows, lossy

    try:
        return _pick_sheet(name, sheets())
    except Cancelled:
        raise
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
