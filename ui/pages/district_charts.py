"""Bars drawn with QPainter for the district dashboard (QtCharts is not in PySide6-Essentials):
communities by stage, and the new bodies' make-up against the previous term."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

STAGE_COLOURS = {"已完成": "#2e7d4f", "进行中": "#e8a33d", "未开始": "#9e9e9e"}
NOW_COLOUR = "#2f6ea5"
BEFORE_COLOUR = "#b8c7d6"


class StageBars(QWidget):
    """One horizontal bar per stage, the count at its end."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: list[tuple[str, int]] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(110)

    def sizeHint(self) -> QSize:
        return QSize(360, 110)

    def set_counts(self, counts: list[tuple[str, int]]) -> None:
        self.counts = counts
        self.update()

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        total = max(1, sum(n for _s, n in self.counts))
        label_w, right = 64.0, 56.0
        row_h = self.height() / max(1, len(self.counts))
        for i, (stage, n) in enumerate(self.counts):
            y = i * row_h
            p.setPen(QColor("#333333"))
            p.drawText(QRectF(0, y, label_w - 6, row_h), Qt.AlignmentFlag.AlignRight
                       | Qt.AlignmentFlag.AlignVCenter, stage)
            w = (self.width() - label_w - right) * n / total
            p.fillRect(QRectF(label_w, y + row_h * 0.2, w, row_h * 0.6),
                       QColor(STAGE_COLOURS.get(stage, "#607d8b")))
            p.drawText(QRectF(label_w + w + 6, y, right, row_h), Qt.AlignmentFlag.AlignVCenter,
                       f"{n} 个")
        p.end()


@dataclass(frozen=True)
class MakeupGroup:
    body: str
    values: list[tuple[str, str | None, str | None]]  # label, now, previous: exact percent texts


class MakeupBars(QWidget):
    """Per body type, paired vertical bars (this term, previous term) for the shares."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups: list[MakeupGroup] = []
        self.setMinimumHeight(220)

    def sizeHint(self) -> QSize:
        return QSize(420, 240)

    def set_groups(self, groups: list[MakeupGroup]) -> None:
        self.groups = groups
        self.update()

    def paintEvent(self, _e: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        if not self.groups:
            p.setPen(QColor("#777777"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "尚无当选人数据")
            p.end()
            return
        top, bottom = 40.0, 44.0
        plot_h = self.height() - top - bottom
        p.setPen(QColor("#333333"))
        p.fillRect(QRectF(4, 4, 12, 10), QColor(NOW_COLOUR))
        p.drawText(QRectF(20, 0, 60, 18), Qt.AlignmentFlag.AlignVCenter, "本届")
        p.fillRect(QRectF(70, 4, 12, 10), QColor(BEFORE_COLOUR))
        p.drawText(QRectF(86, 0, 60, 18), Qt.AlignmentFlag.AlignVCenter, "上届")
        group_w = self.width() / len(self.groups)
        for gi, g in enumerate(self.groups):
            x0 = gi * group_w + 6
            slot = (group_w - 12) / max(1, len(g.values))
            for vi, (label, now, before) in enumerate(g.values):
                x = x0 + vi * slot
                bar = slot * 0.36
                for k, (value, colour) in enumerate(((now, NOW_COLOUR), (before, BEFORE_COLOUR))):
                    if value is None:
                        continue
                    # Bar lengths only are floats; the labels are the exact figures.
                    h = plot_h * min(float(value), 100.0) / 100.0
                    p.fillRect(QRectF(x + slot * 0.12 + k * bar, top + plot_h - h, bar - 1, h),
                               QColor(colour))
                if now is not None:
                    h = plot_h * min(float(now), 100.0) / 100.0
                    p.drawText(QRectF(x - 6, top + plot_h - h - 16, slot + 12, 14),
                               Qt.AlignmentFlag.AlignHCenter, now)
                p.drawText(QRectF(x, top + plot_h + 2, slot, 16), Qt.AlignmentFlag.AlignHCenter,
                           label)
            p.drawText(QRectF(gi * group_w, top + plot_h + 20, group_w, 18),
                       Qt.AlignmentFlag.AlignHCenter, g.body)
        p.setPen(QColor("#999999"))
        p.drawLine(0, int(top + plot_h), self.width(), int(top + plot_h))
        p.end()
