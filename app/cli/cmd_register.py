"""`pollday import-register` and `pollday register`: the register (名册) from the command line.

    pollday import-register --db PATH FILE [--sheet NAME] [--map 表头=字段 ...] [--update [--dry-run]]
        Adds everyone in FILE (CSV in UTF-8 or GBK, or XLSX) to the register, all or nothing.
        XLSX: the active, visible sheet is read (or the one sheet holding a register), and the
        sheet read is printed; --sheet NAME reads that sheet (hidden or not).
        Exit 0 printing the number imported and any notes (merged cells filled in); exit 1 with
        every bad row on stderr, one per line (persons already on the register included),
        nothing written.
        --update compares FILE with the register, prints the differences and applies them.

    pollday register --db PATH [--json] [--meeting CODE]
        Everyone on the register (with `education`, 文化程度);
        `votes` tells whether the person votes in the current meeting
        (or --meeting), null when the database has no meeting.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.model import Meeting, Person
    from app.register.importer import Problem

COMMANDS = ("import-register", "register")
EXIT_REFUSED = 1


def register(sub: Any) -> None:
    from app.register.fields import FIELD_LABELS

    imp = sub.add_parser(
        "import-register", help="import the register from CSV or XLSX, 导入名册",
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    imp.add_argument("--db", required=True, type=Path, metavar="PATH",
                     help="database file (created when missing)")
    imp.add_argument("file", type=Path, metavar="FILE", help="register file: .csv or .xlsx")
    imp.add_argument("--map", action="append", default=[], metavar="表头=字段",
                     help="map a column header to a field (empty field: leave the column out); "
                          "fields: " + ", ".join(FIELD_LABELS))
    imp.add_argument("--sheet", metavar="NAME",
                     help="XLSX: the sheet to read (default: the active, visible sheet)")
    imp.add_argument("--update", action="store_true",
                     help="re-import: show added / changed / missing persons and apply")
    imp.add_argument("--dry-run", action="store_true", help="with --update: only show the changes")
    imp.add_argument("--operator", default="", metavar="NAME",
                     help="who imports (a staff list: the 主持人, PIN from POLLDAY_PIN)")
    imp.set_defaults(func=run_import)

    reg = sub.add_parser(
        "register", help="list the register, 名册", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    reg.add_argument("--db", required=True, type=Path, metavar="PATH")
    reg.add_argument("--json", action="store_true", help="JSON list of persons")
    reg.add_argument("--meeting", metavar="CODE", help="meeting for `votes` (default: current)")
    reg.set_defaults(func=run_list)


def parse_mapping(items: list[str]) -> dict[str, str | None] | str:
    from app.register.fields import FIELD_LABELS

    out: dict[str, str | None] = {}
    for item in items:
        header, sep, target = item.partition("=")
        if not sep or not header.strip():
            return f"--map 应写作 表头=字段（如 --map 所在党组织=branch）：{item}"
        t = target.strip()
        if t and t not in FIELD_LABELS:
            return f"--map {item}：字段「{t}」不存在，可用字段：" + ", ".join(FIELD_LABELS)
        out[header.strip()] = t or None
    return out


def _err(lines: list[str]) -> None:
    for line in lines:
        print(line, file=sys.stderr)


def problem_lines(problems: list[Problem]) -> list[str]:
    """One line per bad row (its problems joined with ；), in row order; problems of the file as
    a whole (no row) one per line first."""
    whole = [str(p) for p in problems if p.row is None]
    by_row: dict[int, list[Problem]] = {}
    for p in problems:
        if p.row is not None:
            by_row.setdefault(p.row, []).append(p)
    rows = []
    for row in sorted(by_row):
        first, *more = by_row[row]
        rows.append("；".join([str(first)] + [f"「{p.column}」：{p.reason}" if p.column
                                              else p.reason for p in more]))
    return whole + rows


def _mapping_help(file: str, unknown: list[str]) -> list[str]:
    from app.register.fields import FIELD_LABELS

    return [f"{file}：列「{h}」无法识别，请用 --map {h}=字段 指定它对应的字段，或 --map {h}= 忽略该列"
            for h in unknown] + ["可用字段：" + "，".join(f"{k}（{v}）" for k, v in FIELD_LABELS.items())]


def run_import(args: argparse.Namespace) -> int:
    from app.clock import SystemClock, iso
    from app.register.importer import ImportStatus, import_register
    from db.connection import connect

    mapping = parse_mapping(args.map)
    if isinstance(mapping, str):
        _err([mapping])
        return EXIT_REFUSED
    if not args.file.exists():
        _err([f"文件不存在：{args.file}"])
        return EXIT_REFUSED
    created = not args.db.exists()
    conn = connect(args.db)
    now = iso(SystemClock().now())
    status = EXIT_REFUSED
    try:
        if args.update:
            status = _run_update(conn, args, mapping, now)
            return status
        result = import_register(conn, args.file, now=now, mapping=mapping or None,
                                 actor=args.operator or "cli", sheet=args.sheet)
        if result.sheet:
            print(f"读取工作表「{result.sheet}」 (sheet read: {result.sheet})")
        if result.status is ImportStatus.IMPORTED:
            for note in result.merged + result.notes:
                print(f"注意：{note}")
            print(f"已导入 {result.count} 人 (imported {result.count})")
            from app.electorate import nobody_votes

            for warning in nobody_votes(conn):
                print(f"警告：{warning}")
            status = 0
            return status
        if result.status is ImportStatus.NEEDS_MAPPING:
            _err(_mapping_help(result.file, result.unknown_headers))
        else:
            _err(problem_lines(result.problems))
        return EXIT_REFUSED
    finally:
        conn.close()
        if created and status != 0:
            _remove_new_database(args.db)


def _remove_new_database(path: Path) -> None:
    """A refused import into a database this command created leaves no empty database behind
    (the next attempt would otherwise find a file and the GUI list an empty election)."""
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            p.unlink(missing_ok=True)
        except OSError:
            pass


def _run_update(conn: Any, args: argparse.Namespace, mapping: dict[str, str | None],
                now: str) -> int:
    from app.register.diff import apply_diff, plan_reimport
    from app.register.importer import ImportStatus, Problem

    plan = plan_reimport(conn, args.file, now=now, mapping=mapping or None, sheet=args.sheet)
    if plan.sheet:
        print(f"读取工作表「{plan.sheet}」 (sheet read: {plan.sheet})")
    for note in plan.merged:
        print(f"注意：{note}")
    if plan.status is ImportStatus.NEEDS_MAPPING:
        _err(_mapping_help(plan.file, plan.unknown_headers))
        return EXIT_REFUSED
    if plan.diff is None:
        _err(problem_lines(plan.problems) or [str(Problem(plan.file, None, "", "无法比较"))])
        return EXIT_REFUSED
    for line in plan.diff.lines():
        print(line)
    if args.dry_run or plan.diff.is_empty:
        return 0
    applied = apply_diff(conn, plan.diff, now=now, actor=args.operator or "cli")
    if not applied.ok:
        _err([applied.reason])
        return EXIT_REFUSED
    print(f"已更新：新增 {len(applied.added_ids)} 人，变更 {applied.changed} 人")
    return 0


def person_json(p: Person, votes: bool | None) -> dict[str, object]:
    return {
        "id": p.id, "name": p.name, "gender": p.gender, "birth_date": p.birth_date,
        "education": p.education, "branch": p.branch, "resident_group": p.resident_group, "household": p.household,
        "status": p.party_status.value, "votes": votes, "token": p.token,
    }


def run_list(args: argparse.Namespace) -> int:
    from app.electorate import has_vote
    from app.meetings import Refusal, elector_ids, resolve_meeting
    from app.model import Form
    from db import persons as db_persons
    from db.connection import connect

    if not args.db.exists():
        _err([f"数据库文件不存在：{args.db}"])
        return EXIT_REFUSED
    conn = connect(args.db, create=False)
    try:
        meeting: Meeting | None = None
        got = resolve_meeting(conn, args.meeting)
        if isinstance(got, Refusal):
            if args.meeting:
                _err([got.message])
                return EXIT_REFUSED
        else:
            meeting = got
        electors = elector_ids(conn, meeting.id) if meeting and meeting.form == Form.PLENARY else set()
        persons = db_persons.list_persons(conn)
        rows = [person_json(p, bool(has_vote(p, meeting, is_elector=p.id in electors))
                            if meeting else None) for p in persons]
    finally:
        conn.close()
    try:
        _print_rows(rows, as_json=args.json)
    except BrokenPipeError:
        # The reader (head, a pager) stopped early: not an error. Point stdout at devnull so
        # the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return 0


def _print_rows(rows: list[dict[str, object]], *, as_json: bool) -> None:
    if as_json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return
    for r in rows:
        votes = {True: "有表决权", False: "无表决权"}.get(r["votes"], "")  # type: ignore[call-overload]
        print("\t".join(str(r[k] or "") for k in ("id", "name", "gender", "birth_date", "branch",
                                                   "resident_group", "household", "status"))
              + ("\t" + votes if votes else ""))
