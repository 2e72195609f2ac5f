"""唱票 big screen: while the counters read the ballots out, the running approvals of every person
as bars in large type, for the hall to follow.

A separate top-level window (F11 full screen, Esc leaves it). It owns no data: the counting
page hands it the core's running count (app.rules.count_ballots over the ballots entered so
far) after every ballot; in a 正字 tally round the tally tab hands it the sheet being typed
(`sheet_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

BACKGROUND = "#101820"
BAR = "#4caf50"
BAR_WRITE_IN = "#ffb300"
TEXT = "#ffffff"


class SingingView(QWidget):
    """`set_count(title, rows, ballots, note)`; rows are (name, approvals, write_in)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("大屏幕 · 唱票")
        self.title = ""
        self.rows: list[tuple[str, int, bool]] = []
        self.ballots = 0
        self.note = ""
        self.resize(1280, 720)

    def set_count(self, title: str, rows: Sequence[tuple[str, int, bool]], ballots: int,
                  note: str = "") -> None:
        self.title = title
        self.rows = list(rows)
        self.ballots = ballots
        self.note = note
        self.update()

    def _scale(self) -> float:
        return max(1.0, min(self.width() / 1280, self.height() / 720))

    def _num_w(self) -> float:
        return 140 * self._scale()

    def _rows_box(self) -> tuple[float, float]:
        """(top, row height) of the rows area."""
        scale = self._scale()
        top = 70 * scale + 20
        avail = self.height() - top - 50 * scale
        return top, min(90 * scale, avail / max(1, len(self.rows)))

    def name_layout(self) -> tuple[QFont, float]:
        """The names' font and column width: wide enough for the longest name whole (阿依古丽·
        买买提); the font shrinks, never the name, when the names would leave the bars under a
        third of the screen."""
        scale = self._scale()
        _top, row_h = self._rows_box()
        font = QFont(self.font())
        font.setBold(True)
        size = max(12.0, min(34 * scale, row_h * 0.45))
        limit = max(120.0, (self.width() - 60 - self._num_w()) * 2 / 3)
        while True:
            font.setPointSizeF(size)
            metrics = QFontMetricsF(font)
            widest = max([metrics.horizontalAdvance(n) for n, _c, _w in self.rows] + [0.0])
            if widest <= limit or size <= 6:
                break
            size -= 1
        return font, max(260 * scale, widest + 24)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w, h = self.width(), self.height()
        p.fillRect(self.rect(), QColor(BACKGROUND))
        scale = self._scale()
        head = QFont(self.font())
        head.setPointSizeF(26 * scale)
        head.setBold(True)
        p.setFont(head)
        p.setPen(QColor(TEXT))
        head_h = 70 * scale
        p.drawText(QRectF(30, 10, w - 60, head_h), Qt.AlignmentFlag.AlignVCenter,
                   f"{self.title}　已唱 {self.ballots} 张")
        small = QFont(self.font())
        small.setPointSizeF(14 * scale)
        if self.note:
            p.setFont(small)
            p.drawText(QRectF(30, h - 40 * scale, w - 60, 34 * scale),
                       Qt.AlignmentFlag.AlignVCenter, self.note)
        top, row_h = self._rows_box()
        font, name_w = self.name_layout()
        num_w = self._num_w()
        bar_w = max(0.0, w - 60 - name_w - num_w)
        most = max([c for _, c, _ in self.rows] + [self.ballots, 1])
        p.setFont(font)
        for i, (name, count, write_in) in enumerate(self.rows):
            y = top + i * row_h
            p.setPen(QColor(BAR_WRITE_IN if write_in else TEXT))
            p.drawText(QRectF(30, y, name_w, row_h), Qt.AlignmentFlag.AlignVCenter, name)
            length = bar_w * count / most
            p.fillRect(QRectF(30 + name_w, y + row_h * 0.15, length, row_h * 0.7),
                       QColor(BAR_WRITE_IN if write_in else BAR))
            p.drawText(QRectF(30 + name_w + bar_w, y, num_w, row_h),
                       Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, str(count))
        p.end()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        if event.key() == Qt.Key.Key_F11:
            self.setWindowState(self.windowState() ^ Qt.WindowState.WindowFullScreen)
        elif event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.showNormal()
        else:
            super().keyPressEvent(event)


def sheet_rows(names: Sequence[str], approve: Mapping[str, int],
               write_ins: Mapping[str, int]) -> list[tuple[str, int, bool]]:
    """A 正字 tally sheet as the screen's rows: every candidate, then the write-ins."""
    return ([(n, approve.get(n, 0), False) for n in names]
            + [(n, c, True) for n, c in write_ins.items()])
