"""签到表: one A4 section per Party branch or residents' group, names in stroke order (app.names),
columns 序号 · 二维码 · 姓名 · 签名 · 时间 · 备注. The QR code of a row carries the person's random
sign-in token (never the ID number); a desk scanner types it into the search box.

Everyone who may sign in is listed: the voters, with 备注 for 请假 and 不计入应到 (they may still
come), and the members who attend without a vote (预备党员 …, 列席)."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed, print_kind
from app.documents.page import MARGIN, PAGE_H, PAGE_W, footer_text
from app.documents.qr import draw_qr
from app.electorate import electorate
from app.meetings import Refusal, list_leaves
from app.model import PARTY_STATUS_ZH, Meeting, Person, RuleSet
from app.names import name_sort_key

ROW_H = 16 * mm
QR_SIZE = 12.5 * mm
HEAD_H = 8 * mm
TOP_BLOCK = 20 * mm
COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 12 * mm), ("二维码", 18 * mm), ("姓名", 44 * mm), ("签名", 54 * mm),
    ("时间", 24 * mm), ("备注", 28 * mm),
)
ROWS_PER_PAGE = int((PAGE_H - 2 * MARGIN - TOP_BLOCK - HEAD_H - 6 * mm) // ROW_H)
UNGROUPED = "未分组"


@dataclass(frozen=True, slots=True)
class SheetRow:
    person: Person
    note: str


def group_of(meeting: Meeting, person: Person) -> str:
    """The sheet a person is on: the branch at a party meeting, else the residents' group."""
    key = person.branch if meeting.rules is RuleSet.PARTY else person.resident_group
    return key or UNGROUPED


def sheet_rows(conn: sqlite3.Connection, meeting: Meeting,
               groups: Sequence[str] | None = None) -> dict[str, list[SheetRow]]:
    """Group name -> rows in stroke order; groups in stroke order too."""
    el = electorate(conn, meeting)
    leave = {lv.person_id for lv in list_leaves(conn, meeting.id)}
    out: dict[str, list[SheetRow]] = {}
    for p in el.voters:
        note = "不计入应到" if p.id in el.excluded_ids else ("请假" if p.id in leave else "")
        out.setdefault(group_of(meeting, p), []).append(SheetRow(p, note))
    for p in el.non_voting:
        out.setdefault(group_of(meeting, p), []).append(
            SheetRow(p, f"{PARTY_STATUS_ZH[p.party_status]}·列席"))
    if groups is not None:
        out = {g: rows for g, rows in out.items() if g in set(groups)}
    ordered = sorted(out, key=lambda g: (g == UNGROUPED, name_sort_key(g), g))
    return {g: sorted(out[g], key=lambda r: (name_sort_key(r.person.name), r.person.id))
            for g in ordered}


def _who(p: Person) -> str:
    return f"{p.name}（名册编号 {p.id}）"


def split_name(name: str) -> tuple[str, str]:
    """Two lines for a long name: after the middle dot nearest the middle, else in half."""
    dots = [i for i, ch in enumerate(name) if ch in "·•・"]
    if dots:
        cut = min(dots, key=lambda i: abs(i + 1 - len(name) / 2)) + 1
    else:
        cut = (len(name) + 1) // 2
    return name[:cut], name[cut:]


def _draw_name(c: Canvas, x: float, y: float, p: Person, width: float) -> None:
    """The name at 14 pt; one too long for that at 10 pt goes on two lines, never cut."""
    if fonts.fit_size(p.name, width, 14) >= 10:
        fonts.draw_text(c, x, y, p.name, 14, who=_who(p), max_width=width)
        return
    first, second = split_name(p.name)
    longer = max((first, second), key=lambda t: fonts.text_width(t, 10))
    size = min(12.0, fonts.fit_size(longer, width, 12, min_size=7))
    fonts.draw_text(c, x, y + size * 0.6, first, size, who=_who(p), max_width=width)
    fonts.draw_text(c, x, y - size * 0.6, second, size, who=_who(p), max_width=width)


def _grid(c: Canvas, top: float, widths: Sequence[float], n_rows: int) -> None:
    """The table's rules as one path: header row plus `n_rows` rows."""
    bottom = top - HEAD_H - n_rows * ROW_H
    right = MARGIN + sum(widths)
    path = c.beginPath()
    ys = [top, top - HEAD_H] + [top - HEAD_H - (k + 1) * ROW_H for k in range(n_rows)]
    for y in ys:
        path.moveTo(MARGIN, y)
        path.lineTo(right, y)
    x = MARGIN
    for w in (0.0, *widths):
        x += w
        path.moveTo(x, top)
        path.lineTo(x, bottom)
    c.setLineWidth(0.6)
    c.drawPath(path, stroke=1, fill=0)


def _page(c: Canvas, meeting: Meeting, group: str, rows: Sequence[SheetRow], start: int,
          page: int, pages: int, total: int, printed_at: str) -> None:
    top = PAGE_H - MARGIN
    fonts.draw_text(c, PAGE_W / 2, top - 7 * mm, f"{meeting.title}签到表", 16,
                    fonts.HEADING_STACK, align="center", max_width=PAGE_W - 2 * MARGIN)
    fonts.draw_text(c, MARGIN, top - 15 * mm, f"{meeting.community}　{group}　共 {total} 人", 10.5)
    fonts.draw_text(c, PAGE_W - MARGIN, top - 15 * mm, f"会议日期：{meeting.date}", 10.5,
                    align="right")
    y = top - TOP_BLOCK
    widths = [w for _, w in COLUMNS]
    _grid(c, y, widths, len(rows))
    x = MARGIN
    for (title, w) in COLUMNS:
        fonts.draw_text(c, x + w / 2, y - HEAD_H + 2.6 * mm, title, 10.5, fonts.HEADING_STACK,
                        align="center")
        x += w
    y -= HEAD_H
    for i, row in enumerate(rows):
        p = row.person
        mid = y - ROW_H / 2 - 1.3 * mm
        x = MARGIN
        fonts.draw_text(c, x + widths[0] / 2, mid, str(start + i + 1), 10, align="center")
        x += widths[0]
        draw_qr(c, x + (widths[1] - QR_SIZE) / 2, y - ROW_H + (ROW_H - QR_SIZE) / 2, QR_SIZE,
                p.token)
        x += widths[1]
        _draw_name(c, x + 2.5 * mm, mid - 0.6 * mm, p, widths[2] - 5 * mm)
        x += widths[2] + widths[3] + widths[4]
        if row.note:
            fonts.draw_text(c, x + 2 * mm, mid, row.note, 9, max_width=widths[5] - 4 * mm)
        y -= ROW_H
    footer_text(c, f"打印时间 {printed_at}　二维码为签到码，请勿折叠　{group}", page, pages)


def render_sheets(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
                  groups: Sequence[str] | None = None) -> Printed:
    """Write the sign-in sheets to `out`. Raises fonts.GlyphMissing (naming the person and the
    character) before anything is written when a name cannot be printed."""
    data = sheet_rows(conn, meeting, groups)
    fonts.check_names((_who(r.person), r.person.name) for rows in data.values() for r in rows)
    fonts.check_names((g, f"{meeting.title}{meeting.community}{g}") for g in data)
    printed_at = iso(at).replace("T", " ")[:16]
    c = fonts.new_canvas(str(out), pagesize=(PAGE_W, PAGE_H))
    c.setTitle(f"{meeting.title}签到表")
    c.setCreator("PollDay")
    pages = persons = 0
    for group, rows in data.items():
        n_pages = max(1, -(-len(rows) // ROWS_PER_PAGE))
        for k in range(n_pages):
            chunk = rows[k * ROWS_PER_PAGE:(k + 1) * ROWS_PER_PAGE]
            _page(c, meeting, group, chunk, k * ROWS_PER_PAGE, k + 1, n_pages, len(rows),
                  printed_at)
            c.showPage()
            pages += 1
        persons += len(rows)
    if not data:
        fonts.draw_text(c, MARGIN, PAGE_H / 2, "没有需要签到的人员", 14)
        c.showPage()
        pages = 1
    c.save()
    return Printed(out, pages, persons, f"{len(data)} 个分组")


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--group", action="append", default=None, metavar="NAME",
                   help="only this branch / residents' group (repeatable)")


@print_kind("signin-sheets", "签到表: per branch or group, stroke order, QR per person", _args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    groups = getattr(args, "group", None)
    printed = render_sheets(conn, meeting, out, at, groups)
    if groups and printed.items == 0:
        return Refusal("NO_SUCH_GROUP", "没有这些分组：" + "、".join(groups))
    return printed
