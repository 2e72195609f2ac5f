"""The district dashboard (`pollday --district DB`): import of many packages off the GUI thread
with a per-package result list, cancel, the plan and previous term, the figures shown, exports,
and screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.conftest import SHOTS


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.app.district.conftest import shared_demo

    return shared_demo(tmp_path_factory)   # demo-district, shared with tests/app/district


def _page(qtbot, db: Path):
    from ui.app_main import make_app
    from ui.pages.district_page import DistrictWindow

    make_app()
    window = DistrictWindow(db)
    qtbot.addWidget(window)
    window.show()
    return window, window.page


def _wait_import(qtbot, page, paths: list[Path]):
    task = page.start_import(paths)
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    return task


def test_import_figures_and_exports(qtbot, packages, tmp_path: Path) -> None:
    window, page = _page(qtbot, tmp_path / "district.db")
    assert page.table.rowCount() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "district-empty.png"))
    files = sorted(packages.glob("*.pollday"))
    _wait_import(qtbot, page, files)
    texts = [page.results.item(i).text() for i in range(page.results.count())]
    assert len(texts) == len(files)
    assert sum(t.startswith("拒收") for t in texts) == 1
    assert any("被改动" in t and "results/party.json" in t for t in texts)
    assert sum(t.startswith("已导入（取代") for t in texts) == 1
    assert page.load_sheet("plan", packages / "plan.xlsx") == "已导入 10 个社区"
    assert page.load_sheet("previous", packages / "previous.xlsx").startswith("已导入")
    h = page.report.headline()
    assert page.table.rowCount() == h["communities"] == 10
    assert page.tiles["未开始"].value.text() == "2"
    assert page.rate_tiles["one_pass_rate"].value.text() == f"{h['one_pass_rate']}%"
    assert page.makeup_bars.groups and page.stage_bars.counts
    window.resize(1360, 860)
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "district-dashboard.png"))
    assert page.export(tmp_path / "汇总.xlsx", False) == ""
    assert page.export(tmp_path / "报告.pdf", False) == ""
    assert page.export(tmp_path / "日报.xlsx", True) == ""
    assert (tmp_path / "汇总.xlsx").stat().st_size > 0 and (tmp_path / "报告.pdf").exists()
    # The same packages again: duplicates (and the tampered one still refused).
    _wait_import(qtbot, page, files)
    again = [page.results.item(i).text() for i in range(page.results.count())]
    assert sum(t.startswith("重复") for t in again) == len(files) - 1


def test_cancel_stops_between_packages(qtbot, packages, tmp_path: Path) -> None:
    window, page = _page(qtbot, tmp_path / "district.db")
    files = sorted(packages.glob("*.pollday")) * 4
    task = page.start_import(files)
    assert page.cancel_button.isVisible() and page.progress.isVisible()
    page.cancel_import()
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    assert task.outcome is not None
    texts = [page.results.item(i).text() for i in range(page.results.count())]
    assert texts[-1].startswith("已取消")
    assert len(texts) - 1 < len(files)
    assert page.import_button.isEnabled() and not page.cancel_button.isVisible()


def test_pollday_district_opens_its_window(tmp_path: Path) -> None:
    """`pollday --district DB` (the launcher's district mode) shows the dashboard; an election
    database is refused with a message, not migrated."""
    import os
    import subprocess

    from tests.app.district.conftest import pollday

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUTF8="1")
    p = subprocess.run([*pollday(), "--district", str(tmp_path / "d.db"), "--quit-after-show"],
                       capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert p.returncode == 0 and "district window shown" in p.stdout, p.stderr
    assert (tmp_path / "d.db").exists()
    from db.connection import connect

    connect(tmp_path / "election.db").close()
    p = subprocess.run([*pollday(), "--district", str(tmp_path / "election.db"),
                        "--quit-after-show"], capture_output=True, text=True, encoding="utf-8",
                       env=env, timeout=120)
    assert p.returncode == 1 and "不是区（街道）换届办汇总数据库" in p.stderr


def _rows_visible(table) -> int:
    return table.viewport().height() // max(1, table.verticalHeader().defaultSectionSize())


def test_a_whole_folder_is_imported_by_its_button_and_refusals_say_what_to_do(
        qtbot, packages, tmp_path: Path, monkeypatch) -> None:
    """导入整个文件夹… imports every package in the chosen folder (the folder dialog stands in
    for the clerk's pick); the refused one says what it means and what to do, in words."""
    from PySide6.QtCore import Qt

    from ui import filedialogs

    window, page = _page(qtbot, tmp_path / "district.db")
    asked: list[str] = []
    monkeypatch.setattr(filedialogs, "get_existing_directory",
                        lambda _p, caption="", directory="": asked.append(caption) or str(packages))
    qtbot.mouseClick(page.folder_button, Qt.MouseButton.LeftButton)
    assert asked and not page.folder_button.isEnabled()
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    texts = [page.results.item(i).text() for i in range(page.results.count())]
    files = sorted(packages.glob("*.pollday"))
    assert texts[0] == f"文件夹 {packages}：共 {len(files)} 个报送包"
    assert len(texts) == len(files) + 1 and page.folder_button.isEnabled()
    refused = [t for t in texts if t.startswith("拒收")]
    assert len(refused) == 1
    assert "报送包在导出后被改动或损坏" in refused[0] and "请社区重新导出报送包" in refused[0]
    assert "results/party.json" in refused[0]           # the detail is still there for support
    empty = tmp_path / "空文件夹"
    empty.mkdir()
    monkeypatch.setattr(filedialogs, "get_existing_directory",
                        lambda _p, caption="", directory="": str(empty))
    qtbot.mouseClick(page.folder_button, Qt.MouseButton.LeftButton)
    assert page.task is None
    assert page.results.item(0).text().startswith(f"文件夹 {empty} 中没有报送包")


def test_an_export_says_where_it_went_and_opens_the_folder(
        qtbot, packages, tmp_path: Path, monkeypatch, shot) -> None:
    """导出报告（PDF）… : a box names the file and its folder, 打开文件夹 opens it; the PDF's
    footer has this computer's local time, not an ISO UTC stamp."""
    import datetime as dt
    import os
    import subprocess
    import time

    from PySide6.QtCore import Qt
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox, QPushButton

    from app.clock import FixedClock
    from ui import filedialogs

    window, page = _page(qtbot, tmp_path / "district.db")
    _wait_import(qtbot, page, sorted(packages.glob("*.pollday")))
    out = tmp_path / "交区" / "报告.pdf"
    out.parent.mkdir()
    monkeypatch.setattr(filedialogs, "get_save_file_name",
                        lambda *_a, **_k: (str(out), "PDF (*.pdf)"))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile()) or True))
    page.clock = FixedClock(dt.datetime(2026, 12, 1, 6, 5, tzinfo=dt.UTC), 1.0)
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        qtbot.mouseClick(page.pdf_button, Qt.MouseButton.LeftButton)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    box = page.export_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "报告.pdf" in box.text() and str(out.parent) in box.text()
    assert page.results.item(page.results.count() - 1).text() == f"已导出：{out}"
    shot(box, "district-export-done")
    opener = next(b for b in box.findChildren(QPushButton) if b.text() == "打开文件夹")
    qtbot.mouseClick(opener, Qt.MouseButton.LeftButton)
    assert opened == [str(out.parent)]
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                          text=True, check=True, env=dict(os.environ, LANG="C.UTF-8")).stdout
    assert "生成于 2026-12-01 14:05" in text and "T06:05" not in text


def test_the_window_fits_a_1366x768_laptop(qtbot, packages, tmp_path: Path, shot) -> None:
    """Opened on a 1366x768 screen the window fits (it asked for 1360x860), nothing is cut
    and the table shows at least 8 communities."""
    from PySide6.QtWidgets import QLabel, QPushButton

    window, page = _page(qtbot, tmp_path / "district.db")
    _wait_import(qtbot, page, sorted(packages.glob("*.pollday")))
    page.load_sheet("plan", packages / "plan.xlsx")
    window.resize(1366, 768)
    qtbot.wait(50)
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768, hint
    assert window.width() <= 1366 and window.height() <= 768
    assert _rows_visible(page.table) >= 8
    for b in page.findChildren(QPushButton):
        if b.isVisible():
            assert b.width() >= b.sizeHint().width(), b.text()
    for label in page.findChildren(QLabel):
        if label.isVisible() and not label.wordWrap() and label.text():
            assert label.width() >= label.minimumSizeHint().width(), label.text()
    shot(window, "district-1366x768")
    from ui.app_main import show_sized
    from ui.pages.district_page import DistrictWindow

    fresh = DistrictWindow(tmp_path / "district.db")      # as `pollday --district` opens it
    qtbot.addWidget(fresh)
    assert fresh.width() <= 1366 and fresh.height() <= 768 - 40   # a taskbar below
    show_sized(fresh)
    screen = fresh.screen().availableGeometry()
    assert fresh.frameGeometry().height() <= max(screen.height(), 768)
