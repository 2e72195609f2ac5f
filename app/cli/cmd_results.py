"""`pollday results --db PATH [--meeting CODE] [--json]`: the recorded rounds of a meeting.

With --json: for each contest its rounds, each round's outcome in the output format of
spec/scenario-format.md (what `pollday scenario run` prints for the exported round), the elected
over all rounds, and the meeting's `one_pass_success`. Without it, a short text summary.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("results",)

EXIT_REFUSED = 1


def register(sub: Any) -> None:
    parser = sub.add_parser("results", help="results of the recorded rounds, 计票结果",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path, metavar="PATH")
    parser.add_argument("--meeting", metavar="CODE", help="meeting code (default: current)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run)


# The words of the 结果 page for the output format's codes.
KIND = {"first": "选举", "runoff": "另行选举", "tie_revote": "重新投票"}
STATE = {"open": "投票计票中", "closed": "计票结束，未锁定", "locked": "已锁定"}
STATUS = {"elected": "选举产生", "tie_revote": "得票相等，须重新投票",
          "runoff_needed": "名额未满，须另行选举", "void_revote": "选举无效，须重新投票",
          "quorum_not_met": "未达到法定人数", "turnout_insufficient": "投票人数不足",
          "setup_invalid": "设置不符合规定"}


def _text(doc: dict[str, Any]) -> str:
    lines = [f"{doc['title']}（{doc['meeting']}，{doc['rules']}）"]
    for c in doc["contests"]:
        done = "已完成" if c["complete"] else "未完成"
        lines.append(f"  {c['title']}：应选{c['seats']}名，当选 {'、'.join(c['elected']) or '无'}"
                     f"（{done}）")
        for r in c["rounds"]:
            out = r["output"]
            contest = out["contests"][0] if out else None
            status = STATUS.get(contest["status"], contest["status"]) if contest else "计票未完成"
            lock = f"已锁定 {r['hash']}" if r["hash"] else STATE.get(r["state"], r["state"])
            lines.append(f"    第{r['round']}轮（{KIND.get(r['kind'], r['kind'])}）：{status}，{lock}")
            for t in contest["tally"] if contest else []:
                mark = "（另选他人）" if t.get("write_in") else ""
                lines.append(f"      {t['name']}{mark}：赞成 {t['approve']}，不赞成 "
                             f"{t['disapprove']}，弃权 {t['abstain']}")
    lines.append(f"  一次性选举成功：{'是' if doc['one_pass_success'] else '否'}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from app.meetings import Refusal, resolve_meeting
    from app.results import results
    from db.connection import connect

    if not args.db.exists():
        print(f"results: 数据库文件不存在：{args.db}", file=sys.stderr)
        return EXIT_REFUSED
    conn = connect(args.db, create=False)
    try:
        meeting = resolve_meeting(conn, args.meeting)
        if isinstance(meeting, Refusal):
            print(f"results: {meeting.message}", file=sys.stderr)
            return EXIT_REFUSED
        doc = results(conn, meeting)
    finally:
        conn.close()
    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    else:
        print(_text(doc))
    return 0
