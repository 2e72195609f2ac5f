"""选举事项: a person already elected 委员 of the 居委会 is searched and added as a 副主任
candidate by keys (a tester's walk: she was added without a word, won, and the district counted
3 people in 4 seats). The message line gives the reason, a dialog asks for a reason to list her
all the same; cancelled, nothing is added; with a reason she is added and the reason audited."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app import meetings
from app.model import RuleSet
from db.connection import connect
from tests.app.voting.test_two_posts_one_body import _committee_elected, _deputy
from ui.pages.contests_page import GREEN, RED


@pytest.fixture
def page(qtbot, tmp_path, fixed_clock):
    from ui.app_main import make_app
    from ui.pages.contests_page import ContestsPage
    from ui.pages.context import PageContext

    make_app()
    s = _committee_elected(tmp_path, fixed_clock)
    _deputy(s, fixed_clock)
    s.conn.close()
    path = tmp_path / f"{RuleSet.RESIDENTS.value}.db"
    conn = connect(path)
    ctx = PageContext(conn, path, clock=fixed_clock, actor="contests-test")
    p = ContestsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1366, 768)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.close()
    conn.close()


def _search_and_enter(page, qtbot, text: str) -> None:
    page.search_box.setFocus()
    page.search_box.setText(text)               # keyClicks cannot type Chinese
    qtbot.waitUntil(lambda: page.results.count() == 1, timeout=3000)
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)   # Enter adds the one found


def test_an_elected_member_added_as_deputy_is_warned_with_the_reason(page, qtbot, shot) -> None:
    assert page.ctx.meeting is not None and page.ctx.meeting.rules is RuleSet.RESIDENTS
    row = next(i for i, c in enumerate(page.contests) if c.code == "fzr")
    page.contest_list.setCurrentRow(row)
    deputy = page.contest
    assert deputy is not None and deputy.code == "fzr"
    _search_and_enter(page, qtbot, "张静")
    text = page.message.text()
    assert RED in page.message.styleSheet(), text
    assert "张静 已当选本届居委会委员" in text and "街道（乡镇）选举工作指导机构" in text
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    assert "张静 已当选本届居委会委员" in dialog.findChild(type(page.message)).text()
    assert not dialog.ok_button.isEnabled()      # a reason is required
    qtbot.wait(100)
    shot(page, "contests-two-posts-message")
    shot(dialog, "contests-two-posts-dialog")
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)    # cancelled: nothing added
    assert not dialog.isVisible()
    assert meetings.list_candidates(page.ctx.conn, deputy.id) == []
    # A losing 委员 candidate is added at once.
    _search_and_enter(page, qtbot, "李明")
    assert GREEN in page.message.styleSheet() and "已添加候选人 李明" in page.message.text()
    # Again, this time with a reason typed into the dialog and Enter.
    _search_and_enter(page, qtbot, "张静")
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.reason.setEditText("经街道选举工作指导组同意")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert not dialog.isVisible()
    names = [c.name for c in meetings.list_candidates(page.ctx.conn, deputy.id)]
    assert sorted(names) == sorted(["张静", "李明"])
    assert "已添加候选人 张静" in page.message.text()
    (detail,) = [d for (d,) in page.ctx.conn.execute(
        "SELECT detail FROM audit WHERE action = 'candidate_added' ORDER BY id DESC LIMIT 1")]
    assert "经街道选举工作指导组同意" in detail


def test_the_results_page_refuses_the_lock_of_the_second_post_with_the_reason(
        qtbot, tmp_path, fixed_clock, shot) -> None:
    """结果: the 副主任 round that elected her (entered before she was elected 委员) is shown
    with her name and post: locked only with the supervising office's decision in words (the
    lock asks for it: tests/gui/test_results_two_posts_decision.py)."""
    from tests.app.voting.test_two_posts_one_body import _finished_round
    from tests.gui.test_counting_results import findings_text, open_results

    s = _committee_elected(tmp_path, fixed_clock, deputy_first=True)
    deputy = next(c for c in meetings.list_contests(s.conn, s.meeting.id) if c.code == "fzr")
    _finished_round(s.conn, fixed_clock, deputy.id, 20, [(15, ["张静"]), (5, ["李明"])])
    s.conn.close()
    p = open_results(qtbot, tmp_path / f"{RuleSet.RESIDENTS.value}.db")
    try:
        p.resize(1366, 768)
        row = next(i for i in range(p.rounds.count()) if "副主任" in p.rounds.item(i).text())
        p.rounds.setCurrentRow(row)
        qtbot.wait(50)
        assert "须记录指导机构意见后锁定" in p.rounds.item(row).text()
        assert p.lock_button.isEnabled()
        assert "张静 已当选本届居委会委员" in p.lock_why.text()
        assert any("张静 已当选本届居委会委员" in t for t in findings_text(p))
        assert "非一次性选举成功" in p.summary.text()
        shot(p, "results-two-posts-1366")
    finally:
        p.close()
        p.ctx.conn.close()


def test_the_warning_names_the_opinion_route_and_the_list_says_who_holds_a_post(
        page, qtbot, shot) -> None:
    """A tester's walk: the dialog ended 如其当选，该轮结果不能锁定, yet the lock passes with the
    office's opinion; and the candidate list gave no sign that she already holds a post of the
    same body. The dialog names the opinion; the list's 备注 says 已当选本届居委会委员."""
    row = next(i for i, c in enumerate(page.contests) if c.code == "fzr")
    page.contest_list.setCurrentRow(row)
    _search_and_enter(page, qtbot, "张静")
    dialog = page.dialog
    assert dialog is not None and dialog.isVisible()
    said = " ".join(x.text() for x in dialog.findChildren(type(page.message)))
    assert "如其当选，须记录街道（乡镇）选举工作指导机构意见后才能锁定该轮" in said, said
    assert "不能锁定。" not in said
    dialog.reason.setEditText("经街道选举工作指导组同意")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    _search_and_enter(page, qtbot, "李明")
    names = [page.table.item(r, 1).text() for r in range(page.table.rowCount())]
    zj, lm = names.index("张静"), names.index("李明")
    note = page.table.item(zj, 4)
    assert note is not None and note.text() == "已当选本届居委会委员"
    assert "委员第1轮" in note.toolTip() and "指导机构意见后才能锁定" in note.toolTip()
    assert page.table.item(lm, 4).text() == ""     # a losing 委员 candidate holds nothing
    qtbot.wait(50)
    shot(page, "contests-two-posts-note")


def test_the_greyed_lock_names_the_opinion_route_while_another_error_stands(
        qtbot, tmp_path, fixed_clock) -> None:
    """结果: the 副主任 round also has 20 ballots typed for 19 returned: red 不能锁定, the
    greyed 锁定结果's tooltip named no way past her second post; it now names the opinion."""
    from app.voting import close_round, enter_ballots, open_round, record_box, set_officials
    from tests.app.voting.voting_venue import ballots
    from tests.gui.test_counting_results import open_results

    s = _committee_elected(tmp_path, fixed_clock, deputy_first=True)
    deputy = next(c for c in meetings.list_contests(s.conn, s.meeting.id) if c.code == "fzr")
    conn, clock = s.conn, fixed_clock
    r = open_round(conn, deputy.id, actor="主持人", clock=clock, double_entry=False)
    enter_ballots(conn, r.id, "A", ballots(r.names, [(15, ["张静"]), (5, ["李明"])]), clerk="甲",
                  clock=clock)
    record_box(conn, r.id, "主票箱", printed=25, issued=20, returned=19, actor="x", clock=clock)
    set_officials(conn, r.id, scrutineers=["监票甲"], counters=["计票甲"], actor="x", clock=clock)
    close_round(conn, r.id, actor="主持人", clock=clock)
    conn.close()
    p = open_results(qtbot, tmp_path / f"{RuleSet.RESIDENTS.value}.db")
    try:
        p.resize(1366, 768)
        row = next(i for i in range(p.rounds.count()) if "副主任" in p.rounds.item(i).text())
        p.rounds.setCurrentRow(row)
        qtbot.wait(50)
        assert "不能锁定" in p.rounds.item(row).text() and not p.lock_button.isEnabled()
        tip = p.lock_button.toolTip()
        assert "张静 已当选本届居委会委员" in tip and "收回19张" in tip
        assert "其他问题解决后，如街道（乡镇）选举工作指导机构同意，记录其意见即可锁定" in tip, tip
    finally:
        p.close()
        p.ctx.conn.close()
