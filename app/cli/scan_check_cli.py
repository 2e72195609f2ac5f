"""`pollday scan check`: the scanner as one of the two clerks (app/scan/check.py).

    pollday scan check --db PATH --contest CODE [--round N] --mode full|sample --operator NAME
    pollday scan check --db PATH --contest CODE [--round N] --draw --operator NAME [--json]
    pollday scan check --db PATH --contest CODE [--round N] [--json]        where it stands
    pollday scan check --db PATH --contest CODE [--round N] --enter FILE|- --operator NAME

--mode chooses how the round's scanned ballots (entry A) are checked: full (clerk B keys every
ballot: `pollday ballot enter --clerk B`) or sample (a blind random sample). --draw draws the
sample after `pollday scan count`: at least 5 % of the unflagged scanned ballots, at least 100
(all when fewer), each named by batch and position in the batch. Without an action the list of
drawn ballots is printed (never the machine's reading: the clerk keys blind). --enter keys the
next drawn ballots, one line each in the list's order (the lines of `pollday ballot enter`),
into entry B. Differences are resolved as for double entry (`pollday compare`); a scan misread
found in the sample requires full entry before the round can be closed.

Exit status: 0 done, 1 refused (the reason, nothing written), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.cmd_scan import _out as _print
from app.cli.counting import EXIT_REFUSED, EXIT_USAGE, add_round_options, operator

if TYPE_CHECKING:
    from app.meetings import Refusal


def register_check(actions: Any) -> None:
    p = actions.add_parser("check", help="check the scan against a clerk's keyboard entry",
                           description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    add_round_options(p)
    p.add_argument("--mode", choices=("full", "sample"), default=None)
    p.add_argument("--draw", action="store_true", help="draw the blind sample at random")
    p.add_argument("--enter", default=None, metavar="FILE",
                   help="key the next drawn ballots into entry B (- : standard input)")
    p.add_argument("--all", action="store_true",
                   help="list every scanned ballot with its batch and position (full mode)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_check)


def _state_json(st: Any, listed: list[Any]) -> dict[str, Any]:
    return {"mode": st.mode, "words": st.words(), "full_required": st.full_required,
            "misread": list(st.misread), "pending": list(st.pending), "undrawn": st.undrawn,
            "a": st.a_count, "b": st.b_count, "sample": [i.as_json() for i in listed]}


def run_check(args: argparse.Namespace) -> int:
    from app.cli.counting import with_round
    from app.meetings import Refusal
    from app.scan import check

    def act(conn: Any, r: Any, clock: Any) -> int:
        if sum(x is not None and x is not False for x in (args.mode, args.draw or None,
                                                           args.enter)) > 1:
            print("--mode、--draw、--enter 一次只能用一个", file=sys.stderr)
            return EXIT_USAGE
        if args.mode is not None:
            got = check.set_mode(conn, r.id, args.mode, actor=operator(args), clock=clock)
            if isinstance(got, Refusal):
                print(f"{got.message}（{got.code}）", file=sys.stderr)
                return EXIT_REFUSED
            _print(args, _state_json(got, []), [f"{r.label}：{got.words()}"])
            return 0
        if args.draw:
            drawn = check.draw_sample(conn, r.id, actor=operator(args), clock=clock)
            if isinstance(drawn, Refusal):
                print(f"{drawn.message}（{drawn.code}）", file=sys.stderr)
                return EXIT_REFUSED
            lines = [f"{r.label}：从{drawn.population}张未送人工认定的扫描选票中随机抽取"
                     f"{len(drawn.items)}张，请按批次和位置从按扫描顺序保存的选票中取出，"
                     "由计票员不看机读结果录入（录入组B）："]
            lines += [f"  {i.words}" for i in drawn.items]
            _print(args, drawn.as_json(), lines)
            return 0
        if args.enter is not None:
            return _enter(args, conn, r, clock)
        st = check.check_state(conn, r)
        listed = check.full_list(conn, r) if args.all else list(st.items)
        todo = check.to_key(conn, r) if st.mode is not None else []
        if todo and (st.full_required or args.all):
            listed = check.full_list(conn, r)
        lines = [f"{r.label}：{st.words()}"]
        lines += [f"  {'已录' if i.keyed else '待录'} {i.words}"
                  + (f"（{i.file} 第{i.page}页）" if i.file else "（键盘录入，没有扫描原件）")
                  for i in listed]
        _print(args, {**_state_json(st, listed), "to_key": [i.as_json() for i in todo]}, lines)
        return 0

    return with_round(args, act)


def _enter(args: argparse.Namespace, conn: Any, r: Any, clock: Any) -> int:
    from app.cli.ballot_lines import ballot_lines
    from app.cli.counting import entry_ballot, read_text
    from app.meetings import Refusal
    from app.scan.check import enter_sample

    if not str(args.operator).strip():
        print("录入抽查选票须给出 --operator（录入的计票员）", file=sys.stderr)
        return EXIT_USAGE
    read = read_text(args.enter)
    if read is None:
        return EXIT_USAGE
    text, shown = read
    ballots, problems = [], []
    for number, line in ballot_lines(text):
        b = entry_ballot(r, line)
        if isinstance(b, str):
            problems.append(f"{shown} 第{number}行：{b}")
        else:
            ballots.append(b)
    if problems or not ballots:
        for p in problems or [f"{shown}：没有选票"]:
            print(p, file=sys.stderr)
        return EXIT_REFUSED
    got = enter_sample(conn, r.id, ballots, clerk=operator(args), clock=clock)
    if isinstance(got, Refusal):
        print(f"{got.message}（{got.code}）", file=sys.stderr)
        return EXIT_REFUSED
    _print(args, {"entered": [i.as_json() for i in got]},
           [f"{r.label}：抽查选票已录入{len(got)}张（录入组B）"]
           + [f"  {i.words}" for i in got])
    return 0


TESTDECK_DOC = """`pollday scan testdeck`: the test deck before counting (app/scan/testdeck.py).

    pollday scan testdeck --db PATH --contest CODE [--contest CODE2 ...] [--round N] --out DECK.pdf
                          [--operator NAME]
    pollday scan testdeck --db PATH [--contest CODE] --result [--json]
    pollday scan testdeck --db PATH --contest CODE [--round N] --acknowledge-untested "WHY"
                          --operator 总监票人

--out prints the round's test deck (20 pages of the round's scannable ballot, printed first with
`pollday print scan-ballots`; with --contest given twice or more, the deck of the page holding
those contests of the round, printed with `pollday print scan-ballot-page`): each page carries its own test layout code, so it can never be
counted, and the pattern of marks the person draws on it by hand. Scan the marked deck and
import it as a batch (`pollday scan import`): every page is judged against its pattern, must read
exactly as meant or go to a human where the pattern says so. --result prints the result page by
page. A round counted from scans with no passed test deck cannot be locked until
--acknowledge-untested records, in the 总监票人's words, why its scan count is accepted
without one (audited; the finding stays in the validation and the package). Exit status: 0 done (--result: 0 passed, 1 a page failed or nothing scanned yet),
1 refused, 2 usage.
"""


def register_testdeck(actions: Any) -> None:
    p = actions.add_parser("testdeck", help="print the test deck / its result",
                           description=TESTDECK_DOC,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
    p.add_argument("--meeting", default=None, metavar="CODE")
    p.add_argument("--contest", action="append", default=None, metavar="CODE",
                   help="the contest; repeated: the page holding these contests (in page order)")
    p.add_argument("--round", type=int, default=None, metavar="N")
    p.add_argument("--out", type=Path, default=None, metavar="PDF")
    p.add_argument("--result", action="store_true")
    p.add_argument("--acknowledge-untested", default=None, metavar="WHY",
                   help="the 总监票人 accepts the round's scan count without a passed test deck")
    p.add_argument("--operator", default="", metavar="NAME")
    p.add_argument("--at", default=None, metavar="TIME")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_testdeck)


def page_contests(conn: Any, meeting_id: int, codes: list[str]) -> list[int] | Refusal:
    """The contest ids of a page of several contests (two codes or more), [] for one code."""
    from app.meetings import Refusal, list_contests  # noqa: F811 - at run time, not only for types

    if len(codes) < 2:
        return []
    by_code = {c.code: c.id for c in list_contests(conn, meeting_id)}
    unknown = [c for c in codes if c not in by_code]
    if unknown:
        return Refusal("NO_SUCH_CONTEST", "没有这些选举事项：" + "、".join(unknown))
    return [by_code[c] for c in codes]


def _acknowledge(args: argparse.Namespace, clock: Any) -> int:
    from app.cli.counting import open_round
    from app.meetings import Refusal
    from app.scan.deck_gate import acknowledge

    if args.contest is None:
        print("确认未经测试计入须给出 --contest", file=sys.stderr)
        return EXIT_USAGE
    opened = open_round(args)
    if isinstance(opened, int):
        return opened
    try:
        got = acknowledge(opened.conn, opened.round.id, why=args.acknowledge_untested,
                          actor=args.operator, clock=clock)
    finally:
        opened.conn.close()
    if isinstance(got, Refusal):
        print(f"{got.message}（{got.code}）", file=sys.stderr)
        return EXIT_REFUSED
    _print(args, {"round": opened.round.label, "acknowledged": got.acknowledged},
           [f"{opened.round.label}：已记录总监票人确认未经测试计入：{got.acknowledged}"])
    return 0


def run_testdeck(args: argparse.Namespace) -> int:
    from app.cli.counting import clock_at, open_round
    from app.meetings import Refusal
    from app.scan import testdeck
    from app.scan.setup import election_hash

    codes: list[str] = list(dict.fromkeys(args.contest or []))
    args.contest = codes[0] if codes else None   # the round is the first contest's
    clock = clock_at(args.at)
    if clock is not None and args.acknowledge_untested is not None:
        return _acknowledge(args, clock)
    if clock is None or args.out is None and not args.result:
        if clock is not None:
            print("须给出 --out DECK.pdf（打印）或 --result（结果）", file=sys.stderr)
        return EXIT_USAGE
    if args.result:
        from db.connection import connect

        try:
            conn = connect(args.db, create=False)
        except FileNotFoundError:
            print(f"数据库文件不存在 / database not found: {args.db}", file=sys.stderr)
            return EXIT_USAGE
        try:
            if args.contest is None:
                s = testdeck.deck_summary(conn)
            else:
                conn.close()
                opened = open_round(args)          # the contest named; its decks only
                if isinstance(opened, int):
                    return opened
                conn = opened.conn
                s = testdeck.deck_summary(conn, opened.round.contest_id, args.round)
        finally:
            conn.close()
        lines = [s.words()] + [
            f"  第{r.deck}套第{r.page_no}页（第{r.batch}批第{r.position}张）："
            + ("通过" if r.passed else f"未通过：应为 {r.expected}，读作 {r.got}：{r.why}")
            for r in s.results]
        _print(args, s.as_json(), lines)
        return 0 if s.passed else EXIT_REFUSED
    if args.contest is None:
        print("打印测试选票须给出 --contest", file=sys.stderr)
        return EXIT_USAGE
    opened = open_round(args)
    if isinstance(opened, int):
        return opened
    try:
        r = opened.round
        page = page_contests(opened.conn, opened.meeting.id, codes)
        if isinstance(page, Refusal):
            print(f"{page.message}（{page.code}）", file=sys.stderr)
            return EXIT_REFUSED
        pages = testdeck.make_deck(opened.conn, r.contest_id, r.number, page=page,
                                   actor=operator(args), clock=clock)
        if isinstance(pages, Refusal):
            print(f"{pages.message}（{pages.code}）", file=sys.stderr)
            return EXIT_REFUSED
        testdeck.render_deck(pages, args.out, clock.now(),
                             election=election_hash(opened.conn))
        doc = {"out": str(args.out), "deck": pages[0].deck,
               "pages": [{"page": p.page_no, "layout": p.code, "expect": p.plan.expected_words(),
                          "instructions": p.plan.instructions(p.layout)} for p in pages]}
        _print(args, doc, [f"{r.label}：扫描测试选票{len(pages)}页（第{pages[0].deck}套，测试版式"
                           f"{pages[0].code}–{pages[-1].code}，不计票）已写入 {args.out}"])
        return 0
    finally:
        opened.close()


RECORDS_DOC = """`pollday scan records`: every scanned page's record, one JSON object a line (the
package's scan/ballots.jsonl, app/scan/records.py): batch and position, original file and its
SHA-256, layout, scores, the machine's reading and flags, the human decision and who made it,
where it was counted, the reading finally counted, whether it was in the blind sample.

    pollday scan records --db PATH [--meeting CODE]
"""


def register_records(actions: Any) -> None:
    p = actions.add_parser("records", help="every scanned ballot's record (JSON lines)",
                           description=RECORDS_DOC,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
    p.add_argument("--meeting", default=None, metavar="CODE", help="only this meeting's ballots")
    p.set_defaults(func=run_records)


def run_records(args: argparse.Namespace) -> int:
    from app.meetings import meeting_by_code
    from app.scan.records import ballot_records
    from db.connection import connect

    try:
        conn = connect(args.db, create=False)
    except FileNotFoundError:
        print(f"数据库文件不存在 / database not found: {args.db}", file=sys.stderr)
        return EXIT_USAGE
    try:
        ids = None
        if args.meeting is not None:
            m = meeting_by_code(conn, args.meeting)
            if m is None:
                print(f"会议代码 {args.meeting} 不存在", file=sys.stderr)
                return EXIT_USAGE
            ids = [m.id]
        for rec in ballot_records(conn, ids):
            print(json.dumps(rec, ensure_ascii=False, sort_keys=True))
        return 0
    finally:
        conn.close()
