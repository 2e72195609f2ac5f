"""Pieces the 准备 set-up tabs share: a person picker (the desk's search: name, pinyin,
initials, the last digits of the ID number), a message line, a small table."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.model import PARTY_STATUS_ZH, Person
from app.search import search
from ui.pages.context import PageContext
from ui.pages.desk_answers import where

GREEN = "#1b7f3b"
RED = "#c62828"
AMBER = "#9a5b13"
LIMIT = 8


def person_line(p: Person) -> str:
    tail = (p.id_number or "")[-4:]
    status = PARTY_STATUS_ZH[p.party_status] if p.party_status.value != "none" else ""
    bits = [x for x in (where(p), status, f"身份证尾号 {tail}" if tail else "") if x]
    return f"{p.name}　{' · '.join(bits)}"


class PersonPicker(QWidget):
    """A search box and its matches; ↑↓ choose, Enter or a click picks one (`picked`)."""

    picked = Signal(object)  # Person | None

    def __init__(self, ctx: PageContext, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.found: list[Person] = []
        self.person: Person | None = None
        self.box = QLineEdit()
        self.box.setPlaceholderText("姓名、拼音、首字母或身份证号后几位，回车选第一个")
        self.box.setAccessibleName(label)
        self.box.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setMaximumHeight(132)
        self.chosen = QLabel("未选择")
        self.chosen.setStyleSheet("font-size: 12pt; font-weight: bold;")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        caption = QLabel(label)
        caption.setBuddy(self.box)
        lay.addWidget(caption)
        lay.addWidget(self.box)
        lay.addWidget(self.list)
        lay.addWidget(self.chosen)
        self.box.textChanged.connect(self._search)
        self.box.returnPressed.connect(lambda: self.pick(max(self.list.currentRow(), 0)))
        self.list.itemActivated.connect(lambda it: self.pick(self.list.row(it)))
        self.list.itemClicked.connect(lambda it: self.pick(self.list.row(it)))
        self.box.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if watched is self.box and event.type() == QEvent.Type.KeyPress and self.found:
            key = QKeyEvent(event).key() if not isinstance(event, QKeyEvent) else event.key()
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(key), 0)
            if step:
                row = min(max(self.list.currentRow() + step, 0), len(self.found) - 1)
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def _search(self, text: str) -> None:
        self.found = search(self.ctx.conn, text, LIMIT) if text.strip() else []
        self.list.clear()
        for p in self.found:
            self.list.addItem(QListWidgetItem(person_line(p)))
        if self.found:
            self.list.setCurrentRow(0)
        # A choice the new text no longer finds is stale: a misspelled name must not leave the
        # earlier person chosen (a wrong proxy was registered that way).
        if self.person is not None and all(p.id != self.person.id for p in self.found):
            self.set_person(None)
        if self.person is None and text.strip() and not self.found:
            self.chosen.setText(f"未选择：名册中没有找到“{text.strip()}”")

    def pick(self, row: int) -> Person | None:
        if not 0 <= row < len(self.found):
            return None
        self.set_person(self.found[row])
        return self.person

    def set_person(self, p: Person | None) -> None:
        self.person = p
        self.chosen.setText(f"已选：{p.name}（{where(p)}）" if p else "未选择")
        self.chosen.setToolTip(person_line(p) if p else "")
        self.picked.emit(p)

    def clear(self) -> None:
        self.box.clear()
        self.set_person(None)


def two_columns(page: QWidget, top: QWidget, left: QVBoxLayout, right: QVBoxLayout) -> None:
    """The tab's layout: `top` across, then the form (`left`, 2 parts) beside the tables (3)."""
    cols = QHBoxLayout()
    cols.addLayout(left, 2)
    cols.addSpacing(12)
    cols.addLayout(right, 3)
    lay = QVBoxLayout(page)
    lay.addWidget(top)
    lay.addLayout(cols, 1)


def message_label() -> QLabel:
    lab = QLabel("")
    lab.setWordWrap(True)
    lab.setStyleSheet("font-size: 12pt;")
    lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return lab


def say(label: QLabel, text: str, colour: str) -> None:
    label.setText(text)
    label.setStyleSheet(f"font-size: 12pt; color: {colour};")


def make_table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def fill(t: QTableWidget, rows: list[list[str]]) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            t.setItem(r, c, QTableWidgetItem(text))
