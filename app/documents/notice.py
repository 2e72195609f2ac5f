"""计票结果公告 / 选举结果公告: posted at the venue once the result is locked.

Number, legal basis, date and place, 应到/实到, each contest's ballots and every person's votes,
the elected by post (in stroke order, as published lists are), the issuing body and the date at
the foot with a marked space for the seal; the footer carries the locked result's short hash and
the installation key's fingerprint so that the paper can be matched to the file, and the last page
the audit chain head (app/documents/audit_anchor.py) that anchors the audit log."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed, print_kind
from app.documents.page import CONTENT_W, MARGIN, PAGE_W, Column, Flow, footer_text
from app.documents.results_doc import (
    EXPECTED_ZH,
    LEGAL_BASIS,
    ContestDoc,
    ResultDoc,
    check_result_names,
    chinese_date,
    compact_table,
    decision_line,
    ordinal,
    para,
    result_footer,
)
from app.meetings import Refusal
from app.model import Meeting
from app.names import sort_names
from db.audit import Head

HEADINGS = ("选举结果公告", "计票结果公告")
SEAL_R = 20 * mm


def _opening(doc: ResultDoc) -> str:
    first = doc.first_round
    expected_zh, present_zh = EXPECTED_ZH[doc.rules]
    place = f"在{doc.venue}" if doc.venue else ""
    figures = ""
    if first is not None:
        figures = (f"{expected_zh}{first.expected}名，{present_zh}{first.present}名，"
                   "符合规定人数。")
    posts = "、".join(c.post for c in doc.contests)
    return (f"　　根据{LEGAL_BASIS[doc.rules]}的有关规定，{doc.meeting_title}于"
            f"{chinese_date(doc.date)}{place}举行。{figures}会议采用无记名投票方式，"
            f"选举产生了{posts}。现将计票结果公告如下：")


def _contest(flow: Flow, i: int, c: ContestDoc) -> None:
    flow.need(60 * mm)  # the heading stays with its figures and the first rows of the table
    flow.space(2 * mm)
    flow.text(f"{ordinal(i)}、{c.heading}（应选{c.seats}名）", 12.5, stack=fonts.HEADING_STACK)
    for k, r in enumerate(c.rounds):
        if k:
            flow.need(40 * mm)
        label = f"{r.label}：" if len(c.rounds) > 1 else ""
        para(flow, f"　　{label}发出选票{r.issued}张，收回{r.returned}张，其中有效票{r.valid}张，"
             f"无效票{r.invalid}张。得票情况如下：", 10.5)
        cols = [Column("被选举人", 50 * mm), Column("赞成票", 28 * mm, "right"),
                Column("不赞成票", 28 * mm, "right"), Column("弃权票", 28 * mm, "right"),
                Column("结果", CONTENT_W - 134 * mm, "center")]
        elected = set(r.elected)
        rows = [[t.name + ("（另选）" if t.write_in else ""), str(t.approve),
                 "—" if t.write_in else str(t.disapprove), "—" if t.write_in else str(t.abstain),
                 "当选" if t.name in elected else ""] for t in r.tally]
        compact_table(flow, cols, rows, size=10, who=[t.name for t in r.tally])
        flow.space(1 * mm)
        if decision_line(r):
            para(flow, "　　" + decision_line(r), 10.5)
    names = sort_names([n for n, _r in c.elected()])
    para(flow, f"　　当选为{c.post}的是（按姓氏笔画为序）：" + ("、".join(names) or "无"), 11.5,
         stack=fonts.KAI_STACK)
    missing = c.seats - len(names)
    if missing > 0:
        flow.text(f"　　尚缺{missing}名，另行处理。", 10.5)


def _seal(c: Canvas, cx: float, cy: float) -> None:
    c.saveState()
    c.setDash(2, 3)
    c.setLineWidth(0.5)
    c.setStrokeGray(0.55)
    c.circle(cx, cy, SEAL_R)
    c.restoreState()
    c.setFillGray(0.55)
    fonts.draw_text(c, cx, cy - SEAL_R + 4 * mm, "（盖章）", 8, align="center")
    c.setFillGray(0)


def render_notice(doc: ResultDoc, out: Path, at: dt.datetime,
                  heading: str = HEADINGS[0], audit_head: Head | None = None) -> Printed:
    check_result_names(doc)
    c = fonts.new_canvas(str(out))
    c.setTitle(f"{doc.meeting_title}{heading}")
    c.setCreator("PollDay")
    foot = result_footer(doc, iso(at).replace("T", " ")[:16])
    flow = Flow(c, lambda cv, page: footer_text(cv, foot, page))
    flow.text(doc.meeting_title, 14, stack=fonts.HEADING_STACK, align="center")
    flow.text(heading, 24, stack=fonts.HEADING_STACK, align="center", gap=1.8)
    flow.text(f"（{doc.number}）", 11, align="center")
    flow.space(3 * mm)
    para(flow, _opening(doc), 11.5, stack=fonts.KAI_STACK, gap=1.7)
    for i, contest in enumerate(doc.contests):
        _contest(flow, i, contest)
    flow.space(3 * mm)
    flow.text("　　特此公告。", 12, stack=fonts.KAI_STACK)
    flow.need(2 * SEAL_R + 12 * mm)
    flow.space(10 * mm)
    right = PAGE_W - MARGIN - 6 * mm
    fonts.draw_text(c, right, flow.y, doc.issuer, 12, fonts.KAI_STACK, align="right",
                    max_width=CONTENT_W * 0.7)
    fonts.draw_text(c, right, flow.y - 8 * mm, chinese_date(at.date().isoformat()), 12,
                    fonts.KAI_STACK, align="right")
    issuer_w = fonts.text_width(doc.issuer, 12, fonts.KAI_STACK)
    _seal(c, right - min(issuer_w, CONTENT_W * 0.7) / 2, flow.y - 2 * mm)
    flow.space(2 * SEAL_R)
    if audit_head is not None:
        from app.documents.audit_anchor import draw_audit_anchor

        flow.space(6 * mm)
        draw_audit_anchor(flow, audit_head)
    pages = flow.finish()
    c.save()
    elected = sum(1 for ct in doc.contests for _ in ct.elected())
    return Printed(out, pages, elected, f"{heading}，校验码 {doc.result_hash}")


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--heading", choices=HEADINGS, default=HEADINGS[0])
    p.add_argument("--number", default="第1号", metavar="TEXT", help="公告编号, e.g. 第1号")


@print_kind("notice", "计票结果公告 / 选举结果公告: votes, elected by post, seal space"
            " (locked results only)", _args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from dataclasses import replace

    from app.documents.results_source import locked_result_doc
    from db import audit

    doc = locked_result_doc(conn, meeting, "公告")
    if isinstance(doc, Refusal):
        return doc
    doc = replace(doc, number=getattr(args, "number", None) or doc.number)
    return render_notice(doc, out, at, getattr(args, "heading", None) or HEADINGS[0],
                         audit.checked_head(conn))
