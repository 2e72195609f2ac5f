"""The projector's big screen: the meeting's title and the quorum panel in very large type.

A separate top-level window (drag it onto the projector, then F11 for full screen, Esc to
leave it). It owns no data: the 会议 page hands it the same Figures it shows itself, so the hall
and the secretary's table never disagree.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent, QHideEvent, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui import awake
from ui.widgets.quorum_panel import TWO_ROWS, Figures, QuorumPanel

BACKGROUND = "#101820"
# The panel's fonts grow with the window: at 1280x720 the numbers are twice the page's size,
# and the width limits the scale too (three figures side by side must fit).
SCALE_PER_HEIGHT = 2.0 / 720
SCALE_PER_WIDTH = 2.4 / 1280


class BigScreen(QWidget):
    def __init__(self, title: str = "", parent: QWidget | None = None, *,
                 frameless: bool = False) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        if frameless:
            self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.setWindowTitle("大屏幕 · 出席情况")
        self.setObjectName("bigscreen")
        self.setStyleSheet(f"QWidget#bigscreen {{ background: {BACKGROUND}; }}")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = QLabel(title, self)
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.title.setStyleSheet("color: #ffffff;")
        self.panel = QuorumPanel(self, dark=True, rows=TWO_ROWS)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(40, 30, 40, 30)
        lay.setSpacing(24)
        lay.addWidget(self.title)
        lay.addWidget(self.panel, 1)
        self.resize(1280, 720)
        self._rescale(1280, 720)  # fonts right from the first layout, not one pass later
        self._awake: awake.Hold | None = None

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        # The projector must not blank nor the laptop sleep while the hall reads the quorum.
        if self._awake is None:
            self._awake = awake.hold("大屏幕正在显示出席情况")
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 (Qt override)
        self._let_sleep()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self._let_sleep()
        super().closeEvent(event)

    def _let_sleep(self) -> None:
        if self._awake is not None:
            self._awake.release()
            self._awake = None

    def set_title(self, title: str) -> None:
        self.title.setText(title)

    def set_figures(self, figures: Figures) -> None:
        self.panel.set_figures(figures)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt override)
        self._rescale(event.size().width(), event.size().height())
        super().resizeEvent(event)

    def _rescale(self, width: int, height: int) -> None:
        scale = max(1.0, min(height * SCALE_PER_HEIGHT, width * SCALE_PER_WIDTH))
        self.panel.set_scale(scale)
        font = self.title.font()
        font.setPointSizeF(16 * scale)
        font.setBold(True)
        self.title.setFont(font)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_F11:
            self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)
        elif event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
        else:
            super().keyPressEvent(event)
