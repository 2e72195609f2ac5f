"""The watched scan folder on the 扫描认定 tab: 正在监视 <folder>, each file waiting, read, imported
or refused with the reason, the watched batches waiting for their hand count (named by the
number the database will give them), 停止监视. A batch read and not imported when the window
closed is offered back on the next start (继续监视这个文件夹), and the close dialog names it
(`close_words`).

A QTimer polls every POLL_S; each poll (listing the folder, reading what became complete,
importing a batch whose count was typed) runs as a ui.tasks.Task off the GUI thread with its own
connection, one at a time: a network folder that answers slowly, or a 50-page PDF to read, never
blocks the window. Why polling and not a file-system watcher: see app/scan/watch.py."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.scan import watch as watching
from app.scan.watch import POLL_S, REFUSED, FolderWatch, WatchView
from ui import filedialogs
from ui.tasks import Outcome, Task

if TYPE_CHECKING:
    from ui.pages.counting.scan_tab import ScanTab

GREEN, RED, GREY = "#1b7f3b", "#c62828", "#555"
ROWS = 200          # files listed at most (besides the refused ones)


class WatchPanel(QWidget):
    def __init__(self, tab: ScanTab) -> None:
        super().__init__()
        self.tab = tab
        self.watch: FolderWatch | None = None
        self.task: Task | None = None
        self.view: WatchView | None = None
        self.listed: tuple[Any, ...] | None = None     # the files the table shows now
        self.timer = QTimer(self)
        self.timer.setInterval(int(POLL_S * 1000))
        self.timer.timeout.connect(self.poll)
        self.title = QLabel()
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.stop_button = QPushButton("停止监视")
        self.stop_button.setToolTip("不再查看这个文件夹里的新文件；已读出的批次仍可输入清点张数导入")
        self.stop_button.clicked.connect(self.stop)
        self.existing_button = QPushButton()
        self.existing_button.setToolTip("开始监视前文件夹里已有的扫描文件也读取（已导入过的会被拒收并说明）")
        self.existing_button.clicked.connect(self.take_existing)
        self.existing_button.hide()
        self.resume_button = QPushButton("继续监视这个文件夹")
        self.resume_button.setToolTip("上次关闭时已读出、尚未导入的文件重新读出，等待输入手工清点张数")
        self.resume_button.clicked.connect(self.resume)
        self.resume_button.hide()
        self.resume_folder: Path | None = None
        self.files = QTableWidget(0, 4)
        self.files.setAccessibleName("监视文件夹中的扫描文件")
        self.files.setHorizontalHeaderLabels(["文件", "批", "页", "状态"])
        self.files.verticalHeader().hide()
        self.files.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        header = self.files.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.files.setMaximumHeight(150)
        self.batch = QLabel()
        self.batch.setWordWrap(True)
        self.hand_count = QSpinBox()
        self.hand_count.setRange(0, 100000)
        self.hand_count.setAccessibleName("这一批手工清点张数")
        self.hand_count.setToolTip("这一批扫描前手工清点的选票张数：读出的页数必须与它相等才导入")
        self.hand_count.lineEdit().returnPressed.connect(self.count)
        self.count_button = QPushButton("导入这一批")
        self.count_button.clicked.connect(self.count)
        self.aside_button = QPushButton("放弃这一批")
        self.aside_button.setToolTip("这一批不导入（原文件留在文件夹中，本次监视不再读取）：重新清点、重新扫描")
        self.aside_button.clicked.connect(self.ask_set_aside)
        self.confirm: QMessageBox | None = None   # 放弃这一批？ (Esc keeps the batch)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.existing_button)
        head.addWidget(self.resume_button)
        head.addWidget(self.stop_button)
        line = QHBoxLayout()
        line.addStretch(1)
        line.addWidget(QLabel("这一批手工清点："))
        line.addWidget(self.hand_count)
        line.addWidget(QLabel("张"))
        line.addWidget(self.count_button)
        line.addWidget(self.aside_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(head)
        lay.addWidget(self.files)
        lay.addWidget(self.batch)     # its own row: long words never run over the count's label
        lay.addLayout(line)
        self.hide()
        QTimer.singleShot(0, self.offer)

    def offer(self) -> None:
        """Files read by an earlier watch and never imported (the window was closed before the
        hand count was typed): said, with 继续监视这个文件夹."""
        if self.watch is not None:
            return
        try:
            left = watching.remembered(self.tab.page.ctx.conn)
        except Exception:  # noqa: BLE001 - a page that cannot read its settings offers nothing
            return
        if not left:
            return
        folder, files = next(iter(left.items()))
        self.resume_folder = Path(folder)
        names = [str(f["name"]) for f in files]
        pages = sum(int(f.get("pages", 1)) for f in files)
        self.title.setText(f"<b style='color:{RED}'>上次未导入</b> {folder}")
        self.batch.setText(f"上次关闭时，监视文件夹 {folder} 中已读出 {len(names)} 个文件（"
                           + "、".join(names[:5]) + ("等" if len(names) > 5 else "")
                           + f"，{pages}页），手工清点张数尚未输入，没有计入。点“继续监视这个文件夹”"
                           "重新读出它们，再输入手工清点张数导入（或放弃这一批）。")
        self.resume_button.show()
        self._mark_tab(True)   # the clerk lands on 监票人 · 票箱: the tab's title tells
        self._say(f"扫描认定：上次关闭时监视文件夹中已读出的 {len(names)} 个文件尚未导入（没有计入），"
                  "请到“扫描认定”继续监视这个文件夹", RED)
        self.files.hide()                  # nothing listed until the folder is watched again
        self.stop_button.setEnabled(False)
        for w in (self.hand_count, self.count_button, self.aside_button):
            w.setEnabled(False)
        self.show()

    def resume(self) -> None:
        if self.resume_folder is not None:
            self.start(self.resume_folder)

    def close_words(self) -> str:
        """For the window's close dialog: the watched batches read and not imported."""
        if self.watch is not None:
            return watching.pending_words(self.view)
        if self.resume_folder is not None and self.resume_button.isVisible():
            return (f"上次关闭时监视文件夹 {self.resume_folder} 中已读出的文件仍未导入（没有计入）；"
                    "下次打开时仍会提示“继续监视这个文件夹”。")
        return ""
    def _say(self, text: str, tone: str = GREEN) -> None:
        self.tab.page.say(text, ok=tone != RED)

    def waiting(self) -> Any:
        """The oldest watched batch waiting for its hand count, or None."""
        rows = self.view.waiting() if self.view is not None else ()
        return rows[0] if rows else None

    def ask(self) -> None:
        if self.view is not None and self.view.waiting():
            self._say("还有监视的批次等待手工清点张数：先导入或放弃它，再监视另一个文件夹。", RED)
            return
        folder = filedialogs.get_existing_directory(
            self.tab, "选择要监视的扫描文件夹（一体机的扫描文件夹或 U 盘）",
            watching.start_folder(self.tab.page.ctx.conn))   # never the print output folder
        if folder:
            self.start(Path(folder))

    def start(self, folder: Path) -> bool:
        ctx = self.tab.page.ctx
        if self.watch is not None:
            self.stop()
        watch = FolderWatch(folder, ctx.db_path, operator=str(ctx.actor), clock=ctx.clock)
        refused = watch.start()
        if refused is not None:
            self._say(refused.message, RED)
            return False
        self.watch = watch
        self.view = watch.view()
        watching.remember_folder(ctx.conn, folder)
        self.resume_button.hide()
        self.files.show()
        self.show()
        self._render()
        self._say(f"正在监视 {folder}：此后新出现的扫描文件写完后自动读出"
                  + ("；正在核对文件夹中已有的文件" if self.view.before else ""), GREY)
        self.timer.start()
        self.tab.watch_button.setText("监视另一个文件夹…")
        self.tab.show_folder_import(False)   # one count box on the page: the batch's, below
        return True

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        self.timer.stop()
        if self.task is not None:
            self.task.cancel()         # a file half read is read again when watched again
        if self.watch is not None:
            self._say(f"已停止监视 {self.watch.folder}", GREY)
        self.tab.show_folder_import(True)
        self._render()

    def poll(self) -> None:
        """One step off the GUI thread (skipped while the previous one runs)."""
        watch = self.watch
        if watch is None or self.task is not None:
            return
        db_path = self.tab.page.ctx.db_path

        def work(progress: Any, cancel: Any) -> Any:
            from db.connection import connect

            conn = connect(db_path, create=False)
            try:
                events = watch.step(conn, progress=progress, cancelled=cancel)
                return watch, events, watch.view()
            finally:
                conn.close()

        task = Task(work, self)
        task.progress.connect(lambda _d, _t, m: self._say(m, GREY) if m else None)
        task.finished.connect(self._stepped)
        self.task = task
        task.start()

    def _stepped(self, outcome: Outcome) -> None:
        self.task = None
        if not outcome.ok:
            if outcome.status == "failed":
                self._say(f"读取监视文件夹时出错：{outcome.error}", RED)
            return
        watch, events, view = outcome.result
        if watch is not self.watch:
            return                      # a step of the folder watched before this one
        self.view = view
        imported = False
        for e in events:
            bad = e.kind in ("refused", "batch_refused", "stopped") or bool(
                e.detail.get("not_imported") or e.detail.get("missing"))
            self._say(e.words, RED if bad else GREEN)
            imported = imported or e.kind == "imported"
        if not view.watching and self.timer.isActive():
            self.timer.stop()           # the folder is gone: stopped, never a crash
        self._render()
        if imported:
            self.hand_count.setValue(0)   # the next batch starts from an empty count
            self.tab.refresh()
        if self.watch is not None and self.watch.asked():
            QTimer.singleShot(0, self.poll)   # a count typed while this step ran

    def _render(self) -> None:
        view = self.view
        if view is None:
            return
        watching = view.watching and self.watch is not None and self.watch.running
        if watching:
            self.title.setText(f"<b style='color:{GREEN}'>正在监视</b> {view.folder}"
                               f"　（每 {POLL_S:g} 秒查看一次；文件写完后才读取）")
        else:
            self.title.setText(f"<b style='color:{RED}'>已停止监视</b> {view.folder}"
                               + ("（文件夹已无法访问：U 盘已拔出或网络共享已断开）"
                                  if view.stopped else ""))
            self.title.setToolTip(view.stopped)
        self.stop_button.setEnabled(watching)
        self.tab.show_folder_import(not watching)
        self.existing_button.setText(f"也读取未导入的 {view.before} 个文件")
        self.existing_button.setVisible(watching and view.before > 0 and self.watch is not None
                                        and self.watch.sorted)
        if view.files != self.listed:
            self._list(view)
        waiting = self.waiting()
        counting = [b for b in view.batches if b.state == "counting"]
        self.batch.setToolTip("")
        if waiting is not None:
            self.batch.setText(waiting.words)
            self.batch.setToolTip(waiting.words)      # the whole reason, should it be cut
        elif counting:
            self.batch.setText(counting[0].words)
        else:
            done = f"从这个文件夹已导入 {view.imported_here} 批"
            self.batch.setText(f"{done}；扫描下一批后在此输入手工清点张数" if watching else done)
        for w in (self.hand_count, self.count_button, self.aside_button):
            w.setEnabled(waiting is not None)
        self._mark_tab(waiting is not None)

    def _mark_tab(self, on: bool) -> None:
        """The 扫描认定 tab's title says a batch waits (seen from every tab of 投票计票)."""
        tabs = getattr(self.tab.page, "tabs", None)
        if tabs is None:
            return
        i = tabs.indexOf(self.tab)
        if i < 0:
            return
        mark = "（有未导入批次）"
        text = tabs.tabText(i).replace(mark, "")
        if on:
            text = text.replace(" (Alt", f"{mark} (Alt", 1) if " (Alt" in text else text + mark
        tabs.setTabText(i, text)
        tabs.tabBar().setTabTextColor(i, QColor(RED) if on else QColor())
        tabs.setTabToolTip(i, "监视文件夹中已读出的一批选票尚未导入：输入手工清点张数导入，或放弃这一批"
                           if on else "")

    def _list(self, view: WatchView) -> None:
        """The files, the newest first; at most ROWS of them (the refused ones always), so a day
        of 4,000 one-page files does not hold up the window every poll."""
        self.listed = view.files
        newest = list(reversed(view.files))
        shown = [f for k, f in enumerate(newest) if k < ROWS or f.state == REFUSED]
        self.files.setRowCount(len(shown))
        for row, f in enumerate(shown):
            cells = [f.name, f.label or "—", str(f.pages) if f.pages else "",
                     f.words]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                if f.state == REFUSED:
                    item.setForeground(QColor(RED))
                self.files.setItem(row, col, item)

    def count(self) -> None:
        waiting = self.waiting()
        if self.watch is None or waiting is None:
            return
        n = self.hand_count.value()
        if n < 1:
            self._say(f"请填写{waiting.name}手工清点的选票张数。", RED)
            self.hand_count.setFocus()
            return
        self.watch.count(waiting.number, n, str(self.tab.page.ctx.actor))
        self._say(f"{waiting.name}：手工清点 {n} 张，正在核对并导入…", GREY)
        self.poll()   # the count stays typed until the batch is imported (a refusal keeps it)

    def take_existing(self) -> None:
        if self.watch is None:
            return
        self.watch.take_existing()
        self.existing_button.hide()
        self._say("开始监视前已有的、未导入过的文件也将读取（写完的文件随即读出）。", GREY)
        self.poll()

    def ask_set_aside(self) -> None:
        """放弃这一批 asks first (Esc or 保留: nothing happens)."""
        waiting = self.waiting()
        if self.watch is None or waiting is None:
            return
        box = QMessageBox(QMessageBox.Icon.Question, "放弃这一批",
                          f"放弃{waiting.name}？这一批不导入，原文件留在文件夹中，本次监视不再读取；"
                          "须重新清点、重新扫描。", parent=self)
        discard = box.addButton("放弃这一批", QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton("保留", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.buttonClicked.connect(lambda b: self.set_aside() if b is discard else None)
        self.confirm = box
        box.open()

    def set_aside(self) -> None:
        waiting = self.waiting()
        if self.watch is None or waiting is None:
            return
        self.watch.set_aside(waiting.number)
        self.poll()
