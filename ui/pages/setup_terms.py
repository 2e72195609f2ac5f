"""The 选举事项 page's two marks for the district's figures (issue 16): a candidate marked 兼职委员,
and the previous term's members imported from a sheet (姓名, 身份证号 or 编号, 班子, 职务) for
留任 / 新提拔. Kept here so the page stays a page; the rules are app.meetings.posts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.meetings import Refusal
from app.meetings.posts import import_previous, list_previous, set_part_time
from ui import filedialogs
from ui.pages.setup_common import GREEN, RED


def toggle_part_time(page: Any) -> bool | None:
    """Mark (or unmark) the selected candidate 兼职委员; the new mark, None when nothing was
    done."""
    c = page.contest
    row = page.table.currentRow()
    if c is None or not 0 <= row < len(page.candidates):
        page._say(page.message, RED, "请先在表中选中一位候选人，再标记兼职委员")
        return None
    cand = page.candidates[row]
    got = set_part_time(page.ctx.conn, c.id, cand.name, not cand.part_time,
                        clock=page.ctx.clock, actor=page.ctx.actor)
    if isinstance(got, Refusal):
        page._say(page.message, RED, got.message)
        return None
    page.refresh_candidates()
    page.table.selectRow(row)
    page._say(page.message, GREEN, f"{got.name}：{'已标记为兼职委员' if got.part_time else '已取消兼职委员标记'}")
    return got.part_time


def choose_previous(page: Any) -> str:
    name, _f = filedialogs.get_open_file_name(page, "选择上届班子成员表", "", "Excel 表格 (*.xlsx)")
    return load_previous(page, Path(name)) if name else ""


def load_previous(page: Any, path: Path) -> str:
    """Import the sheet; the words said on the page (every bad row named, nothing stored)."""
    got = import_previous(page.ctx.conn, path, clock=page.ctx.clock, actor=page.ctx.actor)
    if isinstance(got, Refusal):
        page._say(page.contest_message, RED, got.message)
        return got.message
    total = len(list_previous(page.ctx.conn))
    words = f"已导入上届班子成员 {len(got)} 条（共 {total} 条），报送包据此标明留任、新提拔"
    page._say(page.contest_message, GREEN, words)
    return words
