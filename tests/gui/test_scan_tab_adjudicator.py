"""扫描认定: the 认定人 is the person using the desk (the header's 值班人, followed live, or the
signed-on member), never the placeholder shown while no name is written; a two-person ballot
names two different people."""

from __future__ import annotations

import datetime as dt
import random

import cv2
from PySide6.QtCore import Qt

from app.clock import FixedClock
from app.meetings import Refusal
from app.scan.adjudicate import all_pages, decide
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from db.connection import connect
from tests.app.scan.synth import distort, jpeg, render_blank, write_deck
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import counting_db, ready_round


def _edge_deck(conn, r, tmp_path):
    layout = layout_for_round(conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                              1, qr=False, actor="test", at="2026-11-22T09:00:00+08:00")
    assert not isinstance(layout, Refusal)
    pdf = tmp_path / "ballot.pdf"
    render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                        qr=False)
    folder = tmp_path / "scans"
    blank = render_blank(pdf, 200, tmp_path)
    write_deck(blank, layout, 200, folder, 1, intents=["ooo-x-"], edge_rate=0.0,
               write_in_rate=0.0)
    rng, px = random.Random(3), 200 / 25.4
    img = blank.copy()
    box = layout.entries[0].approve       # a tick running out of the box: two people decide
    cv2.line(img, (int((box.x + 3) * px), int((box.y + 7) * px)),
             (int((box.x + box.w + 6) * px), int((box.y - 4) * px)), 30, 4)
    (folder / "z.jpg").write_bytes(jpeg(distort(img, px, rng), rng))
    return folder


def test_the_adjudicator_follows_the_header_and_is_never_the_placeholder(qtbot, tmp_path, shot):
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from ui.app_main import make_app
    from ui.main_window import MeetingHeader
    from ui.pages.context import UNNAMED, PageContext
    from ui.pages.counting.page import CountingPage

    make_app()
    path = counting_db(tmp_path / "scan.db")
    conn = connect(path)
    ctx = PageContext(conn, path, clock=FixedClock(CLOCK_START.replace(hour=9), 1.0))
    assert ctx.actor == UNNAMED                      # 值班人 empty
    window = QWidget()
    header = MeetingHeader(ctx)
    page = CountingPage(ctx)
    lay = QVBoxLayout(window)
    lay.addWidget(header)
    lay.addWidget(page, 1)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    r = ready_round(page)
    folder = _edge_deck(conn, r, tmp_path)
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
    tab = page.scan_tab
    tab.hand_count.setValue(2)
    tab.start_import(folder)
    qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
    rows = [tab.queue.item(i).text() for i in range(tab.queue.count())]
    edge = next(i for i, t in enumerate(rows) if "两人" in t)
    tab.queue.setCurrentRow(edge)
    assert tab.first.text() != UNNAMED
    # the doubted ballot starts blank: the machine's reading is not one click away
    assert tab.keys.text() == "" and "机读" in tab.keys.placeholderText()
    tab.second.setText("欧阳红梅")
    qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
    assert "键入认定结果" in page.message.text()
    qtbot.waitUntil(lambda: not tab.image.pixmap().isNull(), timeout=10000)
    shot(window, "scan_tab_doubted_blank")
    assert all(p.decision is None for p in all_pages(conn))
    # no name yet: refused in words, nothing recorded
    tab.keys.setText("1" + "0" * (len(r.names) - 1))
    tab.second.setText("赵磊")
    qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
    assert "值班人" in page.message.text()
    assert all(p.decision is None for p in all_pages(conn))
    # nor through the use case: the placeholder, blank, or one person twice is no adjudicator
    pid = next(p.id for p in all_pages(conn) if p.needs_two)
    keys = "1" + "0" * (len(r.names) - 1)
    for first, second, code in [(UNNAMED, "赵磊", "WHO_MISSING"), (" ", "赵磊", "WHO_MISSING"),
                                ("赵磊", UNNAMED, "WHO_MISSING"), ("赵磊", "赵磊", "TWO_PEOPLE")]:
        got = decide(conn, pid, keys, first=first, second=second, clock=ctx.clock)
        assert isinstance(got, Refusal) and got.code == code, (first, second, got)
    assert all(p.decision is None for p in all_pages(conn))
    # 赵磊 is typed into the header's 值班人: the 认定人 follows
    header.operator.setFocus()
    header.operator.setText("赵磊")
    qtbot.keyClick(header.operator, Qt.Key.Key_Return)
    assert tab.first.text() == "赵磊"
    tab.queue.setCurrentRow(edge)
    qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)   # 赵磊 twice: one person
    assert "不同的两人" in page.message.text()
    assert all(p.decision is None for p in all_pages(conn))
    tab.second.setText("欧阳红梅")
    tab.keys.setText("1" + "0" * (len(r.names) - 1))
    qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
    decided = [p for p in all_pages(conn) if p.decision is not None]
    assert [p.decided_by for p in decided] == [("赵磊", "欧阳红梅")]
    # where a staff list exists, the member signed on with their PIN decides (the Actor itself)
    from app.permissions import Actor

    ctx.set_actor(Actor("孙监票", verified=True))
    assert tab.first.text() == "孙监票" and tab.adjudicator() is ctx.actor
    qtbot.waitUntil(lambda: tab.view_task is None or not tab.view_task.is_running(), timeout=10000)
    shot(window, "scan_tab_adjudicator")
    window.close()
    conn.close()


def test_the_round_header_follows_a_close_made_elsewhere(qtbot, tmp_path):
    from app import voting
    from tests.gui.test_counting_page import open_page

    page = open_page(qtbot, counting_db(tmp_path / "close.db"))
    try:
        r = ready_round(page)
        assert "计票中" in page.status.text()
        other = connect(page.ctx.db_path)          # the command line, another desk
        voting.record_box(other, r.id, "主票箱", printed=4, issued=4, returned=0,
                          actor="选举工作人员", clock=page.ctx.clock)
        closed = voting.close_round(other, r.id, actor="选举工作人员", clock=page.ctx.clock)
        other.close()
        assert not isinstance(closed, Refusal), closed
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(5).center())
        assert "计票已结束" in page.status.text() and "计票中" not in page.status.text()
        assert not page.close_button.isEnabled()
    finally:
        page.close()
        page.ctx.conn.close()
