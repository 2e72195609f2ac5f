"""报送 page with an audit log edited OUTSIDE the program (trigger dropped with sqlite3, two rows
changed, trigger put back): clicking 导出报送包 refuses in red naming both rows and how to
proceed, and nothing is left on the stick (it said 完整，签名有效); the 审计日志 tab names BOTH
changed rows at the top (it named only the first)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.clock import FixedClock
from app.export.stick import Drive
from tests.app.export.test_export_audit_tampered import _forged_package, tamper_outside
from tests.gui.conftest import open_window

AT = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def tampered(small_db: Path) -> Path:
    tamper_outside(small_db, (1, 3))
    return small_db


def test_export_button_refuses_a_rewritten_log(qtbot, tampered: Path, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch, shot) -> None:
    from db.connection import connect
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.export_page import ExportPage

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    make_app()
    conn = connect(tampered, create=False)
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    page = ExportPage(PageContext(conn, tampered, clock=FixedClock(AT, 60.0), actor="test"))
    page.list_drives = lambda: [Drive(stick, "KINGSTON", 7 * 1024 ** 3, 8 * 1024 ** 3)]
    page.refresh_drives()
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    try:
        qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(page.is_idle, timeout=30000)
        words = page.status.text()
        assert page.last is None, words
        assert "不能导出报送包" in words and "第 1、3 条" in words, words
        assert "被改动过" in words and "备份" in words
        assert "完整，签名有效" not in words
        assert list(stick.iterdir()) == []
        assert not page.slip_button.isEnabled()
        qtbot.wait(30)
        shot(page, "export_audit_broken_1366x768")
        # A package of that database written anyway (an older version, a forger with the key):
        # 验证报送包 says the chain is broken, not 完整，签名有效.
        forged = _forged_package(tampered, tmp_path / "old", tmp_path / "home", monkeypatch)
        v = page.verify_file(forged)
        text = page.verify_text.toPlainText()
        assert not v.ok and "完整，签名有效" not in text
        assert "审计链断裂（第 1 条起）" in text and "链头不能作为凭据" in text, text
        qtbot.wait(30)
        shot(page, "export_verify_audit_broken_1366x768")
    finally:
        page.timer.stop()
        conn.close()


def test_audit_tab_names_every_changed_row(qtbot, tampered: Path, shot) -> None:
    for window in open_window(qtbot, tampered):
        window.resize(1366, 768)
        page = window.show_step("report", tab="审计日志")
        qtbot.waitUntil(page.is_loaded, timeout=10000)
        qtbot.wait(20)
        assert page.headline.text().startswith("审计记录不完整：2 条记录无法核实（第 1、3 条）")
        detail = page.check_text.text()
        assert "第 1 条（" in detail and "第 3 条（" in detail, detail
        assert detail.count("写入后被改动过") == 2
        shot(window, "audit_page_two_rows_1366x768")


def test_district_window_refuses_it_naming_the_break(qtbot, tampered: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     shot) -> None:
    """The district clerk imports the folder by its button: 拒收, 审计链断裂（第 1 条起）, and
    what to do (it was counted, 计入汇总, with no flag)."""
    from ui import filedialogs
    from ui.app_main import make_app
    from ui.pages.district_page import DistrictWindow

    folder = tmp_path / "U盘"
    _forged_package(tampered, folder, tmp_path / "home", monkeypatch)
    make_app()
    window = DistrictWindow(tmp_path / "district.db")
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    page = window.page
    monkeypatch.setattr(filedialogs, "get_existing_directory",
                        lambda _p, caption="", directory="": str(folder))
    qtbot.mouseClick(page.folder_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    texts = [page.results.item(i).text() for i in range(page.results.count())]
    refused = [t for t in texts if t.startswith("拒收")]
    assert len(refused) == 1, texts
    assert "审计链断裂（第 1 条起）" in refused[0] and "未计入汇总" in refused[0]
    assert "备份" in refused[0] and "第 1、3 条" in refused[0]
    assert page.table.rowCount() == 0
    qtbot.wait(30)
    shot(window, "district_audit_broken_1366x768")
