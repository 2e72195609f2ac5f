"""准备 · 选举事项: the body (班子) of a contest for the district's figures is chosen on the page
from the fixed list (the same as `contest add --body`), shown on the contest list and changeable
later. A database built only in the GUI then gives the district its bodies, posts, 两委 and 留任
(walk finding: a GUI-built database exported "body": "" and the district showed 其他 5人)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app import meetings
from app.clock import FixedClock
from tests.app.district.conftest import cli
from tests.gui.test_contests_page import contests_page
from tests.gui.test_contests_post import _choose


@pytest.fixture
def page(qtbot, tmp_path):
    yield from contests_page(qtbot, tmp_path, (1366, 768))


def _add(page, qtbot, title: str, body: str, post: str, seats: int):
    page.title_box.setCurrentText(title)      # Chinese text: set, as the other page tests do
    _choose(qtbot, page.post_box, post)
    _choose(qtbot, page.body_box, body)
    page.seats_box.setFocus()
    page.seats_box.selectAll()
    qtbot.keyClicks(page.seats_box, str(seats))
    assert page.seats_box.value() == seats
    page.add_contest_button.setFocus()
    qtbot.keyClick(page.add_contest_button, " ")
    got = page.contest
    want = body if body in page.body_box.itemText(1) + "党组织委员会纪委居委会" else ""
    assert got is not None and (got.title, got.body, got.post, got.seats) == (title, want, post,
                                                                               seats)
    return got


def test_body_chosen_in_the_gui_reaches_the_district_figures(page, qtbot, tmp_path, shot,
                                                             monkeypatch) -> None:
    from app.export.build import build_package
    from app.meetings.posts import mark_previous
    from db import persons as db_persons
    from tests.e2e.district_communities import _vote, key_of

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    conn = page.ctx.conn
    assert page.ctx.meeting is not None and page.ctx.meeting.code == "party"
    # The party meeting's default body is the party committee (its organisation, not a title).
    assert page.body_box.currentData() == "党组织委员会"
    committee = _add(page, qtbot, "委员", "党组织委员会", "委员", 3)
    secretary = _add(page, qtbot, "党委书记", "党组织委员会", "书记", 1)
    # A contest added without a body is said so, then given one on the page.
    late = _add(page, qtbot, "纪委书记", "（未设定，区汇总计入“其他”）", "纪委书记", 1)
    assert late.body == ""
    assert page.contest_list.currentItem().text().startswith("（未设定班子）")
    _choose(qtbot, page.contest_body_box, "纪委")
    stored = meetings.get_contest(conn, late.id)
    assert stored is not None and stored.body == "纪委"
    assert "纪委" in page.contest_message.text()
    assert page.contest_list.currentItem().text().startswith("纪委 · 纪委书记")
    shot(page, "contests-body")
    # The body word chosen here classifies; it is not an organisation's name to print on the
    # ballot (a typed full name, 中共XX社区委员会, still prints).
    from app.documents.results_source import ballot_docs
    headings = [d.heading for d in ballot_docs(conn, page.ctx.meeting,
                                                dt.datetime(2026, 11, 22, 8, 0))]
    assert headings[:2] == ["委员选举选票", "党委书记选举选票"], headings

    from app.model import PartyStatus
    people = [p for p in db_persons.list_persons(conn)
              if p.party_status == PartyStatus.FULL][:6]
    clock = FixedClock(dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                       1.0)
    for contest, cands in ((committee, people[:4]), (secretary, people[:1]),
                           (late, people[3:4])):
        for p in cands:
            assert not isinstance(meetings.add_candidate(
                conn, contest.id, name=p.name, person_id=p.id, clock=clock, actor="t"),
                meetings.Refusal)
    # The previous term: people[0] was 书记 and 委员 ("党委" is taken as 党组织委员会), people[1]
    # a 委员 ("党组织委员会"); people[2] nothing (新进).
    for pid, body, post in ((people[0].id, "党委", "书记"), (people[0].id, "党委", "委员"),
                            (people[1].id, "党组织委员会", "委员")):
        assert not isinstance(mark_previous(conn, pid, body, post, clock=clock, actor="t"),
                              meetings.Refusal)
    from app.meetings.posts import list_previous
    assert {r.body for r in list_previous(conn)} == {"党组织委员会"}
    from app.attendance import sign_in
    party = page.ctx.meeting
    present = 0
    for p in db_persons.list_persons(conn):
        if p.party_status in (PartyStatus.FULL, PartyStatus.PROBATIONARY):
            sign_in(conn, party, p.id, "主签到台", "签到员", clock)
            present += 1
    assert present >= 5
    for contest, won in ((committee, people[:3]), (secretary, people[:1]), (late, people[3:4])):
        _vote(conn, clock, contest, [p.name for p in won], [], present)
    built = build_package(tmp_path / "contests.db", key=key_of("翠湖"),
                          at=dt.datetime(2026, 11, 22, 18, 0,
                                         tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert not isinstance(built, meetings.Refusal), built
    package = tmp_path / built.name
    package.write_bytes(built.data)

    db = tmp_path / "district.db"
    lines = [json.loads(x) for x in cli("district", "import", "--db", db, package).splitlines()]
    assert [x["result"] for x in lines] == ["imported"]
    report = json.loads(cli("district", "report", "--db", db, "--json", "--date", "2026-11-30"))
    bodies = {b["body"]: b for b in report["makeup"]}
    assert set(bodies) == {"党组织委员会", "纪委"}            # no 其他
    party_body = bodies["党组织委员会"]
    assert (party_body["members"], party_body["retained"], party_body["new"]) == (3, 2, 1)
    posts = {(p["body"], p["post"]): p for p in report["posts"]}
    sec = posts[("党组织委员会", "书记")]
    assert (sec["members"], sec["retained"], sec["new"]) == (1, 1, 0)
    assert report["two_committees"]["members"] == 3
    text = cli("district", "report", "--db", db, "--date", "2026-11-30")
    assert "新一届社区党组织委员会成员 3名" in text
    assert "其中上届班子成员留任 2名，新进 1名" in text
    assert "未设定班子" not in text

    # The district dashboard of that package: a row per body and post and the 两委, no 其他.
    from tests.gui.conftest import SHOTS
    from tests.gui.test_district_page import _page, _wait_import

    window, dash = _page(qtbot, tmp_path / "dashboard.db")
    _wait_import(qtbot, dash, [package])
    labels = [dash.groups.item(r, 0).text() for r in range(dash.groups.rowCount())]
    assert "党组织委员会" in labels and "党组织书记" in labels and "纪委" in labels
    assert any(x.startswith("两委") for x in labels) and "其他" not in labels
    assert "未设定班子" not in dash.summary.toPlainText()
    window.resize(1366, 768)
    dash.tabs.setCurrentIndex(2)
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "district-groups-gui-built.png"))
