"""正字计票单: the counters' totals per candidate (赞成 / 不赞成), write-ins, valid and invalid
ballots, entered by A and by B, compared line by line; where they differ the sheet agreed after
recounting is confirmed with a reason (app.voting.enter_sheet / compare_sheets / resolve_sheet).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from app import voting
from app.meetings import Refusal
from app.voting import Mode, Sheet, State, VotingRound
from ui.singing_view import SingingView, sheet_rows
from ui.widgets.reason_dialog import ReasonDialog

if TYPE_CHECKING:
    from ui.pages.counting.page import CountingPage

RECOUNT_REASONS = ("重新清点选票后确认",)


def parse_write_ins(text: str) -> dict[str, int] | str:
    """'张三 3、李四 2' → {'张三': 3, '李四': 2}; a message when a part has no number."""
    out: dict[str, int] = {}
    for part in (p for p in re.split(r"[、，,；;]+", text.strip()) if p.strip()):
        m = re.fullmatch(r"\s*(\S+?)\s*[=:：]?\s*(\d+)\s*", part)
        if m is None:
            return f"另选他人“{part}”须写成 姓名 票数，如：张三 3"
        out[m.group(1)] = out.get(m.group(1), 0) + int(m.group(2))
    return out


def _spin() -> QSpinBox:
    s = QSpinBox()
    s.setRange(0, 999_999)
    s.setStyleSheet("font-size: 14pt;")
    return s


class TallyTab(QWidget):
    def __init__(self, page: CountingPage) -> None:
        super().__init__()
        self.page = page
        self.dialog: ReasonDialog | None = None
        self.names: tuple[str, ...] = ()
        self.entered: dict[str, Sheet] = {}  # the standing sheets of A and B
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(("赞成 ○", "不赞成 ×"))
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setStyleSheet("font-size: 14pt;")
        self.approve: list[QSpinBox] = []
        self.disapprove: list[QSpinBox] = []
        self.valid, self.invalid = _spin(), _spin()
        self.write_ins = QLineEdit()
        self.write_ins.setPlaceholderText("另选他人及票数，如：张三 3、李四 2")
        for box in (self.valid, self.invalid):
            box.valueChanged.connect(self._sing)
        self.write_ins.textChanged.connect(self._sing)
        form = QFormLayout()
        form.addRow("有效票：", self.valid)
        form.addRow("无效票：", self.invalid)
        form.addRow("另选他人：", self.write_ins)
        self.save_button = QPushButton("保存计票单")
        self.save_button.clicked.connect(self.save)
        self.resolve_button = QPushButton("确认重新清点后的计票单…")
        self.resolve_button.clicked.connect(self.ask_resolve)
        # Off for anyone else, the tooltip saying who may (ui.rights): the 计票人 saves a sheet,
        # a 监票人 confirms the recounted one.
        self._differs = False
        page.gate.add(self.save_button, "enter_ballots")
        page.gate.add(self.resolve_button, "resolve_difference", lambda: self._differs)
        self.diffs = QLabel()
        self.diffs.setWordWrap(True)
        self.diffs.setStyleSheet("font-size: 14pt;")
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.resolve_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table, 1)
        lay.addLayout(form)
        lay.addLayout(buttons)
        lay.addWidget(self.diffs)
        page.round_changed.connect(self.show_round)

    @property
    def round(self) -> VotingRound | None:
        r = self.page.round
        return r if r is not None and r.mode is Mode.TALLY else None

    def person_left(self) -> None:
        """Another person signed on (or the screen locked): a sheet typed and not saved goes;
        the form shows this entry's saved sheet."""
        self.show_round(self.page.round)

    def focus_first(self) -> None:
        if self.approve:
            self.approve[0].setFocus()

    def show_round(self, _r: VotingRound | None) -> None:
        r = self.round
        names = r.names if r else ()
        if names != self.names:
            self.names = names
            self.table.setRowCount(len(names))
            self.table.setVerticalHeaderLabels(list(names))
            self.approve = [_spin() for _ in names]
            self.disapprove = [_spin() for _ in names]
            for i in range(len(names)):
                self.table.setCellWidget(i, 0, self.approve[i])
                self.table.setCellWidget(i, 1, self.disapprove[i])
                self.approve[i].valueChanged.connect(self._sing)
        self.setEnabled(r is not None and r.state is State.OPEN)
        self.save_button.setText(f"保存为录入组{self.page.entry}的计票单")
        self.show_comparison()
        # Each clerk sees only their own sheet: B must count without A's figures in view.
        self.set_sheet(self.entered.get(self.page.entry) or Sheet(0, 0, {}, {}))

    def _sing(self) -> None:
        entry = getattr(self.page, "entry_tab", None)  # None while the page is being built
        if entry is not None:
            entry.update_singing()

    def show_singing(self, view: SingingView) -> None:
        """The 唱票 screen follows the sheet as this entry group types it (正字 as read out)."""
        r = self.round
        if r is None:
            return
        w = parse_write_ins(self.write_ins.text())
        writes = w if isinstance(w, dict) else {}
        approve = {n: s.value() for n, s in zip(self.names, self.approve, strict=True)}
        valid, invalid = self.valid.value(), self.invalid.value()
        view.set_count(r.label, sheet_rows(self.names, approve, writes), valid + invalid,
                       f"有效 {valid} 张　无效 {invalid} 张　橙色：另选他人　"
                       f"（录入组{self.page.entry}的正字计票单，未经比对，仅供唱票核对）")

    def sheet(self) -> Sheet | str:
        w = parse_write_ins(self.write_ins.text())
        if isinstance(w, str):
            return w
        return Sheet(self.valid.value(), self.invalid.value(),
                     {n: s.value() for n, s in zip(self.names, self.approve, strict=True)},
                     {n: s.value() for n, s in zip(self.names, self.disapprove, strict=True)}, w)

    def set_sheet(self, s: Sheet) -> None:
        for n, a, d in zip(self.names, self.approve, self.disapprove, strict=True):
            a.setValue(s.approve.get(n, 0))
            d.setValue(s.disapprove.get(n, 0))
        self.valid.setValue(s.valid)
        self.invalid.setValue(s.invalid)
        self.write_ins.setText("、".join(f"{n} {v}" for n, v in s.write_ins.items()))

    def save(self) -> Sheet | None:
        r, s = self.round, self.sheet()
        if r is None:
            return None
        if isinstance(s, str):
            self.page.say(s, ok=False)
            return None
        ctx = self.page.ctx
        got = voting.enter_sheet(ctx.conn, r.id, self.page.entry, s, clerk=self.page.clerk,
                                 clock=ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return None
        self.page.say(f"录入组{self.page.entry}的计票单已保存")
        self.show_comparison()
        return got

    def show_comparison(self) -> None:
        r = self.round
        if r is None:
            self.diffs.setText("")
            self.entered = {}
            self._differs = False
            return
        c = voting.compare_sheets(self.page.ctx.conn, r.id)
        if isinstance(c, Refusal):
            self.diffs.setText(c.message)
            return
        self.entered = {k: v for k, v in (("A", c.a), ("B", c.b)) if v is not None}
        if c.a is None or (r.double_entry and c.b is None):
            missing = "、".join(e for e, s in (("A", c.a), ("B", c.b)) if s is None)
            self.diffs.setStyleSheet("font-size: 14pt; color: #9a5b13;")
            self.diffs.setText(f"尚待录入组 {missing} 的计票单")
        elif c.differences:
            lines = "；".join(f"{d.line}：A {d.a} / B {d.b}" for d in c.differences)
            done = "已按重新清点确认。" if c.resolved else "须重新清点后确认。"
            self.diffs.setStyleSheet(
                f"font-size: 14pt; color: {'#1b7f3b' if c.resolved else '#c62828'};")
            self.diffs.setText(f"A、B 计票单不一致（{lines}）。{done}")
        else:
            self.diffs.setStyleSheet("font-size: 14pt; color: #1b7f3b;")
            self.diffs.setText("A、B 计票单一致")
        self._differs = bool(c.differences)
        self.page.gate.refresh()

    def ask_resolve(self) -> None:
        if self.page.refuse_early("resolve_difference", "确认计票单"):
            return
        dialog = ReasonDialog(self, "确认计票单", "按表中数字确认重新清点后的计票单？",
                              RECOUNT_REASONS, ok_text="确认")
        dialog.reason_accepted.connect(self.resolve)
        self.dialog = dialog
        dialog.open()

    def resolve(self, why: str) -> Sheet | None:
        r, s = self.round, self.sheet()
        if r is None or isinstance(s, str):
            return None
        ctx = self.page.ctx
        got = voting.resolve_sheet(ctx.conn, r.id, s, why=why, actor=ctx.actor, clock=ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return None
        self.page.say("计票单已确认")
        self.show_comparison()
        return got
