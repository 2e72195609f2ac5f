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


class PageFailed(QWidget):
    """Shown instead of a page whose construction raised: the rest of the app keeps working."""

    def __init__(self, title: str, error: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        layout = QVBoxLayout(self)
        layout.setContentsMargins(48, 48, 48, 48)
        head = QLabel(f"“{title}”页面无法打开")
        head.setStyleSheet("font-size: 18pt; font-weight: bold; color: #b00020;")
        body = QLabel(f"{error}\n\n其他页面不受影响。请记下此信息并联系技术支持；可运行 pollday selftest 检查安装。")
        body.setWordWrap(True)
        body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(head)
        layout.addWidget(body)
        layout.addStretch(1)
