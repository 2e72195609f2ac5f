"""准备 · 签到台: the meeting's sign-in desks and whom each serves (branches or residents'
groups of the register; none ticked = everyone), with how many voters each desk serves."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import meetings
from app.electorate import electorate
from app.meetings import Desk, Refusal
from app.model import RuleSet
from app.register.branch_order import sorted_branches
from db import persons as db_persons
from ui import output_folder
from ui.pages.context import PageContext
from ui.pages.print_pdf import save_pdf
from ui.pages.setup_common import GREEN, RED, fill, make_table, message_label, say


class DesksSetupPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("DesksSetupPage")
        self.desks: list[Desk] = []
        self._build()
        ctx.meeting_changed.connect(lambda _m: self.reload())
        ctx.register_changed.connect(self.reload)
        self.reload()

    def _build(self) -> None:
        self.name = QLineEdit()
        self.name.setPlaceholderText("如：一号台（第一党支部）")
        self.scope = QListWidget()
        self.scope.setAccessibleName("服务范围")
        self.scope_note = QLabel("勾选本台负责的支部或居民小组；都不勾选 = 本台为所有人签到。")
        self.scope_note.setWordWrap(True)
        self.scope_note.setStyleSheet("color: #555;")
        self.add_button = QPushButton("添加签到台(&A)")
        self.message = message_label()
        group = QGroupBox("新签到台")
        form = QFormLayout(group)
        form.addRow("名称(&N)：", self.name)
        form.addRow("服务范围：", self.scope)
        form.addRow(self.scope_note)
        form.addRow(self.add_button)
        left = QVBoxLayout()
        left.addWidget(group, 1)
        left.addWidget(self.message)

        self.table = make_table(["签到台", "服务范围", "负责人数"])
        self.remove_button = QPushButton("删除签到台")
        self.uncovered = QLabel()
        self.uncovered.setWordWrap(True)
        right = QVBoxLayout()
        right.addWidget(QLabel("本会议的签到台："))
        right.addWidget(self.table, 1)
        right.addWidget(self.uncovered)
        right.addWidget(self.remove_button)
        # The sign-in paper lives with the desks it is printed for: a clerk setting the desks up
        # the day before prints each desk's 签到表 here, and the 出席情况报告 beside it.
        self.signin_button = QPushButton("打印签到表（PDF）…")
        self.signin_button.setToolTip("按支部或居民小组、姓氏笔画为序，每人一个二维码")
        self.attendance_button = QPushButton("打印出席情况报告（PDF）…")
        self.box: QMessageBox | None = None
        paper = QHBoxLayout()
        paper.addWidget(self.signin_button)
        paper.addWidget(self.attendance_button)
        paper.addStretch(1)
        right.addLayout(paper)
        lay = QHBoxLayout(self)
        lay.addLayout(left, 2)
        lay.addSpacing(12)
        lay.addLayout(right, 3)
        self.add_button.clicked.connect(self.add_desk)
        self.name.returnPressed.connect(self.add_desk)
        self.remove_button.clicked.connect(self.remove_desk)
        self.signin_button.clicked.connect(
            lambda: self.print_pdf("signin-sheets", "签到表"))
        self.attendance_button.clicked.connect(
            lambda: self.print_pdf("attendance-report", "出席情况报告"))
        for b in (self.signin_button, self.attendance_button):
            output_folder.attach(b, self.ctx)  # the tooltip names where the PDF goes

    def print_pdf(self, kind: str, title: str) -> None:
        save_pdf(self, self.ctx, kind, title, shown=self._printed)

    def _printed(self, box: QMessageBox) -> None:
        self.box = box

    def _scopes(self) -> list[str]:
        people = db_persons.list_persons(self.ctx.conn)
        m = self.ctx.meeting
        # In natural order (第一、第二…第十一, then 离退休…), not the order people were listed.
        branches = sorted_branches(list({p.branch for p in people if p.branch}))
        groups = sorted_branches(list({p.resident_group for p in people if p.resident_group}))
        party = m is not None and m.rules is RuleSet.PARTY
        return branches + groups if party else groups + branches

    def reload(self) -> None:
        ticked = set(self.checked())
        self.scope.clear()
        for s in self._scopes():
            item = QListWidgetItem(s)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if s in ticked else Qt.CheckState.Unchecked)
            self.scope.addItem(item)
        m = self.ctx.meeting
        self.add_button.setEnabled(m is not None)
        self.signin_button.setEnabled(m is not None)
        self.attendance_button.setEnabled(m is not None)
        if m is None:
            self.desks = []
            fill(self.table, [])
            self.uncovered.setText("尚未设置会议：请先在“会议设置”中建立会议。")
            return
        self.desks = meetings.list_desks(self.ctx.conn, m.id)
        voters = electorate(self.ctx.conn, m).voters
        fill(self.table, [[d.name, "、".join(d.scope) or "全部人员",
                           str(sum(1 for p in voters if d.serves(p)))] for d in self.desks])
        left = [p for p in voters if not any(d.serves(p) for d in self.desks)]
        if not self.desks:
            text, colour = "还没有签到台。", "#555"
        elif left:
            text, colour = f"还有 {len(left)} 名有选举权的人员不属于任何签到台的范围。", RED
        else:
            text, colour = "每一名有选举权的人员都有签到台。", GREEN
        say(self.uncovered, text, colour)
        self.remove_button.setEnabled(bool(self.desks))

    def checked(self) -> list[str]:
        items = (self.scope.item(i) for i in range(self.scope.count()))
        return [it.text() for it in items
                if it is not None and it.checkState() == Qt.CheckState.Checked]

    def set_checked(self, names: list[str]) -> None:
        for i in range(self.scope.count()):
            it = self.scope.item(i)
            if it is not None:
                it.setCheckState(Qt.CheckState.Checked if it.text() in names
                                 else Qt.CheckState.Unchecked)

    def add_desk(self) -> Desk | None:
        m = self.ctx.meeting
        if m is None:
            return None
        if not self.name.text().strip():
            say(self.message, "✗ 名称：请填写签到台名称", RED)
            self.name.setFocus()
            return None
        got = meetings.add_desk(self.ctx.conn, m.id, self.name.text(), self.checked(),
                                clock=self.ctx.clock, actor=self.ctx.actor)
        if isinstance(got, Refusal):
            say(self.message, f"✗ {got.message}", RED)
            return None
        say(self.message, f"✓ 已添加签到台：{got.name}", GREEN)
        self.name.clear()
        self.set_checked([])
        self.reload()
        self.ctx.desks_changed.emit()
        return got

    def remove_desk(self) -> None:
        row = self.table.currentRow()
        if not 0 <= row < len(self.desks):
            say(self.message, "✗ 请先在表中选择要删除的签到台", RED)
            return
        got = meetings.remove_desk(self.ctx.conn, self.desks[row].id, clock=self.ctx.clock,
                                   actor=self.ctx.actor)
        if isinstance(got, Refusal):
            say(self.message, f"✗ {got.message}", RED)
            return
        say(self.message, f"✓ 已删除签到台：{got.name}", GREEN)
        self.reload()
        self.ctx.desks_changed.emit()


def create(ctx: PageContext) -> QWidget:
    return DesksSetupPage(ctx)
