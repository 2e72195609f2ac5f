"""The register page: filter as you type, and the import flow end to end on real files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from app.register.idcard import make_id_number
from db import persons as db_persons
from ui.pages.import_dialog import ImportDialog


def names(page) -> list[str]:
    return [page.model.person(r).name for r in range(page.model.rowCount())]


def type_filter(qtbot, page, text: str) -> None:
    page.filter.setText(text)  # keyClicks cannot type Chinese; the timer runs the query
    qtbot.waitUntil(lambda: not page.filter_timer.isActive(), timeout=2000)


@pytest.mark.parametrize(("query", "expected"), [
    ("曾", ["曾凡荣"]),
    ("欧阳", ["欧阳红梅"]),
    ("zengfan", ["曾凡荣"]),  # the surname reading, not pypinyin's default "ceng"
    ("shanguo", ["单国栋"]),
    ("zfr", ["曾凡荣"]),
    ("oyhm", ["欧阳红梅"]),
    ("0279", ["吉𠮷"]),  # last digits of the ID number
    ("033x", ["张喆"]),
    ("王䶮", ["王䶮"]),
])
def test_filter_by_name_pinyin_initials_and_id_digits(window, qtbot, query, expected):
    page = window.current_page()
    type_filter(qtbot, page, query)
    assert names(page) == expected
    assert page.count_label.text() == f"找到 {len(expected)} 人（共 6 人）"


def test_filter_cleared_shows_everyone_and_no_match_says_so(window, qtbot, shot):
    page = window.current_page()
    type_filter(qtbot, page, "xyzq")
    assert names(page) == [] and "没有找到“xyzq”" in page.count_label.text()
    type_filter(qtbot, page, "")
    assert len(names(page)) == 6 and page.count_label.text() == "共 6 人"
    # ID numbers are masked in the table, never shown whole.
    id_cell = page.model.index(0, 3).data()
    assert id_cell.startswith("110105") and "*" * 8 in id_cell
    shot(window, "register-all")


def test_keyboard_ctrl_f_type_down_arrow_escape(window, qtbot):
    from PySide6.QtCore import Qt

    page = window.current_page()
    page.table.setFocus()
    qtbot.keyClick(page, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert page.filter.hasFocus()
    qtbot.keyClicks(page.filter, "zfr")
    qtbot.waitUntil(lambda: names(page) == ["曾凡荣"], timeout=2000)
    qtbot.keyClick(page.filter, Qt.Key.Key_Down)
    assert page.table.hasFocus() and page.table.currentIndex().row() == 0
    page.filter.setFocus()
    qtbot.keyClick(page.filter, Qt.Key.Key_Escape)
    assert page.filter.text() == ""
    qtbot.waitUntil(lambda: len(names(page)) == 6, timeout=2000)


def csv_file(path: Path, rows: list[list[str]], header: list[str] | None = None,
             encoding: str = "utf-8") -> Path:
    header = header or ["序号", "姓名", "性别", "公民身份号码", "所在党支部", "人员类别"]
    lines = [",".join(header)] + [",".join(r) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def good_rows(n: int, start: int = 100) -> list[list[str]]:
    rows = []
    for i in range(n):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=3 * i)  # distinct: one number each
        gender = "M" if i % 2 else "F"
        rows.append([str(i + 1), f"李{'一二三四五六七八九十'[i % 10]}{'甲乙丙丁'[i // 10 % 4]}{i}",
                     "男" if gender == "M" else "女",
                     make_id_number("320102", born, (start + i) % 500, gender), "第一党支部", "正式党员"])
    return rows


def open_dialog(window, qtbot, path: Path) -> ImportDialog:
    page = window.show_step("prepare")
    dialog = ImportDialog(window.ctx, page)
    qtbot.addWidget(dialog)
    dialog.start(path)
    qtbot.waitUntil(lambda: dialog.stage not in ("idle", "reading"), timeout=10000)
    return dialog


def test_import_with_a_bad_row_lists_it_and_writes_nothing(window, qtbot, tmp_path, shot):
    rows = good_rows(3)
    rows[1][3] = rows[1][3][:-1] + ("0" if rows[1][3][-1] != "0" else "1")  # wrong check digit
    rows[2][2] = "未知"
    dialog = open_dialog(window, qtbot, csv_file(tmp_path / "名册.csv", rows, encoding="gbk"))
    assert dialog.stage == "problems"
    listed = [dialog.rows_model.row(r) for r in range(dialog.rows_model.rowCount())]
    assert [(row, col) for row, col, _reason in listed] == [(3, "公民身份号码"), (4, "性别")]
    assert all(reason for _r, _c, reason in listed)
    assert "名册没有导入任何人" in dialog.summary.text()
    assert not dialog.next_button.isVisible()
    shot(dialog, "import-bad-rows")
    assert db_persons.count_persons(window.ctx.conn) == 6


def test_import_of_a_good_file_shows_a_preview_then_imports_with_progress(
        empty_window, qtbot, tmp_path, shot):
    window = empty_window
    n = 2400
    dialog = open_dialog(window, qtbot, csv_file(tmp_path / "名册.csv", good_rows(n)))
    assert dialog.stage == "preview", dialog.summary.text()
    assert dialog.rows_model.rowCount() == 50 and f"共 {n} 人" in dialog.summary.text()
    assert dialog.next_button.text() == f"导入 {n} 人"
    shot(dialog, "import-preview")
    seen: list[tuple[int, int]] = []
    dialog.progress.valueChanged.connect(
        lambda v: dialog.stage == "importing" and seen.append((v, dialog.progress.maximum())))
    qtbot.mouseClick(dialog.next_button, qtbot_left())
    qtbot.waitUntil(lambda: dialog.stage == "done", timeout=20000)
    assert dialog.imported is not None and dialog.imported.count == n
    assert "已导入 2400 人" in dialog.done_label.text()
    assert seen and all(0 <= d <= t for d, t in seen) and seen[-1][0] == seen[-1][1]
    assert db_persons.count_persons(window.ctx.conn) == n
    page = window.current_page()
    qtbot.waitUntil(lambda: page.is_loaded() and page.count_label.text() == f"共 {n} 人")


def test_unknown_header_asks_for_the_mapping_then_imports(window, qtbot, tmp_path, shot):
    header = ["姓名", "性别", "公民身份号码", "党组织", "人员类别"]
    path = csv_file(tmp_path / "unknown.csv", good_rows(4), header=None)
    # Rewrite with an unknown "党组织" header in place of 所在党支部 and without the 序号 column.
    rows = [r[1:] for r in good_rows(4)]
    path = csv_file(tmp_path / "unknown.csv", rows, header=header)
    dialog = open_dialog(window, qtbot, path)
    assert dialog.stage == "mapping"
    assert "党组织" in dialog.chosen_mapping()
    shot(dialog, "import-mapping")
    dialog.set_mapping("党组织", "branch")
    dialog.next_step()
    qtbot.waitUntil(lambda: dialog.stage == "preview", timeout=10000)
    dialog.next_step()
    qtbot.waitUntil(lambda: dialog.stage == "done", timeout=10000)
    added = db_persons.list_persons(window.ctx.conn)[6:]
    assert [p.branch for p in added] == ["第一党支部"] * 4


def test_cancelled_import_writes_nothing(empty_window, qtbot, tmp_path):
    window = empty_window
    dialog = open_dialog(window, qtbot, csv_file(tmp_path / "big.csv", good_rows(6000)))
    assert dialog.stage == "preview"
    dialog.next_step()
    assert dialog.stage == "importing"
    dialog.cancel_or_close()
    qtbot.waitUntil(lambda: dialog.stage == "done", timeout=20000)
    assert "已取消" in dialog.done_label.text()
    assert db_persons.count_persons(window.ctx.conn) == 0


def test_reimport_shows_the_changes_then_applies_them(window, qtbot, tmp_path, shot):
    from tests.gui.conftest import person_records

    header = ["姓名", "性别", "公民身份号码", "所在党支部", "人员类别"]
    zeng = person_records()[0]
    rows = [[zeng.name, "男", zeng.id_number, "第二党支部", "正式党员"],  # moved branch
            good_rows(1)[0][1:]]  # someone new
    dialog = open_dialog(window, qtbot, csv_file(tmp_path / "更新.csv", rows, header=header))
    assert dialog.stage == "preview", dialog.summary.text()
    assert "新增 1 人，变更 1 人，文件中没有 5 人" in dialog.summary.text()
    listed = [dialog.rows_model.row(r) for r in range(dialog.rows_model.rowCount())]
    assert listed[0][0] == "新增" and listed[0][1] == 3
    assert listed[1] == ("变更", 2, "曾凡荣", "所在党支部：第一党支部 → 第二党支部")
    assert [r[2] for r in listed[2:]] == ["王䶮", "吉𠮷", "欧阳红梅", "单国栋", "张喆"]
    shot(dialog, "import-reimport-diff")
    assert db_persons.count_persons(window.ctx.conn) == 6  # nothing written before 应用更改
    dialog.next_step()
    qtbot.waitUntil(lambda: dialog.stage == "done", timeout=10000)
    assert dialog.applied is not None and dialog.applied.ok
    assert "已新增 1 人，变更 1 人" in dialog.done_label.text()
    assert db_persons.count_persons(window.ctx.conn) == 7
    assert db_persons.get_by_id_number(window.ctx.conn, zeng.id_number).branch == "第二党支部"


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
