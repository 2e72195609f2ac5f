"""`pollday district ...`: the district office's side (区/街道换届办), its own database.

    district import --db DISTRICT_DB PACKAGE|DIR...   one JSON line per package:
        {"package", "community", "result": imported|superseded|duplicate|rejected|quarantined,
         "reason", "short_hash", "fingerprint", "flagged"}  (exit 0; 3 when any was rejected or
        quarantined: signed by a key other than the community's, never counted until approved)
    district plan --db DISTRICT_DB FILE.xlsx          the plan: 社区, 计划日期[, 街道]
    district previous --db DISTRICT_DB FILE.xlsx      the previous term's make-up per body and
        per post (班子[, 职务], 人数, 平均年龄, …); a row whose 班子 or 职务 is not recognised is
        refused with its row and the reason, and nothing is stored
    district option --db DISTRICT_DB --under35 inclusive|exclusive   35岁以下 counts 35
        (inclusive, the default: 以下 includes the number) or only those under 35
    district report --db DISTRICT_DB [--json] [--out FILE.xlsx|FILE.pdf]
    district daily --db DISTRICT_DB [--date YYYY-MM-DD] [--json] [--out FILE.xlsx|FILE.pdf]
    district history --db DISTRICT_DB                 every import attempt, JSON lines
    district key --db DISTRICT_DB COMMUNITY FINGERPRINT  register the community's signing key
        (from the paper hand-over slip): a package signed by another key is quarantined
    district confirm-key --db DISTRICT_DB COMMUNITY FINGERPRINT  the fingerprint read from the
        paper slip equals the key of the community's first package: registered, 未核对密钥 cleared
    district packages --db DISTRICT_DB                 every package with its status, JSON lines
        (counted | history | quarantined | excluded, and why)
    district approve|exclude|include --db DISTRICT_DB PACKAGE --reason TEXT [--by NAME]
        PACKAGE: the short hash (or #id); approve a quarantined package, exclude a package from
        the figures, include an excluded one again; written to the decision log
    district audit --db DISTRICT_DB                   the decision log, JSON lines

The report's JSON: `communities` (how many), `stages`, `planned`, `completed`, `on_time`,
`on_time_rate`, `one_pass`, `one_pass_rate`, `party_expected`, `party_present`,
`party_attendance_rate` (党员大会出席率: the party meetings), `voter_expected`, `voter_present`,
`voter_turnout_rate` (选民参选率: the residents' meetings; never summed with the party's),
`dual_role_rate`, `flagged`, `units`, `makeup` (per body type: members, average_age, college and
college_pct, bachelor and bachelor_pct, under35 and under35_pct, women and women_pct, part_time,
retained, new, previous, changes), `posts` (the same per post of a body: 党组织书记, 居委会主任 …),
`two_committees` (两委, each person once), `under35_includes_35`, `age` and `per_community` (one
object per community, with its own `party_attendance_rate`, `voter_turnout_rate`, `covers` and
`missing_bodies`: 已完成 needs both 两委 bodies). Every rate and share is a JSON NUMBER, a
percent (0-100): `one_pass_rate` 71.43 means 71.43 %; `units` names the unit of each kind of
figure. Computed from exact fractions and rounded half up once (app/district/rates.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("district",)

EXIT_REFUSED = 1
EXIT_REJECTED = 3


def register(sub: Any) -> None:
    parser = sub.add_parser("district", help="district office: import packages, report, 区汇总",
                            description=__doc__,
                            formatter_class=argparse.RawDescriptionHelpFormatter)
    dsub = parser.add_subparsers(dest="district_command", metavar="ACTION", required=True)
    imp = dsub.add_parser("import", help="import 报送包 files (or folders of them)")
    imp.add_argument("--db", required=True, type=Path)
    imp.add_argument("packages", nargs="+", type=Path, metavar="PACKAGE")
    imp.set_defaults(func=run_import)
    for name, helptext in (("plan", "import the plan XLSX (社区, 计划日期)"),
                           ("previous", "import the previous term's make-up XLSX")):
        p = dsub.add_parser(name, help=helptext)
        p.add_argument("--db", required=True, type=Path)
        p.add_argument("file", type=Path, metavar="FILE.xlsx")
        p.set_defaults(func=run_sheet, sheet=name)
    opt = dsub.add_parser("option", help="how 35岁以下 is counted")
    opt.add_argument("--db", required=True, type=Path)
    opt.add_argument("--under35", required=True, choices=("inclusive", "exclusive"),
                     help="inclusive: 35 counts as 以下 (default); exclusive: under 35 only")
    opt.set_defaults(func=run_option)
    rep = dsub.add_parser("report", help="figures: JSON, text, or XLSX/PDF")
    rep.add_argument("--db", required=True, type=Path)
    rep.add_argument("--json", action="store_true")
    rep.add_argument("--out", type=Path, metavar="FILE.xlsx|FILE.pdf")
    rep.add_argument("--date", metavar="YYYY-MM-DD", help="the report's date (default: today)")
    rep.set_defaults(func=run_report, daily=False)
    day = dsub.add_parser("daily", help="日报: completed today, cumulative, remaining")
    day.add_argument("--db", required=True, type=Path)
    day.add_argument("--date", metavar="YYYY-MM-DD")
    day.add_argument("--json", action="store_true")
    day.add_argument("--out", type=Path, metavar="FILE.xlsx|FILE.pdf")
    day.set_defaults(func=run_report, daily=True)
    key = dsub.add_parser("key", help="register a community's signing key fingerprint")
    key.add_argument("--db", required=True, type=Path)
    key.add_argument("community")
    key.add_argument("fingerprint", help="e.g. 994F-AAAB-FC9C-B86E")
    key.set_defaults(func=run_key)
    conf = dsub.add_parser("confirm-key", help="confirm the first package's key against the slip")
    conf.add_argument("--db", required=True, type=Path)
    conf.add_argument("community")
    conf.add_argument("fingerprint", help="as printed on the paper hand-over slip")
    conf.add_argument("--by", default="", help="who compared (default: the login name)")
    conf.set_defaults(func=run_confirm)
    for action, helptext in (("approve", "count a quarantined package (another key)"),
                             ("exclude", "stop counting a package"),
                             ("include", "count an excluded package again")):
        d = dsub.add_parser(action, help=helptext)
        d.add_argument("--db", required=True, type=Path)
        d.add_argument("package", help="short hash (as on the slip) or #id")
        d.add_argument("--reason", required=True)
        d.add_argument("--by", default="", help="who decides (default: the login name)")
        d.set_defaults(func=run_decide, action=action)
    pk = dsub.add_parser("packages", help="every package and its status as JSON lines")
    pk.add_argument("--db", required=True, type=Path)
    pk.set_defaults(func=run_packages)
    au = dsub.add_parser("audit", help="the decision log as JSON lines")
    au.add_argument("--db", required=True, type=Path)
    au.set_defaults(func=run_audit)
    key.add_argument("--by", default="", help="who registers (default: the login name)")
    hist = dsub.add_parser("history", help="every import attempt as JSON lines")
    hist.add_argument("--db", required=True, type=Path)
    hist.set_defaults(func=run_history)


def _now() -> dt.datetime:
    from app.clock import SystemClock

    return SystemClock().now()


def _open(path: Path, create: bool) -> Any:
    from db.district import NotADistrictDatabase, connect

    try:
        return connect(path, create=create)
    except (NotADistrictDatabase, FileNotFoundError) as e:
        print(f"district: {e}", file=sys.stderr)
        return None


def run_import(args: argparse.Namespace) -> int:
    from app.district.importing import expand, import_package

    paths = expand(args.packages)
    if not paths:
        print("district import: 没有找到报送包（*.pollday）", file=sys.stderr)
        return EXIT_REFUSED
    conn = _open(args.db, True)
    if conn is None:
        return EXIT_REFUSED
    rejected = False
    try:
        for path in paths:
            r = import_package(conn, path, _now())
            rejected |= r.result in ("rejected", "quarantined")
            sys.stdout.write(json.dumps(r.json(), ensure_ascii=False) + "\n")
            sys.stdout.flush()
    finally:
        conn.close()
    return EXIT_REJECTED if rejected else 0


def run_sheet(args: argparse.Namespace) -> int:
    from app.clock import iso
    from app.district import sheets

    if not args.file.exists():
        print(f"district {args.sheet}: 文件不存在：{args.file}", file=sys.stderr)
        return EXIT_REFUSED
    conn = _open(args.db, True)
    if conn is None:
        return EXIT_REFUSED
    try:
        rows = sheets.load_sheet(conn, args.sheet, args.file, iso(_now()))
    except Exception as e:  # openpyxl raises many kinds for a file that is not a workbook
        print(f"district {args.sheet}: 无法读取 {args.file}：{e}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        conn.close()
    if isinstance(rows, sheets.SheetProblems):
        for m in rows.messages:
            print(f"district {args.sheet}: {m}", file=sys.stderr)
        return EXIT_REFUSED
    if args.sheet == "plan":
        print(f"计划已导入：{len(rows)} 个社区")
    else:
        print(f"上届班子结构已导入：{len(rows)} 项数据")
    return 0


def run_option(args: argparse.Namespace) -> int:
    from app.district.figures import set_young_inclusive

    conn = _open(args.db, True)
    if conn is None:
        return EXIT_REFUSED
    try:
        set_young_inclusive(conn, args.under35 == "inclusive")
    finally:
        conn.close()
    print("35岁以下：" + ("含35岁" if args.under35 == "inclusive" else "不含35岁（未满35岁）"))
    return 0


def run_report(args: argparse.Namespace) -> int:
    from app.district import rates
    from app.district.figures import build_report, daily
    from app.district.text import report_text

    conn = _open(args.db, False)
    if conn is None:
        return EXIT_REFUSED
    try:
        report = build_report(conn)
    finally:
        conn.close()
    day = dt.date.fromisoformat(args.date) if args.date else _now().date()
    if args.out is not None:
        from app.district.export import write_report

        problem = write_report(report, args.out, day, daily_only=args.daily, at=_now())
        if problem:
            print(f"district: {problem}", file=sys.stderr)
            return EXIT_REFUSED
        print(f"已写出 {args.out}")
    doc = rates.jsonable(daily(report, day)) if args.daily else report.json()
    if args.json:
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    elif args.out is None:
        print(report_text(report, day, daily_only=args.daily))
    return 0


def run_history(args: argparse.Namespace) -> int:
    from db import district as store

    conn = _open(args.db, False)
    if conn is None:
        return EXIT_REFUSED
    try:
        for a in store.attempts(conn):
            sys.stdout.write(json.dumps(a, ensure_ascii=False) + "\n")
    finally:
        conn.close()
    return 0


def _by(args: argparse.Namespace) -> str:
    import getpass

    if args.by.strip():
        return str(args.by).strip()
    try:
        return getpass.getuser()
    except (KeyError, OSError):   # no login name in this environment
        return "未署名"


def _outcome(command: str, ok: bool, message: str) -> int:
    if ok:
        print(message)
        return 0
    print(f"district {command}: {message}", file=sys.stderr)
    return EXIT_REFUSED


def run_key(args: argparse.Namespace) -> int:
    from app.district.decisions import register_key

    return _run_key_step(args, "key", register_key, create=True)


def run_confirm(args: argparse.Namespace) -> int:
    from app.district.decisions import confirm_key

    return _run_key_step(args, "confirm-key", confirm_key, create=False)


def _run_key_step(args: argparse.Namespace, command: str, step: Any, *, create: bool) -> int:
    """`district key` and `district confirm-key`: the same shape, COMMUNITY FINGERPRINT."""
    conn = _open(args.db, create)
    if conn is None:
        return EXIT_REFUSED
    try:
        out = step(conn, args.community, args.fingerprint, by=_by(args), at=_now())
    finally:
        conn.close()
    return _outcome(command, out.ok, out.message)


def run_decide(args: argparse.Namespace) -> int:
    from app.district.decisions import decide

    conn = _open(args.db, False)
    if conn is None:
        return EXIT_REFUSED
    try:
        out = decide(conn, args.action, args.package, reason=args.reason, by=_by(args),
                     at=_now())
    finally:
        conn.close()
    return _outcome(args.action, out.ok, out.message)


def run_packages(args: argparse.Namespace) -> int:
    from app.district.trust import all_trust

    conn = _open(args.db, False)
    if conn is None:
        return EXIT_REFUSED
    try:
        for t in sorted(all_trust(conn).values(), key=lambda t: t.community):
            for s in t.states:
                sys.stdout.write(json.dumps({**s.json(), "key_status": t.key_status},
                                            ensure_ascii=False) + "\n")
    finally:
        conn.close()
    return 0


def run_audit(args: argparse.Namespace) -> int:
    from db import district as store

    conn = _open(args.db, False)
    if conn is None:
        return EXIT_REFUSED
    try:
        for d in store.decisions(conn):
            sys.stdout.write(json.dumps(d.json(), ensure_ascii=False) + "\n")
    finally:
        conn.close()
    return 0
