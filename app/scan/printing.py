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
    FORMAT_B,
    MARKER_MM,
    PAGE_W_MM,
    TABLE_TOP_MM,
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


def draw_layout(c: Canvas, layout: Layout, *, election: str, qr: bool) -> None:
    for corner, (x, y) in enumerate(marker_origins()):
        _marker(c, marker_id(layout.code, corner), x, y)
    left, right = 27.0, PAGE_W_MM - 27.0
    fonts.draw_text(c, PAGE_W_MM / 2 * mm, _y(22), layout.heading, 16, fonts.HEADING_STACK,
                    align="center", max_width=(right - left - 24) * mm)
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
    fonts.draw_text(c, left * mm, _y(36), f"应选名额：{layout.seats}名", 11.5, fonts.KAI_STACK)
    fonts.draw_text(c, left * mm, _y(43), f"候选人{len(layout.candidates)}名（按姓氏笔画为序）",
                    11.5, fonts.KAI_STACK)
    y = 67.0
    b = layout.format == FORMAT_B
    text = INSTRUCTIONS_B if b else INSTRUCTIONS_A
    for line in wrap(text.format(seats=layout.seats), (right - left) * mm, 9):
        fonts.draw_text(c, left * mm, _y(y), line, 9)
        y += 4.6
    for col in range(min(3 if b else 2, len(layout.entries))):
        first = layout.entries[col]
        labels = (("○/×", first.approve),) if b else \
            (("赞成", first.approve), ("不赞成", first.disapprove))
        for label, box in labels:
            if box is not None:
                fonts.draw_text(c, (box.x + box.w / 2) * mm, _y(TABLE_TOP_MM - 2), label, 11,
                                fonts.HEADING_STACK, align="center")
        fonts.draw_text(c, (first.name_rect.x + first.name_rect.w / 2) * mm,
                        _y(TABLE_TOP_MM - 2), "候选人姓名", 11, fonts.HEADING_STACK,
                        align="center")
    for e in layout.entries:
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
