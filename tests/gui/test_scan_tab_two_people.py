"""扫描认定 where a staff list exists (walk finding): the signed-on 总监票人 decides a flagged
ballot and the second person confirms with name and PIN in the sign-on dialog of the results'
lock (the page refused 「只有监票人可以操作：请先选择本人姓名并输入PIN登录」 with a 总监票人
signed on, and nothing asked for the second PIN); an invalid ballot needs only its reason (it
demanded the marks); the controls say who may before the work, and a refusal keeps what was
typed."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app import staff
from app.meetings import Refusal
from app.permissions import Actor
from app.scan.adjudicate import all_pages
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from tests.app.scan.synth import render_blank, write_deck
from tests.gui.test_counting_page import counting_db, open_page, ready_round
from tests.gui.test_staff_signon import CLOCK, PIN, add_staff_list, sign_on_in


def _overvotes(conn, r, tmp_path):
    """Three pages: two overvotes (six 赞成 for five seats: two people decide) and one plain."""
    layout = layout_for_round(conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                              0, qr=False, actor="test", at="2026-11-22T09:00:00+08:00")
    assert not isinstance(layout, Refusal)
    pdf = tmp_path / "ballot.pdf"
    render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                        qr=False)
    folder = tmp_path / "scans"
    write_deck(render_blank(pdf, 200, tmp_path), layout, 200, folder, 3,
               intents=["oooooo", "ooo-x-", "oooooo"], edge_rate=0.0, write_in_rate=0.0)
    return folder


def _scan_tab(qtbot, tmp_path):
    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    page.resize(1366, 768)
    r = ready_round(page)
    folder = _overvotes(page.ctx.conn, r, tmp_path)
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
    tab = page.scan_tab
    tab.hand_count.setValue(3)
    tab.start_import(folder)                   # open mode: before the staff list
    qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
    add_staff_list(page.ctx.db_path)
    return page, tab


def _sign_on(page, name):
    actor = staff.sign_on(page.ctx.conn, name, PIN[name], clock=CLOCK)
    assert isinstance(actor, Actor)
    page.ctx.set_actor(actor)


def _second_signs(qtbot, tab, name):
    qtbot.waitUntil(lambda: tab.person_dialog is not None and tab.person_dialog.isVisible(),
                    timeout=3000)
    dialog = tab.person_dialog
    offered = [dialog.form.name_box.itemData(i) for i in range(dialog.form.name_box.count())]
    sign_on_in(qtbot, dialog.form, name, PIN[name])
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    return offered


def test_the_chief_decides_and_the_second_confirms_with_a_pin(qtbot, tmp_path, shot):
    page, tab = _scan_tab(qtbot, tmp_path)
    conn = page.ctx.conn
    try:
        _sign_on(page, "吴总监")
        tab.refresh()
        assert tab.first.text() == "吴总监" and tab.decide_button.isEnabled()
        assert not tab.second.isVisible() and tab.second_note.isVisible()
        assert tab.queue.count() == 2 and "两人" in tab.queue.item(0).text()
        # the round names its 监票人 (commit 4e0baa6): the page says who may decide
        from app.voting import set_officials

        assert not isinstance(set_officials(conn, page.round.id, scrutineers=["周监票"],
                                            counters=["孙计票"], clock=CLOCK,
                                            actor=staff.sign_on(conn, "赵主持", PIN["赵主持"],
                                                                clock=CLOCK)), Refusal)
        tab.refresh()
        assert "可认定这张选票的：周监票、吴总监" in tab.rights.text(), tab.rights.text()
        # a reading refused: said at once, nobody asked for a PIN, what was typed stays
        tab.keys.setFocus()
        qtbot.keyClicks(tab.keys, "1111111")
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
        assert tab.person_dialog is None and tab.keys.text() == "1111111"
        assert "6名候选人" in page.message.text()
        tab.keys.clear()
        qtbot.keyClicks(tab.keys, "110000")
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
        shot(tab.person_dialog or tab, "scan_tab_second_pin")
        offered = _second_signs(qtbot, tab, "周监票")
        assert "吴总监" not in offered and "钱签到" not in offered and "周监票" in offered
        decided = [p for p in all_pages(conn) if p.decision is not None]
        assert [p.decided_by for p in decided] == [("吴总监", "周监票")], page.message.text()
        assert "已认定" in page.message.text()
        # an invalid ballot: its reason, no marks
        assert tab.queue.count() == 1
        qtbot.mouseClick(tab.invalid, Qt.MouseButton.LeftButton)
        assert tab.invalid.isChecked()
        tab.reason.setText("多选，赞成6人多于应选5名")
        tab.keys.clear()
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
        _second_signs(qtbot, tab, "周监票")
        decided = [p for p in all_pages(conn) if p.decision is not None]
        assert len(decided) == 2, page.message.text()
        assert decided[1].decision.declared_invalid
        assert decided[1].decided_by == ("吴总监", "周监票")
        shot(page, "scan_tab_two_decided")
    finally:
        page.close()
        conn.close()


def test_who_may_is_said_before_the_work(qtbot, tmp_path, shot):
    page, tab = _scan_tab(qtbot, tmp_path)
    conn = page.ctx.conn
    try:
        _sign_on(page, "赵主持")           # 主持人: neither imports nor decides
        tab.refresh()
        for w in (tab.import_button, tab.hand_count, tab.watch_button, tab.decide_button,
                  tab.keys):
            assert not w.isEnabled(), w
        assert "计票人" in tab.import_button.toolTip()
        assert "监票人" in tab.decide_button.toolTip()
        assert tab.rights.isVisible() and "计票人" in tab.rights.text() \
            and "监票人" in tab.rights.text()
        shot(page, "scan_tab_host_may_not")
        _sign_on(page, "孙计票")           # 计票人: imports, does not decide
        assert tab.import_button.isEnabled() and tab.hand_count.isEnabled()
        assert not tab.decide_button.isEnabled()
        _sign_on(page, "周监票")
        assert tab.decide_button.isEnabled() and not tab.import_button.isEnabled()
        assert QApplication.instance() is not None
    finally:
        page.close()
        conn.close()
