"""会议: attendance and the quorum for the chair's secretary, live; 开始投票 freezes 实到 for a
round; 打开大屏幕 puts the same figures on the projector.

The figures are app.attendance.attendance_summary, polled once a second while someone looks
at them (this page or the big screen). The summary is cheap: the use case keeps a folded view
of the log per connection and only rebuilds it when another connection wrote.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import attendance, session, voting
from app.attendance import Duplicate, Outcome, Snapshot, Summary
from app.meetings import Refusal
from app.model import Meeting
from ui.bigscreen import BigScreen
from ui.ops import Op, OpFailure, error_dialog, run_op
from ui.pages.context import PageContext
from ui.rights import Gate, denied
from ui.widgets.quorum_panel import Figures, QuorumPanel
from ui.widgets.reason_dialog import ReasonDialog

POLL_MS = 1000
DUP_HEADERS = ("姓名", "有效签到（签到台 时间）", "重复签到（签到台 时间）", "")
DUP_REASONS = ("同一人在两个签到台各签到一次，以先签到为准", "扫码重复")
CHAIR_DESK = "主机"  # the desk name of the chair's resolutions on the host itself


def figures_of(s: Summary, last: Snapshot | None) -> Figures:
    """The live figures until voting opens; from then on 实到, 出席率 and the quorum are the
    newest round's frozen ones (what the 报告单 and 公告 print), and those who signed in after the
    freeze are a separate, labelled figure."""
    note = ""
    if s.represented:
        note = f"另有 {s.represented} 人由到会的受托人代为投票，计入参加人数"
    if last is None:
        return Figures(expected=s.expected, present=s.present, leave=s.leave,
                       excluded=s.excluded, rate=s.rate, met=s.quorum_met,
                       missing=s.quorum.missing, rule_zh=s.rule, note=note)
    from app import rounding

    late = len(s.present_ids - frozenset(last.person_ids))
    frozen = (f"{last.round_label}：{last.taken_at[11:16]} 开始投票，冻结实到 {last.present} 人"
              "（实到、出席率按此）")
    if late:
        frozen += (f"；冻结后到会 {late} 人（不计入{last.round_label}实到，不发该次选票），"
                   f"此刻在场 {s.present} 人")
    note = f"{note}\n{frozen}" if note else frozen
    return Figures(expected=last.expected, present=last.present, leave=last.on_leave,
                   excluded=last.excluded,
                   rate=rounding.rate_text(last.present, last.expected, s.quorum.threshold),
                   met=last.quorum_met,
                   missing=0 if last.quorum_met else max(1, s.quorum.required - last.present),
                   rule_zh=last.rule_zh, note=note)


class MeetingPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.summary: Summary | None = None
        self.snapshots: list[Snapshot] = []
        self.bigscreen: BigScreen | None = None
        self.confirm: QMessageBox | None = None
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 18pt; font-weight: bold; color: #1b3550;")
        self.title.setWordWrap(True)
        self.panel = QuorumPanel(self, scale=1.15)
        self.desks = QLabel()
        self.desks.setWordWrap(True)
        self.desks.setStyleSheet("font-size: 12pt; color: #37474f;")
        self.duplicates = QLabel()
        self.duplicates.setWordWrap(True)
        self.duplicates.setStyleSheet("font-size: 12pt; color: #c62828;")
        self.dup_table = QTableWidget(0, len(DUP_HEADERS))
        self.dup_table.setHorizontalHeaderLabels(DUP_HEADERS)
        self.dup_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.dup_table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.dup_table.verticalHeader().hide()
        self.dup_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.dup_table.setStyleSheet("font-size: 12pt;")
        self.dup_table.hide()
        self.dup_shown: tuple[Duplicate, ...] = ()
        self.dialog: ReasonDialog | None = None
        self.open_button = QPushButton("开始投票（冻结实到）…")
        self.open_button.setToolTip("按当前实到人数冻结本轮投票的实到名单（发出选票以此为准）")
        self.screen_button = QPushButton("打开大屏幕")
        self.screen_button.setToolTip("在投影仪上显示应到、实到和出席率（F11 全屏，Esc 退出全屏）")
        for b in (self.open_button, self.screen_button):
            b.setMinimumHeight(44)
            b.setStyleSheet("font-size: 14pt; padding: 4px 18px;")
        self.open_button.clicked.connect(self.ask_open_voting)
        self.screen_button.clicked.connect(self.open_bigscreen)
        buttons = QHBoxLayout()
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.screen_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(24, 16, 24, 16)
        lay.setSpacing(12)
        lay.addWidget(self.title)
        lay.addWidget(self.panel)
        lay.addWidget(self.desks)
        lay.addWidget(self.duplicates)
        lay.addWidget(self.dup_table)
        lay.addLayout(buttons)
        lay.addStretch(1)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.poll)
        self.poll_op: Op | None = None  # the summary being read (ui.ops)
        self.opening: Op | None = None  # 开始投票 being written (ui.ops)
        self.refusal: QMessageBox | None = None  # why 开始投票 was refused
        ctx.meeting_changed.connect(lambda _m: self.reload())
        ctx.voting_opened.connect(self._voting_opened)
        # 开始投票 only for who may (the 主持人), and only while it has something to do.
        self.under_way: str | None = None
        self.open_tip = self.open_button.toolTip()
        self.gate = Gate(ctx, self)
        self.gate.add(self.open_button, "open_voting",
                      lambda: self.meeting is not None and self.opening is None
                      and self.under_way is None)
        self.reload()

    @property
    def meeting(self) -> Meeting | None:
        return self.ctx.meeting

    def reload(self) -> None:
        m = self.meeting
        self.title.setText(m.title if m else "尚无会议")
        if self.bigscreen is not None:
            self.bigscreen.set_title(m.title if m else "")
        self.snapshots = attendance.snapshots(self.ctx.conn, m) if m else []
        self._open_state()
        # The first summary of a meeting folds the whole register: after the page has painted.
        QTimer.singleShot(0, self.poll)

    def poll(self) -> None:
        """The timer's poll: the summary read on the database's worker (ui.ops), shown when it
        comes. After a write that changes who counts (a round opened, a leave, a lock) the use
        case folds the whole register again, longer than the GUI thread may wait."""
        m = self.meeting
        if m is None or self.poll_op is not None:
            return

        def done(s: Summary) -> None:
            self.poll_op = None
            if self.meeting == m:
                self._show_summary(s)

        def failed(failure: OpFailure) -> None:
            self.poll_op = None
            self.desks.setText(f"未能统计：{failure.words}")

        self.poll_op = run_op(self, self.ctx.db_path,
                              lambda conn: attendance.attendance_summary(conn, m), done, failed,
                              busy=False)

    def refresh(self) -> None:
        """The summary now, on the GUI thread (before the 开始投票 question, which shows it)."""
        m = self.meeting
        if m is None:
            return
        self._show_summary(attendance.attendance_summary(self.ctx.conn, m))

    def _show_summary(self, s: Summary) -> None:
        """The figures shown here and on the big screen."""
        self.summary = s
        f = figures_of(s, self.snapshots[-1] if self.snapshots else None)
        self.panel.set_figures(f)
        if self.bigscreen is not None:
            self.bigscreen.set_figures(f)
        desks = " · ".join(f"{d.desk} {d.signed_in}" for d in s.desks)
        extra = [f"另有列席 {s.attending} 人（无表决权，不计入实到）"] if s.attending else []
        if s.signed_out:
            extra.append(f"中途退场 {s.signed_out}")
        self.desks.setText("各签到台签到人数：" + (desks or "尚无") +
                           ("（" + "，".join(extra) + "）" if extra else ""))
        self.duplicates.setText(
            f"重复签到待处理 {len(s.duplicates)} 起：" + "、".join(d.name for d in s.duplicates)
            if s.duplicates else "")
        self.duplicates.setVisible(bool(s.duplicates))
        self._show_duplicates(s.duplicates)

    # --- double sign-ins (merged from several desks) ----------------------------------------------

    def _show_duplicates(self, dups: tuple[Duplicate, ...]) -> None:
        if dups == self.dup_shown:
            return  # polled every second: rebuild only when the list changed
        self.dup_shown = dups
        self.dup_table.setRowCount(len(dups))
        for row, d in enumerate(dups):
            cells = (d.name, f"{d.standing.desk} {d.standing.at[11:19]}",
                     f"{d.duplicate.desk} {d.duplicate.at[11:19]}")
            for col, text in enumerate(cells):
                self.dup_table.setItem(row, col, QTableWidgetItem(text))
            button = QPushButton("处理…")
            button.setToolTip("确认以先签到的为准，撤下这次重复签到（须填写原因，记入审计日志）")
            button.clicked.connect(lambda _c=False, dup=d: self.ask_resolve(dup))
            self.dup_table.setCellWidget(row, 3, button)
        # As tall as its rows (up to five; it scrolls beyond), no empty band under them.
        t = self.dup_table
        rows = sum(t.rowHeight(r) for r in range(min(len(dups), 5)))
        t.setFixedHeight(t.horizontalHeader().height() + rows + 2 * t.frameWidth() + 2)
        t.setVisible(bool(dups))

    def ask_resolve(self, d: Duplicate) -> None:
        self.dialog = ReasonDialog(
            self, "处理重复签到",
            f"{d.name} 在两个签到台各签到了一次：\n"
            f"有效：{d.standing.desk} {d.standing.at[11:19]}\n"
            f"重复：{d.duplicate.desk} {d.duplicate.at[11:19]}\n"
            "以先签到的为准（重复的一次从未计入实到）。须填写原因，记入审计日志。",
            DUP_REASONS, ok_text="处理")
        self.dialog.reason_accepted.connect(lambda reason: self._resolve(d, reason))
        self.dialog.open()

    def _resolve(self, d: Duplicate, reason: str) -> None:
        m = self.meeting
        if m is None:
            return
        desk = session.joined_desk(self.ctx.conn) or CHAIR_DESK
        r = attendance.resolve_duplicate(self.ctx.conn, m, d.duplicate.key, desk, self.ctx.actor,
                                         self.ctx.clock, reason)
        if r.outcome is not Outcome.RESOLVED:
            QMessageBox.warning(self, "无法处理重复签到", r.message)
        else:
            self.ctx.message.emit(r.message)
        self.refresh()

    # --- 开始投票 ---------------------------------------------------------------------------------

    def _open_state(self) -> None:
        """开始投票 enabled, or why not in its tooltip (a vote under way; who may: the gate)."""
        m = self.meeting
        self.under_way = voting.vote_under_way(self.ctx.conn, m) if m is not None else None
        self.gate.set_tip(self.open_button, self.under_way or self.open_tip)

    def ask_open_voting(self) -> None:
        m = self.meeting
        if m is None:
            return
        if why := denied(self.ctx, "open_voting"):   # said at the first click, before the question
            self.refusal = QMessageBox(QMessageBox.Icon.Warning, "无法开始投票", why,
                                       QMessageBox.StandardButton.Ok, self)
            self.refusal.open()
            return
        self.refresh()
        s = self.summary
        assert s is not None
        label = attendance.next_vote_label(self.snapshots)
        due = voting.contests_to_open(self.ctx.conn, m)
        opens = ""
        if due:
            opens = ("<p style='font-size:13pt'>同时开始以下选举事项的第1轮投票（与“投票计票”页的"
                     "开始投票是同一操作）：<b>"
                     + "、".join(f"{c.title}（应选{c.seats}名）" for c in due) + "</b></p>")
        elif self.snapshots:
            opens = ("<p style='font-size:13pt'>各选举事项均已开始投票；此次冻结供下一轮（另行选举、"
                     "重新投票）使用，下一轮在“投票计票”页开始。</p>")
        from html import escape

        from app.voting.validate import held_by_candidates

        held = held_by_candidates(self.ctx.conn, m, [c.id for c in due]) if due else []
        if held:   # warned, not refused: she may have been listed before the other vote
            opens += ("<p style='font-size:13pt; color:#9a5b13'><b>注意：</b>"
                      + "<br>".join(escape(w) for w in held) + "</p>")
        verdict = ("到会人数符合规定。" if s.quorum_met else
                   f"<b style='color:#c62828'>到会人数不足（还差 {s.quorum.missing} 人），"
                   "此时投票选举无效。</b>")
        text = (f"<p style='font-size:13pt'>开始{label}，按此刻冻结实到名单：</p>"
                f"<p style='font-size:16pt'>应到 <b>{s.expected}</b> 人，实到 <b>{s.present}</b> 人，"
                f"出席率 <b>{s.rate}</b></p><p style='font-size:13pt'>{verdict}</p>"
                f"<p>规则：{s.rule}</p>{opens}<p>冻结后发出选票以此实到人数为准，不能更改。</p>")
        box = QMessageBox(QMessageBox.Icon.Question, "开始投票（冻结实到）", text,
                          QMessageBox.StandardButton.Ok | QMessageBox.StandardButton.Cancel, self)
        box.setTextFormat(Qt.TextFormat.RichText)
        ok = box.button(QMessageBox.StandardButton.Ok)
        assert ok is not None
        ok.setText(f"冻结实到，开始{label}")
        box.setDefaultButton(QMessageBox.StandardButton.Ok if s.quorum_met
                             else QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: self._answered(box, label))
        self.confirm = box
        box.open()

    def _voting_opened(self) -> None:
        """开始投票 here or on 投票计票 (or a next round on 结果): show the freeze as soon as
        the summary is read."""
        m = self.meeting
        self.snapshots = attendance.snapshots(self.ctx.conn, m) if m else []
        self._open_state()
        if self.summary is not None:  # the freeze (a few rows) at once, the figures when read
            self._show_summary(self.summary)
        self.poll()

    def _answered(self, box: QMessageBox, label: str) -> None:
        if box.clickedButton() is not box.button(QMessageBox.StandardButton.Ok):
            return
        m = self.meeting
        assert m is not None
        if self.opening is not None:
            return
        actor, clock = self.ctx.actor, self.ctx.clock

        def done(got: Any) -> None:
            self.opening = None
            self._open_state()
            if isinstance(got, Refusal):
                self.refusal = QMessageBox(QMessageBox.Icon.Warning, "无法开始投票", got.message,
                                           QMessageBox.StandardButton.Ok, self)
                self.refusal.open()
                return
            opened = "、".join(r.label for r in got.rounds)
            self.ctx.message.emit(f"{got.snapshot.round_label}已开始：实到 {got.snapshot.present} 人"
                                  f"已冻结" + (f"；已开始 {opened}" if opened else ""))
            self.ctx.voting_opened.emit()  # 投票计票 shows the rounds; this page the freeze

        def failed(failure: OpFailure) -> None:
            self.opening = None
            self._open_state()
            self.refusal = error_dialog(self, "未能开始投票", failure)

        # The freeze and the rounds are written on the database's worker (ui.ops): the round
        # snapshot reads every person present, longer than the GUI thread may wait.
        self.open_button.setEnabled(False)
        self.opening = run_op(self, self.ctx.db_path,
                              lambda conn: voting.open_vote(conn, m, actor=actor, clock=clock),
                              done, failed)

    def is_idle(self) -> bool:
        """No 开始投票 and no poll under way."""
        return self.opening is None and self.poll_op is None

    # --- the big screen -------------------------------------------------------------------------

    def open_bigscreen(self) -> BigScreen:
        m = self.meeting
        if self.bigscreen is None:
            self.bigscreen = BigScreen(m.title if m else "", self)
            self.bigscreen.destroyed.connect(self._bigscreen_gone)
            self.bigscreen.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            screens = QGuiApplication.screens()
            if len(screens) > 1:  # the projector is usually the second screen
                self.bigscreen.setGeometry(screens[1].availableGeometry())
        if self.panel.figures is not None:
            self.bigscreen.set_figures(self.panel.figures)
        self.bigscreen.show()
        self.bigscreen.raise_()
        self._poll.start()
        self.refresh()
        return self.bigscreen

    def _bigscreen_gone(self) -> None:
        self.bigscreen = None
        if not self.isVisible():
            self._poll.stop()

    def showEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self._open_state()   # a result locked on 结果 since
        self._poll.start()
        QTimer.singleShot(0, self.poll)

    def hideEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if self.bigscreen is None:  # the projector keeps showing live figures
            self._poll.stop()
        super().hideEvent(event)


def create(ctx: PageContext) -> QWidget:
    return MeetingPage(ctx)
