"""扫描核对: the scanner is one of the two clerks (app/scan/check.py). The round's check is chosen
(全部键盘录入 or 随机抽查); the app draws the blind sample; the list names each ballot by batch and
position in the batch (the clerk pulls it from the stack kept in scan order), never with the
machine's reading; the clerk keys the next one and presses Enter (entry B, under its number).
Below: the test deck's result, page by page (app/scan/testdeck.py).

At the top, before counting: the scannable ballot printed (the contests ticked: one, its own
ballot, pollday print scan-ballots; several of one round, one page holding them all, pollday
print scan-ballot-page) and its test deck (pollday scan testdeck), each a PDF made off the GUI
thread into the output folder (ui.print_pdf)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.meetings import Refusal
from app.voting import Mode, State, VotingRound
from ui.pages.counting.scan_tab import who_may

if TYPE_CHECKING:
    from ui.pages.counting.page import CountingPage

GREEN, RED = "#1b7f3b", "#c62828"
FULL_TIP = "计票员（录入组B）逐张录入全部选票，与扫描（录入组A）逐张比对"
SAMPLE_TIP = ("扫描之后由本机随机抽取不少于5%（至少100张，不足100张全部）"
              "未送人工认定的选票，计票员不看机读结果录入；抽查中发现扫描读错，须全部录入")


class ScanCheckTab(QWidget):
    def __init__(self, page: CountingPage) -> None:
        super().__init__()
        self.page = page
        self.todo: list[Any] = []       # SampleItem still to key, in the stack's order
        self.full = QRadioButton("全部键盘录入比对")
        self.full.setToolTip(FULL_TIP)
        self.sample = QRadioButton("随机抽查")
        self.sample.setToolTip(SAMPLE_TIP)
        for b in (self.full, self.sample):
            b.toggled.connect(lambda on, b=b: self._mode_chosen(b) if on else None)
        self.draw_button = QPushButton("随机抽取抽查选票")
        self.draw_button.clicked.connect(self.draw)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setStyleSheet("font-size: 13pt;")
        top = QHBoxLayout()
        top.addWidget(QLabel("核对方式："))
        top.addWidget(self.full)
        top.addWidget(self.sample)
        top.addWidget(self.draw_button)
        top.addStretch(1)
        self.table = QTableWidget(0, 5)
        self.table.setAccessibleName("须键盘录入的选票")
        self.table.setHorizontalHeaderLabels(["批次", "本批第几张", "录入序号", "扫描文件", "录入组B"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.next_label = QLabel()
        self.next_label.setStyleSheet("font-size: 15pt; font-weight: bold; color: #1b3550;")
        self.keys = QLineEdit()
        self.keys.setAccessibleName("抽查选票录入")
        self.keys.setPlaceholderText("按原票录入：每名候选人一位 1 赞成，2 不赞成，0 弃权；另选他人 +姓名，"
                                     "无效票 !原因；回车确认")
        self.keys.setStyleSheet("font-size: 15pt;")
        self.keys.returnPressed.connect(self.enter)
        key_row = QVBoxLayout()   # the label whole above the field: it names the paper to pull
        key_row.addWidget(self.next_label)
        key_row.addWidget(self.keys)
        self.contest_checks: list[QCheckBox] = []
        self.print_row = QHBoxLayout()
        self.print_row.setAlignment(Qt.AlignmentFlag.AlignLeft)
        self.print_button = QPushButton("打印可扫描选票…")
        self.print_button.setToolTip("勾选一项：本项的可扫描选票；勾选同一轮的几项：几项印在同一页可扫描选票上")
        self.print_button.clicked.connect(self.print_ballots)
        self.deck_button = QPushButton("打印扫描测试选票…")
        self.deck_button.setToolTip("按所勾选的可扫描选票（须先打印）印20页测试选票，手工标记后扫描导入；永不计票")
        self.deck_button.clicked.connect(self.print_deck)
        self.print_message: Any = None   # the outcome box of the last print (for tests)
        # one line, no frame: at 1366x768 the list below keeps its 8 rows
        p_lay = QHBoxLayout()
        before = QLabel("计票前打印可扫描选票：")
        before.setToolTip("本会议须已设定打印定位标记")
        p_lay.addWidget(before)
        checks = QWidget()   # long contest names are cut here, never widen the window
        checks.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        checks.setLayout(self.print_row)
        self.print_row.setContentsMargins(0, 0, 0, 0)
        p_lay.addWidget(checks, 1)
        p_lay.addWidget(self.print_button)
        p_lay.addWidget(self.deck_button)
        self.deck = QLabel()
        self.deck.setWordWrap(True)
        self.deck.setTextFormat(Qt.TextFormat.RichText)
        self.deck.setAccessibleName("扫描测试选票结果")
        # The way out when the test deck cannot pass: the 总监票人 accepts the round's scan
        # count in words (app/scan/deck_gate.py), audited; shown only while it is needed.
        self.ack_button = QPushButton("确认未经测试计入…")
        self.ack_button.setToolTip("本轮扫描测试选票未通过：由总监票人写明原因，确认本轮扫描选票未经测试计入"
                                   "（记入审计日志，结果中保留这一条）")
        self.ack_button.clicked.connect(self.ask_acknowledge)
        self.ack_button.hide()
        self.dialog: Any = None
        lay = QVBoxLayout(self)
        lay.addLayout(p_lay)
        lay.addLayout(top)
        lay.addWidget(self.state)
        deck_row = QHBoxLayout()
        deck_row.addWidget(self.deck, 1)
        deck_row.addWidget(self.ack_button, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(deck_row)
        lay.addWidget(self.table, 1)
        lay.addLayout(key_row)
        self._quiet = False
        page.round_changed.connect(lambda _r: self.refresh() if self.isVisible() else None)
        page.ctx.actor_changed.connect(lambda _a: self.refresh() if self.isVisible() else None)
        from ui.pages.counting.follow import follow_changes

        self.follow = follow_changes(self, lambda: page.ctx.conn, self.refresh)

    @property
    def round(self) -> VotingRound | None:
        r = self.page.round
        return r if r is not None and r.mode is Mode.BALLOTS and r.double_entry else None

    def focus_first(self) -> None:
        self.refresh()
        (self.keys if self.keys.isEnabled() else self.table).setFocus()

    def refresh(self) -> None:
        from app.scan import check

        self._show_deck()
        self._show_contests()
        r = self.round
        for w in (self.full, self.sample, self.draw_button, self.table, self.keys):
            w.setEnabled(r is not None)
        if r is None:
            self.state.setText("本轮不是逐张双人录入：扫描须与录入组B的键盘录入比对时，请按双人录入开始本轮。")
            self.table.setRowCount(0)
            self.next_label.clear()
            return
        from app import permissions, voting

        conn = self.page.ctx.conn
        st = check.check_state(conn, r)
        self._quiet = True
        for b, on in ((self.full, st.mode == check.FULL), (self.sample, st.mode == check.SAMPLE)):
            b.setAutoExclusive(False)   # a refused choice goes back, to none as well
            b.setChecked(on)
            b.setAutoExclusive(True)
        self._quiet = False
        open_ = r.state is State.OPEN
        # Who may, said before the work (app.permissions): the 主持人 chooses and draws, a
        # 计票人 keys entry B.
        manage = permissions.check(conn, "round_manage", self.page.ctx.actor)
        enter = permissions.check(conn, "enter_ballots", self.page.ctx.actor)
        for b, tip in ((self.full, FULL_TIP), (self.sample, SAMPLE_TIP),
                       (self.draw_button, "")):
            b.setEnabled(open_ and manage is None)
            b.setToolTip(tip if manage is None else (tip + "\n" if tip else "") + manage.message)
        self.draw_button.setEnabled(open_ and manage is None and st.mode == check.SAMPLE
                                    and st.undrawn > 0 and not st.full_required)
        self.keys.setToolTip("" if enter is None else enter.message)
        colour = RED if st.full_required else "#1b3550"
        rights = [f"{what}：{who_may(d.code)}" for what, d in
                  (("选择核对方式、抽取", manage), ("录入组B", enter)) if d is not None]
        self.state.setText(f"<span style='color:{colour}'>{st.words()}</span>"
                           + (f"<br><span style='color:#8a4b00'>{'；'.join(rights)}</span>"
                              if rights and open_ else ""))
        compared = voting.compare_entries(conn, r.id)
        differ = (set() if isinstance(compared, Refusal)
                  else {d.seq for d in compared.differences})
        self.todo = check.to_key(conn, r) if st.mode is not None else []
        shown = (list(st.items) if st.mode == check.SAMPLE and not st.full_required
                 else check.full_list(conn, r) if st.mode is not None else [])
        self.table.setRowCount(len(shown))
        for row, item in enumerate(shown):
            cells = (f"第{item.batch}批" if item.batch else "键盘录入",
                     str(item.position) if item.batch else "", str(item.seq),
                     f"{item.file} 第{item.page}页" if item.file else "",
                     ("与扫描不一致，见双录比对" if item.seq in differ
                      else "扫描读错（已处理）" if item.seq in st.misread
                      else "已录入") if item.keyed else "待录入")
            for col, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if col == 4:
                    bad = not item.keyed or item.seq in differ or item.seq in st.misread
                    cell.setForeground(Qt.GlobalColor.darkRed if bad
                                       else Qt.GlobalColor.darkGreen)
                    if item.seq in differ:
                        cell.setToolTip(f"录入组B已录入第{item.seq}张，与扫描读出的不一致："
                                        "须由监票人在“双录比对”中核对原票后处理")
                self.table.setItem(row, col, cell)
        self.keys.setEnabled(open_ and bool(self.todo) and enter is None)
        if self.todo:
            nxt = self.todo[0]
            self.next_label.setText(f"请取出：{nxt.words}")
            row = next((i for i, x in enumerate(shown) if x.seq == nxt.seq), -1)
            if row >= 0:
                self.table.selectRow(row)
        else:
            self.next_label.setText("没有待录入的选票" if st.mode is not None else "请先选择核对方式")

    def _mode_chosen(self, button: QRadioButton) -> None:
        from app.scan import check

        r = self.round
        if self._quiet or r is None:
            return
        ctx = self.page.ctx
        mode = check.SAMPLE if button is self.sample else check.FULL
        got = check.set_mode(ctx.conn, r.id, mode, actor=ctx.actor, clock=ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
        else:
            self.page.say(f"{r.label}：{got.words()}")
        self.refresh()

    def draw(self) -> None:
        from app.scan.check import draw_sample

        r = self.round
        if r is None:
            return
        ctx = self.page.ctx
        got = draw_sample(ctx.conn, r.id, actor=ctx.actor, clock=ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
        else:
            self.page.say(f"已从{got.population}张中随机抽取{len(got.items)}张：请按批次和位置取出，"
                          "不看机读结果逐张录入")
        self.refresh()
        self.keys.setFocus()

    def enter(self) -> None:
        from app.cli.ballot_lines import parse_line
        from app.scan.check import enter_sample
        from app.voting.entry import KeyProblem, make_entry_ballot

        r = self.round
        if r is None or not self.todo:
            return
        # The line of `pollday ballot enter`: keys, then +姓名 for a write-in, !原因 for invalid.
        line = parse_line(self.keys.text().strip())
        if isinstance(line, str):
            self.page.say(line, ok=False)
            return
        b = make_entry_ballot(r, line.keys, write_ins=line.write_ins,
                              invalid=line.invalid_reason is not None,
                              reason=line.invalid_reason or "")
        if isinstance(b, KeyProblem):
            self.page.say(b.message, ok=False)
            return
        ctx = self.page.ctx
        got = enter_sample(ctx.conn, r.id, [b], clerk=self.page.clerk, clock=ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return
        self.page.say(f"{got[0].words} 已录入（录入组B）")
        self.keys.clear()
        self.refresh()

    def _show_contests(self) -> None:
        """A box per contest of the meeting; the page's contest ticked (the others as before)."""
        codes = [c.code for c in self.page.contests]
        if codes == [str(c.property("code")) for c in self.contest_checks]:
            return    # the same contests: the ticks stay as the clerk left them
        was = {str(c.property("code")): c.isChecked() for c in self.contest_checks}
        current = self.page.contest
        for c in self.contest_checks:
            self.print_row.removeWidget(c)
            c.deleteLater()
        self.contest_checks = []
        for contest in self.page.contests:
            # The body too: a party meeting may elect 委员 of two bodies on one page.
            box = QCheckBox(f"{contest.body}{contest.title}" if contest.body else contest.title)
            box.setProperty("code", contest.code)
            box.setToolTip(box.text())
            box.setChecked(was.get(contest.code, current is not None
                                   and contest.code == current.code))
            self.print_row.addWidget(box)
            box.show()   # at once, not after the next turn of the event loop
            self.contest_checks.append(box)

    def chosen_codes(self) -> list[str]:
        return [str(c.property("code")) for c in self.contest_checks if c.isChecked()]

    def _print(self, kind: str, title: str) -> bool:
        from ui.pages.print_pdf import save_pdf

        codes = self.chosen_codes()
        if not codes:
            self.page.say("请先勾选要印制的选举事项", ok=False)
            return False
        argv = [a for code in codes for a in ("--contest", code)]

        def shown(box: Any) -> None:
            self.print_message = box
            self._show_deck()

        return save_pdf(self, self.page.ctx, kind, title, argv, shown,
                        operator=self.page.ctx.actor)

    def print_ballots(self) -> bool:
        """One contest ticked: its scannable ballot; several: one page holding them all."""
        several = len(self.chosen_codes()) > 1
        return self._print("scan-ballot-page" if several else "scan-ballots",
                           "可扫描选票（一页多项）" if several else "可扫描选票")

    def ask_acknowledge(self) -> None:
        """The 总监票人 writes why the round's scan count stands without a passed test deck."""
        from ui.widgets.reason_dialog import ReasonDialog

        r = self.page.round
        if r is None:
            return
        self.dialog = ReasonDialog(
            self, "确认未经测试计入",
            f"{r.label} 的选票由扫描读出，但扫描测试选票未通过。由总监票人确认未经测试计入？"
            "须写明原因（至少4个字），记入审计日志；结果和报送包中保留这一条。",
            ["扫描仪无法测试，已全部键盘录入比对", "测试选票无法打印，已随机抽查核对"],
            ok_text="确认")
        self.dialog.reason_accepted.connect(lambda why: self.acknowledge(why))
        self.dialog.open()

    def acknowledge(self, why: str) -> bool:
        from app.scan.deck_gate import acknowledge

        r = self.page.round
        if r is None:
            return False
        ctx = self.page.ctx
        got = acknowledge(ctx.conn, r.id, why=why, actor=ctx.actor, clock=ctx.clock)
        if isinstance(got, Refusal):
            self.page.say(got.message, ok=False)
            return False
        self.page.say(f"{r.label}：已记录总监票人确认未经测试计入：{got.acknowledged}")
        self.refresh()
        return True

    def print_deck(self) -> bool:
        return self._print("scan-testdeck", "扫描测试选票")

    def _show_deck(self) -> None:
        from app.scan.deck_gate import gate
        from app.scan.testdeck import deck_summary

        html = "扫描测试选票：" + deck_summary(self.page.ctx.conn).html()
        r = self.page.round
        g = gate(self.page.ctx.conn, r.id) if r is not None else None
        self.ack_button.setVisible(g is not None and g.open and not g.acknowledged)
        if g is not None and g.open:
            html += "<br><b style='color:#8a4b00'>" + g.warning() + "</b>"
        self.deck.setText(html)
        # Each failed page on its own line, whole: the table above gives way.
        self.deck.setMinimumHeight((html.count("<br>") + 1) * self.deck.fontMetrics().lineSpacing()
                                   + 8)
        lay = self.layout()
        if lay is not None:
            lay.activate()
