"""逐张录入: one ballot per line (ui.widgets.ballot_entry), the list of entered ballots, Ctrl+Z
to take the last ballot back, corrections and withdrawals with a reason, the 唱票 big screen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import voting
from app.meetings import Refusal, rule_options
from app.rules import Ballot, aggregate, check_ballot, count_ballots
from app.search import search
from app.voting import Entered, Mode, State, VotingRound, keys_for
from app.voting.entry import KeyProblem, make_entry_ballot, over_returned
from db.connection import connect
from ui.rights import denied
from ui.singing_view import SingingView
from ui.tasks import CancelToken, Outcome, ProgressFn, Task, WorkFn
from ui.widgets.ballot_entry import BAD, GOOD, NEUTRAL, WARN, BallotLine, WriteInDialog
from ui.widgets.diff_view import reading_text
from ui.widgets.reason_dialog import ReasonDialog
from ui.widgets.rows_model import RowsModel

if TYPE_CHECKING:
    from ui.pages.counting.page import CountingPage

INVALID_REASONS = ("无法辨认选票意图", "未使用本次选举的选票", "选票有识别投票人的记号")
CORRECT_REASONS = ("录入错误，核对原票后更正",)
WITHDRAW_REASONS = ("同一张选票重复录入", "误录（无此选票）")
UNDO_WHY = "录入员撤回上一张重录（Ctrl+Z）"
HEADERS = ("序号", "选票", "结果", "录入人", "时间")


def read_entries(db_path: Path, round_id: int, entry: str) -> WorkFn:
    def work(_progress: ProgressFn, _cancel: CancelToken) -> list[Entered]:
        conn = connect(db_path, create=False)
        try:
            return voting.entries(conn, round_id, entry)
        finally:
            conn.close()
    return work


def entry_row(e: Entered) -> tuple[object, ...]:
    if e.ballot is None or e.check is None:
        result = "（已撤销此序号）"
    elif e.check.valid:
        result = f"有效（选{e.check.approvals}人）"
    else:
        result = f"无效：{e.check.reason}"
    text = reading_text(e.ballot, invalid=False) if e.ballot else ""
    return (e.seq, text, result, e.clerk, e.at[11:19])


class EntriesModel(RowsModel):
    """The entered ballots; a new ballot is one inserted row, not a reset of thousands."""

    def append(self, row: tuple[object, ...]) -> None:
        n = self.rowCount()
        self.beginInsertRows(QModelIndex(), n, n)
        self._rows.append(tuple(row))
        self.endInsertRows()

    def replace(self, i: int, row: tuple[object, ...]) -> None:
        self._rows[i] = tuple(row)
        self.dataChanged.emit(self.index(i, 0), self.index(i, self.columnCount() - 1))


class EntryTab(QWidget):
    def __init__(self, page: CountingPage) -> None:
        super().__init__()
        self.page = page
        self.entered: list[Entered] = []
        self.loading = False
        self.generation = 0
        self.correction_why = ""
        self.dialog: ReasonDialog | WriteInDialog | None = None
        self.singing: SingingView | None = None
        self.line = BallotLine()
        # The keys in the line's own status line while it is empty (no line of help above it:
        # the rows below are worth more on a laptop screen); the full wording is the tooltip.
        self.line.hint = ("1 ○赞成　2 ×不赞成　0/空格 弃权　回车 录入本张　F2 另选他人　F4 无效票　"
                          "Ctrl+Z 撤回上一张　Esc 清空本行")
        self.line.setToolTip("每张选票一行：1 = ○赞成，2 = ×不赞成，0 或空格 = 弃权，自动跳到下一人；"
                             "回车 = 录入本张；F2 = 另选他人；F4 = 标为无效票；Ctrl+Z = 撤回上一张重录"
                             "（多于票箱收回数时：撤销最后一张，须选原因）；"
                             "Esc = 清空本行")
        self.line.keys_changed.connect(self.recheck)
        self.line.committed.connect(self.commit)
        self.line.write_in_requested.connect(self.ask_write_in)
        self.line.invalid_requested.connect(self.ask_invalid)
        self.line.undo_requested.connect(self.undo)
        self.last = QLabel()
        self.last.setAccessibleName("上一张")
        self.last.setWordWrap(True)
        self.counter = QLabel()
        self.counter.setStyleSheet("font-size: 16pt; font-weight: bold; color: #1b3550;")
        self.model = EntriesModel(HEADERS, parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col in range(len(HEADERS)):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setResizeContentsPrecision(40)  # measure a screenful, not thousands of rows
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # marks and write-ins
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setStyleSheet("font-size: 13pt;")
        self.table.doubleClicked.connect(lambda _i: self.ask_correct())
        self.correct_button = QPushButton("更正选中的票…")
        self.correct_button.clicked.connect(self.ask_correct)
        self.withdraw_button = QPushButton("撤销选中的序号…")
        self.withdraw_button.setToolTip("同一张选票录了两次等情况：此序号不再算一张选票")
        self.withdraw_button.clicked.connect(self.ask_withdraw)
        # The last ballot's answer beside the counter, not on a line of its own that stays
        # empty most of the time: the entered ballots keep 8 rows at 1366x768.
        # The counter never shrinks (the answer beside it wraps instead).
        self.counter.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        buttons = QHBoxLayout()
        buttons.addWidget(self.counter)
        buttons.addWidget(self.last, 1)
        buttons.addWidget(self.correct_button)
        buttons.addWidget(self.withdraw_button)
        lay = QVBoxLayout(self)
        lay.setSpacing(4)
        lay.addWidget(self.line)
        lay.addLayout(buttons)
        lay.addWidget(self.table, 1)
        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo)
        # Only who may enter (计票人) types here: off for anyone else, saying who may.
        for w in (self.line, self.correct_button, self.withdraw_button):
            page.gate.add(w, "enter_ballots", self._open)
        page.round_changed.connect(self.show_round)

    @property
    def round(self) -> VotingRound | None:
        r = self.page.round
        return r if r is not None and r.mode is Mode.BALLOTS else None

    def _open(self) -> bool:
        r = self.round
        return r is not None and r.state is State.OPEN

    def person_left(self) -> None:
        """Another person signed on (or the screen locked): a ballot typed and not entered is
        not theirs to enter; what the last one was told about their ballot goes too."""
        self.line.clear()
        self.last.clear()
        self.recheck()

    def focus_first(self) -> None:
        self.line.setFocus()

    # --- the round and the list -------------------------------------------------------------------

    def show_round(self, r: VotingRound | None) -> None:
        names = r.names if r is not None else ()
        if names != self.line.names:
            self.line.set_candidates(names)
        self.page.gate.refresh()
        self.recheck()
        self.reload_entries()

    def reload_entries(self) -> None:
        """Read the entry's ballots in a worker (thousands of rows take longer than a frame);
        a newer request makes an older answer stale."""
        r = self.round
        self.generation += 1
        if r is None:
            self.loading = False
            self._set_entered([])
            return
        self.loading = True
        self.counter.setText("正在读取已录入的选票…")
        task = Task(read_entries(self.page.ctx.db_path, r.id, self.page.entry), self)
        task.finished.connect(lambda o, g=self.generation: self._read(g, o))
        task.start()

    def _read(self, generation: int, outcome: Outcome) -> None:
        from shiboken6 import isValid

        if generation != self.generation or not (isValid(self) and isValid(self.model)):
            return   # stale, or the window closed while the ballots were being read
        self.loading = False
        if not outcome.ok:
            self._last(f"读取已录入的选票失败：{outcome.error}", ok=False)
            return
        self._set_entered(outcome.result)

    def _set_entered(self, entered: list[Entered]) -> None:
        self.entered = list(entered)
        self.model.set_rows([entry_row(e) for e in self.entered])
        self._after_change()

    def _put(self, got: Entered) -> None:
        """A ballot just written: appended, or replacing its number (no re-read). While a read
        is under way it may or may not hold this ballot: read again instead."""
        if self.loading:
            self.reload_entries()
            return
        i = next((k for k, e in enumerate(self.entered) if e.seq == got.seq), None)
        if i is None:
            self.entered.append(got)
            self.model.append(entry_row(got))
        else:
            self.entered[i] = got
            self.model.replace(i, entry_row(got))
        self._after_change()

    def _after_change(self) -> None:
        # Fit the columns to the ballots now in the list (an added row does not: 录入人 and 时间
        # stayed at their headers' width, cut to "cou…"); the header measures 40 rows at most.
        self.table.horizontalHeader().resizeSections()
        self.table.scrollToBottom()
        standing = [e.check for e in self.entered if e.check is not None]
        valid = sum(1 for c in standing if c.valid)
        r = self.round
        back = f"，票箱收回 {r.returned} 张" if r is not None and r.boxes else ""
        over = r is not None and over_returned(r, len(standing))
        self.counter.setStyleSheet("color: #c62828; font-weight: bold;" if over else "")
        self.counter.setText(f"录入组{self.page.entry}已录入 {len(standing)} 张"
                             f"（有效 {valid}，无效 {len(standing) - valid}{back}）"
                             if r else "")
        self.update_singing()

    # --- the line ---------------------------------------------------------------------------------

    def current_ballot(self) -> Ballot | KeyProblem | None:
        r = self.round
        if r is None:
            return None
        reason = self.line.invalid_reason
        return make_entry_ballot(r, self.line.keys, write_ins=self.line.write_ins,
                                 invalid=bool(reason), reason=reason)

    def recheck(self) -> None:
        """The core's verdict on the ballot as typed so far: red with the reason when invalid."""
        r, b = self.round, self.current_ballot()
        if r is None or b is None:
            return
        if r.state is not State.OPEN:
            self.line.show_state(self.line.marks, NEUTRAL,
                                 f"{r.label}{'结果已锁定' if r.state is State.LOCKED else '计票已结束'}，"
                                 "不能再录入")
            return
        why = denied(self.page.ctx, "enter_ballots")
        if why is not None:   # nothing is typed here by this person: no verdict, who may
            # The person first (the line is one line; the tooltip has all of it).
            who, _, person = why.rpartition("；")
            self.line.show_state(self.line.marks, NEUTRAL,
                                 f"不能录入：{person}。{who}" if who else f"不能录入：{why}")
            return
        if isinstance(b, KeyProblem):
            self.line.show_state(self.line.marks, BAD, b.message)
            return
        meeting = self.page.ctx.meeting
        assert meeting is not None
        check = check_ballot(b, r.names, r.seats, rule_options(meeting))
        if not self.line.keys and not b.write_ins and not b.declared_invalid:
            tone, text = NEUTRAL, "空白票（回车录入，全部弃权）" if self.line.editing else ""
        elif check.valid:
            tone, text = GOOD, f"有效：选{check.approvals}人（应选{r.seats}名）"
        else:
            tone = WARN if b.declared_invalid else BAD
            text = f"无效：{check.reason}"
        self.line.show_state(b.marks, tone, text)

    def commit(self) -> Entered | None:
        r, b = self.round, self.current_ballot()
        if r is None or b is None:
            return None
        if isinstance(b, KeyProblem):
            self._last(f"不能录入：{b.message}", ok=False)
            return None
        ctx, entry = self.page.ctx, self.page.entry
        seq = self.line.editing
        if seq is None:
            got = voting.enter_ballot(ctx.conn, r.id, entry, b, clerk=self.page.clerk, clock=ctx.clock)
        else:
            got = voting.correct_ballot(ctx.conn, r.id, entry, seq, b, why=self.correction_why,
                                        clerk=self.page.clerk, clock=ctx.clock)
        if isinstance(got, Refusal):
            self._last(f"不能录入：{got.message}", ok=False)
            return None
        check = got.check
        assert check is not None
        verb = "已更正" if seq is not None else "已录入"
        verdict = f"有效（选{check.approvals}人）" if check.valid else f"无效：{check.reason}"
        self._last(f"第{got.seq}张{verb}：{reading_text(got.ballot, invalid=False)}　{verdict}", ok=check.valid)
        self.line.clear()
        self._put(got)
        self._warn_over_returned(got.seq)
        self.line.setFocus()
        return got

    def _warn_over_returned(self, seq: int) -> None:
        """More ballots typed than the boxes gave back (收回): say so at once (validation
        refuses to lock until the numbers agree)."""
        r = self.round
        if r is None or self.loading:
            return
        n = sum(1 for e in self.entered if e.ballot is not None)
        if over_returned(r, n):
            self._last(f"第{seq}张已录入，但录入组{self.page.entry}已录入 {n} 张，多于票箱收回 "
                       f"{r.returned} 张：请核对是否重复录入（撤销多出的序号），或更正票箱的收回数",
                       ok=False)

    def _last(self, text: str, ok: bool) -> None:
        colour = "#1b7f3b" if ok else "#c62828"
        self.last.setStyleSheet(f"font-size: 14pt; font-weight: bold; color: {colour};")
        self.last.setText(text)

    def _load(self, e: Entered, why: str) -> None:
        b = e.ballot
        assert b is not None
        self.correction_why = why
        self.line.load(keys_for(b.marks), b.write_ins, b.reason if b.declared_invalid else "",
                       e.seq)
        self.line.setFocus()

    # --- F2, F4, Ctrl+Z, corrections ----------------------------------------------------------

    def lookup(self, text: str) -> list[str]:
        return [p.name for p in search(self.page.ctx.conn, text, 10)]

    def ask_write_in(self) -> None:
        dialog = WriteInDialog(self, self.lookup)
        dialog.accepted.connect(lambda: self.line.add_write_in(dialog.text()))
        dialog.finished.connect(lambda _r: self.line.setFocus())
        self.dialog = dialog
        dialog.open()

    def ask_invalid(self) -> None:
        if self.line.invalid_reason:  # F4 again: no longer invalid
            self.line.set_invalid("")
            return
        dialog = ReasonDialog(self, "标为无效票", "监票人认定本张选票无效，须写明原因：",
                              INVALID_REASONS, ok_text="标为无效")
        dialog.reason_accepted.connect(self.line.set_invalid)
        dialog.finished.connect(lambda _r: self.line.setFocus())
        self.dialog = dialog
        dialog.open()

    def undo(self) -> None:
        """Ctrl+Z: clear a half-typed line, else take the last ballot back onto the line; when
        more ballots are entered than the boxes gave back, offer to withdraw the last one (with
        a reason, as 撤销上一次签到 (Ctrl+Z) asks on the 签到 page)."""
        if self.line.keys or self.line.write_ins or self.line.invalid_reason:
            self.line.clear()
            return
        standing = [e for e in self.entered if e.ballot is not None]
        if not standing or self.line.editing is not None:
            return
        r = self.round
        if r is not None and over_returned(r, len(standing)):
            self._ask_withdraw(r, standing[-1],
                               f"录入组{standing[-1].entry}已录入 {len(standing)} 张，多于票箱收回 "
                               f"{r.returned} 张。\n撤销最后录入的第{standing[-1].seq}张"
                               "（不再算一张选票）？\n若只是要改这一张的内容，请取消，选中它后点“更正选中的票…”。")
            return
        self._load(standing[-1], UNDO_WHY)
        self._last(f"第{standing[-1].seq}张已放回录入行：改好后回车", ok=True)

    def selected(self) -> Entered | None:
        row = self.table.currentIndex().row()
        return self.entered[row] if 0 <= row < len(self.entered) else None

    def ask_correct(self) -> None:
        e = self.selected()
        if e is None or e.ballot is None:
            return
        dialog = ReasonDialog(self, "更正选票", f"更正录入组{e.entry}第{e.seq}张选票？",
                              CORRECT_REASONS, ok_text="更正")
        dialog.reason_accepted.connect(lambda why: self._load(e, why))
        self.dialog = dialog
        dialog.open()

    def ask_withdraw(self) -> None:
        e = self.selected()
        r = self.round
        if e is None or r is None or e.ballot is None:
            return
        self._ask_withdraw(r, e, f"撤销录入组{e.entry}第{e.seq}张（不再算一张选票）？")

    def _ask_withdraw(self, r: VotingRound, e: Entered, message: str) -> None:
        dialog = ReasonDialog(self, "撤销序号", message, WITHDRAW_REASONS, ok_text="撤销此序号")
        dialog.reason_accepted.connect(lambda why: self._withdraw(r, e, why))
        dialog.finished.connect(lambda _r: self.line.setFocus())
        self.dialog = dialog
        dialog.open()

    def _withdraw(self, r: VotingRound, e: Entered, why: str) -> None:
        ctx = self.page.ctx
        got = voting.withdraw_ballot(ctx.conn, r.id, e.entry, e.seq, why=why, clerk=self.page.clerk,
                                     clock=ctx.clock)
        if isinstance(got, Refusal):
            self._last(got.message, ok=False)
            return
        self._last(f"第{e.seq}张已撤销（{why}）", ok=True)
        self._put(got)

    # --- 唱票 big screen -------------------------------------------------------------------------

    def open_singing(self) -> SingingView:
        if self.singing is None:
            self.singing = SingingView(self)
            self.singing.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            self.singing.destroyed.connect(lambda _o: setattr(self, "singing", None))
        self.update_singing()
        self.singing.show()
        self.singing.raise_()
        return self.singing

    def update_singing(self) -> None:
        if self.singing is not None and self.page.tally_tab.round is not None:
            self.page.tally_tab.show_singing(self.singing)   # a 正字 round: the sheet typed
            return
        r = self.round
        if self.singing is None or r is None:
            return
        meeting = self.page.ctx.meeting
        assert meeting is not None
        ballots = [e.ballot for e in self.entered if e.ballot is not None]
        count = count_ballots(r.names, r.seats, aggregate(ballots).items(), rule_options(meeting))
        approvals = count.approvals()
        rows = [(n, approvals.get(n, 0), False) for n in r.names]
        rows += [(t.name, t.approve, True) for t in count.tally if t.write_in]
        self.singing.set_count(f"{r.label}", rows, count.returned,
                               f"有效 {count.valid} 张　无效 {count.invalid} 张　橙色：另选他人　"
                               f"（录入组{self.page.entry}，未经双录比对，仅供唱票核对）")
