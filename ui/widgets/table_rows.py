"""A table that always shows a number of whole rows: its minimum height in rows of its own row
height (as its font gives it), so a crowded page cannot squeeze it down to two or three lines."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView


def show_at_least(table: QTableView, rows: int) -> None:
    """Make `table` at least `rows` rows high below its header (call after its style is set)."""
    table.ensurePolished()
    table.verticalHeader().ensurePolished()
    row = max(table.verticalHeader().defaultSectionSize(),
              table.verticalHeader().minimumSectionSize())
    header = table.horizontalHeader()
    head = 0 if header.isHidden() else header.sizeHint().height()
    table.setMinimumHeight(head + rows * row + 2 * table.frameWidth())


def compact_rows(table: QTableView) -> None:
    """Rows as high as the table's type needs (its header's minimum section size) instead of
    Qt's default, which leaves several pixels more: a row more in sight per six or seven."""
    table.ensurePolished()
    header = table.verticalHeader()
    header.ensurePolished()
    header.setDefaultSectionSize(header.minimumSectionSize())
