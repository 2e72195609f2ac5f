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
