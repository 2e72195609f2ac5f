"""双录比对: only the ballots where entry A and entry B differ, side by side.

One row per differing number; one column per candidate showing A's mark beside B's (the cells
that differ are red), then write-ins, the invalid flag and how the difference was resolved.
The view decides nothing: the differences come from app.voting.compare_entries and the buttons
ask the page to resolve through app.voting.resolve_difference.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.rules import Ballot
from app.voting import Comparison, Difference

GLYPH = {"o": "○", "x": "×", "-": "·"}
CHOICE_ZH = {"A": "采用A", "B": "采用B", "paper": "按原票更正", "": "待处理"}
DIFF_BG = QBrush(QColor("#ffcdd2"))
DIFF_FG = QBrush(QColor("#b71c1c"))
DONE_BG = QBrush(QColor("#e8f5e9"))


def reading_text(b: Ballot | None, *, invalid: bool = True) -> str:
    """A ballot in one short line: marks, write-ins, invalid (unless told not to)."""
    if b is None:
        return "（无此票）"
    text = "".join(GLYPH[m] for m in b.marks)
    if b.write_ins:
        text += "　另选：" + "、".join(b.write_ins)
    if b.declared_invalid and invalid:
        text += f"　无效：{b.reason}"
    return text


def _mark(b: Ballot | None, i: int) -> str:
    return "无" if b is None else GLYPH[b.marks[i]]


class DiffView(QWidget):
    """`set_comparison(names, comparison)`; `resolve_requested(seq, choice)` with choice 'A',
    'B' or 'paper' (the page asks for the corrected reading and the reason)."""

    resolve_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names: tuple[str, ...] = ()
        self.differences: tuple[Difference, ...] = ()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.table = QTableWidget(0, 0)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setStyleSheet("font-size: 14pt;")
        self.table.setAccessibleName("录入差异")
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        for choice, text in (("A", "采用 A 的录入 (&A)"), ("B", "采用 B 的录入 (&B)"),
                             ("paper", "核对原票后更正… (&P)")):
            b = QPushButton(text)
            b.setMinimumHeight(40)
            b.clicked.connect(lambda _c=False, ch=choice: self._request(ch))
            self.buttons[choice] = b
            row.addWidget(b)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addLayout(row)

    def set_comparison(self, names: Sequence[str], c: Comparison) -> None:
        self.names = tuple(names)
        self.differences = c.differences
        pending = len(c.pending)
        colour = "#1b7f3b" if c.complete else "#c62828"
        self.summary.setStyleSheet(f"font-size: 15pt; font-weight: bold; color: {colour};")
        self.summary.setText(
            f"比对 {c.compared} 张（A 录入 {c.count_a} 张，B 录入 {c.count_b} 张）："
            f"一致 {c.agreed} 张，不一致 {len(c.differences)} 张"
            + (f"，待处理 {pending} 张" if pending else "，已全部处理"))
        headers = ["第几张", *self.names, "另选他人", "无效", "处理"]
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setRowCount(len(c.differences))
        for r, d in enumerate(c.differences):
            self._row(r, d)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        first = next((i for i, d in enumerate(c.differences) if not d.resolved), 0)
        if c.differences:
            self.table.selectRow(first)
        for b in self.buttons.values():
            b.setEnabled(bool(c.differences))

    def _row(self, r: int, d: Difference) -> None:
        def put(col: int, text: str, differs: bool) -> None:
            item = QTableWidgetItem(text)
            item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
            if differs:  # red text too: it stays visible on the selected row
                item.setBackground(DIFF_BG)
                item.setForeground(DIFF_FG)
                font = item.font()
                font.setBold(True)
                item.setFont(font)
            self.table.setItem(r, col, item)

        put(0, str(d.seq), False)
        for i in range(len(self.names)):
            a, b = _mark(d.a, i), _mark(d.b, i)
            put(1 + i, f"A{a}  B{b}", a != b)
        wa = "、".join(d.a.write_ins) if d.a else ""
        wb = "、".join(d.b.write_ins) if d.b else ""
        put(1 + len(self.names), f"A:{wa or '—'}  B:{wb or '—'}", wa != wb)
        ia = bool(d.a and d.a.declared_invalid)
        ib = bool(d.b and d.b.declared_invalid)
        put(2 + len(self.names), f"A:{'是' if ia else '否'}  B:{'是' if ib else '否'}", ia != ib)
        done = CHOICE_ZH[d.choice] + (f"：{reading_text(d.reading)}" if d.resolved else "")
        item = QTableWidgetItem(done)
        item.setBackground(DONE_BG if d.resolved else DIFF_BG)
        self.table.setItem(r, 3 + len(self.names), item)

    def selected(self) -> Difference | None:
        row = self.table.currentRow()
        return self.differences[row] if 0 <= row < len(self.differences) else None

    def _request(self, choice: str) -> None:
        d = self.selected()
        if d is not None:
            self.resolve_requested.emit(d.seq, choice)
