"""准备 · 不计入与请假: approved exclusions from 应到 (rules.md §1.1: party meetings only, one of
the recognised reasons, the approval reference and date), 请假 (still counted in 应到), and the
live 应到 from app.electorate as they are entered. Lifting an exclusion asks for a reason. For a
委员会全体会议 the electors (the committee's members, rules.md §1.2) are listed here too."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import meetings
from app.electorate import electorate, get_many
from app.meetings import Exclusion, Leave, Refusal
from app.model import EXCLUSION_REASON_ZH, ExclusionReason, Form, Person, RuleSet
from ui.pages.context import PageContext
from ui.pages.setup_common import (
    GREEN,
    RED,
    PersonPicker,
    fill,
    make_table,
    message_label,
    say,
    two_columns,
)
from ui.widgets.reason_dialog import ReasonDialog

LIFT_REASONS = ("本人已回到社区", "批准已撤回", "录入错误")
LEAVE_REASONS = ("因病", "外出务工", "出差", "照顾家人")


class ExclusionsPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ExclusionsPage")
        self.exclusions: list[Exclusion] = []
        self.leaves: list[Leave] = []
        self.dialog: ReasonDialog | None = None
        self._build()
        ctx.meeting_changed.connect(lambda _m: self.reload())
        ctx.register_changed.connect(self.reload)
        self.reload()

    def _build(self) -> None:
        self.expected = QLabel()
        self.expected.setObjectName("expected")
        self.expected.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1b3550;")
        self.expected.setWordWrap(True)
        self.picker = PersonPicker(self.ctx, "人员(&P)：")

        self.ex_group = QGroupBox("登记不计入应到（须经上级党组织同意、党员大会通过）")
        self.reason = QComboBox()
        for r in ExclusionReason:
            self.reason.addItem(EXCLUSION_REASON_ZH[r], str(r))
        self.approval = QLineEdit()
        self.approval.setPlaceholderText("如：街党工委〔2026〕12号")
        self.approved_on = QDateEdit()
        self.approved_on.setCalendarPopup(True)
        self.approved_on.setDisplayFormat("yyyy-MM-dd")
        self.approved_on.setDate(QDate.currentDate())
        self.detail = QLineEdit()
        self.detail.setPlaceholderText("补充说明（可不填）")
        self.exclude_button = QPushButton("登记不计入应到(&E)")
        form = QFormLayout(self.ex_group)
        form.addRow("原因(&R)：", self.reason)
        form.addRow("批准文号(&A)：", self.approval)
        form.addRow("批准日期：", self.approved_on)
        form.addRow("说明：", self.detail)
        form.addRow(self.exclude_button)
        self.ex_note = QLabel()
        self.ex_note.setWordWrap(True)
        self.ex_note.setStyleSheet("color: #555;")

        leave_group = QGroupBox("登记请假（请假人员仍计入应到）")
        self.leave_reason = QComboBox()
        self.leave_reason.setEditable(True)
        self.leave_reason.addItems(list(LEAVE_REASONS))
        self.leave_reason.setCurrentIndex(-1)
        self.leave_button = QPushButton("登记请假(&L)")
        lform = QFormLayout(leave_group)
        lform.addRow("请假原因：", self.leave_reason)
        lform.addRow(self.leave_button)
        self.message = message_label()
        self.elector_group = QGroupBox("委员会全体会议的选举人（委员会委员）")
        self.elector_button = QPushButton("添加为选举人(&M)")
        self.elector_table = make_table(["选举人", "支部"])
        self.elector_table.setMinimumHeight(150)
        self.unelect_button = QPushButton("移除选举人")
        eg = QVBoxLayout(self.elector_group)
        eg.addWidget(self.elector_button)
        eg.addWidget(self.elector_table)
        eg.addWidget(self.unelect_button)
        self.electors: list[Person] = []

        left = QVBoxLayout()
        left.addWidget(self.picker)
        left.addWidget(self.ex_group)
        left.addWidget(self.ex_note)
        left.addWidget(leave_group)
        left.addWidget(self.message)
        left.addStretch(1)

        self.ex_table = make_table(["姓名", "原因", "批准文号", "批准日期"])
        self.lift_button = QPushButton("撤销不计入…")
        self.leave_table = make_table(["姓名", "请假原因"])
        self.unleave_button = QPushButton("撤销请假")
        # The two lists as tabs: each keeps the column's height (8 rows and more at 1366x768)
        # instead of two stacked tables of five rows each.
        self.lists = QTabWidget()
        for table, button in ((self.ex_table, self.lift_button),
                              (self.leave_table, self.unleave_button)):
            holder = QWidget()
            h_lay = QVBoxLayout(holder)
            h_lay.setContentsMargins(0, 4, 0, 0)
            h_lay.addWidget(table, 1)
            h_lay.addWidget(button)
            self.lists.addTab(holder, "")
        self._title_lists()
        right = QVBoxLayout()
        right.addWidget(self.lists, 3)
        right.addWidget(self.elector_group, 2)

        two_columns(self, self.expected, left, right)

        self.exclude_button.clicked.connect(self.add_exclusion)
        self.leave_button.clicked.connect(self.add_leave)
        self.lift_button.clicked.connect(self.ask_lift)
        self.unleave_button.clicked.connect(self.remove_leave)
        self.approval.returnPressed.connect(self.add_exclusion)
        self.picker.picked.connect(self._focus_next)
        self.elector_button.clicked.connect(self.add_elector)
        self.unelect_button.clicked.connect(self.remove_elector)

    def _focus_next(self, p: object) -> None:
        """Keyboard first: after Enter picks a person, the next field to fill."""
        if p is not None:
            (self.reason if self.ex_group.isEnabled() else self.leave_reason).setFocus()

    def reload(self) -> None:
        m = self.ctx.meeting
        party = m is not None and m.rules is RuleSet.PARTY
        self.ex_group.setEnabled(party)
        self.ex_note.setText("" if party or m is None else
                             "本会议不是党内选举：按法律以全体登记选民（成员）为基数，不能经批准不计入应到；"
                             "不能到会的人员可登记请假（居民选举可书面委托，见“委托”）。")
        self.ex_note.setVisible(bool(self.ex_note.text()))
        if m is None:
            self.exclusions, self.leaves = [], []
            self.expected.setText("尚未设置会议：请先在“会议设置”中建立会议。")
        else:
            self.exclusions = meetings.list_exclusions(self.ctx.conn, m.id)
            self.leaves = meetings.list_leaves(self.ctx.conn, m.id)
            e = electorate(self.ctx.conn, m)
            self.expected.setText(
                f"应到 {e.expected} 人　＝　有选举权 {e.registered} 人 − 不计入 "
                f"{len(e.excluded_ids)} 人　（请假 {len(e.leave_ids)} 人，仍计入应到）")
        plenary = m is not None and m.form is Form.PLENARY
        self.elector_group.setVisible(plenary)
        ids = meetings.elector_ids(self.ctx.conn, m.id) if m is not None and plenary else set()
        self.electors = sorted(get_many(self.ctx.conn, list(ids)), key=lambda p: p.id)
        fill(self.elector_table, [[p.name, p.branch] for p in self.electors])
        self.unelect_button.setEnabled(bool(self.electors))
        fill(self.ex_table, [[x.person_name, EXCLUSION_REASON_ZH[x.reason], x.approval_ref,
                              x.approved_on] for x in self.exclusions])
        fill(self.leave_table, [[x.person_name, x.reason] for x in self.leaves])
        self.lift_button.setEnabled(bool(self.exclusions))
        self.unleave_button.setEnabled(bool(self.leaves))
        self._title_lists()

    def _title_lists(self) -> None:
        ex, leave = (len(getattr(self, name, ())) for name in ("exclusions", "leaves"))
        self.lists.setTabText(0, f"不计入应到人员（{ex}）")
        self.lists.setTabText(1, f"请假人员（{leave}，仍计入应到）")

    def _done(self, got: object, ok_text: str) -> bool:
        if isinstance(got, Refusal):
            say(self.message, f"✗ {got.message}", RED)
            return False
        say(self.message, f"✓ {ok_text}", GREEN)
        self.ctx.message.emit(ok_text)
        self.reload()
        return True

    def _person_or_say(self) -> int | None:
        p = self.picker.person
        if p is None:
            say(self.message, "✗ 请先在“人员”中查找并选择一人（回车选第一个）", RED)
            self.picker.box.setFocus()
            return None
        return p.id

    def add_exclusion(self) -> Exclusion | None:
        m, pid = self.ctx.meeting, self._person_or_say()
        if m is None or pid is None:
            return None
        if not self.approval.text().strip():
            say(self.message, "✗ 批准文号：不计入应到须经上级党组织同意，请填写批准文号", RED)
            self.approval.setFocus()
            return None
        got = meetings.add_exclusion(
            self.ctx.conn, m.id, pid, ExclusionReason(self.reason.currentData()),
            approval_ref=self.approval.text(),
            approved_on=self.approved_on.date().toString("yyyy-MM-dd"),
            detail=self.detail.text().strip(), clock=self.ctx.clock, actor=self.ctx.actor)
        if not self._done(got, f"已登记不计入应到：{getattr(got, 'person_name', '')}"):
            return None
        assert isinstance(got, Exclusion)
        self.lists.setCurrentIndex(0)   # the new exclusion in its list
        self.picker.clear()
        self.approval.clear()
        self.detail.clear()
        self.picker.box.setFocus()
        return got

    def add_leave(self) -> Leave | None:
        m, pid = self.ctx.meeting, self._person_or_say()
        if m is None or pid is None:
            return None
        got = meetings.add_leave(self.ctx.conn, m.id, pid, self.leave_reason.currentText().strip(),
                                 clock=self.ctx.clock, actor=self.ctx.actor)
        if not self._done(got, f"已登记请假：{getattr(got, 'person_name', '')}（仍计入应到）"):
            return None
        assert isinstance(got, Leave)
        self.lists.setCurrentIndex(1)   # the new leave in its list
        self.picker.clear()
        self.leave_reason.setEditText("")
        return got

    def ask_lift(self) -> None:
        row = self.ex_table.currentRow()
        if not 0 <= row < len(self.exclusions):
            say(self.message, "✗ 请先在表中选择要撤销的不计入记录", RED)
            return
        ex = self.exclusions[row]
        self.dialog = ReasonDialog(self, "撤销不计入应到",
                                   f"撤销后 {ex.person_name} 重新计入应到人数。\n须填写原因，记入审计日志。",
                                   LIFT_REASONS, ok_text="撤销不计入")
        self.dialog.reason_accepted.connect(lambda why: self.lift(ex, why))
        self.dialog.open()

    def lift(self, ex: Exclusion, why: str) -> None:
        got = meetings.lift_exclusion(self.ctx.conn, ex.id, why=why, clock=self.ctx.clock,
                                      actor=self.ctx.actor)
        self._done(got, f"已撤销不计入：{ex.person_name} 重新计入应到")

    def remove_leave(self) -> None:
        m, row = self.ctx.meeting, self.leave_table.currentRow()
        if m is None or not 0 <= row < len(self.leaves):
            say(self.message, "✗ 请先在表中选择要撤销的请假记录", RED)
            return
        lv = self.leaves[row]
        got = meetings.remove_leave(self.ctx.conn, m.id, lv.person_id, clock=self.ctx.clock,
                                    actor=self.ctx.actor)
        self._done(got, f"已撤销请假：{lv.person_name}")


    def add_elector(self) -> bool:
        m, pid = self.ctx.meeting, self._person_or_say()
        if m is None or pid is None:
            return False
        name = self.picker.person.name if self.picker.person else ""
        got = meetings.add_electors(self.ctx.conn, m.id, [pid], clock=self.ctx.clock,
                                    actor=self.ctx.actor)
        if got == 0:
            say(self.message, f"✗ {name} 已是选举人", RED)
            return False
        if self._done(got, f"已添加选举人：{name}"):
            self.picker.clear()
            return True
        return False

    def remove_elector(self) -> None:
        m, row = self.ctx.meeting, self.elector_table.currentRow()
        if m is None or not 0 <= row < len(self.electors):
            say(self.message, "✗ 请先在表中选择要移除的选举人", RED)
            return
        p = self.electors[row]
        got = meetings.remove_elector(self.ctx.conn, m.id, p.id, clock=self.ctx.clock,
                                      actor=self.ctx.actor)
        self._done(got if isinstance(got, Refusal) else None, f"已移除选举人：{p.name}")


def create(ctx: PageContext) -> QWidget:
    return ExclusionsPage(ctx)
