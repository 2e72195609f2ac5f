"""Walk findings 15 and 16 on the 报送 page: the documents left out are named in words, the 交接单
goes to the printouts' folder, and a folder chosen for the package is remembered."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.gui.test_export_page import page  # noqa: F401 - the page fixture


def test_left_out_documents_in_words_and_the_slip_in_the_output_folder(page, qtbot,  # noqa: F811
                                                                       tmp_path: Path,
                                                                       monkeypatch, shot):
    from PySide6.QtGui import QDesktopServices

    from ui import output_folder

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda _url: True)
    monkeypatch.setattr(output_folder, "choose_folder", lambda _p, suggestion: str(suggestion))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(page.is_idle, timeout=30000)
    assert page.last is not None, page.status.text()
    said = page.file_label.text()
    assert "委托投票名单" in said and "proxy-list" not in said and "/" not in said.split("\n")[1]
    qtbot.mouseClick(page.slip_button, Qt.MouseButton.LeftButton)
    printed = output_folder.suggested(page.ctx)
    slips = list(printed.glob("*.pdf"))
    assert len(slips) == 1 and "交接单" in page.status.text(), page.status.text()
    assert not list(page.ctx.db_path.parent.glob("*交接单*.pdf"))
    page.resize(1366, 768)
    qtbot.wait(30)
    shot(page, "walk1-export-left-out")


def test_a_folder_chosen_for_the_package_is_remembered(page, qtbot, tmp_path: Path,  # noqa: F811
                                                       monkeypatch):
    from ui import filedialogs
    from ui.pages.export_page import ExportPage

    folder = tmp_path / "报送"
    folder.mkdir()
    monkeypatch.setattr(filedialogs, "get_existing_directory", lambda *_a, **_k: str(folder))
    page.choose_folder()
    assert page.target == folder
    again = ExportPage(page.ctx)
    qtbot.addWidget(again)
    again.list_drives = lambda: []
    again.refresh_drives()
    assert again.target == folder and str(folder) in again.target_label.text()
    again.timer.stop()
