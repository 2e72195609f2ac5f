"""A tester edited the audit log with sqlite3 OUTSIDE the program (trigger dropped, rows
changed, trigger put back): the database opened and worked all day with no warning — only
导出报送包 said so at the end — and 备份数据库 backed it up with a green 已备份到
pollday-backup-…db named like a good copy. Now the window checks the chain when it opens the
database and after each backup (in the database's worker) and shows a red band naming the row
and what to do; the backup is still made but named -审计不完整 and said in amber; the 审计日志
page says what to do in the export refusal's words."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from app.audit_log import RESTORE_ADVICE
from app.clock import FixedClock
from app.export.stick import Drive
from tests.app.export.test_export_audit_tampered import tamper_outside
from tests.gui.conftest import open_window
from ui import ops

AT = dt.datetime(2026, 11, 29, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_window_opening_a_tampered_database_shows_the_red_band(qtbot, small_db: Path,
                                                               shot) -> None:
    tamper_outside(small_db, (3, 5))
    for window in open_window(qtbot, small_db):
        window.resize(1366, 768)
        qtbot.waitUntil(window.audit_band.isVisible, timeout=10000)
        band = window.audit_band
        # one wording: 无法核实 (被改动 read as if every row from 3 on was altered)
        assert band.headline.startswith("审计记录不完整（第 3 条起无法核实）"), band.headline
        assert "被改动" not in band.text() and "详见 报送 → 审计日志" in band.text()
        # the full advice is the tooltip (and the 审计日志 page), not four lines over every page
        text = band.toolTip()
        assert RESTORE_ADVICE in text and "审计不完整" in text
        assert "如果没有审计记录完整的备份" in text and "选举工作领导小组" in text
        assert RESTORE_ADVICE not in band.text()
        # at most two text lines tall (a walk: four lines, ~100 px, cut 发出合计 off 投票计票)
        qtbot.wait(50)
        line = band.fontMetrics().lineSpacing()
        assert band.height() <= 2 * line + 12, (band.height(), line)
        # it stays on every page
        window.show_step("report")
        qtbot.wait(50)
        assert window.audit_band.isVisible()
        shot(window, "audit_band_1366x768")
        # a click on the band's link opens the 审计日志 page, which says what to do in full
        window.show_step("voting")
        qtbot.wait(50)
        shot(window, "audit_band_voting_1366x768")
        metrics = band.fontMetrics()
        x = band.contentsRect().left() + metrics.horizontalAdvance(band.headline + "　") \
            + metrics.horizontalAdvance(band.LINK) // 2
        qtbot.mouseClick(band, Qt.MouseButton.LeftButton,
                         pos=QPoint(x, band.contentsRect().center().y()))
        qtbot.waitUntil(lambda w=window: w.current_tab() == "审计日志", timeout=5000)
        page = window.show_step("report", tab="审计日志")
        qtbot.waitUntil(page.is_loaded, timeout=10000)
        assert RESTORE_ADVICE in page.check_text.text()


def test_intact_database_has_no_band_until_a_backup_finds_the_log_edited(
        qtbot, small_db: Path, tmp_path: Path, monkeypatch, shot) -> None:
    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    stick = tmp_path / "KINGSTON"
    stick.mkdir()
    for window in open_window(qtbot, small_db):
        window.resize(1366, 768)
        qtbot.waitUntil(lambda: ops.idle(small_db), timeout=10000)
        qtbot.wait(50)
        assert not window.audit_band.isVisible()
        # edited outside while the program runs; the next backup finds it
        tamper_outside(small_db, (2,))
        page = window.show_step("report", tab="报送")
        page.ctx.clock = FixedClock(AT, 60.0)
        page.list_drives = lambda: [Drive(stick, "KINGSTON", 7 * 1024 ** 3, 8 * 1024 ** 3)]
        page.refresh_drives()
        qtbot.mouseClick(page.backup_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(page.is_idle, timeout=30000)
        words = page.backup_status.text()
        made = list(stick.glob("pollday-backup-*.db"))
        assert len(made) == 1 and made[0].name.endswith("-审计不完整.db"), made
        assert f"已备份到 {made[0].name}" in words, words
        assert "审计记录不完整（第 2 条起无法核实）" in words and "不能用它恢复" in words
        assert "#a15c00" in page.backup_status.styleSheet()
        qtbot.waitUntil(window.audit_band.isVisible, timeout=10000)
        assert window.audit_band.headline.startswith("审计记录不完整（第 2 条起无法核实）")
        qtbot.wait(30)
        shot(window, "audit_band_after_backup_1366x768")
        page.timer.stop()
