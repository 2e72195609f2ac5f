"""选举结果报告单: for the higher organisation, one section per contest (each on its own page,
signed by the 监票人 and 计票人): 应到/实到, 发出/收回/有效/无效 (invalid reasons), every person's
赞成/不赞成/弃权 with write-ins marked, who is elected in which round, and the date. The footer
carries the locked result's short hash and the installation key's fingerprint; the last page the
audit chain head (app/documents/audit_anchor.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from pathlib import Path

from reportlab.lib.units import mm

from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed, print_kind
from app.documents.page import CONTENT_W, MARGIN, Column, Flow, footer_text
from app.documents.results_doc import (
    EXPECTED_ZH,
    ContestDoc,
    ResultDoc,
    RoundDoc,
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
from db.audit import Head

FIG_W = CONTENT_W / 6


def _figures(flow: Flow, doc: ResultDoc, r: RoundDoc) -> None:
    expected_zh, present_zh = EXPECTED_ZH[doc.rules]
    cols = [Column(t, FIG_W, "center") for t in
            (expected_zh.replace("有选举权的", ""), present_zh.replace("有选举权的", ""),
             "发出选票", "收回选票", "有效票", "无效票")]
    figures = (r.expected, r.present, r.issued, r.returned, r.valid, r.invalid)
    compact_table(flow, cols, [[str(v) for v in figures]], size=9.5)
    if r.invalid_reasons:
        flow.text("无效票原因：" + "；".join(f"{why} {n} 张" for why, n in r.invalid_reasons), 9.5)


def _tally(flow: Flow, r: RoundDoc) -> None:
    cols = [Column("序号", 14 * mm, "center"), Column("被选举人", 52 * mm),
            Column("赞成", 24 * mm, "right"), Column("不赞成", 24 * mm, "right"),
            Column("弃权", 24 * mm, "right"), Column("结果", CONTENT_W - 138 * mm, "center")]
    elected = set(r.elected)
    rows = [[str(i + 1), t.name + ("（另选他人）" if t.write_in else ""),
             str(t.approve), "—" if t.write_in else str(t.disapprove),
             "—" if t.write_in else str(t.abstain), "当选" if t.name in elected else ""]
            for i, t in enumerate(r.tally)]
    compact_table(flow, cols, rows, size=9.5, who=[t.name for t in r.tally])


def _round(flow: Flow, doc: ResultDoc, r: RoundDoc, before: RoundDoc | None,
           scan_line: str = "") -> None:
    """One round; what is the same as in the round `before` (rule, officials) is not repeated."""
    flow.need(55 * mm)  # the round's heading stays with its figures and first rows
    flow.space(2 * mm)
    flow.text(f"{r.label}（应选{r.seats}名，候选人{len(r.candidates)}名）", 11.5,
              stack=fonts.HEADING_STACK)
    flow.space(1 * mm)
    _figures(flow, doc, r)
    flow.space(2 * mm)
    _tally(flow, r)
    flow.space(1 * mm)
    if r.threshold_zh and (before is None or before.threshold_zh != r.threshold_zh):
        para(flow, f"当选票数规定：{r.threshold_zh}", 9)
    elected = "、".join(r.elected) if r.elected else "无"
    outcome = f"　结论：{r.outcome_zh}" if r.outcome_zh else ""
    para(flow, f"本轮当选（按得票多少为序）：{elected}{outcome}", 10.5, stack=fonts.KAI_STACK)
    if decision_line(r):
        para(flow, decision_line(r), 10, stack=fonts.KAI_STACK)
    officials = []
    if r.scrutineers:
        officials.append("监票人：" + "、".join(r.scrutineers))
    if r.counters:
        officials.append("计票人：" + "、".join(r.counters))
    same = before is not None and (before.scrutineers, before.counters) == (r.scrutineers,
                                                                             r.counters)
    if officials and not same:
        flow.text("　".join(officials), 10)
    if scan_line:   # counted from the office scanner (app/scan/check.py)
        para(flow, scan_line, 9)


def _contest(flow: Flow, doc: ResultDoc, i: int, contest: ContestDoc,
             scan: dict[tuple[str, int], str] | None = None) -> None:
    flow.text(doc.meeting_title, 12, stack=fonts.HEADING_STACK, align="center")
    flow.text("选举结果报告单", 18, stack=fonts.HEADING_STACK, align="center", gap=1.8)
    flow.space(1 * mm)
    place = f"　地点：{doc.venue}" if doc.venue else ""
    flow.text(f"选举日期：{chinese_date(doc.date)}{place}", 10.5)
    flow.text(f"{ordinal(i)}、{contest.heading}（应选{contest.seats}名，"
              f"候选人{len(contest.candidates)}名）", 13, stack=fonts.HEADING_STACK)
    for k, r in enumerate(contest.rounds):
        _round(flow, doc, r, contest.rounds[k - 1] if k else None,
               (scan or {}).get((contest.code, r.number), ""))
    if not contest.rounds:
        flow.text("尚未投票。", 11)
    all_elected = [name for name, _r in contest.elected()]
    # The elected and the signature rows stay together (Flow.signatures alone may split its
    # rows over two pages).
    flow.need(2 * 12 * 1.6 + 3 * 11 * 2.6 + 4 * mm)
    flow.space(2 * mm)
    para(flow, f"{contest.post}当选人（{len(all_elected)}名）："
         + ("、".join(all_elected) or "无"), 12, stack=fonts.HEADING_STACK)
    flow.space(1 * mm)
    flow.signatures(["总监票人（签字）", "监票人（签字）", "计票人（签字）"])
    # The date takes the fourth place of the signature rows (keeps a contest on one page).
    fonts.draw_text(flow.c, MARGIN + CONTENT_W / 2, flow.y, "日期：　　　　年　　月　　日", 11,
                    fonts.KAI_STACK)


def render_report(doc: ResultDoc, out: Path, at: dt.datetime,
                  audit_head: Head | None = None,
                  scan: dict[tuple[str, int], str] | None = None) -> Printed:
    """`scan`: (contest code, round number) -> how the round was counted from the scanner."""
    check_result_names(doc)
    c = fonts.new_canvas(str(out))
    c.setTitle(f"{doc.meeting_title}选举结果报告单")
    c.setCreator("PollDay")
    foot = result_footer(doc, iso(at).replace("T", " ")[:16])
    flow = Flow(c, lambda cv, page: footer_text(cv, foot, page))
    for i, contest in enumerate(doc.contests):
        if i:
            flow.new_page()
        _contest(flow, doc, i, contest, scan)
    if not doc.contests:
        flow.text("本次会议没有选举事项。", 12)
    if audit_head is not None:
        from app.documents.audit_anchor import draw_audit_anchor

        flow.space(14 * mm)   # below the signature rows' date line
        draw_audit_anchor(flow, audit_head)
    pages = flow.finish()
    c.save()
    elected = sum(1 for ct in doc.contests for _ in ct.elected())
    return Printed(out, pages, len(doc.contests), f"当选 {elected} 人，校验码 {doc.result_hash}")


@print_kind("count-report", "选举结果报告单: figures, every person's votes, elected, signatures"
            " (locked results only)")
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from app.documents.results_source import locked_result_doc
    from db import audit

    doc = locked_result_doc(conn, meeting, "选举结果报告单")
    if isinstance(doc, Refusal):
        return doc
    from app.scan.check import scan_words
    from app.voting import meeting_rounds

    scan = {(r.contest_code, r.number): scan_words(conn, r) for r in meeting_rounds(conn, meeting.id)}
    return render_report(doc, out, at, audit.checked_head(conn), {k: v for k, v in scan.items() if v})
