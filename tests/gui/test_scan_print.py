"""扫描核对 tab, 计票前打印: the scannable ballot printed from the GUI (one contest ticked: its own
ballot; two contests of one round ticked: one page holding both, as `pollday print
scan-ballot-page` prints it) and the test deck of what was printed, each PDF made off the GUI
thread into the output folder; the page's layout is recorded with a block per contest, and its
deck printed with a click."""

from __future__ import annotations

import subprocess

from PySide6.QtCore import Qt

from app import meetings
from app.model import ContestKind
from app.scan.setup import known_layouts, set_contest_format, set_print_setting
from tests.gui.test_counting_page import ACTOR, counting_db, open_page, ready_round

TOOL = "pdftotext"
SECOND = ("周恩来", "朱德")


def add_second_contest(page) -> meetings.Contest:
    """纪律检查委员会委员, 1 seat, 2 candidates, its scannable ballot in format B."""
    conn, clock, m = page.ctx.conn, page.ctx.clock, page.ctx.meeting
    c = meetings.add_contest(conn, m.id, code="jw", title="委员", body="纪律检查委员会",
                             kind=ContestKind.COMMITTEE, seats=1, clock=clock, actor=ACTOR)
    assert not isinstance(c, meetings.Refusal)
    for name in SECOND:
        meetings.add_candidate(conn, c.id, name=name, clock=clock, actor=ACTOR)
    set_contest_format(conn, m.id, c.id, "B", contest="jw", actor=ACTOR, clock=clock)
    set_print_setting(conn, m.id, markers=True, qr=False, actor=ACTOR, clock=clock)
    page.reload()
    return c


def _printed(qtbot, tab, click) -> str:
    tab.print_message = None
    qtbot.mouseClick(click, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.print_message is not None, timeout=30000)
    text = tab.print_message.text()
    tab.print_message.close()
    return text


def test_a_page_of_two_contests_and_its_deck_are_printed_from_the_tab(qtbot, tmp_path, shot):
    page = open_page(qtbot, counting_db(tmp_path / "print.db"))
    try:
        ready_round(page)
        add_second_contest(page)
        page.resize(1366, 768)
        bar = page.tabs.tabBar()
        qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(5).center())
        tab = page.scan_check_tab
        assert page.tabs.currentWidget() is tab
        boxes = {b.text(): b for b in tab.contest_checks}
        assert set(boxes) == {"委员", "纪律检查委员会委员"}
        assert boxes["委员"].isChecked() and not boxes["纪律检查委员会委员"].isChecked()
        # The page's contest alone: its own ballot.
        said = _printed(qtbot, tab, tab.print_button)
        assert "已生成可扫描选票" in said, said
        qtbot.mouseClick(boxes["纪律检查委员会委员"], Qt.MouseButton.LeftButton)
        assert tab.chosen_codes() == ["wy", "jw"]
        tab.refresh()   # the tab read again (a mode chosen, a sample drawn): ticks and boxes stay
        assert tab.chosen_codes() == ["wy", "jw"]
        assert all(b.isVisible() for b in tab.contest_checks)
        said = _printed(qtbot, tab, tab.print_button)
        assert "已生成可扫描选票（一页多项）" in said, said
        pdf = next(tmp_path.rglob("*可扫描选票（一页多项）.pdf"))
        text = subprocess.run([TOOL, "-l", "1", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "本选票共2项选举" in text and "纪律检查委员会委员" in text and "周恩来" in text, text
        subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf),
                        str(tmp_path / "page")], check=True)
        pages = [k.layout for k in known_layouts(page.ctx.conn).values() if k.layout.multi]
        assert len(pages) == 1
        assert [(p.heading, p.format) for p in pages[0].blocks()] == [
            ("委员", "A"), ("纪律检查委员会委员", "B")]
        # The deck of that page: 20 pages, each block's pattern under its names.
        said = _printed(qtbot, tab, tab.deck_button)
        assert "已生成扫描测试选票（20 页）" in said, said
        assert "已打印20页，尚未扫描导入" in tab.deck.text()
        shot(page, "scan_check_print")
    finally:
        page.close()
        page.ctx.conn.close()
