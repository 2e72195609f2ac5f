"""A desk added on 准备 → 签到台设置 is offered at once on the 签到 page built earlier (it was
offered only after a restart, and sign-ins were recorded at the stand-in desk "签到台")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent

from app import attendance
from tests.gui.conftest import wait_for


def type_chinese(qtbot, widget, text: str) -> None:
    widget.setFocus()
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    qtbot.keyClick(widget, Qt.Key.Key_End)
    widget.event(event)


def test_a_desk_added_in_setup_is_offered_on_the_signin_page(window, qtbot, shot):
    window.showNormal()
    window.resize(1366, 768)
    assert window.ctx.meeting is not None
    signin = window.show_step("signin", tab="签到台")   # built (and seen) before the desks exist
    wait_for(qtbot, lambda: signin.ready)
    assert [signin.desk_box.itemText(i) for i in range(signin.desk_box.count())] == ["签到台"]

    setup = window.show_step("prepare", tab="签到台设置")
    for name in ("一号台", "二号台"):
        type_chinese(qtbot, setup.name, name)
        qtbot.mouseClick(setup.add_button, Qt.MouseButton.LeftButton)
        assert f"已添加签到台：{name}" in setup.message.text()
        assert setup.isVisible() and not signin.search_box.hasFocus()

    signin = window.show_step("signin", tab="签到台")
    desks = [signin.desk_box.itemText(i) for i in range(signin.desk_box.count())]
    assert desks == ["一号台", "二号台"], desks
    signin.desk_box.setCurrentIndex(signin.desk_box.findText("二号台"))
    qtbot.wait(30)
    shot(window, "desk-list-follows-setup")

    # Removing 一号台 keeps 二号台 chosen; a sign-in is recorded at it.
    setup = window.show_step("prepare", tab="签到台设置")
    setup.table.setCurrentCell(0, 0)
    qtbot.mouseClick(setup.remove_button, Qt.MouseButton.LeftButton)
    signin = window.show_step("signin", tab="签到台")
    assert [signin.desk_box.itemText(i) for i in range(signin.desk_box.count())] == ["二号台"]
    assert signin.desk_name == "二号台"
    signin.search_box.setText("曾凡荣")
    wait_for(qtbot, lambda: [p.name for p in signin.found] == ["曾凡荣"])
    zeng = signin.found[0]
    qtbot.keyClick(signin.search_box, Qt.Key.Key_Return)
    wait_for(qtbot, lambda: "曾凡荣" in signin.feedback.text())
    standing = attendance.standing_of(window.ctx.conn, window.ctx.meeting, zeng.id)
    assert standing.sign_in is not None and standing.sign_in.desk == "二号台"
