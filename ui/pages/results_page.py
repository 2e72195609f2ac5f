"""结果: the one-pass validation of every round (app.voting.validate_meeting, off the GUI thread),
every finding with its severity colour and the rule in words; lock (no error finding, 监票人 and
计票人 named: the core refuses otherwise and says why) and unlock with a reason; the next round
(另行选举 / 重新投票) created from the decision with its seats and candidates filled in; for
party elections the meeting's decision not to fill the remaining seats; the documents to PDF
(app/documents renderers, off the GUI thread) and to a printer (ui.pages.results_print).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import permissions, voting
from app.meetings import Refusal
from app.meetings.words import FORM_ZH
from app.rules import STATUS_ZH, Round
from app.voting import MeetingValidation, RoundValidation, State
from app.voting.model import LOCK_CODE_ZH, RESULT_CODE_ZH, locked_words
from app.voting.progression import KIND_ZH, may_decide_no_fill, may_open_next
from app.voting.report import box_totals_zh, round_lines
from app.voting.validate import DECISION_HINT_ZH, DECISION_MIN
from ui import signon
from ui.ops import Op, OpFailure, error_dialog, run_op
from ui.pages.context import PageContext
from ui.pages.results_print import PrintPanel
from ui.rights import Gate, denied
from ui.widgets.reason_dialog import ReasonDialog
from ui.widgets.table_rows import show_at_least

GREEN, RED, AMBER, GREY = "#1b7f3b", "#c62828", "#9a5b13", "#607d8b"
UNLOCK_REASONS = ("发现录入错误，须更正后重新锁定",)
TALLY_HEADERS = ("姓名", "赞成", "不赞成", "弃权", "结果")
NEXT_STATE = object()  # a message about the state the next validation will show


def validate_in_thread(_db_path: Path, meeting_id: int) -> Callable[[sqlite3.Connection], Any]:
    """The meeting's validation, run by the database's worker (ui.ops) on its connection."""

    def work(conn: sqlite3.Connection) -> MeetingValidation | Refusal:
        return voting.validate_meeting(conn, meeting_id)
    return work


class NoFillDialog(QDialog):
    """Who decided not to fill the remaining seats, and why (rules.md §1.6)."""

    def __init__(self, parent: QWidget, decided_by: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("决定不再补选剩余名额")
        self.decided_by = QLineEdit(decided_by)   # the meeting's own kind (委员会全体会议 …)
        self.why = QLineEdit()
        self.why.setPlaceholderText("理由，如：当选人数已接近应选名额且符合委员会最低人数")
        form = QFormLayout()
        form.addRow("决定人（会议）：", self.decided_by)
        form.addRow("理由：", self.why)
        note = QLabel("此为会议的决定，本软件只作记录。")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(note)
        lay.addWidget(self.buttons)
        self.setMinimumWidth(520)


class DecisionDialog(ReasonDialog):
    """锁定结果 of a round whose only problem is one the lock passes with a recorded decision
    (a person elected to a second post of the same 居委会: the rules are silent, the supervising
    office decides): the office's decision in words, required (DECISION_MIN characters). The
    reason dialog's behaviour (OK and Enter wait for the text, Esc cancels); `decision` is its
    text box."""

    def __init__(self, parent: QWidget, v: RoundValidation, *, then_pins: bool) -> None:
        what = "；".join(p.message for p in v.needs_decision)
        super().__init__(
            parent, "锁定结果：记录指导机构意见", f"{v.round.label}：{what}",
            ok_text="下一步：两名监票人输入PIN" if then_pins else "确认锁定",
            note=f"如街道（乡镇）选举工作指导机构同意本轮结果，请写明其意见（必填，至少 {DECISION_MIN} "
                 "个字）。意见与锁定人一并记入审计日志，结果验证和报送包中注明按此决定锁定（不算一次性选举成功）。",
            field="指导机构意见", placeholder=DECISION_HINT_ZH, min_chars=DECISION_MIN)
        self.setMinimumWidth(640)
        self.message.setStyleSheet(f"font-size: 12pt; color: {AMBER};")
        self.decision = self.line


class ResultsPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("ResultsPage")
        self.validation: MeetingValidation | None = None
        self.items: list[RoundValidation] = []
        self.task: Op | None = None       # the validation under way
        self.lock_task: Op | None = None  # a lock, unlock, next round or no-fill under way
        self.person_dialog: signon.SignOnDialog | None = None  # the second 监票人 / 总监票人
        self._again = False
        self._said_of: object = None  # the round state the message is about
        self.dialog: QDialog | None = None
        self.decision = ""   # the decision typed for the lock under way (DecisionDialog)
        self._may_next = self._may_no_fill = False   # offered for the round shown (show_round)
        self._build()
        ctx.meeting_changed.connect(lambda _m: self.run_validation())

    def _build(self) -> None:
        self.validate_button = QPushButton("一次性验证 (F5)")
        self.validate_button.setMinimumHeight(44)
        self.validate_button.setStyleSheet("font-size: 14pt; padding: 4px 18px;")
        self.validate_button.clicked.connect(self.run_validation)
        f5 = QShortcut(QKeySequence(Qt.Key.Key_F5), self)
        f5.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        f5.activated.connect(self.run_validation)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("font-size: 15pt; font-weight: bold;")
        top = QHBoxLayout()
        top.addWidget(self.validate_button)
        top.addWidget(self.summary, 1)

        self.rounds = QListWidget()
        self.rounds.setStyleSheet("font-size: 13pt;")
        self.rounds.currentRowChanged.connect(lambda _r: self.show_round())
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-size: 17pt; font-weight: bold; color: #1b3550;")
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.figures.setStyleSheet("font-size: 13pt;")
        self.figures.setTextFormat(Qt.TextFormat.RichText)
        self.figures.setMinimumHeight(90)
        self.tally = QTableWidget(0, len(TALLY_HEADERS))
        self.tally.setHorizontalHeaderLabels(TALLY_HEADERS)
        self.tally.verticalHeader().hide()
        self.tally.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tally.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tally.horizontalHeader().setStretchLastSection(True)
        self.tally.setStyleSheet("font-size: 14pt;")
        self.findings = QListWidget()
        self.findings.setWordWrap(True)
        self.findings.setStyleSheet("font-size: 13pt;")
        self.findings.setAccessibleName("验证结果")
        self.lock_button = QPushButton("锁定结果")
        self.lock_button.clicked.connect(self.lock)
        self.unlock_button = QPushButton("解除锁定…")
        self.unlock_button.clicked.connect(self.ask_unlock)
        self.next_button = QPushButton("开始下一轮…")
        self.next_button.clicked.connect(self.ask_next_round)
        self.box: QMessageBox | None = None
        self.error_box: QMessageBox | None = None  # a write that failed (ui.ops.error_dialog)
        self.no_fill_button = QPushButton("会议决定不再补选…")
        self.no_fill_button.clicked.connect(self.ask_no_fill)
        for b in (self.lock_button, self.unlock_button, self.next_button, self.no_fill_button):
            b.setMinimumHeight(40)
        # Who may, before the work (ui.rights): off for anyone else, the tooltip saying who may.
        self.gate = Gate(self.ctx, self)
        self.gate.add(self.next_button, "open_round",
                      lambda: self._may_next and self.lock_task is None)
        self.gate.add(self.no_fill_button, "round_manage",
                      lambda: self._may_no_fill and self.lock_task is None)
        # Another person signed on: what the last one was told is not for the next.
        self._person = getattr(self.ctx.actor, "name", self.ctx.actor)
        self.ctx.actor_changed.connect(self._person_left)
        actions = QHBoxLayout()
        for b in (self.lock_button, self.unlock_button, self.next_button, self.no_fill_button):
            actions.addWidget(b)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setMinimumHeight(60)
        # Why 锁定结果 is not offered, beside the buttons where the message goes while nothing
        # is said (a clerk who clicked it anyway had two 监票人 type their PINs before the
        # refusal came); the findings list has the details, the button's tooltip all of it.
        self.lock_why = QLabel()
        self.lock_why.setWordWrap(True)
        self.lock_why.setStyleSheet(f"font-size: 12pt; color: {RED};")
        self.lock_why.setAccessibleName("不能锁定的原因")
        self.lock_why.setMinimumHeight(60)
        self.lock_why.hide()
        actions.addWidget(self.message, 1)  # beside the buttons: the tally keeps the height
        actions.addWidget(self.lock_why, 1)
        self.print_panel = PrintPanel(self)

        # The tally (at least 8 candidates without scrolling) beside the findings; on a screen
        # smaller than 1366x768 the column scrolls rather than squeezing them.
        show_at_least(self.tally, 8)
        findings = QWidget()
        f_lay = QVBoxLayout(findings)
        f_lay.setContentsMargins(0, 0, 0, 0)
        note = QLabel("验证结果（红色为错误，须处理后才能锁定；橙色为提示）：")
        note.setWordWrap(True)
        f_lay.addWidget(note)
        f_lay.addWidget(self.findings, 1)
        middle = QSplitter()
        middle.setChildrenCollapsible(False)
        middle.addWidget(self.tally)
        middle.addWidget(findings)
        middle.setStretchFactor(0, 3)
        middle.setStretchFactor(1, 2)
        column = QWidget()
        r_lay = QVBoxLayout(column)
        r_lay.setContentsMargins(0, 0, 0, 0)
        r_lay.addWidget(self.heading)
        r_lay.addWidget(self.figures)
        r_lay.addWidget(middle, 1)
        r_lay.addLayout(actions)
        right = QScrollArea()
        right.setWidgetResizable(True)
        right.setFrameShape(QFrame.Shape.NoFrame)
        right.setWidget(column)
        split = QSplitter()
        split.addWidget(self.rounds)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 960])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.print_panel)

    # --- validation -------------------------------------------------------------------------------

    def is_idle(self) -> bool:
        return self.task is None and self.lock_task is None and not self._again

    def run_validation(self) -> None:
        m = self.ctx.meeting
        if m is None:
            return
        if self.task is not None:  # a write happened meanwhile: validate again when done
            self._again = True
            return
        self.summary.setStyleSheet("font-size: 15pt; font-weight: bold; color: #37474f;")
        self.summary.setText("正在验证…")
        self.validate_button.setEnabled(False)
        # After the writes asked before it: the database's operations run in order.
        self.task = run_op(self, self.ctx.db_path, validate_in_thread(self.ctx.db_path, m.id),
                           self._validated, self._not_validated)

    def _validated(self, got: MeetingValidation | Refusal) -> None:
        self.task = None
        self.validate_button.setEnabled(True)
        if self._again:
            self._again = False
            self.run_validation()
            return
        if isinstance(got, Refusal):
            self.summary.setText(f"验证未能完成：{got.message}")
            return
        self.set_validation(got)

    def _not_validated(self, failure: OpFailure) -> None:
        self.task = None
        self.validate_button.setEnabled(True)
        self._again = False
        self.summary.setText(f"验证未能完成：{failure.words}")

    def set_validation(self, mv: MeetingValidation) -> None:
        keep = self.current.round.id if self.current else None
        self.validation = mv
        self.items = list(mv.rounds)
        self.print_panel.follow()   # the lock-only documents greyed until the lock
        if not self.items:
            colour, text = AMBER, "尚无投票轮次：请先在“投票计票”中开始投票并录入选票"
        elif mv.complete:
            success = "一次性选举成功" if mv.one_pass_success else "选举已完成（非一次性选举成功）"
            colour, text = GREEN, f"{success}：" + "；".join(
                f"{c.title} 当选 {'、'.join(c.elected) or '无'}" for c in mv.contests)
            if why := self._summary_problems(mv):   # e.g. one person elected to two posts
                colour, text = AMBER, f"{text}\n{why}"
            from app.documents.results_source import result_code

            if code := result_code(mv):  # the value the notice and the report print
                text += f"\n{RESULT_CODE_ZH} {code}（印在选举结果公告、报告单页脚）"
        else:
            open_ = [c.title for c in mv.contests if not c.complete]
            colour, text = RED, "尚未完成：" + "、".join(open_)
        self.summary.setStyleSheet(f"font-size: 15pt; font-weight: bold; color: {colour};")
        self.summary.setText(text)
        self.rounds.blockSignals(True)
        self.rounds.clear()
        for v in self.items:
            r = v.round
            state = ("已锁定（按记录的决定）" if v.decided and r.state is State.LOCKED else
                     "已锁定" if r.state is State.LOCKED else
                     "可锁定" if v.may_lock else
                     "须记录指导机构意见后锁定" if v.needs_decision else "不能锁定")
            item = QListWidgetItem(f"{r.label}\n{state}")
            colour = (AMBER if v.problems else   # decided, needs_decision: problems too
                      GREEN if v.may_lock or r.state is State.LOCKED else RED)
            item.setForeground(QBrush(QColor(colour)))
            self.rounds.addItem(item)
        ids = [v.round.id for v in self.items]
        self.rounds.setCurrentRow(ids.index(keep) if keep in ids else len(ids) - 1)
        self.rounds.blockSignals(False)
        self.show_round()

    @staticmethod
    def _summary_problems(mv: MeetingValidation) -> str:
        """What a completed meeting's rounds still carry (a person elected to two posts of one
        body, decided at the lock or not yet): said under the summary, which is then amber."""
        said = []
        for v in mv.rounds:
            for p in v.problems:
                who = p.message.split("：", 1)[0]
                state = ("已按记录的决定锁定" if p.decision and v.round.state is State.LOCKED else
                         "已记录确认，可锁定" if p.decision else
                         "须记录指导机构意见后锁定" if v.needs_decision else "不能锁定")
                said.append(f"{v.round.label}：{who}（{state}）")
        return ("注意：" + "；".join(said)) if said else ""

    @property
    def current(self) -> RoundValidation | None:
        row = self.rounds.currentRow() if hasattr(self, "rounds") else -1
        return self.items[row] if 0 <= row < len(self.items) else None

    def show_round(self) -> None:
        v = self.current
        if self._said_of is NEXT_STATE and v is not None and self.task is None:
            self._said_of = self._state_of(v)  # the state the action's validation shows
        elif self._said_of not in (None, NEXT_STATE) and (
                v is None or self._state_of(v) != self._said_of):
            self.message.clear()  # said of another round or another state: no longer true
            self._said_of = None
            if hasattr(self, "print_panel") and "#c62828" in self.print_panel.status.styleSheet():
                self.print_panel.status.clear()  # "未能生成：尚未锁定" is stale after a lock
        for b in (self.lock_button, self.unlock_button, self.next_button, self.no_fill_button):
            b.setEnabled(False)
        self._may_next = self._may_no_fill = False
        self.findings.clear()
        self.tally.setRowCount(0)
        if v is None:
            self.heading.setText("")
            self.figures.setText("")
            self.lock_why.clear()
            self._show_why()
            return
        r, res = v.round, v.result
        lock = f"　已锁定 · {LOCK_CODE_ZH} {r.lock.hash}" if r.lock else ""
        self.heading.setText(f"{r.label}{lock}")
        s = r.snapshot
        officials = (f"监票人：{'、'.join(r.officials.scrutineers) or '未登记'}　"
                     f"计票人：{'、'.join(r.officials.counters) or '未登记'}")
        if res is None:
            self.figures.setText(f"应到 {s.expected}　实到 {s.present}　{officials}")
        else:
            c = res.count
            self.figures.setText(
                # 发出 and 收回 are the boxes' figures, the same sums 投票计票 shows (never the
                # core's stand-in of 实到 while no box is recorded); the ballots counted are 已录入.
                f"应到 {s.expected}　实到 {s.present}　{box_totals_zh(r)}　"
                f"已录入 {c.returned}（有效 {c.valid}　无效 {c.invalid}）　应选 {r.seats} 名\n"
                f"<b>{STATUS_ZH[res.status]}</b>　{res.threshold_zh}\n{officials}"
                .replace("\n", "<br>"))
            self._show_tally(v)
        next_kind = voting.NEXT_KIND.get(res.status) if res else None
        self.next_button.setText({Round.RUNOFF: "开始另行选举…",
                                  Round.TIE_REVOTE: "开始重新投票…"}.get(next_kind, "开始下一轮…")
                                 if next_kind else "开始下一轮…")
        self._show_findings(v)
        self.unlock_button.setEnabled(r.state is State.LOCKED)
        rounds = [x.round for x in self.items]
        self._may_next = may_open_next(res, r, rounds)
        self._may_no_fill = may_decide_no_fill(res, r, rounds, self.ctx.meeting)
        self.gate.refresh()
        why = self.lock_refusal(v)
        self.lock_button.setEnabled(r.state is not State.LOCKED and not why)
        self.lock_button.setToolTip(self.lock_refusal(v, whole=True))
        self.lock_why.setStyleSheet(f"font-size: 12pt; color: {AMBER if v.needs_decision else RED};")
        if v.needs_decision:   # lockable with the supervising office's decision, in words
            why = ("锁定须记录决定：" + "；".join(p.message.split("：", 1)[0] for p in v.needs_decision)
                   + "。如街道（乡镇）选举工作指导机构同意，点「锁定结果」并填写“指导机构意见”")
        self.lock_why.setText(why)
        self._show_why()

    def _show_why(self) -> None:
        """The reason beside the buttons while no message takes that place."""
        said = bool(self.message.text())
        self.message.setVisible(said or not self.lock_why.text())
        self.lock_why.setVisible(not said and bool(self.lock_why.text()))

    def lock_refusal(self, v: RoundValidation, whole: bool = False) -> str:
        """Why the round cannot be locked, and what makes it lockable, in the words of the
        buttons beside ("" when it can be locked, or is locked): the reasons' titles, or
        `whole` as the lock refuses."""
        if v.round.state is State.LOCKED or v.may_lock or v.needs_decision:
            return ""   # needs_decision: the lock asks for the decision (DecisionDialog)
        reasons = v.lock_reasons if whole else (
            [p.message for p in v.problems]
            + [f"{f.title_zh}（{f.code.value}）" for f in v.blocking])
        words = "不能锁定：" + "；".join(reasons)
        ways = [f"「{b.text().rstrip('…')}」" for b, may in ((self.next_button, self._may_next),
                                                          (self.no_fill_button, self._may_no_fill))
                if may]
        if ways:
            words += f"。{'或'.join(ways)}后本轮即可锁定"
        return words

    def _show_tally(self, v: RoundValidation) -> None:
        res = v.result
        assert res is not None
        tie = set(res.tie.names) if res.tie else set()
        rows = res.count.tally
        self.tally.setRowCount(len(rows))
        for i, t in enumerate(rows):
            verdict = ("当选" if t.name in res.elected else "票数相等，须重新投票" if t.name in tie
                       else "")
            cells = (t.name + ("（另选）" if t.write_in else ""), t.approve, t.disapprove,
                     t.abstain, verdict)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(str(text))
                if t.name in res.elected:
                    item.setForeground(QBrush(QColor(GREEN)))
                self.tally.setItem(i, col, item)

    def _show_findings(self, v: RoundValidation) -> None:
        def add(colour: str, text: str) -> None:
            item = QListWidgetItem(text)
            item.setForeground(QBrush(QColor(colour)))
            self.findings.addItem(item)

        colours = {"problem": RED, "error": RED, "warning": AMBER, "settled": GREY,
                   "note": GREY, "ok": GREEN}
        for line in round_lines(v):  # the words `pollday validate` prints too
            add(colours[line.level], line.text)

    # --- lock, unlock, next round, no fill ----------------------------------------------------

    def _person_left(self, actor: object) -> None:
        name = getattr(actor, "name", actor)
        if name == self._person:   # the same person back (idle lock): their message stays
            return
        self._person = name
        self.message.clear()
        self.print_panel.person_left()   # a red print refusal is not the next person's either
        self._said_of = None
        self._show_why()

    def _refused_early(self, code: str, what: str) -> bool:
        """Reached anyway (a shortcut): who may, said at once, before any dialog."""
        why = denied(self.ctx, code)
        if why is not None:
            self.say(f"不能{what}：{why}", ok=False)
        return why is not None

    def say(self, text: str, ok: bool = True) -> None:
        """A message about the current round in its current state: cleared when another round
        is shown or a validation shows the round in another state (see show_round). What an
        action just did (ok) is about the state the validation it starts will show."""
        self.message.setStyleSheet(f"font-size: 14pt; font-weight: bold; color: "
                                   f"{GREEN if ok else RED};")
        self.message.setText(text)
        self._show_why()
        v = self.current
        self._said_of = NEXT_STATE if ok else self._state_of(v) if v is not None else None

    @staticmethod
    def _state_of(v: RoundValidation) -> tuple[object, ...]:
        """What a message about a round depends on: the round, its state, lockable or not and
        what blocks it."""
        return (v.round.id, v.round.state, v.may_lock, tuple(p.code for p in v.problems),
                v.round.lock.hash if v.round.lock else "")

    def _write(self, fn: Callable[[sqlite3.Connection], Any],
               done: Callable[[Any], None], title: str) -> bool:
        """One write of this page on the database's worker (ui.ops): the buttons wait for it,
        `done` shows its answer; a failure is said in a dialog (the default of ui.ops)."""
        if self.lock_task is not None:
            return False
        for b in (self.lock_button, self.unlock_button, self.next_button, self.no_fill_button):
            b.setEnabled(False)

        def finished(got: Any) -> None:
            self.lock_task = None
            done(got)

        def failed(failure: OpFailure) -> None:
            self.lock_task = None
            self.say(f"{title}：{failure.words}", ok=False)
            self.show_round()
            self.error_box = error_dialog(self, title, failure)

        self.lock_task = run_op(self, self.ctx.db_path, fn, finished, failed, title=title)
        return True

    def lock(self) -> None:
        """Lock the current round on the database's worker (the core re-validates every
        ballot). Where a staff list exists a second 监票人 signs on first (two-person lock)."""
        v = self.current
        if v is None or self.lock_task is not None:
            return
        if why := self.lock_refusal(v, whole=True):   # said before anyone types a PIN
            self.say(f"{v.round.label} {why}", ok=False)
            return
        self.decision = ""
        if v.needs_decision:   # the decision first, then the PINs (the two people decide it)
            dialog = DecisionDialog(self, v, then_pins=permissions.enforced(self.ctx.conn))
            dialog.accepted.connect(lambda: self._decided(v, dialog.text()))
            self.dialog = dialog
            dialog.open()
            return
        self._sign_on_to_lock(v)

    def _decided(self, v: RoundValidation, decision: str) -> None:
        self.decision = decision
        self._sign_on_to_lock(v)

    def _sign_on_to_lock(self, v: RoundValidation) -> None:
        if not permissions.enforced(self.ctx.conn):
            self._lock(v, None)
            return
        first = self.ctx.actor
        if permissions.check(self.ctx.conn, "lock_result", first) is not None:
            # The person at this laptop is no 监票人 (the 主持人, say): two 监票人 sign on here.
            def first_ok(one: permissions.Actor) -> str | None:
                refused = permissions.check(self.ctx.conn, "lock_result", one)
                return refused.message if refused else None

            self.say(f"锁定须两名监票人：{first} 不是监票人，请两名监票人依次输入姓名和PIN", ok=False)
            self.person_dialog = signon.ask_person(
                self, self.ctx.conn, self.ctx.clock, title="锁定结果：第一名监票人",
                question=f"锁定 {v.round.label} 须两名不同的监票人（或总监票人和一名监票人）。"
                         "请第一人选择本人姓名并输入PIN。",
                ok_text="下一步", check=first_ok, names=permissions.who_may(self.ctx.conn, "lock_result"),
                on_done=lambda one: self._ask_second(v, one))
            return
        self._ask_second(v, first)

    def _ask_second(self, v: RoundValidation, first: str) -> None:
        def second_ok(second: permissions.Actor) -> str | None:
            refused = permissions.check_two(self.ctx.conn, "lock_result", first, second)
            return refused.message if refused else None

        self.say(f"锁定须两人：请第二名监票人（不是 {first}）输入姓名和PIN")
        self.person_dialog = signon.ask_person(
            self, self.ctx.conn, self.ctx.clock, title="锁定结果：第二名监票人",
            question=f"锁定 {v.round.label} 须两名不同的监票人（或总监票人和一名监票人）。"
                     f"第一人：{first}（{first.roles_zh() if isinstance(first, permissions.Actor) else ''}）。"
                     "请第二人选择本人姓名并输入PIN。",
            ok_text="确认锁定", check=second_ok,
            names=permissions.who_may(self.ctx.conn, "lock_result", but=str.__str__(first)),
            on_done=lambda second: self._lock(v, second, first))

    def _lock(self, v: RoundValidation, second: permissions.Actor | None,
              first: str | None = None) -> None:
        rid, actor, clock = v.round.id, first or self.ctx.actor, self.ctx.clock
        decision, self.decision = self.decision, ""
        if self._write(lambda conn: voting.lock_round(conn, rid, actor=actor, clock=clock,
                                                      second=second, decision=decision),
                       self._locked, "未能锁定"):
            self.say("正在锁定…")

    def _locked(self, got: RoundValidation | Refusal) -> None:
        if isinstance(got, Refusal):
            self.say(got.message, ok=False)
            self.show_round()
            return
        lock = got.round.lock
        decided = f"；按记录的决定锁定：{lock.decision}" if lock and lock.decision else ""
        self.say(locked_words(got.round.label, lock.hash if lock else "") + decided)
        self.ctx.message.emit(f"{got.round.label} 结果已锁定")
        self.run_validation()

    def ask_unlock(self) -> None:
        v = self.current
        if v is None:
            return
        denied = permissions.check(self.ctx.conn, "unlock_result", self.ctx.actor)
        if denied:   # the 总监票人 signs on for this unlock (the window's person stays)
            self.say(denied.message, ok=False)

            def chief_ok(chief: permissions.Actor) -> str | None:
                refused = permissions.check(self.ctx.conn, "unlock_result", chief)
                return refused.message if refused else None

            self.person_dialog = signon.ask_person(
                self, self.ctx.conn, self.ctx.clock, title="解除锁定：总监票人",
                question=f"解除 {v.round.label} 的锁定只有总监票人可以操作。请总监票人选择本人姓名并输入PIN。",
                ok_text="继续", check=chief_ok, on_done=lambda chief: self._ask_reason(v, chief),
                names=permissions.who_may(self.ctx.conn, "unlock_result"))
            return
        self._ask_reason(v, None)

    def _ask_reason(self, v: RoundValidation, chief: permissions.Actor | None) -> None:
        if chief is not None:   # the refusal said to the window's person is done with
            self.say(f"{chief.name}（{chief.roles_zh()}）解除锁定：请写明原因")
        dialog = ReasonDialog(self, "解除锁定", f"解除 {v.round.label} 的锁定？须写明原因，记入审计日志。",
                              UNLOCK_REASONS, ok_text="解除锁定")
        dialog.reason_accepted.connect(lambda why: self.unlock(v, why, chief))
        self.dialog = dialog
        dialog.open()

    def unlock(self, v: RoundValidation, why: str, chief: permissions.Actor | None = None
               ) -> None:
        rid, actor, clock = v.round.id, chief or self.ctx.actor, self.ctx.clock

        def done(got: Any) -> None:
            if isinstance(got, Refusal):
                self.say(got.message, ok=False)
                self.show_round()
                return
            # Unlocking reopens counting: say so, and who does what next (the 主持人 ends
            # counting; the page alone said only 不能锁定：计票尚未结束).
            self.say(f"{got.label} 已解除锁定（{why}）。计票已重新打开：改正后由主持人在"
                     "“投票计票”页点“结束计票”，再由两名监票人各自输入PIN锁定结果。")
            self.run_validation()

        if self._write(lambda conn: voting.unlock_round(conn, rid, why=why, actor=actor,
                                                        clock=clock), done, "未能解除锁定"):
            self.say("正在解除锁定…")

    def ask_next_round(self) -> None:
        """开始另行选举 / 重新投票 asks first, and says when the current round cannot be locked."""
        v = self.current
        kind = voting.follow_up(v.result, v.round) if v is not None else None
        if v is None or kind is None or self._refused_early("open_round", f"开始{KIND_ZH[kind]}"):
            return
        what = KIND_ZH[kind]
        text = f"开始{what}？\n将按 {v.round.label} 的结果填入应选名额和候选人，并开始投票。"
        if not v.may_lock:
            why = [x.message for x in v.problems] + [f.title_zh for f in v.blocking]
            text += (f"\n\n注意：{v.round.label} 还不能锁定："
                     + "；".join(why[:3]) + "。开始下一轮前请确认本轮结果无误。")
        box = QMessageBox(QMessageBox.Icon.Question, f"开始{what}", text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(f"开始{what}")
        box.button(QMessageBox.StandardButton.No).setText("取消")
        box.accepted.connect(self.open_next_round)
        self.box = box
        box.open()

    def open_next_round(self) -> None:
        v = self.current
        kind = voting.follow_up(v.result, v.round) if v is not None else None
        if v is None or kind is None:
            return
        contest, actor, clock = v.round.contest_id, self.ctx.actor, self.ctx.clock

        def done(got: Any) -> None:
            if isinstance(got, Refusal):
                self.say(got.message, ok=False)
                self.show_round()
                return
            self.say(f"{got.label} 已开始：应选 {got.seats} 名，候选人 {'、'.join(got.names)}。"
                     "请到“投票计票”登记监票人、票箱并录入选票")
            self.ctx.voting_opened.emit()  # 会议 and 投票计票 follow at once
            self.run_validation()

        if self._write(lambda conn: voting.open_round(conn, contest, actor=actor, clock=clock,
                                                      kind=kind), done, f"未能开始{KIND_ZH[kind]}"):
            self.say(f"正在开始{KIND_ZH[kind]}…")

    def ask_no_fill(self) -> None:
        v = self.current
        if v is None or self._refused_early("round_manage", "记录不再补选的决定"):
            return
        m = self.ctx.meeting
        dialog = NoFillDialog(self, f"{FORM_ZH[m.form] if m else '会议'}表决通过")
        dialog.accepted.connect(lambda: self.no_fill(v, dialog.decided_by.text(),
                                                     dialog.why.text()))
        self.dialog = dialog
        dialog.open()

    def no_fill(self, v: RoundValidation, decided_by: str, why: str) -> bool:
        """Record the decision on the database's worker; False when another write is under
        way (the answer is said when it comes)."""
        rid, actor, clock = v.round.id, self.ctx.actor, self.ctx.clock

        def done(got: Any) -> None:
            if isinstance(got, Refusal):
                self.say(got.message, ok=False)
                self.show_round()
                return
            self.say(f"已记录：{decided_by}决定不再补选剩余名额（{why}）")
            self.run_validation()

        return self._write(lambda conn: voting.record_no_fill(
            conn, rid, decided_by=decided_by, why=why, actor=actor, clock=clock),
            done, "未能记录不再补选的决定")

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.run_validation()


def create(ctx: PageContext) -> QWidget:
    return ResultsPage(ctx)
