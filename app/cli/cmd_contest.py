"""Contests (选举事项) and their candidates, as on the 准备 · 选举事项 page:

    pollday contest add --db PATH --title 委员 --seats 7 [--kind committee|leader] [--code C]
                        [--body 居委会] [--post 委员|书记|副书记|纪委书记|主任|副主任|理事长…]
    pollday contest set-post --db PATH --contest C --post 书记   (--post "" clears it)
    pollday contest set-body --db PATH --contest C --body 党组织委员会   (--body "" clears it)
    pollday contest list --db PATH [--json]
    pollday contest set-seats --db PATH --contest C --seats N
    pollday contest withdraw --db PATH --contest C --reason WHY
    pollday candidate add --db PATH --contest C PERSON | --name 姓名 [--gender M|F]
                          [--despite-elected REASON]
    pollday candidate list --db PATH --contest C [--explain] [--json]
    pollday candidate withdraw --db PATH --contest C NAME --reason WHY
    pollday candidate part-time --db PATH --contest C NAME [--no]   兼职委员 (or not)

PERSON is a register id, the QR token or the ID number (name and gender then come from the
register); --name adds a candidate who is not on the register. Candidates are always listed in
stroke order (按姓氏笔画为序：笔画数、笔顺、同笔顺时先横后提、先竖后竖钩、先点后捺; --explain shows each character's strokes) with the
candidate-margin check in the page's words. The post (职务, for the district's figures) is one of
a fixed list; it defaults to the title when the title is one of the posts word for word. A contest's kind defaults as on the page: leader for
书记、副书记、纪委书记、主任、副主任, committee otherwise; its code defaults to the next free c1, c2, ….
The body (班子, for the district's figures) is one of 党组织委员会、纪委、居委会、居务监督委员会、
合作社理事会、合作社监事会; --body also takes an organisation's full name it can place (e.g.
XX社区居民委员会 counts as 居委会); a contest without a body counts as 其他 in the district report.
Seats can be changed and a contest withdrawn only before its first round is opened.
In a residents' meeting a person already elected to another post of the same body (e.g. elected
委员, then added as a 副主任 candidate) is refused (ALREADY_ELECTED, with the post and round):
the rules do not say, the app takes the strict reading and the supervising office decides;
--despite-elected REASON adds the candidate all the same (the reason audited), but a round that
elects that person to the second post is locked only with the supervising office's decision
in words (`pollday lock … --decision TEXT`).
All act on the current meeting unless --meeting CODE. Exit status: 0 done, 1 refused (the
reason printed with its code, nothing written), 2 usage (a field is wrong or missing).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

    from app.meetings import Contest, Refusal
    from app.model import Meeting

EXIT_REFUSED = 1
EXIT_USAGE = 2
SINGLE_POSTS = ("书记", "副书记", "纪委书记", "主任", "副主任")
# app.posts.POSTS (kept literal here: the module's top level imports nothing of app/).
POST_CHOICES = ("委员", "书记", "副书记", "纪委书记", "纪委副书记", "主任", "副主任", "理事长",
                "副理事长", "监事长", "副监事长")
# app.posts.BODIES (literal for the same reason).
BODIES = ("党组织委员会", "纪委", "居委会", "居务监督委员会", "合作社理事会", "合作社监事会")
GENDER_ZH = {"M": "男", "F": "女", None: ""}


class UsageError(Exception):
    """A field given on the command line is wrong; the message names it."""


def _common(contest: bool) -> argparse.ArgumentParser:
    c = argparse.ArgumentParser(add_help=False)
    c.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
    c.add_argument("--meeting", default=None, metavar="CODE", help="meeting (default: current)")
    c.add_argument("--operator", default="", metavar="X", help="who records it (audit)")
    if contest:
        c.add_argument("--contest", required=True, metavar="CODE", help="选举事项代码")
    return c


COMMANDS = ("contest", "candidate")  # register only when one of these is asked for


def register(sub: Any) -> None:
    p = sub.add_parser("contest", help="选举事项: add, list, set-seats, withdraw",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=lambda a: _run(a, _contest))
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = acts.add_parser("add", parents=[_common(False)], help="a new contest")
    a.add_argument("--title", required=True, help="职务名称, e.g. 委员, 书记, 主任")
    a.add_argument("--seats", required=True, type=int, help="应选名额")
    a.add_argument("--kind", default=None, choices=("committee", "leader"),
                   help="committee 委员（差额选举） | leader 单一职务 (default from the title)")
    a.add_argument("--code", default=None, help="选举事项代码 (default: next free c1, c2, …)")
    a.add_argument("--body", default="", help="班子: " + "、".join(BODIES)
                   + " (or the organisation's full name, e.g. XX社区居民委员会 = 居委会)")
    a.add_argument("--post", default=None, choices=POST_CHOICES,
                   help="职务 (default: the title when it is one of these)")
    sp = acts.add_parser("set-post", parents=[_common(True)], help="choose the contest's 职务")
    sp.add_argument("--post", required=True, choices=("", *POST_CHOICES))
    sb = acts.add_parser("set-body", parents=[_common(True)], help="choose the contest's 班子")
    sb.add_argument("--body", required=True, help="班子: " + "、".join(BODIES) + " (\"\" clears)")
    li = acts.add_parser("list", parents=[_common(False)], help="the contests")
    li.add_argument("--json", action="store_true")
    s = acts.add_parser("set-seats", parents=[_common(True)], help="change 应选名额 before voting")
    s.add_argument("--seats", required=True, type=int)
    w = acts.add_parser("withdraw", parents=[_common(True)], help="withdraw before voting")
    w.add_argument("--reason", default="", help="撤销原因 (required)")

    p = sub.add_parser("candidate", help="候选人: add, list, withdraw (stroke order)",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=lambda a: _run(a, _candidate))
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    a = acts.add_parser("add", parents=[_common(True)], help="add a candidate")
    a.add_argument("person", nargs="?", default=None, metavar="PERSON",
                   help="register id, QR token or ID number")
    a.add_argument("--name", default=None, help="姓名 of a candidate not on the register")
    a.add_argument("--gender", default=None, choices=("M", "F"), help="with --name")
    a.add_argument("--despite-elected", default="", metavar="REASON",
                   help="add a person already elected to another post of the same body "
                        "(the reason is audited)")
    li = acts.add_parser("list", parents=[_common(True)], help="candidates in stroke order")
    li.add_argument("--explain", action="store_true", help="each character's strokes")
    li.add_argument("--json", action="store_true")
    pt = acts.add_parser("part-time", parents=[_common(True)], help="mark 兼职委员")
    pt.add_argument("name", metavar="NAME", help="the candidate's name as listed")
    pt.add_argument("--no", action="store_true", help="not part-time (undo the mark)")
    w = acts.add_parser("withdraw", parents=[_common(True)], help="withdraw (reason required)")
    w.add_argument("name", metavar="NAME", help="the candidate's name as listed")
    w.add_argument("--reason", default="", help="撤销原因 (required)")


# --- shared -----------------------------------------------------------------------------------

def _run(args: argparse.Namespace, func: Any) -> int:
    from app.cli.opening import open_meeting

    opened = open_meeting(args.db, args.meeting)
    if opened is None:
        return EXIT_USAGE
    conn, meeting = opened
    try:
        return int(func(conn, meeting, args))
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE
    finally:
        conn.close()


def _refused(r: Refusal) -> int:
    print(f"{r.code}: {r.message}", file=sys.stderr)
    return EXIT_REFUSED


def _with_margin(conn: sqlite3.Connection, contest: Contest, done: str) -> int:
    """What was done, then the contest's candidate margin in the 选举事项 page's words; exit 0."""
    from app.meetings import contest_margin

    print(done)
    print(contest_margin(conn, contest).words)
    return 0


def _actor(args: argparse.Namespace) -> str:
    return str(args.operator).strip() or "选举工作人员"


def _clock() -> Any:
    from app.clock import SystemClock

    return SystemClock()


def find_contest(conn: sqlite3.Connection, meeting: Meeting, code: str) -> Contest:
    from app.meetings import list_contests

    contests = list_contests(conn, meeting.id)
    found = next((c for c in contests if c.code == code), None)
    if found is None:
        known = "、".join(f"{c.code}（{c.title}）" for c in contests) or "尚无选举事项"
        raise UsageError(f"--contest：{meeting.code} 没有代码为 {code} 的选举事项；已有：{known}")
    return found


def _contest_json(conn: sqlite3.Connection, c: Contest) -> dict[str, Any]:
    from app.meetings import contest_margin, list_candidates

    m = contest_margin(conn, c)
    return {"code": c.code, "title": c.title, "post": c.post, "body": c.body,
            "kind": str(c.kind),
            "seats": c.seats, "candidates": [x.name for x in list_candidates(conn, c.id)],
            "margin_ok": m.ok, "margin": m.words}


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


# --- contest ----------------------------------------------------------------------------------

def _contest(conn: sqlite3.Connection, meeting: Meeting, args: argparse.Namespace) -> int:
    from app import meetings
    from app.meetings import Refusal
    from app.model import ContestKind

    if args.action == "list":
        rows = meetings.list_contests(conn, meeting.id)
        if args.json:
            _print_json([_contest_json(conn, c) for c in rows])
            return 0
        if not rows:
            print(f"{meeting.code} 还没有选举事项（pollday contest add …）")
        for c in rows:
            n = len(meetings.list_candidates(conn, c.id))
            print(f"{c.code}  {c.title}（应选{c.seats}名，候选人{n}名）  {c.kind}  "
                  f"班子：{c.body or '未设定'}  职务：{c.post or '未设定'}")
        return 0
    if args.action == "add":
        title = args.title.strip()
        kind = ContestKind(args.kind) if args.kind else (
            ContestKind.LEADER if title in SINGLE_POSTS else ContestKind.COMMITTEE)
        taken = {c.code for c in meetings.list_contests(conn, meeting.id)}
        code = args.code if args.code is not None else next(
            f"c{i}" for i in range(1, 1000) if f"c{i}" not in taken)
        from app.posts import canonical_body

        if args.body.strip() and canonical_body(args.body) is None:
            print(f"班子“{args.body.strip()}”不在班子列表中（{'、'.join(BODIES)}），"
                  "也不是能归入其中的组织名称", file=sys.stderr)
            return 2
        got = meetings.add_contest(conn, meeting.id, code=code.strip(), title=title, kind=kind,
                                   seats=args.seats, body=args.body.strip(), post=args.post,
                                   clock=_clock(), actor=_actor(args))
        if isinstance(got, Refusal):
            return _refused(got)
        return _with_margin(conn, got, f"已添加：{got.title}，应选{got.seats}名（代码 {got.code}）")
    contest = find_contest(conn, meeting, args.contest)
    if args.action == "set-post":
        from app.meetings.posts import set_contest_post

        posted = set_contest_post(conn, contest.id, args.post, clock=_clock(), actor=_actor(args))
        if isinstance(posted, Refusal):
            return _refused(posted)
        print(f"{posted.title}（{posted.code}）职务：{contest.post or '未设定'} → "
              f"{posted.post or '未设定'}")
        return 0
    if args.action == "set-body":
        from app.meetings.posts import set_contest_body

        bodied = set_contest_body(conn, contest.id, args.body, clock=_clock(), actor=_actor(args))
        if isinstance(bodied, Refusal):
            return _refused(bodied)
        print(f"{bodied.title}（{bodied.code}）班子：{contest.body or '未设定'} → "
              f"{bodied.body or '未设定'}")
        return 0
    if args.action == "set-seats":
        changed = meetings.set_contest_seats(conn, contest.id, args.seats, clock=_clock(),
                                             actor=_actor(args))
        if isinstance(changed, Refusal):
            return _refused(changed)
        return _with_margin(conn, changed, f"{changed.title}（{changed.code}）应选名额："
                                           f"{contest.seats} → {changed.seats}")
    gone = meetings.withdraw_contest(conn, contest.id, why=args.reason, clock=_clock(),
                                     actor=_actor(args))
    if isinstance(gone, Refusal):
        return _refused(gone)
    print(f"已撤销选举事项 {gone.title}（{gone.code}）：{args.reason.strip()}")
    return 0


# --- candidate --------------------------------------------------------------------------------

def _candidate(conn: sqlite3.Connection, meeting: Meeting, args: argparse.Namespace) -> int:
    from app import meetings
    from app.meetings import Refusal

    contest = find_contest(conn, meeting, args.contest)
    if args.action == "list":
        return _list_candidates(conn, contest, args)
    if args.action == "part-time":
        from app.meetings.posts import set_part_time

        marked = set_part_time(conn, contest.id, args.name.strip(), not args.no, clock=_clock(),
                               actor=_actor(args))
        if isinstance(marked, Refusal):
            return _refused(marked)
        print(f"{marked.name}：{'兼职委员' if marked.part_time else '不是兼职委员'}")
        return 0
    if args.action == "withdraw":
        cands = meetings.list_candidates(conn, contest.id)
        cand = next((c for c in cands if c.name == args.name.strip()), None)
        if cand is None:
            known = "、".join(c.name for c in cands) or "无"
            raise UsageError(f"NAME：{contest.title} 没有候选人 {args.name}（现有：{known}）")
        gone = meetings.remove_candidate(conn, cand.id, why=args.reason, clock=_clock(),
                                         actor=_actor(args))
        if isinstance(gone, Refusal):
            return _refused(gone)
        return _with_margin(conn, contest, f"已撤销候选人 {gone.name}（{args.reason.strip()}）")
    if (args.person is None) == (args.name is None):
        raise UsageError("PERSON 或 --name：须给出名册中的人员（编号、二维码或身份证号），"
                         "或用 --name 添加名册外的候选人，二者选一")
    if args.person is not None:
        from app.attendance import find_person

        person = find_person(conn, args.person)
        if person is None:
            raise UsageError(f"PERSON：名册中没有此人（编号、二维码或身份证号）/ unknown person: "
                             f"{args.person}")
        got = meetings.add_candidate(conn, contest.id, name=person.name, person_id=person.id,
                                     clock=_clock(), actor=_actor(args),
                                     despite_elected=args.despite_elected)
    else:
        got = meetings.add_candidate(conn, contest.id, name=args.name, gender=args.gender,
                                     clock=_clock(), actor=_actor(args),
                                     despite_elected=args.despite_elected)
    if isinstance(got, Refusal):
        code = _refused(got)
        if got.code == "ALREADY_ELECTED":
            print("如经街道（乡镇）选举工作指导机构决定仍列为候选人，请加 --despite-elected 原因",
                  file=sys.stderr)
        return code
    return _with_margin(conn, contest, f"已添加候选人 {got.name}")


def _list_candidates(conn: sqlite3.Connection, contest: Contest,
                     args: argparse.Namespace) -> int:
    from app import meetings
    from app.names import explain

    cands = meetings.list_candidates(conn, contest.id)   # stroke order
    margin = meetings.contest_margin(conn, contest)
    if args.json:
        _print_json({"contest": contest.code, "title": contest.title, "seats": contest.seats,
                     "margin_ok": margin.ok, "margin": margin.words,
                     "candidates": [{"name": c.name, "gender": c.gender,
                                     "person_id": c.person_id, "part_time": c.part_time,
                                     "strokes": explain(c.name)}
                                    for c in cands]})
        return 0
    print(f"{contest.title}（{contest.code}）· 应选 {contest.seats} 名 · 候选人（按姓氏笔画为序）：")
    for i, c in enumerate(cands, 1):
        source = "名册" if c.person_id is not None else "手工录入"
        strokes = f"\t{explain(c.name)}" if args.explain else ""
        print(f"{i:>3}  {c.name}  {GENDER_ZH.get(c.gender, '')}  {source}{strokes}")
    print(margin.words)
    return 0
