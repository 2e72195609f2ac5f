"""One sheet's raw cell values, read under the register's limits (app.register.limits): for the
district's small input sheets (the plan, the previous term), which want numbers and dates as
the spreadsheet holds them rather than text. The sheet is the one named, else the active visible
one; hidden sheets are never read unless named. Error cells arrive as `CellError`, merged ranges
as they are in the file (the caller decides)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from app.register.limits import CellRange, Refused, check_archive, prescan
from app.register.sheets import MAX_FILE_BYTES, Raw, Unreadable, choose_sheets


@dataclass
class Grid:
    sheet: str
    rows: Raw                                  # (row number, values), rows with data only
    merged: list[CellRange] = field(default_factory=list)


def read_grid(path: Path, sheet: str | None = None) -> Grid | Unreadable:
    name = path.name
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return Unreadable(name, f"文件过大，表格不应超过 {MAX_FILE_BYTES // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as e:
        return Unreadable(name, f"无法打开文件：{e.strerror or e}")
    if data[:4] != b"PK\x03\x04":
        return Unreadable(name, "不是 XLSX 文件，请在表格软件中另存为 .xlsx 后再导入")
    try:
        got = _fast(data, name, sheet)
        return got if got is not None else _openpyxl(data, name, sheet)
    except Refused as e:
        return Unreadable(name, e.reason)


def _fast(data: bytes, name: str, sheet: str | None) -> Grid | Unreadable | None:
    from app.register.xlsx import Workbook

    try:
        wb = Workbook(data)
        choice = choose_sheets([s.title for s in wb.sheets], [s.visible for s in wb.sheets],
                               wb.active, sheet)
        if choice.reason:
            return Unreadable(name, choice.reason)
        chosen = wb.sheets[choice.order[0]]
        rows: Raw = [(n, values) for n, values in wb.rows(chosen)
                     if any(v is not None and v != "" for v in values)]
        return Grid(chosen.title, rows, list(wb.merged))
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - anything unexpected: let openpyxl try (and explain)
        return None


def _openpyxl(data: bytes, name: str, sheet: str | None) -> Grid | Unreadable:
    import openpyxl

    from app.register.sheets import _openpyxl_rows
    from app.register.xlsx import merged_ranges

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_archive(zf)
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Refused:
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds on a broken file
        return Unreadable(name, f"XLSX 文件已损坏，无法读取（{type(e).__name__}: {str(e)[:80]}）")
    try:
        sheets = wb.worksheets
        active = sheets.index(wb.active) if wb.active in sheets else 0
        choice = choose_sheets([str(ws.title) for ws in sheets],
                               [getattr(ws, "sheet_state", "visible") == "visible" for ws in sheets],
                               active, sheet)
        if choice.reason:
            return Unreadable(name, choice.reason)
        ws = sheets[choice.order[0]]
        part = str(getattr(ws, "_worksheet_path", "")).lstrip("/")
        if part:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                prescan(zf, part)
        return Grid(str(ws.title), _openpyxl_rows(ws, None), merged_ranges(data, part))
    except Refused:
        raise
    except Exception as e:  # noqa: BLE001 - a broken sheet inside a valid zip
        return Unreadable(name, f"XLSX 文件已损坏，无法读取（{type(e).__name__}: {str(e)[:80]}）")
    finally:
        wb.close()
