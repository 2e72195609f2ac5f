"""The main window: step bar on the left, a header with the community and the current meeting,
the step's page(s) in the middle, a status bar. Pages come from the registry in ui/pages and
are built the first time their step is opened."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import attendance, logs, permissions, session, staff
from app.model import Meeting
from db.connection import connect
from ui import filedialogs, ops, pages, preload, signon
from ui.pages.context import PageContext
from ui.tasks import Task
from ui.widgets.notice import PageFailed, PlannedNotice
from ui.widgets.offline_banner import DeskSync
from ui.widgets.sidebar import StepBar

DEFAULT_SIZE = (1280, 800)
# While nobody clicks, the page of the day's next step is built ahead (hidden), so opening it
# only shows it: building 投票计票 took ~25 ms of the GUI thread, added to its first paint.
PREBUILD_AFTER_MS = 300
PREBUILT_STEPS = ("signin", "meeting", "voting", "results")
DB_FILTER = "PollDay 选举数据库 (*.db);;所有文件 (*)"
log = logging.getLogger(__name__)
_windows: list[QMainWindow] = []  # windows opened from 文件 → 新建/打开 stay alive


def create_database(path: Path) -> sqlite3.Connection:
    """A new, empty election database (no register, no meeting) at `path`; never overwrites."""
    if path.exists():
        raise FileExistsError(f"文件已存在：{path}（请用“打开…”）")
    return connect(path, create=True)


class MeetingHeader(QFrame):
    """Community name and the current meeting; a switcher when there are several meetings."""

    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("MeetingHeader")
        self.setStyleSheet("#MeetingHeader { background: #f4f6f9; border-bottom: 1px solid #cfd8e3; }"
                           "#MeetingHeader QLabel#community { font-size: 16pt; font-weight: bold;"
                           " color: #1b3550; }")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        self.community = QLabel()
        self.community.setObjectName("community")
        self.meeting_label = QLabel("当前会议(&M)：")
        self.switcher = QComboBox()
        self.switcher.setMinimumWidth(260)
        self.switcher.setMaximumWidth(560)
        self.switcher.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.switcher.setAccessibleName("当前会议")
        self.meeting_label.setBuddy(self.switcher)
        self.operator = QLineEdit(ctx.operator)
        self.operator.setPlaceholderText("填写姓名")
        self.operator.setMaximumWidth(140)
        self.operator.setAccessibleName("值班人")
        self.operator.setToolTip("记录和名单上的“登记人”写这个姓名（每个数据库记住上次填写的）")
        operator_label = QLabel("值班人(&W)：")
        operator_label.setBuddy(self.operator)
        self.operator.editingFinished.connect(lambda: ctx.set_operator(self.operator.text()))
        # Where a staff list exists the name is the signed-on member's, not free text.
        self.signed_label = QLabel()
        self.signed_label.setAccessibleName("使用本机的人")
        self.signed_label.setStyleSheet("font-weight: bold; color: #1b3550;")
        self.switch_button = QPushButton("切换人员")
        self.switch_button.setToolTip("换一名工作人员用本机：选择姓名、输入PIN（Ctrl+L）")
        self.switch_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._free_text = (operator_label, self.operator)
        layout.addWidget(self.community)
        layout.addStretch(1)
        layout.addWidget(operator_label)
        layout.addWidget(self.operator)
        layout.addWidget(self.signed_label)
        layout.addWidget(self.switch_button)
        self.show_signed(None)
        layout.addSpacing(16)
        layout.addWidget(self.meeting_label)
        layout.addWidget(self.switcher)
        self.switcher.activated.connect(self._chosen)
        ctx.meeting_changed.connect(lambda _m: self.refresh())
        self.refresh()

    def show_signed(self, who: str | None) -> None:
        """`who`: the signed-on member's words (staff list), or None (open mode: free text)."""
        for w in self._free_text:
            w.setVisible(who is None)
        self.signed_label.setVisible(who is not None)
        self.switch_button.setVisible(who is not None)
        self.signed_label.setText(who or "")

    def refresh(self) -> None:
        meetings = self.ctx.meetings()
        current = self.ctx.meeting
        self.community.setText(current.community if current else (
            meetings[0].community if meetings else "（尚未设置会议）"))
        self.switcher.blockSignals(True)
        self.switcher.clear()
        for m in meetings:
            self.switcher.addItem(meeting_text(m), m.id)
        if current is not None:
            self.switcher.setCurrentIndex(self.switcher.findData(current.id))
        self.switcher.setEnabled(len(meetings) > 1)
        self.switcher.setVisible(bool(meetings))
        self.meeting_label.setText("当前会议(&M)：" if meetings else "尚无会议")
        self.switcher.blockSignals(False)

    def _chosen(self, index: int) -> None:
        refusal = self.ctx.switch_meeting(int(self.switcher.itemData(index)))
        if refusal:
            QMessageBox.warning(self, "无法切换会议", refusal)
            self.refresh()


class LazyTab(QWidget):
    """Stands in a step's tab until that tab is first opened, when its page is built: opening a
    step builds only the page on screen (building 签到's two pages at once held the GUI thread
    ~50 ms)."""

    def __init__(self, spec: pages.PageSpec) -> None:
        super().__init__()
        self.spec = spec


class DemoBand(QLabel):
    """Above every page of the demo database: nobody may take its figures for a real election."""

    WORDS = ("演示数据，虚构 —— 人员和结果都是编造的，不能用于真实选举。"
             "开放模式，无需登录（不检查工作人员和PIN）。"
             "真实选举请用“文件 → 新建选举数据库…”")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(self.WORDS, parent)
        self.setObjectName("DemoBand")
        self.setWordWrap(True)
        self.setAccessibleName("演示数据，虚构")
        self.setStyleSheet("#DemoBand { background: #fff1c2; color: #7a4b00; font-weight: bold;"
                           " padding: 4px 16px; border-bottom: 1px solid #e0b84a; }")

    def show_staff_note(self, note: str | None) -> None:
        """A staff list added to the demo is not enforced there (issue 15: the demo venue runs
        in open mode): the band says so, or a trainee takes the missing PIN check for a fault."""
        self.setText(self.WORDS if note is None else
                     "演示数据，虚构 —— 人员和结果都是编造的，不能用于真实选举。" + note + "。")


class AuditBand(QLabel):
    """Above every page when the database's audit log does not verify (rows edited outside the
    program): which row, and what to do. Checked when the window opens the database and after
    each backup (off the GUI thread); it stays as long as this window has that database."""

    LINK = "详见 报送 → 审计日志"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AuditBand")
        # One line (a walk: four dense lines pushed 发出合计 off 投票计票 at 1366x768): the
        # headline and a link to the 审计日志 page; the full advice is the tooltip and that page.
        self.setWordWrap(True)
        self.setAccessibleName("审计记录不完整")
        self.setTextFormat(Qt.TextFormat.RichText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.setOpenExternalLinks(False)
        self.setStyleSheet("#AuditBand { background: #c62828; color: white; font-weight: bold;"
                           " padding: 4px 16px; }")
        self.headline = ""
        self.hide()

    def show_text(self, text: str) -> None:
        """`text` as app.audit_log.band_text gives it: the first line shown, all of it the tip."""
        import html

        self.headline = text.split("\n", 1)[0]
        self.setText(f"{html.escape(self.headline)}　<a href=\"audit\" style=\"color: white;\">"
                     f"{html.escape(self.LINK)}</a>")
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self.show()


class StaffBand(QFrame):
    """A real election database without a staff list (new, or from an older version): anyone
    may do anything and records carry a typed name. Asks the 主持人 to create the list;
    稍后 postpones the question, the band stays until the list exists."""

    def __init__(self, create: Callable[[], None], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("StaffBand")
        self.setStyleSheet("#StaffBand { background: #fde7e4; border-bottom: 1px solid #e3a59c; }"
                           "#StaffBand QLabel { color: #8a1c12; font-weight: bold; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(16, 4, 16, 4)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setAccessibleName("尚未建立工作人员名单")
        self.create_button = QPushButton("建立工作人员名单(&G)…")
        self.create_button.clicked.connect(create)
        self.later_button = QPushButton("稍后(&Y)")
        self.later_button.clicked.connect(self.postpone)
        row.addWidget(self.label, 1)
        row.addWidget(self.create_button)
        row.addWidget(self.later_button)
        self.ask()

    def ask(self) -> None:
        self.label.setText("本数据库尚未建立工作人员名单（开放模式）：任何人都可以操作，记录只写“值班人”填写的姓名。"
                           "请主持人现在建立名单（第一个人为主持人），之后每人用自己的姓名和PIN登录。")
        self.later_button.setVisible(True)

    def postpone(self) -> None:
        self.label.setText("尚未建立工作人员名单（开放模式，任何人都可以操作）")
        self.later_button.setVisible(False)


def meeting_text(m: Meeting) -> str:
    return f"{m.title}（{m.date}）"


class MainWindow(QMainWindow):
    def __init__(self, conn: sqlite3.Connection, db_path: Path,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # The platform appends the application display name (PollDay 选举日现场管理).
        self.setWindowTitle(Path(db_path).name)
        self.resize(*DEFAULT_SIZE)
        self.ctx = PageContext(conn, db_path, parent=self)
        logs.note_database(Path(db_path))   # the error dialog names this window's database
        self.db_released = False
        self.step_bar = StepBar(pages.STEPS)
        self.header = MeetingHeader(self.ctx)
        self.stack = QStackedWidget()
        self._step_widgets: dict[str, QWidget] = {}
        self._swapping = False  # a built page is replacing its LazyTab
        self._current = ""
        self._prebuild = QTimer(self)
        self._prebuild.setSingleShot(True)
        self._prebuild.setInterval(PREBUILD_AFTER_MS)
        self._prebuild.timeout.connect(self._build_next_step)

        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        self.demo_band = DemoBand() if session.is_demo(conn) else None
        if self.demo_band is None:
            session.remember_database(Path(db_path))   # the next start opens it again
        if self.demo_band is not None:
            column.addWidget(self.demo_band)
        self.audit_band = AuditBand()
        self.audit_band.linkActivated.connect(
            lambda _link: self.show_step("report", tab="审计日志"))
        column.addWidget(self.audit_band)
        self.staff_band = StaffBand(self.create_staff_list)
        self.staff_band.hide()
        column.addWidget(self.staff_band)
        column.addWidget(self.header)
        column.addWidget(self.stack, 1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.step_bar)
        row.addWidget(right, 1)
        self.setCentralWidget(central)

        # The file name only: a long path would push the step message off the status bar.
        self.db_label = QLabel(f"数据库：{Path(db_path).name}")
        self.db_label.setToolTip(str(db_path))
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.statusBar().addPermanentWidget(self.db_label)
        self.step_bar.step_chosen.connect(self.show_step)
        self.ctx.message.connect(lambda text: self.statusBar().showMessage(text, 8000))
        file_menu = self.menuBar().addMenu("文件(&F)")
        file_menu.addAction("新建选举数据库(&N)…", QKeySequence.StandardKey.New, self.new_database)
        file_menu.addAction("打开(&O)…", QKeySequence.StandardKey.Open, self.open_database)
        file_menu.addSeparator()
        self.switch_action = file_menu.addAction("切换人员(&U)…", QKeySequence("Ctrl+L"),
                                                 self.switch_person)
        self.sign_off_action = file_menu.addAction("退出登录(&G)", self.sign_off)
        self.change_pin_action = file_menu.addAction("修改本人PIN(&K)…", self.change_own_pin)
        self.change_pin_action.setEnabled(False)   # someone signed on (not in open mode)
        file_menu.addSeparator()
        file_menu.addAction("退出(&X)", QKeySequence("Ctrl+Q"), self.request_close)
        self._close_confirmed = False
        self.show_step(pages.STEPS[0].key)
        self.restore_page()
        self._setup_sign_on(central)
        self.check_audit()

    def check_audit(self) -> None:
        """Re-verify the audit chain in the database's worker (about 0.1 s for a 20,000-row
        log, the window stays usable meanwhile); a chain that does not verify shows the band."""
        from app.audit_log import chain_band

        ops.run_op(self, self.ctx.db_path, chain_band, on_success=self._audit_checked,
                   on_failure=lambda f: log.warning("audit chain check: %s", f.words),
                   busy=False)

    def _audit_checked(self, text: str | None) -> None:
        if text:   # a broken chain never mends in the same file: the band is not hidden again
            self.audit_band.show_text(text)

    # --- who uses this laptop: sign-on, 切换人员, the idle lock ----------------------------------

    def _setup_sign_on(self, pages_area: QWidget) -> None:
        self.signed_label = QLabel()
        self.signed_label.setAccessibleName("登录人员")
        self.statusBar().addPermanentWidget(self.signed_label)
        self.where = signon.place(self.ctx.conn)   # this desk or laptop, for the audit
        self.lock_overlay = signon.LockOverlay(pages_area, self.ctx.conn, self.ctx.clock,
                                               where=self.where)
        self.lock_overlay.unlocked.connect(self._signed_on)
        self.sign_on_dialog: signon.SignOnDialog | None = None
        self._focus_before: QWidget | None = None   # where keys went before the lock or dialog
        self.idle_now: Callable[[], float] = time.monotonic  # tests move a clock of their own
        self.last_input = self.idle_now()
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(5000)
        self.idle_timer.timeout.connect(self.check_idle)
        self.header.switch_button.clicked.connect(self.switch_person)
        self.ctx.staff_changed.connect(self.staff_list_changed)
        self._filtering = False
        self._started = False
        self.staff_list_changed()
        self._started = True
        if self.enforced:
            self.lock("谁在使用本机", "请选择本人姓名并输入PIN，之后的每条记录都写这个姓名。",
                      button="登录")
            QTimer.singleShot(0, self, self.ask_sign_on)

    @property
    def locked(self) -> bool:
        return self.lock_overlay.isVisible()

    def staff_list_changed(self) -> None:
        """Open mode or staff list: the bands, the header's name and the idle lock follow."""
        conn = self.ctx.conn
        try:
            self.enforced = permissions.enforced(conn)
            has_staff = staff.has_staff(conn)
        except sqlite3.Error:
            self.enforced, has_staff = False, False
        self.staff_band.setVisible(self.demo_band is None and not has_staff)
        if self.demo_band is not None:
            try:
                note = permissions.demo_list_note(conn) if has_staff else None
            except sqlite3.Error:
                note = None
            self.demo_band.show_staff_note(note)
        self.switch_action.setEnabled(self.enforced)
        self.sign_off_action.setEnabled(self.enforced)
        # Input is watched (idle time, the lock) only where a staff list exists: open mode and
        # the demo pay nothing for it.
        app = QApplication.instance()
        if app is not None and self.enforced != self._filtering:
            if self.enforced:
                app.installEventFilter(self)
            else:
                app.removeEventFilter(self)
            self._filtering = self.enforced
        if self.enforced:
            self.idle_timer.start()
        else:
            self.idle_timer.stop()
        self._show_actor()
        actor = self.ctx.actor
        if self.enforced and self._started and not (
                isinstance(actor, permissions.Actor) and actor.verified):
            # The first member was just added (the list exists from now on): they sign on.
            QTimer.singleShot(0, self, self.ask_sign_on)

    def _show_actor(self) -> None:
        actor = self.ctx.actor
        self.change_pin_action.setEnabled(
            self.enforced and isinstance(actor, permissions.Actor) and actor.verified)
        if self.enforced:
            verified = isinstance(actor, permissions.Actor) and actor.verified
            words = f"{actor.name}（{actor.roles_zh()}）" if verified else "未登录"
            self.header.show_signed(words)
            self.signed_label.setText(f"使用本机：{words}")
        else:
            self.header.show_signed(None)
            self.signed_label.setText("开放模式，无需登录" if self.demo_band is not None
                                      else "开放模式（未建工作人员名单）")

    def ask_sign_on(self, title: str = "谁在使用本机") -> None:
        """The sign-on dialog (on opening and 切换人员); Esc leaves things as they were."""
        if self.db_released or not self.enforced:
            return
        # No one preselected: on 切换人员 the next person's PIN typed under the name of the one
        # signed on counted as that one's wrong PIN.
        dialog = signon.SignOnDialog(self, self.ctx.conn, self.ctx.clock, title=title,
                                     question="请选择本人姓名并输入PIN。之后的每条记录都写这个姓名。",
                                     where=self.where,
                                     how="switch" if title == "切换人员" else "sign_on")
        dialog.accepted_actor.connect(self._signed_on)
        dialog.finished.connect(self._sign_on_dialog_closed)
        self._keep_focus()
        self.sign_on_dialog = dialog
        if self.locked:   # one login on screen, not the lock's form under the dialog's
            self.lock_overlay.panel.hide()
        dialog.open()

    def _sign_on_dialog_closed(self, _result: int) -> None:
        """The dialog put off (Esc) while locked: the lock's own form asks instead."""
        if self.locked:
            self.lock_overlay.panel.show()
            self.lock_overlay.form.focus_pin()
            QTimer.singleShot(0, self.lock_overlay, self.lock_overlay.form.focus_pin)
        else:   # put off: the dialog hands the focus back itself
            self._focus_before = None

    def switch_person(self) -> None:
        """切换人员 (Ctrl+L): another member signs on; cancelled, the current one stays."""
        if self.enforced:
            self.ask_sign_on("切换人员")

    def sign_off(self) -> None:
        """退出登录: audited; the window locks until the next member signs on."""
        if not self.enforced or self.db_released:
            return
        actor = self.ctx.actor
        if isinstance(actor, permissions.Actor) and actor.verified:
            staff.record_sign_off(self.ctx.conn, actor, where=self.where, clock=self.ctx.clock)
            self.ctx.set_actor(permissions.Actor(actor.name))   # unverified: acts no more
            self._show_actor()
        name = actor.name if isinstance(actor, permissions.Actor) else str(actor)
        self.lock("已退出登录", f"{name} 已退出登录。下一位请选择本人姓名并输入PIN。",
                  button="登录")

    def lock(self, heading: str = "本机已锁定",
             note: str = "空闲时间过长，页面已锁定（下方内容仍可查看，不能操作）。"
                         "请选择本人姓名并输入PIN继续。", button: str = "解锁") -> None:
        actor = self.ctx.actor
        # The idle lock is the signed-on person's own screen: their name stays chosen; after
        # 退出登录 (no one signed on) the next person picks theirs.
        verified = isinstance(actor, permissions.Actor) and actor.verified
        preset = actor.name if verified else ""
        self._keep_focus()
        self.setProperty("locked", True)   # the desk's scanner takes no key meanwhile
        for dialog in self.findChildren(QDialog):   # a half-typed reason is not left open
            if dialog.isVisible() and dialog is not self.sign_on_dialog:
                dialog.reject()
        self.ctx.screen_locked.emit()
        self.lock_overlay.lock(heading=heading, note=note, preset=preset, button=button)
        if self.sign_on_dialog is not None and self.sign_on_dialog.isVisible():
            self.lock_overlay.panel.hide()   # the open sign-on dialog asks already

    def _signed_on(self, actor: permissions.Actor) -> None:
        actor_before = self.ctx.actor
        self.ctx.set_actor(actor)
        if getattr(actor_before, "name", actor_before) != actor.name:
            self._clear_refusals()
        self.lock_overlay.hide()
        self.setProperty("locked", False)
        before, self._focus_before = self._focus_before, None
        if self.sign_on_dialog is not None and self.sign_on_dialog.isVisible():
            self.sign_on_dialog.reject()
        # Once the dialog has closed: the keys typed next go where the person types, not into
        # whatever took the focus when the lock's form or the dialog went (they were lost).
        QTimer.singleShot(0, self, lambda: self._give_focus_back(
            before, same_person=getattr(actor_before, "name", actor_before) == actor.name))
        self.last_input = self.idle_now()
        self._show_actor()
        self.statusBar().showMessage(f"{actor.name}（{actor.roles_zh()}）已登录本机", 8000)
        if staff.must_change_pin(self.ctx.conn, actor.name):   # the 主持人 reset it: they know it
            QTimer.singleShot(0, self, self.change_own_pin)   # its note says why

    def _keep_focus(self) -> None:
        """Remember where the keys went before the lock or the sign-on dialog (the first of
        the two: the dialog may open over the lock)."""
        focused = QApplication.focusWidget()
        if self._focus_before is None and focused is not None and focused.window() is self \
                and not self.lock_overlay.isAncestorOf(focused):
            self._focus_before = focused

    def _give_focus_back(self, before: QWidget | None, *, same_person: bool) -> None:
        """After a sign-on: the idle lock's own person goes on where they were; another person
        starts at the page's own field (逐张录入's line), else where the focus was."""
        from shiboken6 import isValid

        if self.locked or self.db_released:
            return
        usable = (before is not None and isValid(before) and before.window() is self
                  and before.isVisible() and before.isEnabled())
        if same_person and usable:
            assert before is not None
            before.setFocus()
            return
        page = self.current_page()
        focus_first = getattr(page, "focus_first", None)
        if page is not None and callable(focus_first):
            focus_first()
            focused = self.focusWidget()
            if focused is not None and page.isAncestorOf(focused):
                return
        if usable:
            assert before is not None
            before.setFocus()

    def change_own_pin(self, note: str = "") -> None:
        """文件 → 修改本人PIN…: the signed-on member's own PIN (ui.pin_change)."""
        from ui.pin_change import ChangePinDialog

        actor = self.ctx.actor
        if self.db_released or not self.enforced or self.locked or not (
                isinstance(actor, permissions.Actor) and actor.verified):
            return
        dialog = ChangePinDialog(self, self.ctx.conn, self.ctx.clock, actor.name,
                                 where=self.where, note=note)
        dialog.changed.connect(
            lambda name: self.statusBar().showMessage(f"{name} 的PIN已修改", 8000))
        self.pin_dialog = dialog
        dialog.open()

    def _clear_refusals(self) -> None:
        """A refusal said to the previous person (「…」只有主持人可以操作；张签到（签到员）不能操作)
        goes when another signs on: left on a page it reads as meant for them."""
        from ui.widgets.feedback import FeedbackPanel

        def refused(text: str) -> bool:
            return "不能操作" in text or "请先选择本人姓名并输入PIN登录" in text

        for panel in self.stack.findChildren(FeedbackPanel):   # the desk's big panel: whole
            if refused(panel.text()):
                panel.reset()
        for label in self.stack.findChildren(QLabel):
            if refused(label.text()):
                label.clear()

    def idle_seconds(self) -> float:
        return self.idle_now() - self.last_input

    def check_idle(self) -> None:
        """Lock after the configured minutes without a key or click (where a staff list
        exists; 0 minutes = never)."""
        if not self.enforced or self.locked or self.db_released:
            return
        minutes = session.idle_lock_minutes(self.ctx.conn)
        if minutes and self.idle_seconds() >= minutes * 60:
            actor = self.ctx.actor
            if isinstance(actor, permissions.Actor) and actor.verified:
                staff.record_lock(self.ctx.conn, actor, where=self.where, minutes=minutes,
                                  clock=self.ctx.clock)
            self.lock()

    _INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.KeyRelease,
                        QEvent.Type.ShortcutOverride, QEvent.Type.MouseButtonPress,
                        QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick,
                        QEvent.Type.Wheel})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        """Input to this window counts as activity; while locked only the lock's form (and
        dialogs) take it: the page under the lock keeps its feedback but takes no input."""
        kind = event.type()
        if kind == QEvent.Type.Shortcut:
            return self.locked and self._in_window(watched) and not self._in_lock(watched)
        if kind not in self._INPUT or not isinstance(watched, QWidget):
            return False
        if not self._in_window(watched.window()):   # another window (or none of ours)
            return False
        if self.locked:
            if kind == QEvent.Type.ShortcutOverride and self._in_lock(watched) \
                    and self.lock_overlay.isAncestorOf(watched) \
                    and self.lock_overlay.mnemonic(event):   # type: ignore[arg-type]
                return True   # Alt+N / Alt+P: the lock's own fields, not a page's beneath
            return not self._in_lock(watched)
        if kind != QEvent.Type.ShortcutOverride:
            self.last_input = self.idle_now()
        return False

    def _in_lock(self, obj: QObject) -> bool:
        """The lock's form or the sign-on dialog: what takes input while locked."""
        if not isinstance(obj, QWidget):
            return False
        # Up the parents, not isAncestorOf: the 姓名 list's popup is a window of its own whose
        # parent is the list (its clicks and keys were swallowed; the lock froze).
        holders = [w for w in (self.lock_overlay, self.sign_on_dialog) if w is not None]
        at: QObject | None = obj
        while at is not None:
            if any(at is w for w in holders):
                return True
            at = at.parent()
        return False

    def _in_window(self, obj: QObject | None) -> bool:
        while obj is not None:
            if obj is self:
                return True
            obj = obj.parent()
        return False

    def create_staff_list(self) -> None:
        """The staff band's button: 准备 · 工作人员名单."""
        self.show_step("prepare", tab="工作人员名单")

    def restore_page(self) -> None:
        """The step and tab shown when this database was last closed (the meeting is stored as
        the database's current meeting already)."""
        last = session.last_page(self.ctx.conn)
        if last is not None and last[0] in {s.key for s in pages.STEPS}:
            self.show_step(last[0], tab=last[1])

    def current_tab(self) -> str | None:
        widget = self.stack.currentWidget()
        return widget.tabText(widget.currentIndex()) if isinstance(widget, QTabWidget) else None

    def page_title(self) -> str:
        tab = self.current_tab()
        title = pages.step(self._current).title
        return f"{title} · {tab}" if tab else title

    def request_close(self) -> None:
        """文件 → 退出 (Ctrl+Q): asks like the window's close button."""
        if self.confirm_close():
            self._close_confirmed = True
            self.close()

    def confirm_close(self) -> bool:
        """Mid-election (someone signed in at the current meeting), ask before closing and say
        that nothing is lost; where a page holds work not yet saved (a watched scan batch read
        and not imported: its `close_words()`), ask and name it. True = close."""
        if self.db_released:
            return True
        pending = []
        for w in self.findChildren(QWidget):
            words = getattr(w, "close_words", None)
            if callable(words):
                try:
                    said = words()
                except Exception:  # noqa: BLE001 - a page failing must not keep the window open
                    log.exception("close words of %s", type(w).__name__)
                    continue
                if said:
                    pending.append(str(said))
        m = self.ctx.meeting
        s = None
        if m is not None:
            try:
                s = attendance.under_way(self.ctx.conn, m)
            except Exception:  # noqa: BLE001 - a broken file must not keep the window open
                log.exception("attendance summary on close")
        if s is None and not pending:
            return True
        name = Path(self.ctx.db_path).name
        if s is not None and m is not None:
            # 实到 as the meeting page says it; the others apart, so nobody reads a sum as 实到.
            extra = [f"{w} {n} 人" for w, n in (("列席", s.attending), ("中途退场", s.signed_out))
                     if n]
            head = (f"“{m.title}”正在进行：实到 {s.present} 人"
                    + (f"（另有{'、'.join(extra)}）" if extra else "") + "。")
        else:
            head = "还有未导入的扫描选票。"
        box = QMessageBox(QMessageBox.Icon.Warning if pending else QMessageBox.Icon.Question,
                          "关闭窗口？", head, parent=self)
        saved = (f"已确认的签到、录入和设置都已保存在数据库“{name}”中。\n"
                 f"再次打开这个数据库时，回到当前会议和“{self.page_title()}”页。")
        box.setInformativeText("\n".join(pending) + "\n\n" + saved if pending
                               else "关闭不会丢失任何内容：" + saved)
        close = box.addButton("仍然关闭（下次再导入）" if pending else "关闭窗口",
                              QMessageBox.ButtonRole.AcceptRole)
        stay = box.addButton("继续工作（先输入清点张数导入）" if pending else "继续工作",
                             QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(stay)
        box.setEscapeButton(stay)
        box.exec()
        return box.clickedButton() is close

    def new_database(self) -> None:
        name, _ = filedialogs.get_save_file_name(self, "新建选举数据库", "", DB_FILTER,
                                                 database=True)
        if name:
            self.open_window(Path(name).with_suffix(".db") if not Path(name).suffix
                             else Path(name), new=True)

    def open_database(self) -> None:
        name, _ = filedialogs.get_open_file_name(self, "打开选举数据库", "", DB_FILTER,
                                                 database=True)
        if name:
            self.open_window(Path(name))

    def open_window(self, path: Path, *, new: bool = False) -> QMainWindow | None:
        """Another database in a window of its own (this one closes): a new one opens on
        准备 · 会议设置."""
        from ui.app_main import open_main_window, show_error, show_sized

        window: MainWindow | None
        if new:
            try:
                window = MainWindow(create_database(path), path)
            except (OSError, sqlite3.Error) as exc:
                show_error(self, "无法新建数据库", str(exc))
                return None
            window.show_step("prepare", tab="会议设置")
        else:
            window = open_main_window(path, self)
            if window is None:
                return None
        _windows.append(window)
        show_sized(window)
        self.close()
        return window

    @property
    def current_step(self) -> str:
        return self._current

    def show_step(self, key: str, tab: str | None = None) -> QWidget:
        """Show a step's page(s), building them on first use. Returns the page shown: for a
        step with several pages (tabs) the current one, or the one titled `tab`."""
        widget = self._step_widgets.get(key)
        if widget is None:
            widget = self._build_step(key, tab)
            self._step_widgets[key] = widget
            self.stack.addWidget(widget)
        self.stack.setCurrentWidget(widget)
        self.step_bar.set_current(key)
        self._current = key
        self._prebuild.start()
        step = pages.step(key)
        self.statusBar().showMessage(f"{step.title}：{step.hint}")
        if isinstance(widget, QTabWidget):
            titles = [widget.tabText(i) for i in range(widget.count())]
            if tab is not None and tab in titles:
                widget.setCurrentIndex(titles.index(tab))
            page = self._built(widget, widget.currentIndex())
            assert page is not None
            return page
        return widget

    def _build_next_step(self) -> None:
        """The next step of the day (签到 → 会议 → 投票计票 → 结果) built while nobody clicks;
        its page stays hidden (pages read their figures when shown)."""
        keys = [s.key for s in pages.STEPS]
        if self.db_released or not self.isVisible() or self._current not in keys:
            return
        if not preload.finished() or not ops.idle(self.ctx.db_path):
            # its modules would be imported here, on the GUI thread; or an operation's answer
            # (开始投票) is due and would come on top of it: later
            self._prebuild.start()
            return
        after = keys[keys.index(self._current) + 1:]
        key = after[0] if after else ""
        if key in PREBUILT_STEPS and key not in self._step_widgets:
            widget = self._build_step(key)
            self._step_widgets[key] = widget
            self.stack.addWidget(widget)

    def current_page(self) -> QWidget | None:
        """The page on screen (inside the tabs of a step with several pages)."""
        widget = self.stack.currentWidget()
        if isinstance(widget, QTabWidget):
            return self._built(widget, widget.currentIndex())
        return widget

    def _build_step(self, key: str, tab: str | None = None) -> QWidget:
        """The step's page, or its pages as tabs: only the tab shown first (`tab`, else the
        first) is built now, each other one when it is first opened (LazyTab)."""
        specs = pages.pages_of(key)
        if not specs:
            return PlannedNotice(pages.step(key))
        if len(specs) == 1:
            return self._build_page(specs[0])
        tabs = QTabWidget()
        tabs.setDocumentMode(True)
        tabs.setStyleSheet("QTabBar::tab { padding: 6px 22px; font-size: 12pt; }")
        titles = [spec.title for spec in specs]
        first = titles.index(tab) if tab in titles else 0
        for i, spec in enumerate(specs):
            tabs.addTab(self._build_page(spec) if i == first else LazyTab(spec), spec.title)
        tabs.setCurrentIndex(first)
        tabs.currentChanged.connect(lambda i, t=tabs: self._built(t, i))
        return tabs

    def _built(self, tabs: QTabWidget, index: int) -> QWidget | None:
        """The page of tab `index`, built now if it has not been yet. The page goes in before
        its stand-in and becomes current before the stand-in leaves, so no other tab is shown
        in between."""
        widget = tabs.widget(index)
        if not isinstance(widget, LazyTab) or self._swapping:
            return widget
        page = self._build_page(widget.spec)
        self._swapping = True
        try:
            shown = tabs.currentWidget()
            tabs.insertTab(index, page, widget.spec.title)
            tabs.setCurrentWidget(page if shown is widget else shown)
            tabs.removeTab(tabs.indexOf(widget))
        finally:
            self._swapping = False
        widget.setParent(None)  # out of the window at once
        widget.deleteLater()
        return page

    def _build_page(self, spec: pages.PageSpec) -> QWidget:
        """The page, or a notice saying it failed: one broken page must not close the app
        in the middle of the day."""
        try:
            return spec.factory()(self.ctx)
        except Exception as exc:
            traceback.print_exc()
            return PageFailed(spec.title, f"{type(exc).__name__}: {exc}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        # The clerk's close button or Alt+F4 (a spontaneous event) asks; close() from code (another
        # database opened, tests) does not.
        if event.spontaneous() and not self._close_confirmed and not self.confirm_close():
            event.ignore()
            return
        if not self.db_released and self._current:
            session.remember_page(self.ctx.conn, self._current, self.current_tab())
        Task.cancel_all()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.release_database()
        super().closeEvent(event)

    def release_database(self) -> None:
        """Let go of the database file when this window closes (文件 → 打开 another one, or
        quit): host mode and the desk link stop, no timer reads it again, the connection
        closes. Otherwise the old file stays open and Windows refuses to eject the USB stick it
        is on. Idempotent."""
        actor = self.ctx.actor
        if getattr(self, "enforced", False) and not self.db_released \
                and isinstance(actor, permissions.Actor) and actor.verified:
            with contextlib.suppress(sqlite3.Error, OSError):   # the file may be gone already
                staff.record_sign_off(self.ctx.conn, actor, where=self.where,
                                      clock=self.ctx.clock, closed=True)
            self.ctx.actor = self.ctx.operator = permissions.Actor(actor.name)   # once
        for timer in self.findChildren(QTimer):
            timer.stop()
        for window in self.findChildren(QWidget):
            if window.isWindow() and window.isVisible():   # the big screen on the projector
                window.close()
        for obj in self.findChildren(QObject):
            if obj is self:
                continue
            stop = getattr(obj, "shutdown", None) or (
                getattr(obj, "stop", None) if isinstance(obj, DeskSync) else None)
            if callable(stop):
                try:
                    stop()
                except Exception:  # noqa: BLE001 - one page failing must not keep the file open
                    log.exception("stopping %s on close", type(obj).__name__)
        ops.release(self.ctx.db_path)  # its worker finishes what was asked and closes the file
        # Closed once the calls already queued (a page's refresh posted with singleShot(0)
        # before the window closed) have run, so none of them meets a closed connection.
        QTimer.singleShot(0, self, self._close_connection)

    def _close_connection(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.ctx.conn.close()
        self.db_released = True
