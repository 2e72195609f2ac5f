"""文件 → 修改本人PIN…: the signed-on member changes their own PIN (current PIN, the new one
twice). The 主持人 sets and resets PINs, so knows a reset one: until each 监票人 picks their own,
a two-person lock is one person. app.staff.change_own_pin checks the current PIN as sign-on does
(counted, throttled, audited), the new one by the same rule as when set, and audits the change;
after a 主持人 reset the window offers this dialog at the member's next sign-on."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import staff
from app.clock import Clock
from db.identity import DatabaseFileChanged
from ui.pages.staff_page import pin_field, pin_hint, pin_hint_colour
from ui.signon import RED

GREEN = "#1b6e3a"


def must_change_note(name: str) -> str:
    """The one 须修改PIN note, at sign-on and from the 文件 menu while the mark is set."""
    return (f"主持人重设了 {name} 的PIN（主持人也知道），请现在改为只有你知道的PIN"
            "（也可稍后从 文件 → 修改本人PIN… 修改）。")


def _pin_box(name: str, placeholder: str) -> QLineEdit:
    box = pin_field(name)   # the staff page's PIN box, with this dialog's placeholder
    box.setPlaceholderText(placeholder)
    return box


class ChangePinDialog(QDialog):
    """修改本人PIN for `name`. `changed` carries the name once the new PIN is saved."""

    changed = Signal(str)

    def __init__(self, parent: QWidget | None, conn: sqlite3.Connection, clock: Clock, name: str,
                 *, where: str = "", note: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("修改本人PIN")
        self.setObjectName("ChangePinDialog")
        self.conn, self.clock, self.name, self.where = conn, clock, name, where
        self.saved = False
        try:   # the 主持人 reset it and the member has not picked their own since
            if staff.must_change_pin(conn, name):
                note = must_change_note(name)
        except (sqlite3.Error, DatabaseFileChanged):
            pass
        self.heading = heading = QLabel(f"{name}：请输入当前PIN，再输入两次新PIN。新PIN只有本人知道，"
                         "主持人也不知道。")
        heading.setWordWrap(True)
        heading.setStyleSheet("font-size: 13pt;")
        self.note = QLabel(note)
        self.note.setWordWrap(True)
        self.note.setStyleSheet(f"color: {RED}; font-weight: bold;")
        self.note.setVisible(bool(note))
        self.current = _pin_box("当前PIN", "现在使用的PIN")
        self.pin1 = _pin_box("新PIN", f"{staff.PIN_MIN}–{staff.PIN_MAX}位数字")
        self.pin2 = _pin_box("再输入一次新PIN", "再输入一次新PIN")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setAccessibleName("新PIN提示")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("提示")
        self.problem.setStyleSheet(f"color: {RED}; font-weight: bold;")
        form = QFormLayout()
        for text, box in (("当前PIN(&C)：", self.current), ("新PIN(&N)：", self.pin1),
                          ("再输入一次(&A)：", self.pin2)):
            label = QLabel(text)
            label.setBuddy(box)
            form.addRow(label, box)
        form.addRow(self.hint)
        form.addRow(self.problem)
        self.pin1.textChanged.connect(self._update_hint)
        self.pin2.textChanged.connect(self._update_hint)
        self.current.returnPressed.connect(lambda: self.pin1.setFocus())
        self.pin1.returnPressed.connect(lambda: self.pin2.setFocus())
        self.pin2.returnPressed.connect(self.try_change)
        buttons = QDialogButtonBox()
        self.ok = QPushButton("修改PIN")
        self.ok.setAutoDefault(False)
        buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        self.cancel = cancel
        self.ok.clicked.connect(self._ok_clicked)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(self.note)
        lay.addLayout(form)
        lay.addWidget(buttons)
        self.setMinimumWidth(480)
        self._update_hint()
        self.current.setFocus(Qt.FocusReason.OtherFocusReason)

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)  # type: ignore[arg-type]
        self.current.setFocus(Qt.FocusReason.OtherFocusReason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        # Enter moves from box to box (the boxes' own returnPressed); never a button as well.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            if self.saved and self.ok.hasFocus():   # the confirmation: Enter closes it
                QTimer.singleShot(0, self, self.accept)
            return
        super().keyPressEvent(event)

    def _update_hint(self) -> None:
        first, second = self.pin1.text(), self.pin2.text()
        self.hint.setText(pin_hint(first, second)[0])
        self.hint.setStyleSheet(f"color: {pin_hint_colour(first, second)};")

    def _ok_clicked(self) -> None:
        if self.saved:
            QTimer.singleShot(0, self, self.accept)   # after the click or key is over
        else:
            self.try_change()

    def _clear(self) -> None:
        for box in (self.current, self.pin1, self.pin2):
            box.clear()

    def try_change(self) -> bool:
        """Check and save (two scrypt hashes, ~150 ms): on success says so (Enter or 关闭
        closes), else says why."""
        if self.saved:
            return True
        if not self.current.text():
            self.problem.setText("请输入当前PIN")
            self.current.setFocus()
            return False
        _words, ok = pin_hint(self.pin1.text(), self.pin2.text())
        if not ok:   # the hint under the boxes says why already: not twice
            self.problem.clear()
            self.pin1.setFocus()
            return False
        try:
            got = staff.change_own_pin(self.conn, self.name, self.current.text(),
                                       self.pin1.text(), clock=self.clock, where=self.where)
        except (sqlite3.Error, OSError, DatabaseFileChanged) as exc:
            self._clear()
            self.problem.setText(f"未能修改PIN：数据库不能写入（{exc}）。请检查U盘或文件是否只读。")
            return False
        if isinstance(got, staff.Refusal):
            if got.code == "PIN":   # the new PIN: keep the current one typed
                self.pin1.clear()
                self.pin2.clear()
                self.pin1.setFocus()
            else:                   # the current PIN wrong or waiting: type only it again
                self.current.clear()
                self.current.setFocus()
            self.problem.setText(got.message)
            return False
        self._clear()
        self.problem.clear()
        self.saved = True   # the confirmation once this key is over (Enter in 再输入一次 is it)
        QTimer.singleShot(0, self, self._say_done)
        self.changed.emit(got.name)
        return True

    def _say_done(self) -> None:
        """Said in the dialog (the window's status line may be off a small screen): closed
        by Enter or 关闭."""
        for box in (self.current, self.pin1, self.pin2):
            box.setEnabled(False)
        self.note.hide()
        self.hint.clear()
        self.problem.setStyleSheet(f"color: {GREEN}; font-weight: bold; font-size: 13pt;")
        self.problem.setText("已修改本人PIN。下次登录请使用新PIN。")
        self.cancel.hide()
        self.ok.setText("关闭")
        self.ok.setFocus()
