"""加入主机: make this laptop a sign-in desk of the venue's host.

The pairing code is typed or pasted, or scanned from the host's screen with the desk's scanner
(ui.widgets.scanner emits the whole code, however long); app.sync.parse reads it and says what
is wrong with a malformed one. 在会场网络查找主机 lists the hosts that answer on mDNS
(app.sync.discovery.browse, bounded); picking the one whose certificate is the code's puts the
address it answers on now into the code (app.sync.discovery.choose: mDNS carries no secret, so
the code is still needed). 加入 runs
app.sync.join off the GUI thread: the meeting and the register are copied into a new database
for this desk, and the code is kept next to it so the desk page reconnects by itself.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.fileio import safe_filename
from app.meetings import current_meeting
from app.sync import BadPairing, Pairing, Refused, join, parse, wire
from app.sync.discovery import FoundHost, browse, choose
from app.sync.joining import join_problem
from db.connection import connect
from ui.tasks import Task
from ui.widgets.offline_banner import save_pairing
from ui.widgets.scanner import ScannerFilter

JOIN_TIMEOUT_S = 60.0
BROWSE_S = 3.0


def read_code(text: str) -> Pairing | str:
    """The pairing, or why the text is not one (for the clerk)."""
    text = text.strip()
    if not text:
        return "请扫描主机屏幕上的二维码，或输入配对码"
    try:
        return parse(text)
    except BadPairing as exc:
        return str(exc).split(" / ")[0]


def desk_name_problem(name: str) -> str:
    if not name.strip():
        return "请填写本签到台的名称（如：一号台、第一党支部）"
    if ":" in name or len(name.strip()) > 40:
        return "签到台名称不能含“:”，不超过 40 个字"
    return ""


def join_work(target: Path, pairing: Pairing, desk: str):  # type: ignore[no-untyped-def]
    """The join as a ui.tasks work function (runs in the task's thread)."""

    def work(_progress, _cancel) -> str:  # type: ignore[no-untyped-def]
        try:
            asyncio.run(join(target, pairing, desk, timeout=JOIN_TIMEOUT_S))
        except (Refused, OSError, TimeoutError, asyncio.IncompleteReadError, sqlite3.Error,
                wire.FrameError) as exc:
            # each cause keeps its words: not in host mode, unreachable, not the code's host,
            # refused, or this laptop's own disk or database
            raise RuntimeError(join_problem(exc, pairing, target)) from exc
        save_pairing(target, pairing.code())
        return str(target), meeting_title(target)

    return work


def meeting_title(db_path: Path) -> str:
    """The title of the meeting the desk joined, read from its new copy ('' if none)."""
    conn = connect(db_path, create=False)
    try:
        m = current_meeting(conn)
        return "" if m is None else m.title
    finally:
        conn.close()


def joined_text(desk: str, pairing: Pairing, title: str, left_behind: Path | None) -> str:
    """The confirmation after joining: the meeting's title, and the window left behind."""
    meeting = f"《{title}》" if title else f"（代码 {pairing.meeting_code}）"
    text = (f"本机已作为签到台“{desk}”加入主机 {pairing.address}:{pairing.port}，"
            f"会议{meeting}。请在本窗口签到。")
    if left_behind is not None:
        text += (f"\n\n原来打开的 {left_behind.name} 的窗口已关闭："
                 "在那里签到不会共享给主机。")
    return text


def browse_work(interfaces: list[str] | None, seconds: float = BROWSE_S):  # type: ignore[no-untyped-def]
    def work(_progress, _cancel) -> list[FoundHost]:  # type: ignore[no-untyped-def]
        return browse(seconds, interfaces=interfaces)

    return work


class JoinDialog(QDialog):
    joined = Signal(str)  # the desk's new database

    def __init__(self, parent: QWidget | None, folder: Path) -> None:
        super().__init__(parent)
        self.setWindowTitle("加入主机（本机作为签到台）")
        self.setMinimumWidth(620)
        self.folder = folder
        self.pairing: Pairing | None = None
        self.task: Task | None = None
        self.meeting_title = ""   # once joined: the title of the meeting the desk joined
        self.joined_desk = ""
        self.code = QLineEdit()
        self.code.setPlaceholderText("扫描主机屏幕上的二维码，或粘贴配对码（PD1;…）")
        self.code.setAccessibleName("配对码")
        self.code.setStyleSheet("font-family: monospace;")
        self.code.textChanged.connect(self._update)
        self.code_state = QLabel()
        self.code_state.setWordWrap(True)
        self.desk = QLineEdit()
        self.desk.setPlaceholderText("如：一号台")
        self.desk.setAccessibleName("签到台名称")
        self.desk.textChanged.connect(self._update)
        self.path = QLineEdit()
        self.path.setAccessibleName("本签到台数据库")
        self.path_edited = False
        self.path.textEdited.connect(lambda _t: setattr(self, "path_edited", True))
        self.path.textChanged.connect(self._update)
        self.find_button = QPushButton("在会场网络查找主机")
        self.find_button.setToolTip("列出本网络上开启了主机模式的电脑（mDNS）；"
                                    "配对码里的地址连不上时，选中证书相符的主机")
        self.find_button.clicked.connect(self.find_host)
        self.found: list[FoundHost] = []
        self.browse_interfaces: list[str] | None = None   # None: every interface (tests: loopback)
        self.hosts = QListWidget()
        self.hosts.setAccessibleName("找到的主机")
        self.hosts.setMaximumHeight(96)
        self.hosts.hide()
        self.hosts.currentRowChanged.connect(self.pick_host)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("加入")
        self.buttons.accepted.connect(self.start_join)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("配对码：", self.code)
        form.addRow("", self.code_state)
        form.addRow("签到台名称：", self.desk)
        form.addRow("保存为：", self.path)
        find_row = QHBoxLayout()
        find_row.addWidget(self.find_button)
        find_row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addLayout(find_row)
        lay.addWidget(self.hosts)
        lay.addWidget(self.state)
        lay.addWidget(self.buttons)
        self.scanner = ScannerFilter(self, active=self.isVisible)
        self.scanner.scanned.connect(self.set_code)
        self._update()

    def set_code(self, text: str) -> None:
        self.code.setText(text.strip())

    def _update(self) -> None:
        got = read_code(self.code.text())
        self.pairing = got if isinstance(got, Pairing) else None
        if self.pairing is not None:
            p = self.pairing
            self.code_state.setText(f"主机 {p.address}:{p.port}，会议 {p.meeting_code}，"
                                    f"证书 {p.fingerprint[:12]}…")
            self.code_state.setStyleSheet("color: #1b7f3b;")
        else:
            self.code_state.setText(str(got))
            self.code_state.setStyleSheet("color: #c62828;" if self.code.text().strip() else
                                          "color: #555;")
        name = self.desk.text().strip()
        if not self.path_edited:
            self.path.blockSignals(True)
            # the desk name is typed text: "一号台/东门" must not name a folder
            self.path.setText(str(self.folder / (safe_filename(f"签到台-{name or '本机'}") + ".db")))
            self.path.blockSignals(False)
        problem = desk_name_problem(name) if self.pairing else ""
        if not problem and self.pairing and Path(self.path.text()).exists():
            problem = "该文件已存在：请换一个文件名（加入主机会新建本签到台的数据库）"
        self.state.setText(problem)
        self.state.setStyleSheet("color: #c62828;")
        busy = self.task is not None
        self.find_button.setEnabled(not busy)
        self.ok_button.setEnabled(self.pairing is not None and not problem and not busy)

    def find_host(self) -> None:
        self.state.setStyleSheet("color: #37474f;")
        self.state.setText(f"正在会场网络查找主机（约 {BROWSE_S:.0f} 秒）…")
        self._run(browse_work(self.browse_interfaces), self.show_hosts)

    def show_hosts(self, found: list[FoundHost]) -> None:
        """The hosts that answered; the one the code names is picked at once."""
        self.found = list(found)
        self.hosts.blockSignals(True)
        self.hosts.clear()
        self.hosts.addItems([h.label() for h in self.found])
        self.hosts.blockSignals(False)
        self.hosts.setVisible(bool(self.found))
        if not self.found:
            self.state.setText("没有找到主机：请确认主机模式已开启、在同一网络，或手动输入配对码"
                               "（会场网络不允许组播时，只能输入地址）")
            self.state.setStyleSheet("color: #c62828;")
            return
        mine = [i for i, h in enumerate(self.found)
                if self.pairing is not None and h.fingerprint == self.pairing.fingerprint]
        if mine:
            self.hosts.setCurrentRow(mine[0])
        else:
            self.state.setText(f"找到 {len(self.found)} 台主机：输入或扫描其中一台屏幕上的配对码，"
                               "或在列表中选中它")
            self.state.setStyleSheet("color: #37474f;")

    def pick_host(self, row: int) -> None:
        if not 0 <= row < len(self.found):
            return
        got = choose([self.found[row]], self.pairing)
        if isinstance(got, str):
            self.state.setText(got)
            self.state.setStyleSheet("color: #c62828;")
            return
        if got != self.pairing:
            self.code.setText(got.code())
        self.state.setText(f"已选主机：{got.address}:{got.port}")
        self.state.setStyleSheet("color: #1b7f3b;")

    def start_join(self) -> None:
        if self.pairing is None or self.task is not None:
            return
        target = Path(self.path.text().strip())
        self.state.setStyleSheet("color: #37474f;")
        self.state.setText(f"正在从主机 {self.pairing.address}:{self.pairing.port} 取得会议和名册…")
        self._run(join_work(target, self.pairing, self.desk.text().strip()), self._joined)

    def _run(self, work, done) -> None:  # type: ignore[no-untyped-def]
        task = Task(work, self)
        task.succeeded.connect(done)
        task.failed.connect(self._failed)
        task.finished.connect(self._task_done)
        self.task = task
        self._update()
        task.start()

    def _task_done(self, _outcome: object) -> None:
        self.task = None
        text, style = self.state.text(), self.state.styleSheet()
        self._update()
        if text:   # keep the task's own message
            self.state.setText(text)
            self.state.setStyleSheet(style)

    def _failed(self, message: str, _detail: str) -> None:
        self.state.setText(message)
        self.state.setStyleSheet("color: #c62828;")

    def _joined(self, got: tuple[str, str]) -> None:
        path, self.meeting_title = got
        self.joined_desk = self.desk.text().strip()
        self.accept()
        self.joined.emit(path)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().showEvent(event)
        self.scanner.install()
        self.code.setFocus()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.scanner.uninstall()
        super().hideEvent(event)
