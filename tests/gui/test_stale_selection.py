"""No stale selection in a pick-a-person form (issue 14, item 18): after a refusal the proxy form
kept "已选：X", and a misspelled name + Alt+A registered the wrong person. A selection is cleared
whenever the search text changes and no longer finds the chosen person; the same on 不计入与请假
and the 选举事项 candidate search. Keys into the focused widget; Chinese committed as an input
method does."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app import meetings, proxies
from app.clock import FixedClock
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db
from tests.gui.test_desk_page import type_chinese


@pytest.fixture
def ctx(qtbot, tmp_path):
    from ui.app_main import make_app
    from ui.pages.context import PageContext

    make_app()
    path = make_db(tmp_path / "stale.db")
    conn = connect(path)
    c = PageContext(conn, path, clock=FixedClock(CLOCK_START, 1.0), actor="stale-test")
    yield c
    conn.close()


def shown(qtbot, page):
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    page.activateWindow()  # the window's shortcuts (Alt+A) need it active
    qtbot.waitActive(page)
    return page


def retype(qtbot, page, box, text: str) -> None:
    """Click into `box`, select all (Ctrl+A), type `text` over it."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    assert page.focusWidget() is box
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    type_chinese(box, text)


def test_proxy_form_forgets_a_person_the_search_no_longer_finds(ctx, qtbot, shot) -> None:
    from ui.pages.setup_proxies import ProxiesPage

    ctx.switch_meeting(meetings.meeting_by_code(ctx.conn, "residents").id)
    page = shown(qtbot, ProxiesPage(ctx))
    retype(qtbot, page, page.principal.box, "张喆")
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)        # picks, goes on to 受托人
    assert page.focusWidget() is page.holder.box
    type_chinese(page.holder.box, "张喆")
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)   # 登记委托(&A)
    assert "不能委托本人" in page.message.text()               # the refusal
    retype(qtbot, page, page.holder.box, "欧阳红梅")
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    assert page.holder.person is not None and page.holder.person.name == "欧阳红梅"
    # The clerk meant someone else as 委托人 and misspells the name: nobody matches.
    retype(qtbot, page, page.principal.box, "张哲锋")
    assert page.principal.found == []
    assert page.principal.person is None and "已选" not in page.principal.chosen.text()
    assert "张哲锋" in page.principal.chosen.text()
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)   # 登记委托(&A)
    assert proxies.list_proxies(ctx.conn, ctx.meeting) == []   # not 张喆 委托 欧阳红梅
    assert "委托人：请先查找并选择一人" in page.message.text()
    qtbot.wait(30)
    shot(page, "setup-proxies-stale-1366")
    # a text that still finds the chosen person keeps the choice (pinyin of the same person)
    retype(qtbot, page, page.principal.box, "王䶮")
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    page.principal.box.setText("王")
    assert page.principal.person is not None and page.principal.person.name == "王䶮"


def test_exclusion_form_forgets_a_person_the_search_no_longer_finds(ctx, qtbot) -> None:
    from ui.pages.setup_exclusions import ExclusionsPage

    page = shown(qtbot, ExclusionsPage(ctx))
    retype(qtbot, page, page.picker.box, "张喆")
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    assert page.picker.person is not None and page.picker.person.name == "张喆"
    retype(qtbot, page, page.picker.box, "张哲锋")
    assert page.picker.person is None and "已选" not in page.picker.chosen.text()


def test_candidate_search_adds_nobody_for_a_misspelled_name(ctx, qtbot) -> None:
    from ui.pages.contests_page import ContestsPage

    page = shown(qtbot, ContestsPage(ctx))
    assert page.add_contest() is not None
    retype(qtbot, page, page.search_box, "张喆")
    assert [p.name for p in page.found] == ["张喆"]
    retype(qtbot, page, page.search_box, "张哲锋")
    qtbot.keyClick(page.focusWidget(), Qt.Key.Key_Return)
    assert meetings.list_candidates(ctx.conn, page.contest.id) == []
