"""结果 · 打印: the documents that need a locked result are greyed before the lock,
the tooltip saying why (they were enabled and a click gave a red refusal); a red print refusal
said to one person goes when another person signs on."""

from __future__ import annotations

import tempfile
from pathlib import Path

from PySide6.QtCore import Qt

from app.permissions import Actor
from app.voting.report import NEEDS_LOCK
from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import counted_round, open_results
from ui.pages.results_print import KINDS


def test_lock_only_prints_are_greyed_with_the_reason_until_the_lock(qtbot, tmp_path) -> None:
    db = counting_db(tmp_path / "results.db")
    counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    p = open_results(qtbot, db)
    try:
        p.resize(1366, 768)
        panel = p.print_panel
        # the area's label says which wait for the lock (it said 打印（结果锁定后） over all five,
        # while 发票收票记录 and 出席情况报告 print before the lock)
        title = panel.title()
        assert "打印（结果锁定后）" not in title, title
        lock_part, free_part = title.split("；")
        for kind, words in KINDS:
            assert words in (lock_part if kind in NEEDS_LOCK else free_part), (kind, title)
        assert lock_part.endswith("须结果锁定后") and free_part.endswith("锁定前也可打印"), title
        for kind in NEEDS_LOCK:
            b = panel.buttons[kind]
            assert not b.isEnabled(), kind
            assert "尚未锁定" in b.toolTip() and "不能打印" in b.toolTip(), b.toolTip()
            assert b.toolTip().startswith("须结果锁定后才能打印"), b.toolTip()
            qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
        assert panel.status.text() == ""            # no red refusal: nothing was clickable
        for kind in ("tally-record", "attendance-report"):
            assert panel.buttons[kind].isEnabled(), kind   # these print before the lock
        p.grab().save(str(Path(tempfile.gettempdir()) / "pollday-results-prints-greyed.png"))
        p.lock()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert p.current.round.lock is not None, p.message.text()
        for kind in NEEDS_LOCK:
            b = panel.buttons[kind]
            assert b.isEnabled(), kind
            assert "尚未锁定" not in b.toolTip()
            assert b.toolTip().startswith("须结果锁定后才能打印（已锁定）"), b.toolTip()
    finally:
        p.close()
        p.ctx.conn.close()


def test_a_red_print_refusal_goes_when_another_person_signs_on(qtbot, tmp_path) -> None:
    db = counting_db(tmp_path / "results.db")
    counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    p = open_results(qtbot, db)
    try:
        p.ctx.set_actor(Actor.open("张监票"))
        panel = p.print_panel
        panel.make_pdf("notice")           # reached anyway (before the lock): refused in red
        assert "未能生成" in panel.status.text()
        p.ctx.set_actor(Actor.open("张监票"))   # the same person back: their message stays
        assert "未能生成" in panel.status.text()
        p.ctx.set_actor(Actor.open("李计票"))   # another person: not theirs
        assert panel.status.text() == ""
    finally:
        p.close()
        p.ctx.conn.close()
