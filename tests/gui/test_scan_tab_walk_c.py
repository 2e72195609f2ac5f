"""扫描认定 (walk C findings): the highlighted flagged ballot is the one shown, with its image,
when the tab is opened and refreshed again (it said 没有待认定的选票 with 认定 enabled), and
认定 is off whenever no ballot is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.test_counting_page import counting_db, open_page, ready_round
from tests.gui.test_scan_tab_two_people import _overvotes


def _tab(qtbot, tmp_path):
    page = open_page(qtbot, counting_db(tmp_path / "scan.db"))
    page.resize(1366, 768)
    r = ready_round(page)
    folder = _overvotes(page.ctx.conn, r, tmp_path)
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
    tab = page.scan_tab
    tab.hand_count.setValue(3)
    tab.start_import(folder)
    qtbot.waitUntil(lambda: tab.task is None, timeout=30000)
    return page, tab


def test_the_highlighted_ballot_is_the_one_shown(qtbot, tmp_path, shot):
    page, tab = _tab(qtbot, tmp_path)
    assert tab.queue.count() == 2 and tab.queue.currentRow() == 0
    tab.refresh()             # the tab shown again, or a change followed from elsewhere
    tab.focus_first()
    first = tab.pages[0]
    assert f"第{first.batch}批第{first.position}张" in tab.reading.text()
    assert "没有待认定" not in tab.reading.text()
    qtbot.waitUntil(lambda: tab.image.pixmap() is not None and not tab.image.pixmap().isNull(),
                    timeout=10000)
    assert tab.decide_button.isEnabled()
    shot(page, "scan_walkc_shown")
    # nothing chosen: nothing shown, and 认定 is off
    tab.queue.setCurrentRow(-1)
    assert not tab.decide_button.isEnabled() and "选择" in tab.reading.text()
    assert tab.image.pixmap().isNull()
    tab.refresh()
    assert tab.queue.currentRow() == 0 and tab.decide_button.isEnabled()


def test_a_scan_without_a_passed_test_deck_is_said_and_acknowledged(qtbot, tmp_path, shot):
    """Walk C: import, 计入录入组 A, 结束计票, validation and the lock went through with the test
    deck never printed. Now the tab says so at import and count, the validation carries the
    problem, and the 总监票人's acknowledgement in 扫描核对 (audited) is the way out."""
    from app.voting import validate_round
    from db.audit import rows

    page, tab = _tab(qtbot, tmp_path)
    assert "扫描计票不可信赖" in page.message.text()          # at import
    assert "扫描计票不可信赖" in tab.summary.text()
    r = page.round
    v = validate_round(page.ctx.conn, r.id)
    said = [p for p in v.problems if p.code == "SCAN_TEST_DECK_NOT_PASSED"]
    assert len(said) == 1 and not said[0].decision and "尚未打印扫描测试选票" in said[0].message
    shot(page, "scan_walkc_deck_warning")
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(5).center())
    check = page.scan_check_tab
    qtbot.waitUntil(check.ack_button.isVisible, timeout=3000)
    assert "总监票人" in check.deck.text()
    shot(page, "scan_walkc_deck_ack_button")
    qtbot.mouseClick(check.ack_button, Qt.MouseButton.LeftButton)
    dialog = check.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)               # Esc: nothing recorded
    assert not dialog.isVisible() and check.ack_button.isVisible()
    qtbot.mouseClick(check.ack_button, Qt.MouseButton.LeftButton)
    dialog = check.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    dialog.reason.setEditText("短")                          # too short: refused, said
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert "至少" in page.message.text() and check.ack_button.isVisible()
    qtbot.mouseClick(check.ack_button, Qt.MouseButton.LeftButton)
    dialog = check.dialog
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    dialog.reason.setEditText("扫描仪无法测试，已全部键盘录入比对")
    qtbot.keyClick(dialog.reason, Qt.Key.Key_Return)
    assert not check.ack_button.isVisible()
    assert [x for x in rows(page.ctx.conn) if x["action"] == "scan_testdeck_acknowledged"]
    v = validate_round(page.ctx.conn, r.id)
    said = [p for p in v.problems if p.code == "SCAN_TEST_DECK_NOT_PASSED"]
    assert said[0].decision and "已全部键盘录入比对" in said[0].message
    assert said[0] not in v.open_problems
    shot(page, "scan_walkc_deck_acknowledged")


def test_only_the_chief_acknowledges_where_a_staff_list_exists(qtbot, tmp_path):
    from app.scan.deck_gate import acknowledge
    from tests.gui.test_scan_tab_two_people import _sign_on
    from tests.gui.test_staff_signon import CLOCK, add_staff_list

    page, tab = _tab(qtbot, tmp_path)
    add_staff_list(page.ctx.db_path)
    rid = page.round.id
    _sign_on(page, "周监票")           # a 监票人, not the 总监票人
    got = acknowledge(page.ctx.conn, rid, why="扫描仪无法测试", actor=page.ctx.actor, clock=CLOCK)
    assert got.code == "NOT_ALLOWED" and "总监票人" in got.message
    _sign_on(page, "吴总监")
    got = acknowledge(page.ctx.conn, rid, why="扫描仪无法测试", actor=page.ctx.actor, clock=CLOCK)
    assert got.acknowledged.startswith("扫描仪无法测试（吴总监")


def test_the_scan_folder_pickers_open_at_the_last_scan_folder_never_the_print_folder(
        qtbot, tmp_path, monkeypatch):
    from pathlib import Path

    from ui import filedialogs

    page, tab = _tab(qtbot, tmp_path)
    asked: list[str] = []
    monkeypatch.setattr(filedialogs, "get_existing_directory",
                        lambda _p, _c="", directory="": asked.append(directory) or "")
    qtbot.mouseClick(tab.watch_button, Qt.MouseButton.LeftButton)
    assert asked == [str(Path.home())]          # never watched here: home (or a USB stick)
    folder = tmp_path / "MFP"
    folder.mkdir()
    panel = tab.watch_panel
    assert panel.start(folder)
    assert not tab.hand_count.isVisible()       # one count box while watching
    panel.stop()
    qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
    qtbot.mouseClick(tab.watch_button, Qt.MouseButton.LeftButton)
    tab.hand_count.setValue(1)
    qtbot.mouseClick(tab.import_button, Qt.MouseButton.LeftButton)
    assert asked[1:] == [str(folder), str(folder)]


def test_the_ballot_image_zooms_with_a_click_or_space(qtbot, tmp_path, shot):
    page, tab = _tab(qtbot, tmp_path)
    qtbot.waitUntil(lambda: tab.shown_view is not None, timeout=10000)
    fitted = tab.image.pixmap().size()
    qtbot.mouseClick(tab.image, Qt.MouseButton.LeftButton)
    assert tab.zoomed and tab.image.pixmap().width() > 2 * fitted.width()
    shot(page, "scan_walkc_zoomed")
    tab.queue.setFocus()
    qtbot.keyClick(tab.queue, Qt.Key.Key_Space)
    assert not tab.zoomed and tab.image.pixmap().width() <= fitted.width()
    assert tab.image.minimumSize().isNull() or tab.image.minimumSize().width() == 0


def test_a_batch_left_from_last_time_is_hinted_on_the_page_the_clerk_lands_on(
        qtbot, tmp_path, shot):
    """Walk C s20/s21: reopened with a watched batch not imported, the page landed on 监票人 ·
    票箱 with no hint; the tab's title now says so, and the words no longer run over the
    batch's count label."""
    import json

    from db import settings
    from db.tx import transaction
    db = counting_db(tmp_path / "scan.db")
    folder = tmp_path / "MFP"
    folder.mkdir()
    page = open_page(qtbot, db)
    ready_round(page)
    conn = page.ctx.conn
    with transaction(conn):
        settings.put(conn, "scan.watch_pending", json.dumps(
            {str(folder): [{"name": "scan0001.jpg", "sha256": "0" * 64, "pages": 1}]}))
    page.close()
    page = open_page(qtbot, db)
    page.resize(1366, 768)
    qtbot.waitUntil(lambda: "未导入" in page.tabs.tabText(4), timeout=3000)
    assert page.tabs.currentIndex() == 0
    assert "扫描认定" in page.message.text() and "尚未导入" in page.message.text()
    shot(page, "scan_walkc_pending_hint")
    bar = page.tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(4).center())
    panel = page.scan_tab.watch_panel
    assert panel.isVisible() and panel.resume_button.isVisible()
    label = next(w for w in panel.findChildren(type(panel.batch)) if w.text() == "这一批手工清点：")
    words = panel.batch.geometry().translated(panel.batch.parentWidget().mapTo(panel, panel.batch.pos()) - panel.batch.pos())
    there = label.geometry().translated(label.parentWidget().mapTo(panel, label.pos()) - label.pos())
    assert not words.intersects(there), (words, there)
    shot(page, "scan_walkc_pending_tab")
    panel.resume()
    qtbot.waitUntil(lambda: panel.task is None, timeout=30000)
    panel.stop()
