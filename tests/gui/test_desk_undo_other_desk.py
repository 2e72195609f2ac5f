"""Walk finding: a 签到员 refused undoing a sign-in made at 二号台 switched the 签到台 list to
二号台 and undid it. On a laptop serving several desks, a 签到员 undoes only the sign-ins they
recorded; another's needs the 主持人 — whichever desk the list shows."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import staff
from tests.gui.test_staff_signon import (  # noqa: F401
    CLOCK,
    PIN,
    choose_at_desk,
    open_signed_on,
    sign_in_at_desk_two,
    staff_db,
)


def test_switching_the_desk_list_does_not_let_a_clerk_undo_another_desks_sign_in(
        qtbot, staff_db):  # noqa: F811
    from app import attendance, meetings
    from app.permissions import Actor
    from db.connection import connect
    from ui.widgets.feedback import Tone

    setup = connect(staff_db)   # the host laptop serves two desks
    chair = staff.sign_on(setup, "赵主持", PIN["赵主持"], clock=CLOCK)
    party = meetings.current_meeting(setup)
    assert isinstance(chair, Actor) and party is not None
    for name in ("一号台", "二号台"):
        assert isinstance(meetings.add_desk(setup, party.id, name, [], clock=CLOCK, actor=chair),
                          meetings.Desk)
    setup.close()
    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    conn = window.ctx.conn
    zeng = sign_in_at_desk_two(window)
    desk = window.show_step("signin", tab="签到台")
    # the 签到台 list switched to 二号台 with the keyboard
    desk.desk_box.setFocus()
    for _ in range(desk.desk_box.count()):
        if desk.desk_box.currentText() == "二号台":
            break
        qtbot.keyClick(desk.desk_box, Qt.Key.Key_Down)
    assert desk.desk_name == "二号台"
    events = conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0]
    choose_at_desk(qtbot, desk, zeng, "zfr")
    qtbot.mouseClick(desk.undo_chosen_button, Qt.MouseButton.LeftButton)
    if desk.dialog is not None and desk.dialog.isVisible():   # a reason asked first: give one
        desk.dialog.reason.setCurrentText("签错人")
        qtbot.mouseClick(desk.dialog.ok_button, Qt.MouseButton.LeftButton)
    assert desk.feedback.tone is Tone.RED
    text = desk.feedback.text()
    assert "曾凡荣" in text and "「撤销其他签到台的签到」只有主持人可以操作" in text
    assert conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0] == events
    assert attendance.standing_of(conn, window.ctx.meeting, zeng.id).sign_in is not None
    gen.close()
