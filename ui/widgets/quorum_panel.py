"""应到 / 实到 / 请假 / 不计入 / 出席率 and whether the meeting may vote, with the rule in words.

The panel only shows an attendance summary computed by app.attendance; the page polls it. The
same widget, scaled up, is the projector's big screen (ui/bigscreen.py), so both always say the
same thing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

GREEN = "#1b7f3b"
RED = "#c62828"

# Base point sizes at scale 1.0 (the 会议 page); the big screen scales them up.
CAPTION_PT = 14
NUMBER_PT = 36
VERDICT_PT = 26
RULE_PT = 12


@dataclass(frozen=True, slots=True)
class Figures:
    """What the panel shows, already in words (built from the use case's summary)."""

    expected: int
    present: int
    leave: int
    excluded: int
    rate: str          # 出席率, e.g. "80.87%"
    met: bool
    missing: int       # how many more are needed (0 when met)
    rule_zh: str
    note: str = ""     # one more line under the rule (实到 frozen when voting opened ...)


class _Tile(QFrame):
    def __init__(self, caption: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("tile")
        self.caption = QLabel(caption, self)
        self.number = QLabel("—", self)
        for label in (self.caption, self.number):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.setSpacing(0)
        lay.addWidget(self.caption)
        lay.addWidget(self.number)


CAPTIONS = {"expected": "应到", "present": "实到", "leave": "请假", "excluded": "不计入应到",
            "rate": "出席率"}
ONE_ROW = (("expected", "present", "leave", "excluded", "rate"),)
# The projector: the three figures the chair announces first, in the largest tiles.
TWO_ROWS = (("expected", "present", "rate"), ("leave", "excluded"))


class QuorumPanel(QWidget):
    def __init__(self, parent: QWidget | None = None, *, scale: float = 1.0,
                 dark: bool = False, rows: tuple[tuple[str, ...], ...] = ONE_ROW) -> None:
        super().__init__(parent)
        self.figures: Figures | None = None
        self.tiles: dict[str, _Tile] = {}
        grid = QGridLayout()
        grid.setSpacing(12)
        width = max(len(r) for r in rows)
        for r, keys in enumerate(rows):
            for c, key in enumerate(keys):
                tile = _Tile(CAPTIONS[key], self)
                self.tiles[key] = tile
                # A short row is centred under the long one: each tile spans two half-columns.
                offset = width - len(keys)
                grid.addWidget(tile, r, 2 * c + offset, 1, 2)
        for col in range(2 * width):
            grid.setColumnStretch(col, 1)
        self.verdict = QLabel(self)
        self.verdict.setObjectName("verdict")
        self.verdict.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.verdict.setWordWrap(True)
        self.rule = QLabel(self)
        self.rule.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.rule.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setSpacing(14)
        lay.addLayout(grid)
        lay.addWidget(self.verdict)
        lay.addWidget(self.rule)
        lay.addStretch(1)
        fg, tile_bg = ("#ffffff", "#263238") if dark else ("#212121", "#eceff1")
        self.setStyleSheet(
            f"QFrame#tile {{ background: {tile_bg}; border-radius: 8px; }}"
            f" QLabel {{ color: {fg}; background: transparent; }}")
        self.set_scale(scale)

    def set_scale(self, scale: float) -> None:
        """Grow every font by `scale` (the big screen follows its window's size)."""
        if scale == getattr(self, "_scale", None):
            return  # a font change re-lays out the panel: only when it changes
        self._scale = scale
        for tile in self.tiles.values():
            self._set_pt(tile.caption, CAPTION_PT, bold=False)
            self._set_pt(tile.number, NUMBER_PT, bold=True)
        self._set_pt(self.verdict, VERDICT_PT, bold=True)
        self._set_pt(self.rule, RULE_PT, bold=False)

    def _set_pt(self, label: QLabel, base: int, *, bold: bool) -> None:
        font = label.font()
        font.setPointSizeF(max(6.0, base * self._scale))
        font.setBold(bold)
        label.setFont(font)

    def set_figures(self, f: Figures) -> None:
        if f == self.figures:
            return  # polled every second: repaint only when something changed
        self.figures = f
        for key, tile in self.tiles.items():
            text = str(getattr(f, key))
            if "（" in text:
                # 80.00%（3999/4999）: a rate that would mislead against the rule carries its
                # fraction (app.rounding), on a smaller second line so the tile keeps its width.
                figure, fraction = text.split("（", 1)
                small = max(6, int(NUMBER_PT * self._scale * 0.45))
                text = (f"{figure}<br><span style='font-size:{small}pt'>（{fraction}</span>")
            tile.number.setText(text)
        if f.met:
            text, colour = "✔ 到会人数符合规定", GREEN
        else:
            text, colour = f"✘ 到会人数不足，还差 {f.missing} 人", RED
        self.verdict.setText(text)
        self.verdict.setStyleSheet(
            f"QLabel#verdict {{ background: {colour}; color: #ffffff; border-radius: 8px;"
            f" padding: {int(10 * self._scale)}px; }}")
        self.rule.setText(f"规则：{f.rule_zh}" + (f"\n{f.note}" if f.note else ""))
