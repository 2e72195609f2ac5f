"""准备 · 会议设置: the meetings of this database, and a form to create one or edit it (rule set
→ the forms it allows, organisation, date, venue, the options of rules.md §6 explained in words),
and which meeting is current. A brand-new database starts here."""

from __future__ import annotations

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import meetings
from app.meetings import Refusal
from app.meetings.codes import CODE_MAX, code_problem
from app.meetings.words import FORM_ZH, OPTION_ZH, ORGANISATION_ZH, RULES_ZH, option_ticked
from app.model import FORMS_OF_RULES, Form, Meeting, Organisation, RuleSet
from ui.pages.context import PageContext
from ui.pages.setup_common import GREEN, RED, message_label, say
from ui.rights import Gate, denied

ORGS_OF_RULES: dict[RuleSet, tuple[Organisation, ...]] = {
    RuleSet.PARTY: (Organisation.PARTY_COMMITTEE, Organisation.PARTY_GENERAL_BRANCH,
                    Organisation.PARTY_BRANCH, Organisation.DISCIPLINE),
    RuleSet.RESIDENTS: (Organisation.RESIDENTS_COMMITTEE, Organisation.SUPERVISORY_COMMITTEE),
    RuleSet.COLLECTIVE: (Organisation.COLLECTIVE,),
}
OPTIONS_OF_RULES: dict[RuleSet, tuple[str, ...]] = {
    RuleSet.PARTY: ("quorum_inclusive", "write_in_counts_for_candidate", "runoff_margin"),
    RuleSet.RESIDENTS: ("runoff_turnout_required", "write_in_counts_for_candidate"),
    RuleSet.COLLECTIVE: ("write_in_counts_for_candidate",),
}
DEFAULTS = {"quorum_inclusive": False, "runoff_turnout_required": True,
            "write_in_counts_for_candidate": True, "runoff_margin": False}


class MeetingSetupPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("MeetingSetupPage")
        self.editing: Meeting | None = None
        self._build()
        # The 主持人's (setup): the fields are off for anyone else, saying who may (a 签到员
        # typed into them until 保存 refused, and the typing stayed).
        self.gate = Gate(ctx, self)
        for w in (self.title, self.date, self.venue, self.opts, self.save_button,
                  self.new_button):
            self.gate.add(w, "setup")
        for w in (self.code, self.rules, self.form, self.organisation, self.community):
            self.gate.add(w, "setup", lambda: self.editing is None)   # fixed once created
        self.form_for = getattr(ctx.actor, "name", None)
        ctx.actor_changed.connect(self._actor_changed)
        ctx.meeting_changed.connect(lambda _m: self.reload())
        self.reload()
        if not self.all:
            self.start_new()

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.list = QListWidget()
        self.list.setAccessibleName("会议列表")
        self.new_button = QPushButton("新建会议(&N)")
        self.current_button = QPushButton("设为当前会议(&U)")
        left = QVBoxLayout()
        left.addWidget(QLabel("本数据库的会议（★ 当前会议）："))
        left.addWidget(self.list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.current_button)
        left.addLayout(row)

        self.heading = QLabel()
        self.heading.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.code = QLineEdit()
        self.code.setPlaceholderText("英文或拼音，如 party、juweihui")
        self.code.setToolTip(f"字母、汉字、数字、- 和 _，最长 {CODE_MAX} 个字符（会用在文件名和命令里）")
        self.title = QLineEdit()
        self.title.setPlaceholderText("如：中共翠湖社区委员会换届选举党员大会")
        self.community = QLineEdit()
        self.community.setPlaceholderText("如：新华街道翠湖社区")
        self.rules = QComboBox()
        for r in RuleSet:
            self.rules.addItem(RULES_ZH[r], str(r))
        self.form = QComboBox()
        self.organisation = QComboBox()
        self.date = QDateEdit()
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setDate(QDate.currentDate())
        self.venue = QLineEdit()
        self.venue.setPlaceholderText("如：社区党群服务中心二楼会议室")
        form = QFormLayout()
        form.addRow("会议代码(&C)：", self.code)
        form.addRow("会议名称(&T)：", self.title)
        form.addRow("社区(&Y)：", self.community)
        form.addRow("适用规则(&R)：", self.rules)
        form.addRow("会议形式(&F)：", self.form)
        form.addRow("选举的组织(&O)：", self.organisation)
        form.addRow("日期(&D)：", self.date)
        form.addRow("地点(&V)：", self.venue)
        self.option_boxes: dict[str, QCheckBox] = {}
        self.option_notes: dict[str, QLabel] = {}
        opts = QGroupBox("选项（法规没有明确规定之处）")
        self.opts = opts
        olay = QVBoxLayout(opts)
        for key, (label, words) in OPTION_ZH.items():
            box = QCheckBox(label)
            box.setChecked(DEFAULTS[key])
            note = QLabel(words)
            note.setWordWrap(True)
            note.setStyleSheet("color: #555; margin-left: 24px;")
            olay.addWidget(box)
            olay.addWidget(note)
            self.option_boxes[key] = box
            self.option_notes[key] = note
        self.fixed_note = QLabel("已建立的会议不能更改代码、规则、形式和组织（它们决定谁有选举权）；"
                                 "如有错误请新建会议。")
        self.fixed_note.setWordWrap(True)
        self.fixed_note.setStyleSheet("color: #555;")
        self.save_button = QPushButton("建立会议(&S)")
        self.save_button.setDefault(True)
        self.message = message_label()
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(form)
        right.addWidget(self.fixed_note)
        right.addWidget(opts)
        bottom = QHBoxLayout()
        bottom.addWidget(self.save_button)
        bottom.addWidget(self.message, 1)
        right.addLayout(bottom)
        right.addStretch(1)

        lay = QHBoxLayout(self)
        lay.addLayout(left, 2)
        lay.addSpacing(12)
        lay.addLayout(right, 3)

        self.rules.currentIndexChanged.connect(self._rules_changed)
        self.new_button.clicked.connect(self.start_new)
        self.current_button.clicked.connect(self.make_current)
        self.save_button.clicked.connect(self.save)
        self.code.textEdited.connect(self._code_edited)
        self.list.currentRowChanged.connect(self._row_chosen)
        self._rules_changed()

    # --- state --------------------------------------------------------------------------------

    def reload(self) -> None:
        self.all = meetings.list_meetings(self.ctx.conn)
        keep = self.editing.id if self.editing else None
        self.list.blockSignals(True)
        self.list.clear()
        for m in self.all:
            star = "★ " if m.is_current else "　 "
            item = QListWidgetItem(f"{star}{m.title}\n　 {m.code} · {m.date} · {FORM_ZH[m.form]}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        if keep is not None:
            row = next((i for i, m in enumerate(self.all) if m.id == keep), -1)
            if row >= 0:
                self.list.setCurrentRow(row)
                self.edit(self.all[row])
        self.current_button.setEnabled(self.editing is not None and not self.editing.is_current)

    def _row_chosen(self, row: int) -> None:
        if 0 <= row < len(self.all):
            self.edit(self.all[row])

    def _rules_changed(self) -> None:
        rules = self.selected_rules()
        for combo, values, names in ((self.form, FORMS_OF_RULES[rules], FORM_ZH),
                                     (self.organisation, ORGS_OF_RULES[rules], ORGANISATION_ZH)):
            combo.clear()
            for v in values:
                combo.addItem(names[v], str(v))  # type: ignore[index]
        for key, box in self.option_boxes.items():
            shown = key in OPTIONS_OF_RULES[rules]
            box.setVisible(shown)
            self.option_notes[key].setVisible(shown)

    def selected_rules(self) -> RuleSet:
        return RuleSet(self.rules.currentData())

    def start_new(self) -> None:
        self.editing = None
        self.list.clearSelection()
        self.list.setCurrentRow(-1)
        self.heading.setText("新建会议")
        self.save_button.setText("建立会议(&S)")
        self.gate.refresh()
        self.fixed_note.setVisible(False)
        self.code.clear()
        self.title.clear()
        self.venue.clear()
        if self.all:
            self.community.setText(self.all[0].community)
        for key, box in self.option_boxes.items():
            box.setChecked(DEFAULTS[key])
        self.current_button.setEnabled(False)
        say(self.message, "", GREEN)
        self.code.setFocus()

    def edit(self, m: Meeting) -> None:
        self.editing = m
        self.heading.setText(f"修改会议：{m.title}")
        self.save_button.setText("保存修改(&S)")
        self.code.setText(m.code)
        self.title.setText(m.title)
        self.community.setText(m.community)
        self.rules.setCurrentIndex(self.rules.findData(str(m.rules)))
        self.form.setCurrentIndex(self.form.findData(str(m.form)))
        self.organisation.setCurrentIndex(self.organisation.findData(str(m.organisation)))
        self.date.setDate(QDate.fromString(m.date, "yyyy-MM-dd"))
        self.venue.setText(m.venue)
        opts = meetings.rule_options(m)
        for key, box in self.option_boxes.items():
            box.setChecked(option_ticked(opts, key))
        self.gate.refresh()
        self.fixed_note.setVisible(True)
        self.current_button.setEnabled(not m.is_current)

    # --- actions ------------------------------------------------------------------------------

    def _options(self) -> dict[str, bool]:
        rules = self.selected_rules()
        return {k: b.isChecked() for k, b in self.option_boxes.items()
                if k in OPTIONS_OF_RULES[rules]}

    def _missing(self) -> str:
        for label, box in (("会议代码", self.code), ("会议名称", self.title),
                           ("社区", self.community)):
            if not box.text().strip():
                box.setFocus()
                return f"请填写{label}"
        return ""

    def _code_edited(self, text: str) -> None:
        """Say at once what is wrong with the code being typed (not while it is still empty)."""
        problem = code_problem(text.strip()) if text.strip() else ""
        say(self.message, problem, RED)

    def _actor_changed(self, actor: object) -> None:
        """Another person signed on: the meeting shown again as stored, not as the last person
        left it half typed."""
        name = getattr(actor, "name", None)
        if name != self.form_for:
            self.form_for = name
            if self.editing is not None:
                self.reload()

    def save(self) -> Meeting | None:
        if why := denied(self.ctx, "setup"):   # reached by a shortcut: said before anything
            say(self.message, why, RED)
            return None
        missing = self._missing()
        if missing:
            say(self.message, missing, RED)
            return None
        date = self.date.date().toString("yyyy-MM-dd")
        clock, actor = self.ctx.clock, self.ctx.actor
        got: Meeting | Refusal
        if self.editing is None:
            got = meetings.create_meeting(
                self.ctx.conn, code=self.code.text().strip(), title=self.title.text().strip(),
                community=self.community.text().strip(),
                organisation=Organisation(self.organisation.currentData()),
                rules=self.selected_rules(), form=Form(self.form.currentData()), date=date,
                venue=self.venue.text().strip(), options=self._options(), clock=clock,
                actor=actor)
        else:
            got = meetings.update_meeting(self.ctx.conn, self.editing.id,
                                          title=self.title.text(), date=date,
                                          venue=self.venue.text(), clock=clock, actor=actor)
            if not isinstance(got, Refusal):
                got = meetings.set_options(self.ctx.conn, got.id, self._options(), clock=clock,
                                           actor=actor)
        if isinstance(got, Refusal):
            field = {"CODE_TAKEN": self.code, "CODE_EMPTY": self.code, "CODE_INVALID": self.code,
                     "TITLE_EMPTY": self.title, "DATE_INVALID": self.date}.get(got.code)
            if field is not None:
                field.setFocus()
            say(self.message, got.message, RED)
            return None
        created = self.editing is None
        self.editing = got
        say(self.message, ("已建立会议 " if created else "已保存 ") + got.title, GREEN)
        self._after_write(got)
        return got

    def make_current(self) -> Meeting | None:
        if self.editing is None:
            return None
        refusal = self.ctx.switch_meeting(self.editing.id)
        if refusal:
            say(self.message, refusal, RED)
            return None
        self.editing = self.ctx.meeting
        say(self.message, f"当前会议：{self.editing.title if self.editing else ''}", GREEN)
        self.reload()
        return self.editing

    def _after_write(self, got: Meeting) -> None:
        """Tell the other pages: the current meeting may be new or changed."""
        current = meetings.current_meeting(self.ctx.conn)
        self.ctx.meeting = current
        if current is not None and current.id == got.id:
            self.ctx.meeting_changed.emit(current)  # reloads this page too
        else:
            self.reload()
        self.ctx.message.emit(self.message.text())


def create(ctx: PageContext) -> QWidget:
    return MeetingSetupPage(ctx)
