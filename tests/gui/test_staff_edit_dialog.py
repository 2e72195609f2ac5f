"""工作人员名单: the 主持人 edits a member's roles, 总监票人 flag and linked register person in a
dialog driven by keys (Enter on the row or 修改角色, Alt+J, Space on the boxes, the register search, Enter
saves, Esc cancels); a refusal (a candidate as 监票人, the last 主持人) is said in the dialog and
nothing is written; a 签到员 is refused before the dialog opens."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import staff
from app.permissions import Role
from db import audit as db_audit
from db import persons as db_persons
from tests.gui.test_desk_page import type_chinese
from tests.gui.test_staff_signon import STAFF, open_signed_on, staff_db  # noqa: F401


def _row(page, name: str) -> int:
    return next(r for r in range(page.table.rowCount()) if page.table.item(r, 0).text() == name)


def _open_edit(qtbot, page, name: str):
    page.table.setFocus()
    page.table.selectRow(_row(page, name))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)   # Enter on the row opens the dialog
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=3000)
    page.dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page.dialog, timeout=3000)
    return page.dialog


def _over(window, dialog):
    """The window at 1366x768 with the dialog drawn where it stands (a grab of the window
    leaves its dialogs out)."""
    from PySide6.QtGui import QPainter
    from PySide6.QtWidgets import QLabel

    canvas = window.grab()
    painter = QPainter(canvas)
    top_left = dialog.geometry().topLeft() - window.geometry().topLeft()
    painter.drawPixmap(top_left, dialog.grab())
    painter.end()
    label = QLabel()
    label.setPixmap(canvas)
    label.resize(canvas.size())
    return label


def _edits(conn) -> int:
    return sum(1 for r in db_audit.rows(conn) if r["action"] == "staff_edited")


def test_the_host_edits_roles_chief_and_link_by_keys(qtbot, staff_db, shot):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    conn = window.ctx.conn
    dialog = _open_edit(qtbot, page, "钱签到")
    assert dialog.windowTitle() == "修改工作人员：钱签到"
    assert dialog.role_boxes[Role.DESK].isChecked() and not dialog.chief.isChecked()
    assert QApplication.focusWidget() is dialog.role_boxes[Role.HOST]
    # Tab to 监票人, Space; then to 总监票人, Space
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.role_boxes[Role.SCRUTINEER]
    qtbot.keyClick(dialog.role_boxes[Role.SCRUTINEER], Qt.Key.Key_Space)
    qtbot.keyClick(dialog.role_boxes[Role.SCRUTINEER], Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is dialog.chief
    qtbot.keyClick(dialog.chief, Qt.Key.Key_Space)
    # the register person: Alt+L to the search, type, Enter picks (and does not save)
    person = next(p for p in db_persons.list_persons(conn) if p.name == "曾凡荣")
    qtbot.keyClick(dialog, Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    assert QApplication.focusWidget() is dialog.picker.box
    type_chinese(dialog.picker.box, "曾凡荣")
    qtbot.keyClick(dialog.picker.box, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.picker.person is not None
    assert dialog.picker.person.id == person.id
    assert "签到员、监票人（总监票人）" in dialog.summary.text()
    shot(dialog, "staff-edit-dialog")
    shot(_over(window, dialog), "staff-edit-dialog-window")
    dialog.save_button.setFocus()
    qtbot.keyClick(dialog.save_button, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    m = next(x for x in staff.list_staff(conn) if x.name == "钱签到")
    assert m.roles == (Role.DESK, Role.SCRUTINEER) and m.chief and m.person_id == person.id
    row = _row(page, "钱签到")
    assert page.table.item(row, 1).text() == "签到员、监票人（总监票人）"
    assert page.table.item(row, 3).text() == "曾凡荣"
    assert "已修改 钱签到" in page.message.text()
    last = db_audit.rows(conn)[-1]
    assert last["action"] == "staff_edited" and last["actor"] == "赵主持"
    # unlink and Esc: Esc leaves everything as it was
    dialog = _open_edit(qtbot, page, "钱签到")
    assert dialog.picker.person is not None and dialog.picker.person.id == person.id
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and _edits(conn) == 1
    gen.close()


def test_refusals_are_said_in_the_dialog_and_nothing_is_written(qtbot, staff_db, shot):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    window.resize(1366, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    conn = window.ctx.conn
    # the last 主持人 demoted
    dialog = _open_edit(qtbot, page, "赵主持")
    dialog.role_boxes[Role.HOST].setFocus()
    qtbot.keyClick(dialog.role_boxes[Role.HOST], Qt.Key.Key_Space)
    qtbot.keyClick(dialog.role_boxes[Role.HOST], Qt.Key.Key_Tab)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)   # 签到员
    dialog.save_button.click()
    assert dialog.isVisible() and "唯一的主持人" in dialog.problem.text()
    # no role at all: said live, save refused
    qtbot.keyClick(dialog.role_boxes[Role.DESK], Qt.Key.Key_Space)
    assert "至少选一个角色" in dialog.problem.text() and not dialog.save_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    # a member linked to a candidate is made 监票人
    from app.meetings import add_candidate, add_contest
    from app.model import ContestKind

    contest = add_contest(conn, window.ctx.meeting.id, code="c1", title="委员", seats=1,
                          kind=ContestKind.COMMITTEE, clock=window.ctx.clock,
                          actor=window.ctx.actor)
    p = next(x for x in db_persons.list_persons(conn) if x.name == "曾凡荣")
    got = add_candidate(conn, contest.id, name=p.name, person_id=p.id, clock=window.ctx.clock,
                        actor=window.ctx.actor)
    assert not hasattr(got, "code"), got
    dialog = _open_edit(qtbot, page, "钱签到")
    dialog.picker.set_person(p)
    dialog.role_boxes[Role.SCRUTINEER].setChecked(True)
    dialog.save_button.click()
    assert dialog.isVisible() and "不得由候选人担任" in dialog.problem.text()
    shot(dialog, "staff-edit-dialog-refused")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert _edits(conn) == 0
    assert [m.roles for m in staff.list_staff(conn)][:2] == [(Role.HOST,), (Role.DESK,)]
    gen.close()


def test_a_desk_clerk_is_refused_before_the_dialog_opens(qtbot, staff_db):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    page = window.show_step("prepare", tab="工作人员名单")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
    page.table.setFocus()
    page.table.selectRow(_row(page, "孙计票"))
    qtbot.keyClick(page.table, Qt.Key.Key_Return)
    assert page.dialog is None or not page.dialog.isVisible()
    assert "只有主持人可以操作" in page.message.text()
    assert _edits(window.ctx.conn) == 0 and len(STAFF) == page.table.rowCount()
    gen.close()


def test_the_signed_on_host_editing_themselves_sees_their_new_roles(qtbot, staff_db):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    page = window.show_step("prepare", tab="工作人员名单")
    dialog = _open_edit(qtbot, page, "赵主持")
    qtbot.keyClick(dialog.role_boxes[Role.HOST], Qt.Key.Key_Tab)      # 签到员
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)   # Enter saves
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    actor = window.ctx.actor
    assert actor.verified and actor.has(Role.DESK) and actor.has(Role.HOST)
    assert window.signed_label.text() == "使用本机：赵主持（主持人、签到员）"
    gen.close()
