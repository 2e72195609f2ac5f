"""可扫描选票（一页多项）: several contests of one round on one scannable page (issue 17 item 1),
one block per contest under its own heading, each in the contest's own format (A: separate 赞成 /
不赞成 boxes; B: one box for ○ / ×, `pollday scan format`), the four corner markers naming the
page's layout and, where the meeting chose it, the QR. Every copy is the same: no number, no
mark. Contests that do not fit one A4 page are refused with the reason: a ballot of more than
one page cannot be scanned (print them as separate ballots, `pollday print scan-ballots`).

Printed only for a meeting whose scanning setting allows the markers (`pollday scan setup`)."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from pathlib import Path

from app.clock import iso
from app.documents.kinds import Printed, print_kind
from app.meetings import Refusal
from app.model import Meeting


def _page_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contest", action="append", default=None, metavar="CODE", required=True,
                   help="a contest on the page (repeat: at least two, in page order)")
    p.add_argument("--round", type=int, default=None,
                   help="round number (default: each contest's latest, which must agree)")
    p.add_argument("--count", type=int, default=None,
                   help="copies (default: the 应到 count)")
    p.add_argument("--operator", default=None, metavar="NAME",
                   help="who prints (a staff list: the 主持人); the first print records the layout")


def _part_heading(heading: str, label: str) -> str:
    h = heading.removesuffix("选举选票").removesuffix("选票")
    return h + (f"（{label}）" if label else "")


@print_kind("scan-ballot-page", "可扫描选票，一页多项: several contests of one round on one scannable"
            " page, each in its own format (A or B), corner markers, optional layout QR; refused"
            " when they do not fit one A4 page", _page_args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from app.documents.results_source import ballot_docs
    from app.meetings import list_contests
    from app.scan.layout import PartSpec
    from app.scan.multi import layout_for_page
    from app.scan.printing import render_scan_ballots
    from app.scan.setup import contest_format, election_hash, marked_print_setting
    from app.voting import list_rounds

    setting = marked_print_setting(conn, meeting.id, meeting.title)
    if isinstance(setting, Refusal):
        return setting
    codes: list[str] = list(dict.fromkeys(args.contest or []))
    if len(codes) < 2:
        return Refusal("ONE_CONTEST", "一页多项的选票须至少两项选举（--contest 写两次以上）；"
                       "一项选举请用 pollday print scan-ballots")
    by_code = {c.code: c for c in list_contests(conn, meeting.id)}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        return Refusal("NO_SUCH_CONTEST", "没有这些选举事项：" + "、".join(unknown))
    specs = []
    copies = 0
    for code in codes:
        contest = by_code[code]
        rounds = list_rounds(conn, contest.id)
        number = args.round or (rounds[-1].number if rounds else 1)
        docs = ballot_docs(conn, meeting, at, contests=[code], round_no=args.round,
                           count=args.count)
        if isinstance(docs, Refusal):
            return docs
        doc = docs[0]
        copies = max(copies, doc.count)
        specs.append(PartSpec(contest.id, number, contest_format(conn, contest.id),
                              _part_heading(doc.heading, doc.round_label), doc.seats,
                              doc.candidates, doc.write_in_rows))
    if len({s.round_no for s in specs}) > 1:
        return Refusal("ROUNDS_DIFFER", "同一页的各项选举须是同一轮次：" + "，".join(
            f"{s.heading}第{s.round_no}轮" for s in specs) + "（请用 --round 指定，或分项印制）")
    made = layout_for_page(conn, f"{meeting.title}选票", specs, qr=setting.qr,
                           actor=getattr(args, "operator", None) or "打印", at=iso(at))
    if isinstance(made, Refusal):
        return made
    return render_scan_ballots([(made, copies)], out, at, election=election_hash(conn),
                               qr=setting.qr)
