"""准备 · 工作人员名单: who works today and what each may do (app.permissions), with a PIN each.

The first person added is the 主持人 (管理员); after that only the signed-on 主持人 adds, resets
a PIN or removes (the use cases in app.staff refuse otherwise and say who may). A member may be
linked to a register person (the desk's search), so a candidate is never made 监票人/计票人.
The idle lock's minutes are set here too (app.session)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import electorate, permissions, session, staff
from app.meetings.core import Refusal
from app.model import Person
from app.permissions import CHIEF_ZH, ROLE_ZH, Role
from ui.pages.context import PageContext
from ui.pages.setup_common import (
    AMBER,
    GREEN,
    RED,
    PersonPicker,
    fill,
    make_table,
    message_label,
    say,
    two_columns,
)
from ui.pages.staff_edit import EditDialog
from ui.rights import Gate, denied

HEADERS = ["姓名", "角色", CHIEF_ZH, "名册人员", "PIN输错", "暂停登录至", "PIN"]


def pin_field(name: str) -> QLineEdit:
    box = QLineEdit()
    box.setEchoMode(QLineEdit.EchoMode.Password)
    box.setMaxLength(staff.PIN_MAX)
    box.setAccessibleName(name)
    box.setPlaceholderText(f"{staff.PIN_MIN}–{staff.PIN_MAX}位数字")
    return box


def pin_hint(first: str, second: str) -> tuple[str, bool]:
    """The live words under the two PIN fields and whether they are acceptable."""
    if not first:
        return f"PIN为{staff.PIN_MIN}–{staff.PIN_MAX}位数字，不要用同一数字或连续数字", False
    bad = staff.pin_problem(first)
    if bad:
        return bad, False
    if first != second:
        return ("请再输入一次PIN" if not second else "两次输入的PIN不一致"), False
    return "PIN可以使用", True


NEUTRAL = "#555555"   # the rule and the next step, said before anything is wrong


def pin_hint_colour(first: str, second: str) -> str:
    """Green when the two agree; red only for a typed PIN that fails the rule or a second entry
    that differs; neutral before a PIN is typed and while the second is still to come (the rule
    in red on an empty form read as an error nobody had made)."""
    if pin_hint(first, second)[1]:
        return GREEN
    if not first or (staff.pin_problem(first) is None and not second):
        return NEUTRAL
    return RED


class PinDialog(QDialog):
    """重设PIN: the new PIN twice, with the same live hint."""

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("重设PIN")
        self.pin1 = pin_field("新PIN")
        self.pin2 = pin_field("再输入一次")
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        form = QFormLayout(self)
        form.addRow(QLabel(f"为 {name} 设置新的PIN（本人忘记PIN时由主持人重设，输错次数清零）。"))
        form.addRow("新PIN(&P)：", self.pin1)
        form.addRow("再输入一次(&R)：", self.pin2)
        form.addRow(self.hint)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("重设PIN")
        self.buttons.accepted.connect(self._ok)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        for box in (self.pin1, self.pin2):
            box.textChanged.connect(self._hint)
        self._hint()

    def _hint(self) -> None:
        words, _ok = pin_hint(self.pin1.text(), self.pin2.text())
        self.hint.setText(words)
        self.hint.setStyleSheet(f"color: {pin_hint_colour(self.pin1.text(), self.pin2.text())};")

    def _ok(self) -> None:
        if pin_hint(self.pin1.text(), self.pin2.text())[1]:
            self.accept()

    def clear(self) -> None:
        self.pin1.clear()
        self.pin2.clear()


class StaffPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("StaffPage")
        self.members: list[staff.Member] = []
        self.linked: Person | None = None
        self.dialog: QDialog | None = None
        self._build()
        # Only the 主持人 manages the list: the form and buttons are off for anyone else, the
        # tooltip naming who may (a 计票人 reached the 删除 question before being refused).
        self.gate = Gate(ctx, self)
        self.gate.add(self.add_group, "staff")
        for b in (self.edit_button, self.reset_button, self.remove_button):
            self.gate.add(b, "staff", lambda: bool(self.members))
        self.gate.add(self.idle, "staff")
        self.form_for = getattr(ctx.actor, "name", None)   # whose typing the add form holds
        ctx.actor_changed.connect(self._actor_changed)
        ctx.screen_locked.connect(self.drop_pins)
        ctx.register_changed.connect(self.reload)
        self.reload()

    def _build(self) -> None:
        self.name = QLineEdit()
        self.name.setAccessibleName("姓名")
        self.name.setPlaceholderText("工作人员姓名")
        self.role_boxes: dict[Role, QCheckBox] = {}
        # Three to a row: six boxes on one row made the form (and the window) wider than a
        # 1280 px screen.
        roles_row = QGridLayout()
        for i, role in enumerate(Role):
            box = QCheckBox(ROLE_ZH[role])
            self.role_boxes[role] = box
            roles_row.addWidget(box, i // 3, i % 3)
        self.chief = QCheckBox(CHIEF_ZH)
        self.chief.setToolTip("总监票人须同时是监票人；解锁结果只有总监票人可以操作")
        self.chief.toggled.connect(lambda on: on and self.role_boxes[Role.SCRUTINEER].setChecked(True))
        roles_row.addWidget(self.chief, len(Role) // 3, len(Role) % 3)
        roles_row.setColumnStretch(3, 1)
        roles = QWidget()
        roles.setLayout(roles_row)
        roles_row.setContentsMargins(0, 0, 0, 0)
        self.pin1 = pin_field("PIN")
        self.pin2 = pin_field("再输入一次PIN")
        self.pin_hint = QLabel()
        self.pin_hint.setAccessibleName("PIN提示")
        self.pin_hint.setWordWrap(True)
        for box in (self.pin1, self.pin2):
            box.textChanged.connect(self._hint)
        self.pin2.returnPressed.connect(self.add)
        self.picker = PersonPicker(self.ctx, "关联名册人员（可不选）(&L)：")
        self.picker.list.setMaximumHeight(72)
        self.picker.picked.connect(self._linked)
        self.add_button = QPushButton("添加工作人员(&A)")
        self.add_button.clicked.connect(self.add)
        group = QGroupBox("添加工作人员")
        self.add_group = group
        form = QFormLayout(group)
        name_label = QLabel("姓名(&N)：")
        name_label.setBuddy(self.name)
        pin_label = QLabel("PIN(&P)：")
        pin_label.setBuddy(self.pin1)
        form.addRow(name_label, self.name)
        form.addRow("角色：", roles)
        form.addRow(pin_label, self.pin1)
        form.addRow("再输入一次(&R)：", self.pin2)
        form.addRow(self.pin_hint)
        form.addRow(self.picker)
        form.addRow(self.add_button)
        left = QVBoxLayout()
        left.addWidget(group)
        left.addStretch(1)

        self.table = make_table(HEADERS)
        self.table.setAccessibleName("工作人员名单")
        # Fits the column beside the form at 1366: the roles take what is left (the whole
        # text in the tooltip); no sideways scrolling to reach 暂停登录至.
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.table.activated.connect(lambda _i: self.ask_edit())   # Enter on the row
        self.edit_button = QPushButton("修改角色(&J)…")
        self.edit_button.setToolTip("修改所选人员的角色、总监票人和关联的名册人员（Enter）")
        self.edit_button.clicked.connect(self.ask_edit)
        self.reset_button = QPushButton("重设PIN(&E)…")
        self.reset_button.clicked.connect(self.ask_reset)
        self.remove_button = QPushButton("删除(&D)…")
        self.remove_button.clicked.connect(self.ask_remove)
        self.idle = QSpinBox()
        self.idle.setRange(0, 240)
        self.idle.setSuffix(" 分钟")
        self.idle.setSpecialValueText("不锁定")
        self.idle.setAccessibleName("空闲锁定")
        self.idle.setToolTip("这么久没有按键或点击，本机锁定，须输入PIN继续（0 = 不锁定）")
        self.idle.editingFinished.connect(self._idle_set)
        idle_label = QLabel("空闲锁定(&I)：")
        idle_label.setBuddy(self.idle)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.reset_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        buttons.addWidget(idle_label)
        buttons.addWidget(self.idle)
        self.message = message_label()
        self.message.setAccessibleName("提示")
        right = QVBoxLayout()
        right.addWidget(self.table, 1)
        right.addLayout(buttons)
        right.addWidget(self.message)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        two_columns(self, self.heading, left, right)
        self._hint()

    # --- what is shown ------------------------------------------------------------------------

    def is_loaded(self) -> bool:
        return True

    def reload(self) -> None:
        self.members = staff.list_staff(self.ctx.conn)
        names = {}
        ids = [m.person_id for m in self.members if m.person_id is not None]
        for p in electorate.get_many(self.ctx.conn, ids):
            names[p.id] = p.name
        fill(self.table, [[m.name, m.roles_zh, "是" if m.chief else "",
                           names.get(m.person_id, "") if m.person_id is not None else "",
                           str(m.failed) if m.failed else "",
                           m.locked_until[11:19] if m.locked_until else "",
                           "须修改PIN" if staff.must_change_pin(self.ctx.conn, m.name) else ""]
                          for m in self.members])
        for r in range(self.table.rowCount()):
            item = self.table.item(r, 1)
            item.setToolTip(item.text())
        if self.members and self.table.currentRow() < 0:
            self.table.selectRow(0)
        first = not self.members
        demo = None if first else permissions.demo_list_note(self.ctx.conn)
        self.heading.setText(
            "尚无工作人员名单：第一个添加的人是主持人（管理员），之后由主持人登录后添加其他人。"
            if first else f"{demo}。" if demo else
            "每人用自己的姓名和PIN登录本机；只有主持人可以添加、重设PIN和删除。"
            "监票人、计票人不能由候选人担任。")
        self.heading.setStyleSheet(f"font-size: 12pt; color: {AMBER if demo else '#1b3550'};")
        self.role_boxes[Role.HOST].setChecked(first or self.role_boxes[Role.HOST].isChecked())
        if hasattr(self, "gate"):   # the first reload runs before the gate is made
            self.gate.refresh()
        self.idle.setValue(session.idle_lock_minutes(self.ctx.conn))

    def drop_pins(self) -> None:
        """PINs typed into the add form go on a lock, a sign-off or a switch (they stayed,
        masked, for the next person at the laptop)."""
        self.pin1.clear()
        self.pin2.clear()

    def _actor_changed(self, actor: object) -> None:
        """Another person signed on: nothing the last one typed into the add form stays."""
        self.drop_pins()
        name = getattr(actor, "name", None)
        if name != self.form_for:
            self.message.clear()   # "已为 … 重设PIN" was said to the last person
            self.form_for = name
            self.name.clear()
            for box in (*self.role_boxes.values(), self.chief):
                box.setChecked(False)
            self.picker.clear()
        self.reload()

    def _hint(self) -> None:
        words, _ok = pin_hint(self.pin1.text(), self.pin2.text())
        self.pin_hint.setText(words)
        self.pin_hint.setStyleSheet(
            f"color: {pin_hint_colour(self.pin1.text(), self.pin2.text())};")

    def _linked(self, p: Person | None) -> None:
        self.linked = p

    def _idle_set(self) -> None:
        if self.idle.value() == session.idle_lock_minutes(self.ctx.conn):
            return
        got = staff.set_idle_lock(self.ctx.conn, self.idle.value(), actor=self.ctx.actor,
                                  clock=self.ctx.clock)
        if isinstance(got, Refusal):   # the 主持人's (app.staff), or a read-only file
            say(self.message, got.message, RED)
            self.idle.blockSignals(True)
            self.idle.setValue(session.idle_lock_minutes(self.ctx.conn))
            self.idle.blockSignals(False)
        else:
            say(self.message, f"空闲锁定：{self.idle.text()}", GREEN)

    def selected(self) -> staff.Member | None:
        row = self.table.currentRow()
        return self.members[row] if 0 <= row < len(self.members) else None

    # --- add, reset PIN, remove ---------------------------------------------------------------

    def add(self) -> None:
        if self.refused_here():
            self.drop_pins()
            return
        words, ok = pin_hint(self.pin1.text(), self.pin2.text())
        name = self.name.text().strip()
        if not name:
            say(self.message, "请填写姓名", RED)
            self.name.setFocus()
            return
        if not ok:
            say(self.message, f"{name}：{words}", RED)
            self.pin1.setFocus()
            return
        roles = [r for r, box in self.role_boxes.items() if box.isChecked()]
        got = staff.add_staff(self.ctx.conn, name, roles, self.pin1.text(), actor=self.ctx.actor,
                              clock=self.ctx.clock, chief=self.chief.isChecked(),
                              person_id=self.linked.id if self.linked else None)
        self.pin1.clear()
        self.pin2.clear()
        if isinstance(got, Refusal):
            say(self.message, got.message, RED)
            return
        say(self.message, f"已添加 {got.name}（{got.roles_zh}）", GREEN)
        self.name.clear()
        for box in (*self.role_boxes.values(), self.chief):
            box.setChecked(False)
        self.picker.clear()
        self.reload()
        self.name.setFocus()
        self.ctx.staff_changed.emit()

    def ask_edit(self) -> None:
        """修改角色: the 主持人's (refused here in words before the dialog opens)."""
        m = self.selected()
        if m is None:
            return
        if self.refused_here():
            return
        linked = (electorate.get_person(self.ctx.conn, m.person_id)
                  if m.person_id is not None else None)
        dialog = EditDialog(self, self.ctx, m, linked,
                            lambda roles, chief, pid: self.edit(m.name, roles, chief, pid))
        self.dialog = dialog
        dialog.open()

    def edit(self, name: str, roles: list[Role], chief: bool, person_id: int | None
             ) -> str | None:
        """Save an edit: the refusal's words, or None when saved."""
        got = staff.edit_staff(self.ctx.conn, name, roles=roles, chief=chief,
                               person_id=person_id, actor=self.ctx.actor, clock=self.ctx.clock)
        if isinstance(got, Refusal):
            return got.message
        say(self.message, f"已修改 {got.name}：{got.roles_zh}", GREEN)
        if got.name == getattr(self.ctx.actor, "name", None):   # their own roles: shown now
            me = staff.as_listed(self.ctx.conn, self.ctx.actor)
            if me is not None:
                self.ctx.set_actor(me)
        self.reload()
        self.table.selectRow(next(i for i, x in enumerate(self.members) if x.name == got.name))
        self.ctx.staff_changed.emit()
        return None

    def refused_here(self) -> bool:
        """Said at once, before any dialog, when the signed-on person may not manage the list."""
        why = denied(self.ctx, "staff")
        if why:
            say(self.message, why, RED)
        return why is not None

    def ask_reset(self) -> None:
        m = self.selected()
        if m is None or self.refused_here():
            return
        dialog = PinDialog(self, m.name)
        # Used or not, the typed PIN goes (finished comes before accepted: cleared after it).
        dialog.accepted.connect(lambda: (self.reset(m.name, dialog.pin1.text()), dialog.clear()))
        dialog.rejected.connect(dialog.clear)
        self.dialog = dialog
        dialog.open()

    def reset(self, name: str, pin: str) -> None:
        got = staff.reset_pin(self.ctx.conn, name, pin, actor=self.ctx.actor, clock=self.ctx.clock)
        if isinstance(got, Refusal):
            say(self.message, got.message, RED)
            return
        say(self.message, f"已为 {got.name} 重设PIN", GREEN)
        self.reload()

    def ask_remove(self) -> None:
        m = self.selected()
        if m is None or self.refused_here():
            return
        box = QMessageBox(QMessageBox.Icon.Question, "删除工作人员",
                          f"把 {m.name}（{m.roles_zh}）从工作人员名单中删除？"
                          "审计日志中的记录保留其姓名。", parent=self)
        remove = box.addButton("删除", QMessageBox.ButtonRole.AcceptRole)
        keep = box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.buttonClicked.connect(lambda b: b is remove and self.remove(m.name))
        self.dialog = box   # type: ignore[assignment]
        box.open()

    def remove(self, name: str) -> None:
        got = staff.remove_staff(self.ctx.conn, name, actor=self.ctx.actor, clock=self.ctx.clock)
        if isinstance(got, Refusal):
            say(self.message, got.message, RED)
            return
        say(self.message, f"已从名单中删除 {got.name}", GREEN)
        self.reload()
        self.ctx.staff_changed.emit()


def create(ctx: PageContext) -> QWidget:
    page = StaffPage(ctx)
    page.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return page
