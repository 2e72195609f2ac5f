"""Who runs a command, where the database has a staff list: `--operator NAME` is a staff member
who signs on with their PIN (POLLDAY_PIN, or asked on the terminal); a two-person action's
`--second NAME` signs on with POLLDAY_PIN2. The verified app.permissions.Actor then replaces the
name in `args`, so the command's use cases check it like the GUI's. In open mode (no staff list,
or the demo) nothing changes: `--operator` stays free text."""

from __future__ import annotations

import argparse
import getpass
import os
import sqlite3
import sys
from pathlib import Path

PIN_ENV, PIN2_ENV = "POLLDAY_PIN", "POLLDAY_PIN2"


def _enforced(path: Path) -> bool:
    """A read-only look: does this election database have a staff list (and is not the demo)?"""
    from app.permissions import enforced
    from db.files import ro_uri

    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(ro_uri(path), uri=True)
    except sqlite3.Error:
        return False
    try:
        return enforced(conn)
    except sqlite3.Error:   # not an election database (a district file, a package): not ours
        return False
    finally:
        conn.close()


def _pin(name: str, env: str) -> str | None:
    pin = os.environ.get(env)
    if pin is not None:
        return pin.strip()
    if not sys.stdin.isatty():
        return None
    return getpass.getpass(f"{name} 的PIN：")


def _sign_on(path: Path, name: str, env: str, option: str) -> object:
    from app.clock import SystemClock
    from app.staff import sign_on
    from db.connection import connect

    name = name.strip()
    if not name:
        return (f"本数据库已建立工作人员名单：请用 {option} 姓名 说明由谁操作，并提供PIN"
                f"（环境变量 {env}，或在终端输入）")
    pin = _pin(name, env)
    if pin is None:
        return f"需要 {name} 的PIN：请设置环境变量 {env}，或在终端中运行以便输入"
    conn = connect(path)
    try:
        return sign_on(conn, name, pin, clock=SystemClock(), where="命令行")
    finally:
        conn.close()


def resolve_operators(args: argparse.Namespace) -> str | None:
    """Sign on `--operator` (and `--second`) where the database has a staff list; returns the
    reason when refused (the command does not run), else None."""
    from app.meetings.core import Refusal
    from app.permissions import Actor

    path = getattr(args, "db", None)
    if isinstance(getattr(args, "operator", None), Actor):
        return None   # signed on already
    if getattr(args, "own_pin", False):
        return None   # `staff set-pin` checks the current PIN itself (asked once, not twice)
    named = str(getattr(args, "operator", "") or "").strip()
    # No --operator: reads run as before; a guarded write is refused by its use case, saying
    # who may do it.
    if not isinstance(path, Path) or not named or not _enforced(path):
        return None
    got = _sign_on(path, named, PIN_ENV, "--operator")
    if isinstance(got, Refusal):
        return got.message
    if not isinstance(got, Actor):   # the Actor is a str too: it is checked first
        return str(got)
    args.operator = got
    second = getattr(args, "second", None)
    if second:
        got2 = _sign_on(path, str(second), PIN2_ENV, "--second")
        if isinstance(got2, Refusal):
            return f"第二人：{got2.message}"
        if not isinstance(got2, Actor):
            return f"第二人：{got2}"
        args.second = got2
    return None
