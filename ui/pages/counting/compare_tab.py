"""双录比对: the differences between entries A and B (ui.widgets.diff_view), each resolved by
choosing A, B or the reading typed from the paper ballot, with a reason (audited)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app import voting
from app.meetings import Refusal, rule_options
from app.rules import Ballot, check_ballot
from app.voting import Difference, Mode, State, VotingRound, keys_for
from app.voting.entry import KeyProblem, make_entry_ballot
from ui.widgets.ballot_entry import BAD, GOOD, BallotLine
from ui.widgets.diff_view import DiffView
from ui.widgets.reason_dialog import ReasonDialog

if TYPE_CHECKING:
    from ui.pages.counting.page import CountingPage

RESOLVE_REASONS = ("核对原始选票", "监票人核对原票后确认")


class CompareTab(QWidget):
    def __init__(self, page: CountingPage) -> None:
        super().__init__()
        self.page = page
        self.dialog: ReasonDialog | None = None
        self.view = DiffView()
        self.view.resolve_requested.connect(self.ask_resolve)
        self.paper_label = QLabel()
        self.paper_label.setStyleSheet("font-size: 14pt; font-weight: bold; color: #1b3550;")
        self.paper = BallotLine()
        self.paper.keys_changed.connect(self.recheck)
        self.paper.committed.connect(self.paper_done)
        self.paper.invalid_requested.connect(lambda: self.paper.set_invalid(
            "" if self.paper.invalid_reason else "监票人认定无效"))
        self.paper_seq: int | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.paper_label)
        lay.addWidget(self.paper)
        self._hide_paper()
        page.round_changed.connect(self._round_changed)

    def _round_changed(self, _r: VotingRound | None) -> None:
        # Comparing thousands of ballots takes a while: only for the tab on screen.
        self._hide_paper()
        if self.isVisible():
            self.refresh()

    def focus_first(self) -> None:
        self.refresh()
        self.view.table.setFocus()

    @property
    def round(self) -> VotingRound | None:
        r = self.page.round
        return r if r is not None and r.mode is Mode.BALLOTS and r.double_entry else None

    def refresh(self) -> None:
        r = self.round
        self.setEnabled(r is not None)
        if r is None:
            return
        c = voting.compare_entries(self.page.ctx.conn, r.id)
        if isinstance(c, Refusal):
            self.view.summary.setText(c.message)
            return
        self.view.set_comparison(r.names, c)
        for b in self.view.buttons.values():
            b.setEnabled(bool(c.differences) and r.state is State.OPEN)

    def ask_resolve(self, seq: int, choice: str) -> None:
        d = next((x for x in self.view.differences if x.seq == seq), None)
        r = self.round
        if d is None or r is None:
            return
        if choice == "paper":
            self._show_paper(r, d)
            return
        self._ask_reason(seq, choice, None)

    def _ask_reason(self, seq: int, choice: str, reading: Ballot | None) -> None:
        what = {"A": "采用 A 的录入", "B": "采用 B 的录入", "paper": "按原票更正"}[choice]
        dialog = ReasonDialog(self, "处理录入差异", f"第{seq}张：{what}。依据：", RESOLVE_REASONS,
                              ok_text=what)
        dialog.reason.setEditText(RESOLVE_REASONS[0])
        dialog.reason_accepted.connect(lambda why: self.resolve(seq, choice, why, reading))
        self.dialog = dialog
        dialog.open()

    def resolve(self, seq: int, choice: str, why: str, reading: Ballot | None = None) -> bool:
        r = self.round
        if r is None:
            return False
        ctx = self.page.ctx
        got = voting.resolve_difference(ctx.conn, r.id, seq, choice, why=why, actor=ctx.actor,
                                        clock=ctx.clock, reading=reading)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return False
        self.page.say(f"第{seq}张的差异已处理")
        self._hide_paper()
        self.refresh()
        return True

    # --- the corrected reading from the paper ---------------------------------------------------

    def _show_paper(self, r: VotingRound, d: Difference) -> None:
        self.paper_seq = d.seq
        self.paper.set_candidates(r.names)
        start = d.a or d.b
        if start is not None:
            self.paper.load(keys_for(start.marks), start.write_ins,
                            start.reason if start.declared_invalid else "", None)
        self.paper_label.setText(f"按原票录入第{d.seq}张（回车确认，F4 无效，Esc 清空）：")
        self.paper_label.show()
        self.paper.show()
        self.paper.setFocus()

    def _hide_paper(self) -> None:
        self.paper_seq = None
        self.paper_label.hide()
        self.paper.hide()

    def paper_ballot(self) -> Ballot | KeyProblem | None:
        r = self.round
        if r is None:
            return None
        reason = self.paper.invalid_reason
        return make_entry_ballot(r, self.paper.keys, write_ins=self.paper.write_ins,
                                 invalid=bool(reason), reason=reason)

    def recheck(self) -> None:
        r, b = self.round, self.paper_ballot()
        meeting = self.page.ctx.meeting
        if r is None or b is None or meeting is None:
            return
        if isinstance(b, KeyProblem):
            self.paper.show_state(self.paper.marks, BAD, b.message)
            return
        check = check_ballot(b, r.names, r.seats, rule_options(meeting))
        self.paper.show_state(b.marks, GOOD if check.valid else BAD,
                              "有效" if check.valid else f"无效：{check.reason}")

    def paper_done(self) -> None:
        b = self.paper_ballot()
        if self.paper_seq is None or b is None or isinstance(b, KeyProblem):
            return
        self._ask_reason(self.paper_seq, "paper", b)
