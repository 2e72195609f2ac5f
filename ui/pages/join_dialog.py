"""加入主机: make this laptop a sign-in desk of the venue's host.

The pairing code is typed or pasted, or scanned from the host's screen with the desk's scanner
(ui.widgets.scanner emits the whole code, however long); app.sync.parse reads it and says what
is wrong with a malformed one. When the address in the code does not answer (the host got
another address), 在会场网络查找 asks mDNS for the host with the code's certificate. 加入 runs
app.sync.join off the GUI thread: the meeting and the register are copied into a new database
for this desk, and the code is kept next to it so the desk page reconnects by itself.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.sync import BadPairing, Pairing, Refused, join, parse
from ui.tasks import Task
from ui.widgets.offline_banner import save_pairing
from ui.widgets.scanner import ScannerFilter

JOIN_TIMEOUT_S = 60.0


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
        except Refused as exc:
            raise RuntimeError(f"主机拒绝：{exc}") from exc
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            raise RuntimeError(f"连不上主机 {pairing.address}:{pairing.port}（{exc!r}）") from exc
        save_pairing(target, pairing.code())
        return str(target)

    return work


def discover_work(pairing: Pairing):  # type: ignore[no-untyped-def]
    def work(_progress, _cancel) -> Pairing | None:  # type: ignore[no-untyped-def]
        from app.sync.discovery import discover

        found = discover(pairing.fingerprint)
        if found is None:
            return None
        return Pairing(found[0], found[1], pairing.fingerprint, pairing.secret, pairing.room,
                       pairing.meeting_code)

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
        self.find_button.setToolTip("配对码里的地址连不上时，按主机证书在本网络查找（mDNS）")
        self.find_button.clicked.connect(self.find_host)
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
            self.path.setText(str(self.folder / f"签到台-{name or '本机'}.db"))
            self.path.blockSignals(False)
        problem = desk_name_problem(name) if self.pairing else ""
        if not problem and self.pairing and Path(self.path.text()).exists():
            problem = "该文件已存在：请换一个文件名（加入主机会新建本签到台的数据库）"
        self.state.setText(problem)
        self.state.setStyleSheet("color: #c62828;")
        busy = self.task is not None
        self.find_button.setEnabled(self.pairing is not None and not busy)
        self.ok_button.setEnabled(self.pairing is not None and not problem and not busy)

    def find_host(self) -> None:
        if self.pairing is None:
            return
        self.state.setText("正在会场网络查找主机（约 3 秒）…")
        self._run(discover_work(self.pairing), self._found)

    def _found(self, pairing: Pairing | None) -> None:
        if pairing is None:
            self.state.setText("没有找到这台主机：请确认主机模式已开启、在同一网络，或手动输入地址")
            return
        self.code.setText(pairing.code())
        self.state.setText(f"找到主机：{pairing.address}:{pairing.port}")
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

    def _joined(self, path: str) -> None:
        self.accept()
        self.joined.emit(path)

    def showEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        super().showEvent(event)
        self.scanner.install()
        self.code.setFocus()

    def hideEvent(self, event) -> None:  # type: ignore[no-untyped-def]  # noqa: N802
        self.scanner.uninstall()
        super().hideEvent(event)
