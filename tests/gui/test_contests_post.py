"""准备 · 选举事项: the post (职务) of a contest for the district's figures (issue 16, item 1) is
chosen from the fixed list, follows a title that is a post word, and can be changed later."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app import meetings
from tests.gui.test_contests_page import contests_page


@pytest.fixture
def page(qtbot, tmp_path):
    yield from contests_page(qtbot, tmp_path, (1366, 768))


def _choose(qtbot, box, text: str) -> None:
    """Pick `text` in a combo box with the keyboard, as a person would (activated fires)."""
    box.setFocus()
    index = box.findText(text)
    assert index >= 0, text
    steps = index - box.currentIndex()
    key = Qt.Key.Key_Down if steps > 0 else Qt.Key.Key_Up
    for _ in range(abs(steps)):
        qtbot.keyClick(box, key)
    assert box.currentText() == text


def test_post_is_chosen_never_read_from_a_free_title(page, qtbot, shot) -> None:
    page.title_box.setCurrentText("书记")
    assert page.post_box.currentData() == "书记"        # the title is the post word
    page.title_box.setCurrentText("党委书记")             # a free title: nothing is guessed
    assert page.post_box.currentData() == "书记"         # kept as the person left it
    page.title_box.setCurrentText("居民委员会委员")
    _choose(qtbot, page.post_box, "委员")
    first = page.add_contest()
    assert first is not None and first.post == "委员"
    page.title_box.setCurrentText("党委第一书记")
    _choose(qtbot, page.post_box, "书记")
    assert page.kind_box.currentData() == "leader" and page.seats_box.value() == 1
    second = page.add_contest()
    assert second is not None and second.post == "书记"
    # Change the selected contest's post afterwards.
    assert page.contest is not None and page.contest.id == second.id
    assert page.contest_post_box.currentData() == "书记"
    _choose(qtbot, page.contest_post_box, "副书记")
    stored = meetings.get_contest(page.ctx.conn, second.id)
    assert stored is not None and stored.post == "副书记"
    assert "副书记" in page.contest_message.text()
    shot(page, "contests-post")


def test_part_time_mark_and_previous_term_import(page, qtbot, tmp_path) -> None:
    from openpyxl import Workbook

    from app.meetings.posts import list_previous
    from db import persons as db_persons

    page.title_box.setCurrentText("委员")
    page.seats_box.setValue(1)
    assert page.add_contest() is not None
    people = db_persons.list_persons(page.ctx.conn)
    page.search_box.setText(people[0].name)
    page.add_typed()
    page.table.selectRow(0)
    qtbot.mouseClick(page.part_time_button, Qt.MouseButton.LeftButton)
    assert page.candidates[0].part_time
    assert page.table.item(0, 3).text().endswith("兼职委员")
    qtbot.mouseClick(page.part_time_button, Qt.MouseButton.LeftButton)
    assert not page.candidates[0].part_time

    def sheet(rows: list[tuple[str, ...]]):
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        for r in [("姓名", "编号", "班子", "职务"), *rows]:
            ws.append(list(r))
        path = tmp_path / f"prev{len(rows)}.xlsx"
        wb.save(path)
        return path

    from ui.pages.setup_terms import load_previous

    bad = sheet([(people[0].name, str(people[0].id), "党组织委员会", "书记"),
                 (people[1].name, str(people[1].id), "书记", "")])
    said = load_previous(page, bad)
    assert "第3行" in said and "班子“书记”" in said and list_previous(page.ctx.conn) == []
    good = sheet([(people[0].name, str(people[0].id), "党组织委员会", "书记")])
    assert load_previous(page, good).startswith("已导入上届班子成员 1 条")
    assert [(p.person_id, p.body, p.post) for p in list_previous(page.ctx.conn)] == [
        (people[0].id, "党组织委员会", "书记")]
