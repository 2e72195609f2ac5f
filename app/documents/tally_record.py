"""发票/收票记录: per contest and round, each box (主票箱, 流动票箱) with the ballots printed,
issued, returned and spoiled, the ballots left, the totals, the checks the scrutineers make
(returned ≤ issued, issued = 实到) and signature lines. Before a round is opened the same page is
printed with blank figures, to be filled in by hand.

Ballots carry no number (选票的票面除规定的项目外，不得编号或作任何记号), so the number printed
(印制数) stated here, with the meeting's seal on each ballot, is what makes the ballots of a round
accountable: the record says in words how many were printed, that every copy is the same and
sealed before issue, and that issued + spoiled + left equals printed."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.units import mm

from app.clock import iso
from app.documents import fonts
from app.documents.kinds import Printed, print_kind
from app.documents.page import CONTENT_W, Column, Flow, footer_text
from app.documents.results_doc import BoxDoc, ContestDoc, RoundDoc, para
from app.meetings import Refusal
from app.model import Meeting

COLUMNS = (Column("票箱", 40 * mm), Column("印制", 17 * mm, "right"),
           Column("发出", 17 * mm, "right"), Column("收回", 17 * mm, "right"),
           Column("作废", 17 * mm, "right"), Column("剩余未发", 19 * mm, "right"),
           Column("监票人签字", CONTENT_W - 127 * mm))


def _n(v: int | None) -> str:
    return "" if v is None else str(v)


def _row(b: BoxDoc) -> list[str]:
    left = None
    if b.printed is not None and b.issued is not None:
        left = b.printed - b.issued - (b.spoiled or 0)
    kind = "（流动）" if b.mobile and "流动" not in b.name else ""
    return [b.name + kind, _n(b.printed), _n(b.issued), _n(b.returned), _n(b.spoiled),
            _n(left), ""]


def _total(boxes: Sequence[BoxDoc]) -> list[str]:
    def s(attr: str) -> str:
        vals = [getattr(b, attr) for b in boxes]
        return "" if any(v is None for v in vals) else str(sum(vals))

    left = ""
    if s("printed") and s("issued") and s("spoiled"):
        left = str(int(s("printed")) - int(s("issued")) - int(s("spoiled")))
    return ["合计", s("printed"), s("issued"), s("returned"), s("spoiled"), left, ""]


def printed_line(r: RoundDoc | None) -> str:
    """The round's 印制数 in words; blanks to fill in by hand when not yet known."""
    boxes = r.boxes if r is not None else ()
    total = None if not boxes or any(b.printed is None for b in boxes) else sum(
        b.printed or 0 for b in boxes)
    n = "______" if total is None else str(total)
    return (f"本轮选票共印制{n}张。选票不编号、不作任何记号，每张票面相同，"
            "在盖章处加盖会议印章后发出。")


def _checks(r: RoundDoc) -> list[str]:
    if not r.boxes:
        return []
    out: list[str] = []
    if all(b.printed is not None and b.issued is not None for b in r.boxes):
        used = sum((b.issued or 0) + (b.spoiled or 0) for b in r.boxes)
        printed = sum(b.printed or 0 for b in r.boxes)
        if used > printed:
            out.append(f"发出与作废合计{used}张，多于印制的{printed}张，请监票人核实并说明。")
    issued = sum(b.issued or 0 for b in r.boxes)
    returned = sum(b.returned or 0 for b in r.boxes)
    out += [f"收回{returned}张，发出{issued}张："
           + ("收回票数不多于发出票数，本轮投票有效。" if returned <= issued
              else "收回票数多于发出票数，本轮选举无效，应当重新选举。")]
    if issued == r.present:
        out.append(f"发出票数与实到人数（{r.present}）相等。")
    else:
        out.append(f"发出票数与实到人数（{r.present}）不相等，相差{abs(issued - r.present)}张，"
                   "请监票人核实并说明。")
    return out


def _page(flow: Flow, title: str, contest: ContestDoc, r: RoundDoc | None) -> None:
    flow.text(title, 13, stack=fonts.HEADING_STACK, align="center")
    flow.text("发票收票记录", 19, stack=fonts.HEADING_STACK, align="center", gap=2.0)
    flow.space(2 * mm)
    label = r.label if r else "（投票前打印，由发票人、监票人填写）"
    flow.text(f"选举事项：{contest.heading}　{label}", 11.5, stack=fonts.KAI_STACK)
    if r is not None:
        flow.text(f"应选名额：{r.seats}名　应到：{r.expected}　实到：{r.present}　"
                  f"候选人：{len(r.candidates)}名", 11)
    else:
        flow.text(f"应选名额：{contest.seats}名　应到：______　实到：______", 11)
    flow.space(2 * mm)
    boxes = (r.boxes if r is not None and r.boxes else ()) or _blank_boxes()
    flow.table(COLUMNS, [*(_row(b) for b in boxes), _total(boxes)], size=10.5,
               who=[b.name for b in boxes] + [""])
    flow.space(2 * mm)
    para(flow, printed_line(r), 10.5)
    for line in _checks(r) if r is not None else []:
        para(flow, line, 10.5)
    if r is None or not r.boxes:
        para(flow, "核对：收回票数不得多于发出票数（多于发出票数的，选举无效，应当重新选举）；"
             "发出票数一般应与实到人数相等。", 10)
    flow.space(6 * mm)
    flow.signatures(["发票人（签字）", "收票人（签字）", "监票人（签字）", "总监票人（签字）"])
    flow.space(6 * mm)
    flow.text("日期：　　　　年　　月　　日　　时　　分", 11, stack=fonts.KAI_STACK, align="right")


def _blank_boxes() -> tuple[BoxDoc, ...]:
    from app.documents.results_source import STANDARD_BOXES

    return STANDARD_BOXES


def render_record(title: str, pages: Sequence[tuple[ContestDoc, RoundDoc | None]], out: Path,
                  at: dt.datetime) -> Printed:
    fonts.check_names((f"票箱 {b.name}", b.name) for _c, r in pages if r for b in r.boxes)
    c = fonts.new_canvas(str(out))
    c.setTitle(f"{title}发票收票记录")
    c.setCreator("PollDay")
    printed_at = iso(at).replace("T", " ")[:16]
    flow = Flow(c, lambda cv, page: footer_text(cv, f"打印时间 {printed_at}　{title}", page))
    for i, (contest, r) in enumerate(pages):
        if i:
            flow.new_page()
        _page(flow, title, contest, r)
    if not pages:
        flow.text("本次会议没有选举事项。", 12)
    n = flow.finish()
    c.save()
    boxes = sum(len(r.boxes) for _c, r in pages if r)
    return Printed(out, n, len(pages), f"{boxes} 个票箱记录")


def _args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contest", action="append", default=None, metavar="CODE",
                   help="only this contest (repeatable)")


@print_kind("tally-record", "发票收票记录: per contest, round and box: printed, issued, returned,"
            " spoiled; signatures", _args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from app.documents.results_source import box_rounds

    contests = getattr(args, "contest", None)
    pages = box_rounds(conn, meeting, contests)
    if contests and not pages:
        return Refusal("NO_SUCH_CONTEST", "没有这些选举事项：" + "、".join(contests))
    return render_record(meeting.title, pages, out, at)
