"""扫描核对 and 双录比对 after the walk: who may is said before the work (a refused 核对方式 goes
back instead of staying ticked beside 未选择核对方式; 采用 A is refused before the reason is
written, not after); a scanned ballot of entry A is named by batch and position where its
difference is shown, and the 扫描核对 list flags the ballot whose keying disagreed with the
scan; both pages (and 扫描认定) follow decisions and entries made elsewhere (the command line)
without switching tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import voting
from app.meetings import Refusal
from app.scan import check
from app.scan.adjudicate import count_round, decide, pending
from app.voting.entry import make_entry_ballot
from db.connection import connect
from tests.gui.test_counting_page import ACTOR, counting_db, open_page, ready_round
from tests.gui.test_scan_tab_two_people import _overvotes, _sign_on
from tests.gui.test_staff_signon import add_staff_list


def _tab(qtbot, page, i):
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(i).center())
    return page.tabs.currentWidget()


def _counted(qtbot, tmp_path):
    """3 scanned pages (two overvotes decided), counted into A; entry B keyed, ballot 2 not as
    scanned. Open mode; the staff list added after."""
    page = open_page(qtbot, counting_db(tmp_path / "walk.db"))
    page.resize(1366, 768)
    r = ready_round(page)
    conn, clock = page.ctx.conn, page.ctx.clock
    folder = _overvotes(conn, r, tmp_path)
    tab = _tab(qtbot, page, 4)
    tab.hand_count.setValue(3)
    tab.start_import(folder)
    qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
    return page, r, conn, clock


def test_the_scan_check_choice_and_the_resolve_say_who_may_first(qtbot, tmp_path, shot):
    page, r, conn, clock = _counted(qtbot, tmp_path)
    try:
        for p in pending(conn):
            assert not isinstance(decide(conn, p.id, "111110", first="甲", second="乙",
                                         clock=clock), Refusal)
        assert count_round(conn, r.id, operator=ACTOR, clock=clock) == 3
        # clerk B keys ballot 2 (scanned 111020) as 1: it disagrees with the scan
        b = [make_entry_ballot(r, k) for k in ["111110", "1", "111110"]]
        assert voting.enter_ballots(conn, r.id, "B", b, clerk="李四", clock=clock) == 3
        add_staff_list(page.ctx.db_path)
        _sign_on(page, "孙计票")
        sc = _tab(qtbot, page, 5)
        sc.refresh()
        for radio in (sc.full, sc.sample):
            assert not radio.isEnabled() and "主持人" in radio.toolTip(), radio.toolTip()
        assert "主持人" in sc.state.text()
        # a refused choice (made anyway) goes back: nothing stays ticked beside 未选择
        sc.sample.setChecked(True)
        assert not sc.sample.isChecked() and not sc.full.isChecked()
        assert "主持人" in page.message.text()
        _sign_on(page, "赵主持")
        qtbot.mouseClick(sc.full, Qt.MouseButton.LeftButton)
        assert sc.full.isChecked(), page.message.text()
        rows = {sc.table.item(i, 2).text(): sc.table.item(i, 4).text()
                for i in range(sc.table.rowCount())}
        assert rows["2"] == "与扫描不一致，见双录比对" and rows["1"] == "已录入", rows
        shot(page, "scan_check_disagreed_row")
        cmp_tab = _tab(qtbot, page, 2)
        _sign_on(page, "孙计票")
        assert not cmp_tab.view.buttons["A"].isEnabled()
        assert "监票人" in cmp_tab.view.buttons["A"].toolTip()
        assert cmp_tab.rights.isVisible() and "监票人" in cmp_tab.rights.text()
        cmp_tab.ask_resolve(2, "A")           # asked anyway: refused before any reason
        assert cmp_tab.dialog is None and "监票人" in page.message.text()
        first = cmp_tab.view.table.item(0, 0).text()
        assert first.startswith("2") and "第1批第2张" in first, first
        shot(page, "compare_scanned_where")
        _sign_on(page, "周监票")
        assert cmp_tab.view.buttons["A"].isEnabled()
    finally:
        page.close()
        conn.close()


def test_the_pages_follow_changes_made_elsewhere(qtbot, tmp_path):
    page, r, conn, clock = _counted(qtbot, tmp_path)
    try:
        tab = page.scan_tab
        assert tab.queue.count() == 2
        other = connect(page.ctx.db_path)   # the command line
        first = pending(other)[0]
        assert not isinstance(decide(other, first.id, "111110", first="甲", second="乙",
                                     clock=clock), Refusal)
        qtbot.waitUntil(lambda: tab.queue.count() == 1, timeout=6000)
        decide(other, pending(other)[0].id, "111110", first="甲", second="乙", clock=clock)
        assert count_round(other, r.id, operator=ACTOR, clock=clock) == 3
        cmp_tab = _tab(qtbot, page, 2)
        assert "B 录入 0 张" in cmp_tab.view.summary.text()
        b = [make_entry_ballot(r, "111110")]
        assert voting.enter_ballots(other, r.id, "B", b, clerk="李四", clock=clock) == 1
        qtbot.waitUntil(lambda: "B 录入 1 张" in cmp_tab.view.summary.text(), timeout=6000)
        sc = _tab(qtbot, page, 5)
        assert check.set_mode(other, r.id, check.FULL, actor=ACTOR, clock=clock)
        qtbot.waitUntil(lambda: sc.full.isChecked(), timeout=6000)
        other.close()
    finally:
        page.close()
        conn.close()
