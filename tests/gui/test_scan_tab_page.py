"""扫描认定 tab with a page of several contests of one round: the flag names its contest, the
adjudication line starts from each contest's reading (one run per contest, | between), a decision
is keyed as such and the page's block of the round's contest is counted into its entry A."""

from __future__ import annotations

import datetime as dt
import random

from PySide6.QtCore import Qt

from app import voting
from app.meetings import Refusal
from app.scan.layout import FORMAT_A, FORMAT_B, PartSpec
from app.scan.multi import layout_for_page
from app.scan.printing import render_scan_ballots
from tests.app.scan.synth import distort, draw_b, draw_mark, jpeg, render_blank
from tests.gui.test_counting_page import counting_db, open_page, ready_round

TOOL = "pdftoppm"


def test_a_page_of_two_contests_is_decided_and_counted_on_the_tab(qtbot, tmp_path, shot):
    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        conn = page.ctx.conn
        other = PartSpec(r.contest_id + 100, r.number, FORMAT_B, "纪律检查委员会委员", 1,
                         ("甲乙", "丙丁"), 0)   # another contest's block (never counted here)
        specs = [PartSpec(r.contest_id, r.number, FORMAT_A, "委员", r.seats, r.names, 0), other]
        layout = layout_for_page(conn, "示例社区党员大会选票", specs, qr=False, actor="test",
                                 at="2026-11-22T09:00:00+08:00")
        assert not isinstance(layout, Refusal)
        pdf = tmp_path / "page.pdf"
        render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                            qr=False)
        blank = render_blank(pdf, 200, tmp_path)
        px, rng = 200 / 25.4, random.Random(8)
        folder = tmp_path / "scans"
        folder.mkdir()
        a, b = layout.blocks()
        # Page 1: read as meant. Page 2: more approvals than seats in the first contest.
        for name, approve in (("p1.jpg", 1), ("p2.jpg", r.seats + 1)):
            img = blank.copy()
            for e in a.entries[:approve]:
                draw_mark(img, e.approve, px, rng)
            draw_b(img, b.entries[0].approve, px, rng, "o_closed")
            (folder / name).write_bytes(jpeg(distort(img, px, rng), rng))
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        page.resize(1366, 768)
        tab.hand_count.setValue(2)
        tab.start_import(folder)
        qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
        assert tab.queue.count() == 1 and "【委员】" in tab.queue.item(0).text()
        n = len(r.names)
        assert tab.keys.text() == ""   # an overvote: keyed by the people deciding
        assert "机读 " + "1" * (r.seats + 1) + "|1" in tab.keys.placeholderText()
        qtbot.waitUntil(lambda: not tab.image.pixmap().isNull(), timeout=10000)
        shot(page, "scan_tab_page_of_two_contests")
        tab.keys.setText("1" * r.seats + "|1")   # the adjudicators read one mark as a slip
        tab.second.setText("欧阳红梅")
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
        assert tab.queue.count() == 0, page.message.text()
        qtbot.mouseClick(tab.count_button, Qt.MouseButton.LeftButton)
        assert "2 张已计入录入组 A" in page.message.text()
        marks = [e.ballot.marks for e in voting.entries(conn, r.id, "A") if e.ballot]
        want = "o" * r.seats + "-" * (n - r.seats)
        assert marks == ["o" + "-" * (n - 1), want]
    finally:
        page.close()
        page.ctx.conn.close()
