"""A register without a column that decides the vote (姓名/性别/出生日期/文化程度/居民小组, no
是否选民) passed the import dialog's check as "逐行检查全部通过" and nobody could vote. The preview
now says so before the import, naming the column and the values that count, and still imports."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from PySide6.QtCore import Qt

from db import persons as db_persons
from tests.gui.conftest import open_window, wait_for
from ui.pages.import_dialog import ImportDialog

HEADERS = ["姓名", "性别", "出生日期", "文化程度", "居民小组"]
SURNAMES = "王李张刘陈杨黄赵吴周"


def write_xlsx(path: Path, *, voter_column: bool = False) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名册"
    ws.append(HEADERS + (["是否选民"] if voter_column else []))
    for i in range(30):
        row = [f"{SURNAMES[i % 10]}{'一二三'[i // 10]}号", "男" if i % 2 else "女",
               f"19{60 + i}-0{1 + i % 9}-1{i % 10}", "高中", f"第{'一二三'[i % 3]}居民小组"]
        ws.append(row + (["是"] if voter_column else []))
    wb.save(path)
    return path


def preview(window, qtbot, path: Path) -> ImportDialog:
    dialog = ImportDialog(window.ctx, window.show_step("prepare"))
    qtbot.addWidget(dialog)
    dialog.resize(1366, 768)
    dialog.start(path)
    wait_for(qtbot, lambda: dialog.stage not in ("idle", "reading"), timeout=10000)
    assert dialog.stage == "preview", dialog.summary.text()
    return dialog


def test_no_voter_column_is_told_before_the_import(empty_window, qtbot, tmp_path, shot):
    window = empty_window
    dialog = preview(window, qtbot, write_xlsx(tmp_path / "名册.xlsx"))
    text = dialog.summary.text()
    assert "共 30 人" in text
    assert "注意（可照常导入）：导入后“翠湖社区第十二届居民委员会选举大会”（全体选民直接选举）应到 0 人" \
        in text, text
    assert "“是否选民”" in text and "填“是”" in text, text
    shot(dialog, "import-no-voter-column")
    # Told, not refused (the CLI imports it too): the register goes in.
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    wait_for(qtbot, lambda: dialog.stage == "done", timeout=10000)
    assert len(db_persons.list_persons(window.ctx.conn)) == 30


def test_a_register_with_the_column_is_not_warned(empty_window, qtbot, tmp_path):
    dialog = preview(empty_window, qtbot, write_xlsx(tmp_path / "名册.xlsx", voter_column=True))
    text = dialog.summary.text()
    assert "共 30 人" in text and "居民委员会选举大会" not in text, text


def test_a_new_database_without_meetings_is_told_too(qtbot, tmp_path, shot):
    from ui.main_window import create_database

    path = tmp_path / "新库.db"
    create_database(path).close()
    for window in open_window(qtbot, path):
        assert window.ctx.meeting is None
        dialog = preview(window, qtbot, write_xlsx(tmp_path / "名册.xlsx"))
        text = dialog.summary.text()
        assert "导入后没有一人有表决权" in text and "“是否选民”" in text, text
        shot(dialog, "import-no-voter-column-new-database")
