"""The desk page when its database file is deleted or replaced under it (another window, a
backup restored over it, a stick's file dragged over it): a scan is refused in red naming the
file, nothing is shown as signed in, nothing is written; the counter poll warns before anyone
scans."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.attendance import Outcome
from tests.gui.test_desk_page import (  # noqa: F401  (fixtures)
    desk_db,
    page,
    person,
    scan,
)
from ui.widgets.feedback import Tone

pytestmark = pytest.mark.skipif(os.name == "nt",
                                reason="Windows does not let a file SQLite holds be deleted")


def _sign_ins(path: Path) -> int:
    c = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(c.execute(
            "SELECT count(*) FROM attendance_event WHERE kind = 'sign_in'").fetchone()[0])
    finally:
        c.close()


def test_a_scan_into_a_deleted_database_is_refused_in_red(page, qtbot, shot):  # noqa: F811 (the imported fixture)
    page.resize(1366, 768)
    path = page.ctx.db_path
    scan(qtbot, page.search_box, person(page, "曾凡荣").token)
    assert page.feedback.tone is Tone.GREEN
    wang = person(page, "王䶮")
    path.unlink()
    scan(qtbot, page.search_box, wang.token)
    assert page.feedback.tone is Tone.RED
    text = page.feedback.text()
    assert "没有写入，未签到" in text and "签到成功" not in text
    assert f"数据库文件 {path} 在本程序打开之后已被删除或移走" in text
    assert page.last_result is None
    assert page.counter.text() == "实到 1 / 应到 3"  # unchanged
    assert page.search_box.text() == "" and page.focusWidget() is page.search_box
    # Nothing went into the orphaned file either.
    n = page.ctx.conn.execute(
        "SELECT count(*) FROM attendance_event WHERE kind = 'sign_in'").fetchone()[0]
    assert n == 1
    qtbot.wait(30)
    shot(page, "desk-file-deleted")


def test_the_poll_warns_when_the_file_was_replaced(page, qtbot, tmp_path, shot):  # noqa: F811 (the imported fixture)
    page.resize(1366, 768)
    path = page.ctx.db_path
    page.ctx.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copyfile(path, tmp_path / "restored.db")
    os.replace(tmp_path / "restored.db", path)
    page.refresh_counter()  # what the 2 s poll does
    assert page.feedback.tone is Tone.RED
    assert "数据库文件已被删除或替换" in page.feedback.text()
    assert f"数据库文件 {path} 在本程序打开之后已被另一个文件替换" in page.feedback.text()
    scan(qtbot, page.search_box, person(page, "欧阳红梅").token)
    assert page.feedback.tone is Tone.RED and "没有写入，未签到" in page.feedback.text()
    assert _sign_ins(path) == 0
    qtbot.wait(30)
    shot(page, "desk-file-replaced")


def test_an_untouched_file_signs_in_as_before(page, qtbot):  # noqa: F811 (the imported fixture)
    page.refresh_counter()
    scan(qtbot, page.search_box, person(page, "曾凡荣").token)
    assert page.feedback.tone is Tone.GREEN
    assert page.last_result is not None and page.last_result.outcome is Outcome.SIGNED_IN
