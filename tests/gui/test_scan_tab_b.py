"""扫描认定 tab with a format-B ballot (one box per candidate, ○ / ×): a ballot whose box holds a √
waits for a human, its reading shows the box's ○-score, ×-score and margin, and two people decide
it; the scanned ballots then count into entry A."""

from __future__ import annotations

import datetime as dt
import random

from PySide6.QtCore import Qt

from app import voting
from app.meetings import Refusal
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from tests.app.scan.synth import ballot_b, jpeg, render_blank
from tests.gui.test_counting_page import counting_db, open_page, ready_round

TOOL = "pdftoppm"


def test_a_format_b_tick_waits_with_its_scores_and_two_people_decide_it(qtbot, tmp_path, shot):
    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        conn = page.ctx.conn
        layout = layout_for_round(conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                                  1, qr=False, actor="test", at="2026-11-22T09:00:00+08:00",
                                  fmt="B")
        assert not isinstance(layout, Refusal) and layout.format == "B"
        pdf = tmp_path / "ballot.pdf"
        render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                            qr=False)
        blank = render_blank(pdf, 200, tmp_path)
        folder = tmp_path / "scans"
        folder.mkdir()
        rng = random.Random(5)
        decks = [["o_closed", "x", "o_open"], ["tick", "x", "o_closed"], ["x", "", "o_closed"]]
        for i, kinds in enumerate(decks):
            img, _truth = ballot_b(blank, layout, 200, rng, kinds=kinds)
            (folder / f"scan{i + 1}.jpg").write_bytes(jpeg(img, rng))
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        page.resize(1366, 768)
        tab.hand_count.setValue(3)
        tab.start_import(folder)
        qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
        assert tab.queue.count() == 1, [tab.queue.item(i).text() for i in range(tab.queue.count())]
        assert "○或×" in tab.queue.item(0).text() and "两人" in tab.queue.item(0).text()
        qtbot.waitUntil(lambda: "○分" in tab.reading.text(), timeout=10000)
        assert "×分" in tab.reading.text() and "差" in tab.reading.text()
        shot(page, "scan_tab_format_b_tick")
        tab.keys.setText("121")          # the 监票人 read the √ as 赞成
        tab.second.setText("欧阳红梅")
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
        assert tab.queue.count() == 0 and tab.count_button.isEnabled(), page.message.text()
        qtbot.mouseClick(tab.count_button, Qt.MouseButton.LeftButton)
        marks = [e.ballot.marks for e in voting.entries(conn, r.id, "A") if e.ballot]
        n = len(r.names)
        assert marks == [("oxo" + "-" * n)[:n], ("oxo" + "-" * n)[:n], ("x-o" + "-" * n)[:n]]
    finally:
        page.close()
        page.ctx.conn.close()
