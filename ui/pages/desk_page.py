"""签到台: the desk page. A clerk under time pressure finds a person and signs them in.

- The search box has the focus; results from the whole register appear as one types (name,
  pinyin, initials, ID digits, member number), exact matches first. Enter signs in only a person
  the text names unambiguously (app.attendance.find: exactly one exact match); otherwise the
  focus moves to the list, where ↑↓ + Enter pick (Esc goes back to typing). Up/Down in the
  search box pick too.
- A person another desk serves is shown "属于二号台（第三党支部）"; signing them in here takes one
  more key (仍在本台签到, F9), audited: the same whether typed or scanned.
- A scanner acting as a keyboard is recognised wherever the focus is (ui.widgets.scanner) and
  its token is signed in at once.
- 本台最近签到 lists this desk's standing sign-ins from the event log (it survives a restart);
  撤销此人签到… undoes the person chosen there or in the results, with a reason.
- The answer is a big coloured panel (ui.widgets.feedback). Every decision is the use case's
  (app.attendance); the page only shows the Result it returns.
- 撤销上一次签到 (Ctrl+Z) asks for a reason; lifting an exclusion asks for confirmation.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QColor, QKeyEvent, QKeySequence, QPainter, QPaintEvent, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import attendance, meetings, session
from app.attendance import Finding, Outcome, Result, warm
from app.attendance.desk import database_file_problem, write_stopped
from app.attendance.view import stamp as recent_stamp
from app.model import Meeting, Person
from app.sync import DeskStatus
from ui.ops import Op, OpFailure, run_op
from ui.pages.context import PageContext
from ui.pages.desk_answers import answer, hhmm, where
from ui.pages.register_model import NO_VOTE_COLOUR, category, mask_id_number
from ui.widgets.feedback import FeedbackPanel, Tone
from ui.widgets.offline_banner import DeskSync, OfflineBanner
from ui.widgets.reason_dialog import ReasonDialog
from ui.widgets.scanner import ScannerFilter
from ui.widgets.table_rows import compact_rows

RESULT_LIMIT = 20
OTHER_DESK_COLOUR = QColor("#1f4e99")
DEFAULT_DESK = "签到台"  # used when the meeting has no desks set up
POLL_MS = 2000  # other desks' sign-ins reach the counter this often
HEADERS = ("姓名", "支部 / 居民小组", "身份", "身份证号", "签到情况")
UNDO_REASONS = ("点错人（误签）", "代他人签到", "本人未到会", "扫错二维码")
LIFT_REASONS = ("本人到会，要求参加选举",)
PROXY_REASONS = ("委托人本人到会投票",)



class ElidedLabel(QLabel):
    """One line that, when too long for its width, ends in … (text() and the tooltip keep the
    whole of it)."""

    def shown_text(self) -> str:
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             self.contentsRect().width())

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        self.style().drawItemText(painter, self.contentsRect(), int(self.alignment()),
                                  self.palette(), self.isEnabled(), self.shown_text(),
                                  self.foregroundRole())


class DeskPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.found: list[Person] = []
        self.finding: Finding | None = None
        self._recent: list[tuple[attendance.Event, Person]] = []
        # The database as 本台最近签到 was last read (app.attendance.view.stamp): the poll
        # re-reads the list only when it changed (a sign-in or sign-out made elsewhere).
        self._recent_stamp: tuple[int, int] | None = None
        self._picked = False                  # the clerk moved the highlight with ↑↓
        self.last_result: Result | None = None
        self._pending: Result | None = None   # an excluded person awaiting the lift confirmation
        self.dialog: ReasonDialog | None = None
        self._expected = 0
        self._frozen: tuple[str, int] = ("", 0)  # the newest freeze of 实到: label, figure
        self._register_note = ""
        self.refresh_op: Op | None = None  # the counter's summary being read (ui.ops)
        self._shown_counts = 0  # how many times the counter was set: a late summary is dropped
        self.ready = True  # False while the meeting's first look is read on the worker
        self._build()
        # Not while a dialog is open over the page: a scan there would sign someone in behind
        # the 打开/新建 dialog (and a typed file name became a search) — a walk found both.
        self.scanner = ScannerFilter(
            self, active=lambda: self.isVisible() and QApplication.activeModalWidget() is None
            and not self.window().property("locked"))   # a PIN typed on the idle lock is no scan
        self.scanner.scanned.connect(lambda token: self.sign_in(token.strip()))
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.refresh_counter)
        self.sync = self._desk_mode()
        ctx.meeting_changed.connect(lambda _m: self.reload())
        ctx.register_changed.connect(self._run_search)
        ctx.desks_changed.connect(self._desks_edited)
        self.reload()

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.desk_box = QComboBox()
        self.desk_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.desk_box.setMinimumWidth(220)
        self.desk_box.setAccessibleName("签到台")
        self.desk_box.currentIndexChanged.connect(self._desk_changed)
        self.desk_box.currentIndexChanged.connect(self._remember_desk)
        self.scope_label = ElidedLabel()
        self.scope_label.setStyleSheet("color: #555;")
        # A desk serving many branches must not widen the window: the label ends in … when
        # cut short (the whole list is in its tooltip).
        self.scope_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.counter = QLabel()
        self.counter.setStyleSheet("font-size: 20pt; font-weight: bold; color: #1b3550;")
        self.undo_button = QPushButton("撤销上一次签到 (Ctrl+Z)")
        self.undo_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.undo_button.clicked.connect(self.undo_last)
        self.undo_chosen_button = QPushButton("撤销此人签到…")
        self.undo_chosen_button.setToolTip("撤销在查找结果或“本台最近签到”中选中的人的签到（须填原因）")
        self.undo_chosen_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.undo_chosen_button.clicked.connect(self.undo_chosen)
        self.out_button = QPushButton("退场 / 返回 (F8)")
        self.out_button.setToolTip("选中的人中途退场，或退场后返回会场")
        self.out_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.out_button.clicked.connect(self.toggle_out)
        # The desk and, under it, whom it serves: the buttons on the right leave the scope
        # too little room beside the desk on a 1280 px screen.
        desk_row = QHBoxLayout()
        desk_row.addWidget(QLabel("签到台："))
        desk_row.addWidget(self.desk_box)
        desk_row.addStretch(1)
        desk_col = QVBoxLayout()
        desk_col.setSpacing(0)
        desk_col.addLayout(desk_row)
        desk_col.addWidget(self.scope_label)
        top = QHBoxLayout()
        top.addLayout(desk_col, 1)
        top.addWidget(self.counter)
        top.addSpacing(16)
        top.addWidget(self.out_button)
        top.addWidget(self.undo_chosen_button)
        top.addWidget(self.undo_button)

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("扫码，或输入姓名 / 拼音 / 身份证后几位")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.setAccessibleName("查找人员")
        self.search_box.setToolTip("姓名、全拼、首字母、身份证号后几位或党员编号；↑↓ 选择，回车签到")
        self.search_box.setStyleSheet("font-size: 20pt; padding: 4px;")
        self.search_box.textChanged.connect(self._run_search)
        self.search_box.textChanged.connect(self._forget_old_search)
        self.search_box.returnPressed.connect(self._enter)
        self.search_box.installEventFilter(self)

        self.results = QTableWidget(0, len(HEADERS))
        self.results.setHorizontalHeaderLabels(HEADERS)
        # Focus comes here when Enter found no single exact match: ↑↓ + Enter pick, Esc or
        # typing goes back to the search box.
        self.results.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.results.installEventFilter(self)
        self.results.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.results.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results.verticalHeader().hide()
        header = self.results.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # 支部 and 身份 share what the other columns leave, ending in … when too long (the whole
        # is the tooltip; a person without a vote keeps the row's colour): no sideways
        # scrolling hides 签到情况 on a laptop.
        for col in (1, 2):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.Stretch)
        header.setStretchLastSection(False)
        self.results.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results.setStyleSheet("font-size: 14pt;")
        # Rows as high as the type needs (Qt's default leaves 8 px more): with the answer panel
        # below, 8 matches stay in sight on a 1366x768 laptop.
        compact_rows(self.results)
        self.results.cellDoubleClicked.connect(lambda row, _col: self._sign_in_row(row))
        self.results.cellClicked.connect(self._clicked_row)   # a click chooses, as ↑↓ does

        self.feedback = FeedbackPanel()
        self.feedback.action_clicked.connect(self.confirm_pending)

        self.recent = QListWidget()
        self.recent.setAccessibleName("本台最近签到")
        self.recent.setToolTip("本签到台的签到（取自签到记录，重新打开后仍在）；选中后可撤销此人签到")
        self.recent.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.recent.setStyleSheet("font-size: 12pt;")
        self.recent.itemClicked.connect(lambda _i: self.results.clearSelection())
        recent_box = QVBoxLayout()
        recent_box.setContentsMargins(0, 0, 0, 0)
        recent_box.addWidget(QLabel("本台最近签到"))
        recent_box.addWidget(self.recent)
        self.recent_panel = QWidget()
        self.recent_panel.setLayout(recent_box)
        self.recent_panel.setMaximumWidth(250)
        middle = QHBoxLayout()
        middle.addWidget(self.results, 1)
        middle.addWidget(self.recent_panel)

        # One column, full width: the results keep every column on a laptop screen and the
        # answer panel spans the page, so long details fit in large type.
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 4, 16, 4)
        lay.setSpacing(4)   # every pixel of height goes to the matches (8 rows at 1366x768)
        self.banner = OfflineBanner()
        lay.addWidget(self.banner)
        # After the host's register changed (a person added, a leave recorded): what came in.
        self.register_notice = QLabel()
        self.register_notice.setObjectName("registerNotice")
        self.register_notice.setWordWrap(True)
        self.register_notice.setStyleSheet(
            "#registerNotice { background: #e3f2fd; color: #0d47a1; font-size: 12pt;"
            " padding: 6px 14px; border-radius: 6px; }")
        self.register_notice.hide()
        lay.addWidget(self.register_notice)
        lay.addLayout(top)
        lay.addWidget(self.search_box)
        # The matches take what the answer panel (at its minimum height) leaves.
        lay.addLayout(middle, 1)
        lay.addWidget(self.feedback, 0)
        # The search box eats Ctrl+Z itself (text undo, see eventFilter); this covers the rest.
        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo_last)
        out = QShortcut(QKeySequence(Qt.Key.Key_F8), self)
        out.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        out.activated.connect(self.toggle_out)
        here = QShortcut(QKeySequence(Qt.Key.Key_F9), self)
        here.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        here.activated.connect(self.confirm_other_desk)

    def _desk_mode(self) -> DeskSync | None:
        """On a desk that joined a host: share through the sync core's thread, banner when
        the host is unreachable."""
        desk = session.joined_desk(self.ctx.conn)
        if desk is None:
            return None
        sync = DeskSync(self.ctx.db_path, desk, self)
        self.banner.follow(sync)
        sync.status_changed.connect(self._sync_status)
        if not sync.start():
            self.ctx.message.emit(sync.error)
            return None
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(sync.stop)
        return sync

    def _sync_status(self, st: DeskStatus) -> None:
        """The desk took the host's register: say what changed, search and count again."""
        if st.register_note and st.register_note != self._register_note:
            self._register_note = st.register_note
            self.register_notice.setText(st.register_note)
            self.register_notice.show()
            self._fill_desks()              # a desk's scope may have been set on the host
            self._desk_changed()
            self.ctx.register_changed.emit()
            self._refresh_soon()

    # --- meeting and desk ---------------------------------------------------------------------

    def reload(self) -> None:
        meeting = self.ctx.meeting
        self._fill_desks()
        self.setEnabled(meeting is not None)
        if meeting is not None and not warm.is_warm(self.ctx.conn, meeting):
            self._warm_up(meeting)
            return
        self._desk_changed()
        self._refresh_soon()

    def _warm_up(self, meeting: Meeting) -> None:
        """The meeting's first look folds the whole register: on the database's worker (ui.ops),
        handed to this page's connection, then the page fills in. A scan meanwhile still signs
        in (its connection folds the register itself)."""
        self.counter.setText("正在统计…")
        self.ready = False

        def done(built: object) -> None:
            if not self._connection_open():
                return  # the page's database was closed meanwhile
            if self.ctx.meeting == meeting:
                warm.adopt(self.ctx.conn, meeting, built)  # type: ignore[arg-type]  # a View
            fill()

        def fill(_failure: object = None) -> None:  # on failure the page folds it, as before
            if not self._connection_open():
                return
            self.ready = True
            self._desk_changed()
            self._refresh_now()

        run_op(self, self.ctx.db_path, lambda conn: warm.build(conn, meeting), done, fill)

    def _connection_open(self) -> bool:
        try:
            self.ctx.conn.total_changes  # noqa: B018 - raises once the connection is closed
        except sqlite3.ProgrammingError:
            return False
        return True

    def _fill_desks(self) -> None:
        """The desk choice (and each desk's scope), keeping the desk chosen when it is still
        there."""
        meeting = self.ctx.meeting
        # The desk chosen on the page, else the one chosen last time on this database.
        chosen = self.desk_box.currentText() or session.desk_choice(self.ctx.conn)
        self.desk_box.blockSignals(True)
        self.desk_box.clear()
        desks = meetings.list_desks(self.ctx.conn, meeting.id) if meeting else []
        if self.sync is not None:  # a joined desk signs in under the name the host knows
            desks = [d for d in desks if d.name == self.sync.desk]
        for d in desks:
            self.desk_box.addItem(d.name, d)
        if meeting and not desks:
            self.desk_box.addItem(self.sync.desk if self.sync else DEFAULT_DESK, None)
        if chosen and self.desk_box.findText(chosen) >= 0:
            self.desk_box.setCurrentIndex(self.desk_box.findText(chosen))
        self.desk_box.blockSignals(False)

    def _desks_edited(self) -> None:
        """签到台设置 added or removed a desk: the choice follows at once (the chosen desk stays
        chosen while it exists), so nobody signs in at a desk the meeting no longer has."""
        before = self.desk_box.currentText()
        self._fill_desks()
        self._desk_changed()   # its scope, and the search's 属于二号台 / 本台
        if self.desk_box.currentText() != before:
            self._remember_desk()

    def _remember_desk(self) -> None:
        """The clerk's choice of desk outlives a restart (per database)."""
        if self.desk_box.currentData() is not None:
            session.set_desk_choice(self.ctx.conn, self.desk_box.currentText())

    @property
    def desk_name(self) -> str:
        return self.desk_box.currentText() or DEFAULT_DESK

    def _desk_changed(self) -> None:
        desk = self.desk_box.currentData()
        scoped = desk is not None and bool(desk.scope)
        self.scope_label.setText("负责：" + "、".join(desk.scope) if scoped else "负责：全部人员")
        self.scope_label.setToolTip(self.scope_label.text())
        self._run_search()
        self._fill_recent()
        if self.isVisible():   # not from 签到台设置's field while this page is hidden
            self.search_box.setFocus()

    # --- searching ----------------------------------------------------------------------------

    def _run_search(self) -> None:
        meeting = self.ctx.meeting
        text = self.search_box.text().strip()
        self._picked = False
        self.finding = (attendance.find(self.ctx.conn, meeting, text, self.desk_name, RESULT_LIMIT)
                        if text and meeting else None)
        rows = self.finding.rows if self.finding is not None else ()
        self.found = [f.person for f in rows]
        self.results.setRowCount(len(rows))
        standing = (attendance.standings_of(self.ctx.conn, meeting, [f.person.id for f in rows])
                    if meeting is not None else {})
        for row, f in enumerate(rows):
            assert meeting is not None
            p = f.person
            st = standing[p.id]
            state = f.home
            if st.sign_in is not None:
                state = f"已签到 {hhmm(st.sign_in.at)} {st.sign_in.desk}"
                if st.out is not None:
                    state += "（已退场）"
            status = category(p) if f.has_vote else f"{category(p)}（无表决权）"
            cells = (p.name, where(p), status, mask_id_number(p.id_number), state)
            for col, text_ in enumerate(cells):
                item = QTableWidgetItem(text_)
                if not f.has_vote:
                    item.setForeground(NO_VOTE_COLOUR)
                    item.setToolTip(f.no_vote)
                elif f.home:
                    item.setForeground(OTHER_DESK_COLOUR)
                    item.setToolTip(f.home)
                elif col in (1, 2):
                    item.setToolTip(text_)   # shortened in a narrow column
                self.results.setItem(row, col, item)
        # Only the one person Enter would sign in is highlighted; otherwise nothing is, so
        # the first row of a prefix-only list never looks chosen.
        self.results.clearSelection()
        self.results.setCurrentCell(-1, -1)
        if self.finding is not None and self.finding.sure is not None:
            self.results.selectRow(self.found.index(self.finding.sure))

    def _forget_old_search(self, text: str) -> None:
        """Typing a new search: a grey answer about the old one (no match, choose from the
        list) leaves the panel; a sign-in's answer stays until the next one."""
        if text.strip() and self.feedback.tone is Tone.GREY:
            self.feedback.reset()
            self._pending = None

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if obj is self.results and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._list_key(event)
        if obj is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.matches(QKeySequence.StandardKey.Undo):
                self.undo_last()
                return True
            step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10,
                    Qt.Key.Key_PageDown: 10}.get(Qt.Key(event.key()))
            if step is not None and self.found:
                self._move(step)
                return True
        return super().eventFilter(obj, event)

    def _move(self, step: int) -> None:
        # From the row shown highlighted (the one match Enter would sign in, or the clerk's
        # choice): ↓ from 张华 highlighted for "zh" stayed on 张华, and ↓↓ Enter signed in the
        # row above the one meant. With none highlighted the first ↓ highlights the first row:
        # the row Qt made current when the list took the focus is no choice.
        shown = self.results.selectionModel().selectedRows()
        current = shown[0].row() if shown else -1
        row = 0 if current < 0 else min(max(current + step, 0), len(self.found) - 1)
        self.results.selectRow(row)
        self._picked = True

    def _clicked_row(self, _row: int, _col: int) -> None:
        self._picked = True

    def _list_key(self, event: QKeyEvent) -> bool:
        """Keys in the results list: Enter signs in the highlighted person, Esc (or typing)
        goes back to the search box."""
        key = Qt.Key(event.key())
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            # Only a row the clerk chose with ↑↓ or a click: Qt makes the first row current when
            # the list takes the focus, and a second Enter signed that one in (a walk found it).
            row = self.results.currentRow()
            if self._picked and 0 <= row < len(self.found):
                self._sign_in_row(row)
            return True
        if event.matches(QKeySequence.StandardKey.SelectAll):   # the search text, as in the box
            self.search_box.setFocus()
            self.search_box.selectAll()
            return True
        if key == Qt.Key.Key_Escape:
            # Back to typing with the text selected, so the next name replaces it ("cheng" +
            # "王芳" became "cheng王芳", 名册中没有此人).
            self.search_box.setFocus()
            self.search_box.selectAll()
            return True
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown):
            step = {Qt.Key.Key_Up: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_PageUp: -10}.get(key, 10)
            if self.found:
                self._move(step)
            return True
        if event.text() and event.text().isprintable() or key == Qt.Key.Key_Backspace:
            self.search_box.setFocus()
            QApplication.sendEvent(self.search_box, QKeyEvent(
                event.type(), event.key(), event.modifiers(), event.text()))
            return True
        return False

    def _enter(self) -> None:
        """Enter in the search box: sign in only an unambiguous match (or the person the
        clerk highlighted with ↑↓); otherwise ask the clerk to pick from the list."""
        text = self.search_box.text().strip()
        row = self.results.currentRow()
        if self._picked and 0 <= row < len(self.found):
            self._sign_in_row(row)
        elif self.finding is not None and self.finding.sure is not None:
            self.sign_in(self.finding.sure)
        elif self.found:
            self._ask_to_pick(text)
        elif text:
            self.sign_in(text)  # a token or ID number no search key holds: says so plainly

    def _ask_to_pick(self, text: str) -> None:
        assert self.finding is not None
        n, exact = len(self.found), self.finding.exact_count
        if exact > 1:
            headline = f"有 {exact} 人与“{text}”相符，请选择"
            detail = "有表决权的排在前面。按 ↓ 选中本人，再按回车签到；直接输入可重新查找"
        else:
            headline = f"没有与“{text}”完全相符的人，请选择"
            detail = f"列出的 {n} 人只是部分相符，请核对后按 ↓ 选中本人，再按回车签到；直接输入可重新查找"
        self.feedback.show_result(Tone.GREY, headline, "未签到", detail)
        self._pending = None
        self.results.setFocus()
        # Nothing highlighted until the clerk chooses (Enter now signs nobody in), and the
        # search text selected: the next name typed replaces it ("we" + "魏伟" was "we魏伟").
        self.results.clearSelection()
        self.results.setCurrentCell(-1, -1)
        self.search_box.selectAll()

    def _sign_in_row(self, row: int) -> None:
        self.sign_in(self.found[row])

    # --- the actions ----------------------------------------------------------------------------

    def sign_in(self, ref: str | Person, *, outside_ok: bool = False) -> Result | None:
        meeting = self.ctx.meeting
        if meeting is None:
            return None
        result = self._guarded(lambda: attendance.sign_in(
            self.ctx.conn, meeting, ref, self.desk_name, self.ctx.actor, self.ctx.clock,
            check_scope=True, outside_ok=outside_ok))
        if result is None:
            return None
        if self.sync is not None and result.written:
            self.sync.notify()
        self._show(result, ref)
        self.search_box.clear()
        self.search_box.setFocus()
        if result.written:
            self._fill_recent()
        return result

    def _show(self, r: Result, ref: str | Person) -> None:
        self.last_result = r
        a = answer(r, ref, self.desk_name)
        self._pending = r if a.action else None
        self.feedback.show_result(a.tone, a.headline, a.title, a.detail, a.action)
        if r.late_for:   # a freeze this page has not read yet
            self._frozen = (r.late_for, r.late_frozen)
        self._set_counter(r.present, self._expected)

    def confirm_pending(self) -> None:
        """The answer panel's action button: lift an exclusion, or sign in at this desk."""
        if self._pending is not None and self._pending.outcome is Outcome.OTHER_DESK:
            self.confirm_other_desk()
        else:
            self.confirm_lift()

    def confirm_other_desk(self) -> None:
        """仍在本台签到 (F9): the person shown as another desk's is signed in here, audited."""
        pending = self._pending
        if pending is None or pending.outcome is not Outcome.OTHER_DESK or pending.person is None:
            return
        self._pending = None
        self.sign_in(pending.person, outside_ok=True)

    def confirm_lift(self) -> None:
        """The clerk confirms an excluded person came: lift the exclusion (reason), sign in."""
        pending = self._pending
        if pending is None or pending.person is None:
            return
        person = pending.person
        if pending.outcome is Outcome.DELEGATED and pending.delegated_to is not None:
            self._ask_revoke_proxy(person, pending.delegated_to)
            return
        self.dialog = ReasonDialog(
            self, "撤销不计入应到",
            f"{person.name} 已经批准不计入应到人数。\n确认本人到会并参加选举？\n"
            "撤销后此人重新计入应到，并记入审计日志。", LIFT_REASONS, ok_text="撤销不计入并签到")
        self.dialog.reason_accepted.connect(lambda reason: self._lift(person, reason))
        self.dialog.finished.connect(lambda _r: self.search_box.setFocus())
        self.dialog.open()

    def _ask_revoke_proxy(self, person: Person, holder: Person) -> None:
        """The principal came before the holder: the chair revokes the proxy (reason), then
        the principal signs in (app.attendance.revoke_proxy_and_sign_in decides)."""
        self.dialog = ReasonDialog(
            self, "撤销委托",
            f"{person.name} 已委托 {holder.name} 代为投票，{holder.name} 尚未签到。\n"
            f"主持人确认撤销委托、由 {person.name} 本人投票？\n须填写原因，记入审计日志。",
            PROXY_REASONS, ok_text="撤销委托并签到")
        self.dialog.reason_accepted.connect(lambda reason: self._revoke_proxy(person, reason))
        self.dialog.finished.connect(lambda _r: self.search_box.setFocus())
        self.dialog.open()

    def _revoke_proxy(self, person: Person, reason: str) -> None:
        meeting = self.ctx.meeting
        assert meeting is not None
        r = self._guarded(lambda: attendance.revoke_proxy_and_sign_in(
            self.ctx.conn, meeting, person, self.desk_name, self.ctx.actor, self.ctx.clock, reason))
        if r is None:
            return
        if r.outcome is Outcome.SIGNED_IN:
            self._fill_recent()  # the undo list is read from the log
            if self.sync is not None:
                self.sync.notify()
        self._show(r, person)
        self._run_search()

    def _lift(self, person: Person, reason: str) -> None:
        meeting = self.ctx.meeting
        assert meeting is not None
        lifted = self._guarded(lambda: attendance.lift_exclusion(
            self.ctx.conn, meeting, person, self.desk_name, self.ctx.actor, self.ctx.clock, reason))
        if lifted is None:
            return
        if lifted.outcome is not Outcome.LIFTED:
            self._show(lifted, person)
            return
        self._refresh_now()
        self.sign_in(person)

    def toggle_out(self) -> None:
        """中途退场 for the highlighted person, or their return when they had left."""
        meeting = self.ctx.meeting
        row = self.results.currentRow()
        if meeting is None or not 0 <= row < len(self.found):
            self.feedback.show_result(Tone.GREY, "请先查找并选中一人", "", "再按 退场 / 返回 (F8)")
            return
        person = self.found[row]
        args = (self.ctx.conn, meeting, person, self.desk_name, self.ctx.actor, self.ctx.clock)
        r = self._guarded(lambda: attendance.sign_out(*args))
        if r is not None and r.outcome is Outcome.ALREADY_OUT:
            r = self._guarded(lambda: attendance.return_(*args))
        if r is not None and r.written and self.sync is not None:
            self.sync.notify()   # shared at once, like every other write of the page
        if r is not None:
            self._show(r, person)
        self.search_box.clear()
        self.search_box.setFocus()

    def undo_last(self) -> None:
        """撤销上一次签到 at this desk (the newest standing sign-in made here, from the log):
        asks for a reason (required)."""
        meeting = self.ctx.meeting
        if meeting is None or (self.dialog is not None and self.dialog.isVisible()):
            return
        last = attendance.recent(self.ctx.conn, meeting, self.desk_name, 1)
        if not last:
            self.feedback.show_result(Tone.GREY, "没有可撤销的签到", "",
                                      f"{self.desk_name} 没有尚未撤销的签到")
            return
        self._ask_undo(last[0][1], "撤销上一次签到")

    def chosen_person(self) -> Person | None:
        """The person chosen in 本台最近签到 (when it has a selection) or in the results."""
        item = self.recent.currentItem()
        if item is not None and item.isSelected():
            pid = item.data(Qt.ItemDataRole.UserRole)
            return next((p for e, p in self._recent if p.id == pid), None)
        row = self.results.currentRow()
        return self.found[row] if 0 <= row < len(self.found) else None

    def undo_chosen(self) -> None:
        """撤销此人签到…: the chosen person's sign-in (made at any desk), with a reason."""
        if self.ctx.meeting is None or (self.dialog is not None and self.dialog.isVisible()):
            return
        person = self.chosen_person()
        if person is None:
            self.feedback.show_result(Tone.GREY, "请先选中一人", "",
                                      "在查找结果或“本台最近签到”中选中要撤销签到的人")
            return
        self._ask_undo(person, "撤销此人签到")

    def _ask_undo(self, person: Person, title: str) -> None:
        meeting = self.ctx.meeting
        if meeting is not None:   # refused anyway (not allowed, not signed in): say so first
            refused = self._guarded(lambda: attendance.undo_refusal(   # type: ignore[arg-type, return-value]
                self.ctx.conn, meeting, person, self.desk_name, self.ctx.actor))
            if refused is not None:
                self._show(refused, person)
                return
        self.dialog = ReasonDialog(
            self, title,
            f"撤销 {person.name}（{where(person)}）的签到？\n须填写原因，记入审计日志。",
            UNDO_REASONS, ok_text="撤销签到")
        self.dialog.reason_accepted.connect(lambda reason: self._undo(person, reason))
        self.dialog.finished.connect(lambda _r: self.search_box.setFocus())
        self.dialog.open()

    def _undo(self, person: Person, reason: str) -> None:
        meeting = self.ctx.meeting
        assert meeting is not None
        r = self._guarded(lambda: attendance.undo_sign_in(
            self.ctx.conn, meeting, person, self.desk_name, self.ctx.actor, self.ctx.clock, reason))
        if r is None:
            return
        if self.sync is not None and r.written:
            self.sync.notify()
        self._show(r, person)
        self._run_search()
        self._fill_recent()

    def _fill_recent(self) -> None:
        """本台最近签到 from the event log: newest first."""
        meeting = self.ctx.meeting
        self._recent_stamp = recent_stamp(self.ctx.conn)
        recent = (attendance.recent(self.ctx.conn, meeting, self.desk_name)
                  if meeting is not None else [])
        attends = attendance.attending_ids(self.ctx.conn, meeting) if meeting is not None \
            else frozenset()
        self._show_recent(recent, attends)

    def _show_recent(self, recent: list[tuple[attendance.Event, Person]],
                     attends: frozenset[int]) -> None:
        self._recent = recent
        self.recent.clear()
        for e, p in self._recent:
            sat_in = p.id in attends   # signed in without a vote: 列席, not counted
            item = QListWidgetItem(f"{hhmm(e.at)}  {p.name}" + ("（列席）" if sat_in else ""))
            item.setData(Qt.ItemDataRole.UserRole, p.id)
            item.setToolTip(f"{p.name}（{where(p)}）{hhmm(e.at)} "
                            + ("列席，无表决权，不计入实到" if sat_in else "签到"))
            self.recent.addItem(item)

    def _guarded(self, write: Callable[[], Result]) -> Result | None:
        """Run one write; when the environment stopped it (the database file deleted or
        replaced under the app, a full disk, a read-only stick) say so in red, naming the file,
        and return None: nothing was written, so nothing may look signed in."""
        try:
            return write()
        except Exception as exc:
            words = write_stopped(exc, self.ctx.db_path)
            if words is None:
                raise
            self._file_trouble(words)
            return None

    def _file_trouble(self, words: str) -> None:
        self.last_result = None
        self._pending = None
        self.feedback.show_result(Tone.RED, "没有写入，未签到", "数据库文件出了问题", words)
        self.search_box.clear()
        self.search_box.setFocus()

    # --- the counter ----------------------------------------------------------------------------

    def _refresh_soon(self) -> None:
        # The first summary of a meeting folds the whole register (~0.5 s for 20,000 people):
        # let the page paint first. It also warms this connection's view, which the first
        # sign-in needs (sign-ins stay on the GUI thread: written before the screen says so).
        self.counter.setText("正在统计…")
        QTimer.singleShot(0, self._refresh_now)

    def _refresh_now(self) -> None:
        meeting = self.ctx.meeting
        if meeting is None:
            self.counter.setText("")
            return
        if self._file_problem():
            return
        s = attendance.attendance_summary(self.ctx.conn, meeting)
        self._expected = s.expected
        self._frozen = _newest_freeze(attendance.snapshots(self.ctx.conn, meeting))
        self._set_counter(s.present, s.expected)

    def _file_problem(self) -> bool:
        problem = database_file_problem(self.ctx.conn)
        if problem is not None:
            # Said before anyone scans, on every poll: the file was deleted or replaced.
            if self.feedback.headline.text() != "数据库文件已被删除或替换":
                self.feedback.show_result(Tone.RED, "数据库文件已被删除或替换", "请勿继续签到",
                                          problem)
            return True
        return False

    def refresh_counter(self) -> None:
        """The poll: the counter from the attendance summary, read on the database's worker
        (ui.ops): after other desks' sign-ins it takes longer than the GUI thread may wait. A
        sign-in made meanwhile has shown its own count; a summary read before it is dropped,
        never shown over it."""
        meeting = self.ctx.meeting
        if meeting is None:
            self.counter.setText("")
            return
        if self._file_problem():
            return
        if self.refresh_op is not None:
            return  # the last one is still under way
        shown = self._shown_counts
        # 本台最近签到 too, read on the worker beside the summary, when the database changed
        # since the list was read (another desk, the CLI): a PRAGMA's cost on the other polls.
        now = recent_stamp(self.ctx.conn)
        desk = self.desk_name if now != self._recent_stamp else None

        def done(got: tuple[attendance.Summary, tuple[str, int],
                            tuple[list[tuple[attendance.Event, Person]], frozenset[int]] | None]
                 ) -> None:
            self.refresh_op = None
            if self.ctx.meeting != meeting:
                return
            s, self._frozen, recent = got
            self._expected = s.expected
            if recent is not None and desk == self.desk_name and shown == self._shown_counts:
                self._recent_stamp = now
                self._show_recent(*recent)
            if shown == self._shown_counts:
                self._set_counter(s.present, s.expected)
            else:  # a sign-in answered meanwhile: read again, after it
                self.refresh_counter()

        def failed(failure: OpFailure) -> None:
            self.refresh_op = None
            self.counter.setText("实到 —（未能统计）")
            self.counter.setToolTip(failure.words)

        self.refresh_op = run_op(self, self.ctx.db_path,
                                 lambda conn: (attendance.attendance_summary(conn, meeting),
                                               _newest_freeze(attendance.snapshots(conn,
                                                                                   meeting)),
                                               None if desk is None else
                                               (attendance.recent(conn, meeting, desk),
                                                attendance.attending_ids(conn, meeting))),
                                 done, failed, busy=False)

    def _set_counter(self, present: int, expected: int) -> None:
        self._shown_counts += 1
        self.counter.setToolTip("")
        label, frozen = self._frozen
        if label:
            # the frozen 实到 on a smaller second line: on one line at 20 pt the counter pushed
            # the window to 1494 px on a 1366 px screen
            self.counter.setText(
                f"此刻在场 {present} / 应到 {expected}<br><span style='font-size: 12pt;'>"
                f"冻结实到 {frozen}（{label}开始时）</span>")
            self.counter.setToolTip(f"{label}开始时冻结实到 {frozen} 人：实到、出席率和法定人数按此"
                                    f"（见“会议”页）；此刻在场 {present} 人含冻结后到会的人")
        else:
            self.counter.setText(f"{attendance.live_count_words(present)} / 应到 {expected}")

    # --- shown / hidden -------------------------------------------------------------------------

    def showEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        self.scanner.install()
        self._poll.start()
        if self.ready:  # else the first look, read on the worker, fills the counter
            self._refresh_soon()
        self.search_box.setFocus()

    def hideEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        self.scanner.uninstall()
        self._poll.stop()
        super().hideEvent(event)


def create(ctx: PageContext) -> QWidget:
    return DeskPage(ctx)


def _newest_freeze(taken: list[attendance.Snapshot]) -> tuple[str, int]:
    """The newest freeze of 实到 (label, figure), or ("", 0) before voting starts."""
    return (taken[-1].round_label, taken[-1].present) if taken else ("", 0)
