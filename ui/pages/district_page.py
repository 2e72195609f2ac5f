"""区（街道）换届办 dashboard: the district mode of the same app, on its own database.

`pollday --district DB` opens it in its own main window (not a step of the polling day: the
district office has no register, meetings or desks, and the election steps have no district
database). Stage counts and headline rates, bars of the stages and of the new bodies' make-up
against the previous term, a row per community, and the import of many packages at once off the
GUI thread (progress bar, 取消, one result line per package). Exports: summary XLSX, PDF report,
日报. Every figure comes from app.district; the page only shows it.

The 报送包 tab lists every package with its status (计入汇总 / 历史 / 已隔离 / 已排除) and why;
a person approves a quarantined package, excludes or re-includes one (each with a reason, into the
decision log, app.district.decisions), and confirms a community's key against the paper slip
(未核对密钥 until then).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import SystemClock
from app.district import rates, trust
from app.district.decisions import Outcome as Decided
from app.district.decisions import confirm_key, decide
from app.district.figures import STAGES, Report, build_report
from app.district.importing import ImportResult, expand, import_packages
from db import district as store
from ui import filedialogs, output_folder
from ui.pages.district_charts import STAGE_COLOURS, MakeupBars, MakeupGroup, StageBars
from ui.tasks import CancelToken, Outcome, ProgressFn, Task

GROUP_COLUMNS = ("班子/职务", "人数", "平均年龄", "大专及以上", "本科及以上", "35岁以下", "女性",
                 "兼职委员", "留任", "新提拔/新进", "无上届资料", "与上届相比")
COLUMNS = ("社区", "计划日期", "完成日期", "进度", "按期", "一次性选举成功", "党员大会出席率",
           "选民参选率", "一肩挑", "报送包校验码", "备注")
RESULT_COLOURS = {"imported": "#2e7d4f", "superseded": "#2f6ea5", "duplicate": "#777777",
                  "rejected": "#c62828", "quarantined": "#c62828"}
RESULT_ZH = {"imported": "已导入", "superseded": "已导入（取代此前报送）", "duplicate": "重复",
             "rejected": "拒收", "quarantined": "已隔离（不计入）"}
PACKAGE_COLUMNS = ("社区", "状态", "密钥核对", "校验码", "导出时间", "密钥指纹", "原因")
STATUS_COLOURS = {trust.COUNTED: "#2e7d4f", trust.HISTORY: "#777777",
                  trust.QUARANTINED: "#c62828", trust.EXCLUDED: "#8a5a00"}


def _yes(v: bool | None) -> str:
    return "—" if v is None else ("是" if v else "否")


class Tile(QFrame):
    def __init__(self, title: str, colour: str = "#1b3550") -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        lay = QVBoxLayout(self)
        self.value = QLabel("—")
        self.value.setStyleSheet(f"font-size: 22pt; font-weight: bold; color: {colour};")
        self.caption = QLabel(title)
        self.note = QLabel("")
        self.note.setStyleSheet("color: #555555;")
        for w in (self.value, self.caption, self.note):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w)

    def set(self, value: str, note: str = "") -> None:
        self.value.setText(value)
        self.note.setText(note)


class DistrictPage(QWidget):
    def __init__(self, db_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db_path = db_path
        filedialogs.protect(db_path)
        self.report: Report | None = None
        self.task: Task | None = None
        self.clock = SystemClock()
        title = QLabel("区（街道）换届办 · 换届选举汇总")
        title.setStyleSheet("font-size: 18pt; font-weight: bold; color: #1b3550;")
        self.where = QLabel(str(db_path))
        self.where.setStyleSheet("color: #666666;")
        self.import_button = QPushButton("导入报送包…")
        self.folder_button = QPushButton("导入整个文件夹…")
        self.folder_button.setToolTip("导入所选文件夹中的全部报送包（*.pollday），如整个U盘")
        self.plan_button = QPushButton("导入换届计划…")
        self.previous_button = QPushButton("导入上届班子结构…")
        self.xlsx_button = QPushButton("导出汇总表（XLSX）…")
        self.pdf_button = QPushButton("导出报告（PDF）…")
        self.daily_button = QPushButton("导出日报…")
        buttons = QHBoxLayout()
        for b in (self.import_button, self.folder_button, self.plan_button,
                  self.previous_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        for b in (self.xlsx_button, self.pdf_button, self.daily_button):
            buttons.addWidget(b)
        self.import_button.setStyleSheet("font-weight: bold;")
        self.tiles = {s: Tile(s, STAGE_COLOURS[s]) for s in STAGES}
        self.rate_tiles = {k: Tile(t) for k, t in (
            ("on_time_rate", "按期换届率"), ("one_pass_rate", "一次性选举成功率"),
            ("party_attendance_rate", "党员大会出席率"), ("voter_turnout_rate", "选民参选率"),
            ("dual_role_rate", "书记主任“一肩挑”"))}
        tiles = QGridLayout()
        for i, t in enumerate([*self.tiles.values(), *self.rate_tiles.values()]):
            tiles.addWidget(t, 0, i)
        self.flags = QLabel("")
        self.flags.setWordWrap(True)
        self.flags.setStyleSheet("color: #c62828; font-weight: bold;")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)   # by plan date
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.stage_bars = StageBars()
        self.makeup_bars = MakeupBars()
        self.makeup_text = QLabel("")
        self.makeup_text.setWordWrap(True)
        self.makeup_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        charts = QWidget()
        cl = QVBoxLayout(charts)
        cl.addWidget(QLabel("换届进度"))
        cl.addWidget(self.stage_bars)
        cl.addWidget(QLabel("新一届班子结构（%，本届与上届）"))
        cl.addWidget(self.makeup_bars, 1)
        cl.addWidget(self.makeup_text)
        scroll = QScrollArea()   # a narrow window scrolls the charts, never overlaps them
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(charts)
        self.packages = QTableWidget(0, len(PACKAGE_COLUMNS))
        self.packages.setHorizontalHeaderLabels(list(PACKAGE_COLUMNS))
        self.packages.verticalHeader().setVisible(False)
        self.packages.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.packages.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.packages.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        ph = self.packages.horizontalHeader()
        ph.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        ph.setSectionResizeMode(len(PACKAGE_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.approve_button = QPushButton("批准计入…")
        self.exclude_button = QPushButton("排除…")
        self.include_button = QPushButton("恢复计入…")
        self.confirm_button = QPushButton("核对密钥…")
        self.approve_button.setToolTip("已隔离的报送包（非该社区密钥所签）经核实后计入汇总")
        self.confirm_button.setToolTip("对照纸质交接单上的密钥指纹，确认该社区第一个报送包的密钥")
        pbar = QHBoxLayout()
        for b in (self.approve_button, self.exclude_button, self.include_button,
                  self.confirm_button):
            pbar.addWidget(b)
        pbar.addStretch(1)
        ptab = QWidget()
        pl = QVBoxLayout(ptab)
        pl.setContentsMargins(0, 4, 0, 0)
        pl.addWidget(self.packages, 1)
        pl.addLayout(pbar)
        self.groups = QTableWidget(0, len(GROUP_COLUMNS))
        self.groups.setHorizontalHeaderLabels(list(GROUP_COLUMNS))
        self.groups.verticalHeader().setVisible(False)
        self.groups.verticalHeader().setDefaultSectionSize(22)   # 5 groups in view at 1366x768
        self.groups.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        gh = self.groups.horizontalHeader()
        gh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        gh.setSectionResizeMode(len(GROUP_COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.summary = QPlainTextEdit()
        self.summary.setReadOnly(True)
        self.summary.setMaximumHeight(100)   # the table keeps its rows at 1366x768
        self.copy_button = QPushButton("复制这段文字")
        self.copy_button.setToolTip("复制“换届工作情况”，粘贴到报告中")
        self.young_box = QCheckBox("“35岁以下”含35岁（以下含本数）")
        self.young_box.setToolTip("不勾选：只统计未满35岁的成员")
        sbar = QHBoxLayout()
        sbar.addWidget(self.young_box)
        sbar.addStretch(1)
        sbar.addWidget(self.copy_button)
        stab = QWidget()
        sl = QVBoxLayout(stab)
        sl.setContentsMargins(0, 4, 0, 0)
        sl.addWidget(self.groups, 1)
        sl.addWidget(QLabel("换届工作情况（可复制到报告）"))
        sl.addWidget(self.summary)
        sl.addLayout(sbar)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.table, "各社区")
        self.tabs.addTab(ptab, "报送包")
        self.tabs.addTab(stab, "班子结构与职务")
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.tabs)
        split.addWidget(scroll)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([740, 600])
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("取消")
        self.cancel_button.setVisible(False)
        self.results = QListWidget()
        self.results.setMaximumHeight(130)
        bar = QHBoxLayout()
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.cancel_button)
        lay = QVBoxLayout(self)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.where)
        lay.addLayout(head)
        lay.addLayout(buttons)
        lay.addLayout(tiles)
        lay.addWidget(self.flags)
        lay.addWidget(split, 1)
        lay.addLayout(bar)
        lay.addWidget(self.results)
        self.import_button.clicked.connect(self.choose_packages)
        self.folder_button.clicked.connect(self.choose_folder)
        self.plan_button.clicked.connect(lambda: self.choose_sheet("plan"))
        self.previous_button.clicked.connect(lambda: self.choose_sheet("previous"))
        self.xlsx_button.clicked.connect(lambda: self.choose_export(".xlsx", False))
        self.pdf_button.clicked.connect(lambda: self.choose_export(".pdf", False))
        self.daily_button.clicked.connect(lambda: self.choose_export(".xlsx", True))
        self.cancel_button.clicked.connect(self.cancel_import)
        self.approve_button.clicked.connect(lambda: self.ask_decision("approve"))
        self.exclude_button.clicked.connect(lambda: self.ask_decision("exclude"))
        self.include_button.clicked.connect(lambda: self.ask_decision("include"))
        self.confirm_button.clicked.connect(self.ask_confirm_key)
        self.copy_button.clicked.connect(
            lambda: QApplication.clipboard().setText(self.summary.toPlainText()))
        self.young_box.toggled.connect(self.set_young)
        self.packages.itemSelectionChanged.connect(self.update_package_buttons)
        self.export_box: QMessageBox | None = None
        self.results.addItem("点击“导入报送包…”选择U盘上的报送包（可多选），或“导入整个文件夹…”；"
                             "每个报送包的导入结果列在这里。")
        self.refresh()

    # figures ------------------------------------------------------------------------------
    def refresh(self) -> None:
        conn = store.connect(self.db_path)
        try:
            self.report = build_report(conn)
            self.trusts = trust.all_trust(conn)
        finally:
            conn.close()
        self.show_report(self.report)
        self.fill_packages()

    def show_report(self, report: Report) -> None:
        h = report.headline()
        total = max(1, h["communities"])
        for s, tile in self.tiles.items():
            n = h["stages"][s]
            tile.set(str(n), f"占 {rates.percent(n, total, Decimal('1'))}%")
        notes = {"on_time_rate": f"{h['on_time']} / {h['planned']} 个",
                 "one_pass_rate": f"{h['one_pass']} / {h['completed']} 个",
                 "party_attendance_rate": f"{h['party_present']} / {h['party_expected']} 人",
                 "voter_turnout_rate": f"{h['voter_present']} / {h['voter_expected']} 人",
                 "dual_role_rate": f"{h['dual_role']} / {h['dual_role_of']} 个"}
        for k, tile in self.rate_tiles.items():
            tile.set("—" if h[k] is None else f"{h[k]}%", notes[k])
        from app.district.text import trust_lines

        self.flags.setText("\n".join(trust_lines(report)))
        self.stage_bars.set_counts([(s, h["stages"][s]) for s in STAGES])
        self.fill_table(report)
        groups = []
        lines = []
        for b in report.bodies:
            j = b.data()
            if not b.members:
                continue
            prev = j.get("previous", {})
            groups.append(MakeupGroup(b.body, [
                (label, rates.text(j[m]), rates.text(prev.get(m))) for label, m in (
                    ("大专+", "college_pct"), ("本科+", "bachelor_pct"),
                    ("35岁下", "under35_pct"), ("女性", "women_pct"))]))
            line = f"{b.body} {b.members} 人，平均年龄 {rates.text(j['average_age']) or '—'} 岁"
            if j.get("changes"):
                line += "：" + "，".join(c for c in j["changes"] if not c.startswith("人数"))
            lines.append(line)
        self.makeup_bars.set_groups(groups)
        self.makeup_text.setText("\n".join(lines))
        self.fill_groups(report)

    def fill_groups(self, report: Report) -> None:
        """班子结构与职务: a row per body, per post and for the 两委, counts beside shares; the
        换届工作情况 paragraph under it."""
        from app.district.text import summary_paragraph

        rows = [*report.bodies, *report.posts,
                *([report.two_committees] if report.two_committees is not None else [])]
        rows = [b for b in rows if b.members]
        self.groups.setRowCount(len(rows))
        for r, b in enumerate(rows):
            j = b.data()

            def both(count: int, share: Decimal | None) -> str:
                return f"{count}人（{'—' if share is None else f'{share}%'}）"

            cells = (b.label if b.body != "两委" else "两委（每人计一次）", f"{b.members}人",
                     f"{rates.text(j['average_age']) or '—'}岁",
                     both(b.college, j["college_pct"]), both(b.bachelor, j["bachelor_pct"]),
                     both(b.young, j["under35_pct"]), both(b.women, j["women_pct"]),
                     f"{b.part_time}人", f"{b.retained}人", f"{b.fresh}人",
                     f"{b.unknown_previous}人",
                     "，".join(j.get("changes", [])))
            for col, text in enumerate(cells):
                self.groups.setItem(r, col, QTableWidgetItem(text))
        self.summary.setPlainText(summary_paragraph(report, self.clock.now().date()))
        self.young_box.blockSignals(True)
        self.young_box.setChecked(report.young_inclusive)
        self.young_box.blockSignals(False)

    def set_young(self, inclusive: bool) -> None:
        from app.district.figures import set_young_inclusive

        conn = store.connect(self.db_path)
        try:
            set_young_inclusive(conn, inclusive)
        finally:
            conn.close()
        self.refresh()

    def fill_table(self, report: Report) -> None:
        self.table.setSortingEnabled(False)
        self.table.setRowCount(len(report.communities))
        for r, c in enumerate(report.communities):
            party, voters = c.party_attendance_rate, c.voter_turnout_rate
            cells = (c.community, c.plan_date or "—", c.done_date or "—", c.stage,
                     _yes(c.on_time), _yes(c.one_pass), "—" if party is None else f"{party}%",
                     "—" if voters is None else f"{voters}%",
                     _yes(c.dual_role), c.package or "—",
                     "；".join(x for x in (c.covers_words(), c.key_flag,
                                          "另行选举" if c.runoffs else "",
                                          f"报送{c.packages}次" if c.packages > 1 else "") if x))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 3:
                    item.setForeground(QBrush(QColor(STAGE_COLOURS[c.stage])))
                if c.key_flag:
                    item.setBackground(QBrush(QColor("#fde7e7" if "隔离" in c.key_flag
                                                     else "#fff4d6")))
                if c.on_time is False and col in (1, 2, 4):
                    item.setForeground(QBrush(QColor("#c62828")))
                self.table.setItem(r, col, item)
        self.table.setSortingEnabled(True)

    # packages and decisions ----------------------------------------------------------------
    def fill_packages(self) -> None:
        states = [(t, s) for t in sorted(self.trusts.values(), key=lambda t: t.community)
                  for s in t.states]
        self.package_states = [s for _t, s in states]
        self.packages.setRowCount(len(states))
        for r, (t, s) in enumerate(states):
            p = s.package
            reason = s.reason or (f"已批准：{s.approved}" if s.approved else "")
            cells = (p.community, trust.STATUS_ZH[s.status], t.key_status, p.short_hash,
                     p.exported_at[:16].replace("T", " "), p.fingerprint, reason)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(reason or trust.STATUS_ZH[s.status])
                if col == 1:
                    item.setForeground(QBrush(QColor(STATUS_COLOURS[s.status])))
                if col == 2 and text == trust.UNVERIFIED:
                    item.setForeground(QBrush(QColor("#b26a00")))
                if s.status == trust.QUARANTINED:
                    item.setBackground(QBrush(QColor("#fde7e7")))
                self.packages.setItem(r, col, item)
        pending = trust.to_check(self.trusts.values())
        self.tabs.setTabText(1, f"报送包（{pending} 项待核对）" if pending else "报送包")
        self.update_package_buttons()

    def selected_state(self) -> trust.PackageState | None:
        rows = self.packages.selectionModel().selectedRows()
        return self.package_states[rows[0].row()] if rows else None

    def update_package_buttons(self) -> None:
        s = self.selected_state()
        self.approve_button.setEnabled(s is not None and trust.may("approve", s))
        self.exclude_button.setEnabled(s is not None and trust.may("exclude", s))
        self.include_button.setEnabled(s is not None and trust.may("include", s))
        self.confirm_button.setEnabled(
            s is not None and self.trusts[s.package.community].key_status == trust.UNVERIFIED)

    def ask_decision(self, action: str) -> None:
        s = self.selected_state()
        if s is None:
            return
        verb = {"approve": "批准计入", "exclude": "排除", "include": "恢复计入"}[action]
        p = s.package
        reason, ok = QInputDialog.getText(
            self, verb, f"{verb} {p.community} 的报送包（校验码 {p.short_hash}，密钥 {p.fingerprint}）"
                        "\n理由（记入操作记录）：")
        if ok:
            self.show_outcome(verb, self.decide(action, p.short_hash, reason))

    def decide(self, action: str, ref: str, reason: str) -> Decided:
        import getpass

        conn = store.connect(self.db_path)
        try:
            out = decide(conn, action, ref, reason=reason, by=getpass.getuser(),
                         at=self.clock.now())
        finally:
            conn.close()
        self.refresh()
        return out

    def ask_confirm_key(self) -> None:
        s = self.selected_state()
        if s is None:
            return
        community = s.package.community
        text, ok = QInputDialog.getText(
            self, "核对密钥", f"请照纸质交接单输入 {community} 的密钥指纹（16 位，如 994F-AAAB-FC9C-B86E）：")
        if ok:
            self.show_outcome("核对密钥", self.confirm(community, text))

    def confirm(self, community: str, fingerprint: str) -> Decided:
        import getpass

        conn = store.connect(self.db_path)
        try:
            out = confirm_key(conn, community, fingerprint, by=getpass.getuser(),
                              at=self.clock.now())
        finally:
            conn.close()
        self.refresh()
        return out

    def show_outcome(self, title: str, out: Decided) -> None:
        if out.ok:
            self.results.addItem(out.message)
        else:
            QMessageBox.warning(self, title, out.message)

    # import -------------------------------------------------------------------------------
    def choose_packages(self) -> None:
        files, _f = filedialogs.get_open_file_names(self, "选择报送包", "",
                                                    "PollDay 报送包 (*.pollday);;所有文件 (*)")
        if files:
            self.start_import([Path(f) for f in files])

    def choose_folder(self) -> None:
        folder = filedialogs.get_existing_directory(self, "选择存放报送包的文件夹")
        if folder:
            self.import_folder(Path(folder))

    def import_folder(self, folder: Path) -> Task | None:
        """Every package in `folder`; says so when it holds none."""
        found = expand([folder])
        if not found:
            self.results.clear()
            item = QListWidgetItem(f"文件夹 {folder} 中没有报送包（*.pollday）：请选择存放报送包的"
                                   "文件夹，或用“导入报送包…”逐个选择")
            item.setForeground(QBrush(QColor("#c62828")))
            self.results.addItem(item)
            return None
        task = self.start_import(found)
        self.results.insertItem(0, f"文件夹 {folder}：共 {len(found)} 个报送包")
        return task

    def start_import(self, paths: Sequence[Path]) -> Task:
        paths = expand(list(paths))
        db, clock = self.db_path, self.clock

        def work(progress: ProgressFn, cancel: CancelToken) -> list[ImportResult]:
            conn = store.connect(db)  # this thread's own connection
            try:
                return import_packages(conn, paths, clock.now(), progress=progress,
                                       cancel=cancel)
            finally:
                conn.close()

        self.results.clear()
        self.progress.setRange(0, len(paths))
        self.progress.setValue(0)
        self.progress.setFormat(f"%v / {len(paths)}")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.cancel_button.setEnabled(True)
        self.import_button.setEnabled(False)
        self.folder_button.setEnabled(False)
        task = Task(work, self)
        task.progress.connect(self.on_progress)
        task.finished.connect(self.on_imported)
        self.task = task
        task.start()
        return task

    def on_progress(self, done: int, total: int, message: str) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        if message:
            self.progress.setFormat(f"%v / %m  {message}")

    def cancel_import(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("正在取消…（当前报送包导入完成后停止）")

    def on_imported(self, outcome: Outcome) -> None:
        self.task = None
        self.cancel_button.setVisible(False)
        self.import_button.setEnabled(True)
        self.folder_button.setEnabled(True)
        self.progress.setVisible(False)
        if outcome.status == "failed":
            QMessageBox.critical(self, "导入失败", outcome.error)
        results: list[ImportResult] = outcome.result or []
        for r in results:
            self.add_result(r)
        if outcome.status == "cancelled" or (outcome.ok and self.progress.maximum() > len(results)):
            self.results.addItem(f"已取消：已处理 {len(results)} 个，其余未导入")
        self.refresh()

    def add_result(self, r: ImportResult) -> None:
        text = f"{RESULT_ZH[r.result]}　{Path(r.package).name}　{r.community}"
        if r.reason:
            text += f"　{r.reason}"
        item = QListWidgetItem(text)
        item.setForeground(QBrush(QColor("#c62828" if r.flagged else RESULT_COLOURS[r.result])))
        # the whole line too: a refusal's advice runs past the list's width
        item.setToolTip(f"{text}\n校验码 {r.short_hash}　密钥指纹 {r.fingerprint}")
        self.results.addItem(item)

    # sheets and exports --------------------------------------------------------------------
    def choose_sheet(self, kind: str) -> None:
        name, _f = filedialogs.get_open_file_name(self, "选择表格", "", "Excel 表格 (*.xlsx)")
        if name:
            message = self.load_sheet(kind, Path(name))
            QMessageBox.information(self, "导入表格", message)

    def load_sheet(self, kind: str, path: Path) -> str:
        from app.clock import iso
        from app.district import sheets

        conn = store.connect(self.db_path)
        try:
            rows = sheets.load_sheet(conn, kind, path, iso(self.clock.now()))
        finally:
            conn.close()
        if isinstance(rows, sheets.SheetProblems):
            return "未导入：\n" + "\n".join(rows.messages)
        self.refresh()
        return f"已导入 {len(rows)} {'个社区' if kind == 'plan' else '项数据'}"

    def choose_export(self, suffix: str, daily_only: bool) -> None:
        default = ("换届日报" if daily_only else "换届汇总") + dt.date.today().strftime("%Y%m%d")
        name, _f = filedialogs.get_save_file_name(self, "导出", default + suffix,
                                                  "Excel 表格 (*.xlsx);;PDF (*.pdf)")
        if name:
            self.export(Path(name), daily_only)

    def export(self, path: Path, daily_only: bool, day: dt.date | None = None) -> str:
        from app.district.export import write_report

        if self.report is None:
            return "没有数据"
        now = self.clock.now()
        problem = write_report(self.report, path, day or now.date(), daily_only=daily_only,
                               at=now)
        if problem:
            QMessageBox.warning(self, "导出", problem)
        else:
            self.exported(path)
        return problem

    def exported(self, path: Path) -> None:
        """Say where the file was written, with 打开文件夹 (non-blocking)."""
        self.results.addItem(f"已导出：{path}")
        box = QMessageBox(QMessageBox.Icon.Information, "导出完成",
                          f"已导出 {path.name}\n保存在：{path.parent}", QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("exportedBox")
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        opener = box.addButton("打开文件夹", QMessageBox.ButtonRole.ActionRole)
        opener.clicked.connect(lambda: output_folder.open_path(path.parent, self))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.export_box = box
        box.open()


class DistrictWindow(QMainWindow):
    def __init__(self, db_path: Path) -> None:
        super().__init__()
        self.setWindowTitle("区（街道）换届办汇总")
        self.page = DistrictPage(db_path, self)
        self.setCentralWidget(self.page)
        self.resize(1280, 690)   # with title bar and taskbar, fits a 1366x768 laptop

    def closeEvent(self, event: Any) -> None:
        Task.cancel_all()
        super().closeEvent(event)


def run_district(args: Sequence[str]) -> int:
    """`pollday --district DB`: the district dashboard on DB (created when missing)."""
    import argparse
    import sys

    from ui.app_main import make_app

    parser = argparse.ArgumentParser(prog="pollday --district")
    parser.add_argument("db", type=Path, metavar="DISTRICT_DB")
    parser.add_argument("--quit-after-show", action="store_true", help=argparse.SUPPRESS)
    ns = parser.parse_args(list(args))
    app = make_app()
    try:
        window = DistrictWindow(ns.db)
    except store.NotADistrictDatabase as e:
        print(f"pollday --district: {e}", file=sys.stderr)
        if not ns.quit_after_show:
            QMessageBox.critical(None, "区（街道）换届办汇总", str(e))
        return 1
    from ui.app_main import show_sized

    show_sized(window)   # type: ignore[arg-type]  # any main window: sized to the screen
    if ns.quit_after_show:
        QApplication.processEvents()
        print("district window shown")
        return 0
    return int(app.exec())
