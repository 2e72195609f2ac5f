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
