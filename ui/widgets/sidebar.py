"""The left side bar: one big checkable button per step of the day, Ctrl+1..n.

Only the current step is highlighted: keyboard focus on another button is an underline, not a
second coloured edge (a clicked button kept focus, so two steps looked current after Ctrl+n)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ui.pages import Step

STYLE = """
#StepBar { background: #21405e; }
#StepBar QToolButton {
    color: #e8eef5; background: transparent; border: none; border-left: 5px solid transparent;
    padding: 10px 12px; text-align: left; font-size: 17pt;
}
#StepBar QToolButton:hover { background: #2c5178; }
#StepBar QToolButton:checked {
    background: #f4f6f9; color: #1b3550; border-left: 5px solid #d9822b; font-weight: bold;
}
#StepBar QToolButton:focus:!checked { outline: none; text-decoration: underline; }
#StepBar QLabel#brand { color: #ffffff; font-size: 14pt; padding: 14px 12px 10px 14px; }
"""


class StepBar(QFrame):
    step_chosen = Signal(str)

    def __init__(self, steps: Sequence[Step], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StepBar")
        self.setStyleSheet(STYLE)
        self.setFixedWidth(190)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 12)
        layout.setSpacing(2)
        brand = QLabel("选举日现场管理")
        brand.setObjectName("brand")
        layout.addWidget(brand)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QToolButton] = {}
        for number, s in enumerate(steps, start=1):
            button = QToolButton()
            button.setText(f"{number}  {s.title}")
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setMinimumSize(QSize(180, 64))
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda key=s.key: self.step_chosen.emit(key))
            button.setToolTip(f"{s.title}：{s.hint}（Ctrl+{number}）")
            button.setAccessibleName(s.title)
            button.clicked.connect(lambda _=False, key=s.key: self.step_chosen.emit(key))
            self.group.addButton(button)
            self.buttons[s.key] = button
            layout.addWidget(button)
        layout.addStretch(1)

    def set_current(self, key: str) -> None:
        self.buttons[key].setChecked(True)
