"""The desk's answer to a sign-in, readable from a metre away: a coloured panel with the name in
very large type, one line of detail, and an optional action button (lift an exclusion).

Tones: green (signed in), red (already signed in), amber (may attend without a vote, or
excluded from 应到), grey (not on the register / nothing yet).
"""

from __future__ import annotations

from enum import StrEnum

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout


class Tone(StrEnum):
    IDLE = "idle"
    GREEN = "green"
    RED = "red"
    AMBER = "amber"
    GREY = "grey"


# Background, text. Dark text on amber: white on yellow is unreadable at a distance.
_COLOURS: dict[Tone, tuple[str, str]] = {
    Tone.IDLE: ("#eceff1", "#37474f"),
    Tone.GREEN: ("#1b7f3b", "#ffffff"),
    Tone.RED: ("#c62828", "#ffffff"),
    Tone.AMBER: ("#ffb300", "#212121"),
    Tone.GREY: ("#546e7a", "#ffffff"),
}

HEADLINE_PT = 32  # what happened
TITLE_PT = 48     # the person's name: what the clerk checks against the face
DETAIL_PT = 18


class FeedbackPanel(QFrame):
    """`show_result(tone, headline, title, detail, action=None)`; `action_clicked` fires when
    the action button is pressed (the page decides what it means)."""

    action_clicked = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("feedback")
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(260)
        self.tone = Tone.IDLE
        self.headline = self._label(HEADLINE_PT, bold=True)
        self.title = self._label(TITLE_PT, bold=True)
        self.detail = self._label(DETAIL_PT)
        self.action = QPushButton(self)
        self.action.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps the focus
        font = self.action.font()
        font.setPointSize(DETAIL_PT)
        self.action.setFont(font)
        self.action.setMinimumHeight(56)
        self.action.clicked.connect(self.action_clicked)
        self.action.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(28, 20, 28, 20)
        lay.setSpacing(10)
        lay.addStretch(1)
        lay.addWidget(self.headline)
        lay.addWidget(self.title)
        lay.addWidget(self.detail)
        lay.addWidget(self.action, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(1)
        self.reset()

    def reset(self) -> None:
        """The panel at rest: what the desk takes."""
        self.show_result(Tone.IDLE, "请扫码或输入姓名", "", "姓名 · 拼音 · 首字母 · 身份证号后几位 · 编号")

    def _label(self, point_size: int, *, bold: bool = False) -> QLabel:
        label = QLabel(self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        font = label.font()
        font.setPointSize(point_size)
        font.setBold(bold)
        label.setFont(font)
        return label

    def show_result(self, tone: Tone, headline: str, title: str, detail: str,
                    action: str | None = None) -> None:
        self.tone = tone
        bg, fg = _COLOURS[tone]
        self.setStyleSheet(
            f"QFrame#feedback {{ background: {bg}; border-radius: 10px; }}"
            f" QFrame#feedback QLabel {{ color: {fg}; background: transparent; }}")
        self.headline.setText(headline)
        self.title.setText(title)
        self.title.setVisible(bool(title))
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        if action:
            self.action.setText(action)
            self.action.show()
        else:
            self.action.hide()

    def text(self) -> str:
        """Everything the panel says, for tests and the screen reader."""
        parts = [self.headline.text(), self.title.text(), self.detail.text()]
        if not self.action.isHidden():
            parts.append(self.action.text())
        return "\n".join(p for p in parts if p)
