"""A plain, honest notice for a step whose pages are not built yet."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.pages import Step


class PlannedNotice(QWidget):
    def __init__(self, step: Step, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        title = QLabel(f"{step.title}")
        title.setStyleSheet("font-size: 22pt; font-weight: bold; color: #1b3550;")
        status = QLabel("本步骤的页面尚未完成，将在后续版本提供。")
        status.setStyleSheet("font-size: 14pt; color: #9a5b13;")
        body = QLabel(f"届时这里将提供：{step.planned}")
        body.setWordWrap(True)
        body.setStyleSheet("font-size: 13pt; color: #333;")
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for w in (title, status, body):
            layout.addWidget(w)
        layout.addStretch(1)
        self.setObjectName(f"planned-{step.key}")
