"""准备 · 选举事项: contests (title, kind, seats) and their candidates, always in stroke order
(按姓氏笔画为序, the order app.meetings.list_candidates returns), with the candidate margin of
rules.md §1.3 / §2.4 checked live by app.rules.margin_finding as names are added or removed.

Candidates come from the register (the same search as the desk: name, pinyin, initials) or are
typed in; removing one asks for a reason (kept in the audit log).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app import meetings
from app.fileio import safe_filename
from app.meetings import Candidate, Contest, Refusal
from app.model import ContestKind, Person, RuleSet
from app.posts import (
    BODIES,
    LEADER_POSTS,
    MEMBER,
    POSTS,
    canonical_body,
    default_body,
    post_of_old_title,
)
from app.rules import Round, margin_finding
from app.search import search
from app.voting.validate import candidate_posts
from ui import output_folder
from ui.pages import setup_terms
from ui.pages.context import PageContext
from ui.pages.desk_answers import where
from ui.pages.setup_common import AMBER, GREEN, RED, fill
from ui.tasks import Outcome, Task
from ui.widgets.reason_dialog import ReasonDialog
from ui.widgets.table_rows import show_at_least

TITLES = ("委员", "书记", "副书记", "纪委委员", "纪委书记", "主任", "副主任", "委员会委员",
          "理事会成员", "监事会成员")
KIND_ZH = {ContestKind.COMMITTEE: "委员（差额选举）", ContestKind.LEADER: "书记、主任等单一职务"}
KIND_SHORT = {ContestKind.COMMITTEE: "差额选举", ContestKind.LEADER: "单一职务"}


def _post_box() -> QComboBox:
    box = QComboBox()
    box.addItem("（不统计职务）", "")
    for post in POSTS:
        box.addItem(post, post)
    box.setCurrentIndex(box.findData(MEMBER))
    return box
GENDER_ZH = {"M": "男", "F": "女", None: ""}
REMOVE_REASONS = ("本人辞去候选人资格", "资格审查未通过", "录入错误")
DESPITE_ELECTED_REASONS = ("经街道（乡镇）选举工作指导机构同意",)
SEARCH_LIMIT = 12


def _body_box() -> QComboBox:
    """班子 for the district's figures: one of the fixed list (the same as `contest add --body`)."""
    box = QComboBox()
    box.addItem("（未设定，区汇总计入“其他”）", "")
    for body in BODIES:
        box.addItem(body, body)
    box.setToolTip("区（街道）汇总按班子统计人数、年龄、学历、留任和新提拔")
    return box


def _list_text(c: Contest, candidates: int) -> str:
    """A contest's row in the list: its body first (or that none is set), then title and seats."""
    return f"{c.body or '（未设定班子）'} · {c.title}（应选{c.seats}名，候选人{candidates}名）"


def margin_text(rules: RuleSet, kind: ContestKind, seats: int, candidates: int
                ) -> tuple[str, str]:
    """(colour, words) of the margin check for the first round; verdict and words are the
    core's (app.meetings.margin_check, also what `pollday candidate list` prints)."""
    m = meetings.margin_check(rules, kind, seats, candidates)
    return (GREEN if m.ok else RED if m.is_error else AMBER), m.words


class ContestsPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.contests: list[Contest] = []
        self.candidates: list[Candidate] = []
        self.found: list[Person] = []
        self._picked = False   # the clerk chose a row with ↑↓ or a click (never a guess)
        self.dialog: ReasonDialog | None = None
        self._build()
        ctx.meeting_changed.connect(lambda _m: self.reload())
        ctx.register_changed.connect(self._run_search)
        self.reload()

    # --- layout -----------------------------------------------------------------------------------

    def _build(self) -> None:
        self.contest_list = QListWidget()
        self.contest_list.setStyleSheet("font-size: 14pt;")
        self.contest_list.setAccessibleName("选举事项")
        self.contest_list.currentRowChanged.connect(self._contest_chosen)

        self.title_box = QComboBox()
        self.title_box.setEditable(True)
        self.title_box.addItems(TITLES)
        self.kind_box = QComboBox()
        for kind, text in KIND_ZH.items():
            self.kind_box.addItem(text, kind)
        # 职务 for the district's figures (书记 / 主任 …): chosen from the fixed list, never
        # read from the free title; it follows the title when the title is one of the posts.
        self.post_box = _post_box()
        # 班子 (body) for the district: from the fixed list; the default follows the meeting's
        # organisation where that is unambiguous (never the free title).
        self.body_box = _body_box()
        self.body_box.setAccessibleName("班子（区汇总）")
        self.seats_box = QSpinBox()
        self.seats_box.setRange(1, 99)
        self.seats_box.setValue(7)
        self.new_margin = QLabel()
        self.new_margin.setWordWrap(True)
        self.add_contest_button = QPushButton("添加选举事项")
        self.add_contest_button.clicked.connect(self.add_contest)
        self.title_box.currentTextChanged.connect(self._title_changed)
        self.post_box.activated.connect(self._new_post)
        self.kind_box.currentIndexChanged.connect(self._new_preview)
        self.seats_box.valueChanged.connect(self._new_preview)
        self.contest_message = QLabel()
        self.contest_message.setWordWrap(True)
        form = QFormLayout()
        form.addRow("职务名称：", self.title_box)
        form.addRow("类别：", self.kind_box)
        form.addRow("班子（区汇总）：", self.body_box)
        form.addRow("职务（区汇总）：", self.post_box)
        form.addRow("应选名额：", self.seats_box)
        self.previous_button = QPushButton("导入上届班子成员…")
        self.previous_button.setToolTip("表格：姓名、身份证号（或编号）、班子、职务；区汇总据此统计留任、新提拔")
        self.previous_button.clicked.connect(lambda: setup_terms.choose_previous(self))
        new_box = QGroupBox("新增选举事项")
        new_lay = QVBoxLayout(new_box)
        new_lay.addLayout(form)
        new_lay.addWidget(self.new_margin)
        new_lay.addWidget(self.add_contest_button)
        new_lay.addWidget(self.contest_message)
        new_lay.addWidget(self.previous_button)
        left = QWidget()
        left_lay = QVBoxLayout(left)
        left_lay.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("选举事项")
        heading.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1b3550;")
        left_lay.addWidget(heading)
        left_lay.addWidget(self.contest_list, 1)
        left_lay.addWidget(new_box)

        self.contest_title = QLabel()
        self.contest_title.setStyleSheet("font-size: 18pt; font-weight: bold; color: #1b3550;")
        self.contest_post_box = _post_box()
        self.contest_post_box.setToolTip("区（街道）汇总按此统计书记、主任等各职务的人数、年龄和学历")
        self.contest_post_box.activated.connect(self._post_chosen)
        self.contest_body_box = _body_box()
        self.contest_body_box.setAccessibleName("本事项的班子")
        self.contest_body_box.activated.connect(self._body_chosen)
        self.margin = QLabel()
        self.margin.setWordWrap(True)
        self.margin.setAccessibleName("差额检查")
        self.margin.setMinimumHeight(64)  # the rule in words takes two lines at 15 pt
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(("序号", "姓名（按姓氏笔画）", "性别", "来源", "备注"))
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setStyleSheet("font-size: 15pt;")
        self.remove_button = QPushButton("撤销候选人…（Del）")
        self.part_time_button = QPushButton("兼职委员")
        self.part_time_button.setToolTip("标记（或取消标记）选中的候选人为兼职委员，区汇总按此统计")
        self.part_time_button.clicked.connect(lambda: setup_terms.toggle_part_time(self))
        self.remove_button.clicked.connect(self.ask_remove)
        delete = QShortcut(QKeySequence(Qt.Key.Key_Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.ask_remove)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("从名册查找候选人：姓名 / 拼音 / 首字母，回车添加")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("查找候选人")
        self.search_box.setStyleSheet("font-size: 15pt; padding: 4px;")
        self.search_box.textChanged.connect(self._run_search)
        self.search_box.returnPressed.connect(self.add_found)
        self.results = QListWidget()
        # Four names at most (type more to narrow): the candidates keep 8 rows at 1366x768.
        self.results.setMaximumHeight(100)
        self.results.setMinimumHeight(60)
        self.results.setStyleSheet("font-size: 13pt;")
        self.results.itemDoubleClicked.connect(lambda _i: self._add_chosen())
        self.results.itemActivated.connect(lambda _i: self._add_chosen())     # Enter in the list
        self.results.itemClicked.connect(lambda _i: setattr(self, "_picked", True))
        self.search_box.installEventFilter(self)   # ↑↓ in the box choose in the list
        self.gender_box = QComboBox()
        self.gender_box.addItem("性别不详", None)
        self.gender_box.addItem("男", "M")
        self.gender_box.addItem("女", "F")
        self.typed_button = QPushButton("按输入的姓名添加（名册外）")
        self.typed_button.setToolTip("候选人不在名册中时，按查找框里输入的姓名添加")
        self.typed_button.clicked.connect(self.add_typed)
        typed = QHBoxLayout()
        typed.addWidget(self.gender_box)
        typed.addWidget(self.typed_button)
        typed.addStretch(1)
        typed.addWidget(self.part_time_button)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 13pt;")

        right = QWidget()
        right_lay = QVBoxLayout(right)
        right_lay.setContentsMargins(0, 0, 0, 0)
        # The title on its own row, 班子 and 职务 under it: on one row the column was wider than
        # a 1280 px screen leaves it, and the candidate table could not be seen whole.
        right_lay.addWidget(self.contest_title)
        title_row = QHBoxLayout()
        title_row.addWidget(QLabel("班子："))
        title_row.addWidget(self.contest_body_box, 1)
        title_row.addWidget(QLabel("职务："))
        title_row.addWidget(self.contest_post_box, 1)
        right_lay.addLayout(title_row)
        right_lay.addWidget(self.margin)
        right_lay.addWidget(self.table, 1)
        self.ballots_button = QPushButton("印制选票（PDF）")
        self.ballots_button.setToolTip("按当前候选人（姓氏笔画为序）生成本选举事项的选票，张数为应到人数")
        self.ballots_button.clicked.connect(self.print_ballots)
        self.ballots_task: Task | None = None
        output_folder.attach(self.ballots_button, self.ctx)  # the tooltip names where they go
        self.open_folder_button = QPushButton("打开文件夹")
        self.open_folder_button.setToolTip("打开刚生成的选票所在的文件夹")
        self.open_folder_button.clicked.connect(self._open_folder)
        self.open_folder_button.hide()  # until ballots were printed
        self.change_folder_button = QPushButton("更改输出文件夹…")
        self.change_folder_button.clicked.connect(lambda: output_folder.change(self, self.ctx))
        self.printed_to: Path | None = None
        buttons = QHBoxLayout()
        buttons.addWidget(self.ballots_button)
        buttons.addWidget(self.open_folder_button)
        buttons.addWidget(self.change_folder_button)
        buttons.addStretch(1)
        buttons.addWidget(self.remove_button)
        right_lay.addLayout(buttons)
        right_lay.addWidget(self.search_box)
        right_lay.addWidget(self.results)
        right_lay.addLayout(typed)
        right_lay.addWidget(self.message)
        self.right = right
        show_at_least(self.table, 8)
        # On a smaller screen the column scrolls rather than squeezing the candidates.
        right_scroll = QScrollArea()
        right_scroll.setWidgetResizable(True)
        right_scroll.setFrameShape(QFrame.Shape.NoFrame)
        right_scroll.setWidget(right)

        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right_scroll)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(split)
        self._new_preview()

    # --- contests ---------------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        m = self.ctx.meeting
        self.contests = meetings.list_contests(self.ctx.conn, m.id) if m else []
        current = self.contest
        keep = select_id if select_id is not None else (current.id if current else None)
        self.contest_list.blockSignals(True)
        self.contest_list.clear()
        for c in self.contests:
            n = len(meetings.list_candidates(self.ctx.conn, c.id))
            self.contest_list.addItem(QListWidgetItem(
                _list_text(c, n)))
        row = next((i for i, c in enumerate(self.contests) if c.id == keep), 0)
        self.contest_list.setCurrentRow(row if self.contests else -1)
        self.contest_list.blockSignals(False)
        self.setEnabled(m is not None)
        self._default_body()
        self._new_preview()
        self._contest_chosen(self.contest_list.currentRow())

    @property
    def contest(self) -> Contest | None:
        row = self.contest_list.currentRow() if hasattr(self, "contest_list") else -1
        return self.contests[row] if 0 <= row < len(self.contests) else None

    def _title_changed(self, title: str) -> None:
        post = post_of_old_title(title)
        if post or self.post_box.currentData() == MEMBER:
            self.post_box.setCurrentIndex(self.post_box.findData(post))
        self._default_body()
        single = title in ("书记", "副书记", "纪委书记", "主任", "副主任")
        self.kind_box.setCurrentIndex(self.kind_box.findData(
            ContestKind.LEADER if single else ContestKind.COMMITTEE))
        if single:
            self.seats_box.setValue(1)
        self._new_preview()

    def _default_body(self) -> None:
        m = self.ctx.meeting
        body = default_body(str(m.organisation), str(self.post_box.currentData() or "")) if m else ""
        self.body_box.setCurrentIndex(max(0, self.body_box.findData(body)))

    def _new_post(self, _index: int) -> None:
        """A single post chosen (书记, 主任 …): elected alone, like a title that is one."""
        self._default_body()
        if self.post_box.currentData() in LEADER_POSTS:
            self.kind_box.setCurrentIndex(self.kind_box.findData(ContestKind.LEADER))
            self.seats_box.setValue(1)
        self._new_preview()

    def _new_preview(self) -> None:
        """What the margin rule asks of the contest about to be added (0 candidates so far)."""
        m = self.ctx.meeting
        if m is None:
            self.new_margin.setText("")
            return
        f = margin_finding(m.rules, ContestKind(self.kind_box.currentData()), Round.FIRST,
                           self.seats_box.value(), 0)
        need = f.detail_zh.replace("候选人0名，", "") if f else ""
        self.new_margin.setText(f"候选人要求：{need}。{f.rule_zh}" if f else
                                "候选人要求：本会议规则未规定差额")
        self.new_margin.setStyleSheet(f"color: {AMBER};")

    def add_contest(self) -> Contest | None:
        m = self.ctx.meeting
        if m is None:
            return None
        title = self.title_box.currentText().strip()
        taken = {c.code for c in self.contests}
        code = next(f"c{i}" for i in range(1, 1000) if f"c{i}" not in taken)
        got = meetings.add_contest(self.ctx.conn, m.id, code=code, title=title,
                                   kind=ContestKind(self.kind_box.currentData()),
                                   seats=self.seats_box.value(),
                                   post=str(self.post_box.currentData() or ""),
                                   body=str(self.body_box.currentData() or ""),
                                   clock=self.ctx.clock, actor=self.ctx.actor)
        if isinstance(got, Refusal):
            self._say(self.contest_message, RED, got.message)
            return None
        self._say(self.contest_message, GREEN,
                  f"已添加：{got.body or '（未设定班子）'}{got.title}，应选{got.seats}名")
        self.reload(select_id=got.id)
        self.search_box.setFocus()
        return got

    def _contest_chosen(self, _row: int) -> None:
        c = self.contest
        self.right.setEnabled(c is not None)
        self.contest_title.setText(
            f"{c.title} · 应选 {c.seats} 名 · {KIND_SHORT[c.kind]}" if c else "请先添加选举事项")
        self.contest_post_box.setCurrentIndex(self.contest_post_box.findData(c.post if c else ""))
        self.contest_body_box.setCurrentIndex(max(0, self.contest_body_box.findData(
            canonical_body(c.body) or "" if c else "")))
        self.refresh_candidates()

    def _post_chosen(self, _index: int) -> None:
        from app.meetings.posts import set_contest_post

        c = self.contest
        if c is None:
            return
        got = set_contest_post(self.ctx.conn, c.id, str(self.contest_post_box.currentData() or ""),
                               clock=self.ctx.clock, actor=self.ctx.actor)
        if isinstance(got, Refusal):
            self._say(self.contest_message, RED, got.message)
            return
        self.contests[self.contest_list.currentRow()] = got
        self._say(self.contest_message, GREEN, f"职务已改为：{got.post or '不统计职务'}")

    def _body_chosen(self, _index: int) -> None:
        from app.meetings.posts import set_contest_body

        c = self.contest
        if c is None:
            return
        got = set_contest_body(self.ctx.conn, c.id, str(self.contest_body_box.currentData() or ""),
                               clock=self.ctx.clock, actor=self.ctx.actor)
        if isinstance(got, Refusal):
            self._say(self.contest_message, RED, got.message)
            return
        self._say(self.contest_message, GREEN,
                  f"{got.title}（{got.code}）的班子已改为：{got.body or '未设定'}")
        self.reload(select_id=got.id)

    # --- candidates -------------------------------------------------------------------------------

    def refresh_candidates(self) -> None:
        c, m = self.contest, self.ctx.meeting
        self.candidates = meetings.list_candidates(self.ctx.conn, c.id) if c else []
        held = candidate_posts(self.ctx.conn, m, c) if c and m else {}
        fill(self.table, [[str(row + 1), cand.name, GENDER_ZH.get(cand.gender, ""),
                           ("名册" if cand.person_id is not None else "手工录入")
                           + ("，兼职委员" if cand.part_time else ""),
                           f"已当选本届{h.body}{h.post}" if (h := held.get(cand.id)) else ""]
                          for row, cand in enumerate(self.candidates)])
        for row, cand in enumerate(self.candidates):   # already holds a post of the same body
            if (h := held.get(cand.id)) is not None and (item := self.table.item(row, 4)):
                item.setForeground(QBrush(QColor(AMBER)))
                item.setToolTip(f"{h.words()}；如再当选{c.post or c.title if c else ''}，须记录街道"
                                "（乡镇）选举工作指导机构意见后才能锁定该轮")
        if c is None or m is None:
            self.margin.setText("")
            return
        colour, words = margin_text(m.rules, c.kind, c.seats, len(self.candidates))
        if meetings.voting_started(self.ctx.conn, c.id):
            # Frozen: the first round holds these candidates and seats (the margin was checked
            # when it opened); say so instead of a green light that invites changes.
            colour, words = AMBER, f"已开始投票：{meetings.FROZEN_ZH}。"
        self._say(self.margin, colour, words, size=15)
        item = self.contest_list.item(self.contest_list.currentRow())
        if item is not None:
            item.setText(_list_text(c, len(self.candidates)))

    def _run_search(self) -> None:
        text = self.search_box.text().strip()
        self.found = search(self.ctx.conn, text, SEARCH_LIMIT) if text else []
        self.results.clear()
        for p in self.found:
            self.results.addItem(f"{p.name}　{GENDER_ZH.get(p.gender, '')}　{where(p)}")
        self._picked = False

    def add_found(self) -> Candidate | None:
        """Enter in the search box: the one person found, or the one the clerk chose with ↑↓.
        Several found and none chosen: ask — a guess (the first of 程红/程明/程敏 for "cheng",
        the first 张伟) went onto the ballot (a clerk's walk)."""
        row = self.results.currentRow()
        if self._picked and 0 <= row < len(self.found):
            return self._add_row(row)
        if len(self.found) == 1:
            return self._add_row(0)
        if not self.found:
            self._say(self.message, AMBER, "名册中没有找到；不在名册的候选人请按“按输入的姓名添加”")
            return None
        text = self.search_box.text().strip()
        self._say(self.message, AMBER, f"有 {len(self.found)} 人与“{text}”相符：请用 ↑↓ 选中后按回车"
                                       "（或双击），同名的看所在支部或小组")
        return None

    def _add_chosen(self) -> Candidate | None:
        row = self.results.currentRow()
        return self._add_row(row) if 0 <= row < len(self.found) else None

    def _add_row(self, row: int) -> Candidate | None:
        p = self.found[row]
        return self._add(name=p.name, person_id=p.id, gender=p.gender)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if obj is self.search_box and event.type() == QEvent.Type.KeyPress and self.found:
            assert isinstance(event, QKeyEvent)
            step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1}.get(Qt.Key(event.key()))
            if step is not None:
                current = self.results.currentRow() if self._picked else -1
                row = 0 if current < 0 else min(max(current + step, 0), len(self.found) - 1)
                self.results.setCurrentRow(row)
                self._picked = True
                return True
        return super().eventFilter(obj, event)

    def add_typed(self) -> Candidate | None:
        return self._add(name=self.search_box.text().strip(), person_id=None,
                         gender=self.gender_box.currentData())

    def _add(self, *, name: str, person_id: int | None, gender: str | None,
             despite_elected: str = "") -> Candidate | None:
        c = self.contest
        if c is None:
            return None
        got = meetings.add_candidate(self.ctx.conn, c.id, name=name, gender=gender,
                                     person_id=person_id, clock=self.ctx.clock,
                                     actor=self.ctx.actor, despite_elected=despite_elected)
        if isinstance(got, Refusal):
            self._say(self.message, RED, got.message)
            if got.code == "ALREADY_ELECTED":
                self._ask_despite_elected(got.message, name=name, person_id=person_id,
                                          gender=gender)
            return None
        self._say(self.message, GREEN, f"已添加候选人 {got.name}")
        self.search_box.clear()
        self.search_box.setFocus()
        self.refresh_candidates()
        return got

    def _ask_despite_elected(self, why: str, *, name: str, person_id: int | None,
                             gender: str | None) -> None:
        """The person already holds another post of the same body (the message line says which):
        not added unless a reason is written (e.g. the supervising office's decision); the
        reason is audited. A round electing that person is locked only with the supervising
        office's opinion recorded."""
        self.dialog = ReasonDialog(
            self, "已当选本届其他职务",
            f"{why.split('：', 1)[0]}。\n\n规则没有明文规定，由街道（乡镇）选举工作指导机构决定。"
            "仍列为候选人？须填写原因，记入审计日志；如其当选，须记录街道（乡镇）选举工作指导机构意见后才能锁定该轮。",
            DESPITE_ELECTED_REASONS, ok_text="仍列为候选人")
        self.dialog.reason_accepted.connect(
            lambda reason: self._add(name=name, person_id=person_id, gender=gender,
                                     despite_elected=reason))
        self.dialog.finished.connect(lambda _r: self.search_box.setFocus())
        self.dialog.open()
        lay = self.dialog.layout()   # the wrapped reason shown whole (a top-level window does
        if lay is not None:          # not grow to its label's height for its width by itself)
            width = max(self.dialog.width(), 560)
            self.dialog.resize(width, max(self.dialog.height(), lay.totalHeightForWidth(width)))

    def ask_remove(self) -> None:
        row = self.table.currentRow()
        if not (0 <= row < len(self.candidates)):
            self._say(self.message, AMBER, "请先在列表中选中要撤销的候选人")
            return
        cand = self.candidates[row]
        self.dialog = ReasonDialog(self, "撤销候选人",
                                   f"撤销 {cand.name} 的候选人资格？\n须填写原因，记入审计日志。",
                                   REMOVE_REASONS, ok_text="撤销候选人")
        self.dialog.reason_accepted.connect(lambda why: self._remove(cand, why))
        self.dialog.open()

    def _remove(self, cand: Candidate, why: str) -> None:
        got = meetings.remove_candidate(self.ctx.conn, cand.id, why=why, clock=self.ctx.clock,
                                        actor=self.ctx.actor)
        if isinstance(got, Refusal):
            self._say(self.message, RED, got.message)
        else:
            self._say(self.message, GREEN, f"已撤销候选人 {cand.name}（{why}）")
        self.refresh_candidates()

    def print_ballots(self) -> Task | None:
        """The ballots of the selected contest to PDF, in a worker (app/documents renderer)."""
        # Printing support loads on first use, not when the window opens on this step.
        from ui.pages.results_print import render_work

        c, m = self.contest, self.ctx.meeting
        if c is None or m is None or self.ballots_task is not None:
            return None
        folder = output_folder.ensure(self, self.ctx)
        if folder is None:
            return None
        out = folder / f"{safe_filename(f'{m.code}-{c.code}')}-ballots.pdf"
        task = Task(render_work(self.ctx.db_path, m.id, "ballots", out, self.ctx.clock.now(),
                                ["--contest", c.code]), self)
        task.finished.connect(lambda o: self._ballots_done(out, o))
        self.ballots_task = task
        self.ballots_button.setEnabled(False)
        self._say(self.message, AMBER, "正在生成选票…")
        task.start()
        return task

    def _ballots_done(self, out: Path, outcome: Outcome) -> None:
        from app.documents.kinds import Printed

        self.ballots_task = None
        self.ballots_button.setEnabled(True)
        got = outcome.result if outcome.ok else outcome.error
        if isinstance(got, Printed):
            self._say(self.message, GREEN, f"已生成选票 {got.items} 张：{out}")
            self.printed_to = out.parent
            self.open_folder_button.show()
        else:
            self._say(self.message, RED, "选票未能生成：" + (
                got.message if isinstance(got, Refusal) else str(got)))

    def _open_folder(self) -> None:
        if self.printed_to is not None:
            output_folder.open_path(self.printed_to, self)

    @staticmethod
    def _say(label: QLabel, colour: str, text: str, size: int = 13) -> None:
        label.setStyleSheet(f"color: {colour}; font-size: {size}pt; font-weight: bold;")
        label.setText(text)


def create(ctx: PageContext) -> QWidget:
    return ContestsPage(ctx)
