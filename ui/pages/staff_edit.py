"""工作人员名单 · 修改角色: the 主持人 changes a member's roles, 总监票人 flag and linked register
person (app.staff.edit_staff decides; the PIN stays). Keyboard first: the role boxes in order
(Tab, Space), Alt+L to the register search (Enter picks there, it does not save), Alt+U unlinks,
Enter saves, Esc cancels. A refusal (a candidate as 监票人/计票人, the last 主持人) is said in
the dialog, which stays open."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import staff
from app.model import Person
from app.permissions import CHIEF_ZH, ROLE_ZH, Actor, Role
from ui.pages.context import PageContext
from ui.pages.setup_common import RED, PersonPicker

# What saving does: the words of a refusal, or None when saved.
Save = Callable[[list[Role], bool, "int | None"], "str | None"]

_KEYS = {Role.HOST: "H", Role.DESK: "D", Role.TELLER: "T", Role.SCRUTINEER: "S",
         Role.WORKER: "W"}


class EditDialog(QDialog):
    def __init__(self, parent: QWidget, ctx: PageContext, member: staff.Member,
                 linked: Person | None, save: Save) -> None:
        super().__init__(parent)
        self.member, self.save = member, save
        self.setWindowTitle(f"修改工作人员：{member.name}")
        self.setObjectName("StaffEditDialog")
        heading = QLabel(f"修改 {member.name} 的角色、{CHIEF_ZH}和关联的名册人员（PIN不变）。"
                         "监票人、计票人不能由候选人担任；名单中至少保留一名主持人。")
        heading.setWordWrap(True)
        self.role_boxes: dict[Role, QCheckBox] = {}
        roles_row = QHBoxLayout()
        roles_row.setContentsMargins(0, 0, 0, 0)
        for role in Role:
            box = QCheckBox(f"{ROLE_ZH[role]}(&{_KEYS[role]})")
            box.setAccessibleName(ROLE_ZH[role])
            box.setChecked(role in member.roles)
            box.toggled.connect(self._changed)
            self.role_boxes[role] = box
            roles_row.addWidget(box)
        self.chief = QCheckBox(f"{CHIEF_ZH}(&C)")
        self.chief.setAccessibleName(CHIEF_ZH)
        self.chief.setToolTip("总监票人须同时是监票人；解锁结果只有总监票人可以操作")
        self.chief.setChecked(member.chief)
        self.chief.toggled.connect(self._chief_toggled)
        self.role_boxes[Role.SCRUTINEER].toggled.connect(
            lambda on: on or self.chief.setChecked(False))
        roles_row.addWidget(self.chief)
        roles_row.addStretch(1)
        self.picker = PersonPicker(ctx, "关联名册人员(&L)：")
        self.picker.list.setMaximumHeight(96)
        self.picker.set_person(linked)
        self.picker.picked.connect(lambda _p: self._changed())
        self.unlink = QPushButton("取消关联(&U)")
        self.unlink.setAutoDefault(False)
        self.unlink.clicked.connect(self.picker.clear)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("保存后")
        self.summary.setStyleSheet("color: #1b3550;")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setAccessibleName("提示")
        self.problem.setStyleSheet(f"color: {RED}; font-weight: bold;")
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存(&O)", QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        cancel = buttons.addButton("取消", QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setAutoDefault(False)
        self.save_button.clicked.connect(self._save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(heading)
        lay.addWidget(QLabel("角色（空格键勾选）："))
        lay.addLayout(roles_row)
        lay.addWidget(self.picker)
        lay.addWidget(self.unlink, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.summary)
        lay.addWidget(self.problem)
        lay.addWidget(buttons)
        self.setMinimumWidth(640)
        self._changed()
        self.role_boxes[Role.HOST].setFocus()

    def showEvent(self, event: object) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)  # type: ignore[arg-type]
        self.role_boxes[Role.HOST].setFocus(Qt.FocusReason.OtherFocusReason)

    def roles(self) -> list[Role]:
        return [r for r, box in self.role_boxes.items() if box.isChecked()]

    def person_id(self) -> int | None:
        return self.picker.person.id if self.picker.person is not None else None

    def _chief_toggled(self, on: bool) -> None:
        if on:
            self.role_boxes[Role.SCRUTINEER].setChecked(True)
        self._changed()

    def _changed(self) -> None:
        roles = self.roles()
        words = Actor(self.member.name, frozenset(roles), chief=self.chief.isChecked(),
                      verified=True).roles_zh()
        person = self.picker.person
        self.summary.setText(f"保存后：{words or '无角色'}；名册人员："
                             f"{person.name if person is not None else '不关联'}")
        self.problem.setText("" if roles else "至少选一个角色")
        self.save_button.setEnabled(bool(roles))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        # Enter in the register search picks a person there; it must not save as well.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and self.focusWidget() is self.picker.box:
            event.accept()
            return
        super().keyPressEvent(event)

    def _save(self) -> None:
        if not self.roles():
            return
        refused = self.save(self.roles(), self.chief.isChecked(), self.person_id())
        if refused:
            self.problem.setText(refused)
            return
        self.accept()
