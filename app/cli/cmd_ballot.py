"""`pollday ballot enter`: ballots of a round typed into a file (or piped in), entered by one of the
two clerks (录入组 A or B), as the 逐张录入 tab of the 计票 page does.

    pollday ballot enter --db PATH --contest CODE [--round N] --clerk A|B [FILE|-]
                         [--operator NAME] [--meeting CODE] [--at TIME] [--json]

One ballot per line, with the keys of the GUI's entry line:

    1201 12        one key per candidate in ballot order: 1 = ○ 赞成, 2 = × 不赞成,
                   0 or space = 弃权; blanks at the end may be left out
    0              a blank ballot (every candidate 弃权)
    11 +张三        then a write-in, 另选他人 marked ○ (one + per name; ＋ too)
    !无法辨认选票意图  the scrutineers declare the whole ballot invalid, with the reason (！ too)
    # a comment    skipped, and so are empty lines (a line of spaces only is refused)

UTF-8 (with or without BOM) or GBK. The ballots are numbered after the clerk's last ballot of the
round. All or nothing: when any line is wrong, every wrong line is said on stderr (第N行：why) and
nothing is entered. An over-marked ballot is entered as read; the counting core says it is
invalid (listed in the output), as the GUI does.

Exit status: 0 entered, 1 refused (a wrong line, the round closed or counted by tally sheets, no
such round yet), 2 usage (missing database, meeting or contest, bad --at, unreadable file).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli.counting import EXIT_REFUSED, EXIT_USAGE, add_round_options

COMMANDS = ("ballot",)


def register(sub: Any) -> None:
    ballot = sub.add_parser("ballot", help="enter ballots of a round, 录入选票", description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = ballot.add_subparsers(dest="ballot_action", metavar="ACTION")
    p = actions.add_parser("enter", help="enter ballots, one per line", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add_round_options(p)
    p.add_argument("--clerk", required=True, choices=("A", "B"),
                   help="entry A or B (双人录入: each clerk enters every ballot)")
    p.add_argument("--json", action="store_true", help="print the outcome as JSON")
    p.add_argument("file", nargs="?", default="-", metavar="FILE",
                   help="ballots, one per line (default -: standard input)")
    p.set_defaults(func=run_enter)
    ballot.set_defaults(func=lambda _a: (ballot.print_usage(sys.stderr), EXIT_USAGE)[1])


def run_enter(args: argparse.Namespace) -> int:
    from app import voting
    from app.cli.ballot_lines import ballot_lines
    from app.cli.counting import clock_at, entry_ballot, open_round, read_text, round_json
    from app.meetings import Refusal, rule_options
    from app.rules import Ballot, check_ballot

    clock = clock_at(args.at)
    read = read_text(args.file)
    if clock is None or read is None:
        return EXIT_USAGE
    text, shown = read
    opened = open_round(args)
    if isinstance(opened, int):
        return opened
    try:
        r = opened.round
        ballots: list[Ballot] = []
        problems: list[str] = []
        for number, line in ballot_lines(text):
            b = entry_ballot(r, line)
            if isinstance(b, str):
                problems.append(f"{shown} 第{number}行：{b}")
            else:
                ballots.append(b)
        if problems:
            for p in problems:
                print(p, file=sys.stderr)
            print(f"{shown}：{len(problems)} 行有误，未录入任何选票（{r.label}，录入组{args.clerk}）",
                  file=sys.stderr)
            return EXIT_REFUSED
        if not ballots:
            print(f"{shown}：没有选票", file=sys.stderr)
            return EXIT_REFUSED
        got = voting.enter_ballots(opened.conn, r.id, args.clerk, ballots,
                                   clerk=_clerk(args), clock=clock)
        if isinstance(got, Refusal):
            print(got.message, file=sys.stderr)
            return EXIT_REFUSED
        standing = voting.entries(opened.conn, r.id, args.clerk)[-got:]
        options = rule_options(opened.meeting)
        checks = [(e.seq, check_ballot(b, r.names, r.seats, options))
                  for e, b in zip(standing, ballots, strict=True)]
    finally:
        opened.close()
    invalid = [{"seq": seq, "reason": c.reason} for seq, c in checks if not c.valid]
    first, last = checks[0][0], checks[-1][0]
    out = {"round": round_json(r), "entry": args.clerk, "entered": got, "first": first,
           "last": last, "valid": got - len(invalid), "invalid": len(invalid),
           "invalid_ballots": invalid}
    if args.json:
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return 0
    print(f"{r.label} 录入组{args.clerk}：已录入 {got} 张（第{first}–{last}张），"
          f"有效 {out['valid']}，无效 {len(invalid)}")
    for x in invalid:
        print(f"  第{x['seq']}张 无效：{x['reason']}")
    return 0


def _clerk(args: argparse.Namespace) -> str:
    from app.cli.counting import operator

    return operator(args) if args.operator.strip() else f"录入组{args.clerk}"
