"""The import dialog tells which 学历 texts the table of levels cannot place, under the preview's
summary, and imports the file anyway (the texts kept as written)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from db import persons as db_persons
from ui.pages.import_dialog import ImportDialog

ROWS = [["姓名", "性别", "出生年月", "学历", "支部"],
        ["陈一", "男", "1960.1", "中等专科", "第一支部"],
        ["陈二", "女", "1970.2", "MBA", "第一支部"],
        ["陈三", "男", "1980.3", "无", "第一支部"],
        ["陈四", "女", "1981.4", "大学本科", "第一支部"],
        ["陈五", "男", "1982.5", "无", "第二支部"]]


def test_unplaced_education_is_noted_and_the_file_imports(empty_window, qtbot, tmp_path, shot):
    window = empty_window
    path = tmp_path / "名册.csv"
    path.write_text("\n".join(",".join(r) for r in ROWS), encoding="utf-8")
    page = window.show_step("prepare")
    dialog = ImportDialog(window.ctx, page)
    qtbot.addWidget(dialog)
    dialog.resize(1100, 640)
    dialog.start(path)
    qtbot.waitUntil(lambda: dialog.stage not in ("idle", "reading"), timeout=10000)
    assert dialog.stage == "preview", dialog.summary.text()
    text = dialog.summary.text()
    assert "注意（可照常导入）" in text
    assert "第3行「学历」：学历「MBA」不在学历表中" in text and "名册.csv" not in text
    assert "「学历」：第4行、第6行：学历「无」说不清是哪一级" in text
    assert "中等专科" not in text and "大学本科" in text  # the advice names the levels
    assert text.count("按“不详”计") == 1
    shot(dialog, "import-education-note")
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.stage == "done", timeout=10000)
    assert [p.education for p in db_persons.list_persons(window.ctx.conn)] == [
        "中等专科", "MBA", "无", "大学本科", "无"]


def test_a_register_giving_nobody_a_vote_warns_in_the_dialog(empty_window, qtbot, tmp_path, shot):
    """A residents' meeting of every voter, a register without 是否选民: 应到 0, said at import."""
    from app import meetings
    from app.model import Form, Organisation, RuleSet

    window = empty_window
    got = meetings.create_meeting(
        window.ctx.conn, code="res", title="示例社区居民选举大会", community="示例社区",
        organisation=Organisation.RESIDENTS_COMMITTEE, rules=RuleSet.RESIDENTS, form=Form.ALL,
        date="2026-11-22", clock=window.ctx.clock, actor="t")
    assert not isinstance(got, meetings.Refusal), got
    path = tmp_path / "名册.csv"
    path.write_text("\n".join(",".join(r) for r in ROWS), encoding="utf-8")
    dialog = ImportDialog(window.ctx, window.show_step("prepare"))
    qtbot.addWidget(dialog)
    dialog.resize(1100, 640)
    dialog.start(path)
    qtbot.waitUntil(lambda: dialog.stage not in ("idle", "reading"), timeout=10000)
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.stage == "done", timeout=10000)
    text = dialog.done_label.text()
    assert "已导入 5 人" in text and "警告：示例社区居民选举大会" in text and "应到 0 人" in text
    assert "是否选民" in text, text
    shot(dialog, "import-nobody-votes")
