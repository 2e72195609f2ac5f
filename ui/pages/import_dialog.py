"""导入名册: file → (which sheet, when several hold a register) → (mapping of unknown headers) → preview or every bad row → import with
progress and cancel → result. The checks and the all-or-nothing write are app.register's; this
dialog only shows them. Reading and writing run in ui.tasks.Task with their own connection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import iso
from app.education import ADVICE
from app.register.diff import ApplyResult
from app.register.fields import FIELD_LABELS
from app.register.importer import ImportResult, ImportStatus, Problem
from ui import filedialogs
from ui.pages.context import PageContext
from ui.pages.import_steps import (
    DIFF_HEADERS,
    PREVIEW_HEADERS,
    PREVIEW_ROWS,
    Checked,
    apply_changes,
    check_file,
    diff_rows,
    diff_summary,
    preview_rows,
    problem_rows,
    write_new,
)
from ui.rights import denied
from ui.tasks import Outcome, Task, WorkFn
from ui.widgets.rows_model import RowsModel

FILE_FILTER = "名册表格 (*.xlsx *.csv *.txt);;所有文件 (*)"
LEAVE_OUT = "（不导入）"


class ImportDialog(QDialog):
    """Stages: idle → reading → mapping | problems | preview → importing → done."""

    stage_changed = Signal(str)

    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("导入名册")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.resize(960, 640)
        self.path: Path | None = None
        self.mapping: dict[str, str | None] | None = None
        self.sheet: str | None = None  # XLSX: the sheet the user picked (None: the active one)
        self.checked: Checked | None = None
        self.imported: ImportResult | None = None
        self.applied: ApplyResult | None = None
        self.task: Task | None = None
        self.stage = "idle"

        self.title = QLabel()
        self.title.setStyleSheet("font-size: 14pt; font-weight: bold;")
        self.title.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.stack = QStackedWidget()
        self.progress = QProgressBar()
        self.progress.setMinimumHeight(28)
        self.progress.setFormat("%p%")
        self.progress_page = QWidget()
        pl = QVBoxLayout(self.progress_page)
        pl.addStretch(1)
        pl.addWidget(self.progress)
        pl.addStretch(1)
        self.mapping_table = QTableWidget(0, 3)
        self.mapping_table.setHorizontalHeaderLabels(["文件中的列", "第一行的内容", "对应到"])
        self.mapping_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.Stretch)
        self.mapping_table.verticalHeader().setVisible(False)
        self.rows_view = QTableView()
        self.rows_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.rows_view.setAlternatingRowColors(True)
        self.rows_view.verticalHeader().setVisible(False)
        self.rows_view.horizontalHeader().setStretchLastSection(True)
        self.rows_model = RowsModel(())
        self.rows_view.setModel(self.rows_model)
        self.done_label = QLabel()
        self.done_label.setWordWrap(True)
        self.done_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.done_label.setStyleSheet("font-size: 16pt;")
        self.sheet_list = QListWidget()
        self.sheet_list.setStyleSheet("font-size: 13pt;")
        self.sheet_list.itemDoubleClicked.connect(lambda _item: self.next_step())
        for w in (self.progress_page, self.mapping_table, self.rows_view, self.done_label,
                  self.sheet_list):
            self.stack.addWidget(w)

        self.choose_button = QPushButton("选择其他文件…")
        self.cancel_button = QPushButton("取消")
        self.next_button = QPushButton("下一步")
        self.next_button.setDefault(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(self.stack, 1)
        layout.addLayout(buttons)

        self.choose_button.clicked.connect(self.choose_file)
        self.cancel_button.clicked.connect(self.cancel_or_close)
        self.next_button.clicked.connect(self.next_step)

    # --- flow --------------------------------------------------------------------------
    def refused(self) -> bool:
        """Who may import, said before a file is chosen or read (a 计票人 was told only after
        the whole diff, at 应用更改)."""
        why = denied(self.ctx, "setup")
        if why:
            self.title.setText("导入名册")
            self._finish(f"不能导入名册：{why}", ok=False)
            self.show()
        return why is not None

    def choose_file(self) -> None:
        if self.refused():
            return
        name, _ = filedialogs.get_open_file_name(self, "选择名册文件", str(Path.home()), FILE_FILTER)
        if name:
            self.start(Path(name))
        elif self.stage == "idle":
            self.reject()

    def start(self, path: Path) -> None:
        """Check `path` (file dialog bypassed: tests and drag-and-drop)."""
        if self.refused():
            return
        self.path = path
        self.mapping = None
        self.sheet = None
        self.title.setText(f"导入名册：{path.name}")
        self.show()
        self._check()

    def _check(self) -> None:
        assert self.path is not None
        path, mapping, now, sheet = self.path, self.mapping, self.ctx.clock.now(), self.sheet
        self._run("reading", "正在读取并逐行检查…",
                  lambda p, c: check_file(self.ctx.db_path, path, mapping, now, p, c, sheet),
                  self._checked)

    def _checked(self, outcome: Outcome) -> None:
        if outcome.status == "cancelled" or (
                outcome.ok and outcome.result.status is ImportStatus.CANCELLED):
            self._finish("已取消，名册没有任何改动。", ok=False)
            return
        if not outcome.ok:
            self._show_problems([Problem(self.path.name if self.path else "", None, "",
                                         f"读取时出错：{outcome.error}")])
            return
        checked: Checked = outcome.result
        self.checked = checked
        if checked.sheet_choices:
            self._show_sheets(checked.sheet_choices)
        elif checked.status is ImportStatus.NEEDS_MAPPING:
            self._show_mapping(checked)
        elif checked.problems or checked.status is not ImportStatus.IMPORTED:
            self._show_problems(checked.problems or [Problem(
                self.path.name if self.path else "", None, "", "文件无法导入")])
        elif checked.diff is not None:
            self._show_diff(checked)
        else:
            self._show_preview(checked)

    def _show_sheets(self, names: list[str]) -> None:
        self.summary.setText(f"这个文件有 {len(names)} 个工作表都像名册："
                             + "、".join(f"「{n}」" for n in names)
                             + "。请选择要导入的一个（双击或点“读取此工作表”）：")
        self.summary.setStyleSheet("color: #9a5b13; font-weight: bold;")
        self.sheet_list.clear()
        self.sheet_list.addItems(names)
        self.sheet_list.setCurrentRow(0)
        self._enter("sheet", self.sheet_list, "读取此工作表")
        self.sheet_list.setFocus()

    def _show_mapping(self, checked: Checked) -> None:
        unknown = set(checked.unknown_headers)
        headers = checked.headers or [*checked.unknown_headers, *checked.mapping]
        self.summary.setText(
            f"有 {len(unknown)} 列的表头无法识别（已标出）。请为每一列选择对应的名册字段，"
            "不需要的列选“（不导入）”，然后点“下一步”。")
        self.summary.setStyleSheet("color: #9a5b13;")
        t = self.mapping_table
        t.setRowCount(len(headers))
        for row, header in enumerate(headers):
            item = QTableWidgetItem(header + ("（无法识别）" if header in unknown else ""))
            item.setData(Qt.ItemDataRole.UserRole, header)
            if header in unknown:
                item.setForeground(Qt.GlobalColor.darkRed)
            t.setItem(row, 0, item)
            t.setItem(row, 1, QTableWidgetItem(checked.samples.get(header, "")))
            combo = QComboBox()
            combo.addItem(LEAVE_OUT, None)
            for key, label in FIELD_LABELS.items():
                combo.addItem(label, key)
            current = checked.mapping.get(header)
            combo.setCurrentIndex(max(0, combo.findData(current)) if current else 0)
            t.setCellWidget(row, 2, combo)
        self._enter("mapping", self.mapping_table, "下一步")

    def chosen_mapping(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for row in range(self.mapping_table.rowCount()):
            header = self._header_at(row)
            combo = self.mapping_table.cellWidget(row, 2)
            assert isinstance(combo, QComboBox)
            out[str(header)] = combo.currentData()
        return out

    def _header_at(self, row: int) -> str:
        item = self.mapping_table.item(row, 0)
        assert item is not None
        return str(item.data(Qt.ItemDataRole.UserRole))

    def set_mapping(self, header: str, field_name: str | None) -> None:
        """Choose the field of one header in the mapping table (keyboard users and tests)."""
        for row in range(self.mapping_table.rowCount()):
            if self._header_at(row) == header:
                combo = self.mapping_table.cellWidget(row, 2)
                assert isinstance(combo, QComboBox)
                combo.setCurrentIndex(combo.findData(field_name) if field_name else 0)
                return
        raise KeyError(header)

    def _show_problems(self, problems: list[Problem]) -> None:
        rows = {p.row for p in problems if p.row is not None}
        self.summary.setText(
            f"发现 {len(problems)} 处问题（涉及 {len(rows)} 行），名册没有导入任何人。"
            "请在表格软件中逐条改正后重新导入。")
        self.summary.setStyleSheet("color: #b00020; font-weight: bold;")
        self.rows_model = RowsModel(("行号", "列", "问题"), problem_rows(problems), self)
        self._show_rows()
        self.rows_view.setColumnWidth(0, 80)
        self.rows_view.setColumnWidth(1, 160)
        self._enter("problems", self.rows_view, "")

    def _show_preview(self, checked: Checked) -> None:
        parsed = checked.parsed
        assert parsed is not None
        n = len(parsed.rows)
        from app.electorate import nobody_would_vote
        from app.meetings import list_meetings

        # 应到 0 said before the import: a register without 是否选民 imports, but nobody votes.
        no_vote = nobody_would_vote([r for _, r in parsed.rows], list_meetings(self.ctx.conn))
        where = "，".join(x for x in (parsed.encoding and f"编码 {parsed.encoding}",
                                     parsed.sheet and f"工作表 {parsed.sheet}") if x)
        self.summary.setText(f"共 {n} 人，逐行检查全部通过{('（' + where + '）') if where else ''}。"
                             f"下表是前 {min(n, PREVIEW_ROWS)} 行；点“导入 {n} 人”写入名册。"
                             + "".join(f"\n注意（可照常导入）：{w}。" for w in no_vote)
                             + merged_note(checked.merged) + education_note(checked.notes))
        told = checked.notes or checked.merged or no_vote
        self.summary.setStyleSheet(f"color: {'#9a5b13' if told else '#1d6b2f'};"
                                   " font-weight: bold;")
        self.rows_model = RowsModel(PREVIEW_HEADERS, preview_rows(parsed), self)
        self._show_rows()
        self._enter("preview", self.rows_view, f"导入 {n} 人")

    def _show_diff(self, checked: Checked) -> None:
        diff = checked.diff
        assert diff is not None
        self.rows_model = RowsModel(DIFF_HEADERS, diff_rows(diff), self)
        self._show_rows()
        if diff.is_empty:
            self.summary.setText(diff_summary(diff) + "没有需要写入的更改。")
            self.summary.setStyleSheet("color: #1d6b2f; font-weight: bold;")
            self._enter("problems", self.rows_view, "")
            return
        self.summary.setText(diff_summary(diff) + "逐行检查全部通过，请核对下表后点“应用更改”。"
                             + education_note(checked.notes))
        self.summary.setStyleSheet(f"color: {'#9a5b13' if checked.notes else '#1d6b2f'};"
                                   " font-weight: bold;")
        self._enter("preview", self.rows_view,
                    f"应用更改（新增 {len(diff.added)} 人，变更 {len(diff.changed)} 人）")

    def _show_rows(self) -> None:
        self.rows_view.setModel(self.rows_model)
        self.rows_view.resizeColumnsToContents()

    def next_step(self) -> None:
        if self.stage == "sheet":
            item = self.sheet_list.currentItem()
            if item is not None:
                self.sheet = item.text()
                self._check()
        elif self.stage == "mapping":
            self.mapping = self.chosen_mapping()
            self._check()
        elif self.stage == "preview":
            self._import()
        elif self.stage == "done":
            self.accept()

    def _import(self) -> None:
        assert self.path is not None and self.checked is not None
        path, mapping, diff, sheet = self.path, self.mapping, self.checked.diff, self.sheet
        now, actor, db_path = iso(self.ctx.clock.now()), self.ctx.actor, self.ctx.db_path
        if diff is not None:
            # One short transaction that cannot be interrupted: no 取消 while it runs.
            self._run("importing", "正在写入更改…",
                      lambda _p, _c: apply_changes(db_path, diff, now, actor), self._imported)
            self.cancel_button.setEnabled(False)
        else:
            self._run("importing", "正在写入名册…",
                      lambda p, c: write_new(db_path, path, mapping, now, actor, p, c, sheet),
                      self._imported)

    def _imported(self, outcome: Outcome) -> None:
        if outcome.ok and isinstance(outcome.result, ApplyResult):
            self._applied(outcome.result)
            return
        result: ImportResult | None = outcome.result if outcome.ok else None
        self.imported = result
        if outcome.status == "cancelled" or (result and result.status is ImportStatus.CANCELLED):
            self._finish("已取消导入，名册没有任何改动。", ok=False)
        elif result is None:
            self._finish(f"导入失败，名册没有任何改动：{outcome.error}", ok=False)
        elif result.status is ImportStatus.IMPORTED:
            self.ctx.register_changed.emit()
            self.ctx.message.emit(f"已导入 {result.count} 人")
            from app.electorate import nobody_votes

            warnings = nobody_votes(self.ctx.conn)    # 应到 0: voting could never open
            self._finish("\n".join([f"已导入 {result.count} 人。"]
                                   + [f"警告：{w}" for w in warnings]), ok=not warnings)
        else:  # the file changed since the check
            self._show_problems(result.problems or [
                Problem(result.file, None, "", "文件在检查后被修改，请重新导入")])

    def _applied(self, result: ApplyResult) -> None:
        self.applied = result
        if not result.ok:
            self._finish(f"没有写入任何更改：{result.reason}", ok=False)
            return
        self.ctx.register_changed.emit()
        text = f"已新增 {len(result.added_ids)} 人，变更 {result.changed} 人"
        self.ctx.message.emit(text)
        self._finish(text + "。", ok=True)

    # --- plumbing ------------------------------------------------------------------------
    def _run(self, stage: str, text: str, fn: WorkFn, done: Callable[[Outcome], None]) -> None:
        self.summary.setText(text)
        self.summary.setStyleSheet("")
        self.progress.setRange(0, 0)
        self._enter(stage, self.progress_page, "")
        task = Task(fn, self)
        task.progress.connect(self._progress)
        task.finished.connect(done)
        task.finished.connect(lambda _o: setattr(self, "task", None))
        self.task = task
        task.start()

    def _progress(self, done: int, total: int, _message: str) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(min(done, total))

    def _finish(self, text: str, *, ok: bool) -> None:
        self.summary.setText("")
        self.done_label.setText(text)
        self.done_label.setStyleSheet(f"font-size: 16pt; color: {'#1d6b2f' if ok else '#9a5b13'};")
        self._enter("done", self.done_label, "完成")

    def _enter(self, stage: str, page: QWidget, next_text: str) -> None:
        self.stage = stage
        self.stack.setCurrentWidget(page)
        self.cancel_button.setEnabled(True)
        busy = stage in ("reading", "importing")
        self.next_button.setText(next_text)
        self.next_button.setVisible(bool(next_text))
        self.choose_button.setEnabled(not busy)
        self.cancel_button.setText("取消" if busy or stage in ("sheet", "mapping", "preview")
                                   else "关闭")
        self.cancel_button.setVisible(stage != "done")
        if next_text:
            self.next_button.setFocus()
        self.stage_changed.emit(stage)

    def cancel_or_close(self) -> None:
        if self.task is not None:
            self.task.cancel()
            self.summary.setText("正在取消…")
            self.cancel_button.setEnabled(False)
        else:
            self.reject()

    def reject(self) -> None:
        if self.task is not None:  # Esc while busy: cancel first, never leave work running
            self.cancel_or_close()
            return
        super().reject()


def merged_note(merged: list[Problem], shown: int = 3) -> str:
    """Merged ranges filled from their top-left cell: a line under the summary, not a refusal."""
    if not merged:
        return ""
    lines = [(f"「{p.column}」" if p.column else "") + p.reason for p in merged[:shown]]
    more = f"等 {len(merged)} 处" if len(merged) > shown else ""
    return "\n注意（可照常导入）：" + "；".join(lines) + more + "。请在下表中核对。"


def education_note(notes: list[Problem], shown: int = 3) -> str:
    """The 学历 texts the table of levels cannot place: a line under the summary, not a refusal."""
    if not notes:
        return ""
    lines = [(f"第{p.row}行" if p.row is not None else "") + f"「{p.column}」："
             + p.reason.replace(f"；{ADVICE}", "") for p in notes[:shown]]
    more = f"等 {len(notes)} 种写法" if len(notes) > shown else ""
    return ("\n注意（可照常导入）：" + "；".join(lines) + more
            + "。这些学历统计“大专及以上”“本科及以上”时按“不详”计，可在名册中改为研究生、大学本科、"
            "大学专科、中专、高中、初中、小学或未上过学。")
