"""The 唱票 big screen (issue 14, item 19): it follows a 正字 tally round (it stayed blank with
"已唱 0 张") as the clerk types the sheet, and never cuts a long name (阿依古丽·买买提)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF

from app import attendance, voting
from app.rules import Round
from tests.gui.test_counting_page import counting_db, open_page


def test_singing_follows_a_tally_round_as_typed(qtbot, tmp_path, shot) -> None:
    page = open_page(qtbot, counting_db(tmp_path / "tally.db"))
    try:
        r = page.open_round(Round.FIRST, mode=voting.Mode.TALLY)
        assert r is not None
        page.tabs.setCurrentIndex(3)
        qtbot.mouseClick(page.singing_button, Qt.MouseButton.LeftButton)
        view = page.entry_tab.singing
        assert view is not None and view.isVisible()
        tab = page.tally_tab
        first = tab.approve[0]                       # 丁薛祥, first in stroke order
        first.setFocus()
        qtbot.keyClick(first.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(first.lineEdit(), "3")
        tab.valid.setFocus()
        qtbot.keyClick(tab.valid.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(tab.valid.lineEdit(), "4")
        tab.invalid.setFocus()
        qtbot.keyClick(tab.invalid.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(tab.invalid.lineEdit(), "1")
        tab.write_ins.setFocus()
        tab.write_ins.setText("曾凡荣 1")
        rows = {n: (c, w) for n, c, w in view.rows}
        assert rows["丁薛祥"] == (3, False) and rows["曾凡荣"] == (1, True)
        assert [n for n, _c, _w in view.rows][:6] == list(r.names)
        assert view.ballots == 5 and "正字" in view.note
        view.resize(1366, 768)
        qtbot.wait(30)
        shot(view, "singing-tally-1366")
        view.close()
    finally:
        page.close()
        attendance.forget(page.ctx.conn)
        page.ctx.conn.close()


def test_long_names_are_never_cut(qtbot, shot) -> None:
    from ui.app_main import make_app
    from ui.singing_view import SingingView

    make_app()
    view = SingingView()
    qtbot.addWidget(view)
    names = ["阿依古丽·买买提", "买买提江·阿不都热合曼", "王䶮", "欧阳红梅", "热依拉·艾山江",
             "张喆", "司马相如"]
    view.set_count("居民委员会委员第1轮", [(n, i + 3, i == 1) for i, n in enumerate(names)], 20)
    for size in ((1366, 768), (1280, 720), (1024, 600)):
        view.resize(*size)
        font, name_w = view.name_layout()
        metrics = QFontMetricsF(font)
        assert all(metrics.horizontalAdvance(n) <= name_w for n in names), size
    view.resize(1366, 768)
    view.show()
    qtbot.waitExposed(view)
    shot(view, "singing-long-names-1366")
