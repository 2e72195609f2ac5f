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


def _text(doc: dict[str, Any]) -> str:
    lines = [f"{doc['title']}（{doc['meeting']}，{doc['rules']}）"]
    for c in doc["contests"]:
        done = "已完成" if c["complete"] else "未完成"
        lines.append(f"  {c['title']}：应选{c['seats']}名，当选 {'、'.join(c['elected']) or '无'}"
                     f"（{done}）")
        for r in c["rounds"]:
            out = r["output"]
            status = out["contests"][0]["status"] if out else "计票未完成"
            lock = f"已锁定 {r['hash']}" if r["hash"] else r["state"]
            lines.append(f"    第{r['round']}轮 {r['kind']}：{status}，{lock}")
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
