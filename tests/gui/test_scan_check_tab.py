"""扫描核对 tab (issue 17 item 6): the round checked by a blind sample chosen with a click, the
sample drawn, the list naming each ballot by batch and position (never the machine's reading),
and the clerk keying the next one into entry B under its number."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from app import voting
from app.meetings import Refusal
from app.scan.adjudicate import count_round
from app.scan.batch import import_batch
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from app.voting.entry import keys_for
from tests.app.scan.synth import render_blank, write_deck
from tests.gui.test_counting_page import counting_db, open_page, ready_round

TOOL = "pdftoppm"
INTENTS = ["ooo-x-", "oxo-o-", "-o-oo-", "o-o-o-", "xoooo-", "oo--x-"]


def test_the_blind_sample_is_listed_by_batch_and_position_and_keyed(qtbot, tmp_path, shot):
    db = tmp_path / "check.db"
    page = open_page(qtbot, counting_db(db))
    try:
        r = ready_round(page)
        conn, clock = page.ctx.conn, page.ctx.clock
        layout = layout_for_round(conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                                  0, qr=False, actor="test", at="2026-11-22T09:00:00+08:00")
        assert not isinstance(layout, Refusal)
        pdf = tmp_path / "ballot.pdf"
        render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                            qr=False)
        folder = tmp_path / "scans"
        write_deck(render_blank(pdf, 200, tmp_path), layout, 200, folder, len(INTENTS),
                   intents=INTENTS, edge_rate=0.0, write_in_rate=0.0)
        got = import_batch(conn, db, folder, len(INTENTS), operator="计票员", clock=clock)
        assert not isinstance(got, Refusal) and got.read == len(INTENTS), got
        assert count_round(conn, r.id, operator="计票员", clock=clock) == len(INTENTS)
        page.resize(1366, 768)
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(5).center())
        tab = page.scan_check_tab
        assert page.tabs.currentWidget() is tab
        assert not tab.draw_button.isEnabled()
        assert "尚未打印扫描测试选票" in tab.deck.text()
        qtbot.mouseClick(tab.sample, Qt.MouseButton.LeftButton)
        assert "随机抽查" in page.message.text() and tab.draw_button.isEnabled()
        qtbot.mouseClick(tab.draw_button, Qt.MouseButton.LeftButton)
        assert "随机抽取6张" in page.message.text(), page.message.text()
        rows = [[tab.table.item(i, c).text() for c in range(5)] for i in range(tab.table.rowCount())]
        assert [(x[0], x[1]) for x in rows] == [("第1批", str(k)) for k in range(1, 7)]
        assert all(x[4] == "待录入" for x in rows)
        shown = " ".join(" ".join(x) for x in rows) + tab.next_label.text()
        assert not any(m in shown for m in ("o", "赞成")), shown    # blind: no machine reading
        assert "请取出：第1批第1张" in tab.next_label.text()
        shot(page, "scan_check_sample")
        qtbot.mouseClick(tab.keys, Qt.MouseButton.LeftButton)
        qtbot.keyClicks(tab.keys, keys_for(INTENTS[0]))
        qtbot.keyClick(tab.keys, Qt.Key.Key_Return)
        assert "第1批第1张" in page.message.text() and "已录入" in page.message.text()
        b = {e.seq: e.ballot.marks for e in voting.entries(conn, r.id, "B") if e.ballot}
        assert b == {1: INTENTS[0]}
        assert tab.table.item(0, 4).text() == "已录入"
        assert "请取出：第1批第2张" in tab.next_label.text()
        # The line of ballot entry: a write-in after +, refused keys said in words.
        tab.keys.setText("9")
        qtbot.keyClick(tab.keys, Qt.Key.Key_Return)
        assert "第1批第2张" in tab.next_label.text() and page.message.text()
        tab.keys.setText(keys_for(INTENTS[1]) + " +曾凡荣")
        qtbot.keyClick(tab.keys, Qt.Key.Key_Return)
        second = next(e for e in voting.entries(conn, r.id, "B") if e.seq == 2)
        assert second.ballot.marks == INTENTS[1] and second.ballot.write_ins == ("曾凡荣",)
        shot(page, "scan_check_keyed")
    finally:
        page.close()
        page.ctx.conn.close()


def test_the_test_deck_result_is_shown_page_by_page(qtbot, tmp_path, shot):
    import random

    from app.scan.testdeck import make_deck, render_deck
    from tests.app.scan.synth import distort, jpeg
    from tests.e2e.test_scan_testdeck_cli import DPI, _render, mark_page

    db = tmp_path / "deck.db"
    page = open_page(qtbot, counting_db(db))
    try:
        r = ready_round(page)
        conn, clock = page.ctx.conn, page.ctx.clock
        layout = layout_for_round(conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                                  1, qr=False, actor="test", at="2026-11-22T09:00:00+08:00")
        assert not isinstance(layout, Refusal)
        deck = make_deck(conn, r.contest_id, r.number, pages=8, actor="test", clock=clock)
        assert not isinstance(deck, Refusal)
        pdf = tmp_path / "deck.pdf"
        render_deck(deck, pdf, dt.datetime(2026, 11, 22, 9, 0), election="x")
        rng = random.Random(8)
        folder = tmp_path / "scans"
        folder.mkdir()
        for p, img in zip(deck, _render(pdf, tmp_path), strict=True):
            actions = list(p.plan.actions)
            if p.page_no == 3:          # marked against the pattern: a tick in 赞成, not ×
                actions[0] = "tick_a"
            mark_page(img, p.layout, actions, rng)
            (folder / f"d{p.page_no}.jpg").write_bytes(jpeg(distort(img, DPI / 25.4, rng), rng))
        got = import_batch(conn, db, folder, 8, operator="计票员", clock=clock)
        assert not isinstance(got, Refusal)
        assert [t.passed for t in got.testdeck] == [True, True, False, True, True, True, True,
                                                    True], [t.why for t in got.testdeck]
        page.resize(1366, 768)
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(5).center())
        tab = page.scan_check_tab
        text = tab.deck.text()
        assert "扫描测试：8页，通过7页，未通过1页" in text and "不合格" in text
        assert "第1套第3页（第1批第3张）" in text and "应读作x，读作o" in text
        qtbot.waitUntil(lambda: tab.deck.height() >= tab.deck.minimumHeight(), timeout=2000)
        shot(page, "scan_check_testdeck")
    finally:
        page.close()
        page.ctx.conn.close()
