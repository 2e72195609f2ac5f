"""多台签到: this laptop as the host of the venue's sign-in desks, or as a desk joining one.

Nothing listens until 开启主机模式 is pressed. The host is the sync core's (app.sync.Host) on an
asyncio loop in a thread of its own (`HostRunner`); the page only reads: the pairing code (a QR
drawn with QPainter and the text to type), each desk's link (app.sync.host_status: state, last
contact, events received and not yet received), the consolidated attendance and quorum (the
host's database holds every desk's events, so 会议 and the big screen show the same figures) and
the connection attempts the host refused (app.sync.refusals.refused_attempts: the host's audit
rows, so they survive a restart of host mode or of the app). 加入主机… opens the desk side (ui.pages.join_dialog).

The address in the code is chosen among this laptop's addresses (ui.widgets.address_choice,
best first: a LAN without a default gateway still gets its own address, not 127.0.0.1) and can
be changed while hosting: the code, the QR and the mDNS advert follow. Whether the advert runs
is said under the state line; a note says how to let desks through the Windows firewall.
"""

from __future__ import annotations

import contextlib
import dataclasses
import warnings
from pathlib import Path

from PySide6.QtCore import QEvent, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import attendance, permissions, session
from app.attendance.view import stamp as changes_stamp
from app.sync import host_status, parse
from app.sync.discovery import advert_interfaces
from app.sync.host import wildcard
from app.sync.refusals import REASON_ZH, RefusedAttempt, refused_attempts, refused_total
from app.sync.registry import DeskKeyRow, desk_keys, unsigned_count
from ui import awake
from ui.pages.context import PageContext
from ui.pages.host_runner import HostRunner
from ui.pages.meeting_page import figures_of
from ui.widgets.address_choice import AddressChoice
from ui.widgets.quorum_panel import QuorumPanel
from ui.widgets.table_rows import compact_rows

POLL_MS = 1000
REFUSALS_SHOWN = 50
DEFAULT_PORT = 8765
FIREWALL_NOTE = ("签到台连不上本机？多半是防火墙拦截：Windows 第一次开启主机模式时弹出“Windows 安全中心警报”，"
                 "请勾选“专用网络”并点“允许访问”。新连上的网络默认是“公用网络”：请在网络设置里把会场网络"
                 "改为“专用网络”，或在“允许应用通过 Windows 防火墙”中勾选 pollday.exe 的“专用”。")
HEADERS = ("签到台", "状态", "最后联系", "签到人数", "已收到", "未收到", "地址")


class QrView(QWidget):
    """The pairing code as a QR, one dark square per module, white quiet zone (4 modules)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[str] = []
        self.setMinimumSize(260, 260)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_code(self, code: str) -> None:
        from app.documents.qr import qr_modules  # loads reportlab: only once hosting

        self.rows = qr_modules(code) if code else []
        self.update()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt override)
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 (Qt override)
        return width

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt override)
        p = QPainter(self)
        side = min(self.width(), self.height())
        x0, y0 = (self.width() - side) / 2, (self.height() - side) / 2
        if not self.rows:
            p.fillRect(QRectF(x0, y0, side, side), QColor("#eceff1"))
            p.setPen(QColor("#78909c"))
            p.drawText(QRectF(x0, y0, side, side), Qt.AlignmentFlag.AlignCenter,
                       "开启主机模式后\n在此显示配对二维码")
            return
        n = len(self.rows) + 8
        module = side / n
        p.fillRect(QRectF(x0, y0, side, side), QColor("white"))
        dark = QColor("black")
        for r, row in enumerate(self.rows):
            for c, bit in enumerate(row):
                if bit == "1":
                    p.fillRect(QRectF(x0 + (c + 4) * module, y0 + (r + 4) * module,
                                      module + 0.5, module + 0.5), dark)


def link_state(connected: bool) -> str:
    return "在线" if connected else "离线"


def refusal_text(a: RefusedAttempt) -> str:
    reasons = "、".join(REASON_ZH.get(r, r) for r in a.reason.split(",") if r)
    more = f"（又 {a.count} 次，已合并记录）" if a.count > 1 else ""
    desk = f"  自称“{a.desk}”" if a.desk else ""
    event = f"  记录 {a.event}" if a.event else ""
    return f"{a.at[11:19]}  {a.address}{desk}  {reasons}{event}{more}"


def keys_text(rows: list[DeskKeyRow], unsigned: int) -> str:
    """One line on the registry: desks whose signed records are taken, revoked desks (their
    earlier records kept), records from before desks signed."""
    live = [f"{r.desk}（{r.fingerprint}）" for r in rows if r.revoked_at is None]
    parts = [("已登记签名密钥：" + "、".join(live)) if live else "尚无签到台登记签名密钥"]
    parts += [f"已吊销：{r.desk}（{r.revoked_reason}；此前 {r.events} 条记录保留）"
              for r in rows if r.revoked_at is not None]
    if unsigned:
        parts.append(f"未签名记录 {unsigned} 条（签名功能启用前保存或尚未共享，照旧计入）")
    return "；".join(parts)


class HostPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("HostPage")
        self.ctx = ctx
        self.code = ""
        self._bind = "0.0.0.0"
        self.runner = HostRunner(self)
        self.runner.started.connect(self._started)
        self.runner.failed.connect(self._failed)
        self.runner.stopped.connect(self._stopped)
        self.runner.discovery.connect(self._discovery)
        self.join_dialog: QWidget | None = None
        self._awake: awake.Hold | None = None   # the laptop stays awake while it hosts
        self._build()
        self._registry_seen: tuple[int, int] | None = None
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.refresh)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)
        ctx.meeting_changed.connect(lambda _m: self.refresh())
        self.desk = session.joined_desk(ctx.conn)
        if self.desk is not None:   # a desk's copy must not become a second host
            self._editable(False)
            self.address.setEnabled(False)
            self.state.setText(f"本机已作为签到台“{self.desk}”加入主机，不能再开启主机模式。")

    # --- layout -------------------------------------------------------------------------------

    def _build(self) -> None:
        self.address = AddressChoice()
        self.address.chosen.connect(self._address_chosen)
        self.port = QSpinBox()
        self.port.setRange(0, 65535)
        self.port.setValue(DEFAULT_PORT)
        self.port.setToolTip("0 = 任选一个空闲端口")
        self.start_button = QPushButton("开启主机模式")
        self.stop_button = QPushButton("停止主机模式")
        self.join_button = QPushButton("本机作为签到台：加入主机…")
        for b in (self.start_button, self.stop_button):
            b.setMinimumHeight(40)
            b.setStyleSheet("font-size: 13pt; padding: 4px 16px;")
        self.stop_button.setEnabled(False)
        # clicked(bool) would arrive as `bind`: the button starts on every interface.
        self.start_button.clicked.connect(lambda: self.start_host())
        self.stop_button.clicked.connect(self.stop_host)
        self.join_button.clicked.connect(self.open_join)
        self.state = QLabel("主机模式未开启：本机不接受任何连接。")
        self.state.setWordWrap(True)
        self.state.setStyleSheet("font-size: 12pt; color: #37474f;")
        self.mdns_state = QLabel("")
        self.mdns_state.setWordWrap(True)
        self.mdns_state.hide()
        for label in (self.state, self.mdns_state):   # wrapped lines keep their height
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.firewall = QLabel(FIREWALL_NOTE)
        self.firewall.setWordWrap(True)
        self.firewall.setStyleSheet("font-size: 9pt; color: #5d4037;")
        self.qr = QrView()
        self.code_text = QLineEdit()
        self.code_text.setReadOnly(True)
        self.code_text.setPlaceholderText("配对码")
        self.code_text.setAccessibleName("配对码")
        self.code_text.setStyleSheet("font-family: monospace; font-size: 10pt;")
        self.copy_button = QPushButton("复制")
        self.copy_button.setEnabled(False)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(self.code_text.text()))

        form = QGridLayout()
        form.addWidget(QLabel("地址："), 0, 0)
        form.addWidget(self.address, 0, 1)
        form.addWidget(QLabel("端口："), 1, 0)
        form.addWidget(self.port, 1, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.start_button)
        buttons.addWidget(self.stop_button)
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_text, 1)
        code_row.addWidget(self.copy_button)
        pairing = QGroupBox("配对（签到台扫描二维码或输入配对码）")
        left = QVBoxLayout(pairing)
        left.addLayout(form)
        left.addLayout(buttons)
        left.addWidget(self.state)
        left.addWidget(self.mdns_state)
        left.addWidget(self.qr, 1)
        left.addLayout(code_row)
        left.addWidget(self.firewall)
        left.addWidget(self.join_button)

        self.panel = QuorumPanel(self, scale=0.7)
        # The table takes the spare height; the panel keeps what its wrapped verdict needs.
        self.panel.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setStyleSheet("font-size: 12pt;")
        compact_rows(self.table)   # 8 desks in sight at 1366x768
        self.refused = QListWidget()
        self.refused.setMaximumHeight(90)
        self.refused_title = QLabel("被拒绝的连接与数据：无")
        # The desk registry: whose signatures the host takes, who was revoked, what is unsigned.
        self.keys_line = QLabel()
        self.keys_line.setWordWrap(True)
        # A new double sign-in merged from a desk: a red line here and the window's alert
        # (the taskbar flashes) — the chair resolves it on the 会议 page.
        self.dup_line = QLabel()
        self.dup_line.setObjectName("dupLine")
        self.dup_line.setWordWrap(True)
        self.dup_line.setStyleSheet("#dupLine { background: #ffebee; color: #b71c1c;"
                                    " font-size: 12pt; font-weight: bold; padding: 4px 10px;"
                                    " border: 1px solid #c62828; border-radius: 6px; }")
        self.dup_line.hide()
        self._dups_seen: set[str] | None = None   # None: not read yet (no alert for old ones)
        right = QVBoxLayout()
        right.addWidget(self.dup_line)
        right.addWidget(self.panel)
        right.addWidget(QLabel("签到台"))
        right.addWidget(self.table, 2)
        right.addWidget(self.keys_line)
        right.addWidget(self.refused_title)
        right.addWidget(self.refused)

        lay = QHBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(pairing, 2)
        lay.addLayout(right, 3)

    # --- host mode on / off ----------------------------------------------------------------------

    def start_host(self, bind: str = "0.0.0.0") -> None:
        meeting = self.ctx.meeting
        if self.runner.running or self.desk is not None:
            return
        denied = permissions.check(self.ctx.conn, "host_mode", self.ctx.actor)
        if denied:   # where a staff list exists: the 主持人 turns host mode on
            self._say(denied.message, "#c62828")
            return
        if meeting is None:   # the button did nothing, silently, on a new database
            self._say("还没有当前会议：请先在“准备 · 会议设置”中建立会议并设为当前会议，"
                      "再开启主机模式。", "#c62828")
            return
        address = self.address.address()
        if address and self.address.problem():
            self._say(self.address.problem(), "#c62828")
            return
        self._editable(False)
        self.state.setText("正在开启主机模式…")
        self._bind = bind
        self.runner.start(self.ctx.db_path, meeting.code, bind, self.port.value(), address,
                          mdns=True, actor=self.ctx.actor)

    def _editable(self, on: bool) -> None:
        for w in (self.start_button, self.port):   # the address can change while hosting
            w.setEnabled(on)

    def _say(self, text: str, colour: str, bold: bool = False) -> None:
        self.state.setText(text)
        weight = " font-weight: bold;" if bold else ""
        self.state.setStyleSheet(f"font-size: 12pt; color: {colour};{weight}")

    def _address_chosen(self, address: str) -> None:
        """Another address picked while hosting: the code, the QR and the advert follow it."""
        if not self.code or not self.runner.running:
            return
        if self.address.problem():
            self._say(self.address.problem(), "#c62828")
            return
        current = parse(self.code)
        if address == current.address:
            return
        self._show_code(dataclasses.replace(current, address=address).code())
        # On the chosen address's network only: that is where the desks are (and a laptop's
        # other networks — the office Wi-Fi, a VPN — never hear of the room).
        self.runner.readvertise(address, advert_interfaces(
            self._bind, [address] if wildcard(self._bind) else None))

    def _show_code(self, code: str) -> None:
        self.code = code
        self.code_text.setText(code)
        self.code_text.setCursorPosition(0)
        self.qr.set_code(code)
        pairing = parse(code)
        self._say(f"主机模式已开启：{pairing.address}:{pairing.port}。各签到台扫描下方二维码或输入配对码加入。",
                  "#1b7f3b", bold=True)

    def _discovery(self, text: str, ok: bool) -> None:
        self.mdns_state.setToolTip(text)   # the whole reason, also when it is long
        self.mdns_state.setText(text)
        self.mdns_state.setStyleSheet(f"color: {'#1b7f3b' if ok else '#c62828'};")
        self.mdns_state.setVisible(bool(text) and self.runner.running)

    def stop_host(self) -> None:
        self.stop_button.setEnabled(False)
        self.state.setText("正在停止主机模式…")
        self.runner.stop()

    def _started(self, code: str) -> None:
        self._show_code(code)
        self.address.setText(parse(code).address)
        self.copy_button.setEnabled(True)
        self.stop_button.setEnabled(True)
        self._discovery("会场网络广播（mDNS）正在开启…", True)
        self.ctx.message.emit("主机模式已开启")
        if self._awake is None:
            self._awake = awake.hold("主机模式：各签到台通过本机同步签到")
        self._poll.start()
        self.refresh()

    def _failed(self, message: str) -> None:
        self.state.setText(message)
        self.state.setStyleSheet("font-size: 12pt; color: #c62828;")
        self._editable(True)
        self.runner.stop()

    def _let_sleep(self) -> None:
        if self._awake is not None:
            self._awake.release()
            self._awake = None

    def _stopped(self) -> None:
        self._let_sleep()
        self.code = ""
        self.code_text.clear()
        self.qr.set_code("")
        self.copy_button.setEnabled(False)
        self._editable(True)
        self.mdns_state.hide()
        self.stop_button.setEnabled(False)
        if not self.state.text().startswith("无法"):
            self.state.setText("主机模式已停止：本机不接受任何连接。")
            self.state.setStyleSheet("font-size: 12pt; color: #37474f;")
        self.refresh()

    def shutdown(self, wait: float = 5.0) -> None:
        """Host mode off for good (the app quits): every desk is told, nothing listens."""
        self._poll.stop()
        self._let_sleep()
        if not getattr(self, "_shut", False):   # quit and window close both call this
            self._shut = True
            with warnings.catch_warnings():   # PySide warns (stderr) for a signal with no slots
                warnings.simplefilter("ignore", RuntimeWarning)
                for signal in (self.runner.started, self.runner.failed, self.runner.stopped):
                    with contextlib.suppress(RuntimeError):
                        signal.disconnect()
        self.runner.stop(wait=wait)

    # --- the dashboard ----------------------------------------------------------------------------

    def refresh(self) -> None:
        meeting = self.ctx.meeting
        if meeting is None:
            return
        s = attendance.attendance_summary(self.ctx.conn, meeting)
        # As 会议 shows them: once voting started the frozen 实到 (the live count apart).
        taken = attendance.snapshots(self.ctx.conn, meeting)
        self.panel.set_figures(figures_of(s, taken[-1] if taken else None))
        self._show_duplicates(s.duplicates)
        signed = {d.desk: d.signed_in for d in s.desks}
        links = host_status(self.ctx.conn)
        self.table.setRowCount(len(links))
        for row, link in enumerate(links):
            cells = (link.desk, link_state(link.connected), link.last_contact[11:19],
                     str(signed.get(link.desk, 0)), str(link.received), str(link.pending),
                     link.address)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 1:
                    item.setForeground(QColor("#1b7f3b" if link.connected else "#c62828"))
                if col == 5 and link.pending:
                    item.setForeground(QColor("#c62828"))
                self.table.setItem(row, col, item)
        # The refusals and the desk registry are read again only when the database changed:
        # the stamp moves when another connection (the host's link) committed or this one wrote.
        seen = changes_stamp(self.ctx.conn)
        if seen == self._registry_seen:
            return
        self._registry_seen = seen
        attempts = refused_attempts(self.ctx.conn, REFUSALS_SHOWN)   # newest first
        texts = [refusal_text(a) for a in attempts]
        if texts != [self.refused.item(i).text() for i in range(self.refused.count())]:
            self.refused.clear()
            self.refused.addItems(texts)
        total = refused_total(self.ctx.conn)
        self.refused_title.setText(f"被拒绝的连接与数据：{total} 次" if total
                                   else "被拒绝的连接与数据：无")
        self.keys_line.setText(keys_text(desk_keys(self.ctx.conn),
                                         unsigned_count(self.ctx.conn)))
        self.refused_title.setStyleSheet("color: #c62828; font-weight: bold;" if total else "")

    def _show_duplicates(self, dups: tuple[attendance.Duplicate, ...]) -> None:
        """Pending double sign-ins in one line; a new one is named (until resolved) and the
        window alerts the chair."""
        seen = self._dups_seen
        new = [d for d in dups if seen is not None and d.duplicate.key not in seen]
        self._dups_seen = {d.duplicate.key for d in dups} | (seen or set())
        if new:
            self._dup_named = new[-1]
            QApplication.alert(self.window())
        named = getattr(self, "_dup_named", None)
        if named is not None and named not in dups:
            named = self._dup_named = None
        if not dups:
            self.dup_line.hide()
            return
        text = f"重复签到待处理 {len(dups)} 起，请到“会议”页处理"
        if named is not None:
            text = (f"新的重复签到：{named.name}（{named.duplicate.desk} "
                    f"{named.duplicate.at[11:19]}；已于 {named.standing.desk} "
                    f"{named.standing.at[11:19]} 签到）· {text}")
        self.dup_line.setText(text)
        self.dup_line.show()

    def open_join(self) -> None:
        from ui.pages.join_dialog import JoinDialog

        dialog = JoinDialog(self, self.ctx.db_path.parent)
        dialog.joined.connect(self._joined)
        self.join_dialog = dialog
        dialog.open()

    def _joined(self, path: str) -> None:
        """The desk's window opens with a confirmation naming the meeting; this window lets go
        of its database and closes: sign-ins made here would never be shared."""
        from PySide6.QtWidgets import QMessageBox

        from ui.app_main import open_main_window, show_sized
        from ui.pages.join_dialog import JoinDialog, joined_text

        window = open_main_window(Path(path))
        if window is None:
            return
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        show_sized(window)
        window.show_step("signin")
        old = self.window()
        release = getattr(old, "release_database", None)
        dialog = self.join_dialog
        if isinstance(dialog, JoinDialog) and dialog.pairing is not None:
            box = QMessageBox(QMessageBox.Icon.Information, "已加入主机",
                              joined_text(dialog.joined_desk, dialog.pairing,
                                          dialog.meeting_title,
                                          self.ctx.db_path if callable(release) else None),
                              QMessageBox.StandardButton.Ok, window)
            box.setObjectName("joinedBox")
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
            box.open()
        if callable(release) and old is not window:
            release()
            # hidden, not closed: nothing to ask, the database is let go (its connection closes
            # from a queued call that deleting the window now would drop)
            old.hide()

    def showEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if not self.runner.running:
            self.address.reload()   # a cable plugged in or a network joined since
        self._poll.start()
        QTimer.singleShot(0, self.refresh)

    def hideEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt override)
        if not self.runner.running:
            self._poll.stop()
        super().hideEvent(event)


def create(ctx: PageContext) -> QWidget:
    return HostPage(ctx)
