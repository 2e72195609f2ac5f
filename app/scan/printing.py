"""Drawing a scannable ballot (format A or B) (app/scan/layout.py) on a reportlab canvas.

The same words and fonts as the ordinary ballot (app/documents/ballots.py), the same 盖章处 box,
and no number or mark that tells one copy from another: the corner markers and the optional QR
name the layout (the same on every copy), never a ballot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed
from app.documents.page import PAGE_H, wrap
from app.scan.layout import (
    FORMAT_A,
    FORMAT_B,
    MARKER_MM,
    MULTI_TOP_MM,
    PAGE_W_MM,
    PART_HEAD_MM,
    TABLE_TOP_MM,
    Entry,
    Layout,
    Rect,
    marker_id,
    marker_origins,
    qr_text,
)

INSTRUCTIONS_A = (
    "说明：1. 本次选举应选{seats}名，候选人按姓氏笔画为序排列。"
    "2. 对候选人表示赞成的，在其姓名右边“赞成”栏的方格内画符号（○、√、× 等均可）；不赞成的，"
    "在“不赞成”栏的方格内画符号；两格都不画的为弃权；同一名候选人两格都画的，该名候选人的票由"
    "监票人认定。3. 可以另选他人：在“另选他人”栏内写上其姓名，并在右边“赞成”方格内画符号。"
    "4. 所选人数多于应选人数的为无效票。5. 符号请画在方格之内，字迹要清楚，不得涂改。"
)
INSTRUCTIONS_B = (
    "说明：1. 本次选举应选{seats}名，候选人按姓氏笔画为序排列。"
    "2. 对候选人表示赞成的，在其姓名右边的方格内画“○”；不赞成的，画“×”；不画符号的为弃权。"
    "画其他符号（如√）或符号不清的，由监票人认定。3. 可以另选他人：在“另选他人”栏内写上其姓名，"
    "并在右边方格内画“○”。4. 所选人数多于应选人数的为无效票。5. 符号请画在方格之内，字迹要清楚，"
    "不得涂改。"
)
INSTRUCTIONS_MULTI = (
    "说明：1. 本选票含{n}项选举（{names}），各项分别计票；某一项所选人数多于该项应选人数的，该项无效。"
    "{rules}{k}. 可以另选他人：在该项“另选他人”栏内写上其姓名，并在右边方格内画符号{wi}。"
    "{k1}. 候选人按姓氏笔画为序排列。符号请画在方格之内，字迹要清楚，不得涂改。"
)
RULE_A = ("{k}. {names}：对候选人表示赞成的，在其姓名右边“赞成”栏的方格内画符号；不赞成的，"
          "在“不赞成”栏的方格内画符号；两格都不画的为弃权。")
RULE_B = ("{k}. {names}：对候选人表示赞成的，在其姓名右边的方格内画“○”；不赞成的，画“×”；"
          "不画符号的为弃权；画其他符号或符号不清的，由监票人认定。")
SEAL_MM = 30.0
SEAL_X_MM = 132.0             # left of the top-right marker window (x > 165 mm)
SEAL_Y_MM = 28.0
QR_MM = 16.0
QR_X_MM = 97.0                # bottom centre, away from every corner window
QR_Y_MM = 262.0


def _y(y_mm: float) -> float:
    """reportlab y (from the bottom) of a y in mm from the top."""
    return float(PAGE_H - y_mm * mm)


@cache
def marker_bits(mid: int) -> tuple[tuple[int, ...], ...]:
    """The 8 x 8 cells (black border included) of ArUco marker `mid` in DICT_6X6_1000, 1 = black."""
    from app.scan.markers import bits_of

    inner = bits_of(mid)
    full = [[1] * 8] + [[1, *row, 1] for row in inner] + [[1] * 8]
    return tuple(tuple(r) for r in full)


def _marker(c: Canvas, mid: int, x_mm: float, y_mm: float) -> None:
    cell = MARKER_MM / 8
    c.saveState()
    c.setFillGray(0)
    for r, row in enumerate(marker_bits(mid)):
        for k, bit in enumerate(row):
            if bit:
                c.rect((x_mm + k * cell) * mm, _y(y_mm + (r + 1) * cell), cell * mm + 0.05,
                       cell * mm + 0.05, stroke=0, fill=1)
    c.restoreState()


def _rect(c: Canvas, r: Rect, *, dash: bool = False, width: float = 1.2) -> None:
    c.saveState()
    c.setLineWidth(width)
    if dash:
        c.setDash(2, 2)
    c.rect(r.x * mm, _y(r.y + r.h), r.w * mm, r.h * mm)
    c.restoreState()


def _table(c: Canvas, entries: tuple[Entry, ...], fmt: str, label_y: float) -> None:
    """The column labels at label_y (mm from the top), then every entry's name and boxes."""
    b = fmt == FORMAT_B
    for col in range(min(3 if b else 2, len(entries))):
        first = entries[col]
        labels = (("○/×", first.approve),) if b else \
            (("赞成", first.approve), ("不赞成", first.disapprove))
        for label, box in labels:
            if box is not None:
                fonts.draw_text(c, (box.x + box.w / 2) * mm, _y(label_y), label, 11,
                                fonts.HEADING_STACK, align="center")
        fonts.draw_text(c, (first.name_rect.x + first.name_rect.w / 2) * mm, _y(label_y),
                        "候选人姓名", 11, fonts.HEADING_STACK, align="center")
    for e in entries:
        n = e.name_rect
        if e.write_in:
            _rect(c, n, dash=True, width=0.5)
            c.saveState()
            c.setFillGray(0.6)
            fonts.draw_text(c, (n.x + 1) * mm, _y(n.y + 3), "另选他人", 6.5)
            c.restoreState()
        else:
            size = fonts.fit_size(e.name, (n.w - 2) * mm, 14, stack=fonts.KAI_STACK)
            fonts.draw_text(c, (n.x + n.w / 2) * mm, _y(n.y + n.h / 2 + size * 0.12), e.name,
                            size, fonts.KAI_STACK, align="center", who=e.name)
        _rect(c, e.approve)
        if e.disapprove is not None:
            _rect(c, e.disapprove)


def _seal(c: Canvas) -> None:
    c.saveState()
    c.setLineWidth(0.6)
    c.setDash(2, 2)
    c.rect(SEAL_X_MM * mm, _y(SEAL_Y_MM + SEAL_MM), SEAL_MM * mm, SEAL_MM * mm)
    c.restoreState()
    c.saveState()
    c.setFillGray(0.55)
    fonts.draw_text(c, (SEAL_X_MM + SEAL_MM / 2) * mm, _y(SEAL_Y_MM + SEAL_MM / 2 + 1), "盖章处",
                    9, align="center")
    c.restoreState()


def multi_instructions(layout: Layout) -> str:
    parts = layout.blocks()
    rules, k = "", 2
    for fmt, rule in ((FORMAT_A, RULE_A), (FORMAT_B, RULE_B)):
        names = "、".join(p.heading for p in parts if p.format == fmt)
        if names:
            rules += rule.format(k=k, names=names)
            k += 1
    b_names = "、".join(p.heading for p in parts if p.format == FORMAT_B)
    wi = f"（{b_names}画○）" if b_names else ""
    return INSTRUCTIONS_MULTI.format(n=len(parts), names="、".join(p.heading for p in parts),
                                     rules=rules, k=k, wi=wi, k1=k + 1)


def _draw_multi(c: Canvas, layout: Layout) -> None:
    """A page of several contests: the page heading, then each contest's block under its
    sub-heading (应选, 候选人), in its own format."""
    left, right = 27.0, PAGE_W_MM - 27.0
    fonts.draw_text(c, PAGE_W_MM / 2 * mm, _y(22), layout.heading, 16, fonts.HEADING_STACK,
                    align="center", max_width=(right - left - 24) * mm)
    _seal(c)
    parts = layout.blocks()
    fonts.draw_text(c, left * mm, _y(36), f"本选票共{len(parts)}项选举", 11.5, fonts.KAI_STACK)
    fonts.draw_text(c, left * mm, _y(43), "各项分别计票", 11.5, fonts.KAI_STACK)
    y = 63.0   # the first line clear of the 盖章处 box (to 58 mm) with its ascent
    text = multi_instructions(layout)
    for size in (9.0, 8.5, 8.0, 7.5, 7.0):     # the whole text above the first block
        lines = wrap(text, (right - left) * mm, size)
        if y + (len(lines) - 1) * size * 0.5 <= MULTI_TOP_MM - 2:
            break
    for line in lines:
        fonts.draw_text(c, left * mm, _y(y), line, size)
        y += size * 0.5
    for part in parts:
        head = part.top_mm - PART_HEAD_MM
        fonts.draw_text(c, left * mm, _y(head + 5), f"{part.heading}　应选{part.seats}名　候选人"
                        f"{len(part.candidates)}名", 12, fonts.HEADING_STACK,
                        max_width=(right - left) * mm)
        _table(c, part.entries, part.format, part.top_mm - 2)


def draw_layout(c: Canvas, layout: Layout, *, election: str, qr: bool) -> None:
    for corner, (x, y) in enumerate(marker_origins()):
        _marker(c, marker_id(layout.code, corner), x, y)
    if layout.multi:
        _draw_multi(c, layout)
        if qr:
            from app.documents.qr import draw_qr

            draw_qr(c, QR_X_MM * mm, _y(QR_Y_MM + QR_MM), QR_MM * mm,
                    qr_text(election, layout.code))
        return
    left, right = 27.0, PAGE_W_MM - 27.0
    fonts.draw_text(c, PAGE_W_MM / 2 * mm, _y(22), layout.heading, 16, fonts.HEADING_STACK,
                    align="center", max_width=(right - left - 24) * mm)
    _seal(c)
    fonts.draw_text(c, left * mm, _y(36), f"应选名额：{layout.seats}名", 11.5, fonts.KAI_STACK)
    fonts.draw_text(c, left * mm, _y(43), f"候选人{len(layout.candidates)}名（按姓氏笔画为序）",
                    11.5, fonts.KAI_STACK)
    y = 67.0
    b = layout.format == FORMAT_B
    text = INSTRUCTIONS_B if b else INSTRUCTIONS_A
    for line in wrap(text.format(seats=layout.seats), (right - left) * mm, 9):
        fonts.draw_text(c, left * mm, _y(y), line, 9)
        y += 4.6
    _table(c, layout.entries, layout.format, TABLE_TOP_MM - 2)
    if qr:
        from app.documents.qr import draw_qr

        draw_qr(c, QR_X_MM * mm, _y(QR_Y_MM + QR_MM), QR_MM * mm, qr_text(election, layout.code))


def render_scan_ballots(layouts: Sequence[tuple[Layout, int]], out: Path, at: dt.datetime, *,
                        election: str, qr: bool) -> Printed:
    """`count` identical copies of each layout, one ballot to a page."""
    fonts.check_names((f"{n}（{lay.heading}候选人）", n) for lay, _ in layouts
                      for n in lay.candidates)
    c = fonts.new_canvas(str(out))
    c.setTitle("选票（可扫描计票）")
    c.setCreator("PollDay")
    c.setSubject(f"打印时间 {iso(at)}")
    pages = 0
    for layout, count in layouts:
        for _ in range(count):
            draw_layout(c, layout, election=election, qr=qr)
            c.showPage()
            pages += 1
    if not pages:
        fonts.draw_text(c, PAGE_W_MM / 2 * mm, PAGE_H / 2, "没有需要印制的选票", 14,
                        align="center")
        c.showPage()
        pages = 1
    c.save()
    return Printed(out, pages, pages, f"{len(layouts)} 种可扫描选票")
