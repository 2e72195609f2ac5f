"""Issue 13: a workbook with two sheets that both hold a register (the active one holds none):
the import dialog asks which, naming them; the one picked is read, its merged 支部 cells are
filled from their top-left cell and said so under the summary, and only its persons are
imported."""

from __future__ import annotations

import openpyxl
from PySide6.QtCore import Qt

from db import persons as db_persons
from ui.pages.import_dialog import ImportDialog


def _workbook(path) -> None:
    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "说明"
    notes.append(["本表由居委会填写，每个网格一页"])
    one = wb.create_sheet("第一网格")
    one.append(["姓名", "性别", "支部"])
    one.append(["网格一的人", "男", "第一支部"])
    two = wb.create_sheet("第二网格")
    two.append(["姓名", "性别", "支部"])
    for name in ("周一", "周二", "周三"):
        two.append([name, "女", None])
    two["C2"] = "第二支部"
    two.merge_cells("C2:C4")
    wb.save(path)


def test_the_dialog_asks_which_sheet_and_notes_merged_cells(empty_window, qtbot, tmp_path, shot):
    window = empty_window
    path = tmp_path / "网格名册.xlsx"
    _workbook(path)
    page = window.show_step("prepare")
    dialog = ImportDialog(window.ctx, page)
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.start(path)
    qtbot.waitUntil(lambda: dialog.stage not in ("idle", "reading"), timeout=10000)
    assert dialog.stage == "sheet", dialog.summary.text()
    assert "「第一网格」、「第二网格」" in dialog.summary.text()
    assert dialog.next_button.text() == "读取此工作表"
    shot(dialog, "import-sheet-choice")
    qtbot.keyClick(dialog.sheet_list, Qt.Key.Key_Down)  # the list has the focus: pick the second
    qtbot.keyClick(dialog.sheet_list, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.stage == "preview", timeout=10000)
    text = dialog.summary.text()
    assert "共 3 人" in text and "工作表 第二网格" in text
    assert "合并单元格 C2:C4：第2至4行都按左上角的值「第二支部」读入" in text
    shot(dialog, "import-sheet-merged-note")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.stage == "done", timeout=10000)
    got = [(p.name, p.branch) for p in db_persons.list_persons(window.ctx.conn)]
    assert got == [("周一", "第二支部"), ("周二", "第二支部"), ("周三", "第二支部")]
