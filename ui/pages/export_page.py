"""报送: the USB hand-over package for the district office, and database backups.

Choose a removable drive (or any folder), 导出报送包 (built, written, read back and verified in a
worker, with progress and cancel), then the package's short hash and the key fingerprint are
shown big, and 打印交接单 writes the hand-over slip (app/export/handover.py: short hash,
fingerprint, result hashes, signature lines) next to the database and opens it for printing.
验证报送包 checks any package file.
备份数据库 copies the database to the drive now; the periodic backup runs every N minutes
(app.export.backup.BackupScheduler driven by a QTimer, the copy made in a worker).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app import permissions, session
from app.export.backup import Backup, BackupScheduler, backup_database
from app.export.build import BuiltPackage, build_package, record_export_or_words
from app.export.content import DOCUMENT_TITLES
from app.export.handover import render_slip, slip_name, slip_of
from app.export.stick import Drive, StickWriteError, Written, removable_drives, write_package
from app.export.verify import Verification, verify_package
from app.keys import load_or_create
from app.meetings import Refusal
from ui import filedialogs, output_folder
from ui.pages.context import PageContext
from ui.tasks import Cancelled, CancelToken, Outcome, Task

GREEN, RED, GREY = "#2e7d32", "#c62828", "#546e7a"
AMBER = "#a15c00"   # backed up, but from a database whose audit log does not verify
TIMER_MS = 15_000
BIG = "font-size: 26pt; font-weight: bold; font-family: monospace; color: #1b3550;"


def export_work(db_path: Path, folder: Path, clock: Any, actor: str | None = None) -> Any:
    """The export as a worker function: build, write, read back, remember. `actor`: the
    signed-on member (where a staff list exists only the 主持人 exports)."""

    def work(progress: Any, cancel: CancelToken) -> tuple[BuiltPackage, Written]:
        at = clock.now()
        built = build_package(db_path, key=load_or_create(), at=at,
                              progress=lambda d, t, m: progress(d, t * 2, m), cancel=cancel,
                              actor=actor)
        if isinstance(built, Refusal):
            if built.code == "CANCELLED":
                raise Cancelled()
            raise RuntimeError(built.message)
        size = len(built.data)
        written = write_package(built, folder, cancel=cancel,
                                progress=lambda d, _t, m: progress(size + d, size * 2, m))
        if isinstance(written, Refusal):
            raise Cancelled()
        unrecorded = record_export_or_words(db_path, built, file=written.path.name, at=at,
                                            **({"actor": actor} if actor else {}))
        if unrecorded:  # a read-only database: the package and its figures still show
            logging.getLogger(__name__).warning("报送包已写好，但没能记入数据库：%s", unrecorded)
        return built, written

    return work


class ExportPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.list_drives = removable_drives   # replaced in tests
        self.target: Path | None = None
        self.task: Task | None = None
        self.backup_task: Task | None = None
        self.last: tuple[BuiltPackage, Written] | None = None
        self.verification: Verification | None = None
        self.scheduler = BackupScheduler(ctx.clock)
        title = QLabel("报送 · U盘报送包")
        title.setStyleSheet("font-size: 18pt; font-weight: bold; color: #1b3550;")
        # On a smaller screen (1280x720) the page scrolls instead of squeezing the big key
        # fingerprint to half its height.
        inner = QWidget()
        root = QVBoxLayout(inner)
        root.addWidget(title)
        root.addWidget(self._target_box())
        root.addWidget(self._export_box())
        row = QHBoxLayout()
        row.addWidget(self._verify_box(), 3)
        row.addWidget(self._backup_box(), 2)
        root.addLayout(row, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(inner)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.timer = QTimer(self)
        self.timer.setInterval(TIMER_MS)
        self.timer.timeout.connect(self.periodic_backup)
        self.refresh_drives()

    # --- target -------------------------------------------------------------------------
    def _target_box(self) -> QGroupBox:
        box = QGroupBox("写入位置")
        self.drives = QComboBox()
        self.drives.setMinimumWidth(420)
        self.drives.currentIndexChanged.connect(self._drive_chosen)
        refresh = QPushButton("刷新")
        refresh.setToolTip("重新查找插入的U盘")
        refresh.clicked.connect(self.refresh_drives)
        folder = QPushButton("选择文件夹…")
        folder.clicked.connect(self.choose_folder)
        self.target_label = QLabel()
        self.target_label.setStyleSheet(f"color: {GREY};")
        lay = QGridLayout(box)
        lay.addWidget(QLabel("U盘："), 0, 0)
        lay.addWidget(self.drives, 0, 1)
        lay.addWidget(refresh, 0, 2)
        lay.addWidget(folder, 0, 3)
        lay.addWidget(self.target_label, 1, 0, 1, 4)
        lay.setColumnStretch(1, 1)
        return box

    def refresh_drives(self) -> None:
        found: list[Drive] = self.list_drives()
        self.drives.blockSignals(True)
        self.drives.clear()
        for d in found:
            self.drives.addItem(d.describe(), str(d.path))
        chosen = session.export_folder(self.ctx.conn)   # a folder chosen before a restart
        if chosen and Path(chosen).is_dir() and all(d.path != Path(chosen) for d in found):
            self.drives.addItem(f"上次选择的文件夹：{chosen}", chosen)
            found_any = True
        else:
            found_any = bool(found)
        if not found_any:
            self.drives.addItem("未找到U盘：请插入U盘后点“刷新”，或选择文件夹", "")
        self.drives.blockSignals(False)
        self._drive_chosen()

    def _drive_chosen(self) -> None:
        value = self.drives.currentData()
        self.set_target(Path(value) if value else None)

    def choose_folder(self) -> None:
        chosen = filedialogs.get_existing_directory(self, "选择写入报送包的文件夹")
        if chosen:
            session.set_export_folder(self.ctx.conn, chosen)   # offered again after a restart
            self.set_target(Path(chosen))

    def set_target(self, folder: Path | None) -> None:
        self.target = folder
        self.target_label.setText(f"写入：{folder}" if folder else "尚未选择写入位置")
        busy = self.task is not None
        self.export_button.setEnabled(folder is not None and not busy)
        self.backup_button.setEnabled(folder is not None and self.backup_task is None)

    # --- export -------------------------------------------------------------------------
    def _export_box(self) -> QGroupBox:
        box = QGroupBox("报送包")
        self.export_button = QPushButton("导出报送包")
        self.export_button.setMinimumHeight(48)
        self.export_button.setStyleSheet("font-size: 15pt; padding: 4px 24px;")
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_export)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.status = QLabel("导出全部会议的结果、文书、事件记录和脱敏数据库，签名后写入U盘并回读校验。")
        self.status.setWordWrap(True)
        self.hash_label = QLabel("尚未导出")
        self.fp_label = QLabel(load_or_create().fingerprint)
        self.hash_label.setStyleSheet(f"font-size: 14pt; color: {GREY};")
        self.fp_label.setStyleSheet(BIG)
        for lab in (self.hash_label, self.fp_label):
            lab.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.file_label = QLabel()
        self.file_label.setWordWrap(True)
        self.file_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.slip_button = QPushButton("打印交接单")
        self.slip_button.setToolTip("包校验码、密钥指纹和结果校验码的纸质交接单，供监票人签字")
        self.slip_button.setEnabled(False)
        self.slip_button.clicked.connect(self.print_slip)
        output_folder.attach(self.slip_button, self.ctx)   # the tooltip names where it goes
        row = QHBoxLayout()
        row.addWidget(self.export_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.progress, 1)
        row.addWidget(self.slip_button)
        grid = QGridLayout()
        grid.addWidget(QLabel("包校验码"), 0, 0)
        grid.addWidget(self.hash_label, 0, 1)
        grid.addWidget(QLabel("密钥指纹"), 1, 0)
        grid.addWidget(self.fp_label, 1, 1)
        grid.setColumnStretch(1, 1)
        lay = QVBoxLayout(box)
        lay.addLayout(row)
        lay.addWidget(self.status)
        lay.addLayout(grid)
        lay.addWidget(self.file_label)
        return box

    def start_export(self) -> None:
        if self.target is None or self.task is not None:
            return
        denied = permissions.check(self.ctx.conn, "export", self.ctx.actor)
        if denied:   # where a staff list exists: the 主持人 exports
            self._say(denied.message, RED)
            return
        self.export_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.slip_button.setEnabled(False)
        self.last = None
        self.progress.setValue(0)
        self._say("正在生成报送包…", GREY)
        task = Task(export_work(self.ctx.db_path, self.target, self.ctx.clock, self.ctx.actor),
                    self)
        task.progress.connect(self._progress)
        task.finished.connect(self._exported)
        self.task = task
        task.start()

    def cancel_export(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self._say("正在取消…", GREY)

    def _progress(self, done: int, total: int, message: str) -> None:
        if total:
            self.progress.setValue(int(100 * done / total))
        if message:
            self.status.setText(message)

    def _exported(self, outcome: Outcome) -> None:
        self.task = None
        self.cancel_button.setEnabled(False)
        self.set_target(self.target)
        if outcome.status == "cancelled":
            self.progress.setValue(0)
            self._say("已取消：U盘上没有留下报送包。", GREY)
            return
        if not outcome.ok:
            self.progress.setValue(0)
            self._say(f"导出失败：{outcome.error}", RED)
            return
        built, written = outcome.result
        self.last = (built, written)
        self.progress.setValue(100)
        self.hash_label.setStyleSheet(BIG)
        self.hash_label.setText(built.short_hash)
        self.fp_label.setText(built.fingerprint)
        titles = {m.code: m.title for m in self.ctx.meetings()}
        missing = [f"{titles.get(code, code)}："
                   + "、".join(DOCUMENT_TITLES.get(kind, kind) for kind in kinds)
                   for code, kinds in built.missing_documents.items() if kinds]
        self.file_label.setText(
            f"{written.path}（{written.size / 1024 / 1024:.1f} MB）"
            + ("\n未包含的文书（尚未锁定或不适用）：\n" + "\n".join(missing) if missing else ""))
        self.slip_button.setEnabled(True)
        self._say("已写入U盘并回读校验：完整，签名有效。请打印交接单，由监票人签字。", GREEN)
        self.ctx.message.emit(f"报送包已写入 {written.path.name}，包校验码 {built.short_hash}")

    def write_slip(self, out: Path | None = None) -> Path | None:
        """The last package's 交接单 as a PDF (default: beside the database)."""
        if self.last is None:
            return None
        built, written = self.last
        slip = slip_of(built.manifest, file_name=written.path.name, size=written.size,
                       sha256=written.sha256, short_hash=built.short_hash,
                       fingerprint=built.fingerprint)
        target = out or self.ctx.db_path.parent / slip_name(built.name)
        # A one-page PDF: ~0.1 s on the GUI thread, after a click.
        return render_slip(slip, target, self.ctx.clock.now())

    def print_slip(self) -> None:
        if self.last is None:
            return
        folder = output_folder.ensure(self, self.ctx)   # where every printout goes
        if folder is None:
            self._say("未生成交接单：没有选择输出文件夹。", GREY)
            return
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.write_slip(folder / slip_name(self.last[0].name))
        except OSError as e:
            self._say(f"交接单无法写入：{e.strerror or e}", RED)
            return
        if path is not None:
            self._say(f"交接单已生成：{path}（请打印，由监票人签字）", GREEN)
            output_folder.open_path(path, self)

    def _say(self, text: str, colour: str) -> None:
        self.status.setStyleSheet(f"font-size: 12pt; color: {colour};")
        self.status.setText(text)

    # --- verify -------------------------------------------------------------------------
    def _verify_box(self) -> QGroupBox:
        box = QGroupBox("验证报送包")
        button = QPushButton("验证报送包…")
        button.clicked.connect(self.choose_and_verify)
        self.verify_text = QPlainTextEdit()
        self.verify_text.setReadOnly(True)
        self.verify_text.setPlaceholderText("选择一个 .pollday 文件，检查每个文件的校验值和签名。")
        lay = QVBoxLayout(box)
        lay.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.verify_text, 1)
        return box

    def choose_and_verify(self) -> None:
        start = str(self.target) if self.target else ""
        chosen, _ = filedialogs.get_open_file_name(self, "选择报送包", start, "报送包 (*.pollday)")
        if chosen:
            self.verify_file(Path(chosen))

    def verify_file(self, path: Path) -> Verification:
        # On the GUI thread: a 20,000-person package verifies in ~0.1 s (verify_package_s),
        # after an explicit click and a file dialog.
        v = verify_package(path, known_keys=None)
        self.verification = v
        colour = GREEN if v.ok else RED
        self.verify_text.setStyleSheet(f"color: {colour}; font-size: 11pt;")
        self.verify_text.setPlainText("\n".join(v.summary_lines()))
        if not v.ok:   # the problems come last: show them, not the figures that cannot be trusted
            bar = self.verify_text.verticalScrollBar()
            bar.setValue(bar.maximum())
        return v

    # --- backup -------------------------------------------------------------------------
    def _backup_box(self) -> QGroupBox:
        box = QGroupBox("数据库备份")
        self.backup_button = QPushButton("备份数据库")
        self.backup_button.clicked.connect(self.backup_now)
        self.periodic = QCheckBox("自动备份到U盘，每")
        self.minutes = QSpinBox()
        self.minutes.setRange(1, 240)
        self.minutes.setValue(10)
        self.minutes.setSuffix(" 分钟")
        self.periodic.toggled.connect(self.set_periodic)
        self.minutes.valueChanged.connect(lambda _v: self.set_periodic(self.periodic.isChecked()))
        self.backup_status = QLabel("备份是完整的数据库（含身份证号和主机模式的配对密钥），只在会场内使用，请妥善保管U盘，不要交给他人。")
        self.backup_status.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.periodic)
        row.addWidget(self.minutes)
        row.addStretch(1)
        lay = QVBoxLayout(box)
        lay.addWidget(self.backup_button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addLayout(row)
        lay.addWidget(self.backup_status)
        lay.addStretch(1)
        return box

    def set_periodic(self, on: bool) -> None:
        if on:
            self.scheduler.enable(self.minutes.value())
            self.timer.start()
            due = self.scheduler.next_due
            self.backup_status.setText(
                f"已开启自动备份，下次 {due:%H:%M}" if due else "已开启自动备份")
        else:
            self.scheduler.disable()
            self.timer.stop()
            self.backup_status.setText("自动备份已关闭")

    def periodic_backup(self) -> None:
        if self.backup_task is not None or self.target is None:
            return
        at = self.scheduler.take_due()
        if at is not None:
            self._start_backup(at, keep=5, periodic=True)

    def backup_now(self) -> None:
        denied = permissions.check(self.ctx.conn, "backup", self.ctx.actor)
        if denied:   # the periodic backup goes on; a backup by hand is the 主持人's
            self.backup_status.setText(denied.message)
            self.backup_status.setStyleSheet(f"color: {RED};")
            return
        if self.target is not None and self.backup_task is None:
            self._start_backup(self.ctx.clock.now(), keep=None)

    def _start_backup(self, at: Any, keep: int | None, periodic: bool = False) -> None:
        assert self.target is not None
        folder, db, actor = self.target, self.ctx.db_path, self.ctx.actor

        def work(_p: Any, _c: CancelToken) -> Backup | StickWriteError:
            try:
                got = backup_database(db, folder, at=at, keep=keep, actor=actor,
                                      periodic=periodic)
            except StickWriteError as e:
                return e
            # refused by the use case (the member changed meanwhile): said like a failure
            return StickWriteError(got.message) if isinstance(got, permissions.Denied) else got

        self.backup_button.setEnabled(False)
        self.backup_status.setText("正在备份…")
        task = Task(work, self)
        task.finished.connect(lambda o: self._backed_up(at, o))
        self.backup_task = task
        task.start()

    def _backed_up(self, at: Any, outcome: Outcome) -> None:
        self.backup_task = None
        self.set_target(self.target)
        result = outcome.result if outcome.ok else StickWriteError(outcome.error)
        self.scheduler.record(at, result)
        if isinstance(result, StickWriteError):
            self.backup_status.setStyleSheet(f"color: {RED};")
            self.backup_status.setText(str(result))
            return
        due = self.scheduler.next_due if self.scheduler.enabled else None
        broken = (f"\n{result.audit_broken}：这个数据库在本程序之外被修改过，此备份文件名已标明"
                  "“审计不完整”，不能用它恢复；请看窗口顶部的红色提示"
                  if result.audit_broken else "")
        self.backup_status.setStyleSheet(f"color: {AMBER if broken else GREEN};")
        self.backup_status.setText(f"{at:%H:%M:%S} 已备份到 {result.path.name}"
                                   + (f"；下次自动备份 {due:%H:%M}" if due else "")
                                   + broken
                                   + (f"\n{result.scans}" if result.scans else ""))
        recheck = getattr(self.window(), "check_audit", None)   # the main window's red band
        if callable(recheck):
            recheck()

    def is_idle(self) -> bool:
        return self.task is None and self.backup_task is None


def create(ctx: PageContext) -> QWidget:
    return ExportPage(ctx)
