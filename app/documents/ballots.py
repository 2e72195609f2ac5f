"""选票: one ballot per contest and round; every copy of a round's ballot is the same.

选票的票面除规定的项目外，不得编号或作任何记号，否则应视为废票: a ballot carries no serial number,
batch mark or date, nothing that tells one copy from another, so a voter's ballot cannot be traced
back to the voter. Authenticity comes from the meeting's seal, stamped in the printed 盖章处 box at
the top right of each ballot before it is issued, and from the number printed (印制数), which the
发票收票记录 states for the round and each box.

A ballot is a ruled grid: a blank square above each candidate's name (candidates in stroke order,
at most eight to a grid row), then the 另选他人 grid with as many columns as there are seats, the
square above and the name written below. The instructions are the wording of the 选举办法
(○ 赞成, × 不赞成, nothing 弃权; over-marked ballots are invalid). Two ballots share an A4 page
(cut along the dashed line) when one fits in half a page, else one ballot per page."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed, print_kind
from app.documents.page import PAGE_H, PAGE_W
from app.documents.results_doc import BallotDoc
from app.meetings import Refusal
from app.model import Meeting

INSTRUCTIONS = (
    "说明：1. 本次选举应选{seats}名，候选人按姓氏笔画为序排列。"
    "2. 对候选人表示赞成的，在其姓名上方空格内画“○”；不赞成的，画“×”；弃权的，不画任何符号。"
    "3. 不赞成的可以另选他人，在“另选他人”栏内写上其姓名，并在姓名上方空格内画“○”。"
    "4. 所选人数多于应选人数的为无效票。5. 符号要准确，字迹要清楚，不得涂改。"
)
PER_ROW = 8
SIDE = 18 * mm            # side of a ballot block (mm from the sheet edge)
HEAD_COL = 22 * mm        # the grid's left column: 符号 / 姓名
MARK_H = 13 * mm
NAME_H = 11 * mm
WRITE_H = 14 * mm         # a write-in name is handwritten: taller cell
GRID_GAP = 4 * mm
INSTR_SIZE = 9.5
TOP_PAD = 8 * mm
SEAL = 30 * mm            # the 盖章处 box; a 38-42 mm seal may overlap its edges
SEAL_TOP = 5 * mm         # from the ballot's top edge
SEAL_LABEL = "盖章处"


def _grid_rows(n: int) -> int:
    return max(1, -(-n // PER_ROW))


def _instruction_lines(doc: BallotDoc, width: float) -> list[str]:
    from app.documents.page import wrap

    return wrap(INSTRUCTIONS.format(seats=doc.seats), width, INSTR_SIZE)


def ballot_height(doc: BallotDoc) -> float:
    width = PAGE_W - 2 * SIDE
    h = max(_header_text_h(doc), SEAL_TOP + SEAL)
    h += len(_instruction_lines(doc, width)) * INSTR_SIZE * 1.5 + 4 * mm
    h += _grid_rows(len(doc.candidates)) * (MARK_H + NAME_H + GRID_GAP)
    if doc.write_in_rows:
        h += 7 * mm + _grid_rows(doc.write_in_rows) * (MARK_H + WRITE_H + GRID_GAP)
    return float(h + 10 * mm)


def _header_text_h(doc: BallotDoc) -> float:
    """From the ballot's top to the 应选名额 line: heading, round label, seats."""
    return float(TOP_PAD + 6 * mm + (7 * mm if doc.round_label else 0) + 8 * mm)


def _seal_box(c: Canvas, right: float, top: float) -> None:
    """An empty box with a faint 盖章处 where the meeting's seal is stamped."""
    c.saveState()
    c.setLineWidth(0.6)
    c.setDash(2, 2)
    c.rect(right - SEAL, top - SEAL, SEAL, SEAL)
    c.restoreState()
    c.saveState()
    c.setFillGray(0.55)
    fonts.draw_text(c, right - SEAL / 2, top - SEAL / 2 - 3, SEAL_LABEL, 9, align="center")
    c.restoreState()


def _cell_name(c: Canvas, x: float, y: float, w: float, h: float, name: str) -> None:
    """A name centred in a cell; a long one on two lines rather than tiny."""
    size = fonts.fit_size(name, w - 2 * mm, 13, stack=fonts.KAI_STACK)
    if size >= 11:
        fonts.draw_text(c, x + w / 2, y + h / 2 - size * 0.35, name, size, fonts.KAI_STACK,
                        align="center", who=name)
        return
    cut = name.find("·") + 1 or (len(name) + 1) // 2
    lines = [name[:cut], name[cut:]]
    size = min(fonts.fit_size(s, w - 2 * mm, 12, stack=fonts.KAI_STACK) for s in lines)
    for i, s in enumerate(lines):
        fonts.draw_text(c, x + w / 2, y + h / 2 + (0.15 - i * 1.2) * size, s, size,
                        fonts.KAI_STACK, align="center", who=name)


def _grid(c: Canvas, x0: float, top: float, width: float, labels: tuple[str, str],
          names: Sequence[str], lower_h: float, caption: str = "") -> float:
    """Rows of [mark square above name] columns; returns the y below the grid."""
    col_w = (width - HEAD_COL) / PER_ROW
    per_row = -(-len(names) // _grid_rows(len(names)))  # balanced: 9 -> 5 + 4, not 8 + 1
    x0 += (width - HEAD_COL - col_w * per_row) / 2      # centred under the heading
    if caption:
        fonts.draw_text(c, x0, top + 2 * mm, caption, 11, fonts.HEADING_STACK)
    y = top
    c.setLineWidth(0.8)
    for start in range(0, len(names), per_row):
        chunk = names[start:start + per_row]
        row_w = HEAD_COL + col_w * len(chunk)
        c.rect(x0, y - MARK_H - lower_h, row_w, MARK_H + lower_h)
        c.line(x0, y - MARK_H, x0 + row_w, y - MARK_H)
        fonts.draw_text(c, x0 + HEAD_COL / 2, y - MARK_H / 2 - 3.5, labels[0], 10,
                        fonts.HEADING_STACK, align="center")
        fonts.draw_text(c, x0 + HEAD_COL / 2, y - MARK_H - lower_h / 2 - 3.5, labels[1], 10,
                        fonts.HEADING_STACK, align="center")
        for i, name in enumerate(chunk):
            x = x0 + HEAD_COL + i * col_w
            c.line(x, y, x, y - MARK_H - lower_h)
            if name:
                _cell_name(c, x, y - MARK_H - lower_h, col_w, lower_h, name)
        y -= MARK_H + lower_h + GRID_GAP
    return y


def draw_ballot(c: Canvas, doc: BallotDoc, top: float) -> None:
    """One copy; every copy of `doc` is drawn the same (no number, no mark)."""
    x0 = SIDE
    width = PAGE_W - 2 * SIDE
    _seal_box(c, x0 + width, top - SEAL_TOP)
    left_w = width - SEAL - 4 * mm      # the heading stays clear of the seal box
    y = top - TOP_PAD - 6 * mm
    fonts.draw_text(c, x0 + left_w / 2, y, doc.heading, 17, fonts.HEADING_STACK,
                    align="center", max_width=left_w)
    if doc.round_label:
        y -= 7 * mm
        fonts.draw_text(c, x0 + left_w / 2, y, f"（{doc.round_label}）", 13,
                        fonts.HEADING_STACK, align="center")
    y -= 8 * mm
    fonts.draw_text(c, x0, y, f"应选名额：{doc.seats}名　　候选人{len(doc.candidates)}名"
                    "（按姓氏笔画为序）", 11.5, fonts.KAI_STACK, max_width=left_w)
    y = min(y, top - SEAL_TOP - SEAL)
    y -= 3 * mm
    for line in _instruction_lines(doc, width):
        y -= INSTR_SIZE * 1.5
        fonts.draw_text(c, x0, y, line, INSTR_SIZE)
    y -= 5 * mm
    y = _grid(c, x0, y, width, ("符　号", "候选人姓名"), doc.candidates, NAME_H)
    if doc.write_in_rows:
        y -= 6 * mm
        _grid(c, x0, y, width, ("符　号", "另选人姓名"), [""] * doc.write_in_rows, WRITE_H,
              caption="另选他人")


def render_ballots(docs: Sequence[BallotDoc], out: Path, at: dt.datetime) -> Printed:
    fonts.check_names((f"{n}（{d.heading}候选人）", n) for d in docs for n in d.candidates)
    c = fonts.new_canvas(str(out))
    c.setTitle("选票")
    c.setCreator("PollDay")
    c.setSubject(f"打印时间 {iso(at)}")
    pages = ballots = 0
    for doc in docs:
        two_up = ballot_height(doc) <= PAGE_H / 2
        for k in range(doc.count):
            half = k % 2 if two_up else 0
            if half == 0:
                if ballots:
                    c.showPage()
                pages += 1
                if two_up:
                    _cut_line(c)
            draw_ballot(c, doc, PAGE_H - half * PAGE_H / 2)
            ballots += 1
    if not ballots:
        fonts.draw_text(c, PAGE_W / 2, PAGE_H / 2, "没有需要印制的选票", 14, align="center")
        pages = 1
    c.showPage()
    c.save()
    return Printed(out, pages, ballots, f"{len(docs)} 种选票")


def _cut_line(c: Canvas) -> None:
    c.saveState()
    c.setDash(3, 3)
    c.setLineWidth(0.4)
    c.line(6 * mm, PAGE_H / 2, PAGE_W - 6 * mm, PAGE_H / 2)
    c.restoreState()
    fonts.draw_text(c, PAGE_W - 6 * mm, PAGE_H / 2 + 1.5 * mm, "沿虚线裁开", 6.5, align="right")


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contest", action="append", default=None, metavar="CODE",
                   help="only this contest (repeatable)")
    p.add_argument("--round", type=int, default=None, metavar="N",
                   help="ballots of round N (default: the latest round, or the first)")
    p.add_argument("--count", type=int, default=None, metavar="N",
                   help="ballots per contest (default: the round's 印制 count, else 应到)")


@print_kind("ballots", "选票: per contest and round, candidates in stroke order; every copy the"
            " same (no number), a 盖章处 box for the seal", _args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from app.documents.results_source import ballot_docs

    docs = ballot_docs(conn, meeting, at, contests=getattr(args, "contest", None),
                       round_no=getattr(args, "round", None), count=getattr(args, "count", None))
    if isinstance(docs, Refusal):
        return docs
    return render_ballots(docs, out, at)
