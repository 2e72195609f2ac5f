"""扫描认定 tab, the watched scan folder: 监视文件夹… picks a real folder, files written into it
while the page watches are read once whole and listed, a duplicate is refused with its reason,
the hand count typed with the keyboard imports the watched batch (the flagged ballots appear in
the queue), and a folder that disappears (a pulled stick) stops the watch with a message."""

from __future__ import annotations

import shutil
from pathlib import Path

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
        assert str(folder) in panel.title.text()
        panel.timer.setInterval(150)       # the real timer, polling faster than the 2 s of a day
        qtbot.waitUntil(lambda: panel.existing_button.isVisible(), timeout=30000)
        assert panel.existing_button.text() == "也读取未导入的 1 个文件"
        assert "1 个未导入过（内容不在存档中）：旧的.pdf" in page.message.text()
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
        assert "待导入批（将为第1批）：4个文件，4页" in panel.batch.text()
        assert panel.count_button.isEnabled()
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
        assert panel.hand_count.value() == 2          # the typed count stays after the refusal
        assert not tab.hand_count.isVisible()         # one count box while watching
        qtbot.mouseClick(panel.aside_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.confirm is not None and panel.confirm.isVisible(),
                        timeout=3000)
        qtbot.keyClick(panel.confirm, Qt.Key.Key_Escape)          # Esc keeps the batch
        assert not panel.confirm.isVisible() and panel.count_button.isEnabled()
        assert "未导入" in panel.batch.text()
        qtbot.mouseClick(panel.aside_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(panel.confirm.isVisible, timeout=3000)
        discard = next(b for b in panel.confirm.buttons() if b.text() == "放弃这一批")
        qtbot.mouseClick(discard, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "已放弃" in page.message.text(), timeout=30000)
        assert not panel.count_button.isEnabled()
        assert page.ctx.conn.execute("SELECT count(*) FROM scan_batch").fetchone()[0] == 0
        assert (folder / "scan0001.jpg").exists()
        assert panel.existing_button.isVisible() and "1 个" in panel.existing_button.text()
        qtbot.mouseClick(panel.existing_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: any("早先.jpg" in c and "已读出" in c for c in _cells(tab)),
                        timeout=30000)
        assert "待导入批（将为第1批）：1个文件，1页" in panel.batch.text()
        assert not panel.existing_button.isVisible()
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
        assert "已停止监视" in panel.title.text() and not panel.timer.isActive()
        assert tab.hand_count.isVisible()             # the folder import's count is back
    finally:
        panel.stop()
        qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
        page.close()
        page.ctx.conn.close()


def test_closing_names_a_watched_batch_not_imported_and_the_next_start_offers_it_back(
        qtbot, tmp_path, shot, monkeypatch):
    """A file read into a watched batch whose hand count was not typed: 文件→退出 names it (not
    "nothing is lost"); after the window is opened again the scan tab offers the folder back,
    the file is read again into a batch named by the number it will get, and the folder dialog
    opens in the folder watched last."""
    from PySide6.QtWidgets import QApplication

    from tests.gui.conftest import later, open_window
    from tests.gui.test_window_day import answer_box
    from ui import filedialogs
    from ui.pages.counting.page import CountingPage

    db = counting_db(tmp_path / "scan.db")
    page = open_page(qtbot, db)
    try:
        r = ready_round(page)
        layout, pdf = printed_ballot(page, r, tmp_path)
    finally:
        page.close()
        page.ctx.conn.close()
    made = tmp_path / "made"
    write_deck(render_blank(pdf, 200, tmp_path), layout, 200, made, 1, intents=INTENTS[:1],
               edge_rate=0.0, write_in_rate=0.0)
    folder = tmp_path / "MFP 扫描"
    folder.mkdir()
    asked: list[str] = []

    def pick(_parent, _caption, directory=""):
        asked.append(directory)
        return str(folder)

    monkeypatch.setattr(filedialogs, "get_existing_directory", pick)

    def scan_tab(window):
        qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
        counting = window.findChild(CountingPage)
        assert counting is not None
        bar = counting.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        return counting, counting.scan_tab

    gen = open_window(qtbot, db)
    window = next(gen)
    window.resize(1366, 768)
    counting, tab = scan_tab(window)
    panel = tab.watch_panel
    qtbot.mouseClick(tab.watch_button, Qt.MouseButton.LeftButton)
    # never watched on this database: the home folder (or a USB stick), not the print folder
    assert asked == [str(Path.home())]
    panel.timer.setInterval(150)
    shutil.copy(made / "scan0001.jpg", folder / "late001.jpg")
    qtbot.waitUntil(lambda: any("已读出" in c for c in _cells(tab)), timeout=30000)
    assert "待导入批（将为第1批）：1个文件，1页" in panel.batch.text()
    seen: list[str] = []

    def look() -> None:                    # the dialog as the clerk sees it, then keep working
        box = QApplication.activeModalWidget()
        if box is None:
            later(20, look)
            return
        shot(box, "scan_watch_close_dialog")
        answer_box(qtbot, "继续工作（先输入清点张数导入）", seen)

    later(0, look)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    assert seen and "late001.jpg" in seen[0] and "手工清点张数尚未输入" in seen[0], seen
    assert "不会丢失" not in seen[0] and "没有计入" in seen[0]
    assert window.isVisible() and not window.db_released
    qtbot.waitUntil(lambda: QApplication.activeModalWidget() is None)
    answer_box(qtbot, "仍然关闭（下次再导入）", seen)
    window.request_close()
    qtbot.waitUntil(lambda: window.db_released, timeout=5000)
    gen.close()

    gen = open_window(qtbot, db)
    window = next(gen)
    window.resize(1366, 768)
    try:
        counting, tab = scan_tab(window)
        panel = tab.watch_panel
        qtbot.waitUntil(panel.resume_button.isVisible, timeout=5000)
        assert "late001.jpg" in panel.batch.text() and "没有计入" in panel.batch.text()
        assert "继续监视这个文件夹" in panel.close_words()   # closing again still says so
        shot(window, "scan_watch_offered_back")
        qtbot.mouseClick(panel.resume_button, Qt.MouseButton.LeftButton)
        panel.timer.setInterval(150)
        qtbot.waitUntil(lambda: any("late001.jpg" in c and "已读出" in c for c in _cells(tab)),
                        timeout=30000)
        assert "待导入批（将为第1批）：1个文件，1页" in panel.batch.text()
        assert panel.count_button.isEnabled() and not panel.resume_button.isVisible()
        assert not panel.existing_button.isVisible()   # not "already there"
        shot(window, "scan_watch_read_back")
        panel.hand_count.setValue(1)
        qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "已导入为第1批" in counting.message.text(), timeout=30000)
        qtbot.waitUntil(lambda: "从这个文件夹已导入 1 批" in panel.batch.text(), timeout=30000)
        assert panel.close_words() == ""
        panel.stop()
        qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
        qtbot.mouseClick(tab.watch_button, Qt.MouseButton.LeftButton)
        assert asked[-1] == str(folder)         # the dialog opens in the folder watched last
    finally:
        panel.stop()
        qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
        gen.close()


def test_a_rescanned_sheet_beyond_the_returned_ballots_is_refused_with_its_file(
        qtbot, tmp_path, shot, monkeypatch):
    """The same paper sheet saved again as another JPEG (other bytes) in the watched folder:
    the batch is refused at import because the round's scanned ballots would be more than the
    收回 registered, naming the file and the batch already in; it waits to be set aside."""
    import io

    from PIL import Image

    from app.voting import record_box
    from ui import filedialogs

    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    try:
        r = ready_round(page)
        layout, pdf = printed_ballot(page, r, tmp_path)
        got = record_box(page.ctx.conn, r.id, "主票箱", printed=5, issued=1, returned=1,
                         actor="监票", clock=page.ctx.clock)
        assert not hasattr(got, "code"), got
        made = tmp_path / "made"
        write_deck(render_blank(pdf, 200, tmp_path), layout, 200, made, 1, intents=INTENTS[:1],
                   edge_rate=0.0, write_in_rate=0.0)
        folder = tmp_path / "mfp"
        folder.mkdir()
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
        page.resize(1366, 768)
        tab = page.scan_tab
        panel = tab.watch_panel
        monkeypatch.setattr(filedialogs, "get_existing_directory", lambda *_a, **_k: str(folder))
        qtbot.mouseClick(tab.watch_button, Qt.MouseButton.LeftButton)
        panel.timer.setInterval(150)
        shutil.copy(made / "scan0001.jpg", folder)
        qtbot.waitUntil(lambda: panel.count_button.isEnabled(), timeout=30000)
        panel.hand_count.setValue(1)
        qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "已导入为第1批" in page.message.text(), timeout=30000)
        again = io.BytesIO()
        Image.open(made / "scan0001.jpg").save(again, "JPEG", quality=80)
        (folder / "scan0001 重扫.jpg").write_bytes(again.getvalue())
        qtbot.waitUntil(lambda: panel.count_button.isEnabled(), timeout=30000)
        panel.hand_count.setValue(1)
        qtbot.mouseClick(panel.count_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "未导入" in page.message.text(), timeout=30000)
        said = page.message.text()
        assert "scan0001 重扫.jpg" in said and "已导入的1张（第1批）" in said, said
        assert "多于票箱登记收回的1张" in said and "整批未导入" in said
        assert page.ctx.conn.execute("SELECT count(*) FROM scan_batch").fetchone()[0] == 1
        assert panel.aside_button.isEnabled()
        shot(page, "scan_watch_over_returned")
    finally:
        panel.stop()
        qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
        page.close()
        page.ctx.conn.close()
