"""A confirmation that needs a written reason (撤销签到, 撤销不计入应到): OK stays disabled while
the reason is empty. Opened with `open()` (window-modal, no nested event loop); the reason
arrives through `reason_accepted`."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ReasonDialog(QDialog):
    reason_accepted = Signal(str)

    def __init__(self, parent: QWidget, title: str, message: str,
                 suggestions: Sequence[str] = (), *, ok_text: str = "确定") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        label = QLabel(message)
        label.setWordWrap(True)
        label.setStyleSheet("font-size: 13pt;")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(list(suggestions))
        self.reason.setCurrentIndex(-1)
        self.reason.setEditText("")
        line = self.reason.lineEdit()
        assert line is not None
        line.setPlaceholderText("原因（必填）")
        self.reason.setStyleSheet("font-size: 13pt;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setText(ok_text)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.editTextChanged.connect(self._update)
        lay = QVBoxLayout(self)
        lay.addWidget(label)
        lay.addWidget(QLabel("原因："))
        lay.addWidget(self.reason)
        lay.addWidget(self.buttons)
        self._update()
        self.reason.setFocus()

    @property
    def ok_button(self) -> QPushButton:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        return button

    def text(self) -> str:
        return self.reason.currentText().strip()

    def _update(self) -> None:
        self.ok_button.setEnabled(bool(self.text()))

    def _accept(self) -> None:
        reason = self.text()
        if not reason:  # Enter in the field triggers the default button even when disabled
            return
        self.accept()
        self.reason_accepted.emit(reason)
