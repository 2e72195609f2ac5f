"""报送 page: drives listed, export with progress into the chosen drive (short hash and
fingerprint shown big), cancel, verify a package (intact and tampered), backup now and the
periodic backup."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.export import verify_package
from app.export.stick import Drive

AT = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def page(qtbot, small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from db.connection import connect
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.export_page import ExportPage

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    make_app()
    conn = connect(small_db, create=False)
    ctx = PageContext(conn, small_db, clock=FixedClock(AT, 60.0), actor="test")
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    p = ExportPage(ctx)
    p.list_drives = lambda: [Drive(stick, "KINGSTON", 7 * 1024 ** 3, 8 * 1024 ** 3)]
    p.refresh_drives()
    qtbot.addWidget(p)
    p.resize(1100, 760)
    p.show()
    qtbot.waitExposed(p)
    yield p
    qtbot.waitUntil(p.is_idle, timeout=20000)
    p.timer.stop()
    conn.close()


def test_export_verify_and_backup(page, qtbot, shot, tmp_path: Path) -> None:
    assert page.target == tmp_path / "KINGSTON"
    assert "KINGSTON" in page.drives.currentText()
    page.export_button.click()
    qtbot.waitUntil(page.is_idle, timeout=30000)
    assert page.last is not None, page.status.text()
    built, written = page.last
    assert written.path.parent == tmp_path / "KINGSTON" and written.path.exists()
    assert page.hash_label.text() == built.short_hash and len(built.short_hash) == 12
    assert page.fp_label.text() == built.fingerprint
    assert page.progress.value() == 100
    assert verify_package(written.path).ok
    assert page.slip_button.isEnabled()
    slip = page.write_slip(tmp_path / "交接单.pdf")
    assert slip is not None and slip.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(slip), "-"], capture_output=True, text=True,
                          check=True).stdout.replace(" ", "")
    assert built.short_hash in text and built.fingerprint in text and written.sha256 in text
    v = page.verify_file(written.path)
    assert v.ok and "完整，签名有效" in page.verify_text.toPlainText()
    page.backup_now()
    qtbot.waitUntil(page.is_idle, timeout=20000)
    assert "已备份到" in page.backup_status.text()
    assert len(list((tmp_path / "KINGSTON").glob("pollday-backup-*.db"))) == 1
    qtbot.wait(30)
    shot(page, "export_page")
    raw = bytearray(written.path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    bad = tmp_path / "bad.pollday"
    bad.write_bytes(bytes(raw))
    assert not page.verify_file(bad).ok
    assert "问题" in page.verify_text.toPlainText()
    shot(page, "export_page_verify_failed")


def test_cancel_leaves_no_package(page, qtbot, tmp_path: Path) -> None:
    page.export_button.click()
    assert page.task is not None
    page.cancel_button.click()
    qtbot.waitUntil(page.is_idle, timeout=30000)
    assert "已取消" in page.status.text()
    assert list((tmp_path / "KINGSTON").iterdir()) == []


def test_no_drive_and_periodic_backup(page, qtbot, tmp_path: Path) -> None:
    page.list_drives = lambda: []
    page.refresh_drives()
    assert page.target is None and not page.export_button.isEnabled()
    assert "未找到U盘" in page.drives.currentText()
    page.set_target(tmp_path / "KINGSTON")
    page.minutes.setValue(2)
    page.periodic.setChecked(True)
    assert "已开启自动备份" in page.backup_status.text()
    for _ in range(3):   # the clock advances a minute per reading
        page.periodic_backup()
        qtbot.waitUntil(page.is_idle, timeout=20000)
    assert len(list((tmp_path / "KINGSTON").glob("pollday-backup-*.db"))) >= 1
    page.periodic.setChecked(False)
    assert not page.timer.isActive()


def test_a_failing_drive_is_reported(page, qtbot, tmp_path: Path, shot) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    page.set_target(blocker / "stick")
    page.export_button.click()
    qtbot.waitUntil(page.is_idle, timeout=30000)
    assert page.last is None
    assert "导出失败" in page.status.text() and "没有写完" in page.status.text()
    assert page.export_button.isEnabled()
    shot(page, "export_page_failed")
