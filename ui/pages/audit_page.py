"""报送 · 审计日志: every audit row in plain Chinese (app.audit_catalogue), filtered by person,
action, meeting and time, with the chain check at the top: 审计记录完整, or the first row that
does not verify; and, when the chain head printed on the notice, the count report or the
hand-over slip is typed or scanned in, whether the log matches it. 导出 PDF / 导出 XLSX write
what is listed into the database's output folder (ui.output_folder).

The log is read and re-verified in a worker with its own connection (a long day's log and its
hashes must not stall the GUI thread); the filters run over the rows already worded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.audit_log import NO_MEETING, ChainCheck, Entry, Filter, filter_entries, people
from app.fileio import safe_filename
from ui import output_folder
from ui.pages.context import PageContext
from ui.tasks import Task
from ui.widgets.progress import run_with_progress
from ui.widgets.rows_model import RowsModel

# Said whenever a person is chosen: their sign-ins and ballots are kept elsewhere.
NOT_HERE = ("签到和选票录入不在审计日志中：签到见“签到”页的本台最近签到，"
            "选票见“投票计票”页的逐张录入")
HEADERS = ("序号", "时间", "人员", "动作", "会议", "详情")
ALL = ""
OK_STYLE = ("#AuditBanner { background: #e3f4e8; border: 1px solid #8cc79e; border-radius: 4px; }"
            " #AuditBanner QLabel { color: #1a5c2e; }")
BAD_STYLE = ("#AuditBanner { background: #fde2e1; border: 1px solid #e08a86; border-radius: 4px; }"
             " #AuditBanner QLabel { color: #8a1111; }")


@dataclass(frozen=True, slots=True)
class Loaded:
    entries: list[Entry]
    cells: dict[int, tuple[str, ...]]    # row id -> the table's cells, worded in the worker
    check: ChainCheck


def load_work(db_path: Path, printed: str | None) -> Any:
    """Work for ui.tasks: read the log, word every row, check the chain (and a printed head)."""

    def work(_progress: Any, _cancel: Any) -> Loaded | str:
        from app.audit_log import check_chain, read_entries
        from db.connection import connect

        conn = connect(db_path, create=False)
        try:
            entries = read_entries(conn)
            try:
                check = check_chain(conn, printed, entries=entries)
            except ValueError as e:    # not a head: said under the field, the log still shows
                return str(e)
        finally:
            conn.close()
        cells = {e.id: (str(e.id), e.time, e.operator, e.words, e.meeting_code or "—", e.text)
                 for e in entries}
        return Loaded(entries, cells, check)

    return work


class AuditModel(RowsModel):
    """The rows, the ones from the first that does not verify on shaded red."""

    def __init__(self, parent: object | None = None) -> None:
        super().__init__(HEADERS, parent=parent)
        self.broken_at: int | None = None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if index.isValid() and self.broken_at is not None and role in (
                Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ForegroundRole):
            rid = int(str(self.row(index.row())[0]))
            if rid >= self.broken_at:
                return QColor("#f8d7da") if role == Qt.ItemDataRole.BackgroundRole \
                    else QColor("#8a1111")
            return None
        return super().data(index, role)


class AuditPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("AuditPage")
        self.loaded: Loaded | None = None
        self.shown: list[Entry] = []
        self.loading: Task | None = None
        self.last_box: QMessageBox | None = None
        self.last_path: Path | None = None

        self.banner = QFrame()
        self.banner.setObjectName("AuditBanner")
        self.headline = QLabel("正在核对审计记录…")
        self.headline.setStyleSheet("font-size: 15pt; font-weight: bold;")
        self.headline.setAccessibleName("审计链核对结果")
        self.check_text = QLabel()
        self.check_text.setWordWrap(True)
        self.check_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        banner = QVBoxLayout(self.banner)
        banner.setContentsMargins(12, 8, 12, 8)
        banner.setSpacing(2)
        banner.addWidget(self.headline)
        banner.addWidget(self.check_text)

        self.printed = QLineEdit()
        self.printed.setPlaceholderText("输入或扫描公告、报告单、交接单上印的审计链头（64 位，可分组）")
        self.printed.setAccessibleName("纸面审计链头")
        self.printed.setClearButtonEnabled(True)
        printed_label = QLabel("核对纸面链头(&H)：")
        printed_label.setBuddy(self.printed)
        self.compare_button = QPushButton("核对")
        self.printed_problem = QLabel()
        self.printed_problem.setStyleSheet("color: #c62828;")
        head_row = QHBoxLayout()
        head_row.addWidget(printed_label)
        head_row.addWidget(self.printed, 1)
        head_row.addWidget(self.compare_button)
        head_row.addWidget(self.printed_problem)

        self.person = QComboBox()
        self.person.setAccessibleName("人员")
        self.person.setToolTip("此人操作的记录，以及记录中提到此人的（共同锁定的第二人、登记的监票人和计票人）。"
                               + NOT_HERE)
        self.action = QComboBox()
        self.action.setAccessibleName("动作")
        self.meeting = QComboBox()
        self.meeting.setAccessibleName("会议")
        self.by_time = QCheckBox("时间(&T)：")
        self.since = QDateTimeEdit()
        self.until = QDateTimeEdit()
        for edit, name in ((self.since, "从"), (self.until, "到")):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
            edit.setEnabled(False)
            edit.setAccessibleName(f"时间{name}")
        self.clear_button = QPushButton("清除筛选")
        filters = QGridLayout()
        filters.setHorizontalSpacing(8)
        for col, (text, widget) in enumerate((("人员(&P)：", self.person), ("动作(&A)：", self.action),
                                              ("会议(&M)：", self.meeting))):
            label = QLabel(text)
            label.setBuddy(widget)
            filters.addWidget(label, 0, col * 2)
            filters.addWidget(widget, 0, col * 2 + 1)
        # The time range on a row of its own: on one row with the three lists the page was
        # wider than a 1280 px screen leaves it.
        when = QHBoxLayout()
        when.addWidget(self.since)
        when.addWidget(QLabel("至"))
        when.addWidget(self.until)
        when.addStretch(1)
        when.addWidget(self.clear_button)
        filters.addWidget(self.by_time, 1, 0)
        filters.addLayout(when, 1, 1, 1, 5)
        for col in (1, 3, 5):
            filters.setColumnStretch(col, 1)
        # A combo as wide as its longest entry (a long meeting title, an action's words) made
        # the page, and so the window, wider than a 1280 px screen: the list pops up wide anyway.
        for combo in (self.person, self.action, self.meeting):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(6)

        self.model = AuditModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName("审计记录")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col, width in enumerate((56, 150, 110, 140, 80)):
            header.resizeSection(col, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.selected = QLabel("选中一行，这里显示它的全部内容。")
        self.selected.setWordWrap(True)
        self.selected.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.selected.setStyleSheet("color: #37474f;")

        self.count = QLabel()
        self.not_here = QLabel(NOT_HERE)   # shown while a person is chosen
        self.not_here.setWordWrap(True)
        self.not_here.setStyleSheet("color: #8a5a00;")
        self.not_here.hide()
        self.refresh_button = QPushButton("刷新 (F5)")
        self.pdf_button = QPushButton("导出 PDF…")
        self.xlsx_button = QPushButton("导出 XLSX…")
        for b, what in ((self.pdf_button, "PDF，供打印"), (self.xlsx_button, "Excel 表格")):
            b.setToolTip(f"把当前列出的记录和核对结果导出为 {what}")
            output_folder.attach(b, ctx)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.refresh_button)
        bottom.addWidget(self.pdf_button)
        bottom.addWidget(self.xlsx_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.banner)
        layout.addLayout(head_row)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.selected)
        layout.addWidget(self.not_here)
        layout.addLayout(bottom)

        for combo in (self.person, self.action, self.meeting):
            combo.activated.connect(lambda _i: self.apply_filter())
        self.by_time.toggled.connect(self._time_toggled)
        self.since.dateTimeChanged.connect(lambda _d: self.apply_filter())
        self.until.dateTimeChanged.connect(lambda _d: self.apply_filter())
        self.clear_button.clicked.connect(self.clear_filters)
        self.compare_button.clicked.connect(self.reload)
        self.printed.returnPressed.connect(self.reload)
        self.refresh_button.clicked.connect(self.reload)
        self.pdf_button.clicked.connect(lambda: self.export(".pdf"))
        self.xlsx_button.clicked.connect(lambda: self.export(".xlsx"))
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._select(cur))
        QShortcut(QKeySequence(Qt.Key.Key_F5), self, self.reload)
        ctx.meeting_changed.connect(lambda _m: self.reload())
        self.reload()

    # --- loading ------------------------------------------------------------------------
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt override)
        super().showEvent(event)
        if self.loaded is not None and self.loading is None:
            self.reload()   # rows written on other pages since

    def is_loaded(self) -> bool:
        return self.loading is None and self.loaded is not None

    def reload(self) -> None:
        if self.loading is not None:
            self.loading.cancel()
        task = Task(load_work(self.ctx.db_path, self.printed.text().strip() or None), self)
        task.succeeded.connect(self._loaded)
        task.failed.connect(lambda msg, _d: self._failed(msg))
        self.loading = task
        task.start()

    def _failed(self, message: str) -> None:
        if self.sender() is self.loading:
            self.loading = None
        self.headline.setText("审计日志读取失败")
        self.check_text.setText(message)
        self.banner.setStyleSheet(BAD_STYLE)

    def _loaded(self, got: Loaded | str) -> None:
        if self.sender() is not self.loading:
            return   # a newer reload is under way
        self.loading = None
        if isinstance(got, str):
            self.printed_problem.setText(got)
            self.printed.setFocus()
            self.printed.selectAll()
            if self.loaded is None:   # first load with a bad head: show the log anyway
                self.printed.clear()
                self.reload()
            return
        self.printed_problem.clear()
        self.loaded = got
        check = got.check
        lines = check.lines()
        self.headline.setText(lines[0])
        if not check.intact:   # what to do: the export refusal's and the window band's words
            from app.audit_log import RESTORE_ADVICE

            lines = [*lines[:2], RESTORE_ADVICE + "。", *lines[2:]]
        self.check_text.setText("\n".join(lines[1:]))
        self.banner.setStyleSheet(OK_STYLE if check.ok else BAD_STYLE)
        self.model.broken_at = check.broken_at
        self._fill_choices(got.entries)
        self.apply_filter()

    def _fill_choices(self, entries: Sequence[Entry]) -> None:
        def refill(combo: QComboBox, first: str, items: Sequence[tuple[str, object]]) -> None:
            keep = combo.currentData()
            combo.clear()
            combo.addItem(first, ALL)
            for text, data in items:
                combo.addItem(text, data)
            at = combo.findData(keep)
            combo.setCurrentIndex(max(at, 0))

        refill(self.person, "全部人员", [(p, p) for p in people(entries)])
        codes = list(dict.fromkeys(e.action for e in entries))
        words = {e.action: e.words for e in entries}
        refill(self.action, "全部动作", [(words[c], c) for c in codes])
        meetings = [(m.title, m.id) for m in self.ctx.meetings()]
        if any(e.meeting_id is None for e in entries):
            meetings.append(("不属于某个会议（名册、多台签到等）", NO_MEETING))
        refill(self.meeting, "全部会议", meetings)
        if entries and not self.by_time.isChecked():
            for edit, e in ((self.since, entries[0]), (self.until, entries[-1])):
                edit.blockSignals(True)
                edit.setDateTime(QDateTime.fromString(e.time[:16], "yyyy-MM-dd HH:mm"))
                edit.blockSignals(False)

    # --- filters ------------------------------------------------------------------------
    def current_filter(self) -> Filter:
        def value(combo: QComboBox) -> Any:
            data = combo.currentData()
            return ALL if data is None else data

        since = until = None
        if self.by_time.isChecked():
            since = self.since.dateTime().toPython()
            until = self.until.dateTime().toPython() + dt.timedelta(seconds=59,
                                                                     microseconds=999999)
        meeting = value(self.meeting)
        return Filter(person=str(value(self.person)), action=str(value(self.action)),
                      meeting_id=None if meeting == ALL else int(meeting),
                      since=since, until=until)

    def apply_filter(self) -> None:
        if self.loaded is None:
            return
        f = self.current_filter()
        self.shown = filter_entries(self.loaded.entries, f)
        self.model.set_rows([self.loaded.cells[e.id] for e in self.shown])
        total = len(self.loaded.entries)
        self.count.setText(f"列出 {len(self.shown)} 条（共 {total} 条）"
                           + ("" if f == Filter() else f"；{f.describe(self._titles())}"))
        self.not_here.setVisible(bool(f.person))
        self.selected.setText("选中一行，这里显示它的全部内容。")

    def _titles(self) -> dict[int, str]:
        return {m.id: m.title for m in self.ctx.meetings()}

    def _time_toggled(self, on: bool) -> None:
        self.since.setEnabled(on)
        self.until.setEnabled(on)
        self.apply_filter()

    def clear_filters(self) -> None:
        for combo in (self.person, self.action, self.meeting):
            combo.setCurrentIndex(0)
        self.by_time.setChecked(False)
        self.apply_filter()

    def _select(self, index: QModelIndex) -> None:
        if not index.isValid() or index.row() >= len(self.shown):
            return
        e = self.shown[index.row()]
        where = f"，{e.meeting}" if e.meeting else ""
        self.selected.setText(f"第 {e.id} 条 · {e.time} · {e.operator}（记录为 {e.actor or '空'}）"
                              f" · {e.words}（{e.action}）{where}\n{e.text}\n校验值 {e.hash}")

    # --- export -------------------------------------------------------------------------
    def export(self, suffix: str) -> QMessageBox | None:
        """Write what is listed (and the check) as PDF or XLSX into the output folder."""
        if self.loaded is None:
            return None
        folder = output_folder.ensure(self, self.ctx)
        if folder is None:
            return None
        now = self.ctx.clock.now()
        stamp = now.strftime("%Y%m%d-%H%M")
        out = folder / f"{safe_filename(f'审计日志-{stamp}')}{suffix}"
        shown, check = list(self.shown), self.loaded.check
        words = self.current_filter().describe(self._titles())
        m = self.ctx.meeting
        community = m.community if m is not None else ""
        at = now.replace(tzinfo=None) if now.tzinfo is None else now.astimezone().replace(
            tzinfo=None)

        def work(_p: Any, _c: Any) -> str:
            from app.documents.audit_report import write_report

            return write_report(shown, check, out, at, community=community, filter_words=words)

        kind = "PDF" if suffix == ".pdf" else "XLSX"
        outcome = run_with_progress(self, f"导出审计日志 {kind}", f"正在生成审计日志 {kind}…", work)
        problem = outcome.result if outcome.ok else (outcome.error or "已取消")
        if problem:
            box = QMessageBox(QMessageBox.Icon.Warning, "审计日志", f"审计日志未能导出：\n{problem}",
                              QMessageBox.StandardButton.Ok, self)
        else:
            box = QMessageBox(QMessageBox.Icon.Information, "审计日志",
                              f"已导出审计日志（{len(shown)} 条）：\n{out}",
                              QMessageBox.StandardButton.Close, self)
            opener = box.addButton("打开", QMessageBox.ButtonRole.AcceptRole)
            opener.clicked.connect(lambda: output_folder.open_path(out, self))
            output_folder.add_buttons(box, self.ctx, folder)
        self.last_box = box
        self.last_path = out if not problem else None
        box.open()
        return box


def create(ctx: PageContext) -> QWidget:
    return AuditPage(ctx)
