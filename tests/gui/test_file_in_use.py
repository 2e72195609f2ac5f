"""Regenerating a PDF that is open in a viewer (Windows refuses to replace it): the clerk reads
what happened in words on the 结果 page, not a raw "[WinError 5]"; the open copy is left as it
was, no temporary file is left behind, and the next click after the viewer closes works."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from winfake import Viewer

from app import fileio
from app.meetings import Refusal
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")
from tests.gui.test_counting_results import counted_round, db, open_results  # noqa: F401
from tests.gui.test_join_dialog import dialog  # noqa: F401  (fixture)
from tests.gui.test_setup_pages import ctx  # noqa: F401  (fixture)


def test_results_pdf_open_in_a_viewer_is_said_in_words(qtbot, db, monkeypatch, shot):  # noqa: F811
    monkeypatch.setattr(fileio, "REPLACE_WAIT_S", 0.0)
    counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    p = open_results(qtbot, db)
    try:
        p.lock()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        panel = p.print_panel
        button = panel.buttons["notice"]
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "notice" not in panel.tasks and "notice" in panel.last,
                        timeout=30000)
        out = panel.folder() / "party-notice.pdf"
        first = out.read_bytes()
        assert "已生成" in panel.status.text()

        viewer = Viewer(out, winerror=32)            # the clerk opened it to look at it
        monkeypatch.setattr(fileio, "_replace", viewer.replace)
        panel.last.clear()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "notice" in panel.last, timeout=30000)
        text = panel.status.text()
        assert viewer.refused == fileio.REPLACE_TRIES
        assert "计票结果公告 未能生成" in text and str(out) in text
        assert "正被其他程序打开" in text and "关闭该文件后重试" in text
        assert "WinError" not in text and "Errno" not in text
        assert out.read_bytes() == first
        assert sorted(x.name for x in panel.folder().iterdir()) == ["party-notice.pdf"]
        assert button.isEnabled()
        p.resize(1366, 768)
        shot(p, "results-pdf-held-open")

        monkeypatch.setattr(fileio, "_replace", Viewer().replace)   # the viewer was closed
        panel.last.clear()
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "notice" in panel.last, timeout=30000)
        assert "已生成" in panel.status.text()
    finally:
        p.ctx.conn.close()


def test_the_print_worker_of_every_button_returns_the_words(venue, db_path, tmp_path,
                                                            monkeypatch):
    """The worker every 打印 button runs (结果, 选举事项 ballots, 签到台设置, 委托)."""
    monkeypatch.setattr(fileio, "REPLACE_WAIT_S", 0.0)
    from app.documents.kinds import Printed
    from ui.pages.results_print import render_work

    party_id = venue.party.id
    venue.conn.close()
    out = tmp_path / "party-signin.pdf"
    at = dt.datetime.fromisoformat("2026-11-22T09:00:00+08:00")
    assert isinstance(render_work(db_path, party_id, "signin-sheets", out, at)(None, None),
                      Printed)
    monkeypatch.setattr(fileio, "_replace", Viewer(out, winerror=32).replace)
    got = render_work(db_path, party_id, "signin-sheets", out, at)(None, None)
    assert isinstance(got, Refusal) and got.code == "FILE_IN_USE"
    assert str(out) in got.message and "正被其他程序打开" in got.message
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".pdf", ".tmp")] == [out.name]


def test_meeting_code_is_checked_as_it_is_typed_and_on_save(ctx, qtbot, shot):  # noqa: F811
    """The code goes into file names: `2026:党员` is refused on the 会议设置 page, naming the
    field and the character, before anything is written."""
    from ui.pages.setup_meeting import MeetingSetupPage

    page = MeetingSetupPage(ctx)
    qtbot.addWidget(page)
    page.resize(1366, 768)
    page.show()
    qtbot.waitExposed(page)
    before = page.list.count()
    page.start_new()
    page.activateWindow()
    assert page.focusWidget() is page.code
    qtbot.keyClicks(page.focusWidget(), "2026:")
    assert "会议代码" in page.message.text() and "“:”" in page.message.text()
    page.code.setText(page.code.text() + "党员")      # keyClicks cannot type Chinese
    page.title.setText("2026年党员大会")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    text = page.message.text()
    assert "会议代码“2026:党员”含有不能用的字符：“:”" in text
    assert "只能用字母、汉字、数字" in text and page.focusWidget() is page.code
    assert page.list.count() == before
    qtbot.wait(50)   # let the layout take the two-line message
    shot(page, "setup-meeting-bad-code")
    page.code.clear()
    qtbot.keyClicks(page.code, "party2026")
    assert page.message.text() == ""
    page.code.setText("2026党员")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert page.list.count() == before + 1 and "已建立会议" in page.message.text()


def test_a_desk_name_never_names_a_folder_or_a_device(dialog, tmp_path):  # noqa: F811
    """The join dialog proposes the desk's database file from the desk name the clerk types."""
    from pathlib import Path

    from tests.gui.test_join_dialog import GOOD

    dialog.code.setText(GOOD)
    for name, want in (("东门/一号台", "签到台-东门_一号台.db"), ("CON", "签到台-CON.db"),
                       ("a\\b*?", "签到台-a_b__.db"), ("", "签到台-本机.db")):
        dialog.desk.setText(name)
        path = Path(dialog.path.text())
        assert path.parent == tmp_path and path.name == want, path
