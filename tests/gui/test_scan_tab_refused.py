"""扫描认定 tab with a page of two contests: a page the reader refused (a marker missing) tells no
layout, so no contest; it is said once, beside the queue (batch, position, file, reason), and is no
longer counted in each contest's own figures ("各批拒读共 1 张" stood in both contests' summaries)."""

from __future__ import annotations

import datetime as dt
import random

from PySide6.QtCore import Qt

from app.meetings import Refusal
from app.rules import Round
from app.scan.layout import FORMAT_A, FORMAT_B, PartSpec
from app.scan.multi import layout_for_page
from app.scan.printing import render_scan_ballots
from tests.app.scan.synth import broken, distort, draw_b, draw_mark, jpeg, render_blank
from tests.gui.test_counting_page import counting_db, open_page, ready_round
from tests.gui.test_scan_print import SECOND, add_second_contest

TOOL = "pdftoppm"


def test_a_refused_page_is_said_once_not_under_each_contest(qtbot, tmp_path, shot):
    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        jw = add_second_contest(page)
        page.contest_box.setCurrentIndex(page.contest_box.findData(jw.id))
        r2 = page.open_round(Round.FIRST)
        assert r2 is not None
        conn = page.ctx.conn
        specs = [PartSpec(r.contest_id, r.number, FORMAT_A, "委员", r.seats, r.names, 0),
                 PartSpec(jw.id, r2.number, FORMAT_B, "纪律检查委员会委员", 1, r2.names, 0)]
        assert set(r2.names) == set(SECOND)
        layout = layout_for_page(conn, "示例社区党员大会选票", specs, qr=False, actor="test",
                                 at="2026-11-22T09:00:00+08:00")
        assert not isinstance(layout, Refusal)
        pdf = tmp_path / "page.pdf"
        render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                            qr=False)
        blank = render_blank(pdf, 200, tmp_path)
        px, rng = 200 / 25.4, random.Random(5)
        folder = tmp_path / "scans"
        folder.mkdir()
        a, b = layout.blocks()
        for name in ("p1.jpg", "p2.jpg"):
            img = blank.copy()
            draw_mark(img, a.entries[0].approve, px, rng)
            draw_b(img, b.entries[0].approve, px, rng, "o_closed")
            (folder / name).write_bytes(jpeg(distort(img, px, rng), rng))
        (folder / "p3.jpg").write_bytes(jpeg(broken(blank, layout, 200, rng, "missing_marker"),
                                             rng))
        page.resize(1366, 768)
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        tab.hand_count.setValue(3)
        tab.start_import(folder)
        qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
        for contest_id in (jw.id, r.contest_id):   # each contest's round in turn
            page.contest_box.setCurrentIndex(page.contest_box.findData(contest_id))
            qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
            tab.refresh()
            assert "拒读" not in tab.summary.text(), tab.summary.text()
            assert "本轮扫描 2 张" in tab.summary.text(), tab.summary.text()
            said = tab.refused.text()
            assert tab.refused.isVisible() and said.count("第1批第3张") == 1, said
            assert said.startswith("拒读 1 张") and "p3.jpg" in said, said
            # the app cannot tell the page from its later rescan: no order to key it twice
            assert "如已把该张重新扫描并导入" in said and "无需录入" in said, said
        shot(page, "scan_tab_refused_page_once")
    finally:
        page.close()
        page.ctx.conn.close()
