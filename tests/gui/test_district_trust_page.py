"""The district dashboard's 报送包 tab (issue 13, district trust): a quarantined package (another
installation's key) listed with the reason and not counted, approved by a click with a reason;
a package excluded and included again; a community's key confirmed against the slip clears
未核对密钥. Screenshot at 1366x768 for a person to look at."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog

from tests.app.district.test_trust import GENUINE, IMPOSTOR, TZ, _resign
from tests.gui.conftest import SHOTS


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.app.district.conftest import shared_demo

    return shared_demo(tmp_path_factory)


def _row(page, short_hash: str) -> int:
    return next(r for r in range(page.packages.rowCount())
                if page.packages.item(r, 3).text() == short_hash)


def test_quarantine_approve_exclude_confirm(qtbot, packages: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.app_main import make_app
    from ui.pages.district_page import DistrictWindow

    src = sorted(p for p in packages.glob("*.pollday") if "被改动" not in p.name)
    genuine = _resign(src[0], GENUINE, dt.datetime(2026, 12, 1, 9, tzinfo=TZ),
                      tmp_path / "genuine.pollday")
    impostor = _resign(src[0], IMPOSTOR, dt.datetime(2099, 1, 1, 9, tzinfo=TZ),
                       tmp_path / "impostor.pollday")
    make_app()
    window = DistrictWindow(tmp_path / "district.db")
    qtbot.addWidget(window)
    window.show()
    page = window.page
    page.start_import([genuine, *src[1:4]])
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    community = page.package_states[0].package.community
    conn_out = page.confirm(community, GENUINE.fingerprint)   # from the slip
    assert conn_out.ok, conn_out.message
    page.start_import([impostor])
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    assert page.results.item(0).text().startswith("已隔离（不计入）")
    q = page.report.quarantined
    assert [s.package.fingerprint for s in q] == [IMPOSTOR.fingerprint]
    c = next(c for c in page.report.communities if c.community == community)
    assert c.fingerprint == GENUINE.fingerprint
    assert "待核对" in page.tabs.tabText(1) and "已隔离" in page.flags.text()
    assert "未核对密钥" in page.flags.text()
    page.tabs.setCurrentIndex(1)
    page.packages.selectRow(_row(page, q[0].package.short_hash))
    assert page.approve_button.isEnabled() and not page.include_button.isEnabled()
    window.resize(1366, 768)
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "district-quarantine-1366x768.png"))
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: ("电话核实：社区换了笔记本", True)))
    qtbot.mouseClick(page.approve_button, Qt.MouseButton.LeftButton)
    c = next(c for c in page.report.communities if c.community == community)
    assert c.fingerprint == IMPOSTOR.fingerprint and not page.report.quarantined
    # Exclude it again: the genuine package counts once more; then include.
    page.packages.selectRow(_row(page, q[0].package.short_hash))
    qtbot.mouseClick(page.exclude_button, Qt.MouseButton.LeftButton)
    c = next(c for c in page.report.communities if c.community == community)
    assert c.fingerprint == GENUINE.fingerprint
    assert [x.package.short_hash for x in page.report.excluded] == [q[0].package.short_hash]
    page.packages.selectRow(_row(page, q[0].package.short_hash))
    qtbot.mouseClick(page.include_button, Qt.MouseButton.LeftButton)
    assert not page.report.excluded
    # Confirm an unverified community by the button (the slip's fingerprint typed).
    other = next(c for c in page.report.communities if c.key_status == "未核对密钥")
    r = next(i for i, s in enumerate(page.package_states) if s.package.community == other.community)
    page.packages.selectRow(r)
    monkeypatch.setattr(QInputDialog, "getText",
                        staticmethod(lambda *a, **k: (other.fingerprint.lower(), True)))
    qtbot.mouseClick(page.confirm_button, Qt.MouseButton.LeftButton)
    assert next(c for c in page.report.communities
                if c.community == other.community).key_status == "已核对"
