"""A page closed while its background task runs: the task outlives the page, answers nobody and
raises nothing ("Signal source has been deleted" came from the worker thread when the task was
a Qt child of a page deleted under it)."""

from __future__ import annotations

import threading

from PySide6.QtWidgets import QWidget

from ui.tasks import Task


def test_a_task_whose_owner_is_deleted_finishes_quietly_and_calls_nobody(qtbot):
    page = QWidget()
    go = threading.Event()
    answers: list[object] = []

    def work(_report, cancel):
        go.wait(10)
        return "done"

    task = Task(work, page)
    task.succeeded.connect(answers.append)
    task.finished.connect(answers.append)
    task.start()
    page.deleteLater()
    qtbot.waitUntil(lambda: task.cancel_token.is_set(), timeout=5000)   # the owner went
    go.set()
    assert task.wait(10000)
    qtbot.wait(100)          # queued answers, if any, would arrive now
    assert answers == []
    assert task.outcome is not None and task.outcome.status == "ok"


def test_a_task_with_its_owner_alive_answers(qtbot):
    page = QWidget()
    answers: list[object] = []
    task = Task(lambda _r, _c: 7, page)
    task.succeeded.connect(answers.append)
    task.start()
    qtbot.waitUntil(lambda: answers == [7], timeout=5000)
    page.deleteLater()
