"""Fresh-eyes walk, findings 4, 7, 9, 11, 14, 15, 16, 18: each reproduced by keystrokes or clicks."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.rules import Round
from tests.gui.test_counting_page import counting_db, open_page


def test_empty_officials_are_refused_naming_the_empty_field(qtbot, tmp_path, shot):
    page = open_page(qtbot, counting_db(tmp_path / "c.db"))
    try:
        assert page.open_round(Round.FIRST) is not None
        tab = page.setup_tab
        tab.scrutineers.setText("")
        tab.counters.setText("")
        qtbot.mouseClick(tab.officials_button, Qt.MouseButton.LeftButton)
        assert "已登记" not in page.message.text()
        assert "监票人" in page.message.text() and "未填写" in page.message.text()
        assert not page.round.officials.scrutineers
        tab.scrutineers.setText("曾凡荣")
        qtbot.mouseClick(tab.officials_button, Qt.MouseButton.LeftButton)
        assert "未填写计票人" in page.message.text()
        # The hint in an empty box reads as a hint, not as names already filled in.
        assert tab.counters.placeholderText().startswith("例如")
        tab.counters.setText("")
        page.resize(1366, 768)
        shot(page, "walk1-officials-empty")
    finally:
        page.close()
        page.ctx.conn.close()


def _two_person_rows(path):
    from db import audit
    from db.connection import connect
    from db.tx import transaction

    conn = connect(path)
    with transaction(conn):
        audit.append(conn, at="2026-11-22T10:00:00+08:00", actor="李主任",
                     action="round_officials",
                     detail={"round_id": 1, "scrutineers": ["周监票"], "counters": ["赵计票"]})
        audit.append(conn, at="2026-11-22T11:00:00+08:00", actor="孙总监", action="round_locked",
                     detail={"contest": "wy", "number": 1, "hash": "ab" * 32, "second": "周监票"})
    conn.close()


def test_the_person_filter_finds_the_second_signer_and_the_named_officials(qtbot, tmp_path,
                                                                           shot):
    from tests.app.test_audit_log import make_audited_db
    from tests.gui.conftest import open_window
    from tests.gui.test_audit_page import _column, _page

    path = make_audited_db(tmp_path / "election.db")
    _two_person_rows(path)
    for window in open_window(qtbot, path):
        window.resize(1366, 768)
        page = _page(qtbot, window)
        names = [page.person.itemText(i) for i in range(page.person.count())]
        assert "周监票" in names and "赵计票" in names
        page.person.setFocus()
        while page.person.currentText() != "周监票":
            before = page.person.currentIndex()
            qtbot.keyClick(page.person, Qt.Key.Key_Down)
            assert page.person.currentIndex() != before
        assert _column(page, 3) == ["登记监票人、计票人", "锁定结果"]
        # Sign-ins and ballots are not audit rows: the page says where they are.
        assert page.not_here.isVisible() and "不在审计日志" in page.not_here.text()
        qtbot.wait(20)
        shot(window, "walk1-audit-second-signer")
        qtbot.mouseClick(page.clear_button, Qt.MouseButton.LeftButton)
        assert not page.not_here.isVisible()


# --- the 签到 page (findings 7 and 11) --------------------------------------------------------


def _desk(qtbot, tmp_path):
    from tests.gui.test_desk_enter import enter_db, open_page

    return open_page(qtbot, enter_db.__wrapped__(tmp_path))


def _close(page, qtbot):
    from tests.gui.test_desk_enter import close_page

    close_page(page, qtbot)


def test_a_search_with_no_match_says_so_and_what_can_be_typed(qtbot, tmp_path):
    from tests.gui.test_desk_page import choose_desk

    page = _desk(qtbot, tmp_path)
    try:
        choose_desk(page, "二号台")
        qtbot.keyClicks(page.search_box, "qqxx", delay=45)
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
        text = page.feedback.text()
        assert "没有找到与“qqxx”相符的人" in text, text
        assert "名册中没有此人" not in text
        assert "首字母" in text and "拼音" in text
    finally:
        _close(page, qtbot)


def test_the_given_name_in_pinyin_lists_the_person_but_enter_signs_nobody(qtbot, tmp_path):
    from tests.gui.test_desk_enter import signed_in
    from tests.gui.test_desk_page import choose_desk

    page = _desk(qtbot, tmp_path)
    try:
        choose_desk(page, "二号台")
        qtbot.keyClicks(page.search_box, "fanrong", delay=45)   # 曾凡荣's given name
        assert [p.name for p in page.found] == ["曾凡荣"]
        assert page.finding.sure is None
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
        assert signed_in(page, page.found[0].id) is None
    finally:
        _close(page, qtbot)


def test_an_older_register_gets_the_given_name_keys_once(tmp_path):
    from app import search
    from db import settings
    from db.connection import connect
    from tests.gui.conftest import make_db

    path = make_db(tmp_path / "old.db")
    conn = connect(path)
    with conn:   # as a version before the given-name keys stored it
        conn.execute("DELETE FROM person_key WHERE key LIKE '~%'")
        settings.put(conn, search.KEYS_SETTING, "2")
    assert search.search_ids(conn, "fanrong") == []
    assert search.update_keys(conn) > 0
    assert [p.name for p in search.search(conn, "fanrong")] == ["曾凡荣"]
    assert search.update_keys(conn) == 0
    conn.close()


def test_namesakes_after_enter_nothing_looks_chosen_and_the_next_name_replaces_the_search(
        qtbot, tmp_path, shot):
    from PySide6.QtGui import QKeySequence

    from tests.gui.test_desk_enter import named, signed_in
    from tests.gui.test_desk_page import choose_desk

    page = _desk(qtbot, tmp_path)
    try:
        choose_desk(page, "一号台")
        qtbot.keyClicks(page.search_box, "zhangwei", delay=45)
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
        assert page.focusWidget() is page.results
        # Nothing is highlighted while Enter would sign nobody; the words say how to choose.
        assert page.results.selectedItems() == []
        assert "↓" in page.feedback.text()
        qtbot.wait(30)
        shot(page, "walk1-desk-namesakes")
        # The search text is selected: typing the next name replaces it.
        assert page.search_box.selectedText() == "zhangwei"
        qtbot.keyClick(page.results, Qt.Key.Key_C, delay=45)
        assert page.search_box.text() == "c"
        # The panel no longer speaks of the old search.
        assert "zhangwei" not in page.feedback.text()
        # Ctrl+A in the list selects the search text too.
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
        qtbot.keyClick(page.results, Qt.Key.Key_Escape)
        page.results.setFocus()
        qtbot.keyClick(page.results, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        assert QKeySequence.StandardKey.SelectAll   # the standard Ctrl+A
        assert page.focusWidget() is page.search_box and page.search_box.selectedText() == "c"
        # ↓ then Enter still signs the chosen one in.
        page.search_box.clear()
        qtbot.keyClicks(page.search_box, "zhangwei", delay=45)
        qtbot.keyClick(page.search_box, Qt.Key.Key_Return)
        qtbot.keyClick(page.results, Qt.Key.Key_Down)
        qtbot.keyClick(page.results, Qt.Key.Key_Return)
        assert sum(signed_in(page, z.id) is not None for z in named(page, "张伟")) == 1
    finally:
        _close(page, qtbot)


def test_the_recent_list_marks_a_sign_in_without_a_vote_and_the_desk_is_remembered(
        qtbot, tmp_path, shot):
    from tests.gui.test_desk_enter import close_page, open_page
    from tests.gui.test_desk_page import choose_desk

    page = _desk(qtbot, tmp_path)
    path = page.ctx.db_path
    try:
        choose_desk(page, "二号台")
        type_ji = next(p for p in page.ctx.conn.execute("SELECT token FROM person WHERE name = ?",
                                                        ("吉𠮷",)))[0]
        page.sign_in(type_ji)
        assert "列席" in page.feedback.text()
        items = [page.recent.item(i).text() for i in range(page.recent.count())]
        assert len(items) == 1 and "列席" in items[0], items
        qtbot.wait(30)
        shot(page, "walk1-desk-recent-lieXi")
    finally:
        _close(page, qtbot)
    again = open_page(qtbot, path)
    try:
        assert again.desk_name == "二号台"
    finally:
        close_page(again, qtbot)


def test_ctrl_z_on_a_ballot_over_the_returned_count_offers_to_withdraw_it(qtbot, tmp_path, shot):
    from tests.gui.test_counting_page import ready_round, settled, type_ballot

    page = open_page(qtbot, counting_db(tmp_path / "c.db"))
    try:
        ready_round(page)
        tab = page.setup_tab
        tab.printed.setValue(4)
        tab.issued.setValue(4)
        tab.returned.setValue(2)      # two came back
        assert tab.save_box() is not None
        page.tabs.setCurrentIndex(1)
        entry = page.entry_tab
        for keys in ("1", "2", "1"):  # a third ballot: one more than the boxes gave back
            type_ballot(qtbot, entry, keys)
        settled(qtbot, entry)
        assert len([e for e in entry.entered if e.ballot is not None]) == 3
        qtbot.keyClick(entry.line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        # Not put back on the line: asked whether to withdraw it, as the desk's Ctrl+Z asks.
        assert entry.line.editing is None
        dialog = entry.dialog
        from PySide6.QtWidgets import QLabel

        said = " ".join(lab.text() for lab in dialog.findChildren(QLabel))
        assert dialog.isVisible() and dialog.windowTitle() == "撤销序号"
        assert "第3张" in said and "多于票箱收回 2 张" in said, said
        assert not dialog.ok_button.isEnabled()   # a reason first, as on the 签到 page
        qtbot.wait(20)
        shot(dialog, "walk1-entry-ctrl-z-over")
        dialog.reason.setCurrentIndex(0)          # 同一张选票重复录入
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
        settled(qtbot, entry)
        assert len([e for e in entry.entered if e.ballot is not None]) == 2, entry.last.text()
        assert "第3张已撤销" in entry.last.text()
        # Within the returned count Ctrl+Z takes the last one back onto the line, as before.
        qtbot.keyClick(entry.line, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert entry.line.editing == 2
    finally:
        page.close()
        page.ctx.conn.close()


def test_a_register_stored_by_this_version_is_not_keyed_again(tmp_path):
    from app import search
    from db import settings
    from db.connection import connect
    from tests.gui.conftest import make_db

    path = make_db(tmp_path / "new.db")
    conn = connect(path)
    assert settings.get(conn, search.KEYS_SETTING) is None   # never opened in the window
    before = conn.execute("SELECT count(*) FROM person_key").fetchone()[0]
    search.update_keys(conn)
    assert conn.execute("SELECT count(*) FROM person_key").fetchone()[0] == before
    assert settings.get(conn, search.KEYS_SETTING) == search.KEYS_VERSION
    with conn:   # a version-1 register never opened: no setting, no given-name keys
        conn.execute("DELETE FROM person_key WHERE key LIKE '~%'")
        conn.execute("DELETE FROM setting WHERE key = ?", (search.KEYS_SETTING,))
    search.update_keys(conn)
    assert [p.name for p in search.search(conn, "fanrong")] == ["曾凡荣"]
    conn.close()
