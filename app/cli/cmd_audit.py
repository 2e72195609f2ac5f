"""`pollday audit verify --db PATH [--head HEX]` and `pollday audit list --db PATH [--json]
[--person NAME] [--action CODE] [--meeting CODE] [--since TIME] [--until TIME] [--out FILE]`:
check and read the hash-chained audit log of an election database (opened read-only).

list: every row in words (time, person, action, details: app.audit_catalogue), oldest first,
after the chain check in one line; the filters narrow it (--person: a part of the name; --action:
an action code or its words; --since/--until: "2026-11-29" or "2026-11-29 09:30", the hall's
clock); --out writes the same as PDF or XLSX (by the suffix); --json prints the rows as JSON
(the stored fields plus the words, and `verified`: false from the first row that does not
verify). Exit 1 when a row does not verify (the rows are still
listed, those from the first bad one marked), 2 on a usage problem.

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
    ls = verbs.add_parser("list", help="every audit row in words, oldest first (filters)")
    ls.add_argument("--db", type=Path, required=True, metavar="PATH")
    ls.add_argument("--json", action="store_true")
    ls.add_argument("--person", default="", metavar="NAME", help="who did it (a part of the name)")
    ls.add_argument("--action", default="", metavar="CODE",
                    help="an action code (e.g. sign_in_undone) or its words (撤销签到)")
    ls.add_argument("--meeting", default="", metavar="CODE", help="a meeting's code")
    ls.add_argument("--since", default="", metavar="TIME", help="from (2026-11-29 or 2026-11-29 09:30)")
    ls.add_argument("--until", default="", metavar="TIME", help="to (inclusive; a date: that whole day)")
    ls.add_argument("--out", type=Path, default=None, metavar="FILE",
                    help="also write the list as PDF or XLSX (.pdf / .xlsx)")
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


def _time_arg(text: str, *, end: bool) -> Any:
    """--since/--until: a date (the whole day for --until), or a date and time ("09:30" for
    --until: to the end of that minute); None when it is not one."""
    import datetime as dt

    text = text.strip().replace("T", " ")
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            return dt.datetime.combine(day, dt.time.max if end else dt.time.min)
        got = dt.datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return None
    if end and len(text) == 16:
        got += dt.timedelta(seconds=59, microseconds=999999)
    return got


def _filter(args: argparse.Namespace, conn: Any, entries: list[Any]) -> Any:
    """The filter from the options, or a usage problem in words (str)."""
    from app.audit_catalogue import CATALOGUE
    from app.audit_log import Filter, meeting_names

    action = args.action.strip()
    if action and action not in CATALOGUE and action not in {e.action for e in entries}:
        by_words = [c for c, a in CATALOGUE.items() if a.words == action]
        if not by_words:
            return f"--action {action}：没有这个动作（动作代码或名称，如 sign_in_undone 或 撤销签到）"
        action = by_words[0]
    meeting_id = None
    if args.meeting.strip():
        codes = {code: mid for mid, (code, _t) in meeting_names(conn).items()}
        if args.meeting.strip() not in codes:
            return f"--meeting {args.meeting}：没有这个会议代码（有：{'、'.join(codes) or '无'}）"
        meeting_id = codes[args.meeting.strip()]
    since = _time_arg(args.since, end=False) if args.since else None
    until = _time_arg(args.until, end=True) if args.until else None
    for flag, text, got in (("--since", args.since, since), ("--until", args.until, until)):
        if text and got is None:
            return f"{flag} {text}：不是日期或时间（如 2026-11-29 或 2026-11-29 09:30）"
    return Filter(person=args.person.strip(), exact_person=False, action=action,
                  meeting_id=meeting_id, since=since, until=until)


def run_list(args: argparse.Namespace) -> int:
    import datetime as dt

    from app.audit_log import check_chain, filter_entries, meeting_names, read_entries

    conn = _open(args.db)
    if conn is None:
        return EXIT_USAGE
    try:
        entries = read_entries(conn)
        f = _filter(args, conn, entries)
        if isinstance(f, str):
            print(f, file=sys.stderr)
            return EXIT_USAGE
        check = check_chain(conn, entries=entries)
        titles = {mid: t for mid, (_c, t) in meeting_names(conn).items()}
        community = _community(conn)
    finally:
        conn.close()
    shown = filter_entries(entries, f)
    if args.out is not None:
        from app.documents.audit_report import write_report

        problem = write_report(shown, check, args.out, dt.datetime.now(), community=community,
                               filter_words=f.describe(titles))
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_BROKEN
    if args.json:
        bad = check.broken_at
        print(json.dumps([{**e.as_json(), "verified": bad is None or e.id < bad} for e in shown],
                         ensure_ascii=False, indent=2))
        return 0 if check.intact else EXIT_BROKEN
    out = sys.stdout if check.intact else sys.stderr
    print(f"审计日志：{args.db}", file=out)
    for line in check.lines()[:2]:
        print(f"  {line}", file=out)
    print(f"  范围：{f.describe(titles)}，列出 {len(shown)} 条", file=out)
    bad_rows = set(check.broken_rows)
    for e in shown:
        mark = (" [校验不符]" if e.id in bad_rows else
                " [无法核实]" if check.broken_at is not None and e.id >= check.broken_at else "")
        print(f"{e.id:>5}  {e.time}  {e.operator}  {e.words}{mark}：{e.text}")
    if args.out is not None:
        print(f"已写入：{args.out}")
    return 0 if check.intact else EXIT_BROKEN


def _community(conn: Any) -> str:
    from app.meetings import list_meetings

    try:
        found = list_meetings(conn)
    except Exception:  # noqa: BLE001 - the title is a nicety; the log prints without it
        return ""
    return found[0].community if found else ""
