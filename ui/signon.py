"""Who is using this laptop: sign-on with a name from the staff list (工作人员名单) and a PIN.

One form (`SignOnForm`: the name, the PIN, what went wrong) serves four places:
- `SignOnDialog` — 谁在使用本机 when a real election database with a staff list opens, and
  文件 → 切换人员 (Ctrl+L);
- `LockOverlay` — the idle lock: the page stays visible under it (the desk page's last answer
  can still be read) but takes no input until a member signs on again;
- `ask_person` — a second person for a two-person action (the lock of a result: a second
  监票人) or the person who must do it (the 总监票人 for an unlock).
The PIN is checked by app.staff.sign_on (counted, throttled and audited there); the window
keeps only the Actor it returns.
"""

from __future__ import annotations

import platform
import sqlite3
from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import staff
from app.clock import Clock
from app.permissions import Actor
from db.identity import DatabaseFileChanged

RED = "#b3261e"


def place(conn: sqlite3.Connection) -> str:
    """Where sign-ons happen, for the audit: the desk name this database joined its host as,
    else this computer's name."""
    from app.session import joined_desk

    try:
        desk = joined_desk(conn)
    except sqlite3.Error:
        desk = None
    return desk or platform.node().strip() or "本机"


class SignOnForm(QWidget):
    """Pick your name, type your PIN, Enter. `signed` carries the verified Actor."""

    signed = Signal(object)  # Actor

    def __init__(self, conn: sqlite3.Connection, clock: Clock, *, where: str = "",
                 names: Sequence[str] | None = None, preset: str = "", how: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # how: what a right PIN does here, for the audit (app.staff.SIGN_ON_HOW)
        self.conn, self.clock, self.where, self.how = conn, clock, where, how
        self.name_box = QComboBox()
        self.name_box.setAccessibleName("姓名")
        self.name_box.setMinimumWidth(220)
        self.name_box.setPlaceholderText("请先选择本人姓名")
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName("PIN")
        self.pin.setPlaceholderText("6–12位数字")
        self.pin.setMaxLength(staff.PIN_MAX)
        self.pin.returnPressed.connect(self.try_sign_on)
        # A name picked (another person walked up): what was said to the last one goes, and
        # the PIN box is next.
        self.name_box.activated.connect(self._name_picked)
        # No name chosen, no PIN: a PIN typed under someone else's name counted as their
        # wrong PIN (the next person at 切换人员 locked out the previous one).
        self.name_box.currentIndexChanged.connect(self._name_changed)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("提示")
        self.problem.setStyleSheet(f"color: {RED}; font-weight: bold;")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        name_label = QLabel("姓名(&N)：")
        name_label.setBuddy(self.name_box)
        pin_label = QLabel("PIN(&P)：")
        pin_label.setBuddy(self.pin)
        form.addRow(name_label, self.name_box)
        form.addRow(pin_label, self.pin)
        form.addRow(self.problem)
        self.reload(names, preset)

    def reload(self, names: Sequence[str] | None = None, preset: str = "") -> None:
        members = staff.list_staff(self.conn)
        allowed = set(names) if names is not None else None
        self.name_box.clear()
        for m in members:
            if allowed is None or m.name in allowed:
                self.name_box.addItem(f"{m.name}（{m.roles_zh}）", m.name)
        # Only `preset` (the idle lock's own person, a dialog offering one name) is chosen in
        # advance; otherwise the field is empty and the person picks their own name first.
        i = self.name_box.findData(preset) if preset else -1
        if i < 0 and allowed is not None and self.name_box.count() == 1:
            i = 0
        self.name_box.setCurrentIndex(i)
        self._name_changed(i)
        self.pin.clear()
        self.problem.clear()

    def _name_changed(self, index: int) -> None:
        self.pin.setEnabled(index >= 0)
        if index < 0:
            self.pin.clear()

    def _name_picked(self, _index: int) -> None:
        self.pin.clear()
        self.problem.clear()
        self.focus_pin()

    def name(self) -> str:
        data = self.name_box.currentData()
        return str(data) if data is not None else ""

    def focus_pin(self) -> None:
        """The PIN box, or the name box while no name is chosen."""
        box = self.pin if self.pin.isEnabled() else self.name_box
        box.setFocus(Qt.FocusReason.OtherFocusReason)

    def try_sign_on(self) -> Actor | None:
        """Check the PIN (~70 ms): emits `signed` with the Actor, or says why not."""
        if not self.name():
            self.problem.setText("请先选择本人姓名" if self.name_box.count()
                                 else "工作人员名单中没有可选的人")
            self.focus_pin()
            return None
        if not self.pin.text():
            self.problem.setText("请输入PIN")   # not a try: nothing counted
            self.focus_pin()
            return None
        try:
            got = staff.sign_on(self.conn, self.name(), self.pin.text(), clock=self.clock,
                                where=self.where, how=self.how)
        except (sqlite3.Error, OSError, DatabaseFileChanged) as exc:   # a read-only or vanished file: say so
            self.pin.clear()
            self.problem.setText(f"未能核对PIN：数据库不能写入（{exc}）。请检查U盘或文件是否只读。")
            return None
        self.pin.clear()
        if isinstance(got, staff.Refusal):
            self.problem.setText(got.message)
            self.focus_pin()
            return None
        self.problem.clear()
        self.signed.emit(got)
        return got


class SignOnDialog(QDialog):
    """谁在使用本机 (or another question: `title`, `question`). `accepted_actor` carries the
    Actor; Esc cancels (the window stays locked where it must)."""

    accepted_actor = Signal(object)

    def __init__(self, parent: QWidget | None, conn: sqlite3.Connection, clock: Clock, *,
                 title: str = "谁在使用本机", question: str = "请选择本人姓名并输入PIN。",
                 names: Sequence[str] | None = None, preset: str = "",
                 ok_text: str = "登录", where: str = "", how: str = "sign_on",
                 check: Callable[[Actor], str | None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setObjectName("SignOnDialog")
        self.actor: Actor | None = None
        self.check = check
        heading = QLabel(question)
        heading.setWordWrap(True)
        heading.setStyleSheet("font-size: 13pt;")
        self.form = SignOnForm(conn, clock, where=where, names=names, preset=preset, how=how)
        self.form.signed.connect(self._signed)
        buttons = QDialogButtonBox()
        self.ok = QPushButton(ok_text)
        self.ok.setAutoDefault(False)
        buttons.addButton(self.ok, QDialogButtonBox.ButtonRole.AcceptRole)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        self.ok.clicked.connect(self.form.try_sign_on)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(self.form)
        lay.addWidget(buttons)
        self.setMinimumWidth(460)
        self.form.focus_pin()

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)  # type: ignore[arg-type]
        self.form.focus_pin()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        # Enter in the PIN field signs on (the form); it must not press a button as well.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            event.accept()
            return
        super().keyPressEvent(event)

    def _signed(self, actor: Actor) -> None:
        refused = self.check(actor) if self.check is not None else None
        if refused:
            self.form.problem.setText(refused)
            self.form.focus_pin()
            return
        self.actor = actor
        self.accepted_actor.emit(actor)
        self.accept()


def ask_person(parent: QWidget, conn: sqlite3.Connection, clock: Clock, *, title: str,
               question: str, on_done: Callable[[Actor], None], ok_text: str = "确认",
               check: Callable[[Actor], str | None] | None = None,
               names: Sequence[str] | None = None, where: str = "") -> SignOnDialog:
    """A second person (or the one person who may) signs on for one action: `on_done(actor)`
    after a right PIN that `check` accepts (None = accepted; else the words shown); `names`:
    the members offered (None = everyone on the list). Opened
    without blocking; the caller keeps the returned dialog."""
    dialog = SignOnDialog(parent, conn, clock, title=title, question=question, ok_text=ok_text,
                          check=check, names=names, where=where or place(conn), how="second")
    dialog.accepted_actor.connect(on_done)
    dialog.open()
    return dialog


class LockOverlay(QWidget):
    """The idle lock: covers its parent (the window's pages), shows them dimmed beneath, and
    takes every key and click until a member signs on. `unlocked` carries the Actor."""

    unlocked = Signal(object)

    def __init__(self, parent: QWidget, conn: sqlite3.Connection, clock: Clock, *,
                 where: str = "") -> None:
        super().__init__(parent)
        self.setObjectName("LockOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        panel = QFrame(self)
        panel.setObjectName("LockPanel")
        panel.setStyleSheet("#LockPanel { background: #ffffff; border: 2px solid #21405e;"
                            " border-radius: 8px; }")
        self.panel = panel
        self.heading = QLabel("本机已锁定")
        self.heading.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1b3550;")
        self.note = QLabel("空闲时间过长，页面已锁定（下方内容仍可查看）。请选择本人姓名并输入PIN继续。")
        self.note.setWordWrap(True)
        self.form = SignOnForm(conn, clock, where=where, how="unlock")
        self.form.signed.connect(self.unlocked.emit)
        self.button = QPushButton("解锁")
        self.button.clicked.connect(self.form.try_sign_on)
        lay = QVBoxLayout(panel)
        lay.setContentsMargins(24, 18, 24, 18)
        lay.addWidget(self.heading)
        lay.addWidget(self.note)
        lay.addWidget(self.form)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignRight)
        panel.setFixedWidth(520)
        parent.installEventFilter(self)
        self.hide()

    def lock(self, *, heading: str, note: str, preset: str = "", button: str = "解锁") -> None:
        self.button.setText(button)
        self.form.how = "unlock" if button == "解锁" else "sign_on"   # for the audit
        self.heading.setText(heading)
        self.note.setText(note)
        self.form.reload(preset=preset)
        self.panel.show()
        self._cover()
        self.show()
        self.raise_()
        self.form.focus_pin()
        # Again once the dialogs the lock closed have handed the focus back (it stayed where
        # they left it: the PIN box showed no cursor).
        QTimer.singleShot(0, self, self._focus_if_locked)

    def _focus_if_locked(self) -> None:
        focused = QApplication.focusWidget()
        if self.isVisible() and (focused is None or not self.isAncestorOf(focused)):
            self.form.focus_pin()

    def _cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.panel.adjustSize()
        self.panel.move((self.width() - self.panel.width()) // 2,
                        max(20, (self.height() - self.panel.height()) // 3))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self._cover()
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(20, 35, 55, 110))

    # Clicks and wheel on the dimmed page go nowhere; keys stay in the panel.
    def mousePressEvent(self, event: object) -> None:  # noqa: N802
        self.form.focus_pin()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        event.accept()

    def mnemonic(self, event: QKeyEvent) -> bool:
        """Alt+N / Alt+P go to this form's 姓名 / PIN (the page beneath may have its own
        姓名(&N): the shortcut was ambiguous and the window, locked, ate it). True = handled."""
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier \
                != Qt.KeyboardModifier.AltModifier:
            return False
        target = {Qt.Key.Key_N: self.form.name_box, Qt.Key.Key_P: self.form.pin}.get(
            Qt.Key(event.key()))
        if target is None:
            return False
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True
