"""`pollday audit verify --db PATH [--head HEX]` and `pollday audit list --db PATH [--json]`:
check and read the hash-chained audit log of an election database (opened read-only).

verify: every row's hash and link re-computed (exit 0 when intact, 1 with the rows named).
The chain alone cannot show a rewrite by someone who recomputed it; --head, the audit chain head
printed on the notice, the count report or the hand-over slip (64 hex digits, groups and spaces
allowed, or the text of its QR code) or listed in the package manifest (audit.head), proves the
log up to the row it was printed from was not rewritten: that row must still carry that hash and
every row before it re-verify. Exit 2: no such file, or not an election database.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("audit",)

EXIT_BROKEN = 1
EXIT_USAGE = 2


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="check or list an election database's audit log, 审计日志",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    verbs = p.add_subparsers(dest="audit_verb", metavar="verify|list", required=True)
    v = verbs.add_parser("verify", help="re-verify the chain; with --head, against a printed head")
    v.add_argument("--db", type=Path, required=True, metavar="PATH")
    v.add_argument("--head", default=None, metavar="HEX",
                   help="the chain head printed on paper or in the package manifest")
    v.add_argument("--json", action="store_true")
    v.set_defaults(func=run_verify)
    ls = verbs.add_parser("list", help="every audit row, oldest first")
    ls.add_argument("--db", type=Path, required=True, metavar="PATH")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)


def _open(path: Path) -> Any:
    import sqlite3

    from db.audit import open_for_check

    try:
        conn = open_for_check(path)
    except FileNotFoundError:
        print(f"数据库文件不存在：{path}", file=sys.stderr)
        return None
    except sqlite3.DatabaseError as e:
        print(f"{path} 不是可读的数据库文件（{e}）", file=sys.stderr)
        return None
    if conn is None:
        print(f"{path} 不是选举数据库：其中没有审计日志", file=sys.stderr)
    return conn


def run_verify(args: argparse.Namespace) -> int:
    from db.audit import grouped, head, normalise_head, verify_chain, verify_to_head

    printed = None
    if args.head is not None:
        printed = normalise_head(args.head)
        if printed is None:
            print(f"--head {args.head}：不是审计链头（应为64位十六进制，可分组）", file=sys.stderr)
            return EXIT_USAGE
    conn = _open(args.db)
    if conn is None:
        return EXIT_USAGE
    try:
        now = head(conn)
        problems = verify_chain(conn)
        at_row, head_problems = verify_to_head(conn, printed) if printed else (None, [])
    finally:
        conn.close()
    ok = not problems and not head_problems
    if args.json:
        print(json.dumps({"ok": ok, "rows": now.rows, "head": now.hash, "head_row": now.row,
                          "printed_head": printed, "printed_head_row": at_row,
                          "problems": problems + head_problems}, ensure_ascii=False, indent=2))
        return 0 if ok else EXIT_BROKEN
    print(f"审计日志：{args.db}，共 {now.rows} 条")
    print(f"  当前链头（第 {now.row} 条）：{grouped(now.hash)}")
    if problems:
        print(f"  链条断裂：{len(problems)} 处问题（行被改动、删除或调换）", file=sys.stderr)
    else:
        print("  链条完整：每一行的校验值和前后衔接都重新核算无误")
    if printed is not None:
        if head_problems and at_row is None:
            print(f"  与纸面链头不符：没有任何一行的校验值是 {grouped(printed)}。打印该链头之后，"
                  "这之前的记录被改写并重算过链条（或该链头属于另一个数据库）", file=sys.stderr)
        elif head_problems:
            print(f"  纸面链头对应第 {at_row} 条，但此前的记录有问题", file=sys.stderr)
        else:
            print(f"  与纸面链头一致：链头 {grouped(printed)} 是第 {at_row} 条的校验值，"
                  f"到这一条为止的记录未被改写")
    for p in problems + head_problems:
        print(f"    - {p}", file=sys.stderr)
    if ok and printed is None:
        print("  注意：链条完整只说明记录自洽；持有文件的人可重算整条链。请用 --head 与公告、"
              "报告单或交接单上印的审计链头核对")
    return 0 if ok else EXIT_BROKEN


def run_list(args: argparse.Namespace) -> int:
    from db.audit import rows

    conn = _open(args.db)
    if conn is None:
        return EXIT_USAGE
    try:
        found = rows(conn)
    finally:
        conn.close()
    if args.json:
        print(json.dumps(found, ensure_ascii=False, indent=2))
        return 0
    for r in found:
        detail = json.dumps(r["detail"], ensure_ascii=False) if not isinstance(r["detail"], str) \
            else r["detail"]
        print(f"{r['id']:>5}  {r['at']}  {r['actor']}  {r['action']}  {r['outcome']}  {detail}"
              f"  {r['hash'][:12]}")
    return 0
