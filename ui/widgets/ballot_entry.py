"""One ballot on one line, keyboard first: a row of cells, one per candidate in ballot order.

Keys: 1 = ○ 赞成, 2 = × 不赞成, 0 or space = blank (弃权); each key fills the current cell and
moves on; Backspace steps back; Enter commits the ballot (a six-candidate ballot never needs more
than 7 keystrokes); F2 adds a write-in (另选他人, marked ○); F4 marks the ballot invalid with a
reason. The widget only collects the keys: the page turns them into marks and a verdict through
app.voting.parse_keys and app.rules.check_ballot and hands them back with `show_state`, so an
over-marked ballot turns red with the core's reason while it is being typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRectF, QStringListModel, Qt, Signal
from PySide6.QtGui import QColor, QFont, QKeyEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

KEYS = "120 "
MARK_GLYPH = {"o": "○", "x": "×", "-": ""}
NEUTRAL, GOOD, BAD, WARN = "neutral", "good", "bad", "warn"
_BG = {NEUTRAL: "#ffffff", GOOD: "#e8f5e9", BAD: "#ffcdd2", WARN: "#fff3cd"}
_FG = {NEUTRAL: "#37474f", GOOD: "#1b7f3b", BAD: "#b71c1c", WARN: "#7a4f01"}
CELL_MIN_W = 64
# Heights of the name row, the mark cells and the status line: compact enough that the
# entered ballots below keep 8 rows on a 1366x768 laptop, big enough to read across a table.
NAME_H = 28
CELL_H = 54
STATUS_H = 30


class BallotLine(QWidget):
    """Collects the keys of one ballot. Signals: `keys_changed` (page re-checks), `committed`
    (Enter), `write_in_requested` (F2), `invalid_requested` (F4), `undo_requested` (Ctrl+Z
    on an empty line)."""

    keys_changed = Signal()
    committed = Signal()
    write_in_requested = Signal()
    invalid_requested = Signal()
    undo_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName("选票录入")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(NAME_H + CELL_H + STATUS_H + 10)
        self.names: tuple[str, ...] = ()
        self.keys = ""
        self.marks = ""
        self.write_ins: list[str] = []
        self.invalid_reason = ""
        self.tone = NEUTRAL
        self.status = ""
        self.editing: int | None = None  # the number being corrected, None for a new ballot
        self.hint = ""   # the keys, in grey in the status line while it has nothing to say

    # --- state ------------------------------------------------------------------------------------

    def set_candidates(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self.setMinimumWidth(max(300, CELL_MIN_W * max(1, len(self.names))))
        self.clear()

    def clear(self) -> None:
        self.keys = ""
        self.marks = "-" * len(self.names)
        self.write_ins = []
        self.invalid_reason = ""
        self.editing = None
        self.tone, self.status = NEUTRAL, ""
        self.keys_changed.emit()
        self.update()

    def load(self, keys: str, write_ins: Sequence[str], invalid_reason: str,
             editing: int | None) -> None:
        """Put an entered ballot back on the line for correction."""
        self.keys = keys
        self.write_ins = list(write_ins)
        self.invalid_reason = invalid_reason
        self.editing = editing
        self.keys_changed.emit()
        self.update()

    def add_write_in(self, name: str) -> None:
        name = name.strip()
        if name and name not in self.write_ins:
            self.write_ins.append(name)
            self.keys_changed.emit()
            self.update()

    def set_invalid(self, reason: str) -> None:
        self.invalid_reason = reason.strip()
        self.keys_changed.emit()
        self.update()

    def show_state(self, marks: str, tone: str, status: str) -> None:
        """What the page decided through app/: the marks to draw, the colour and the words."""
        self.marks = marks
        self.tone = tone
        self.status = status
        self.update()

    def type_keys(self, keys: str) -> None:
        """As if typed (tests, a scanner of ballot sheets): key by key."""
        for ch in keys:
            self._key(ch)

    # --- keyboard ---------------------------------------------------------------------------------

    def _key(self, ch: str) -> None:
        if ch in KEYS:
            self.keys += ch
            self.keys_changed.emit()
            self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.committed.emit()
        elif key == Qt.Key.Key_F2:
            self.write_in_requested.emit()
        elif key == Qt.Key.Key_F4:
            self.invalid_requested.emit()
        elif key == Qt.Key.Key_Z and mods == Qt.KeyboardModifier.ControlModifier:
            self.undo_requested.emit()
        elif key == Qt.Key.Key_Backspace:
            if self.keys:
                self.keys = self.keys[:-1]
            elif self.write_ins:
                self.write_ins.pop()
            self.keys_changed.emit()
            self.update()
        elif key == Qt.Key.Key_Escape:
            self.clear()
        elif event.text() and event.text() in KEYS and mods in (Qt.KeyboardModifier.NoModifier,
                                                                 Qt.KeyboardModifier.ShiftModifier):
            self._key(event.text())
        else:
            super().keyPressEvent(event)

    # --- drawing ----------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        w = self.width()
        p.fillRect(self.rect(), QColor(_BG[self.tone]))
        n = max(1, len(self.names))
        cell_w = (w - 16) / n
        name_font = QFont(self.font())
        name_font.setPointSize(13 if cell_w > 90 else 11)
        mark_font = QFont(self.font())
        mark_font.setPointSize(26)
        mark_font.setBold(True)
        cursor = min(len(self.keys), len(self.names))
        for i, name in enumerate(self.names):
            x = 8 + i * cell_w
            p.setFont(name_font)
            p.setPen(QColor("#1b3550"))
            p.drawText(QRectF(x, 4, cell_w, NAME_H), Qt.AlignmentFlag.AlignCenter, name)
            box = QRectF(x + 4, NAME_H + 4, cell_w - 8, CELL_H)
            here = i == cursor and self.isEnabled()
            p.setPen(QPen(QColor("#1565c0") if here and self.hasFocus()
                          else QColor("#90a4ae"), 3 if here else 1))
            p.setBrush(QColor("#ffffff"))
            p.drawRoundedRect(box, 6, 6)
            mark = self.marks[i] if i < len(self.marks) else "-"
            p.setFont(mark_font)
            p.setPen(QColor("#b71c1c") if mark == "x" else QColor("#1b3550"))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, MARK_GLYPH.get(mark, ""))
        status_font = QFont(self.font())
        status_font.setPointSize(14)
        status_font.setBold(True)
        p.setFont(status_font)
        p.setPen(QColor(_FG[self.tone]))
        extra = []
        if self.editing is not None:
            extra.append(f"更正第{self.editing}张")
        if self.write_ins:
            extra.append("另选：" + "、".join(f"{n}○" for n in self.write_ins))
        if self.invalid_reason:
            extra.append(f"标为无效：{self.invalid_reason}")
        line = "　".join([*extra, self.status])
        if not line and self.hint:
            hint_font = QFont(self.font())
            hint_font.setPointSize(12)
            p.setFont(hint_font)
            p.setPen(QColor("#607d8b"))
            line = self.hint
        p.drawText(QRectF(8, NAME_H + CELL_H + 8, w - 16, STATUS_H),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, line)
        p.end()


class WriteInDialog(QDialog):
    """F2: the name of a write-in (另选他人), completed from the register as one types."""

    def __init__(self, parent: QWidget, lookup: Callable[[str], list[str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle("另选他人")
        self.lookup = lookup
        self.name = QLineEdit()
        self.name.setPlaceholderText("姓名（从名册补全，也可直接输入）")
        self.name.setStyleSheet("font-size: 16pt;")
        self.model = QStringListModel(self)
        completer = QCompleter(self.model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        # Pinyin or initials typed: the register's matches are offered as they are.
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.name.setCompleter(completer)
        self.name.textEdited.connect(self._complete)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel("另选他人的姓名（视为在其后画○）："))
        lay.addWidget(self.name)
        lay.addWidget(buttons)
        self.setMinimumWidth(420)

    def _complete(self, text: str) -> None:
        names = self.lookup(text.strip()) if text.strip() else []
        self.model.setStringList(names)
        completer = self.name.completer()
        if names and completer is not None:  # the completer saw the old list: show the new one
            completer.complete()

    def text(self) -> str:
        return self.name.text().strip()

    def _accept(self) -> None:
        if self.text():
            self.accept()
