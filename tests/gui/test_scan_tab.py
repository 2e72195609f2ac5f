"""扫描认定 tab: a batch of synthetic scans of the round's printed scannable ballot imported off the
GUI thread, the flagged ballot shown with its page image and decided with a click, then the scanned
ballots counted into entry A (the same rows keyboard entry writes)."""

from __future__ import annotations

import datetime as dt
import random

import cv2
from PySide6.QtCore import Qt

from app import voting
from app.meetings import Refusal
from app.scan.adjudicate import all_pages, decide
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from tests.app.scan.synth import distort, jpeg, render_blank, write_deck
from tests.gui.test_counting_page import counting_db, open_page, ready_round

TOOL = "pdftoppm"
INTENTS = ["ooo-x-", "------", "oxo-o-", "-o-oo-"]    # the second is blank: a human confirms


def printed_ballot(page, r, tmp_path):
    """The round's scan layout (no QR) and its ballot printed to tmp_path/ballot.pdf."""
    layout = layout_for_round(page.ctx.conn, r.contest_id, r.number, "委员选举选票", r.seats,
                              r.names, 1, qr=False, actor="test", at="2026-11-22T09:00:00+08:00")
    assert not isinstance(layout, Refusal)
    pdf = tmp_path / "ballot.pdf"
    render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                        qr=False)
    return layout, pdf


def test_scan_batch_is_imported_decided_and_counted_into_entry_a(qtbot, tmp_path, shot):
    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        conn = page.ctx.conn
        layout, pdf = printed_ballot(page, r, tmp_path)
        folder = tmp_path / "scans"
        blank = render_blank(pdf, 200, tmp_path)
        write_deck(blank, layout, 200, folder, len(INTENTS), intents=INTENTS, edge_rate=0.0,
                   write_in_rate=0.0)
        # and a ballot whose tick runs out of the 赞成 box: two people decide it
        rng, px = random.Random(3), 200 / 25.4
        img = blank.copy()
        box = layout.entries[0].approve
        cv2.line(img, (int((box.x + 3) * px), int((box.y + 7) * px)),
                 (int((box.x + box.w + 6) * px), int((box.y - 4) * px)), 30, 4)
        (folder / "z.jpg").write_bytes(jpeg(distort(img, px, rng), rng))
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        assert page.tabs.currentWidget() is tab
        page.resize(1366, 768)
        tab.hand_count.setValue(len(INTENTS) + 1)
        tab.start_import(folder)
        qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
        assert "第1批：5页" in page.message.text()
        assert tab.queue.count() == 2 and "空白票" in tab.queue.item(0).text()
        assert "越出方格" in tab.queue.item(1).text() and "两人" in tab.queue.item(1).text()
        qtbot.waitUntil(lambda: not tab.image.pixmap().isNull(), timeout=10000)
        assert tab.keys.text() == "0" and not tab.count_button.isEnabled()
        shot(page, "scan_tab_blank")
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)   # one person: blank
        assert tab.queue.count() == 1
        qtbot.waitUntil(lambda: "墨迹" in tab.reading.text(), timeout=10000)   # the image read
        shot(page, "scan_tab_edge")
        assert tab.keys.text() == ""   # doubted: keyed by the person deciding
        tab.keys.setText("1")
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
        assert "两人" in page.message.text() and tab.queue.count() == 1
        qtbot.mouseClick(tab.write_in_button, Qt.MouseButton.LeftButton)   # from the register
        tab.dialog.name.setText("曾凡荣")
        qtbot.keyClick(tab.dialog.name, Qt.Key.Key_Return)
        assert tab.write_in.text() == "曾凡荣"
        tab.second.setText("欧阳红梅")
        qtbot.mouseClick(tab.decide_button, Qt.MouseButton.LeftButton)
        assert tab.queue.count() == 0 and tab.count_button.isEnabled()
        qtbot.mouseClick(tab.count_button, Qt.MouseButton.LeftButton)
        assert "5 张已计入录入组 A" in page.message.text()
        assert "扫描计入录入组 A" in page.status.text()   # not just "A、B 双录"
        marks = [e.ballot.marks for e in voting.entries(conn, r.id, "A") if e.ballot]
        assert marks == [*INTENTS, "o-----"]
        assert voting.entries(conn, r.id, "A")[4].ballot.write_ins == ("曾凡荣",)
        # A counted ballot is corrected in entry A, no longer by a new decision.
        blank_page = all_pages(conn)[1]
        again = decide(conn, blank_page.id, "1", first="曾凡荣", second="王䶮", clock=page.ctx.clock)
        assert isinstance(again, Refusal) and again.code == "ALREADY_COUNTED"
        shot(page, "scan_tab_counted")
    finally:
        page.close()
        page.ctx.conn.close()


def test_an_import_cancelled_with_the_button_writes_nothing(qtbot, tmp_path, shot):
    """取消导入 while the pages are read: the batch is not imported at all (no rows, no archived
    file), the tab says so, and the same folder imports afterwards."""
    from app.scan.batch import archive_folder

    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        conn = page.ctx.conn
        layout, pdf = printed_ballot(page, r, tmp_path)
        one = tmp_path / "one"
        write_deck(render_blank(pdf, 300, tmp_path), layout, 300, one, 1, intents=INTENTS[:1],
                   edge_rate=0.0, write_in_rate=0.0)
        data = (one / "scan0001.jpg").read_bytes()
        folder = tmp_path / "scans"
        folder.mkdir()
        n = 40
        for i in range(n):     # the same ballot 40 times, each file distinct
            (folder / f"scan{i + 1:04d}.jpg").write_bytes(data + bytes([i]) * 8)
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        page.resize(1366, 768)
        tab.hand_count.setValue(n)
        assert not tab.cancel_button.isVisible()
        tab.start_import(folder)
        qtbot.waitUntil(lambda: "正在读取第" in page.message.text(), timeout=30000)
        assert tab.cancel_button.isVisible() and tab.cancel_button.isEnabled()
        shot(page, "scan_tab_importing")
        qtbot.mouseClick(tab.cancel_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
        assert "已取消导入" in page.message.text() and "未导入" in page.message.text()
        assert not tab.cancel_button.isVisible()
        assert conn.execute("SELECT count(*) FROM scan_batch").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM scan_page").fetchone()[0] == 0
        archive = archive_folder(page.ctx.db_path)
        assert not archive.exists() or not any(archive.rglob("*"))
        tab.start_import(folder)
        qtbot.waitUntil(lambda: tab.task is None, timeout=60000)
        assert f"第1批：{n}页" in page.message.text()
    finally:
        page.close()
        page.ctx.conn.close()


def test_an_upside_down_page_is_shown_the_right_way_up(qtbot, tmp_path, shot):
    """The same flagged ballot fed the right way and upside down: the two crops shown are the
    same picture."""
    import numpy as np
    from PIL import Image

    from tests.app.scan.synth import SEED, ballot

    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        layout, pdf = printed_ballot(page, r, tmp_path)
        img, _truth = ballot(render_blank(pdf, 200, tmp_path), layout, 200, random.Random(SEED),
                             edge_rate=1.0, write_in_rate=0.0)   # over a box edge: flagged
        folder = tmp_path / "scans"
        folder.mkdir()
        Image.fromarray(img).save(folder / "a.png", dpi=(200, 200))
        Image.fromarray(np.ascontiguousarray(img[::-1, ::-1])).save(folder / "b.png",
                                                                     dpi=(200, 200))
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        page.resize(1366, 768)
        tab.hand_count.setValue(2)
        tab.start_import(folder)
        qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
        assert tab.queue.count() == 2, page.message.text()

        def shown(row: int) -> np.ndarray:
            tab.queue.setCurrentRow(row)
            qtbot.waitUntil(lambda: "墨迹" in tab.reading.text()
                            and not tab.image.pixmap().isNull(), timeout=10000)
            q = tab.image.pixmap().toImage().convertToFormat(
                tab.image.pixmap().toImage().Format.Format_Grayscale8)
            return np.array(q.constBits()).reshape(q.height(), q.bytesPerLine())[:, :q.width()]

        upright = shown(0).astype(int)
        tab.reading.clear()
        turned = shown(1).astype(int)
        shot(page, "scan_tab_upside_down")
        # The crop is scaled to the label, whose size may still settle between the two looks:
        # compare the shapes' proportions (the grid below compares the content).
        assert abs(upright.shape[0] / upright.shape[1] - turned.shape[0] / turned.shape[1]) < 0.03

        def grid(a: np.ndarray) -> np.ndarray:      # 24 x 24 block means, whatever the size
            rows = np.array_split(np.arange(a.shape[0]), 24)
            cols = np.array_split(np.arange(a.shape[1]), 24)
            return np.array([[a[np.ix_(r, c)].mean() for c in cols] for r in rows])

        same = np.abs(grid(upright) - grid(turned)).mean()
        half_turn = np.abs(grid(upright) - grid(turned[::-1, ::-1])).mean()
        assert same < half_turn / 2, (same, half_turn)   # text and marks line up
    finally:
        page.close()
        page.ctx.conn.close()
