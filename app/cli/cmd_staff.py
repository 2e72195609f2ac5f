"""`pollday staff`: the staff list (工作人员名单) and their PINs.

    pollday staff --db PATH add NAME --role ROLE [--role ROLE ...] [--chief] [--person ID]
                                [--operator HOST]
    pollday staff --db PATH list [--json]
    pollday staff --db PATH reset-pin NAME --operator HOST
    pollday staff --db PATH remove NAME --operator HOST
    pollday staff --db PATH set-pin --operator NAME
    pollday staff --db PATH set-roles NAME --role ROLE [--role ROLE ...] [--chief]
                                [--person ID | --no-person] --operator HOST

ROLE: 主持人 签到员 计票人 监票人 工作人员 (or host desk teller scrutineer worker); --chief marks the
总监票人 (a 监票人). The new member's PIN (6–12 digits) comes from POLLDAY_NEW_PIN or is asked twice
on the terminal; it is stored only as a salted scrypt hash. The first member added is the
主持人; after that --operator is a signed-on 主持人 (PIN from POLLDAY_PIN). set-roles replaces
a member's roles and 总监票人 flag with those given (the PIN stays); --person links a register
person, --no-person unlinks, neither keeps the link. set-pin: a member changes their own
PIN (the current one from POLLDAY_PIN or asked, the new one from POLLDAY_NEW_PIN or asked
twice); after a 主持人 reset-pin the member should do so, since the 主持人 knows the reset PIN. Where a staff list
exists, every command's --operator is a member of it and signs on with a PIN; see README
“工作人员与PIN”. The demo database stays in open mode even with a staff list (GUI and CLI alike:
no PIN is asked; `staff add` and `staff list` say so): practise sign-on on a new database. Exit status: 0 done, 1 refused (the reason on stderr), 2 usage.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from pathlib import Path
from typing import Any

COMMANDS = ("staff",)
NEW_PIN_ENV = "POLLDAY_NEW_PIN"


def register(sub: Any) -> None:
    p = sub.add_parser("staff", help="工作人员名单: add, list, reset-pin, set-pin, remove, set-roles",
                       description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--db", required=True, type=Path, metavar="PATH")
    p.add_argument("--operator", default="", metavar="HOST", help="the signed-on 主持人")
    acts = p.add_subparsers(dest="staff_action", metavar="ACTION", required=True)
    add = acts.add_parser("add", help="add a member (PIN from POLLDAY_NEW_PIN or asked)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", action="append", default=[], metavar="ROLE")
    add.add_argument("--chief", action="store_true", help="总监票人")
    add.add_argument("--person", type=int, default=None, metavar="ID",
                     help="the register person this member is")
    lst = acts.add_parser("list", help="the staff list (never a PIN or hash)")
    lst.add_argument("--json", action="store_true")
    rp = acts.add_parser("reset-pin", help="a new PIN for a member (PIN from POLLDAY_NEW_PIN)")
    rp.add_argument("name", metavar="NAME")
    rm = acts.add_parser("remove", help="take a member off the list")
    rm.add_argument("name", metavar="NAME")
    sp = acts.add_parser("set-pin", help="change your own PIN (current from POLLDAY_PIN, new "
                         "from POLLDAY_NEW_PIN, or asked)")
    sp.set_defaults(own_pin=True)
    sr = acts.add_parser("set-roles", help="change a member's roles, 总监票人 flag, linked person")
    sr.add_argument("name", metavar="NAME")
    sr.add_argument("--role", action="append", default=[], metavar="ROLE")
    sr.add_argument("--chief", action="store_true", help="总监票人")
    link = sr.add_mutually_exclusive_group()
    link.add_argument("--person", type=int, default=None, metavar="ID",
                      help="the register person this member is")
    link.add_argument("--no-person", action="store_true", help="unlink the register person")
    for action in (add, lst, rp, rm, sp, sr):   # after the action too, as the usage shows it
        action.add_argument("--operator", default=argparse.SUPPRESS, metavar="HOST",
                            help="the signed-on 主持人 (here or before ACTION)")
    p.set_defaults(func=run)


def _new_pin(name: str) -> str | None:
    pin = os.environ.get(NEW_PIN_ENV)
    if pin is not None:
        return pin.strip()
    if not sys.stdin.isatty():
        print(f"需要 {name} 的新PIN：请设置环境变量 {NEW_PIN_ENV}，或在终端中运行", file=sys.stderr)
        return None
    first = getpass.getpass(f"{name} 的新PIN（6–12位数字）：")
    if getpass.getpass("再输入一次：") != first:
        print("两次输入的PIN不一致，未保存", file=sys.stderr)
        return None
    return first


def _set_own_pin(conn: Any, name: str, clock: Any) -> int:
    """`staff set-pin --operator NAME`: NAME's current PIN, then the new one (twice)."""
    from app import staff
    from app.cli.signon import PIN_ENV, _pin
    from app.meetings.core import Refusal

    name = name.strip()
    if not name:
        print("请用 --operator 姓名 说明修改谁的PIN", file=sys.stderr)
        return 1
    current = _pin(name, PIN_ENV)
    if current is None:
        print(f"需要 {name} 的当前PIN：请设置环境变量 {PIN_ENV}，或在终端中运行", file=sys.stderr)
        return 1
    new = _new_pin(name)
    if new is None:
        return 1
    got = staff.change_own_pin(conn, name, current, new, clock=clock, where="命令行")
    if isinstance(got, Refusal):
        print(f"{got.code}: {got.message}", file=sys.stderr)
        return 1
    print(f"{got.name} 的PIN已修改")
    return 0


def _demo_note(conn: Any) -> None:
    """On the demo the list is kept but not enforced (open mode, as in the GUI): say so."""
    from app.permissions import demo_list_note

    note = demo_list_note(conn)
    if note:
        print(f"注意：{note}", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    from app import staff
    from app.clock import SystemClock
    from app.meetings.core import Refusal
    from db.connection import connect

    conn = connect(args.db)
    clock = SystemClock()
    actor = args.operator
    try:
        if args.staff_action == "list":
            members = staff.list_staff(conn)
            if args.json:
                print(json.dumps([{"name": m.name, "roles": [r.value for r in m.roles],
                                   "chief": m.chief, "person_id": m.person_id,
                                   "failed": m.failed, "locked_until": m.locked_until}
                                  for m in members], ensure_ascii=False, indent=1))
            else:
                if not members:
                    print("还没有工作人员名单（开放模式：操作人员为自由填写）")
                for m in members:
                    wait = f"  PIN输错{m.failed}次" if m.failed else ""
                    print(f"{m.name}\t{m.roles_zh}{wait}")
                _demo_note(conn)
            return 0
        if args.staff_action == "set-pin":
            return _set_own_pin(conn, str(actor or ""), clock)
        if args.staff_action in ("add", "reset-pin"):
            pin = _new_pin(args.name)
            if pin is None:
                return 1
            if args.staff_action == "add":
                got: Any = staff.add_staff(conn, args.name, args.role, pin, actor=actor,
                                           clock=clock, chief=args.chief, person_id=args.person)
            else:
                got = staff.reset_pin(conn, args.name, pin, actor=actor, clock=clock)
        elif args.staff_action == "set-roles":
            current = next((m for m in staff.list_staff(conn) if m.name == args.name.strip()),
                           None)
            person = None if args.no_person else (
                args.person if args.person is not None
                else current.person_id if current is not None else None)
            got = staff.edit_staff(conn, args.name, roles=args.role, chief=args.chief,
                                   person_id=person, actor=actor, clock=clock)
        else:
            got = staff.remove_staff(conn, args.name, actor=actor, clock=clock)
        if isinstance(got, Refusal):
            print(f"{got.code}: {got.message}", file=sys.stderr)
            return 1
        done = {"add": "已加入工作人员名单", "reset-pin": "已重设PIN", "remove": "已移出工作人员名单",
                "set-roles": "的角色已修改"}
        print(f"{got.name}（{got.roles_zh}）{done[args.staff_action]}")
        _demo_note(conn)
        return 0
    finally:
        conn.close()
