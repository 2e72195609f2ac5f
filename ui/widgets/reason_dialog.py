"""A confirmation that needs a written reason (撤销签到, 撤销不计入应到, the supervising office's
decision a round is locked on): OK stays disabled until the text reaches `min_chars`
characters, and Enter does nothing before. Opened with `open()` (window-modal, no nested event
loop); the text arrives through `reason_accepted`."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ReasonDialog(QDialog):
    reason_accepted = Signal(str)

    def __init__(self, parent: QWidget, title: str, message: str,
                 suggestions: Sequence[str] = (), *, ok_text: str = "确定", note: str = "",
                 field: str = "原因", placeholder: str = "原因（必填）",
                 min_chars: int = 1) -> None:
        super().__init__(parent)
        self.min_chars = max(1, min_chars)
        self.setWindowTitle(title)
        self.setMinimumWidth(480)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 13pt;")
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)   # Enter adds no item
        self.reason.addItems(list(suggestions))
        self.reason.setCurrentIndex(-1)
        self.reason.setEditText("")
        line = self.reason.lineEdit()
        assert line is not None
        self.line: QLineEdit = line
        line.setPlaceholderText(placeholder)
        line.setAccessibleName(field)
        self.reason.setAccessibleName(field)
        self.reason.setStyleSheet("font-size: 13pt;" if suggestions else
                                  # nothing to choose from: no arrow opening an empty list
                                  "QComboBox { font-size: 13pt; padding-right: 0px; }"
                                  " QComboBox::drop-down { subcontrol-origin: padding;"
                                  " width: 0px; border: 0px; }"
                                  " QComboBox::down-arrow { image: none; }")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button.setText(ok_text)
        cancel = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        assert cancel is not None
        cancel.setText("取消")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.editTextChanged.connect(self._update)
        lay = QVBoxLayout(self)
        lay.addWidget(self.message)
        if note:
            self.note = QLabel(note)
            self.note.setWordWrap(True)
            self.note.setStyleSheet("font-size: 12pt;")
            lay.addWidget(self.note)
        field_label = QLabel(f"{field}：")
        field_label.setBuddy(self.reason)
        lay.addWidget(field_label)
        lay.addWidget(self.reason)
        lay.addStretch(1)   # room to spare goes below the text box, not between it and its label
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
        self.ok_button.setEnabled(len(self.text()) >= self.min_chars)

    def _accept(self) -> None:
        reason = self.text()
        if len(reason) < self.min_chars:   # Enter in the field reaches the default button even disabled
            return
        self.accept()
        self.reason_accepted.emit(reason)
