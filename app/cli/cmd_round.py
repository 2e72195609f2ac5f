"""Voting rounds (轮次), their officials and ballot boxes, as on the 投票计票 page:

    pollday round open  --db PATH --contest C [--kind first|runoff|tie_revote]
                        [--candidates 甲,乙] [--mode ballots|tally] [--single-entry]
                        [--snapshot 第1次投票] [--at TIME]
    pollday round next  --db PATH --contest C [--dry-run] [--json] [--at TIME]
    pollday round list  --db PATH [--contest C] [--json]
    pollday round close --db PATH --contest C [--round N] [--at TIME]
    pollday officials set --db PATH --contest C [--round N] --scrutineers 张三、李四
                          --counters 王五、赵六 [--at TIME]
    pollday box set --db PATH --contest C [--round N] [--name 主票箱] --printed N --issued N
                    --returned N [--spoiled N] [--mobile] [--at TIME]

`round open` freezes 实到 (or takes the snapshot frozen for this vote) and is refused below the
quorum; its kind defaults to what the last round's decision calls for. `round next` opens the
round the last decision calls for — 另行选举 for the seats left, 重新投票 among exactly the tied,
the same round again after a void one — with its seats and candidates carried over (the
same rule as the 投票计票 page); --dry-run only says what it would be. `officials` names the 监票人 and
计票人 (never a candidate of the round; names separated by 、，, ; or spaces, digits = a register
id). `box set` records a box's 印制/发出/收回/作废 (again for the same box replaces its figures;
a name starting with 流动 is a mobile box). --round defaults to the contest's latest round.
--at TIME stamps the record (ISO 8601) so a scripted day is reproducible.
Exit status: 0 done, 1 refused (the reason with its code, nothing written), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.cli.counting import (
    EXIT_REFUSED,
    EXIT_USAGE,
    add_round_options,
    clock_at,
    operator,
    round_json,
    with_round,
)

if TYPE_CHECKING:
    import sqlite3

    from app.meetings import Refusal
    from app.model import Meeting
    from app.voting import NextRound, VotingRound

STATE_ZH = {"open": "计票中", "closed": "计票已结束", "locked": "结果已锁定"}
MODE_ZH = {"ballots": "逐张录入", "tally": "正字计票单"}


def _base(contest_required: bool) -> argparse.ArgumentParser:
    c = argparse.ArgumentParser(add_help=False)
    c.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
    c.add_argument("--meeting", default=None, metavar="CODE", help="meeting (default: current)")
    c.add_argument("--contest", required=contest_required, default=None, metavar="CODE",
                   help="选举事项代码")
    c.add_argument("--operator", default="", metavar="NAME", help="who does it (audit)")
    return c


def _at(p: argparse.ArgumentParser) -> None:
    p.add_argument("--at", default=None, metavar="TIME",
                   help="time recorded (ISO 8601, e.g. 2026-05-01T10:30:00+08:00); default now")


COMMANDS = ("round", "officials", "box")  # register only when one of these is asked for


def register(sub: Any) -> None:
    p = sub.add_parser("round", help="轮次: open, next, list, close",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    o = acts.add_parser("open", parents=[_base(True)], help="开始投票: open a round")
    o.add_argument("--kind", default=None, choices=("first", "runoff", "tie_revote"),
                   help="default: what the last round's decision calls for")
    o.add_argument("--candidates", default=None, metavar="甲,乙",
                   help="a runoff's candidates among the previous ranking (default: all of it)")
    o.add_argument("--mode", default="ballots", choices=("ballots", "tally"),
                   help="ballots 逐张录入 | tally 正字计票单")
    o.add_argument("--single-entry", action="store_true", help="one clerk only (no A/B)")
    o.add_argument("--snapshot", default=None, metavar="LABEL",
                   help="the 实到 frozen under this label (e.g. 第1次投票)")
    _at(o)
    n = acts.add_parser("next", parents=[_base(True)],
                        help="open the round the last decision calls for")
    n.add_argument("--dry-run", action="store_true", help="only say what it would be")
    n.add_argument("--mode", default="ballots", choices=("ballots", "tally"))
    n.add_argument("--single-entry", action="store_true")
    n.add_argument("--json", action="store_true")
    _at(n)
    li = acts.add_parser("list", parents=[_base(False)], help="the rounds")
    li.add_argument("--json", action="store_true")
    c = acts.add_parser("close", help="结束计票 (refused while A and B differ)")
    add_round_options(c)
    p.set_defaults(func=_round)

    p = sub.add_parser("officials", help="监票人、计票人 of a round",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    s = acts.add_parser("set", help="record the 监票人 and 计票人")
    add_round_options(s)
    s.add_argument("--scrutineers", required=True, metavar="NAMES", help="监票人, 张三、李四")
    s.add_argument("--counters", required=True, metavar="NAMES", help="计票人, 王五、赵六")
    p.set_defaults(func=_officials)

    p = sub.add_parser("box", help="票箱: 印制, 发出, 收回, 作废",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    b = acts.add_parser("set", help="record (or correct) one box")
    add_round_options(b)
    b.add_argument("--name", default="主票箱", help="票箱名称 (default 主票箱)")
    for f, zh in (("printed", "印制"), ("issued", "发出"), ("returned", "收回")):
        b.add_argument(f"--{f}", required=True, type=int, metavar="N", help=zh)
    b.add_argument("--spoiled", default=0, type=int, metavar="N", help="作废 (default 0)")
    b.add_argument("--mobile", action="store_true",
                   help="流动票箱 (also when the name starts with 流动)")
    p.set_defaults(func=_box)


# --- shared -----------------------------------------------------------------------------------

def _refused(r: Refusal, prefix: str = "") -> int:
    print(f"{r.code}: {prefix}{r.message}", file=sys.stderr)
    return EXIT_REFUSED


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


def _line(r: VotingRound) -> str:
    s = r.snapshot
    entry = "（A、B 双录）" if r.double_entry else ""
    return (f"{r.contest_code}  {r.label}  应选 {r.seats} 名 · 候选人 {'、'.join(r.names)} · "
            f"{MODE_ZH[r.mode.value]}{entry} · 冻结实到 {s.present} / 应到 {s.expected} · "
            f"{STATE_ZH[r.state.value]}")


def _full_json(r: VotingRound) -> dict[str, Any]:
    s = r.snapshot
    return {**round_json(r), "opened_at": r.opened_at, "snapshot": s.round_label,
            "expected": s.expected, "present": s.present,
            "scrutineers": list(r.officials.scrutineers), "counters": list(r.officials.counters),
            "boxes": [{"name": b.name, "mobile": b.mobile, "printed": b.printed,
                       "issued": b.issued, "returned": b.returned, "spoiled": b.spoiled}
                      for b in r.boxes],
            "lock_hash": r.lock.hash if r.lock else None}


def _opened(args: argparse.Namespace) -> tuple[sqlite3.Connection, Meeting, Any] | int:
    """Database, meeting and the contest named by --contest (None when not given)."""
    from app.cli.opening import open_meeting
    from app.meetings import list_contests

    opened = open_meeting(args.db, args.meeting)
    if opened is None:
        return EXIT_USAGE
    conn, meeting = opened
    if args.contest is None:
        return conn, meeting, None
    contests = list_contests(conn, meeting.id)
    contest = next((c for c in contests if c.code == args.contest), None)
    if contest is None:
        conn.close()
        known = "、".join(f"{c.code}（{c.title}）" for c in contests) or "尚无选举事项"
        print(f"--contest：{meeting.code} 没有代码为 {args.contest} 的选举事项；已有：{known}",
              file=sys.stderr)
        return EXIT_USAGE
    return conn, meeting, contest


# --- round ------------------------------------------------------------------------------------

def _round(args: argparse.Namespace) -> int:
    if args.action == "close":
        return _close(args)
    clock = clock_at(getattr(args, "at", None))
    if clock is None:
        return EXIT_USAGE
    got = _opened(args)
    if isinstance(got, int):
        return got
    conn, meeting, contest = got
    try:
        if args.action == "list":
            return _list(conn, meeting, contest, args)
        if args.action == "next":
            return _next(conn, contest, args, clock)
        return _open(conn, contest, args, clock)
    finally:
        conn.close()


def _list(conn: sqlite3.Connection, meeting: Meeting, contest: Any,
          args: argparse.Namespace) -> int:
    from app.voting import list_rounds, meeting_rounds

    rounds = list_rounds(conn, contest.id) if contest else meeting_rounds(conn, meeting.id)
    if args.json:
        _print_json([_full_json(r) for r in rounds])
        return 0
    if not rounds:
        print("尚未开始投票（pollday round open）")
    for r in rounds:
        print(_line(r))
    return 0


def _open(conn: sqlite3.Connection, contest: Any, args: argparse.Namespace, clock: Any) -> int:
    from app.meetings import Refusal
    from app.voting import open_round as open_voting_round

    names = None
    if args.candidates:
        from app.voting import split_names

        names = split_names(args.candidates)
    got = open_voting_round(conn, contest.id, actor=operator(args), clock=clock, kind=args.kind,
                            candidates=names, snapshot_label=args.snapshot, mode=args.mode,
                            double_entry=not args.single_entry)
    if isinstance(got, Refusal):
        return _refused(got, "不能开始投票：")
    print(f"{got.label} 已开始：冻结实到 {got.snapshot.present} 人")
    print(_line(got))
    _warn_held(conn, got)
    return 0


def _warn_held(conn: sqlite3.Connection, r: Any) -> None:
    """A candidate of the round opened who already holds a post of the same body: warned."""
    from app.meetings import get_meeting
    from app.voting.validate import held_by_candidates

    meeting = get_meeting(conn, r.meeting_id)
    if meeting is None:
        return
    for words in held_by_candidates(conn, meeting, [r.contest_id], names=r.names):
        print(f"注意：{words}", file=sys.stderr)


def _next_json(plan: NextRound) -> dict[str, Any]:
    return {"contest_id": plan.contest_id, "round": plan.number, "kind": plan.kind.value,
            "seats": plan.seats, "candidates": list(plan.names), "why": plan.why}


def _next(conn: sqlite3.Connection, contest: Any, args: argparse.Namespace, clock: Any) -> int:
    from app.meetings import Refusal
    from app.voting import list_rounds, next_round
    from app.voting import open_round as open_voting_round

    if not list_rounds(conn, contest.id):
        return _refused(Refusal("NO_PREVIOUS_ROUND",
                                f"{contest.title} 尚未进行第一轮（pollday round open）"))
    plan = next_round(conn, contest.id)
    if isinstance(plan, Refusal):
        return _refused(plan, "没有下一轮：")
    if args.dry_run:
        if args.json:
            _print_json(_next_json(plan))
        else:
            print(f"下一轮：{plan.why}；候选人 {'、'.join(plan.names)}")
        return 0
    got = open_voting_round(conn, contest.id, actor=operator(args), clock=clock, kind=plan.kind,
                            mode=args.mode, double_entry=not args.single_entry)
    if isinstance(got, Refusal):
        return _refused(got, "不能开始投票：")
    _warn_held(conn, got)
    if args.json:
        _print_json({**_next_json(plan), "opened": _full_json(got)})
        return 0
    print(f"{got.label} 已开始：{plan.why}；候选人 {'、'.join(got.names)}。"
          f"冻结实到 {got.snapshot.present} 人")
    return 0


def _close(args: argparse.Namespace) -> int:
    from app.meetings import Refusal
    from app.voting import close_round

    def act(conn: sqlite3.Connection, r: VotingRound, clock: Any) -> int:
        got = close_round(conn, r.id, actor=operator(args), clock=clock)
        if isinstance(got, Refusal):
            if got.code == "NO_BOXES":
                print(f"{got.code}: 不能结束计票：{got.message}"
                      "（命令行：pollday box set --name 主票箱 --printed N --issued N "
                      "--returned N）", file=sys.stderr)
                return EXIT_REFUSED
            return _refused(got, "不能结束计票：")
        print(f"{got.label} 计票已结束，请验证并锁定（pollday validate / pollday lock）")
        return 0
    return with_round(args, act)


# --- officials and boxes ----------------------------------------------------------------------

def _officials(args: argparse.Namespace) -> int:
    from app.meetings import Refusal
    from app.voting import set_officials, split_names

    def named(text: str) -> list[str | int]:
        return [int(n) if n.isdigit() else n for n in split_names(text)]

    def act(conn: sqlite3.Connection, r: VotingRound, clock: Any) -> int:
        got = set_officials(conn, r.id, scrutineers=named(args.scrutineers),
                            counters=named(args.counters), actor=operator(args), clock=clock)
        if isinstance(got, Refusal):
            return _refused(got)
        o = got.officials
        print(f"{got.label} 监票人、计票人已登记：" + "、".join(o.scrutineers) + "（监票）；"
              + "、".join(o.counters) + "（计票）")
        return 0
    return with_round(args, act)


def _box(args: argparse.Namespace) -> int:
    from app.meetings import Refusal
    from app.voting import record_box

    def act(conn: sqlite3.Connection, r: VotingRound, clock: Any) -> int:
        mobile = args.mobile or args.name.strip().startswith("流动")
        got = record_box(conn, r.id, args.name, printed=args.printed, issued=args.issued,
                         returned=args.returned, spoiled=args.spoiled, mobile=mobile,
                         actor=operator(args), clock=clock)
        if isinstance(got, Refusal):
            return _refused(got)
        print(f"{args.name.strip()} 已登记：印制 {args.printed}，发出 {args.issued}，"
              f"收回 {args.returned}，作废 {args.spoiled}")
        print(f"{got.label} 发出合计 {got.issued} 张（冻结实到 {got.snapshot.present} 人）　"
              f"收回合计 {got.returned} 张")
        return 0
    return with_round(args, act)
