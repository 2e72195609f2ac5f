"""`pollday compare` and `pollday resolve`: 双录比对 from the command line, as the 双录比对 tab of
the 计票 page.

    pollday compare --db PATH --contest CODE [--round N] [--meeting CODE]
        Entry A against entry B as JSON: for a round entered ballot by ballot, the counts, the
        number agreed and each difference by ballot number (A's and B's reading, each with the
        line that types it, and its resolution if any); for a tally-sheet round, the sheets and
        the lines where they differ. Exit 0 whether or not differences remain ("pending").

    pollday resolve --db PATH --contest CODE [--round N] --seq N --take A|B --reason WHY
    pollday resolve --db PATH --contest CODE [--round N] --seq N --reading LINE --reason WHY
    pollday resolve --db PATH --contest CODE [--round N] --sheet FILE --reason WHY
        A third person looks at the paper ballot and settles one difference: take A's reading,
        B's, or the ballot as read, typed as a line of `pollday ballot enter` (e.g.
        --reading "1201 +张三" or --reading "!无法辨认选票意图"). For a tally-sheet round, the
        sheet agreed after recounting (the format of `pollday tally enter`). Audited with
        --operator and the reason.

Both take [--operator NAME] [--at TIME] where they record. Exit status: 0 done, 1 refused (no
difference at that number, the round closed, a wrong reading), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from app.cli.counting import EXIT_REFUSED, EXIT_USAGE, add_round_options

COMMANDS = ("compare", "resolve")


def register(sub: Any) -> None:
    c = sub.add_parser("compare", help="entry A against entry B as JSON, 双录比对",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_round_options(c, at=False)
    c.set_defaults(func=run_compare)

    r = sub.add_parser("resolve", help="settle a difference between A and B, 处理录入差异",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_round_options(r)
    r.add_argument("--seq", type=int, default=None, metavar="N", help="the ballot's number")
    how = r.add_mutually_exclusive_group(required=True)
    how.add_argument("--take", choices=("A", "B"), help="take clerk A's or B's reading")
    how.add_argument("--reading", metavar="LINE", help="the ballot as read from the paper")
    how.add_argument("--sheet", metavar="FILE", help="tally-sheet round: the recounted sheet")
    r.add_argument("--reason", required=True, metavar="WHY", help="依据, e.g. 核对原始选票")
    r.set_defaults(func=run_resolve)


def ballot_json(b: Any) -> dict[str, object] | None:
    """A reading with the line that types it (app.cli.ballot_lines)."""
    from app.cli.ballot_lines import line_text
    from app.voting import keys_for

    if b is None:
        return None
    reason = b.reason if b.declared_invalid else None
    return {"line": line_text(keys_for(b.marks), tuple(b.write_ins), reason), "marks": b.marks,
            "write_ins": list(b.write_ins), "invalid": b.declared_invalid, "reason": b.reason}


def _comparison(conn: Any, r: Any) -> dict[str, object] | str:
    from app import voting
    from app.meetings import Refusal

    if r.mode is voting.Mode.TALLY:
        s = voting.compare_sheets(conn, r.id)
        if isinstance(s, Refusal):
            return s.message
        sheet = {k: (v.as_json() if v is not None else None)
                 for k, v in (("a", s.a), ("b", s.b), ("resolved", s.resolved))}
        waiting = s.a is None or (r.double_entry and s.b is None)
        return {**sheet, "differences": [{"line": d.line, "a": d.a, "b": d.b}
                                         for d in s.differences],
                "complete": not waiting and s.agreed is not None,
                "pending": bool(s.differences) and s.resolved is None}
    c = voting.compare_entries(conn, r.id)
    if isinstance(c, Refusal):
        return c.message
    return {"count_a": c.count_a, "count_b": c.count_b, "compared": c.compared, "agreed": c.agreed,
            "pending": len(c.pending),
            "differences": [{"seq": d.seq, "a": ballot_json(d.a), "b": ballot_json(d.b),
                             "resolved": d.resolved, "choice": d.choice,
                             "reading": ballot_json(d.reading) if d.resolved else None}
                            for d in c.differences]}


def run_compare(args: argparse.Namespace) -> int:
    from app.cli.counting import on_round, round_json

    def act(opened: Any) -> int:
        got = _comparison(opened.conn, opened.round)
        if isinstance(got, str):
            print(got, file=sys.stderr)
            return EXIT_REFUSED
        out = {"round": round_json(opened.round), **got}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
        return 0
    return on_round(args, act)


def run_resolve(args: argparse.Namespace) -> int:
    from app.cli.counting import clock_at, on_round

    clock = clock_at(args.at)
    if clock is None:
        return EXIT_USAGE
    if args.sheet is None and args.seq is None:
        print("resolve: 须用 --seq N 指明第几张选票的差异", file=sys.stderr)
        return EXIT_USAGE
    sheet_text = None
    if args.sheet is not None:
        from app.cli.counting import read_text

        sheet_text = read_text(args.sheet)
        if sheet_text is None:
            return EXIT_USAGE
    if sheet_text is not None:
        text, shown = sheet_text
        return on_round(args, lambda opened: _resolve_sheet(args, opened, clock, text, shown))
    return on_round(args, lambda opened: _resolve_ballot(args, opened, clock))


def _resolve_ballot(args: argparse.Namespace, opened: Any, clock: Any) -> int:
    from app import voting
    from app.cli.ballot_lines import parse_line
    from app.cli.counting import entry_ballot, operator
    from app.meetings import Refusal

    r = opened.round
    reading = None
    choice = args.take or "paper"
    if args.reading is not None:
        made = entry_ballot(r, parse_line(args.reading.rstrip()))
        if isinstance(made, str):
            print(f"--reading {args.reading!r}：{made}", file=sys.stderr)
            return EXIT_REFUSED
        reading = made
    got = voting.resolve_difference(opened.conn, r.id, args.seq, choice, why=args.reason,
                                    actor=operator(args), clock=clock, reading=reading)
    if isinstance(got, Refusal):
        print(got.message, file=sys.stderr)
        return EXIT_REFUSED
    what = {"A": "采用 A 的录入", "B": "采用 B 的录入"}.get(choice, "按原票更正")
    as_read = ballot_json(got.reading)
    print(f"第{args.seq}张的差异已处理：{what}，"
          + (f"按“{as_read['line']}”计" if as_read is not None else "无此选票"))
    return 0


def _resolve_sheet(args: argparse.Namespace, opened: Any, clock: Any, text: str,
                   shown: str) -> int:
    from app import voting
    from app.cli.cmd_tally import comparison_words, read_sheet
    from app.cli.counting import operator
    from app.meetings import Refusal

    r = opened.round
    if args.seq is not None:
        print("resolve: --sheet 用于正字计票单，不与 --seq 同用", file=sys.stderr)
        return EXIT_USAGE
    sheet = read_sheet(r.names, text, shown)
    if sheet is None:
        return EXIT_REFUSED
    got = voting.resolve_sheet(opened.conn, r.id, sheet, why=args.reason, actor=operator(args),
                               clock=clock)
    if isinstance(got, Refusal):
        print(got.message, file=sys.stderr)
        return EXIT_REFUSED
    print("计票单已确认")
    print(comparison_words(opened.conn, r.id))
    return 0
