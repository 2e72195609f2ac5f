"""A modal progress dialog over a ui.tasks.Task: bar, message, 取消 button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog, QWidget

from ui.tasks import Outcome, Task, WorkFn


def run_with_progress(parent: QWidget | None, title: str, label: str, fn: WorkFn,
                      *, cancellable: bool = True) -> Outcome:
    """Run `fn` off the GUI thread behind a modal progress dialog; returns its Outcome."""
    dialog = QProgressDialog(label, "取消" if cancellable else "", 0, 0, parent)
    dialog.setWindowTitle(title)
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(420)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    if not cancellable:
        dialog.setCancelButton(None)
    task = Task(fn, dialog)

    def on_progress(done: int, total: int, message: str) -> None:
        dialog.setMaximum(max(total, 0))
        dialog.setValue(min(done, total) if total > 0 else 0)
        if message:
            dialog.setLabelText(message)

    def on_cancel() -> None:
        task.cancel()
        dialog.setLabelText("正在取消…")

    task.progress.connect(on_progress)
    dialog.canceled.connect(on_cancel)
    dialog.show()
    outcome = task.run_blocking()
    dialog.hide()
    dialog.deleteLater()
    return outcome
