"""投票计票: opening a round (quorum refusal), officials and boxes, ballot entry by keystrokes,
over-marked ballots shown red while typed, Ctrl+Z, double entry with differences resolved."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app import attendance, meetings, voting
from app.clock import FixedClock
from app.model import ContestKind
from app.rules import Round
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from ui.widgets.ballot_entry import BAD, GOOD, WARN

ACTOR = "counting-test"
CANDIDATES = ("李强", "王毅", "丁薛祥", "李干杰", "习近平", "王沪宁")  # 6 for 5 seats
BALLOT_ORDER = ("丁薛祥", "习近平", "王毅", "王沪宁", "李强", "李干杰")
FULL_MEMBERS = ("曾凡荣", "王䶮", "欧阳红梅", "张喆")


def counting_db(path, *, signed_in: int = 4):
    make_db(path)
    conn = connect(path)
    clock = FixedClock(CLOCK_START, 1.0)
    party = meetings.meeting_by_code(conn, "party")
    assert party is not None
    contest = meetings.add_contest(conn, party.id, code="wy", title="委员",
                                   kind=ContestKind.COMMITTEE, seats=5, clock=clock, actor=ACTOR)
    assert not isinstance(contest, meetings.Refusal)
    for name in CANDIDATES:
        meetings.add_candidate(conn, contest.id, name=name, clock=clock, actor=ACTOR)
    persons = {p.name: p for p in db_persons.list_persons(conn)}
    for name in FULL_MEMBERS[:signed_in]:
        r = attendance.sign_in(conn, party, persons[name], "签到台", ACTOR, clock)
        assert r.outcome is attendance.Outcome.SIGNED_IN, r
    attendance.forget(conn)
    conn.close()
    return path


def open_page(qtbot, path):
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.counting.page import CountingPage

    make_app()
    conn = connect(path)
    ctx = PageContext(conn, path, clock=FixedClock(CLOCK_START.replace(hour=9), 1.0), actor=ACTOR)
    p = CountingPage(ctx)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitExposed(p)
    return p


@pytest.fixture
def page(qtbot, tmp_path):
    p = open_page(qtbot, counting_db(tmp_path / "counting.db"))
    yield p
    p.close()
    attendance.forget(p.ctx.conn)
    p.ctx.conn.close()


def ready_round(page):
    """Open the first round, record officials and the main box."""
    r = page.open_round(Round.FIRST)
    assert r is not None and r.names == BALLOT_ORDER
    page.setup_tab.scrutineers.setText("曾凡荣")
    page.setup_tab.counters.setText("王䶮、欧阳红梅")
    assert page.setup_tab.save_officials() is not None
    return r


def settled(qtbot, tab):
    """The entry tab reads the ballots in a worker: wait for it."""
    qtbot.waitUntil(lambda: not tab.loading, timeout=5000)


def type_ballot(qtbot, tab, keys: str):
    settled(qtbot, tab)
    tab.line.setFocus()
    qtbot.keyClicks(tab.line, keys)
    qtbot.keyClick(tab.line, Qt.Key.Key_Return)


def test_quorum_not_met_refuses_to_open_with_the_core_reason(qtbot, tmp_path, shot):
    p = open_page(qtbot, counting_db(tmp_path / "few.db", signed_in=3))
    try:
        assert p.open_round(Round.FIRST) is None
        assert "不能开始投票" in p.message.text() and "应到4人，实到3人" in p.message.text()
        assert p.round is None and p.round_box.count() == 0
        shot(p, "counting-quorum-refused")
    finally:
        p.close()
        p.ctx.conn.close()


def test_officials_may_not_be_candidates_and_boxes_are_recorded(page, shot):
    page.open_round(Round.FIRST)
    page.setup_tab.scrutineers.setText("李强")
    page.setup_tab.counters.setText("王䶮")
    assert page.setup_tab.save_officials() is None
    assert "不得由本轮候选人担任" in page.message.text() and "李强" in page.message.text()
    page.setup_tab.scrutineers.setText("曾凡荣")
    assert page.setup_tab.save_officials() is not None
    tab = page.setup_tab
    assert tab.issued.value() == 4  # 发出 starts at the frozen 实到
    tab.printed.setValue(10)
    tab.returned.setValue(4)
    assert tab.save_box() is not None
    assert page.round.issued == 4 and page.round.returned == 4
    assert "发出合计 4 张（冻结实到 4 人）" in tab.totals.text()
    shot(page, "counting-setup")


def test_ballots_by_keystrokes_over_marked_red_ctrl_z_and_write_in(page, qtbot, shot):
    ready_round(page)
    qtbot.keyClick(page.setup_tab.scrutineers, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert page.tabs.currentIndex() == 1
    tab = page.entry_tab
    assert tab.line.hasFocus()
    # ≤ 7 keystrokes for six candidates: six marks and Enter.
    type_ballot(qtbot, tab, "121210")
    settled(qtbot, tab)
    assert [e.ballot.marks for e in tab.entered] == ["oxoxo-"]
    assert "第1张已录入" in tab.last.text() and "有效（选3人）" in tab.last.text()
    # Blank ballot: Enter alone.
    qtbot.keyClick(tab.line, Qt.Key.Key_Return)
    assert tab.entered[-1].ballot.marks == "------"
    # Over-marked: red with the core's reason as it is typed, before Enter.
    tab.line.setFocus()
    qtbot.keyClicks(tab.line, "11111")
    assert tab.line.tone == GOOD
    qtbot.keyClicks(tab.line, "1")
    assert tab.line.tone == BAD and "所选人数多于应选人数（选6人，应选5名）" in tab.line.status
    shot(page, "counting-entry-over-marked")
    qtbot.keyClick(tab.line, Qt.Key.Key_Return)
    assert not tab.entered[-1].check.valid and "无效" in tab.last.text()
    # Ctrl+Z takes the last ballot back onto the line; retyped, it is corrected in place.
    qtbot.keyClick(tab.line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert tab.line.editing == 3 and tab.line.keys == "111111"
    qtbot.keyClick(tab.line, Qt.Key.Key_Escape)
    assert tab.line.editing is None
    qtbot.keyClick(tab.line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(tab.line, Qt.Key.Key_Backspace)
    qtbot.keyClick(tab.line, Qt.Key.Key_Return)
    assert len(tab.entered) == 3 and tab.entered[-1].ballot.marks == "ooooo-"
    assert "第3张已更正" in tab.last.text()
    hist = voting.history(page.ctx.conn, page.round.id, "A", 3)
    assert [h.action for h in hist] == ["enter", "correct"]
    # F2: a write-in marked ○ (the dialog completes from the register).
    qtbot.keyClicks(tab.line, "1")
    qtbot.keyClick(tab.line, Qt.Key.Key_F2)
    dialog = tab.dialog
    dialog.name.setText("zfr")
    dialog._complete("zfr")
    assert dialog.model.stringList() == ["曾凡荣"]
    dialog.name.setText("曾凡荣")
    dialog._accept()
    assert tab.line.write_ins == ["曾凡荣"] and "选2人" in tab.line.status
    qtbot.keyClick(tab.line, Qt.Key.Key_Return)
    assert tab.entered[-1].ballot.write_ins == ("曾凡荣",)
    # F4: invalid with a reason (amber while typed).
    qtbot.keyClick(tab.line, Qt.Key.Key_F4)
    tab.dialog.reason.setEditText("无法辨认选票意图")
    tab.dialog.ok_button.click()
    assert tab.line.tone == WARN
    qtbot.keyClick(tab.line, Qt.Key.Key_Return)
    assert tab.entered[-1].ballot.declared_invalid
    assert tab.counter.text() == "录入组A已录入 5 张（有效 4，无效 1）"
    # The 唱票 screen shows running approvals from the core's count.
    view = tab.open_singing()
    rows = dict((n, c) for n, c, _w in view.rows)
    assert rows["丁薛祥"] == 3 and rows["习近平"] == 1 and rows["曾凡荣"] == 1
    view.resize(1280, 720)
    shot(view, "singing-view")
    shot(page, "counting-entry")
    view.close()


def test_double_entry_differences_resolved_then_close(page, qtbot, shot):
    ready_round(page)
    page.setup_tab.returned.setValue(4)
    page.setup_tab.save_box()
    page.tabs.setCurrentIndex(1)
    tab = page.entry_tab
    for keys in ("11111", "1212", "22222", "111"):
        type_ballot(qtbot, tab, keys)
    page.entry_b.setChecked(True)
    page.clerk_box.setText("李四")
    settled(qtbot, tab)
    assert tab.entered == []
    for keys in ("11111", "1211", "22222", "1111"):
        type_ballot(qtbot, tab, keys)
    settled(qtbot, tab)
    assert tab.entered[0].clerk == f"李四（{ACTOR}）"
    page.tabs.setCurrentIndex(2)
    cmp_ = page.compare_tab
    assert [d.seq for d in cmp_.view.differences] == [2, 4]
    assert "不一致 2 张，待处理 2 张" in cmp_.view.summary.text()
    # Side by side: 王沪宁 (4th) differs on ballot 2.
    assert cmp_.view.table.item(0, 4).text() == "A×  B○"
    shot(page, "counting-compare-pending")
    page.close_counting()
    assert "尚未处理" in page.message.text()
    # Ballot 2: B is right.
    cmp_.view.table.selectRow(0)
    cmp_.view.buttons["B"].click()
    cmp_.dialog.ok_button.click()
    # Ballot 4: neither; the paper says 1110.
    cmp_.view.table.selectRow(1)
    cmp_.view.buttons["paper"].click()
    assert cmp_.paper.isVisible()
    qtbot.keyClick(cmp_.paper, Qt.Key.Key_Escape)
    qtbot.keyClicks(cmp_.paper, "1101")
    qtbot.keyClick(cmp_.paper, Qt.Key.Key_Return)
    cmp_.dialog.ok_button.click()
    assert "已全部处理" in cmp_.view.summary.text()
    shot(page, "counting-compare-resolved")
    counted = voting.counted_ballots(page.ctx.conn, page.round)
    assert sorted(b.marks for b, n in counted for _ in range(n)) == sorted(
        ["ooooo-", "oxoo--", "xxxxx-", "oo-o--"])
    page.close_counting()
    assert page.round.state is voting.State.CLOSED and "计票已结束" in page.message.text()
    assert not page.entry_tab.line.isEnabled()


def fill_sheet(tab, first: int):
    for i, s in enumerate(tab.approve):
        s.setValue(first if i == 0 else 3 if i < 4 else 1)
    tab.valid.setValue(4)
    tab.write_ins.setText("曾凡荣 1")


def test_tally_sheets_twice_and_a_recount(page, shot):
    r = page.open_round(Round.FIRST, mode=voting.Mode.TALLY)
    assert r is not None and page.tabs.isTabEnabled(3) and not page.tabs.isTabEnabled(1)
    page.tabs.setCurrentIndex(3)
    tab = page.tally_tab
    fill_sheet(tab, 3)
    assert tab.save() is not None
    assert "尚待录入组 B" in tab.diffs.text()
    # B counts on an empty form: A's figures are not in view.
    page.entry_b.setChecked(True)
    assert tab.approve[1].value() == 0 and tab.valid.value() == 0 and tab.write_ins.text() == ""
    fill_sheet(tab, 2)
    assert tab.save() is not None
    assert "不一致" in tab.diffs.text() and "丁薛祥 赞成：A 3 / B 2" in tab.diffs.text()
    page.entry_a.setChecked(True)
    assert tab.approve[0].value() == 3 and tab.write_ins.text() == "曾凡荣 1"
    assert tab.resolve("重新清点选票后确认") is not None
    assert "已按重新清点确认" in tab.diffs.text()
    shot(page, "counting-tally")


def test_entry_b_on_a_second_laptop_exported_and_imported(page, qtbot, tmp_path, monkeypatch,
                                                          shot):
    """A enters on the counting laptop; B on a second laptop holding a copy of the database made
    after the round opened; B's file (through the save / open dialogs) is imported and the
    comparison lists the one difference."""
    from tests.app.sync.sync_venue import copy_db
    from ui import filedialogs

    ready_round(page)
    copy_db(page.ctx.db_path, tmp_path / "second.db")
    page.tabs.setCurrentIndex(1)
    for keys in ("11111", "1212", "22222"):
        type_ballot(qtbot, page.entry_tab, keys)
    second = open_page(qtbot, tmp_path / "second.db")
    try:
        second.entry_b.setChecked(True)
        second.clerk_box.setText("李四")
        second.tabs.setCurrentIndex(1)
        for keys in ("11111", "1211", "22222"):
            type_ballot(qtbot, second.entry_tab, keys)
        second.tabs.setCurrentIndex(2)
        stick = tmp_path / "U盘"
        stick.mkdir()
        asked: list[str] = []

        def save(_parent, _title, default, _filter):
            asked.append(default)
            return str(stick / default), ""

        monkeypatch.setattr(filedialogs, "get_save_file_name", save)
        second.compare_tab.export_button.click()
        assert asked == ["party-wy-第1轮-录入组B.pollday-entry"]
        assert "已导出 party-wy-第1轮-录入组B.pollday-entry" in second.message.text()
        assert "录入组B：3 张选票" in second.message.text()
        shot(second, "counting-entry-exported")
    finally:
        second.close()
        attendance.forget(second.ctx.conn)
        second.ctx.conn.close()
    monkeypatch.setattr(filedialogs, "get_open_file_name",
                        lambda *_a: (str(stick / asked[0]), ""))
    page.tabs.setCurrentIndex(2)
    cmp_ = page.compare_tab
    cmp_.import_button.click()
    assert "导入 3 条记录" in page.message.text(), page.message.text()
    assert [d.seq for d in cmp_.view.differences] == [2]
    assert "不一致 1 张" in cmp_.view.summary.text()
    shot(page, "counting-entry-imported")
    cmp_.import_button.click()                         # the same file again: nothing doubled
    assert "此前已导入，没有新记录" in page.message.text()
    assert [d.seq for d in cmp_.view.differences] == [2]
    (stick / "坏文件.pollday-entry").write_text("{}", encoding="utf-8")
    assert not cmp_.import_from(stick / "坏文件.pollday-entry")
    assert "坏文件.pollday-entry：不是 PollDay 录入文件" in page.message.text()
