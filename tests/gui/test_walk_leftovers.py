"""Leftovers of the clerk's walk (issue 14): a minority name found by the part after its middle
dot, the 结果 header's 收回 taken from the ballot boxes (the entered ballots named 已录入), and
the start of voting said in plain words (never "第1次投票开始投票")."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import attendance, meetings, voting
from app.clock import FixedClock
from app.register.store import add_persons
from app.rules import Ballot, Round
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db, person_records
from tests.gui.test_counting_page import ACTOR, counting_db
from tests.gui.test_counting_results import open_results
from tests.gui.test_desk_page import open_desk_page, type_chinese
from tests.gui.test_one_start_voting import close, two_pages

AYGULI = "阿依古丽·买买提"


def uyghur_db(tmp_path):
    path = make_db(tmp_path / "names.db")
    conn = connect(path)
    base = person_records()[0]
    rec = dataclasses.replace(base, name=AYGULI, id_number=None, household="0099")
    add_persons(conn, [rec], "2026-11-20T10:00:00+08:00", actor="test")
    party = meetings.meeting_by_code(conn, "party")
    meetings.add_desk(conn, party.id, "一号台", [], clock=FixedClock(CLOCK_START, 1.0), actor=ACTOR)
    conn.close()
    return path


def test_the_part_after_the_middle_dot_finds_the_person(qtbot, tmp_path):
    path = uyghur_db(tmp_path)
    conn = connect(path)
    page = open_desk_page(qtbot, conn, path)
    try:
        for typed in ("买买提", "阿依古丽", "阿依古丽买买提"):
            page.search_box.clear()
            type_chinese(page.search_box, typed)
            qtbot.waitUntil(lambda t=typed: page.search_box.text() == t)
            assert [p.name for p in page.found] == [AYGULI], typed
        page.search_box.clear()
        page.search_box.setFocus()
        qtbot.keyClicks(page.search_box, "maimaiti", delay=45)
        qtbot.waitUntil(lambda: page.search_box.text() == "maimaiti")
        assert [p.name for p in page.found] == [AYGULI]
        # A part of the name is a prefix-like hit: Enter shows the list, it never signs in.
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
        assert attendance.attendance_summary(
            conn, meetings.meeting_by_code(conn, "party")).present == 0
    finally:
        page.close()
        attendance.forget(conn)
        conn.close()


def test_an_older_database_gets_the_part_keys_when_opened(qtbot, tmp_path):
    """A register stored before the parts were keys (no key '买买提') finds her after the window
    opens it once."""
    from app import search
    from ui.app_main import make_app, open_main_window

    path = uyghur_db(tmp_path)
    conn = connect(path)
    person = next(p for p in db_persons.list_persons(conn) if p.name == AYGULI)
    old = [k for k in db_persons.keys_of(conn, person.id) if k[1] not in ("买买提", "阿依古丽")
           and not k[1].startswith("maimaiti")]
    with conn:
        db_persons.replace_keys(conn, person.id, old)
        conn.execute("DELETE FROM setting WHERE key = ?", (search.KEYS_SETTING,))
    assert search.search(conn, "买买提") == []
    conn.close()
    make_app()
    w = open_main_window(path)
    assert w is not None
    try:
        assert [p.name for p in search.search(w.ctx.conn, "买买提")] == [AYGULI]
    finally:
        w.close()


def boxes_differ_round(path) -> None:
    """A closed round whose box says 5 returned while 4 ballots were entered (twice)."""
    conn = connect(path)
    clock = FixedClock(CLOCK_START.replace(hour=10), 1.0)
    party = meetings.meeting_by_code(conn, "party")
    contest = next(c for c in meetings.list_contests(conn, party.id) if c.code == "wy")
    r = voting.open_round(conn, contest.id, actor=ACTOR, clock=clock, kind=Round.FIRST)
    assert not isinstance(r, meetings.Refusal), r
    voting.set_officials(conn, r.id, scrutineers=["曾凡荣"], counters=["王䶮"], actor=ACTOR,
                         clock=clock)
    voting.record_box(conn, r.id, "主票箱", printed=6, issued=5, returned=5, actor=ACTOR,
                      clock=clock)
    for entry in "AB":
        got = voting.enter_ballots(conn, r.id, entry, [Ballot(m) for m in
                                                       ("ooooo-", "oooo-o", "-ooooo", "ooooo-")],
                                   clerk=ACTOR, clock=clock)
        assert got == 4, got
    closed = voting.close_round(conn, r.id, actor=ACTOR, clock=clock)
    assert not isinstance(closed, meetings.Refusal), closed
    attendance.forget(conn)
    conn.close()


def test_results_header_shows_the_boxes_returned_and_the_entered_count(qtbot, tmp_path, shot):
    path = counting_db(tmp_path / "results.db")
    boxes_differ_round(path)
    p = open_results(qtbot, path)
    try:
        p.rounds.setCurrentRow(0)
        qtbot.waitUntil(lambda: "收回" in p.figures.text(), timeout=3000)
        text = p.figures.text()
        assert "收回合计 5 张" in text and "已录入 4" in text, text
        shot(p, "results-header-returned-entered")
    finally:
        p.close()
        p.ctx.conn.close()


def unboxed_round(path) -> None:
    """An open round with 4 ballots entered (twice) and no box recorded yet (实到 4): it cannot be
    closed without one."""
    conn = connect(path)
    clock = FixedClock(CLOCK_START.replace(hour=10), 1.0)
    party = meetings.meeting_by_code(conn, "party")
    contest = next(c for c in meetings.list_contests(conn, party.id) if c.code == "wy")
    r = voting.open_round(conn, contest.id, actor=ACTOR, clock=clock, kind=Round.FIRST)
    assert not isinstance(r, meetings.Refusal), r
    for entry in "AB":
        got = voting.enter_ballots(conn, r.id, entry, [Ballot(m) for m in
                                                       ("ooooo-", "oooo-o", "-ooooo", "ooooo-")],
                                   clerk=ACTOR, clock=clock)
        assert got == 4, got
    attendance.forget(conn)
    conn.close()


def test_results_header_and_counting_tab_show_one_issued_figure(qtbot, tmp_path, shot):
    """A walk: 结果 said 发出 4 (the core's stand-in, 实到, while no box was recorded) where
    投票计票 said 发出合计 0 张 for the same round. 发出 is the boxes' figure on both pages."""
    from tests.gui.test_counting_page import open_page
    from ui.pages.results_print import report_lines

    path = counting_db(tmp_path / "issued.db")
    unboxed_round(path)
    res = open_results(qtbot, path)
    counting = open_page(qtbot, path)
    try:
        res.rounds.setCurrentRow(0)
        qtbot.waitUntil(lambda: "已录入" in res.figures.text(), timeout=3000)
        text = res.figures.text()
        assert "实到 4" in text and "发出、收回：尚未登记票箱" in text, text
        assert "发出 4" not in text and "发出合计 4" not in text, text
        assert "发出合计 0 张" in counting.setup_tab.totals.text()
        printed = [t for t, _, _ in report_lines(res.validation) if t.startswith("应到")]
        assert len(printed) == 1 and "尚未登记票箱" in printed[0], printed
        res.resize(1366, 768)
        shot(res, "results-header-no-boxes")
        # The scrutineers record 3 issued (one 实到 left without a ballot): both pages say 3.
        got = voting.record_box(counting.ctx.conn, counting.round.id, "主票箱", printed=6,
                                issued=3, returned=3, actor=ACTOR,
                                clock=FixedClock(CLOCK_START.replace(hour=10, minute=30), 1.0))
        assert not isinstance(got, meetings.Refusal), got
        counting.refresh_round()
        assert "发出合计 3 张（冻结实到 4 人）" in counting.setup_tab.totals.text()
        res.run_validation()
        qtbot.waitUntil(lambda: "发出合计 3 张" in res.figures.text(), timeout=5000)
        assert "收回合计 3 张" in res.figures.text()
        # 打印到打印机 prints the same figure in the same words.
        printed = [t for t, _, _ in report_lines(res.validation) if t.startswith("应到")]
        assert len(printed) == 1 and "发出合计 3 张　收回合计 3 张　已录入 4" in printed[0], printed
        shot(res, "results-header-issued-as-boxes")
    finally:
        for p in (res, counting):
            p.close()
            attendance.forget(p.ctx.conn)
            p.ctx.conn.close()


def test_starting_voting_is_said_naturally(qtbot, tmp_path):
    ctx, meeting, counting = two_pages(qtbot, tmp_path)
    said: list[str] = []
    ctx.message.connect(said.append)
    try:
        meeting.open_button.setFocus()
        qtbot.keyClick(meeting.open_button, Qt.Key.Key_Space)
        box = meeting.confirm
        assert box is not None and box.isVisible()
        ok = box.button(QMessageBox.StandardButton.Ok)
        for text in (box.text(), ok.text()):
            assert "投票开始投票" not in text, text
        assert "开始第1次投票" in box.text() and ok.text() == "冻结实到，开始第1次投票"
        qtbot.keyClick(box.defaultButton(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=3000)
        qtbot.waitUntil(meeting.is_idle, timeout=10000)  # written on the database's worker
        assert said and said[-1].startswith("第1次投票已开始："), said
        assert not any("投票已开始投票" in s or "投票开始投票" in s for s in said), said
    finally:
        close(ctx, meeting, counting)
