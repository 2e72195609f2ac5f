"""The laptop stays awake while it hosts or shows the big screen, and may sleep again after.
The OS call is the one boundary faked here: a recording backend stands in for
SetThreadExecutionState / the D-Bus inhibitor; the windows and the host mode are real."""

from __future__ import annotations

from pathlib import Path

import pytest

from ui import awake
from ui.awake import ES_CONTINUOUS, ES_DISPLAY_REQUIRED, ES_SYSTEM_REQUIRED, Keeper, WindowsBackend


class Recorder(awake.Backend):
    def __init__(self) -> None:
        self.calls: list[str] = []

    def on(self, reason: str) -> str:
        self.calls.append("on:" + reason)
        return "系统不休眠"

    def off(self) -> None:
        self.calls.append("off")


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    monkeypatch.setattr(awake, "_keeper", Keeper(rec))
    return rec


def test_holds_are_counted_and_released_once() -> None:
    rec = Recorder()
    k = Keeper(rec)
    a = k.hold("主机模式")
    b = k.hold("大屏幕")
    assert rec.calls == ["on:主机模式"]
    a.release()
    a.release()                       # idempotent: the big screen's hold still counts
    assert rec.calls == ["on:主机模式"]
    b.release()
    assert rec.calls == ["on:主机模式", "off"]


def test_windows_backend_sets_and_clears_the_execution_state() -> None:
    flags: list[int] = []
    k = Keeper(WindowsBackend(call=lambda f: flags.append(f) or 1))
    h = k.hold("主机模式")
    assert k.in_force
    h.release()
    assert flags == [ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED, ES_CONTINUOUS]


def test_a_failing_backend_never_stops_the_caller() -> None:
    class Broken(awake.Backend):
        def on(self, reason: str) -> str:
            raise OSError("no bus")

        def off(self) -> None:
            raise OSError("no bus")

    k = Keeper(Broken())
    h = k.hold("x")
    assert k.in_force == ""
    h.release()


def test_big_screen_keeps_awake_while_shown(qtbot, recorder: Recorder) -> None:
    from ui.bigscreen import BigScreen

    screen = BigScreen("第一次党员大会")
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitExposed(screen)
    assert recorder.calls == ["on:大屏幕正在显示出席情况"]
    assert awake.state() == "系统不休眠"
    screen.close()
    assert recorder.calls[-1] == "off"
    assert awake.state() == ""


def test_host_mode_keeps_awake_until_stopped(qtbot, recorder: Recorder, tmp_path: Path) -> None:
    from app.demo import build_demo
    from db.connection import connect
    from ui.pages.context import PageContext
    from ui.pages.host_page import HostPage

    path = tmp_path / "host.db"
    conn = connect(path)
    build_demo(conn)
    page = HostPage(PageContext(conn, path))
    qtbot.addWidget(page)
    page.show()
    with qtbot.waitSignal(page.runner.started, timeout=20000):
        page.start_host(bind="127.0.0.1")
    qtbot.waitUntil(lambda: bool(recorder.calls), timeout=5000)
    assert recorder.calls[0].startswith("on:主机模式")
    with qtbot.waitSignal(page.runner.stopped, timeout=20000):
        page.stop_host()
    qtbot.waitUntil(lambda: recorder.calls[-1] == "off", timeout=5000)
    page.shutdown()
    conn.close()
