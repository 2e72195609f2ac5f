"""Relaunching PollDay opens the election database used last (the walk relaunched and got the
demo instead of the real election); when that file is gone, or with `--demo`, the demo opens."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import session
from db.connection import connect
from db.tx import transaction
from tests.gui.conftest import make_db


@pytest.fixture
def fresh_home(tmp_path, monkeypatch):
    """A laptop where PollDay never ran: no recent databases; a small demo file."""
    from ui import app_main

    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))
    demo = make_db(tmp_path / "demo.db")
    conn = connect(demo)
    with transaction(conn):
        session.mark_demo(conn)
    conn.close()
    monkeypatch.setattr(app_main, "demo_db_path", lambda: demo)
    return demo


def start(qtbot, args):
    from ui import app_main

    window = app_main.start_gui(args)
    assert window is not None
    qtbot.addWidget(window)
    return window


def opened(window) -> Path:
    path = Path(window.ctx.db_path)
    window.close()
    return path


def test_relaunch_opens_the_last_real_database(qtbot, tmp_path, fresh_home):
    first = make_db(tmp_path / "翠湖社区2026.db")
    second = make_db(tmp_path / "第二场.db")
    assert opened(start(qtbot, [])) == fresh_home          # first run ever: the demo
    assert opened(start(qtbot, ["--db", str(first)])) == first.resolve()
    # Relaunched with no argument (the desktop icon): the real election, not the demo.
    assert opened(start(qtbot, [])) == first.resolve()
    # 文件 → 打开 another database: that one is the last used now.
    window = start(qtbot, [])
    other = window.open_window(second)
    assert other is not None
    qtbot.addWidget(other)
    assert opened(other) == second
    assert opened(start(qtbot, [])) == second.resolve()
    # The demo opened on purpose does not push the real election out of the way.
    assert opened(start(qtbot, ["--demo"])) == fresh_home
    assert opened(start(qtbot, [])) == second.resolve()
    assert session.recent_databases()[:2] == [second.resolve(), first.resolve()]


def test_a_missing_last_database_opens_the_demo(qtbot, tmp_path, fresh_home):
    stick = make_db(tmp_path / "U盘" / "选举.db") if (tmp_path / "U盘").mkdir() is None else None
    assert stick is not None
    assert opened(start(qtbot, ["--db", str(stick)])) == stick.resolve()
    stick.unlink()                                          # the USB stick is not plugged in
    assert opened(start(qtbot, [])) == fresh_home


def test_a_new_database_is_remembered(qtbot, tmp_path, fresh_home):
    window = start(qtbot, [])
    new = window.open_window(tmp_path / "新建.db", new=True)
    assert new is not None
    qtbot.addWidget(new)
    new.close()
    assert opened(start(qtbot, [])) == (tmp_path / "新建.db").resolve()


def test_pollday_demo_starts_the_gui(monkeypatch):
    """`python3 packaging/dev.py run` starts `pollday --demo`: the GUI on the demo, not a command."""
    from ui import app_main, launcher

    got = []
    monkeypatch.setattr(app_main, "run_gui", lambda args: got.append(list(args)) or 0)
    assert launcher.main(["--demo"]) == 0
    assert got == [["--demo"]]
    dev = (Path(__file__).parents[2] / "packaging" / "dev.py").read_text(encoding="utf-8")
    assert '*(extra or ["--demo"])' in dev
