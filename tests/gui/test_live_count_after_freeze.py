"""After voting started two numbers were both called 实到: the 多台签到 host page showed 实到 27,
67.50% and the 签到台 27/40 while 会议 showed the frozen 实到 24, 60.00% (s87, s90, s91). Once 实到
is frozen the frozen figure is the one called 实到 (the quorum's, the 报告单's); the live count is
此刻在场, with the frozen 实到 beside it, in the same words on every page. And a late arrival's
banner names the contest and round that gives them no ballot (it said only 第2次投票, s87)."""

from __future__ import annotations

from app import attendance, meetings, voting
from app.clock import FixedClock
from app.model import ContestKind
from app.rules import Round
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from tests.gui.test_bigscreen import tiles
from tests.gui.test_counting_page import FULL_MEMBERS
from tests.gui.test_desk_page import open_desk_page, scan
from tests.gui.test_host_page import open_host_page
from ui.widgets.feedback import Tone

ACTOR = "live-test"


def _residents_round(conn) -> tuple[meetings.Meeting, list[str]]:
    """The residents' meeting made current, all but the last voter signed in, its 主任 round
    opened (实到 frozen); the last voter's name is returned to come late."""
    clock = FixedClock(CLOCK_START.replace(hour=10, minute=18), 1.0)
    m = meetings.meeting_by_code(conn, "residents")
    assert not isinstance(meetings.set_current(conn, m.id, clock=clock, actor=ACTOR),
                          meetings.Refusal)
    names = [p.name for p in db_persons.list_persons(conn)]
    contest = meetings.add_contest(conn, m.id, code="zr", title="主任", kind=ContestKind.LEADER,
                                   seats=1, clock=clock, actor=ACTOR)
    assert not isinstance(contest, meetings.Refusal), contest
    for name in names[:2]:
        meetings.add_candidate(conn, contest.id, name=name, clock=clock, actor=ACTOR)
    people = {p.name: p for p in db_persons.list_persons(conn)}
    for name in names[:-1]:
        got = attendance.sign_in(conn, m, people[name], "签到台", ACTOR, clock)
        assert got.outcome is attendance.Outcome.SIGNED_IN, got
    r = voting.open_round(conn, contest.id, actor=ACTOR, clock=clock, kind=Round.FIRST)
    assert not isinstance(r, meetings.Refusal), r
    assert r.snapshot.present == len(names) - 1
    return m, names


def _token(conn, name: str) -> str:
    return next(p.token for p in db_persons.list_persons(conn) if p.name == name)


def test_the_desk_names_the_live_count_apart_from_the_frozen_present_and_the_round(
        qtbot, tmp_path, shot):
    path = make_db(tmp_path / "desk.db")
    conn = connect(path)
    _m, names = _residents_round(conn)
    late, frozen = names[-1], len(names) - 1
    attendance.forget(conn)
    p = open_desk_page(qtbot, conn, path, size=(1176, 703))   # the page in a 1366x768 window
    try:
        p.search_box.setFocus()
        scan(qtbot, p.search_box, _token(conn, late))
        assert p.feedback.tone is Tone.AMBER
        text = p.feedback.text()
        # The banner names the contest and round, not only 第1次投票.
        assert "主任第1轮（选举）不发选票" in text, text
        counter = p.counter.text()
        assert not counter.startswith("实到"), counter
        assert f"此刻在场 {frozen + 1}" in counter and f"冻结实到 {frozen}" in counter, counter
        p.refresh_counter()
        qtbot.waitUntil(lambda: p.refresh_op is None, timeout=5000)
        counter = p.counter.text()
        assert f"此刻在场 {frozen + 1}" in counter and f"冻结实到 {frozen}" in counter, counter
        shot(p, "desk-live-after-freeze-1366")
    finally:
        p.close()
        attendance.forget(conn)
        conn.close()


def test_the_host_page_shows_the_frozen_present_as_the_meeting_page_does(qtbot, tmp_path,
                                                                         request, shot):
    page = open_host_page(qtbot, tmp_path, request, size=(1366, 768))
    conn = page.ctx.conn
    m = page.ctx.meeting
    clock = FixedClock(CLOCK_START.replace(hour=9), 1.0)
    people = {p.name: p for p in db_persons.list_persons(conn)}
    for name in FULL_MEMBERS[:3]:
        attendance.sign_in(conn, m, people[name], "一号台", ACTOR, clock)
    snap = attendance.open_voting(conn, m, "第1次投票", ACTOR, clock)
    assert isinstance(snap, attendance.Snapshot) and snap.present == 3
    attendance.sign_in(conn, m, people[FULL_MEMBERS[3]], "一号台", ACTOR, clock)
    page.refresh()
    shown = tiles(page.panel)
    assert shown["present"] == "3", shown     # the frozen 实到, as 会议 shows it
    rule = page.panel.rule.text()
    assert "冻结实到 3 人" in rule and "此刻在场 4" in rule, rule
    qtbot.wait(50)   # the layout follows the longer note
    assert page.panel.rule.visibleRegion().boundingRect().height() == page.panel.rule.height()
    shot(page, "host-frozen-present-1366")
