"""准备 · 选举事项: contests, candidates in stroke order, the margin check live, removal with a
reason."""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtCore import Qt

from app import meetings
from app.clock import FixedClock
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from ui.pages.contests_page import GREEN, RED

TYPED = ("李强", "王毅", "丁薛祥", "李干杰", "习近平", "王沪宁")


def contests_page(qtbot, tmp_path, size: tuple[int, int] = (1280, 760)):
    """The 选举事项 page on a new database, shown at `size`; a fixture yields from it (the page
    and its database are closed after the test)."""
    from ui.app_main import make_app
    from ui.pages.contests_page import ContestsPage
    from ui.pages.context import PageContext

    make_app()
    path = make_db(tmp_path / "contests.db")
    conn = connect(path)
    ctx = PageContext(conn, path, clock=FixedClock(CLOCK_START, 1.0), actor="contests-test")
    p = ContestsPage(ctx)
    qtbot.addWidget(p)
    p.resize(*size)
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.close()
    conn.close()


@pytest.fixture
def page(qtbot, tmp_path):
    yield from contests_page(qtbot, tmp_path)


def shown_names(page) -> list[str]:
    return [page.table.item(r, 1).text() for r in range(page.table.rowCount())]


def test_margin_check_is_live_and_candidates_stay_in_stroke_order(page, qtbot, shot):
    page.title_box.setCurrentText("委员")
    page.seats_box.setValue(7)
    assert "至少应有9名" in page.new_margin.text()
    assert "候选人0名" not in page.new_margin.text()
    contest = page.add_contest()
    assert contest is not None and contest.seats == 7
    assert page.contest_list.count() == 1
    # No candidates yet: red, with the rule and what is needed.
    assert RED in page.margin.styleSheet() and "至少应有9名" in page.margin.text()
    for name in TYPED:
        page.search_box.setText(name)  # keyClicks cannot type Chinese
        assert page.add_typed() is not None
    assert shown_names(page) == ["丁薛祥", "习近平", "王毅", "王沪宁", "李强", "李干杰"]
    assert "候选人6名，应选7名，至少应有9名" in page.margin.text()
    # From the register by pinyin initials, Enter adds the best match.
    for query in ("zfr", "oyhm", "zz"):
        page.search_box.setText(query)
        qtbot.keyClick(page.search_box, "\r")
    assert "欧阳红梅" in shown_names(page) and "曾凡荣" in shown_names(page)
    assert page.table.rowCount() == 9
    assert GREEN in page.margin.styleSheet() and "符合" in page.margin.text()
    assert shown_names(page) == [c.name for c in meetings.list_candidates(page.ctx.conn, contest.id)]
    shot(page, "contests-margin-ok")
    # A duplicate is refused with the core's words.
    page.search_box.setText("李强")
    assert page.add_typed() is None and "已有候选人 李强" in page.message.text()


def test_remove_needs_a_reason_and_the_margin_turns_red(page, qtbot, shot):
    page.title_box.setCurrentText("委员")
    page.seats_box.setValue(3)
    page.add_contest()
    for name in ("李强", "王毅", "丁薛祥", "李干杰"):
        page.search_box.setText(name)
        page.add_typed()
    assert GREEN in page.margin.styleSheet()
    page.table.selectRow(shown_names(page).index("王毅"))
    page.ask_remove()
    dialog = page.dialog
    assert dialog is not None and not dialog.ok_button.isEnabled()
    dialog.reason.setEditText("本人辞去候选人资格")
    dialog.ok_button.click()
    assert "王毅" not in shown_names(page)
    assert RED in page.margin.styleSheet() and "至少应有4名" in page.margin.text()
    shot(page, "contests-margin-red")


def test_ballots_of_the_contest_to_pdf_in_a_worker(page, qtbot):
    page.title_box.setCurrentText("委员")
    page.seats_box.setValue(3)
    page.add_contest()
    for name in ("李强", "王毅", "丁薛祥", "李干杰"):
        page.search_box.setText(name)
        page.add_typed()
    assert page.print_ballots() is not None
    qtbot.waitUntil(lambda: page.ballots_task is None, timeout=30000)
    out = page.ctx.db_path.parent / "打印文件" / "party-c1-ballots.pdf"
    assert out.exists(), page.message.text()
    assert "已生成选票" in page.message.text()
    text = "".join(subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                  check=True).stdout.split())
    assert text.index("丁薛祥") < text.index("王毅") < text.index("李强") < text.index("李干杰")


def test_a_single_post_may_have_as_many_candidates_as_seats(page):
    page.title_box.setCurrentText("书记")
    assert page.seats_box.value() == 1
    page.add_contest()
    page.search_box.setText("zfr")
    page.add_found()
    assert GREEN in page.margin.styleSheet()
    assert page.contest_list.item(0).text() == "党组织委员会 · 书记（应选1名，候选人1名）"


def test_enter_adds_no_guess_when_several_are_found(page, qtbot):
    """'cheng' + Enter added the first of three, '张伟' + Enter the first namesake (a clerk's
    walk): with several found Enter asks; ↓ chooses in the list and Enter adds that one."""
    page.title_box.setCurrentText("委员")
    page.seats_box.setValue(3)
    contest = page.add_contest()
    assert contest is not None
    page.search_box.setFocus()
    qtbot.keyClicks(page.search_box, "z")           # 曾凡荣 (zeng), 张喆 (zhang), …
    assert len(page.found) >= 2
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert page.table.rowCount() == 0
    assert f"有 {len(page.found)} 人" in page.message.text()
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)    # the first
    qtbot.keyClick(page.search_box, Qt.Key.Key_Down)    # the second
    second = page.found[1]
    qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
    assert shown_names(page) == [second.name]
