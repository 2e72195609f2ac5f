"""Setting up a real election before the day, without the demo:

    pollday meeting create --db PATH --code C --title T --community X --organisation O
                           --rules R --form F --date YYYY-MM-DD [--venue V] [--current]
                           [--option key=value ...]
    pollday meeting list|use CODE|set-option key=value ... --db PATH
    pollday exclusion add PERSON --reason R --approval REF --date D --db PATH
    pollday exclusion list --db PATH | lift PERSON --why WHY --db PATH
    pollday leave add PERSON [--reason R] | remove PERSON | list   --db PATH
    pollday desk-setup add --name N [--scope 第一党支部,第二党支部] | remove --name N | list --db PATH
    pollday elector add PERSON ... | remove PERSON | list   --db PATH   (委员会全体会议)

PERSON is a register id, the QR token or the ID number. Every command but `meeting create`
needs an existing database; all but `meeting` act on the current meeting unless --meeting CODE.
Exit status: 0 done, 1 refused (the reason is printed with its code), 2 usage (a field is wrong
or missing; the message names it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

# The use cases are imported in the functions that run a command (start-up of other commands).
from app.model import (
    EXCLUSION_REASON_ZH,
    FORMS_OF_RULES,
    ExclusionReason,
    Form,
    Meeting,
    Organisation,
    Person,
    RuleSet,
)

if TYPE_CHECKING:
    from app.meetings import Refusal

COMMANDS = ("meeting", "exclusion", "leave", "desk-setup", "elector")
EXIT_REFUSED = 1
EXIT_USAGE = 2


class UsageError(Exception):
    """A field given on the command line is wrong; the message names it."""


def _common(with_meeting: bool = True) -> argparse.ArgumentParser:
    c = argparse.ArgumentParser(add_help=False)
    c.add_argument("--db", required=True, type=Path, metavar="PATH", help="election database")
    if with_meeting:
        c.add_argument("--meeting", default=None, metavar="CODE",
                       help="another meeting than the current")
    c.add_argument("--operator", default="", metavar="X", help="who records it (audit)")
    c.add_argument("--json", action="store_true", help="list as JSON")
    return c


def _group(sub: Any, name: str, help_: str, func: Callable[[argparse.Namespace], int]) -> Any:
    p = sub.add_parser(name, help=help_, description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.set_defaults(func=lambda a: _run(a, func))
    return p.add_subparsers(dest="action", metavar="ACTION", required=True)


def register(sub: Any) -> None:
    from app.meetings.words import FORM_ZH, OPTION_ZH, ORGANISATION_ZH

    # meeting
    acts = _group(sub, "meeting", "会议设置: create, list, use, set-option", _meeting)
    c = acts.add_parser("create", parents=[_common(False)], help="a new meeting (creates the db)")
    c.add_argument("--code", required=True, help="会议代码, e.g. party")
    c.add_argument("--title", required=True, help="会议名称")
    c.add_argument("--community", required=True, help="社区")
    c.add_argument("--organisation", required=True,
                   help="选举的组织: " + ", ".join(f"{o}={z}" for o, z in ORGANISATION_ZH.items()))
    c.add_argument("--rules", required=True,
                   help="规则: " + ", ".join(str(r) for r in RuleSet))
    c.add_argument("--form", required=True,
                   help="会议形式: " + ", ".join(f"{f}={z}" for f, z in FORM_ZH.items()))
    c.add_argument("--date", required=True, help="YYYY-MM-DD")
    c.add_argument("--venue", default="", help="地点")
    c.add_argument("--current", action="store_true", help="make it the current meeting")
    c.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="options: " + ", ".join(OPTION_ZH))
    acts.add_parser("list", parents=[_common(False)], help="the meetings (* = current)")
    u = acts.add_parser("use", parents=[_common(False)], help="make a meeting current")
    u.add_argument("code", metavar="CODE")
    s = acts.add_parser("set-option", parents=[_common()], help="set options of a meeting")
    s.add_argument("options", nargs="+", metavar="KEY=VALUE")
    # exclusion
    acts = _group(sub, "exclusion", "不计入应到 (party meetings): add, list, lift", _exclusion)
    a = acts.add_parser("add", parents=[_common()], help="record an approved exclusion")
    a.add_argument("person", metavar="PERSON", help="id, QR token or ID number")
    a.add_argument("--reason", required=True,
                   help="; ".join(f"{r}={z}" for r, z in EXCLUSION_REASON_ZH.items()))
    a.add_argument("--approval", required=True, metavar="REF", help="批准文号")
    a.add_argument("--date", required=True, metavar="D", help="批准日期 YYYY-MM-DD")
    a.add_argument("--detail", default="", help="说明")
    acts.add_parser("list", parents=[_common()], help="the exclusions and live 应到")
    li = acts.add_parser("lift", parents=[_common()], help="lift an exclusion (needs --why)")
    li.add_argument("person", metavar="PERSON")
    li.add_argument("--why", default="", help="撤销原因")
    # leave
    acts = _group(sub, "leave", "请假 (still counted in 应到): add, remove, list", _leave)
    a = acts.add_parser("add", parents=[_common()])
    a.add_argument("person", metavar="PERSON")
    a.add_argument("--reason", default="", help="请假原因")
    r = acts.add_parser("remove", parents=[_common()])
    r.add_argument("person", metavar="PERSON")
    acts.add_parser("list", parents=[_common()])
    # desks
    acts = _group(sub, "desk-setup", "签到台设置: add, remove, list", _desks)
    a = acts.add_parser("add", parents=[_common()])
    a.add_argument("--name", required=True, metavar="N", help="签到台名称")
    a.add_argument("--scope", default="", metavar="A,B",
                   help="支部或居民小组, comma separated; empty = everyone")
    r = acts.add_parser("remove", parents=[_common()])
    r.add_argument("--name", required=True, metavar="N")
    acts.add_parser("list", parents=[_common()])
    # electors
    acts = _group(sub, "elector", "委员会全体会议的选举人: add, remove, list", _electors)
    a = acts.add_parser("add", parents=[_common()])
    a.add_argument("persons", nargs="+", metavar="PERSON")
    r = acts.add_parser("remove", parents=[_common()])
    r.add_argument("person", metavar="PERSON")
    acts.add_parser("list", parents=[_common()])


# --- shared -----------------------------------------------------------------------------------

def _run(args: argparse.Namespace, func: Callable[[argparse.Namespace], int]) -> int:
    try:
        return func(args)
    except UsageError as e:
        print(str(e), file=sys.stderr)
        return EXIT_USAGE


def _open(args: argparse.Namespace) -> sqlite3.Connection:
    from db.connection import connect

    try:
        return connect(args.db, create=False)
    except FileNotFoundError as e:
        raise UsageError(f"--db：数据库文件不存在 / database not found: {args.db}") from e


def _meeting_of(conn: sqlite3.Connection, args: argparse.Namespace) -> Meeting:
    from app import meetings
    from app.meetings import Refusal

    m = meetings.resolve_meeting(conn, getattr(args, "meeting", None))
    if isinstance(m, Refusal):
        hint = "（先用 pollday meeting create 建立会议）" if m.code == "NO_CURRENT_MEETING" else ""
        raise UsageError(f"--meeting：{m.message}{hint}")
    return m


def _person(conn: sqlite3.Connection, ref: str, field: str = "PERSON") -> Person:
    from app.attendance import find_person

    p = find_person(conn, ref)
    if p is None:
        raise UsageError(f"{field}：名册中没有此人（编号、二维码或身份证号）/ unknown person: {ref}")
    return p


def _refused(r: Refusal) -> int:
    print(f"{r.code}: {r.message}", file=sys.stderr)
    return EXIT_REFUSED


def _actor(args: argparse.Namespace) -> str:
    return str(args.operator or "选举工作人员")


def _date(text: str, field: str) -> str:
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError as e:
        raise UsageError(f"{field}：日期应为 YYYY-MM-DD，收到 {text!r}") from e


def _enum(cls: Any, text: str, field: str, names: dict[Any, str]) -> Any:
    for v in cls:
        if text in (str(v), names.get(v, "")):
            return v
    known = "、".join(f"{v}（{names.get(v, '')}）" for v in cls)
    raise UsageError(f"{field}：无效值 {text!r}；可选：{known}")


def _options(pairs: list[str]) -> dict[str, bool]:
    from app.meetings.words import OPTION_ZH, parse_bool

    out: dict[str, bool] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or key not in OPTION_ZH:
            raise UsageError(f"--option：无效选项 {pair!r}；可选：{'、'.join(OPTION_ZH)}（key=true|false）")
        b = parse_bool(value)
        if b is None:
            raise UsageError(f"--option {key}：值应为 true 或 false，收到 {value!r}")
        out[key] = b
    return out


def _print_json(data: Any) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=1))


# --- meeting ----------------------------------------------------------------------------------

def _meeting(args: argparse.Namespace) -> int:
    from app import meetings
    from app.clock import SystemClock
    from app.meetings import Refusal
    from app.meetings.words import FORM_ZH, RULES_ZH

    if args.action == "create":
        return _create(args)
    conn = _open(args)
    try:
        clock = SystemClock()
        if args.action == "list":
            rows = meetings.list_meetings(conn)
            if args.json:
                _print_json([{"code": m.code, "title": m.title, "community": m.community,
                              "organisation": str(m.organisation), "rules": str(m.rules),
                              "form": str(m.form), "date": m.date, "venue": m.venue,
                              "options": m.options, "current": m.is_current} for m in rows])
            elif not rows:
                print("还没有会议（pollday meeting create …）")
            for m in [] if args.json else rows:
                mark = "*" if m.is_current else " "
                print(f"{mark} {m.code}  {m.title}  {m.date}  {RULES_ZH[m.rules]} · "
                      f"{FORM_ZH[m.form]}")
            return 0
        if args.action == "use":
            found = meetings.meeting_by_code(conn, args.code)
            if found is None:
                known = "、".join(x.code for x in meetings.list_meetings(conn)) or "无"
                raise UsageError(f"CODE：没有代码为 {args.code} 的会议（现有：{known}）")
            got = meetings.set_current(conn, found.id, clock=clock, actor=_actor(args))
            if isinstance(got, Refusal):
                return _refused(got)
            print(f"当前会议：{got.code}  {got.title}")
            return 0
        # set-option
        m = _meeting_of(conn, args)
        opts = _options(args.options)
        got = meetings.set_options(conn, m.id, opts, clock=clock, actor=_actor(args))
        if isinstance(got, Refusal):
            return _refused(got)
        print(f"{got.code} 选项：" + "，".join(f"{k}={str(v).lower()}"
                                              for k, v in sorted(got.options.items())))
        return 0
    finally:
        conn.close()


def _create(args: argparse.Namespace) -> int:
    from app import meetings
    from app.clock import SystemClock
    from app.meetings import Refusal
    from app.meetings.codes import code_problem
    from app.meetings.words import FORM_ZH, ORGANISATION_ZH, RULES_ZH
    from db.connection import connect

    org = _enum(Organisation, args.organisation, "--organisation", ORGANISATION_ZH)
    rules = _enum(RuleSet, args.rules, "--rules", RULES_ZH)
    form = _enum(Form, args.form, "--form", FORM_ZH)
    if form not in FORMS_OF_RULES[rules]:
        allowed = "、".join(f"{f}（{FORM_ZH[f]}）" for f in FORMS_OF_RULES[rules])
        raise UsageError(f"--form：规则 {rules} 不适用会议形式 {form}；可选：{allowed}")
    date = _date(args.date, "--date")
    for field, value in (("--code", args.code), ("--title", args.title),
                         ("--community", args.community)):
        if not value.strip():
            raise UsageError(f"{field}：不能为空")
    if problem := code_problem(args.code.strip()):   # before the database file is created
        raise UsageError(f"--code：{problem}")
    opts = _options(args.option)
    conn = connect(args.db, create=True)
    try:
        got = meetings.create_meeting(
            conn, code=args.code.strip(), title=args.title.strip(),
            community=args.community.strip(), organisation=org, rules=rules, form=form,
            date=date, venue=args.venue.strip(), options=opts, make_current=args.current,
            clock=SystemClock(), actor=_actor(args))
        if isinstance(got, Refusal):
            return _refused(got)
        cur = "（当前会议）" if got.is_current else ""
        print(f"已建立会议 {got.code}：{got.title}{cur}")
        return 0
    finally:
        conn.close()


# --- exclusions and leaves --------------------------------------------------------------------

def _expected_line(conn: sqlite3.Connection, m: Meeting) -> str:
    from app.electorate import electorate

    e = electorate(conn, m)
    return f"应到 {e.expected} 人（有选举权 {e.registered}，不计入 {len(e.excluded_ids)}，请假 {len(e.leave_ids)}）"


def _exclusion(args: argparse.Namespace) -> int:
    from app import meetings
    from app.clock import SystemClock
    from app.meetings import Refusal

    conn = _open(args)
    try:
        m = _meeting_of(conn, args)
        clock, actor = SystemClock(), _actor(args)
        if args.action == "list":
            rows = meetings.list_exclusions(conn, m.id)
            if args.json:
                _print_json([{"person_id": x.person_id, "name": x.person_name,
                              "reason": str(x.reason), "approval": x.approval_ref,
                              "date": x.approved_on, "detail": x.detail} for x in rows])
                return 0
            for x in rows:
                print(f"{x.person_name}  {EXCLUSION_REASON_ZH[x.reason]}  {x.approval_ref}  "
                      f"{x.approved_on}")
            print(_expected_line(conn, m))
            return 0
        person = _person(conn, args.person)
        if args.action == "lift":
            ex = next((x for x in meetings.list_exclusions(conn, m.id)
                       if x.person_id == person.id), None)
            if ex is None:
                return _refused(Refusal("NOT_FOUND", f"{person.name} 没有不计入应到记录"))
            if not args.why.strip():
                raise UsageError("--why：撤销不计入应到须说明原因")
            done = meetings.lift_exclusion(conn, ex.id, why=args.why, clock=clock, actor=actor)
            if isinstance(done, Refusal):
                return _refused(done)
            print(f"已撤销：{done.person_name} 重新计入应到。{_expected_line(conn, m)}")
            return 0
        reason = _enum(ExclusionReason, args.reason, "--reason", dict(EXCLUSION_REASON_ZH))
        date = _date(args.date, "--date")
        if not args.approval.strip():
            raise UsageError("--approval：不计入应到须经上级党组织同意，请填写批准文号")
        got = meetings.add_exclusion(conn, m.id, person.id, reason, approval_ref=args.approval,
                                     approved_on=date, detail=args.detail, clock=clock,
                                     actor=actor)
        if isinstance(got, Refusal):
            return _refused(got)
        print(f"已登记不计入应到：{got.person_name}（{EXCLUSION_REASON_ZH[got.reason]}，"
              f"{got.approval_ref}）。{_expected_line(conn, m)}")
        return 0
    finally:
        conn.close()


def _leave(args: argparse.Namespace) -> int:
    from app import meetings
    from app.clock import SystemClock
    from app.meetings import Refusal

    conn = _open(args)
    try:
        m = _meeting_of(conn, args)
        clock, actor = SystemClock(), _actor(args)
        if args.action == "list":
            rows = meetings.list_leaves(conn, m.id)
            if args.json:
                _print_json([{"person_id": x.person_id, "name": x.person_name,
                              "reason": x.reason} for x in rows])
                return 0
            for x in rows:
                print(f"{x.person_name}  {x.reason}")
            print(_expected_line(conn, m))
            return 0
        person = _person(conn, args.person)
        if args.action == "add":
            got = meetings.add_leave(conn, m.id, person.id, args.reason.strip(), clock=clock,
                                     actor=actor)
            if isinstance(got, Refusal):
                return _refused(got)
            print(f"已登记请假：{got.person_name}（仍计入应到）。{_expected_line(conn, m)}")
            return 0
        done = meetings.remove_leave(conn, m.id, person.id, clock=clock, actor=actor)
        if isinstance(done, Refusal):
            return _refused(done)
        print(f"已撤销请假：{done.person_name}")
        return 0
    finally:
        conn.close()


# --- desks and electors -----------------------------------------------------------------------

def _desks(args: argparse.Namespace) -> int:
    from app import meetings
    from app.clock import SystemClock
    from app.meetings import Refusal

    conn = _open(args)
    try:
        m = _meeting_of(conn, args)
        clock, actor = SystemClock(), _actor(args)
        desks = meetings.list_desks(conn, m.id)
        if args.action == "list":
            if args.json:
                _print_json([{"name": d.name, "scope": list(d.scope)} for d in desks])
                return 0
            for d in desks:
                print(f"{d.name}  {'、'.join(d.scope) or '全部人员'}")
            return 0
        if args.action == "add":
            scope = [s.strip() for s in args.scope.replace("，", ",").split(",") if s.strip()]
            got = meetings.add_desk(conn, m.id, args.name, scope, clock=clock, actor=actor)
            if isinstance(got, Refusal):
                return _refused(got)
            print(f"已添加签到台：{got.name}（{'、'.join(got.scope) or '全部人员'}）")
            return 0
        desk = next((d for d in desks if d.name == args.name.strip()), None)
        if desk is None:
            known = "、".join(d.name for d in desks) or "无"
            raise UsageError(f"--name：没有签到台 {args.name}（现有：{known}）")
        done = meetings.remove_desk(conn, desk.id, clock=clock, actor=actor)
        if isinstance(done, Refusal):
            return _refused(done)
        print(f"已删除签到台：{done.name}")
        return 0
    finally:
        conn.close()


def _electors(args: argparse.Namespace) -> int:
    from app import meetings
    from app.attendance import find_person
    from app.clock import SystemClock
    from app.meetings import Refusal

    conn = _open(args)
    try:
        m = _meeting_of(conn, args)
        clock, actor = SystemClock(), _actor(args)
        if m.form is not Form.PLENARY:
            return _refused(Refusal("NOT_PLENARY", f"会议 {m.code} 不是委员会全体会议，"
                                                   "没有单独的选举人名单"))
        if args.action == "list":
            ids = meetings.elector_ids(conn, m.id)
            people = sorted((p for p in (find_person(conn, i) for i in ids) if p is not None),
                            key=lambda p: p.id)
            if args.json:
                _print_json([{"person_id": p.id, "name": p.name} for p in people])
                return 0
            for p in people:
                print(f"{p.id}  {p.name}")
            print(f"选举人 {len(people)} 名")
            return 0
        if args.action == "add":
            people = [_person(conn, ref) for ref in args.persons]
            got = meetings.add_electors(conn, m.id, [p.id for p in people], clock=clock,
                                        actor=actor)
            if isinstance(got, Refusal):
                return _refused(got)
            print(f"已添加选举人 {got} 名")
            return 0
        person = _person(conn, args.person)
        removed = meetings.remove_elector(conn, m.id, person.id, clock=clock, actor=actor)
        if isinstance(removed, Refusal):
            return _refused(removed)
        if not removed:
            return _refused(Refusal("NOT_FOUND", f"{person.name} 不是本会议的选举人"))
        print(f"已移除选举人：{person.name}")
        return 0
    finally:
        conn.close()
