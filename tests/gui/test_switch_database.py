"""Opening another database lets go of the first one (Windows could not eject the USB stick the
old database was on while the process held it open). Checked from outside the app: the
process's own open file descriptors (/proc/self/fd), after every step's page was built, host
mode was on and the big screen was shown."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.gui.conftest import make_db
from ui import pages

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc/self/fd (Linux); Windows: eject the stick")


def open_files(stem: Path) -> list[str]:
    out = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(stem)):
            out.append(target)
    return out


def test_opening_another_database_closes_the_first(qtbot, tmp_path: Path) -> None:
    from ui.app_main import open_main_window
    from ui.main_window import MainWindow

    stick = tmp_path / "U盘"
    first = make_db(stick / "first.db")
    second = make_db(tmp_path / "second.db")
    window = open_main_window(first)
    assert isinstance(window, MainWindow)
    qtbot.addWidget(window)
    window.show()
    for step in pages.STEPS:                    # every page built, each with its timers
        window.show_step(step.key)
    host = window.show_step("signin", tab="多台签到")
    with qtbot.waitSignal(host.runner.started, timeout=20000):
        host.start_host(bind="127.0.0.1")
    meeting = window.show_step("meeting")
    big = meeting.open_bigscreen()
    assert open_files(stick), "the first database should be open while its window is"

    other = window.open_window(second)
    assert other is not None
    qtbot.addWidget(other)
    qtbot.waitUntil(lambda: window.db_released, timeout=5000)
    assert meeting.bigscreen is None and big is not None   # closed (deleted on close)
    qtbot.waitUntil(lambda: not host.runner.running, timeout=10000)
    assert open_files(stick) == []
    assert open_files(second.parent / "second.db")       # the new one is the open one
    os.rename(stick, tmp_path / "ejected")               # nothing holds the stick's folder
    other.close()
