"""扫描认定 tab, the watched scan folder: 监视文件夹… picks a real folder, files written into it
while the page watches are read once whole and listed, a duplicate is refused with its reason,
the hand count typed with the keyboard imports the watched batch (the flagged ballots appear in
the queue), and a folder that disappears (a pulled stick) stops the watch with a message."""

from __future__ import annotations

import shutil

from PySide6.QtCore import Qt

from tests.app.scan.synth import render_blank, write_deck
from tests.gui.test_counting_page import counting_db, open_page, ready_round
from tests.gui.test_scan_tab import INTENTS, printed_ballot

TOOL = "pdftoppm"


def _cells(tab) -> list[str]:
    table = tab.watch_panel.files
    return [" ".join(table.item(r, c).text() for c in range(table.columnCount()))
            for r in range(table.rowCount())]


def test_a_watched_folder_reads_new_files_and_imports_them_with_the_typed_count(
        qtbot, tmp_path, shot, monkeypatch):
    from ui import filedialogs

    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        layout, pdf = printed_ballot(page, r, tmp_path)
        made = tmp_path / "made"
        write_deck(render_blank(pdf, 200, tmp_path), layout, 200, made, len(INTENTS),
                   intents=INTENTS, edge_rate=0.0, write_in_rate=0.0)
        folder = tmp_path / "MFP 扫描"
        folder.mkdir()
        (folder / "旧的.pdf").write_bytes(b"%PDF-1.4 an older job\n%%EOF\n")   # left alone
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        page.resize(1366, 768)
        panel = tab.watch_panel
        assert not panel.isVisible()
        monkeypatch.setattr(filedialogs, "get_existing_directory", lambda *_a, **_k: str(folder))
        qtbot.mouseClick(tab.watch_button, Qt.MouseButton.LeftButton)
        assert panel.isVisible() and "正在监视" in panel.title.text()
        assert str(folder) in panel.title.text() and "已有的 1 个" in page.message.text()
        panel.timer.setInterval(150)       # the real timer, polling faster than the 2 s of a day
        shutil.copy(made / "scan0001.jpg", folder)
        shutil.copy(made / "scan0002.jpg", folder)
        qtbot.waitUntil(lambda: sum("已读出" in c for c in _cells(tab)) == 2, timeout=30000)
        shutil.copy(made / "scan0001.jpg", folder / "scan0001 - 副本.jpg")   # the same bytes
        qtbot.waitUntil(lambda: any("拒收" in c for c in _cells(tab)), timeout=30000)
        refused = next(c for c in _cells(tab) if "拒收" in c)
        assert "scan0001 - 副本.jpg" in refused and "与 scan0001.jpg 内容完全相同" in refused
        for n in (3, 4):
            shutil.copy(made / f"scan000{n}.jpg", folder)
        qtbot.waitUntil(lambda: sum("已读出" in c for c in _cells(tab)) == 4, timeout=30000)
        assert "监视第1批：4个文件，4页" in panel.batch.text() and panel.count_button.isEnabled()
        shot(page, "scan_watch_waiting")
        before = {p.name: p.read_bytes() for p in folder.iterdir()}
        panel.hand_count.setFocus()
        qtbot.keyClick(panel.hand_count, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(panel.hand_count, "4")
        qtbot.keyClick(panel.hand_count, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "已导入为第1批" in page.message.text(), timeout=30000)
        assert sum("已导入" in c for c in _cells(tab)) == 4
        assert tab.queue.count() == 1 and "空白票" in tab.queue.item(0).text()  # the blank one
        assert "本轮扫描 4 张" in tab.summary.text()
        assert {p.name: p.read_bytes() for p in folder.iterdir()} == before   # nothing moved
        assert page.ctx.conn.execute("SELECT hand_count, source FROM scan_batch").fetchall() == [
            (4, str(folder))]
        shot(page, "scan_watch_imported")
        folder.rename(tmp_path / "拔出的U盘")      # the stick is pulled
        qtbot.waitUntil(lambda: "已停止监视" in panel.title.text(), timeout=30000)
        assert "已无法访问" in page.message.text() and not panel.timer.isActive()
        assert not panel.stop_button.isEnabled()
        shot(page, "scan_watch_stopped")
    finally:
        panel.stop()
        qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
        page.close()
        page.ctx.conn.close()


def test_a_short_count_refuses_the_watched_batch_and_it_can_be_set_aside(
        qtbot, tmp_path, monkeypatch):
    from ui import filedialogs

    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        layout, pdf = printed_ballot(page, r, tmp_path)
        made = tmp_path / "made"
        write_deck(render_blank(pdf, 200, tmp_path), layout, 200, made, 2,
                   intents=INTENTS[:2], edge_rate=0.0, write_in_rate=0.0)
        folder = tmp_path / "u"
        folder.mkdir()
        shutil.copy(made / "scan0002.jpg", folder / "早先.jpg")    # scanned before the watch
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        tab = page.scan_tab
        panel = tab.watch_panel
        monkeypatch.setattr(filedialogs, "get_existing_directory", lambda *_a, **_k: str(folder))
        qtbot.mouseClick(tab.watch_button, Qt.MouseButton.LeftButton)
        panel.timer.setInterval(150)
        shutil.copy(made / "scan0001.jpg", folder)
        qtbot.waitUntil(lambda: any("已读出" in c for c in _cells(tab)), timeout=30000)
        panel.hand_count.setValue(2)
        qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "未导入" in page.message.text(), timeout=30000)
        assert "扫描文件共1页，手工清点2张" in page.message.text()
        assert "未导入" in panel.batch.text() and panel.aside_button.isEnabled()
        qtbot.mouseClick(panel.aside_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "已放弃" in page.message.text(), timeout=30000)
        assert not panel.count_button.isEnabled()
        assert page.ctx.conn.execute("SELECT count(*) FROM scan_batch").fetchone()[0] == 0
        assert (folder / "scan0001.jpg").exists()
        assert panel.existing_button.isVisible() and "1 个" in panel.existing_button.text()
        qtbot.mouseClick(panel.existing_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any("早先.jpg" in c and "已读出" in c for c in _cells(tab)),
                        timeout=30000)
        assert "监视第2批：1个文件，1页" in panel.batch.text()
        assert not panel.existing_button.isVisible()
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
        assert "已停止监视" in panel.title.text() and not panel.timer.isActive()
    finally:
        panel.stop()
        qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
        page.close()
        page.ctx.conn.close()
