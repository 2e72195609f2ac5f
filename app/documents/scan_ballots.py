"""可扫描选票: the round's ballot in the contest's format (A: separate 赞成 / 不赞成 boxes; B: one box
for ○ / ×, `pollday scan format`), four corner markers
and, where the meeting chose it, a QR naming only the election and the layout, so the office
scanner can count it (app/scan). Every copy is the same: no number, no mark.

Printed only for a meeting whose scanning setting allows the markers (`pollday scan setup`):
whether they may be printed on a ballot is for the supervising office to say."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from pathlib import Path

from app.clock import iso
from app.documents.ballots import _args
from app.documents.kinds import Printed, print_kind
from app.meetings import Refusal
from app.model import Meeting


def _scan_args(p: argparse.ArgumentParser) -> None:
    _args(p)
    p.add_argument("--operator", default=None, metavar="NAME",
                   help="who prints (a staff list: the 主持人, PIN from POLLDAY_PIN); the first print"
                        " of a round's scannable ballot records its layout")


@print_kind("scan-ballots", "可扫描选票 (format A: 赞成/不赞成 boxes; B: one box for ○/×, per contest),"
            " corner markers, optional"
            " layout QR; for counting with the office scanner (pollday scan)", _scan_args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from app.documents.results_source import ballot_docs
    from app.meetings import list_contests
    from app.scan.layout import Layout
    from app.scan.printing import render_scan_ballots
    from app.scan.setup import (
        contest_format,
        election_hash,
        layout_for_round,
        marked_print_setting,
    )
    from app.voting import list_rounds

    setting = marked_print_setting(conn, meeting.id, meeting.title)
    if isinstance(setting, Refusal):
        return setting
    contests = getattr(args, "contest", None)
    round_no = getattr(args, "round", None)
    docs = ballot_docs(conn, meeting, at, contests=contests, round_no=round_no,
                       count=getattr(args, "count", None))
    if isinstance(docs, Refusal):
        return docs
    chosen = [c for c in list_contests(conn, meeting.id) if not contests or c.code in contests]
    layouts: list[tuple[Layout, int]] = []
    who = getattr(args, "operator", None) or "打印"   # the Actor signed on with --operator
    for contest, doc in zip(chosen, docs, strict=True):
        rounds = list_rounds(conn, contest.id)
        number = round_no or (rounds[-1].number if rounds else 1)
        heading = doc.heading + (f"（{doc.round_label}）" if doc.round_label else "")
        made = layout_for_round(conn, contest.id, number, heading, doc.seats, doc.candidates,
                                doc.write_in_rows, qr=setting.qr, actor=who, at=iso(at),
                                fmt=contest_format(conn, contest.id))
        if isinstance(made, Refusal):
            return made
        layouts.append((made, doc.count))
    return render_scan_ballots(layouts, out, at, election=election_hash(conn), qr=setting.qr)
