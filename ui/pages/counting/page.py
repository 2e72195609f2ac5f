"""The 投票计票 page: the round chooser and its tabs (see the package docstring)."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import meetings, voting
from app.meetings import Contest, Refusal
from app.permissions import Actor
from app.rules import Round
from app.voting import Mode, State, VotingRound
from app.voting.guard import entry_groups
from app.voting.progression import KIND_ZH
from ui.pages.context import PageContext
from ui.rights import Gate, denied
from ui.widgets.reason_dialog import ReasonDialog

GREEN = "#1b7f3b"
RED = "#c62828"
STATE_ZH = {State.OPEN: "计票中", State.CLOSED: "计票已结束", State.LOCKED: "结果已锁定"}
STATE_SHORT = {State.OPEN: "计票中", State.CLOSED: "已结束", State.LOCKED: "已锁定"}  # in the list
MODE_ZH = {Mode.BALLOTS: "逐张录入", Mode.TALLY: "正字计票单"}


class OpenRoundDialog(QDialog):
    def __init__(self, parent: QWidget, contest: Contest, kind: Round) -> None:
        super().__init__(parent)
        self.setWindowTitle("开始投票")
        self.kind = QComboBox()
        for k, text in KIND_ZH.items():
            self.kind.addItem(text, k)
        self.kind.setCurrentIndex(self.kind.findData(kind))
        self.mode = QComboBox()
        for m, text in MODE_ZH.items():
            self.mode.addItem(text, m)
        self.double = QCheckBox("两人分别录入（A、B）并比对")
        self.double.setChecked(True)
        form = QFormLayout()
        form.addRow("选举事项：", QLabel(f"{contest.title}（应选{contest.seats}名）"))
        form.addRow("轮次：", self.kind)
        form.addRow("计票方式：", self.mode)
        form.addRow("", self.double)
        note = QLabel("开始投票时冻结实到人数；达不到法定人数时不能开始。")
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert ok is not None
        ok.setText("开始投票")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(buttons)


class CountingPage(QWidget):
    round_changed = Signal(object)  # VotingRound | None

    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("CountingPage")
        self.contests: list[Contest] = []
        self.rounds: list[VotingRound] = []
        self.round: VotingRound | None = None
        self._seen: set[int] = set()  # round ids shown in the chooser so far
        self.dialog: QDialog | None = None
        self._build()
        # Hidden (built ahead of its step), it reads when shown: showEvent reloads.
        ctx.meeting_changed.connect(lambda _m: self.reload() if self.isVisible() else None)
        # 开始投票 on the 会议 page: the rounds at once
        ctx.voting_opened.connect(lambda: self.reload() if self.isVisible() else None)
        # Filled when shown (showEvent), once: the rounds are read then, not twice.

    def _build(self) -> None:
        from ui.pages.counting.compare_tab import CompareTab
        from ui.pages.counting.entry_tab import EntryTab
        from ui.pages.counting.scan_check_tab import ScanCheckTab
        from ui.pages.counting.scan_tab import ScanTab
        from ui.pages.counting.setup_tab import SetupTab
        from ui.pages.counting.tally_tab import TallyTab

        self.contest_box = QComboBox()
        self.contest_box.setMinimumWidth(180)
        self.contest_box.setAccessibleName("选举事项")
        self.contest_box.currentIndexChanged.connect(lambda _i: self.load_rounds())
        self.round_box = QComboBox()
        self.round_box.setMinimumWidth(200)
        self.round_box.setAccessibleName("轮次")
        self.round_box.currentIndexChanged.connect(lambda _i: self._round_chosen())
        self.open_button = QPushButton("开始新一轮…")   # short: the row stays whole at 1280 px
        self.open_button.setToolTip("开始投票（新一轮）：冻结实到人数并开放录入")
        self.open_button.clicked.connect(self.ask_open_round)
        self.entry_a = QRadioButton("录入组 A")
        self.entry_b = QRadioButton("录入组 B")
        self.entry_a.setChecked(True)
        self.entry_group = QButtonGroup(self)
        for b in (self.entry_a, self.entry_b):
            b.setStyleSheet("font-size: 14pt; font-weight: bold;")
            b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            self.entry_group.addButton(b)
        self.entry_group.buttonToggled.connect(self._entry_toggled)
        top = QHBoxLayout()
        top.addWidget(QLabel("选举事项："))
        # The two lists share what the row leaves over, down to their minimum widths, so the
        # 录入员 box and both entry groups stay whole on a 1280 px screen.
        for box, chars in ((self.contest_box, 8), (self.round_box, 12)):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(chars)   # 第2轮（另行选举） · 已锁定 whole
        top.addWidget(self.contest_box, 1)
        top.addWidget(QLabel("轮次："))
        top.addWidget(self.round_box, 1)
        top.addWidget(self.open_button)
        self.clerk_box = QLineEdit()
        self.clerk_box.setPlaceholderText("录入员姓名")
        self.clerk_box.setToolTip("记入每张选票的录入记录；不填时记为本机用户")
        self.clerk_box.setMaximumWidth(140)
        self.clerk_box.setMinimumWidth(  # the placeholder whole, even at 1280 px
            self.clerk_box.fontMetrics().horizontalAdvance(self.clerk_box.placeholderText()) + 24)
        top.addWidget(self.clerk_box)
        # Signed on with a PIN: the entries carry that member, no name is typed.
        def signed_on(a: object) -> None:   # built after the sign-on too (ahead of its step)
            self.clerk_box.setVisible(not (isinstance(a, Actor) and a.verified))

        self.ctx.actor_changed.connect(signed_on)
        if isinstance(self.ctx.actor, Actor) and self.ctx.actor.verified:
            # only hidden here: setVisible(True) on the box before the layout is on the page
            # showed it as a window of its own (and the window's close no longer asked)
            self.clerk_box.hide()
        top.addWidget(self.entry_a)
        top.addWidget(self.entry_b)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setStyleSheet("font-size: 14pt; color: #1b3550;")
        self.message = QLabel()
        self._said_of: tuple[int, State] | None = None  # the round and state said of (say)
        self.message.setWordWrap(True)
        self.message.setAccessibleName("提示")
        self.message.setMinimumHeight(60)  # two lines of 14 pt: a refusal is read in full
        self.close_button = QPushButton("结束计票")
        self.close_button.setToolTip("录入完成、A/B 差异已处理后结束计票，结果交验证")
        self.close_button.clicked.connect(self.close_counting)
        self.reopen_button = QPushButton("重新开放计票…")
        self.reopen_button.clicked.connect(self.ask_reopen)
        self.singing_button = QPushButton("唱票大屏幕")
        self.singing_button.clicked.connect(self._open_singing)
        # Who may, before the work (ui.rights): off for anyone else, the tooltip saying who may.
        self.gate = Gate(self.ctx, self)
        self.gate.add(self.open_button, "open_round", lambda: bool(self.contests))
        self.gate.add(self.close_button, "round_manage", lambda: self._in_state(State.OPEN))
        self.gate.add(self.reopen_button, "round_manage", lambda: self._in_state(State.CLOSED))
        # Another person signed on (切换人员, or after 退出登录 or the idle lock): what the last one
        # typed or was told is not for the next. The same person back keeps it.
        self._person = getattr(self.ctx.actor, "name", self.ctx.actor)
        self.ctx.actor_changed.connect(self._actor_changed)
        bottom = QHBoxLayout()  # the message beside the buttons: the tabs keep the height
        bottom.addWidget(self.message, 1)
        bottom.addWidget(self.singing_button)
        bottom.addWidget(self.reopen_button)
        bottom.addWidget(self.close_button)

        self.tabs = QTabWidget()
        self.setup_tab = SetupTab(self)
        self.entry_tab = EntryTab(self)
        self.compare_tab = CompareTab(self)
        self.tally_tab = TallyTab(self)
        self.scan_tab = ScanTab(self)
        self.scan_check_tab = ScanCheckTab(self)
        tabs = ((self.setup_tab, "监票人 · 票箱"), (self.entry_tab, "逐张录入"),
                (self.compare_tab, "双录比对"), (self.tally_tab, "正字计票单"),
                (self.scan_tab, "扫描认定"), (self.scan_check_tab, "扫描核对"))
        for i, (tab, title) in enumerate(tabs):
            self.tabs.addTab(tab, f"{title} (Alt+{i + 1})")
            key = QShortcut(QKeySequence(f"Alt+{i + 1}"), self)
            key.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            key.activated.connect(lambda i=i: self._go_tab(i))
        self.tabs.currentChanged.connect(lambda _i: self._focus_tab())
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.addLayout(top)
        lay.addWidget(self.status)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(bottom)

    # --- what is shown ----------------------------------------------------------------------------

    def _open_singing(self) -> None:
        self.entry_tab.open_singing()

    @property
    def clerk(self) -> str:
        """Who enters: the name typed at the top, else the session's actor. Where a staff list
        exists, the signed-on member (the Actor itself: a typed name would be unverified)."""
        actor = self.ctx.actor
        if isinstance(actor, Actor) and actor.verified:
            return actor
        name = self.clerk_box.text().strip()
        return f"{name}（{self.ctx.actor}）" if name else self.ctx.actor

    @property
    def entry(self) -> str:
        return "B" if self.entry_b.isChecked() else "A"

    @property
    def contest(self) -> Contest | None:
        i = self.contest_box.currentIndex()
        return self.contests[i] if 0 <= i < len(self.contests) else None

    def reload(self) -> None:
        m = self.ctx.meeting
        keep = self.contest.id if self.contest else None
        self.contests = meetings.list_contests(self.ctx.conn, m.id) if m else []
        self.contest_box.blockSignals(True)
        self.contest_box.clear()
        for c in self.contests:
            self.contest_box.addItem(f"{c.title}（应选{c.seats}名）", c.id)
        if keep is not None and self.contest_box.findData(keep) >= 0:
            self.contest_box.setCurrentIndex(self.contest_box.findData(keep))
        self.contest_box.blockSignals(False)
        self.gate.refresh()
        self.load_rounds()

    def load_rounds(self, select_id: int | None = None) -> None:
        c = self.contest
        keep = select_id if select_id is not None else (self.round.id if self.round else None)
        self.rounds = voting.list_rounds(self.ctx.conn, c.id) if c else []
        self.round_box.blockSignals(True)
        self.round_box.clear()
        for r in self.rounds:
            # Without the contest's title (the list beside names it): the round and its state
            # stay whole in the list at 1280 px; the full label is the tooltip.
            self.round_box.addItem(
                f"{r.label.removeprefix(r.contest_title)} · {STATE_SHORT[r.state]}", r.id)
            self.round_box.setItemData(self.round_box.count() - 1,
                                       f"{r.label} · {STATE_ZH[r.state]}",
                                       Qt.ItemDataRole.ToolTipRole)
        ids = [r.id for r in self.rounds]
        new = [i for i in ids if i not in self._seen]
        if new and select_id is None and self._seen:  # a round opened elsewhere (结果 page)
            keep = new[-1]
        self._seen.update(ids)
        self.round_box.setCurrentIndex(ids.index(keep) if keep in ids else len(ids) - 1)
        self.round_box.blockSignals(False)
        self._round_chosen()

    def refresh_round(self) -> None:
        """Re-read the current round (after a write) and tell the tabs."""
        if self.round is not None:
            self.load_rounds(self.round.id)

    def _round_chosen(self) -> None:
        i = self.round_box.currentIndex()
        self.round = self.rounds[i] if 0 <= i < len(self.rounds) else None
        r = self.round
        if self._said_of not in (None, self._state_key()):
            self.message.clear()   # said of another round, or of the round in another state
            self._said_of = None
        if r is None:
            self.status.setText("本选举事项尚未开始投票。" if self.contest else
                                "请先在“准备 · 选举事项”中设置选举事项和候选人。")
        else:
            s = r.snapshot
            self.status.setText(
                f"{r.label}　应选 {r.seats} 名 · 候选人 {len(r.candidates)} 名 · "
                f"{MODE_ZH[r.mode]}{_entry_words(self.ctx.conn, r)}　"
                f"冻结实到 {s.present} / 应到 {s.expected}（{s.taken_at[11:16]}）　"
                f"<b>{STATE_ZH[r.state]}</b>")
        self.gate.refresh()
        self.entry_b.setEnabled(r is not None and r.double_entry)
        if r is not None and not r.double_entry:
            self.entry_a.setChecked(True)
        ballots = r is not None and r.mode is Mode.BALLOTS
        self.tabs.setTabEnabled(1, ballots)
        self.tabs.setTabEnabled(2, ballots and r is not None and r.double_entry)
        self.tabs.setTabEnabled(3, r is not None and r.mode is Mode.TALLY)
        self.tabs.setTabEnabled(4, ballots)   # 扫描认定: scanned ballots become entry A
        self.tabs.setTabEnabled(5, ballots)   # 扫描核对 (and the test deck's result)
        self.round_changed.emit(r)

    def _in_state(self, state: State) -> bool:
        return self.round is not None and self.round.state is state

    def _actor_changed(self, actor: object) -> None:
        name = getattr(actor, "name", actor)
        if name != self._person:
            self._person = name
            self._person_left()

    def _person_left(self) -> None:
        """Another person signed on: the message said to the last person goes, and so does
        what they typed and did not enter (each tab's `person_left`)."""
        self.message.clear()
        self._said_of = None
        for tab in (self.setup_tab, self.entry_tab, self.tally_tab):
            tab.person_left()
        self._their_group()

    def _their_group(self) -> None:
        """The group of the person just signed on (A and B by different people): the one they
        entered is chosen for them; one who entered none is told who entered the group shown
        (the walk: 乙 signed on after 甲 stayed on 甲's group A and typed into it)."""
        r = self.round
        if r is None or not r.double_entry or r.state is not State.OPEN:
            return
        name = str(self.clerk)
        groups = entry_groups(self.ctx.conn, r.id)
        mine = [e for e in ("A", "B") if name in groups[e]]
        if len(mine) == 1:
            if mine[0] != self.entry:
                (self.entry_b if mine[0] == "B" else self.entry_a).setChecked(True)
            self.say(f"{name} 已录入组{mine[0]}：已选“录入组 {mine[0]}”")
        elif not mine and groups[self.entry]:
            other = "B" if self.entry == "A" else "A"
            self.say(f"录入组{self.entry}由 {'、'.join(sorted(groups[self.entry]))} 录入。"
                     f"{name} 接替续录请留在组{self.entry}；录入另一组请选“录入组 {other}”")

    def refuse_early(self, code: str, what: str) -> bool:
        """Reached anyway (a shortcut): say at once who may, before the work. True if refused."""
        why = denied(self.ctx, code)
        if why is not None:
            self.say(f"不能{what}：{why}", ok=False)
        return why is not None

    def _entry_toggled(self, _button: QRadioButton, on: bool) -> None:
        if on:  # entry A or B: the tabs show that clerk's ballots
            self.round_changed.emit(self.round)

    def _go_tab(self, i: int) -> None:
        if self.tabs.isTabEnabled(i):
            self.tabs.setCurrentIndex(i)

    def _focus_tab(self) -> None:
        self.message.clear()
        r = self.round
        if r is not None:   # locked, closed or reopened elsewhere (the command line, another page)
            fresh = voting.load_round(self.ctx.conn, r.id)
            if fresh is not None and (fresh.state, fresh.lock) != (r.state, r.lock):
                self.load_rounds(r.id)
        self.focus_first()

    def focus_first(self) -> None:
        """The current tab's own field (逐张录入's line): also where keys go after a sign-on."""
        w = self.tabs.currentWidget()
        if hasattr(w, "focus_first"):
            w.focus_first()

    def say(self, text: str, ok: bool = True) -> None:
        """A message about the current round in its current state: cleared when the round shown
        is another or its state changed (counting reopened from 结果 left "计票已结束" below a
        round 计票中)."""
        colour = GREEN if ok else RED
        self.message.setStyleSheet(f"font-size: 14pt; font-weight: bold; color: {colour};")
        self.message.setText(text)
        self._said_of = self._state_key()

    def _state_key(self) -> tuple[int, State] | None:
        r = self.round
        return (r.id, r.state) if r is not None else None

    # --- opening and closing a round --------------------------------------------------------------

    def suggested_kind(self) -> Round:
        """What the last round's decision calls for (decided by app.voting.progression)."""
        return voting.suggested_kind(self.ctx.conn, self.rounds[-1] if self.rounds else None)

    def ask_open_round(self) -> None:
        c = self.contest
        if c is None or self.refuse_early("open_round", "开始新一轮"):
            return
        dialog = OpenRoundDialog(self, c, self.suggested_kind())
        dialog.accepted.connect(lambda: self.open_round(
            dialog.kind.currentData(), dialog.mode.currentData(), dialog.double.isChecked()))
        self.dialog = dialog
        dialog.open()

    def open_round(self, kind: Round, mode: Mode = Mode.BALLOTS, double_entry: bool = True,
                   candidates: list[str] | None = None) -> VotingRound | None:
        c = self.contest
        if c is None:
            return None
        got = voting.open_round(self.ctx.conn, c.id, actor=self.ctx.actor, clock=self.ctx.clock,
                                kind=kind, mode=mode, double_entry=double_entry,
                                candidates=candidates)
        if isinstance(got, Refusal):
            self.say(f"不能开始投票：{got.message}", ok=False)
            return None
        self.ctx.message.emit(f"{got.label}已开始")
        self.load_rounds(got.id)
        self.say(f"{got.label} 已开始：冻结实到 {got.snapshot.present} 人")
        self.ctx.voting_opened.emit()  # the 会议 page shows the freeze
        self.tabs.setCurrentIndex(0)
        return got

    def select_round(self, contest_id: int, round_id: int) -> None:
        """Show a given round (the results page opens the round it created)."""
        i = self.contest_box.findData(contest_id)
        if i < 0:
            self.reload()
            i = self.contest_box.findData(contest_id)
        self.contest_box.setCurrentIndex(i)
        self.load_rounds(round_id)

    def close_counting(self) -> None:
        r = self.round
        if r is None:
            return
        got = voting.close_round(self.ctx.conn, r.id, actor=self.ctx.actor, clock=self.ctx.clock)
        if isinstance(got, Refusal):
            self.say(f"不能结束计票：{got.message}", ok=False)
            return
        self.refresh_round()
        self.say(f"{got.label} 计票已结束，请到“结果”页验证并锁定")

    def ask_reopen(self) -> None:
        r = self.round
        if r is None or self.refuse_early("round_manage", "重新开放计票"):
            return
        dialog = ReasonDialog(self, "重新开放计票", f"重新开放 {r.label} 的计票以更正录入？",
                              ("发现录入错误，须更正",), ok_text="重新开放")
        dialog.reason_accepted.connect(lambda why: self._reopen(r, why))
        self.dialog = dialog
        dialog.open()

    def _reopen(self, r: VotingRound, why: str) -> None:
        got = voting.reopen_round(self.ctx.conn, r.id, why=why, actor=self.ctx.actor,
                                  clock=self.ctx.clock)
        if isinstance(got, Refusal):
            self.say(got.message, ok=False)
            return
        self.refresh_round()
        self.say(f"{got.label} 已重新开放计票（{why}）")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.reload()


def _entry_words(conn: sqlite3.Connection, r: VotingRound) -> str:
    """How the round's ballots are entered: counted from scans (entry A) where they are."""
    if voting.scans_counted(conn, r.id):
        return "（扫描计入录入组 A" + ("，B 双录）" if r.double_entry else "）")
    return "（A、B 双录）" if r.double_entry else ""
