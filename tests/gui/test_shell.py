"""The main window: fonts, navigation by step, meeting switcher, open errors."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter

from app import meetings
from ui import pages
from ui.widgets.notice import PageFailed, PlannedNotice

RARE = "䶮𠮷"


def render(font, text: str) -> QImage:
    img = QImage(120, 60, QImage.Format.Format_RGB32)
    img.fill(QColor("white"))
    p = QPainter(img)
    p.setFont(font)
    p.drawText(10, 44, text)
    p.end()
    return img


def ink(img: QImage) -> int:
    white = QColor("white").rgb()
    return sum(1 for y in range(img.height()) for x in range(img.width())
               if img.pixel(x, y) != white)


def test_app_font_is_shipped_and_draws_rare_characters(qapp):
    from ui import fonts
    from ui.app_main import make_app

    app = make_app()
    assert app.font().families()[:2] == [fonts.UI_FAMILY, fonts.FALLBACK_FAMILY]
    assert set(fonts.register_fonts()) == set(fonts.FONT_FILES)
    # The UI face lacks the rare characters; the family list as a whole has them.
    assert fonts.missing_glyphs(RARE, fonts._single(app.font(), fonts.UI_FAMILY)) == list(RARE)
    assert fonts.missing_glyphs("王" + RARE) == []
    assert fonts.missing_glyphs("\U000f0001") == ["\U000f0001"]
    kai = fonts._single(app.font(), fonts.FALLBACK_FAMILY)
    for ch in RARE:
        drawn = render(app.font(), ch)
        assert ink(drawn) > 30, ch
        assert drawn == render(kai, ch), f"{ch} is not drawn with the shipped LXGW WenKai"


def test_qt_dialogs_speak_chinese(qapp):
    from PySide6.QtWidgets import QDialogButtonBox

    from ui.app_main import make_app

    make_app()
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消"])


def test_every_step_has_a_page_and_ctrl_number_switches(window, qtbot, shot):
    for number, step in enumerate(pages.STEPS, start=1):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_step == step.key
        assert window.step_bar.buttons[step.key].isChecked()
        page = window.stack.currentWidget()
        if pages.pages_of(step.key):
            assert not isinstance(page, PlannedNotice | PageFailed)
            assert not page.findChildren(PageFailed)
        else:
            assert isinstance(page, PlannedNotice)
            texts = " ".join(w.text() for w in page.findChildren(type(window.db_label)))
            assert "尚未完成" in texts and step.planned in texts
        shot(window, f"step-{number}-{step.key}")
    # Clicking the side bar does the same.
    qtbot.mouseClick(window.step_bar.buttons["prepare"], Qt.MouseButton.LeftButton)
    assert window.current_step == "prepare"
    assert window.show_step("prepare").objectName() == "RegisterPage"


def test_header_switches_the_current_meeting(window, qtbot):
    header = window.header
    assert header.community.text() == "新华街道翠湖社区"
    assert header.switcher.count() == 2 and header.switcher.isEnabled()
    assert header.switcher.currentText().startswith("中共翠湖社区委员会换届选举党员大会")
    seen = []
    window.ctx.meeting_changed.connect(seen.append)
    header.switcher.setCurrentIndex(1)
    header.switcher.activated.emit(1)
    assert window.ctx.meeting.code == "residents"
    assert meetings.current_meeting(window.ctx.conn).code == "residents"
    assert [m.code for m in seen] == ["residents"]
    # The register's vote column follows the meeting: 单国栋 is no Party member but a voter.
    page = window.show_step("prepare")
    row = next(r for r in range(page.model.rowCount()) if page.model.person(r).name == "单国栋")
    assert page.model.index(row, page.model.columnCount() - 1).data() == "有"


def test_schema_too_new_is_refused_with_a_clear_message(qapp, small_db, monkeypatch):
    from ui import app_main

    conn = sqlite3.connect(small_db)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    shown = []
    monkeypatch.setattr(app_main, "show_error", lambda _p, title, msg, detail="": shown.append(
        (title, msg)))
    assert app_main.open_main_window(small_db) is None
    assert shown and shown[0][0] == "无法打开数据库"
    assert "999" in shown[0][1] and "升级" in shown[0][1]


@pytest.mark.parametrize("content", [b"", b"this is not a database at all" * 100])
def test_a_file_that_is_no_database_is_refused(qapp, tmp_path, monkeypatch, content):
    from ui import app_main

    path = tmp_path / "x.db"
    path.write_bytes(content)
    shown = []
    monkeypatch.setattr(app_main, "show_error", lambda _p, title, msg, detail="": shown.append(msg))
    window = app_main.open_main_window(path)
    if content:
        assert window is None and "不是可用的 PollDay 数据库" in shown[0]
    else:  # an empty file is a new, empty database
        assert window is not None and not shown
        window.close()


def test_a_page_that_fails_to_build_is_reported_and_the_rest_works(window, monkeypatch, capsys):
    broken = pages.PageSpec("report", "报送包", "ui.pages.no_such_page")
    # the broken page is the step's only page (报送 has the export page since it landed)
    others = tuple(p for p in pages.PAGES if p.step != "report")
    monkeypatch.setattr(pages, "PAGES", (*others, broken))
    page = window.show_step("report")
    assert isinstance(page, PageFailed) and "ModuleNotFoundError" in page.error
    assert "no_such_page" in capsys.readouterr().err
    assert window.show_step("prepare").objectName() == "RegisterPage"


def test_a_missing_database_file_is_refused_not_created(qapp, tmp_path, monkeypatch):
    from ui import app_main

    shown = []
    monkeypatch.setattr(app_main, "show_error", lambda _p, title, msg, detail="": shown.append(msg))
    missing = tmp_path / "typo.db"
    assert app_main.start_gui(["--db", str(missing)]) is None
    assert shown == [f"数据库文件不存在：{missing}"]
    assert not missing.exists()
