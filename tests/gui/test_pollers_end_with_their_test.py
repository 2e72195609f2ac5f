"""The tests' own dialog pollers (tests.gui.conftest.later) stop when the test that started them
ends: one that waited for a dialog that never came in its test closed the next tests' message
boxes (test_print_buttons and test_output_folder failed in full runs, never alone)."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from tests.gui.conftest import later

closed: list[str] = []


def test_a_poller_whose_dialog_never_comes(qtbot):
    """Like test_one_owner's answerer: it looks every 20 ms and closes the box it finds."""

    def act() -> None:
        w = QApplication.activeModalWidget()
        if isinstance(w, QMessageBox):
            closed.append(w.text())
            w.close()
            return
        later(20, act)

    later(20, act)
    qtbot.wait(60)   # it runs (and re-arms) while this test lasts
    assert closed == []


def test_the_next_tests_box_stays_open(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()
    box = QMessageBox(QMessageBox.Icon.Information, "打印", "已生成签到表",
                      QMessageBox.StandardButton.Close, parent)
    box.open()
    qtbot.waitUntil(box.isVisible, timeout=5000)
    qtbot.wait(200)   # ten of the poller's periods
    assert box.isVisible() and closed == []
    box.close()
