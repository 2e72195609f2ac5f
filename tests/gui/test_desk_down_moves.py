"""签到 search with the keyboard (fresh-eyes walk): typing "zh" lists 张华 (the one whose initials
are exactly "zh", highlighted: Enter would sign them in) and below the names that only begin
with "zh". The first ↓ from the search box left the highlight on row 0 (it only "went into" the
list), so ↓↓ Enter signed in the second row's person when the clerk meant the third. Each ↓ now
moves the highlight one row from the row shown highlighted."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.model import PartyStatus
from app.register.idcard import make_id_number
from app.register.store import PersonRecord, add_persons
from db.connection import connect
from tests.gui.test_desk_enter import close_page, enter_db, open_page, signed_in  # noqa: F401
from tests.gui.test_desk_page import choose_desk
from ui.widgets.feedback import Tone


@pytest.fixture
def zh_page(qtbot, enter_db):  # noqa: F811
    conn = connect(enter_db)
    born = dt.date(1970, 5, 5)
    add_persons(conn, [PersonRecord(
        name="张华", gender="M", birth_date=born.isoformat(),
        id_number=make_id_number("110106", born, 71, "M"), education="高中",
        branch="第一党支部", resident_group="第二居民小组", household="0071",
        party_status=PartyStatus.FULL, resident_voter=True)], "2026-11-20T10:00:00+08:00", actor="test")
    conn.close()
    p = open_page(qtbot, enter_db)
    yield p
    close_page(p)


def highlighted(page) -> list[int]:
    return [i.row() for i in page.results.selectionModel().selectedRows()]


def key(qtbot, k: Qt.Key) -> None:
    focused = QApplication.focusWidget()
    assert focused is not None
    qtbot.keyClick(focused, k)


def test_each_down_moves_the_highlight_one_row_from_the_one_shown(zh_page, qtbot, shot):
    page = zh_page
    choose_desk(page, "一号台")
    page.search_box.setFocus()
    qtbot.keyClicks(QApplication.focusWidget(), "zh", delay=45)
    qtbot.waitUntil(lambda: page.search_box.text() == "zh" and len(page.found) >= 4
                    and page.finding is not None and page.finding.sure is not None)
    sure = page.found.index(page.finding.sure)
    assert page.found[sure].name == "张华" and highlighted(page) == [sure]
    shot(page, "desk-zh-sure-highlighted")
    key(qtbot, Qt.Key.Key_Down)
    assert highlighted(page) == [sure + 1]            # one row down from the one shown
    key(qtbot, Qt.Key.Key_Down)
    assert highlighted(page) == [sure + 2]
    qtbot.wait(30)
    shot(page, "desk-zh-two-down")
    key(qtbot, Qt.Key.Key_Up)
    assert highlighted(page) == [sure + 1]
    key(qtbot, Qt.Key.Key_Down)
    meant = page.found[sure + 2]
    others = [p for p in page.found if p.id != meant.id]
    key(qtbot, Qt.Key.Key_Return)                     # the person highlighted, no one else
    assert page.feedback.tone is Tone.GREEN and meant.name in page.feedback.text()
    assert signed_in(page, meant.id) is not None
    assert all(signed_in(page, p.id) is None for p in others)
