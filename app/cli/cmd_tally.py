"""`pollday tally enter`: a 正字计票单 (the counters' totals) of a round counted by tally sheets,
entered by one of the two clerks (A or B), as the 计票单 tab of the 计票 page does.

    pollday tally enter --db PATH --contest CODE [--round N] --clerk A|B [FILE|-]
                        [--reason WHY] [--operator NAME] [--meeting CODE] [--at TIME]

The sheet, one line each:

    有效 195        valid ballots (有效票 too)
    无效 5          invalid ballots (无效票 too)
    张三 120 30     each candidate of the round: 赞成 then 不赞成
    +王五 3         另选他人 and the ballots that wrote them in with ○
    # a comment    skipped, and so are empty lines

Entering a clerk's sheet again replaces it (the latest stands; --reason is then audited). After
saving, says whether A and B agree; where they differ, the sheet agreed after recounting is
entered with `pollday resolve --sheet FILE --reason WHY`.

Exit status: 0 saved, 1 refused (a wrong line, impossible figures, the round closed or entered
ballot by ballot), 2 usage.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from app.cli.counting import EXIT_REFUSED, EXIT_USAGE, add_round_options

COMMANDS = ("tally",)


def register(sub: Any) -> None:
    tally = sub.add_parser("tally", help="enter a tally sheet (正字计票单)", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = tally.add_subparsers(dest="tally_action", metavar="ACTION")
    p = actions.add_parser("enter", help="enter clerk A's or B's tally sheet",
                           description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add_round_options(p)
    p.add_argument("--clerk", required=True, choices=("A", "B"), help="entry A or B")
    p.add_argument("--reason", default="", metavar="WHY", help="why a sheet is entered again")
    p.add_argument("file", nargs="?", default="-", metavar="FILE",
                   help="the sheet (default -: standard input)")
    p.set_defaults(func=run_enter)
    tally.set_defaults(func=lambda _a: (tally.print_usage(sys.stderr), EXIT_USAGE)[1])


def read_sheet(names: tuple[str, ...], text: str, shown: str) -> Any:
    """The app.voting.Sheet of the text, or None with every problem on stderr."""
    from app.cli.sheet_lines import parse_sheet
    from app.voting import Sheet

    got = parse_sheet(text, names)
    if isinstance(got, list):
        for p in got:
            print(f"{shown} {p}", file=sys.stderr)
        return None
    assert got.valid is not None and got.invalid is not None
    return Sheet(got.valid, got.invalid, got.approve, got.disapprove, got.write_ins)


def comparison_words(conn: Any, round_id: int) -> str:
    """The GUI's words on A against B after a sheet is saved."""
    from app import voting
    from app.meetings import Refusal

    c = voting.compare_sheets(conn, round_id)
    if isinstance(c, Refusal):
        return c.message
    r = voting.load_round(conn, round_id)
    assert r is not None
    if c.a is None or (r.double_entry and c.b is None):
        missing = "、".join(e for e, s in (("A", c.a), ("B", c.b)) if s is None)
        return f"尚待录入组 {missing} 的计票单"
    if c.differences:
        lines = "；".join(f"{d.line}：A {d.a} / B {d.b}" for d in c.differences)
        done = "已按重新清点确认。" if c.resolved else "须重新清点后确认（pollday resolve --sheet）。"
        return f"A、B 计票单不一致（{lines}）。{done}"
    return "A、B 计票单一致"


def run_enter(args: argparse.Namespace) -> int:
    from app import voting
    from app.cli.counting import clock_at, open_round, operator, read_text
    from app.meetings import Refusal

    clock = clock_at(args.at)
    read = read_text(args.file)
    if clock is None or read is None:
        return EXIT_USAGE
    opened = open_round(args)
    if isinstance(opened, int):
        return opened
    try:
        r = opened.round
        sheet = read_sheet(r.names, *read)
        if sheet is None:
            return EXIT_REFUSED
        clerk = operator(args) if args.operator.strip() else f"录入组{args.clerk}"
        got = voting.enter_sheet(opened.conn, r.id, args.clerk, sheet, clerk=clerk, clock=clock,
                                 why=args.reason)
        if isinstance(got, Refusal):
            print(got.message, file=sys.stderr)
            return EXIT_REFUSED
        print(f"{r.label} 录入组{args.clerk}的计票单已保存")
        print(comparison_words(opened.conn, r.id))
        return 0
    finally:
        opened.close()
