"""A progress dialog over a ui.tasks.Task: bar, message, 取消 button.

`start_with_progress` returns at once (no nested event loop: the slot that asked returns and
the window keeps handling events); the dialog is window-modal while the work runs and
`on_done(outcome)` is called on the GUI thread when it ends. `run_with_progress` waits for the
outcome and is only for start-up, before the application's event loop runs (the demo build).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from ui.tasks import Outcome, Task, WorkFn


def start_with_progress(parent: QWidget | None, title: str, label: str, fn: WorkFn,
                        on_done: Callable[[Outcome], None], *,
                        cancellable: bool = True) -> Task:
    """Run `fn` off the GUI thread behind a modal progress dialog; `on_done(outcome)` when it
    ends. Returns the running task (its `dialog` attribute is the dialog)."""
    dialog = QProgressDialog(label, "取消" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.WindowModal if parent is not None
                             else Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(420)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    # Not a child of the dialog: the dialog goes when the work ends, the task lives on (in
    # Task._running) until its thread has finished.
    task = Task(fn)
    task.dialog = dialog  # type: ignore[attr-defined]  # for tests and callers that look

    def on_progress(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)
        if message:
            dialog.setLabelText(message)

    def on_cancel() -> None:
        task.cancel()
        dialog.setLabelText("正在取消…")

    def finished(outcome: Outcome) -> None:
        dialog.hide()
        dialog.deleteLater()
        on_done(outcome)

    task.progress.connect(on_progress)
    task.finished.connect(finished)
    dialog.canceled.connect(on_cancel)
    dialog.show()
    task.start()
    return task


def run_with_progress(parent: QWidget | None, title: str, label: str, fn: WorkFn,
                      *, cancellable: bool = True) -> Outcome:
    """Start-up only (before the application's event loop runs): the same dialog, waiting for
    the outcome. Never from a slot: use start_with_progress."""
    got: list[Outcome] = []
    loop = QEventLoop()

    def done(outcome: Outcome) -> None:
        got.append(outcome)
        loop.quit()

    task = start_with_progress(parent, title, label, fn, done, cancellable=cancellable)
    if not got:
        loop.exec()
    task.wait()
    return got[0]
