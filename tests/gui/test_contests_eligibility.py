"""选举事项: a register person without 被选举权 is refused in the page's message line with the
core's reason words (rules.md §1.3; the same use case as `pollday candidate add`)."""

from __future__ import annotations

import pytest

from app import meetings
from tests.gui.test_contests_page import contests_page
from ui.pages.contests_page import GREEN, RED


@pytest.fixture
def page(qtbot, tmp_path):
    yield from contests_page(qtbot, tmp_path, (1366, 768))


def test_a_probationary_member_is_refused_with_the_reason(page, qtbot, shot) -> None:
    assert page.ctx.meeting is not None and page.ctx.meeting.code == "party"
    page.title_box.setCurrentText("委员")
    page.seats_box.setValue(3)
    contest = page.add_contest()
    assert contest is not None
    page.search_box.setText("吉𠮷")              # keyClicks cannot type Chinese
    qtbot.waitUntil(lambda: page.results.count() > 0, timeout=3000)
    qtbot.keyClick(page.search_box, "\r")        # Enter adds the best match
    text = page.message.text()
    assert RED in page.message.styleSheet(), text
    assert "吉𠮷" in text and "预备党员" in text and "被选举权" in text and "第二党支部" in text
    assert meetings.list_candidates(page.ctx.conn, contest.id) == []
    qtbot.wait(100)                              # let the layout take the wrapped line
    shot(page, "contests-not-eligible")
    # A full member is added as before.
    page.search_box.setText("zfr")
    qtbot.waitUntil(lambda: page.results.count() > 0, timeout=3000)
    qtbot.keyClick(page.search_box, "\r")
    assert GREEN in page.message.styleSheet() and "已添加候选人" in page.message.text()
