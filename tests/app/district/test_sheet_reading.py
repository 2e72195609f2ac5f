"""Issue 13, import hygiene in the district's readers (the plan and the previous term): the
active visible sheet, error cells refused by cell, merged ranges refused naming the range,
format controls refused in community names, a bomb refused in seconds."""

from __future__ import annotations

import time
from pathlib import Path

import openpyxl

from app.district import sheets


def _plan(path: Path, rows: list[list[object]], *, hidden_first: bool = False) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    if hidden_first:
        ws.title = "旧计划"
        ws.append(["社区", "计划日期"])
        ws.append(["旧社区", "2020-01-01"])
        ws.sheet_state = "hidden"
        ws = wb.create_sheet("计划")
        wb.active = 1
    ws.append(["社区", "计划日期", "街道"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_plan_is_read_from_the_active_visible_sheet(tmp_path: Path) -> None:
    path = _plan(tmp_path / "plan.xlsx", [["甲社区", "2026-11-29", "东街道"]], hidden_first=True)
    assert sheets.read_plan(path) == [("甲社区", "2026-11-29", "东街道")]


def test_error_cells_are_refused_by_cell(tmp_path: Path) -> None:
    path = _plan(tmp_path / "plan.xlsx", [["甲社区", "#REF!", ""], ["#N/A", "2026-11-29", ""],
                                          ["乙社区", "2026-11-30", ""]])
    got = sheets.read_plan(path)
    assert isinstance(got, sheets.SheetProblems)
    assert got.messages == (
        "plan.xlsx（工作表「Sheet」）B2 是表格的错误值 #REF!（公式出错或引用失效），请改正后再导入",
        "plan.xlsx（工作表「Sheet」）A3 是表格的错误值 #N/A（公式出错或引用失效），请改正后再导入",
    )


def test_merged_ranges_below_the_header_are_refused_naming_them(tmp_path: Path) -> None:
    path = tmp_path / "plan.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "计划"
    ws.append(["社区换届计划"])
    ws.merge_cells("A1:C1")  # a title above the header: harmless
    ws.append(["社区", "计划日期", "街道"])
    for r in (["甲社区", "2026-11-29", "东街道"], ["乙社区", "2026-11-30", None],
              ["丙社区", "2026-12-01", None]):
        ws.append(r)
    ws.merge_cells("C3:C5")
    wb.save(path)
    got = sheets.read_plan(path)
    assert isinstance(got, sheets.SheetProblems)
    (msg,) = got.messages
    assert "C3:C5 是合并单元格" in msg and "取消合并" in msg and "A1:C1" not in msg


def test_format_controls_in_community_names_are_refused(tmp_path: Path) -> None:
    path = _plan(tmp_path / "plan.xlsx", [["甲\u202e社区", "2026-11-29", ""]])
    got = sheets.read_plan(path)
    assert isinstance(got, sheets.SheetProblems)
    assert got.messages == ("第2行：社区名称含有不可见的格式控制字符 U+202E（RIGHT-TO-LEFT OVERRIDE），"
                            "请删除后再导入",)


def test_previous_term_bomb_is_refused_in_seconds(tmp_path: Path) -> None:
    from app.bench.b_register import write_xlsx_bomb

    bomb = write_xlsx_bomb(tmp_path / "previous.xlsx")
    t = time.perf_counter()
    got = sheets.read_previous(bomb)
    assert time.perf_counter() - t < 10
    assert isinstance(got, sheets.SheetProblems)
    assert "previous.xlsx" in got.messages[0] and "超过上限 64 MB" in got.messages[0]
