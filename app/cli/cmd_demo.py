"""`pollday demo --db PATH [--stage setup|signed-in|final] [--force]`: write the demo venue into a new database.

The demo is a realistic, deterministic community 换届 (新华街道翠湖社区): about 8,200 people on one
register, the 党员大会 (current meeting) with about 1,200 members in 11 branches, exclusions,
leaves, 11 desks and the 委员/纪委委员 contests, the 委员会全体会议 for 书记/副书记, and the 居民委员会
election (about 8,000 voters in 12 residents' groups). Two runs give identical table contents.
An existing database that holds anything is left alone unless --force is given.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sqlite3

COMMANDS = ("demo",)
EXIT_REFUSED = 1
# The same values as app.demo's (a test checks): app.demo is imported only when the command
# runs, so that registering the parser does not slow every other `pollday` call.
STAGES = ("setup", "signed-in", "final")
DEMO_SEED = 20261129


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "demo", help="create the demo venue database, 生成演示数据", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, type=Path, metavar="PATH",
                        help="database file to create")
    parser.add_argument("--stage", choices=list(STAGES), default="setup",
                        help="how far the day has gone (setup: before sign-in; signed-in:"
                             " members signed in; final: the party election counted and locked)")
    parser.add_argument("--force", action="store_true",
                        help="replace an existing database at PATH")
    parser.add_argument("--seed", type=int, default=DEMO_SEED, help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def holds_data(path: Path) -> bool:
    """True when PATH exists and is anything but an empty file or an empty PollDay database."""
    from db import files as dbfiles

    return dbfiles.holds_data(path)


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _print_results(conn: sqlite3.Connection) -> None:
    """The locked rounds of the final stage, with the hashes the notices print."""
    from app.meetings import meeting_by_code
    from app.results import results

    party = meeting_by_code(conn, "party")
    if party is None:
        return
    for c in results(conn, party)["contests"]:
        rounds = "，".join(f"第{r['round']}轮 {r['hash']}" for r in c["rounds"])
        print(f"  {c['title']}当选：{'、'.join(c['elected'])}（{rounds}）")


def run(args: argparse.Namespace) -> int:
    from app.demo import build_demo
    from app.electorate import electorate, load_persons
    from app.meetings import list_desks, list_meetings
    from db.connection import connect

    path: Path = args.db
    if holds_data(path):
        if not args.force:
            print(f"demo: {path} 已有数据，未覆盖（如确需替换，请加 --force）"
                  f" / {path} is not empty; use --force to replace it", file=sys.stderr)
            return EXIT_REFUSED
        remove_database(path)
    started = time.perf_counter()
    conn = connect(path)
    try:
        summary = build_demo(conn, stage=args.stage, seed=args.seed)
        elapsed = time.perf_counter() - started
        print(f"演示数据已写入 {path}：名册 {summary.persons} 人，阶段 {args.stage}，"
              f"用时 {elapsed:.1f} 秒")
        persons = load_persons(conn)
        for m in list_meetings(conn):
            e = electorate(conn, m, persons)
            mark = "（当前会议）" if m.is_current else ""
            print(f"  {m.code}: {m.title}{mark}  有选举权 {e.registered}，不计入应到"
                  f" {len(e.excluded_ids)}，应到 {e.expected}，请假 {len(e.leave_ids)}，"
                  f"列席 {len(e.non_voting)}，签到台 {len(list_desks(conn, m.id))}")
        if args.stage == "final":
            _print_results(conn)
    finally:
        conn.close()
    return 0
