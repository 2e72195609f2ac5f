"""扫描测试选票: the round's test deck (app/scan/testdeck.py) as a print kind, so the GUI prints
it through the same worker as every other document (`pollday scan testdeck --out` prints the
same deck). One --contest: the deck of that contest's scannable ballot; several: the deck of the
page of those contests of one round (pollday print scan-ballot-page)."""

from __future__ import annotations

import argparse
import datetime as dt
import sqlite3
from pathlib import Path

from app.documents.kinds import Printed, print_kind
from app.meetings import Refusal
from app.model import Meeting


def _deck_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--contest", action="append", default=None, metavar="CODE", required=True,
                   help="the contest (repeat for the page of several contests, in page order)")
    p.add_argument("--round", type=int, default=None, help="round number (default: the latest)")
    p.add_argument("--operator", default=None, metavar="NAME",
                   help="who prints (a staff list: the 主持人)")


@print_kind("scan-testdeck", "扫描测试选票: the round's test deck (20 pages, test layouts, never"
            " counted) of a contest's scannable ballot or of a page of several contests",
            _deck_args)
def render(conn: sqlite3.Connection, meeting: Meeting, out: Path, at: dt.datetime,
           args: argparse.Namespace) -> Printed | Refusal:
    from app.clock import FixedClock
    from app.meetings import list_contests
    from app.scan import testdeck
    from app.scan.setup import election_hash
    from app.voting import list_rounds

    codes: list[str] = list(dict.fromkeys(args.contest or []))
    by_code = {c.code: c for c in list_contests(conn, meeting.id)}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        return Refusal("NO_SUCH_CONTEST", "没有这些选举事项：" + "、".join(unknown))
    first = by_code[codes[0]]
    rounds = list_rounds(conn, first.id)
    chosen = (rounds[-1] if rounds and args.round is None
              else next((r for r in rounds if r.number == args.round), None))
    if chosen is None:
        which = f"第{args.round}轮" if args.round is not None else "任何一轮"
        return Refusal("NO_ROUND", f"{first.title}尚无{which}投票：测试选票按本轮选票的版式印制，"
                       "请先开始投票")
    page = [by_code[c].id for c in codes] if len(codes) > 1 else []
    pages = testdeck.make_deck(conn, first.id, chosen.number, page=page,
                               actor=args.operator or "打印", clock=FixedClock(at))
    if isinstance(pages, Refusal):
        return pages
    printed: Printed = testdeck.render_deck(pages, out, at, election=election_hash(conn))
    return printed
