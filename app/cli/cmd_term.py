"""The previous term's members (上届班子成员), by register person, for 留任 / 新提拔:

    pollday previous-term mark --db PATH PERSON --body 党组织委员会 [--post 书记] [--remove]
    pollday previous-term import --db PATH FILE.xlsx   (姓名, 身份证号 or 编号, 班子, 职务)
    pollday previous-term list --db PATH [--json]

PERSON is a register id, the QR token or the ID number. --body is one of 党组织委员会, 纪委,
居委会, 居务监督委员会, 合作社理事会, 合作社监事会 (a common variant is stored as its one spelling:
居民委员会 → 居委会, 党委 → 党组织委员会, 纪律检查委员会 → 纪委); --post one of the posts (default 委员: a plain
member; a 书记 is marked twice, 书记 and 委员, when the district should count them as both). A sheet
with any row that cannot be placed is refused whole, naming the row and the reason. The package
carries each elected person's previous seats; the district counts 留任 and 新提拔 from them.
Exit status: 0 done, 1 refused, 2 usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("previous-term",)
BODIES = ("党组织委员会", "纪委", "居委会", "居务监督委员会", "合作社理事会", "合作社监事会")


def register(sub: Any) -> None:
    p = sub.add_parser("previous-term", help="上届班子成员: mark, import, list",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=_run)
    acts = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
    common.add_argument("--operator", default="", metavar="X", help="who records it (audit)")
    m = acts.add_parser("mark", parents=[common], help="mark one person")
    m.add_argument("person", metavar="PERSON")
    m.add_argument("--body", required=True, metavar="BODY",
                   help="、".join(BODIES) + " (居民委员会 etc. are taken as 居委会)")
    m.add_argument("--post", default="委员")
    m.add_argument("--remove", action="store_true", help="take the mark back")
    i = acts.add_parser("import", parents=[common], help="import a sheet")
    i.add_argument("file", type=Path, metavar="FILE")
    li = acts.add_parser("list", parents=[common], help="list")
    li.add_argument("--json", action="store_true")


def _run(args: argparse.Namespace) -> int:
    from app.attendance import find_person
    from app.clock import SystemClock
    from app.meetings import Refusal
    from app.meetings.posts import PreviousMember, import_previous, list_previous, mark_previous
    from db.connection import connect

    conn = connect(args.db, create=False)
    actor = str(args.operator).strip() or "选举工作人员"
    try:
        if args.action == "list":
            rows = list_previous(conn)
            if args.json:
                print(json.dumps([{"person_id": r.person_id, "name": r.name, "body": r.body,
                                   "post": r.post} for r in rows], ensure_ascii=False, indent=1))
            for r in [] if args.json else rows:
                print(f"{r.name}（编号 {r.person_id}）  {r.body}  {r.post}")
            return 0
        got: list[PreviousMember] | PreviousMember | Refusal
        if args.action == "import":
            got = import_previous(conn, args.file, clock=SystemClock(), actor=actor)
        else:
            person = find_person(conn, args.person)
            if person is None:
                print(f"PERSON：名册中没有此人（编号、二维码或身份证号）：{args.person}",
                      file=sys.stderr)
                return 2
            got = mark_previous(conn, person.id, args.body, args.post, clock=SystemClock(),
                                actor=actor, remove=args.remove)
        if isinstance(got, Refusal):
            print(f"{got.code}: {got.message}", file=sys.stderr)
            return 1
        done = got if isinstance(got, list) else [got]
        word = "已取消" if getattr(args, "remove", False) else "已记录"
        print(f"{word}上届班子成员 {len(done)} 条：" + "、".join(
            f"{r.name}（{r.body}{r.post}）" for r in done))
        return 0
    finally:
        conn.close()
