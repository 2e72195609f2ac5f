"""The desk page under time pressure (issue: the clerk's day without traps): Enter signs in
only an unambiguous match, a person of another desk is found and named, any chosen person's
sign-in can be undone (the desk's recent list survives a restart), scanner bursts through an
input method."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from app import attendance, meetings
from app.clock import FixedClock
from app.model import PartyStatus
from app.register.idcard import make_id_number
from app.register.store import PersonRecord, add_persons
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from tests.gui.test_desk_page import choose_desk, open_desk_page, type_chinese
from ui.widgets.feedback import Tone

ACTOR = "desk-test"

# (name, born, party status, branch): 程明 and 程敏 differ in one letter of their pinyin;
# three namesakes 张伟, the first on the register not a Party member.
MORE = (
    ("程明", dt.date(1966, 2, 2), PartyStatus.FULL, "第一党支部"),
    ("程敏", dt.date(1967, 3, 3), PartyStatus.FULL, "第三党支部"),
    ("张伟", dt.date(1980, 1, 1), PartyStatus.NONE, "第一党支部"),
    ("张伟", dt.date(1981, 1, 1), PartyStatus.FULL, "第一党支部"),
    ("张伟", dt.date(1982, 1, 1), PartyStatus.FULL, "第一党支部"),
)


@pytest.fixture
def enter_db(tmp_path):
    path = make_db(tmp_path / "enter.db")
    conn = connect(path)
    clock = FixedClock(CLOCK_START, 1.0)
    records = [PersonRecord(
        name=name, gender="M", birth_date=born.isoformat(),
        id_number=make_id_number("110106", born, 31 + i, "M"), education="高中",
        branch=branch, resident_group="第二居民小组", household=f"{31 + i:04d}",
        party_status=status, resident_voter=True) for i, (name, born, status, branch)
        in enumerate(MORE)]
    add_persons(conn, records, "2026-11-20T10:00:00+08:00", actor="test")
    party = meetings.meeting_by_code(conn, "party")
    assert party is not None
    meetings.add_desk(conn, party.id, "一号台", ["第一党支部"], clock=clock, actor=ACTOR)
    meetings.add_desk(conn, party.id, "二号台", ["第二党支部", "第三党支部"], clock=clock,
                      actor=ACTOR)
    conn.close()
    return path


def open_page(qtbot, path):
    return open_desk_page(qtbot, connect(path), path, size=(1366, 768))


def close_page(p, qtbot=None):
    conn = p.ctx.conn
    p.close()
    if qtbot is not None:
        qtbot.wait(20)  # a counter refresh queued on showing runs before the file closes
    attendance.forget(conn)
    conn.close()


@pytest.fixture
def page(qtbot, enter_db):
    p = open_page(qtbot, enter_db)
    yield p
    close_page(p)


def signed_in(page, pid):
    return attendance.standing_of(page.ctx.conn, page.ctx.meeting, pid).sign_in


def named(page, name):
    return [p for p in db_persons.list_persons(page.ctx.conn) if p.name == name]


def test_full_pinyin_of_someone_else_is_never_signed_in_by_enter(page, qtbot, shot):
    choose_desk(page, "一号台")
    qtbot.keyClicks(page.search_box, "chengmin", delay=45)  # a person typing, not a scan
    qtbot.waitUntil(lambda: page.search_box.text() == "chengmin")
    # 程敏 is another desk's, found all the same; 程明 (chengming) is only a prefix hit.
    names = [p.name for p in page.found]
    assert names[0] == "程敏" and "程明" in names
    assert page.results.item(0, 4).text() == "属于二号台（第三党支部）"
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    # The one exact match is 程敏, at another desk: asked, nobody signed in.
    cheng_ming, cheng_min = named(page, "程明")[0], named(page, "程敏")[0]
    assert page.feedback.tone is Tone.AMBER and "程敏" in page.feedback.text()
    assert signed_in(page, cheng_ming.id) is None and signed_in(page, cheng_min.id) is None
    # A prefix only: Enter shows the list and moves there, it signs in nobody.
    page.search_box.clear()
    qtbot.keyClicks(page.search_box, "chengmi", delay=45)
    qtbot.waitUntil(lambda: page.search_box.text() == "chengmi")
    assert page.results.selectedItems() == []  # nothing looks chosen
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert signed_in(page, cheng_ming.id) is None and signed_in(page, cheng_min.id) is None
    assert page.focusWidget() is page.results
    assert "请选择" in page.feedback.text()
    qtbot.wait(30)
    shot(page, "desk-pick-prefix")
    # The clerk picks 程明 with ↓ and Enter in the list.
    row = page.found.index(cheng_ming)
    for _ in range(row + 1):                  # the first ↓ highlights the first row
        qtbot.keyClick(page.results, Qt.Key.Key_Down)
    qtbot.keyClick(page.results, Qt.Key.Key_Return)
    assert page.feedback.tone is Tone.GREEN and "程明" in page.feedback.text()
    assert signed_in(page, cheng_ming.id).desk == "一号台"
    assert page.focusWidget() is page.search_box


def test_namesakes_are_asked_with_voters_first(page, qtbot, shot):
    choose_desk(page, "一号台")
    type_chinese(page.search_box, "张伟")
    zhangs = named(page, "张伟")
    assert len(zhangs) == 3 and zhangs[0].party_status is PartyStatus.NONE
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert all(signed_in(page, z.id) is None for z in zhangs)
    assert page.feedback.tone is Tone.GREY and "有 3 人" in page.feedback.text()
    assert "非中共党员" not in page.feedback.text()
    assert page.focusWidget() is page.results
    # The two Party members (a vote) come before the non-member.
    assert [p.id for p in page.found[:2]] == [zhangs[1].id, zhangs[2].id]
    assert page.found[2].id == zhangs[0].id
    qtbot.wait(30)
    shot(page, "desk-namesakes")
    qtbot.keyClick(page.results, Qt.Key.Key_Down)     # the first row
    qtbot.keyClick(page.results, Qt.Key.Key_Down)     # the second
    qtbot.keyClick(page.results, Qt.Key.Key_Return)
    assert page.feedback.tone is Tone.GREEN
    assert signed_in(page, zhangs[2].id) is not None
    assert signed_in(page, zhangs[1].id) is None and signed_in(page, zhangs[0].id) is None


def test_escape_in_the_list_goes_back_to_typing(page, qtbot):
    choose_desk(page, "一号台")
    type_chinese(page.search_box, "张伟")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.focusWidget() is page.results
    qtbot.keyClick(page.results, Qt.Key.Key_Escape)
    assert page.focusWidget() is page.search_box and page.search_box.text() == "张伟"


def test_an_exact_unique_match_still_signs_in_with_enter(page, qtbot):
    choose_desk(page, "一号台")
    qtbot.keyClicks(page.search_box, "chengming", delay=45)
    qtbot.waitUntil(lambda: page.search_box.text() == "chengming")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.feedback.tone is Tone.GREEN and "程明" in page.feedback.text()
    # The ending digits of an ID number that only one person has.
    zeng = named(page, "曾凡荣")[0]
    qtbot.keyClicks(page.search_box, zeng.id_number[-6:], delay=45)
    qtbot.waitUntil(lambda: page.search_box.text() == zeng.id_number[-6:])
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.feedback.tone is Tone.GREEN and "曾凡荣" in page.feedback.text()


def scan_token(qtbot, page, token):
    qtbot.keyClicks(page.search_box, token)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)


def click_recent(qtbot, page, name):
    lst = page.recent
    row = next(i for i in range(lst.count()) if lst.item(i).text().endswith(name))
    rect = lst.visualItemRect(lst.item(row))
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_undo_any_chosen_person_from_the_recent_list_after_a_restart(qtbot, enter_db, shot):
    page = open_page(qtbot, enter_db)
    choose_desk(page, "一号台")
    zeng, wang = named(page, "曾凡荣")[0], named(page, "王䶮")[0]
    scan_token(qtbot, page, zeng.token)
    scan_token(qtbot, page, wang.token)
    assert [page.recent.item(i).text().split()[-1] for i in range(2)] == ["王䶮", "曾凡荣"]
    close_page(page, qtbot)
    # A restart: the desk's recent list is read from the event log.
    page = open_page(qtbot, enter_db)
    try:
        choose_desk(page, "一号台")
        texts = [page.recent.item(i).text() for i in range(page.recent.count())]
        assert len(texts) == 2 and texts[0].endswith("王䶮") and texts[1].endswith("曾凡荣")
        # Not the last one: 曾凡荣, chosen in the list.
        click_recent(qtbot, page, "曾凡荣")
        qtbot.mouseClick(page.undo_chosen_button, Qt.MouseButton.LeftButton)
        dialog = page.dialog
        assert dialog is not None and dialog.isVisible()
        assert "曾凡荣" in dialog.findChild(type(page.counter)).text()
        assert not dialog.ok_button.isEnabled()  # a reason is required
        qtbot.wait(30)
        shot(page.window(), "desk-undo-chosen")
        dialog.reason.setEditText("签到时认错了人")
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        assert signed_in(page, zeng.id) is None and signed_in(page, wang.id) is not None
        assert [page.recent.item(i).text().split()[-1] for i in range(page.recent.count())] == ["王䶮"]
        detail = page.ctx.conn.execute(
            "SELECT detail FROM audit WHERE action = 'sign_in_undone'").fetchone()[0]
        assert "曾凡荣" in detail and "签到时认错了人" in detail
        # Ctrl+Z after the restart still undoes this desk's last sign-in (王䶮).
        qtbot.keyClick(page.search_box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert "王䶮" in page.dialog.findChild(type(page.counter)).text()
        page.dialog.reject()
        # The person chosen in the search results.
        type_chinese(page.search_box, "王䶮")
        qtbot.mouseClick(page.undo_chosen_button, Qt.MouseButton.LeftButton)
        assert "王䶮" in page.dialog.findChild(type(page.counter)).text()
        page.dialog.reason.setCurrentIndex(0)
        qtbot.mouseClick(page.dialog.ok_button, Qt.MouseButton.LeftButton)
        assert signed_in(page, wang.id) is None and page.recent.count() == 0
    finally:
        close_page(page)


def test_undo_chosen_with_nobody_chosen_says_what_to_do(page, qtbot):
    qtbot.mouseClick(page.undo_chosen_button, Qt.MouseButton.LeftButton)
    assert "请先选中一人" in page.feedback.text() and page.dialog is None


# --- the scanner and the input method ------------------------------------------------------

def im_commit(widget, text):
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def im_preedit(widget, text):
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(widget, QInputMethodEvent(text, []))


def test_new_tokens_are_digits_only_with_a_check_digit(page):
    from app.register.store import luhn_digit

    tokens = [p.token for p in db_persons.list_persons(page.ctx.conn)]
    assert all(len(t) == 30 and t.isdigit() and luhn_digit(t[:-1]) == t[-1] for t in tokens)
    assert len(set(tokens)) == len(tokens)


def test_a_digit_token_through_a_full_width_input_method_signs_in(page, qtbot):
    choose_desk(page, "一号台")
    zeng = named(page, "曾凡荣")[0]
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in zeng.token)  # 0 → ０
    for ch in full_width:  # the input method commits each digit, full width
        im_commit(page.search_box, ch)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.feedback.tone is Tone.GREEN and "曾凡荣" in page.feedback.text()
    assert page.search_box.text() == ""


def test_an_old_letter_token_composed_by_the_input_method_signs_in(page, qtbot):
    from app.register.store import legacy_token_from

    choose_desk(page, "一号台")
    wang = named(page, "王䶮")[0]
    old = legacy_token_from(lambda n: bytes(range(40, 40 + n)))
    page.ctx.conn.execute("UPDATE person SET token = ? WHERE id = ?", (old, wang.id))
    page.ctx.conn.commit()
    # The input method shows the letters as a composition and commits them on the scanner's
    # Enter, which never reaches the box.
    for i in range(1, len(old) + 1):
        im_preedit(page.search_box, old[:i])
    im_commit(page.search_box, old)
    assert page.feedback.tone is Tone.GREEN and "王䶮" in page.feedback.text()
    assert page.search_box.text() == ""
    assert signed_in(page, wang.id).desk == "一号台"


def test_caps_lock_on_an_old_token_still_finds_the_person(page, qtbot):
    choose_desk(page, "一号台")
    wang = named(page, "王䶮")[0]
    old = "aBcDeFgHiJkLmN12"
    page.ctx.conn.execute("UPDATE person SET token = ? WHERE id = ?", (old, wang.id))
    page.ctx.conn.commit()
    qtbot.keyClicks(page.search_box, old.swapcase())  # what Caps Lock makes of it
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.feedback.tone is Tone.GREEN and "王䶮" in page.feedback.text()


def test_a_person_composing_pinyin_slowly_is_not_a_scan(page, qtbot):
    choose_desk(page, "一号台")
    for i in range(1, len("chengming") + 1):
        im_preedit(page.search_box, "chengming"[:i])
        qtbot.wait(60)
    im_commit(page.search_box, "chengming")  # the clerk chose the letters themselves
    assert page.search_box.text() == "chengming"
    assert page.last_result is None


# --- traps a clerk's walk found after the first fixes -------------------------------------


def test_a_second_enter_on_the_namesakes_list_signs_in_nobody(page, qtbot):
    """Qt makes the first row current when the list takes the focus: Enter, Enter signed the
    top 张伟 in. Only a row chosen with ↑↓ or a click is signed in."""
    choose_desk(page, "一号台")
    type_chinese(page.search_box, "张伟")
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.focusWidget() is page.results
    qtbot.keyClick(page.results, Qt.Key.Key_Return)
    assert all(signed_in(page, z.id) is None for z in named(page, "张伟"))


def test_escape_then_typing_replaces_the_search(page, qtbot):
    """'cheng' + Enter, Esc, then the next name: it was appended ('cheng王芳', 名册中没有此人)."""
    choose_desk(page, "一号台")
    qtbot.keyClicks(page.search_box, "cheng", delay=45)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.focusWidget() is page.results
    qtbot.keyClick(page.results, Qt.Key.Key_Escape)
    assert page.focusWidget() is page.search_box and page.search_box.selectedText() == "cheng"
    qtbot.keyClicks(page.search_box, "zeng", delay=45)
    assert page.search_box.text() == "zeng"


def test_a_scan_while_a_dialog_is_open_signs_nobody_in_behind_it(page, qtbot):
    """A scanner burst while the 打开 dialog was open signed a person in behind it."""
    from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

    choose_desk(page, "一号台")
    zeng = named(page, "曾凡荣")[0]
    dialog = QDialog(page)
    field = QLineEdit(dialog)
    QVBoxLayout(dialog).addWidget(field)
    dialog.setModal(True)
    dialog.show()
    qtbot.waitExposed(dialog)
    field.setFocus()
    qtbot.keyClicks(field, zeng.token)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    qtbot.wait(250)                       # past the scanner's gap
    assert signed_in(page, zeng.id) is None and field.text() == zeng.token
    dialog.close()
