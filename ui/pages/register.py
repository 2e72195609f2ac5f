"""准备 · 名册: the register as a table, a filter box, the row count and the import flow."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import meetings, search
from app.model import Form, Person
from db import persons as db_persons
from db.connection import connect
from ui.pages.context import PageContext
from ui.pages.register_model import PersonTableModel
from ui.rights import Gate
from ui.tasks import CancelToken, ProgressFn, Task

SEARCH_LIMIT = 500
FILTER_DELAY_MS = 120  # type a few characters before the query runs


def load_register(db_path: Path, _progress: ProgressFn, _cancel: CancelToken) -> list[Person]:
    """The whole register, read in a worker thread with its own connection."""
    conn = connect(db_path, create=False)
    try:
        return db_persons.list_persons(conn)
    finally:
        conn.close()


class RegisterPage(QWidget):
    def __init__(self, ctx: PageContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("RegisterPage")
        self.all_persons: list[Person] = []
        self.by_id: dict[int, Person] = {}
        self.loading: Task | None = None
        self.model = PersonTableModel(self)

        self.import_button = QPushButton("导入名册…")
        self.import_button.setToolTip("从 Excel（.xlsx）或 CSV 文件导入名册（Ctrl+I）")
        self.import_button.setShortcut(QKeySequence("Ctrl+I"))
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("查找：姓名、拼音、首字母或身份证号后几位（Ctrl+F）")
        self.filter.setClearButtonEnabled(True)
        self.filter.setMinimumWidth(380)
        self.filter.setAccessibleName("查找人员")
        self.count_label = QLabel()
        self.count_label.setObjectName("count")
        self.count_label.setStyleSheet("font-size: 12pt;")
        top = QHBoxLayout()
        top.addWidget(self.import_button)
        top.addSpacing(16)
        top.addWidget(self.filter, 1)
        top.addSpacing(16)
        top.addWidget(self.count_label)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        # Uniform rows: the view never measures 20,000 rows to lay them out.
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for col, sample in enumerate(COLUMN_SAMPLES):
            self.table.setColumnWidth(col, self.fontMetrics().horizontalAdvance(sample) + 18)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)

        self.filter_timer = QTimer(self)
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(FILTER_DELAY_MS)
        self.filter_timer.timeout.connect(self.apply_filter)
        self.filter.textChanged.connect(lambda _t: self.filter_timer.start())
        self.filter.returnPressed.connect(self.apply_filter)
        QShortcut(QKeySequence("Ctrl+F"), self, self.focus_filter)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter, self.filter.clear,
                  Qt.ShortcutContext.WidgetShortcut)
        # ↓ from the filter box goes to the results, so the keyboard never has to leave.
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.filter, self.focus_table,
                  Qt.ShortcutContext.WidgetShortcut)
        self.import_button.clicked.connect(self.open_import)
        self.gate = Gate(ctx, self)   # the 主持人's (setup): off for anyone else, saying who may
        self.gate.add(self.import_button, "setup")
        ctx.meeting_changed.connect(lambda _m: self.update_meeting())
        ctx.register_changed.connect(self.reload)

        self.update_meeting()
        self.reload()

    # --- data --------------------------------------------------------------------------
    def reload(self) -> None:
        """Read the register off the GUI thread (20,000 persons take ~0.2 s to read)."""
        if self.loading is not None:
            self.loading.cancel()
        self.count_label.setText("正在载入名册…")
        task = Task(lambda p, c: load_register(self.ctx.db_path, p, c), self)
        task.succeeded.connect(self._loaded)
        task.failed.connect(lambda msg, _d: self.count_label.setText(f"名册载入失败：{msg}"))
        self.loading = task
        task.start()

    def _loaded(self, persons: list[Person]) -> None:
        if self.sender() is not self.loading:
            return  # a newer reload is under way
        self.loading = None
        self.all_persons = persons
        self.by_id = {p.id: p for p in persons}
        self.apply_filter()

    def is_loaded(self) -> bool:
        return self.loading is None

    def update_meeting(self) -> None:
        m = self.ctx.meeting
        electors = (frozenset(meetings.elector_ids(self.ctx.conn, m.id))
                    if m is not None and m.form is Form.PLENARY else frozenset())
        self.model.set_meeting(m, electors)

    # --- filter ------------------------------------------------------------------------
    def focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    def focus_table(self) -> None:
        self.table.setFocus()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def apply_filter(self) -> None:
        self.filter_timer.stop()
        query = self.filter.text().strip()
        total = len(self.all_persons)
        if not query:
            self.model.set_persons(self.all_persons)
            self.count_label.setText(f"共 {total} 人")
            return
        found = self.matching(query)
        self.model.set_persons(found)
        if len(found) >= SEARCH_LIMIT:
            self.count_label.setText(f"找到 {SEARCH_LIMIT} 人以上，只显示前 {SEARCH_LIMIT} 人（共 {total} 人）")
        elif found:
            self.count_label.setText(f"找到 {len(found)} 人（共 {total} 人）")
        else:
            self.count_label.setText(f"没有找到“{query}”（共 {total} 人）")

    def matching(self, query: str) -> list[Person]:
        """Persons matching `query`, best first: ids from the search index, persons from the
        register already in memory (reading 500 persons again would cost ~15 ms a keystroke)."""
        ids = search.search_ids(self.ctx.conn, query, limit=SEARCH_LIMIT)
        missing = [i for i in ids if i not in self.by_id]  # added since the register was read
        if missing:
            self.by_id.update((p.id, p) for p in db_persons.get_many(self.ctx.conn, missing))
        return [self.by_id[i] for i in ids if i in self.by_id]

    # --- import ------------------------------------------------------------------------
    def open_import(self) -> None:
        from ui.pages.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx, self)
        dialog.choose_file()


# Typical widest content per column (measuring 20,000 rows would stall the view); the last
# column stretches and every column can be resized by the clerk.
COLUMN_SAMPLES = ("欧阳国国国", "性别", "0000-00-00", "000000********000X", "大学本科",
                  "第十一党支部", "第十居民小组", "户号000", "正式党员、选民")


def create(ctx: PageContext) -> QWidget:
    return RegisterPage(ctx)
