"""The 签到 desk page: scanner bursts, search + Enter, the coloured answers, undo with a reason,
lifting an exclusion, and the scanner filter on its own."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget

from app import attendance, meetings
from app.clock import FixedClock
from app.model import ExclusionReason
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from ui.widgets.feedback import Tone
from ui.widgets.scanner import ScannerFilter

ACTOR = "desk-test"


@pytest.fixture
def desk_db(tmp_path):
    """The GUI register (曾凡荣 王䶮 吉𠮷 欧阳红梅 单国栋 张喆) with two desks and 张喆 excluded."""
    path = make_db(tmp_path / "desk.db")
    conn = connect(path)
    clock = FixedClock(CLOCK_START, 1.0)
    party = meetings.meeting_by_code(conn, "party")
    assert party is not None
    meetings.add_desk(conn, party.id, "一号台", ["第一党支部"], clock=clock, actor=ACTOR)
    meetings.add_desk(conn, party.id, "二号台", [], clock=clock, actor=ACTOR)
    zhang = [p for p in db_persons.list_persons(conn) if p.name == "张喆"][0]
    got = meetings.add_exclusion(conn, party.id, zhang.id, ExclusionReason.ABROAD,
                                 approval_ref="街党工委〔2026〕12号", approved_on="2026-11-01",
                                 clock=clock, actor=ACTOR)
    assert not isinstance(got, meetings.Refusal), got
    conn.close()
    return path


def open_desk_page(qtbot, conn, path, *, at=None, size=(1280, 720)):
    """The 签到 page on `conn` (the database at `path`), its clock at `at`, shown and exposed."""
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.desk_page import DeskPage

    make_app()
    at = at if at is not None else CLOCK_START.replace(hour=8, minute=41)
    ctx = PageContext(conn, path, clock=FixedClock(at, 7.0), actor=ACTOR)
    p = DeskPage(ctx)
    qtbot.addWidget(p)
    p.resize(*size)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.ready, timeout=10000)  # the first look, read on the worker
    return p


@pytest.fixture
def page(qtbot, desk_db):
    conn = connect(desk_db)
    p = open_desk_page(qtbot, conn, desk_db)
    yield p
    p.close()
    attendance.forget(conn)
    conn.close()


def person(page, name):
    return next(p for p in db_persons.list_persons(page.ctx.conn) if p.name == name)


def scan(qtbot, widget, token: str) -> None:
    """A scanner: the token's keys a few ms apart, then Enter (QTest sends them back to back)."""
    qtbot.keyClicks(widget, token)
    qtbot.keyClick(widget, Qt.Key.Key_Return)


def type_chinese(widget: QLineEdit, text: str) -> None:
    """What an input method does: commit the composed text (keyClicks cannot type Chinese)."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def choose_desk(page, name: str) -> None:
    page.desk_box.setCurrentIndex(page.desk_box.findText(name))


def test_scanner_burst_signs_in_green_and_leaves_the_search_box_alone(page, qtbot, shot):
    zeng = person(page, "曾凡荣")
    # The window manager gives the window back its activation; the search box is its focus.
    assert page.focusWidget() is page.search_box
    scan(qtbot, page.search_box, zeng.token)
    assert page.feedback.tone is Tone.GREEN
    assert "曾凡荣" in page.feedback.text() and "第一党支部" in page.feedback.text()
    assert page.search_box.text() == ""
    assert page.last_result.outcome is attendance.Outcome.SIGNED_IN
    # 应到: the 正式党员 曾凡荣 王䶮 欧阳红梅 张喆, less 张喆 (excluded)
    assert page.counter.text() == "实到 1 / 应到 3"
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "desk-green")


def test_scan_is_recognised_wherever_the_focus_is(page, qtbot):
    wang = person(page, "王䶮")
    choose_desk(page, "二号台")
    page.desk_box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    page.desk_box.setFocus()
    scan(qtbot, page.desk_box, wang.token)
    assert page.feedback.tone is Tone.GREEN and "王䶮" in page.feedback.text()
    assert page.desk_box.currentText() == "二号台"  # the burst's keys went nowhere


def test_search_as_you_type_finds_another_desks_person_and_f9_signs_in_here(page, qtbot, shot):
    choose_desk(page, "一号台")  # serves 第一党支部 only
    qtbot.keyClicks(page.search_box, "oyhm", delay=45)  # typed by a person: not a scan
    qtbot.waitUntil(lambda: page.search_box.text() == "oyhm")
    # 欧阳红梅 (第二党支部) is on the register: found, and named as another desk's.
    assert [p.name for p in page.found] == ["欧阳红梅"]
    assert page.results.item(0, 1).text().startswith("第二党支部")
    assert page.results.item(0, 4).text() == "属于二号台（第二党支部）"
    assert "*" in page.results.item(0, 3).text()  # the ID number is masked
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "desk-search")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    ouyang = person(page, "欧阳红梅")
    assert page.feedback.tone is Tone.AMBER
    assert "属于二号台（第二党支部）" in page.feedback.text()
    assert "名册中没有" not in page.feedback.text()
    assert attendance.standing_of(page.ctx.conn, page.ctx.meeting, ouyang.id).sign_in is None
    qtbot.wait(30)
    shot(page, "desk-other-desk")
    qtbot.keyClick(page.search_box, Qt.Key.Key_F9)  # 仍在本台签到: one key
    assert page.feedback.tone is Tone.GREEN and "欧阳红梅" in page.feedback.text()
    assert attendance.standing_of(page.ctx.conn, page.ctx.meeting,
                                  ouyang.id).sign_in.desk == "一号台"
    row = page.ctx.conn.execute(
        "SELECT detail FROM audit WHERE action = 'sign_in_outside_scope'").fetchone()
    assert row is not None and "欧阳红梅" in row[0] and "一号台" in row[0]


def test_a_scan_of_another_desks_person_asks_the_same_as_typing(page, qtbot):
    choose_desk(page, "一号台")
    ouyang = person(page, "欧阳红梅")
    scan(qtbot, page.search_box, ouyang.token)
    assert page.feedback.tone is Tone.AMBER
    assert "属于二号台（第二党支部）" in page.feedback.text()
    assert attendance.standing_of(page.ctx.conn, page.ctx.meeting, ouyang.id).sign_in is None
    qtbot.mouseClick(page.feedback.action, Qt.MouseButton.LeftButton)  # the same, by mouse
    assert page.feedback.tone is Tone.GREEN
    assert attendance.standing_of(page.ctx.conn, page.ctx.meeting,
                                  ouyang.id).sign_in.desk == "一号台"


def test_up_down_choose_among_results_and_chinese_input_searches(page, qtbot):
    choose_desk(page, "二号台")  # serves everyone
    type_chinese(page.search_box, "王")
    assert [p.name for p in page.found] == ["王䶮"]
    page.search_box.clear()
    qtbot.keyClicks(page.search_box, "z", delay=45)
    qtbot.waitUntil(lambda: page.search_box.text() == "z")
    names = [p.name for p in page.found]
    assert {"曾凡荣", "张喆"} <= set(names)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)
    assert page.results.currentRow() == 1
    qtbot.keyClick(page.search_box, Qt.Key.Key_Up)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Up)  # stays on the first row
    assert page.results.currentRow() == 0
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.last_result.person.name == names[1]


def test_the_same_person_again_is_red_with_time_and_desk(page, qtbot, shot):
    zeng = person(page, "曾凡荣")
    choose_desk(page, "一号台")
    scan(qtbot, page.search_box, zeng.token)
    first = page.last_result.event
    choose_desk(page, "二号台")
    scan(qtbot, page.search_box, zeng.token)
    assert page.feedback.tone is Tone.RED
    text = page.feedback.text()
    assert "曾凡荣" in text and first.at[11:16] in text and "一号台" in text
    assert page.counter.text().startswith("实到 1 ")
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "desk-red")
    # The search list shows the state too.
    type_chinese(page.search_box, "曾凡荣")
    assert page.results.item(0, 4).text() == f"已签到 {first.at[11:16]} 一号台"


def test_no_vote_is_amber_and_not_counted(page, qtbot, shot):
    choose_desk(page, "二号台")
    scan(qtbot, page.search_box, person(page, "吉𠮷").token)  # 预备党员: 列席
    assert page.feedback.tone is Tone.AMBER
    assert "预备党员" in page.feedback.text() and "列席" in page.feedback.text()
    assert page.counter.text() == "实到 0 / 应到 3"
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "desk-amber-no-vote")
    scan(qtbot, page.search_box, person(page, "单国栋").token)  # not a Party member
    assert page.feedback.tone is Tone.AMBER and "非中共党员" in page.feedback.text()
    assert page.last_result.event is None


def test_excluded_is_amber_and_the_lift_needs_confirmation_with_a_reason(page, qtbot, shot):
    zhang = person(page, "张喆")
    choose_desk(page, "二号台")
    scan(qtbot, page.search_box, zhang.token)
    assert page.feedback.tone is Tone.AMBER
    assert "不计入应到" in page.feedback.text() and "街党工委〔2026〕12号" in page.feedback.text()
    assert not page.feedback.action.isHidden()
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "desk-amber-excluded")
    qtbot.mouseClick(page.feedback.action, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    assert not dialog.ok_button.isEnabled()  # no reason yet
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(dialog, "desk-lift-dialog")
    dialog.reason.setCurrentIndex(0)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert page.feedback.tone is Tone.GREEN and "张喆" in page.feedback.text()
    assert page.counter.text() == "实到 1 / 应到 4"
    actions = [r[0] for r in page.ctx.conn.execute("SELECT action FROM audit ORDER BY id")]
    assert "exclusion_lifted" in actions
    # The window manager gives the window back its activation; the search box is its focus.
    assert page.focusWidget() is page.search_box


def test_undo_last_sign_in_needs_a_reason(page, qtbot, shot):
    zeng = person(page, "曾凡荣")
    scan(qtbot, page.search_box, zeng.token)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible() and "曾凡荣" in dialog.findChild(
        type(page.counter)).text()
    assert not dialog.ok_button.isEnabled()
    dialog.reason.setEditText("   ")
    assert not dialog.ok_button.isEnabled()  # blanks are no reason
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(dialog, "desk-undo-dialog")
    dialog.reject()  # refused: nothing changes
    st = attendance.standing_of(page.ctx.conn, page.ctx.meeting, zeng.id)
    assert st.sign_in is not None
    page.undo_button.click()
    page.dialog.reason.setEditText("点错人了")
    qtbot.mouseClick(page.dialog.ok_button, Qt.MouseButton.LeftButton)
    st = attendance.standing_of(page.ctx.conn, page.ctx.meeting, zeng.id)
    assert st.sign_in is None
    assert page.counter.text() == "实到 0 / 应到 3"
    assert "已撤销" in page.feedback.text() and "点错人了" in page.feedback.text()
    row = page.ctx.conn.execute(
        "SELECT detail FROM audit WHERE action = 'sign_in_undone'").fetchone()
    assert "点错人了" in row[0]
    # Nothing left to undo at this desk.
    page.undo_last()
    assert "没有可撤销" in page.feedback.text()


def test_unknown_token_says_so_plainly(page, qtbot, shot):
    scan(qtbot, page.search_box, "NOSUCHTOKEN42")
    assert page.feedback.tone is Tone.GREY
    assert "名册中没有此人" in page.feedback.text() and "NOSUCHTOKEN42" in page.feedback.text()
    qtbot.wait(30)  # let pending geometry changes land before the grab
    shot(page, "desk-unknown")


# --- the scanner filter on its own ---------------------------------------------------------------

@pytest.fixture
def fields(qtbot):
    w = QWidget()
    lay = QVBoxLayout(w)
    a, b = QLineEdit(), QLineEdit()
    lay.addWidget(a)
    lay.addWidget(b)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    b.setFocus()
    f = ScannerFilter(w).install()
    got: list[str] = []
    f.scanned.connect(got.append)
    yield b, got
    f.uninstall()


def test_filter_swallows_a_burst_and_replays_typing(fields, qtbot):
    box, got = fields
    scan(qtbot, box, "AbC-123_xyz")
    assert got == ["AbC-123_xyz"] and box.text() == ""
    qtbot.keyClicks(box, "zs", delay=45)  # a person typing
    qtbot.waitUntil(lambda: box.text() == "zs")
    qtbot.keyClicks(box, "12")  # fast but short, then Enter: typing, not a scan
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert box.text() == "zs12" and got == ["AbC-123_xyz"]
    qtbot.keyClicks(box, "abcdef")  # a fast run without Enter is given back as typed
    qtbot.waitUntil(lambda: box.text() == "zs12abcdef", timeout=1000)
    assert got == ["AbC-123_xyz"]


def test_results_flag_who_has_no_vote_in_this_meeting(page, qtbot):
    choose_desk(page, "二号台")
    type_chinese(page.search_box, "吉")
    assert [p.name for p in page.found] == ["吉𠮷"]
    assert page.results.item(0, 2).text().endswith("（无表决权）")
    assert "预备党员" in page.results.item(0, 2).toolTip()


def test_filter_keeps_a_burst_whole_across_shift_presses(fields, qtbot):
    box, got = fields
    for ch in "Ab9Z":
        if ch.isupper():
            qtbot.keyPress(box, Qt.Key.Key_Shift, Qt.KeyboardModifier.ShiftModifier)
        qtbot.keyClick(box, ch, Qt.KeyboardModifier.ShiftModifier if ch.isupper() else
                       Qt.KeyboardModifier.NoModifier)
        if ch.isupper():
            qtbot.keyRelease(box, Qt.Key.Key_Shift)
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert got == ["Ab9Z"] and box.text() == ""


def test_f8_signs_the_highlighted_person_out_and_back_in(page, qtbot):
    zeng = person(page, "曾凡荣")
    scan(qtbot, page.search_box, zeng.token)
    type_chinese(page.search_box, "曾凡荣")
    qtbot.keyClick(page.search_box, Qt.Key.Key_F8)
    assert "中途退场" in page.feedback.text()
    assert page.counter.text() == "实到 0 / 应到 3"
    type_chinese(page.search_box, "曾凡荣")
    assert page.results.item(0, 4).text().endswith("（已退场）")
    qtbot.keyClick(page.search_box, Qt.Key.Key_F8)
    assert page.feedback.tone is Tone.GREEN and "返回会场" in page.feedback.text()
    assert page.counter.text() == "实到 1 / 应到 3"


def test_the_printed_sign_in_sheets_qr_codes_sign_in_at_the_desk(page, qtbot, tmp_path):
    import datetime as dt

    from app.documents.signin_sheets import render_sheets
    from tests.app.documents.pdf_tools import decode_qr_codes

    out = tmp_path / "sheets.pdf"
    render_sheets(page.ctx.conn, page.ctx.meeting, out, dt.datetime(2026, 11, 22, 7, 0))
    codes = decode_qr_codes(out)  # zbar reads the printed page
    by_token = {p.token: p.name for p in db_persons.list_persons(page.ctx.conn)}
    # 正式党员 曾凡荣 王䶮 欧阳红梅 张喆 (excluded, listed) and the 预备党员 吉𠮷 (列席)
    assert sorted(by_token[c] for c in codes) == sorted(["曾凡荣", "王䶮", "欧阳红梅", "张喆", "吉𠮷"])
    choose_desk(page, "二号台")
    tones = {}
    for code in codes:
        scan(qtbot, page.search_box, code)
        assert page.last_result.person.token == code
        tones[by_token[code]] = page.feedback.tone
    assert tones == {"曾凡荣": Tone.GREEN, "王䶮": Tone.GREEN, "欧阳红梅": Tone.GREEN,
                     "张喆": Tone.AMBER, "吉𠮷": Tone.AMBER}
    assert page.counter.text() == "实到 3 / 应到 3"
