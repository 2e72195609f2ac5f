"""准备 · 工作人员名单: the idle lock's minutes are the 主持人's. A 签到员 signed on at the page
set them to 0 (不锁定) for the whole database; now the box is off for them (its tooltip
says who may) and the use case refuses too."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import session
from tests.gui.test_staff_signon import open_signed_on, staff_db  # noqa: F401 - the fixture


def test_a_desk_clerk_cannot_switch_the_idle_lock_off(qtbot, staff_db):  # noqa: F811
    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    page = window.show_step("prepare", tab="工作人员名单")
    before = session.idle_lock_minutes(window.ctx.conn)
    # Off, saying who may, before anyone types (the 签到员 changed it until Enter refused).
    assert not page.idle.isEnabled()
    assert "「管理工作人员名单」只有主持人可以操作" in page.idle.toolTip()
    page.idle.setFocus()
    page.idle.selectAll()
    qtbot.keyClicks(page.idle, "0")
    qtbot.keyClick(page.idle, Qt.Key.Key_Return)
    assert session.idle_lock_minutes(window.ctx.conn) == before
    assert page.idle.value() == before
    gen.close()
