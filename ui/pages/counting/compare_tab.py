"""双录比对: the differences between entries A and B (ui.widgets.diff_view), each resolved by
choosing A, B or the reading typed from the paper ballot, with a reason (audited)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import voting
from app.clock import iso
from app.meetings import Refusal, rule_options
from app.rules import Ballot, check_ballot
from app.voting import Difference, Mode, State, VotingRound, keys_for, transfer
from app.voting.entry import KeyProblem, make_entry_ballot
from ui import filedialogs
from ui.widgets.ballot_entry import BAD, GOOD, BallotLine
from ui.widgets.diff_view import DiffView
from ui.widgets.reason_dialog import ReasonDialog

if TYPE_CHECKING:
    from ui.pages.counting.page import CountingPage

RESOLVE_REASONS = ("核对原始选票", "监票人核对原票后确认")
ENTRY_FILTER = f"PollDay 录入文件 (*{transfer.EXTENSION})"


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
        # Two laptops: B enters on a copy of the database and brings its entry on a USB stick.
        self.export_button = QPushButton("导出本机的录入…")
        self.export_button.setToolTip("录入组 B 在另一台电脑上录入时：在那台电脑上按此导出（顶部选中的"
                                      "录入组），用 U 盘带到计票电脑导入")
        self.export_button.clicked.connect(self.ask_export)
        self.import_button = QPushButton("导入另一台电脑的录入…")
        self.import_button.setToolTip("导入另一台电脑导出的录入文件；同一文件再导入不会重复，"
                                      "之后导出的文件只补入新增的记录")
        self.import_button.clicked.connect(self.ask_import)
        two = QHBoxLayout()
        two.addWidget(QLabel("两台电脑分别录入："))
        two.addWidget(self.export_button)
        two.addWidget(self.import_button)
        two.addStretch(1)
        self.rights = QLabel()   # who may resolve, when the person at this laptop may not
        self.rights.setAccessibleName("操作权限")
        self.rights.setWordWrap(True)
        self.rights.setStyleSheet("color: #8a4b00;")
        self.rights.hide()
        self.where: dict[int, str] = {}   # number -> where the paper ballot lies (scanned)
        lay = QVBoxLayout(self)
        lay.addLayout(two)
        lay.addWidget(self.rights)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.paper_label)
        lay.addWidget(self.paper)
        self._hide_paper()
        page.round_changed.connect(self._round_changed)
        page.ctx.actor_changed.connect(lambda _a: self.refresh() if self.isVisible() else None)
        from ui.pages.counting.follow import follow_changes

        # Entries and resolutions made elsewhere (the command line) show here.
        self.follow = follow_changes(self, lambda: page.ctx.conn, self.refresh)

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
        self.where = _where(self.page.ctx.conn, r) if c.differences else {}
        for row, d in enumerate(c.differences):
            cell = self.view.table.item(row, 0)
            if cell is not None and d.seq in self.where:
                # A scanned ballot (entry A from the scanner): the paper is found by batch and
                # position in the stack kept in scan order.
                cell.setText(f"{d.seq}（{self.where[d.seq]}）")
                cell.setToolTip(f"第{d.seq}张是扫描计入的选票：原票在{self.where[d.seq]}")
        from app import permissions

        denied = permissions.check(self.page.ctx.conn, "resolve_difference", self.page.ctx.actor)
        for b in self.view.buttons.values():
            b.setEnabled(bool(c.differences) and r.state is State.OPEN and denied is None)
            b.setToolTip("" if denied is None else denied.message)
        self.rights.setText("" if denied is None else f"处理录入差异：{denied.message}")
        self.rights.setVisible(denied is not None and bool(c.differences))

    def ask_resolve(self, seq: int, choice: str) -> None:
        d = next((x for x in self.view.differences if x.seq == seq), None)
        r = self.round
        if d is None or r is None:
            return
        # Who may, before the reason is written (app.voting.guard decides).
        from app.voting.guard import resolver_refused

        refused = resolver_refused(self.page.ctx.conn, r.id, self.page.ctx.actor, r.label)
        if refused is not None:
            self.page.say(refused.message, ok=False)
            return
        if choice == "paper":
            self._show_paper(r, d)
            return
        self._ask_reason(seq, choice, None)

    def _ask_reason(self, seq: int, choice: str, reading: Ballot | None) -> None:
        what = {"A": "采用 A 的录入", "B": "采用 B 的录入", "paper": "按原票更正"}[choice]
        where = f"（原票在{self.where[seq]}）" if seq in self.where else ""
        dialog = ReasonDialog(self, "处理录入差异", f"第{seq}张{where}：{what}。依据：", RESOLVE_REASONS,
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

    # --- entry B on another laptop (app.voting.transfer) ----------------------------------------

    def ask_export(self) -> None:
        r, meeting = self.round, self.page.ctx.meeting
        if r is None or meeting is None:
            return
        entry = self.page.entry
        default = (f"{meeting.code}-{r.contest_code}-第{r.number}轮-录入组{entry}"
                   f"{transfer.EXTENSION}")
        name, _f = filedialogs.get_save_file_name(self, f"导出录入组{entry}", default, ENTRY_FILTER)
        if name:
            self.export_to(Path(name), entry)

    def export_to(self, path: Path, entry: str) -> bool:
        r, ctx = self.round, self.page.ctx
        if r is None or ctx.meeting is None:
            return False
        doc = transfer.export_entry(ctx.conn, ctx.meeting, r.id, entry, iso(ctx.clock.now()))
        if isinstance(doc, Refusal):
            self.page.say(doc.message, ok=False)
            return False
        if path.suffix != transfer.EXTENSION:
            path = path.with_name(path.name + transfer.EXTENSION)
        try:
            transfer.write_entry_file(doc, path)
        except OSError as exc:
            self.page.say(f"无法写入 {path}：{exc.strerror or exc}", ok=False)
            return False
        self.page.say(f"已导出 {path.name}：{transfer.summary(doc)}。请带到计票电脑导入")
        return True

    def ask_import(self) -> None:
        name, _f = filedialogs.get_open_file_name(self, "导入另一台电脑的录入", "", ENTRY_FILTER)
        if name:
            self.import_from(Path(name))

    def import_from(self, path: Path) -> bool:
        ctx = self.page.ctx
        if ctx.meeting is None:
            return False
        doc = transfer.read_entry_file(path)
        got = doc if isinstance(doc, Refusal) else transfer.import_entry(
            ctx.conn, ctx.meeting, doc, file_name=path.name, actor=ctx.actor, clock=ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return False
        assert not isinstance(doc, Refusal)
        news = (f"补入 {got.added} 条记录" if got.already else f"导入 {got.added} 条记录"
                ) if got.added else "此前已导入，没有新记录"
        self.page.say(f"{path.name}：{transfer.summary(doc)}，{news}")
        self.page.entry_tab.reload_entries()
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
        where = f"，原票在{self.where[d.seq]}" if d.seq in self.where else ""
        self.paper_label.setText(f"按原票录入第{d.seq}张（回车确认，F4 无效，Esc 清空{where}）：")
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


def _where(conn: Any, r: VotingRound) -> dict[int, str]:
    """Number -> 第N批第M张（file 第P页） for the ballots of entry A the scanner counted."""
    from app.scan.check import full_list

    return {i.seq: f"扫描第{i.batch}批第{i.position}张" for i in full_list(conn, r) if i.batch}
