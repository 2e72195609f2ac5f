"""tests/conftest.py gives every pytest-qt wait at least WAIT_FLOOR_MS: a wait written with a
short timeout still passes when the machine is slower than its author's."""

from __future__ import annotations

from pdtest import WAIT_FLOOR_MS
from PySide6.QtCore import QTimer


def test_a_short_wait_outlasts_a_slow_machine(qtbot):
    done: list[bool] = []
    QTimer.singleShot(1500, lambda: done.append(True))   # slower than the wait's own 1 s
    qtbot.waitUntil(lambda: bool(done), timeout=1000)
    assert done


def test_a_wait_meant_to_run_out_keeps_its_timeout(qtbot):
    from PySide6.QtCore import QObject, Signal

    class Quiet(QObject):
        never = Signal()

    quiet = Quiet()
    assert qtbot.waitSignal(quiet.never, timeout=200, raising=False).timeout == 200
    assert qtbot.waitSignal(quiet.never, timeout=200).timeout == WAIT_FLOOR_MS
    with qtbot.assertNotEmitted(quiet.never, wait=50):
        pass
