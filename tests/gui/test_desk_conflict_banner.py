"""The desk's band says it in red when its database is older than what it shared (app.sync.desk
DeskStatus.conflict): its sign-ins from that key on are not at the host, even while online."""

from __future__ import annotations

import tempfile
from pathlib import Path

from app.sync.desk import DeskStatus
from ui.widgets.offline_banner import OfflineBanner


def test_a_conflict_is_shown_red_with_what_to_do(qtbot) -> None:
    banner = OfflineBanner()
    qtbot.addWidget(banner)
    banner.resize(1366, 120)
    banner.set_status(DeskStatus("一号台", True, None, 2, "x", True), "192.168.1.10:8443")
    assert "已加入" in banner.text() and banner.styleSheet() == OfflineBanner.ONLINE
    banner.set_status(DeskStatus("一号台", True, None, 2, "x", True, conflict="一号台:3"))
    text = banner.text()
    assert text.startswith("2 条签到没有同步到主机") and "一号台:3" in text and "备份" in text
    assert "重新加入" in text and banner.styleSheet() == OfflineBanner.OFFLINE
    banner.grab().save(str(Path(tempfile.gettempdir()) / "desk_conflict_banner.png"))
