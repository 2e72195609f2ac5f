"""Fresh-eyes walk findings on sign-on and the staff list (8, 12, 13, 17, 19): what the screens
say and in which order they ask."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app import staff
from db import persons as db_persons
from db.connection import connect
from tests.gui.test_staff_signon import (  # noqa: F401
    CLOCK,
    PIN,
    choose_at_desk,
    open_signed_on,
    sign_in_at_desk_two,
    staff_db,
)


@pytest.mark.parametrize("width", [1366])
def test_the_staff_table_fits_without_scrolling_sideways(qtbot, staff_db, shot, width):  # noqa: F811
    conn = connect(staff_db)
    host = staff.sign_on(conn, "赵主持", PIN["赵主持"], clock=CLOCK)
    pid = db_persons.get_by_name(conn, "欧阳红梅")[0].id
    assert isinstance(staff.add_staff(conn, "欧阳红梅", ["签到员", "计票人", "工作人员"], "864209",
                                      actor=host, clock=CLOCK, person_id=pid), staff.Member)
    for _ in range(staff.THROTTLE_FREE + 1):
        staff.sign_on(conn, "孙计票", "000001", clock=CLOCK)   # PIN输错 and 暂停登录至 filled in
    conn.close()
    gen, window = open_signed_on(qtbot, staff_db, "赵主持")
    window.resize(width, 768)
    page = window.show_step("prepare", tab="工作人员名单")
    page.reload()
    qtbot.wait(50)
    table = page.table
    assert any(table.item(r, 5).text() for r in range(table.rowCount()))
    shot(window, f"staff-page-{width}")
    assert not table.horizontalScrollBar().isVisible()
    header = table.horizontalHeader()
    last = table.columnCount() - 1
    assert header.sectionViewportPosition(last) + header.sectionSize(last) \
        <= table.viewport().width()
    fm = header.fontMetrics()
    for c in range(table.columnCount()):
        if c == 1:
            continue   # the roles column takes the rest (the full text in its tooltip)
        assert header.sectionSize(c) >= fm.horizontalAdvance(
            table.horizontalHeaderItem(c).text()), table.horizontalHeaderItem(c).text()
        for r in range(table.rowCount()):
            assert header.sectionSize(c) >= fm.horizontalAdvance(table.item(r, c).text())
    for r in range(table.rowCount()):
        assert table.item(r, 1).toolTip() == table.item(r, 1).text()
    gen.close()


def test_the_unlock_says_counting_is_open_again_and_who_ends_it(qtbot, tmp_path, shot):
    from tests.gui.test_staff_signon import locked_round_db, results_page, round_state

    path = locked_round_db(tmp_path / "locked.db")
    gen, window = open_signed_on(qtbot, path, "吴总监")
    page = results_page(qtbot, window)
    page.unlock_button.setFocus()
    qtbot.keyClick(page.unlock_button, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=3000)
    page.dialog.reason.setEditText("发现录入错误，须更正后重新锁定")
    page.dialog.ok_button.click()
    qtbot.waitUntil(lambda: round_state(path) == "open", timeout=5000)
    qtbot.waitUntil(page.is_idle, timeout=5000)
    said = page.message.text()
    assert "已解除锁定" in said and "发现录入错误" in said
    assert "计票已重新打开" in said and "主持人" in said and "结束计票" in said, said
    assert "两名监票人" in said and "锁定" in said, said
    # The round's own finding names who ends counting, too.
    qtbot.waitUntil(lambda: any("计票尚未结束" in page.findings.item(i).text()
                                for i in range(page.findings.count())), timeout=5000)
    line = next(page.findings.item(i).text() for i in range(page.findings.count())
                if "计票尚未结束" in page.findings.item(i).text())
    assert "主持人" in line and "投票计票" in line, line
    window.resize(1366, 768)
    shot(window, "results-unlocked")
    gen.close()


def test_undo_by_a_clerk_who_may_not_is_refused_before_a_reason_is_asked(qtbot, staff_db):  # noqa: F811
    from ui.widgets.feedback import Tone

    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    zeng = sign_in_at_desk_two(window)
    desk = window.show_step("signin", tab="签到台")
    choose_at_desk(qtbot, desk, zeng, "zfr")
    qtbot.mouseClick(desk.undo_chosen_button, Qt.MouseButton.LeftButton)
    assert desk.dialog is None or not desk.dialog.isVisible()    # no reason asked for
    assert desk.feedback.tone is Tone.RED
    text = desk.feedback.text()
    assert "曾凡荣" in text and "只有主持人可以操作" in text and "钱签到（签到员）不能操作" in text
    gen.close()


def test_a_notice_of_an_unlocked_result_is_refused_before_the_output_folder_is_asked(
        qtbot, tmp_path, monkeypatch):
    from tests.gui.test_counting_page import counting_db
    from tests.gui.test_counting_results import counted_round
    from tests.gui.test_staff_signon import add_staff_list, results_page
    from ui import output_folder

    path = tmp_path / "open.db"
    counting_db(path)
    counted_round(path, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])   # counted, not locked
    add_staff_list(path)
    asked: list[object] = []
    monkeypatch.setattr(output_folder, "choose_folder",
                        lambda _parent, suggestion: asked.append(suggestion) or "")
    gen, window = open_signed_on(qtbot, path, "赵主持")
    page = results_page(qtbot, window)
    panel = page.print_panel
    button = panel.buttons["notice"]
    # Greyed before the lock, the reason in its tooltip (a click used to give a red refusal).
    assert not button.isEnabled() and "尚未锁定" in button.toolTip()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked == []                                   # no folder asked for a refusal
    assert panel.status.text() == ""
    panel.make_pdf("notice")                             # reached anyway: refused, no folder
    assert asked == []
    assert "未能生成" in panel.status.text() and "尚未锁定" in panel.status.text()
    assert "计票结果公告" in panel.status.text()
    assert not panel.tasks
    gen.close()


def test_a_refusal_said_to_one_person_goes_when_another_signs_on(qtbot, staff_db):  # noqa: F811
    from tests.gui.test_staff_signon import sign_on_in

    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    page = window.show_step("prepare", tab="工作人员名单")
    page.ask_remove()                            # by a shortcut: refused before the question
    assert "钱签到（签到员）不能操作" in page.message.text()
    qtbot.mouseClick(window.header.switch_button, Qt.MouseButton.LeftButton)   # 切换人员
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    sign_on_in(qtbot, window.sign_on_dialog.form, "赵主持", PIN["赵主持"])
    qtbot.waitUntil(lambda: window.ctx.actor.name == "赵主持", timeout=3000)
    assert "不能操作" not in page.message.text()
    gen.close()


def test_the_clerks_refusal_goes_when_the_chief_signs_on_for_the_unlock(qtbot, tmp_path):
    from tests.gui.test_staff_signon import locked_round_db, results_page, sign_on_in

    path = locked_round_db(tmp_path / "locked.db")
    gen, window = open_signed_on(qtbot, path, "周监票")
    page = results_page(qtbot, window)
    page.unlock_button.setFocus()
    qtbot.keyClick(page.unlock_button, Qt.Key.Key_Space)
    assert "周监票（监票人）不能操作" in page.message.text()
    sign_on_in(qtbot, page.person_dialog.form, "吴总监", PIN["吴总监"])
    qtbot.waitUntil(lambda: page.dialog is not None and page.dialog.isVisible(), timeout=3000)
    assert "不能操作" not in page.message.text()
    assert "吴总监" in page.message.text()
    gen.close()


def test_reopening_shows_one_login_not_two_stacked(qtbot, staff_db, shot):  # noqa: F811
    from tests.gui.conftest import open_window
    from tests.gui.test_staff_signon import sign_on_in

    gen = open_window(qtbot, staff_db)
    window = next(gen)
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    assert window.locked                                   # the page is dimmed beneath
    assert not window.lock_overlay.panel.isVisible()      # but asks only once: the dialog
    window.resize(1366, 768)
    shot(window, "reopen-login")
    qtbot.keyClick(window.sign_on_dialog.form.pin, Qt.Key.Key_Escape)   # put off
    qtbot.waitUntil(lambda: not window.sign_on_dialog.isVisible(), timeout=3000)
    assert window.locked and window.lock_overlay.panel.isVisible()   # the lock's own form now
    shot(window, "reopen-login-put-off")
    # No one is signed on: no name chosen in advance, the name box first.
    qtbot.waitUntil(lambda: window.focusWidget() is window.lock_overlay.form.name_box,
                    timeout=3000)
    sign_on_in(qtbot, window.lock_overlay.form, "赵主持", PIN["赵主持"])
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    gen.close()


def test_the_close_question_says_present_and_attending_apart(qtbot, small_db):
    from PySide6.QtWidgets import QApplication

    from tests.gui.conftest import open_window
    from tests.gui.test_window_day import answer_box, sign_in_someone

    sign_in_someone(small_db, "曾凡荣")
    got = sign_in_someone(small_db, "吉𠮷")          # 预备党员: 列席, not in 实到
    assert got.no_vote
    gen = open_window(qtbot, small_db)
    window = next(gen)
    seen: list[str] = []
    answer_box(qtbot, None, seen)                      # Esc: keep working
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert seen
    assert "实到 1 人" in seen[0] and "列席 1 人" in seen[0], seen[0]
    assert "已签到 2 人" not in seen[0]
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    gen.close()


def test_the_desks_red_refusal_goes_whole_when_another_signs_on(qtbot, staff_db):  # noqa: F811
    from tests.gui.test_staff_signon import sign_on_in
    from ui.widgets.feedback import Tone

    gen, window = open_signed_on(qtbot, staff_db, "钱签到")
    zeng = sign_in_at_desk_two(window)
    desk = window.show_step("signin", tab="签到台")
    choose_at_desk(qtbot, desk, zeng, "zfr")
    qtbot.mouseClick(desk.undo_chosen_button, Qt.MouseButton.LeftButton)
    assert desk.feedback.tone is Tone.RED and "不能操作" in desk.feedback.text()
    qtbot.mouseClick(window.header.switch_button, Qt.MouseButton.LeftButton)   # 切换人员
    qtbot.waitUntil(lambda: window.sign_on_dialog is not None
                    and window.sign_on_dialog.isVisible(), timeout=3000)
    sign_on_in(qtbot, window.sign_on_dialog.form, "赵主持", PIN["赵主持"])
    qtbot.waitUntil(lambda: window.ctx.actor.name == "赵主持", timeout=3000)
    assert desk.feedback.tone is not Tone.RED and "不能操作" not in desk.feedback.text()
    assert desk.feedback.text()            # the panel at rest, not a red headline alone
    gen.close()
