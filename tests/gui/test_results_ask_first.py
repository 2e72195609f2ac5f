"""Next rounds and printing ask first (issue 14, item 20): 开始另行选举 asks for confirmation and
says when the current round cannot be locked; 打印到打印机 before the lock says the result is not
final, and a round with no entries is never printed as zeros. Clicks on the page's buttons."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox

from app import meetings, voting
from app.clock import FixedClock
from app.model import ContestKind
from app.rules import Round
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import counted_round, open_results


def click_box(qtbot, box: QMessageBox, which: QMessageBox.StandardButton) -> None:
    qtbot.mouseClick(box.button(which), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=2000)


def test_next_round_asks_and_says_the_round_is_not_lockable(qtbot, tmp_path, shot) -> None:
    db = counting_db(tmp_path / "next.db")
    counted_round(db, ["ooo---", "ooo---", "ooo---", "---ooo"])   # two seats unfilled
    p = open_results(qtbot, db)
    try:
        p.resize(1366, 768)
        assert p.next_button.text() == "开始另行选举…"
        qtbot.mouseClick(p.next_button, Qt.MouseButton.LeftButton)
        box = p.box
        assert box is not None and box.isVisible() and p.rounds.count() == 1   # nothing yet
        assert "另行选举" in box.text() and "还不能锁定" in box.text()
        assert "当选人数少于应选名额" in box.text()
        qtbot.wait(30)
        shot(box, "results-next-round-confirm")
        click_box(qtbot, box, QMessageBox.StandardButton.No)
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert p.rounds.count() == 1
        qtbot.mouseClick(p.next_button, Qt.MouseButton.LeftButton)
        click_box(qtbot, p.box, QMessageBox.StandardButton.Yes)
        qtbot.waitUntil(lambda: p.is_idle() and p.rounds.count() == 2, timeout=5000)
        assert p.items[-1].round.kind is Round.RUNOFF
    finally:
        p.close()
        p.ctx.conn.close()


def test_printing_before_the_lock_warns_and_prints_no_zeros(qtbot, tmp_path, shot) -> None:
    db = counting_db(tmp_path / "print.db")
    counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])      # clean, not locked
    conn = connect(db)
    party = meetings.meeting_by_code(conn, "party")
    c = meetings.add_contest(conn, party.id, code="sj", title="书记", kind=ContestKind.LEADER,
                             seats=1, clock=FixedClock(CLOCK_START, 1.0), actor="t")
    assert not isinstance(c, meetings.Refusal), c
    meetings.add_candidate(conn, c.id, name="曾凡荣", clock=FixedClock(CLOCK_START, 1.0), actor="t")
    opened = voting.open_round(conn, c.id, actor="t", clock=FixedClock(CLOCK_START, 1.0),
                               kind=Round.FIRST)
    assert not isinstance(opened, meetings.Refusal), opened
    conn.close()
    p = open_results(qtbot, db)
    try:
        qtbot.mouseClick(p.print_panel.print_button, Qt.MouseButton.LeftButton)
        box = p.print_panel.box
        assert box is not None and box.isVisible() and "不是最终结果" in box.text()
        assert p.print_panel.dialog is None or not p.print_panel.dialog.isVisible()
        shot(box, "results-print-not-final")
        click_box(qtbot, box, QMessageBox.StandardButton.Yes)
        assert p.print_panel.dialog is not None and p.print_panel.dialog.isVisible()
        p.print_panel.dialog.reject()
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printed = tmp_path / "printer.pdf"
        printer.setOutputFileName(str(printed))
        assert p.print_panel.print_to(printer) >= 1
        text = "".join(subprocess.run(["pdftotext", str(printed), "-"], capture_output=True,
                                      text=True, check=True).stdout.split())
        assert "不是最终结果" in text
        assert "丁薛祥赞成3" in text                       # the counted round prints its votes
        after = text.split("书记第1轮", 1)[1]
        assert "尚未录入选票" in after and "赞成0" not in after and "有效0" not in after
    finally:
        p.close()
        p.ctx.conn.close()
