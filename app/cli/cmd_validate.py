"""One-pass validation and the lock, as on the 结果 page:

    pollday validate --db PATH [--meeting CODE] [--contest C] [--json]
    pollday lock     --db PATH [--contest C [--round N]] [--at TIME] [--second NAME]
                     [--decision TEXT]
    pollday unlock   --db PATH --contest C [--round N] --reason WHY [--at TIME]

`validate` checks every recorded round with the counting core and lists, round by round, what
blocks locking and every finding (错误 / 提示 / 已处理) with the rule's text, in the 结果 page's
words; --json gives the same as data. Exit 0 when every round may be locked (no error, counting
finished, officials and boxes recorded), 1 when something blocks, 2 usage.

`lock` locks one round or, without --contest, every round of the meeting not yet locked.
--contest alone locks that contest's LATEST round only (the round being counted now; an earlier
round of it is never locked by it, and a latest round already locked is refused): to lock
another round of the contest, add --round N. Without --contest, every round not yet locked — all or none: when any round may not be locked,
nothing is locked and every reason is printed. Prints each round's hash (校验码). Where the
database has a staff list, two different 监票人 lock: --operator and --second, each with a PIN
(POLLDAY_PIN, POLLDAY_PIN2). A round that elects a person to a second post of the same 居委会
(ELECTED_TO_TWO_POSTS: the rules are silent, the supervising office decides) is locked only with
--decision TEXT, that office's decision in words (e.g. "街道选举工作指导机构意见：同意…", at least
4 characters): stored with the lock, audited with both people, and named by `validate`.
`unlock` (the 总监票人 there)
needs a reason and is refused once a later round of the contest exists. --at TIME stamps the
lock (ISO 8601) so a scripted day is reproducible.
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
    with_round,
)

if TYPE_CHECKING:
    from app.voting import MeetingValidation, RoundValidation


COMMANDS = ("validate", "lock", "unlock")  # register only when one of these is asked for


def register(sub: Any) -> None:
    p = sub.add_parser("validate", help="一次性验证: every rule over every round",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--meeting", default=None, metavar="CODE", help="meeting (default: current)")
    p.add_argument("--contest", default=None, metavar="CODE", help="only this contest")
    p.add_argument("--json", action="store_true", help="findings as JSON")
    p.set_defaults(func=run_validate)

    p = sub.add_parser("lock", help="锁定结果 (refused while an error stands)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--meeting", default=None, metavar="CODE", help="meeting (default: current)")
    p.add_argument("--contest", default=None, metavar="CODE",
                   help="lock only this contest's latest round (the one being counted; another "
                        "round: --round N); default: every round of the meeting not yet locked")
    p.add_argument("--round", type=int, default=None, metavar="N",
                   help="with --contest: the round to lock (default: the contest's latest)")
    p.add_argument("--operator", default="", metavar="NAME", help="who locks (audit)")
    p.add_argument("--second", default="", metavar="NAME",
                   help="the second 监票人 where a staff list exists (PIN: POLLDAY_PIN2)")
    p.add_argument("--at", default=None, metavar="TIME", help="lock time (ISO 8601); default now")
    p.add_argument("--decision", default="", metavar="TEXT",
                   help="for a person elected to a second post of the same body only: the "
                        "supervising office's decision in words (recorded with the lock)")
    p.set_defaults(func=run_lock)

    p = sub.add_parser("unlock", help="解除锁定 (reason required)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_round_options(p)
    p.add_argument("--reason", default="", help="解除锁定的原因 (required)")
    p.set_defaults(func=run_unlock)


def _finding_json(v: RoundValidation) -> list[dict[str, Any]]:
    return [{"code": f.code.value, "severity": f.severity.value, "title": f.title_zh,
             "detail": f.detail_zh, "rule": f.rule_zh, "settled": f.code in v.settled}
            for f in v.findings]


def _round_json(v: RoundValidation) -> dict[str, Any]:
    r, res = v.round, v.result
    return {"contest": r.contest_code, "round": r.number, "kind": r.kind.value,
            "label": r.label, "state": r.state.value,
            "status": res.status.value if res else None,
            "elected": list(res.elected) if res else [],
            "may_lock": v.may_lock, "lock_hash": r.lock.hash if r.lock else None,
            "problems": [{"code": p.code, "message": p.message,
                          **({"decision": p.decision} if p.decision else {})}
                         for p in v.problems],
            "findings": _finding_json(v)}


def validation_json(mv: MeetingValidation, contest: str | None) -> dict[str, Any]:
    contests = [c for c in mv.contests if contest is None or c.code == contest]
    return {"meeting": mv.meeting.code,
            "may_lock": all(v.may_lock for c in contests for v in c.rounds)
            and any(c.rounds for c in contests),
            "complete": all(c.complete for c in contests) and bool(contests),
            "contests": [{"code": c.code, "title": c.title, "seats": c.seats,
                          "elected": list(c.elected), "complete": c.complete,
                          "rounds": [_round_json(v) for v in c.rounds]} for c in contests]}


def _meeting_validation(args: argparse.Namespace) -> tuple[Any, MeetingValidation] | int:
    from app.cli.opening import open_meeting
    from app.meetings import Refusal
    from app.voting import validate_meeting

    opened = open_meeting(args.db, args.meeting)
    if opened is None:
        return EXIT_USAGE
    conn, meeting = opened
    mv = validate_meeting(conn, meeting.id)
    if isinstance(mv, Refusal):  # the meeting was just found: not expected
        conn.close()
        print(f"{mv.code}: {mv.message}", file=sys.stderr)
        return EXIT_REFUSED
    codes = [c.code for c in mv.contests]
    if args.contest is not None and args.contest not in codes:
        conn.close()
        print(f"--contest：{meeting.code} 没有代码为 {args.contest} 的选举事项；已有："
              f"{'、'.join(codes) or '尚无选举事项'}", file=sys.stderr)
        return EXIT_USAGE
    return conn, mv


def run_validate(args: argparse.Namespace) -> int:
    from app.rules import STATUS_ZH
    from app.voting.report import round_lines

    got = _meeting_validation(args)
    if isinstance(got, int):
        return got
    conn, mv = got
    conn.close()
    data = validation_json(mv, args.contest)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0 if data["may_lock"] else EXIT_REFUSED
    for c in mv.contests:
        if args.contest is not None and c.code != args.contest:
            continue
        done = "已选足" if c.complete else f"尚缺{c.unfilled}名"
        print(f"== {c.title}（{c.code}）应选{c.seats}名，当选 {'、'.join(c.elected) or '无'}"
              f"（{done}）")
        if not c.rounds:
            print("  尚未开始投票")
        for v in c.rounds:
            status = STATUS_ZH[v.result.status] if v.result else "计票未完成"
            lock = f"，已锁定 {v.round.lock.hash}" if v.round.lock else ""
            print(f"-- {v.round.label}：{status}{lock}")
            for line in round_lines(v):
                print("  " + line.text.replace("\n", "\n  "))
    print("可以锁定" if data["may_lock"] else "不能锁定：须先处理上列问题")
    return 0 if data["may_lock"] else EXIT_REFUSED


def run_lock(args: argparse.Namespace) -> int:
    from app.meetings import Refusal
    from app.voting import State, lock_round
    from app.voting.model import locked_words

    clock = clock_at(args.at)
    if clock is None:
        return EXIT_USAGE
    got = _meeting_validation(args)
    if isinstance(got, int):
        return got
    conn, mv = got
    try:
        todo = [v for c in mv.contests if args.contest in (None, c.code) for v in c.rounds]
        if args.contest is not None:
            if args.round is not None:
                todo = [v for v in todo if v.round.number == args.round]
            else:
                todo = todo[-1:]
            if not todo:
                which = f"第{args.round}轮" if args.round is not None else "任何一轮"
                print(f"NO_SUCH_ROUND: {args.contest} 尚无{which}投票", file=sys.stderr)
                return EXIT_REFUSED
            if todo[0].round.state is State.LOCKED:
                lock = todo[0].round.lock
                print(f"ALREADY_LOCKED: {todo[0].round.label} 已锁定（{lock.hash if lock else ''}）",
                      file=sys.stderr)
                return EXIT_REFUSED
        todo = [v for v in todo if v.round.state is not State.LOCKED]
        if not todo:
            print("NOTHING_TO_LOCK: 没有待锁定的轮次（尚未投票或已全部锁定）", file=sys.stderr)
            return EXIT_REFUSED
        from app.voting.validate import DECISION_MIN

        decision = args.decision.strip()
        blocked = [v for v in todo if not v.may_lock
                   and not (v.needs_decision and len(decision) >= DECISION_MIN)]
        for v in blocked:  # the core's words, as lock_round says them
            print(f"LOCK_REFUSED: {v.round.label} 不能锁定："
                  + "；".join(v.lock_reasons), file=sys.stderr)
            if v.needs_decision and not v.blocking:
                print(f"  如街道（乡镇）选举工作指导机构同意，加 --decision \"其意见\"（至少 "
                      f"{DECISION_MIN} 个字）锁定，例如 --decision \"街道选举工作指导机构意见：同意…\"",
                      file=sys.stderr)
        if blocked:
            return EXIT_REFUSED
        for v in todo:
            locked = lock_round(conn, v.round.id, actor=operator(args), clock=clock,
                                second=args.second or None, decision=decision)
            if isinstance(locked, Refusal):
                print(f"{locked.code}: {locked.message}", file=sys.stderr)
                return EXIT_REFUSED
            lock = locked.round.lock
            # The label already names the contest; the words are the 结果 page's.
            print(locked_words(locked.round.label, lock.hash if lock else ""))
            if lock is not None and lock.decision:
                print(f"  按记录的决定锁定（一人当选同一委员会两个职务）：{lock.decision}")
        return 0
    finally:
        conn.close()


def run_unlock(args: argparse.Namespace) -> int:
    from app.meetings import Refusal
    from app.voting import unlock_round

    def act(conn: Any, r: Any, clock: Any) -> int:
        got = unlock_round(conn, r.id, why=args.reason, actor=operator(args), clock=clock)
        if isinstance(got, Refusal):
            print(f"{got.code}: {got.message}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"{got.label} 已解除锁定（{args.reason.strip()}）")
        return 0
    return with_round(args, act)
