"""Refusals come before the work (walk B findings 3, 5): a button whose action the signed-on
person may not do is disabled with a tooltip naming who may, and pressed anyway the refusal
comes at the first click, before any question, file or diff. Refreshed when the person changes.
开始投票 is disabled once voting has started (while the round is voted and counted)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from db.connection import connect
from tests.gui.test_counting_page import counting_db
from tests.gui.test_staff_signon import PIN, add_staff_list, open_signed_on, pick_name
from tests.gui.test_switch_person_clean import open_switch


def switch_to(qtbot, window, name: str) -> None:
    dialog = open_switch(qtbot, window)
    pick_name(qtbot, dialog.form.name_box, name)
    dialog.form.pin.setFocus()
    qtbot.keyClicks(dialog.form.pin, PIN[name])
    qtbot.keyClick(dialog.form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert window.ctx.actor.name == name


def test_start_voting_is_the_hosts_before_the_question_and_off_once_started(
        qtbot, tmp_path, shot):
    path = counting_db(tmp_path / "vote.db")
    add_staff_list(path)
    gen, window = open_signed_on(qtbot, path, "孙计票")
    window.resize(1366, 768)
    page = window.show_step("meeting")
    button = page.open_button
    assert not button.isEnabled() and "主持人" in button.toolTip()
    shot(window, "meeting-start-voting-teller")
    page.ask_open_voting()                 # reached anyway (a shortcut): refused at once
    assert page.refusal is not None and page.refusal.isVisible()
    assert "主持人" in page.refusal.text() and "孙计票" in page.refusal.text()
    assert getattr(page, "confirm", None) is None
    page.refusal.close()
    switch_to(qtbot, window, "赵主持")
    assert button.isEnabled() and "冻结" in button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    box = page.confirm
    assert box.isVisible()
    box.button(QMessageBox.StandardButton.Ok).click()
    qtbot.waitUntil(page.is_idle, timeout=10000)
    conn = connect(path)
    assert conn.execute("SELECT count(*) FROM voting_round").fetchone()[0] == 1
    conn.close()
    # Voting started: 开始投票 is off, its tooltip says why and where the next round starts.
    assert not button.isEnabled()
    assert "已开始投票" in button.toolTip() and "结果" in button.toolTip()
    qtbot.wait(50)
    shot(window, "meeting-voting-started-button-off")
    gen.close()


def test_a_teller_is_told_before_the_delete_question_and_the_host_gets_it(
        qtbot, tmp_path, shot):
    path = counting_db(tmp_path / "staff.db")
    add_staff_list(path)
    gen, window = open_signed_on(qtbot, path, "孙计票")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    page.table.setFocus()
    page.table.selectRow(0)                               # 赵主持
    assert not page.remove_button.isEnabled() and not page.add_group.isEnabled()
    assert "主持人" in page.remove_button.toolTip()
    shot(window, "staff-page-teller")
    qtbot.keyClick(page.table, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)  # 删除(&D)
    page.ask_remove()                                      # and reached anyway
    assert page.dialog is None                             # no question was asked
    assert "孙计票（计票人）不能操作" in page.message.text()
    switch_to(qtbot, window, "赵主持")
    assert page.remove_button.isEnabled() and page.add_group.isEnabled()
    assert "孙计票" not in page.message.text()
    gen.close()


def test_a_desk_clerk_cannot_type_into_the_meeting_fields_and_the_host_can(
        qtbot, tmp_path, shot):
    path = counting_db(tmp_path / "meet.db")
    add_staff_list(path)
    gen, window = open_signed_on(qtbot, path, "钱签到")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="会议设置")
    page.list.setFocus()
    page.list.setCurrentRow(next(i for i, m in enumerate(page.all) if m.is_current))
    stored = page.title.text()
    assert stored and not page.title.isEnabled() and not page.save_button.isEnabled()
    assert "主持人" in page.title.toolTip() and "钱签到" in page.save_button.toolTip()
    page.title.setFocus()
    qtbot.keyClicks(page.title, "x")                 # a disabled field takes no key
    assert page.title.text() == stored
    shot(window, "meeting-setup-desk-clerk")
    page.save()                                      # 保存 reached anyway: said, nothing saved
    assert "钱签到（签到员）不能操作" in page.message.text()
    switch_to(qtbot, window, "赵主持")
    assert page.title.isEnabled() and page.save_button.isEnabled()
    assert not page.code.isEnabled()                 # fixed once the meeting exists
    page.title.setFocus()
    qtbot.keyClick(page.title, Qt.Key.Key_End)
    qtbot.keyClicks(page.title, "2")
    qtbot.keyClick(page.save_button, Qt.Key.Key_Space)
    assert page.message.text().startswith("已保存") and window.ctx.meeting.title == stored + "2"
    gen.close()


def test_a_teller_is_refused_the_register_import_before_a_file_is_read(qtbot, tmp_path, shot):
    from ui.pages.import_dialog import ImportDialog

    path = counting_db(tmp_path / "reg.db")
    add_staff_list(path)
    gen, window = open_signed_on(qtbot, path, "孙计票")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="名册")
    assert not page.import_button.isEnabled() and "主持人" in page.import_button.toolTip()
    sheet = tmp_path / "名册.csv"
    sheet.write_text("姓名,身份证号\n张三,110101199003077777\n", encoding="utf-8")
    dialog = ImportDialog(window.ctx, page)
    dialog.start(sheet)                                  # a file dropped on it: not read
    assert dialog.stage == "done" and dialog.task is None
    assert "不能导入名册" in dialog.done_label.text() and "孙计票（计票人）" in dialog.done_label.text()
    shot(dialog, "import-refused-teller")
    dialog.close()
    switch_to(qtbot, window, "赵主持")
    assert page.import_button.isEnabled()
    gen.close()
