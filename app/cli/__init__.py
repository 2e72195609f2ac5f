"""`pollday` command line. Each sub-command lives in its own module `cmd_*.py` (here in app/cli
for the Qt-free commands, in ui/ for the ones that need Qt) and defines

    def register(sub: argparse._SubParsersAction) -> None

which adds its parser(s) with `set_defaults(func=run)`; `run(args) -> int` returns the exit status.
Modules are discovered by name, so adding a command never touches a shared list.

Start-up: a module's top level imports only argparse and the standard library (and cheap modules
of app/ that import nothing heavy); the use cases are imported inside the functions that run a
command, so `pollday --version` or one command does not load every command's dependencies
(pypinyin's dictionary, reportlab, Qt, ...). A module may name its commands in
`COMMANDS = ("name", ...)`: then its `register` runs only when one of them is asked for (or for
`--help` and for a command nobody names), so a register that needs heavier imports (the printable
kinds, the meeting words) costs nothing to other commands. tests/app/test_cli_startup.py checks
both.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from app import __version__


def command_modules(package: str) -> list[ModuleType]:
    pkg = importlib.import_module(package)
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("cmd_"))
    return [importlib.import_module(f"{package}.{n}") for n in names]


def requested(argv: Sequence[str] | None) -> str | None:
    """The command asked for: the first argument that is not an option ("" for none, as in
    `pollday --version`); None when every command must be known (no argv, or --help before
    any command)."""
    if argv is None:
        return None
    for arg in argv:
        if arg in ("-h", "--help"):
            return None
        if not arg.startswith("-"):
            return arg
    return ""


def build_parser(packages: Sequence[str] = ("app.cli",),
                 argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command registered, or with `argv` only the modules that register
    its command (modules without COMMANDS always register)."""
    parser = argparse.ArgumentParser(
        prog="pollday", description="PollDay 选举日现场管理 — 社区“两委”换届选举现场管理")
    parser.add_argument("--version", action="version", version=f"PollDay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    modules = [m for package in packages for m in command_modules(package)]
    wanted = requested(argv)
    named = {n for m in modules for n in getattr(m, "COMMANDS", ())}
    if wanted and wanted not in named:
        wanted = None  # unnamed (a typo, or a module without COMMANDS): register every module
    for module in modules:
        commands = getattr(module, "COMMANDS", None)
        if wanted is None or commands is None or wanted in commands:
            module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, packages: Sequence[str] = ("app.cli",)) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Windows consoles default to a legacy code page; names must print as given.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(packages, argv)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    from app.cli.signon import resolve_operators

    refused = resolve_operators(args)   # a staff list: --operator signs on with a PIN
    if refused:
        print(f"未执行：{refused}", file=sys.stderr)
        return 1
    warn_audit(args)
    try:
        code = run_command(func, args)
        sys.stdout.flush()   # what is still buffered fails here, not at exit with a traceback
    except OSError as exc:
        if not stdout_closed(exc):
            raise
        return reader_gone()
    return code


# `pollday audit …` reports the chain itself, in full.
NO_AUDIT_WARNING = frozenset({"audit"})


def warn_audit(args: argparse.Namespace) -> None:
    """A command on an election database whose audit log was edited outside the program says
    so in one line on stderr before it runs (the window shows a red band; a script saw nothing).
    It never refuses and never changes the exit status: the day's data must not be lost."""
    from pathlib import Path

    path = getattr(args, "db", None)
    if getattr(args, "command", None) in NO_AUDIT_WARNING or not isinstance(path, Path):
        return
    if not path.is_file():
        return
    from app.audit_log import cli_warning

    line = cli_warning(path)
    if line:
        print(line, file=sys.stderr)


# A program a closed pipe ends on POSIX dies of SIGPIPE: its shell shows 128 + 13, and
# `set -o pipefail` scripts see what they see of `yes | head`. Windows has no SIGPIPE: 1.
EXIT_READER_GONE = 128 + 13 if sys.platform != "win32" else 1


def stdout_closed(exc: OSError) -> bool:
    """The reader of standard output has gone (`pollday … | head`): a broken pipe; on Windows a
    write to a closed pipe fails with EINVAL (winerror 232, ERROR_NO_DATA) instead. EINVAL from
    elsewhere is told apart by flushing stdout again: a live stdout takes it."""
    import errno

    if isinstance(exc, BrokenPipeError) or getattr(exc, "winerror", None) in (109, 232):
        return True
    if exc.errno != errno.EINVAL or sys.platform != "win32":
        return False
    try:
        sys.stdout.flush()
    except OSError:
        return True
    return False


def reader_gone() -> int:
    """End quietly: stdout points at the null device, so the interpreter's last flush of what
    is left in the buffer finds somewhere to go (it would print a traceback otherwise)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):   # no file descriptor behind stdout (a test's StringIO)
        pass
    return EXIT_READER_GONE


def run_command(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; the environment failing under it (disk full, a read-only file or folder,
    the database file deleted or replaced, a stick pulled out) is said in one sentence naming
    the file, exit status 1, the traceback in the log file only. Bugs still raise."""
    import sqlite3
    from pathlib import Path

    from app import logs
    from app.scratch import ScratchError
    from db.identity import DatabaseFileChanged

    database = getattr(args, "db", None)
    try:
        return int(func(args))
    except OSError as exc:
        if stdout_closed(exc):
            raise   # not the environment: the reader went away (main ends quietly)
        words = logs.environment_words(exc, database if isinstance(database, Path) else None)
        if words is None:
            raise
        logs.to_file_only(words, exc)
    except (sqlite3.Error, DatabaseFileChanged, ScratchError) as exc:
        db = database if isinstance(database, Path) else None
        words = str(exc) if isinstance(exc, (DatabaseFileChanged, ScratchError)) else \
            logs.environment_words(exc, db)
        if words is None:
            raise
        logs.to_file_only(words, exc)
    where = logs.active_log()
    print(f"出错：{words}" + (f"；详细记录见日志 {where}" if where else ""), file=sys.stderr)
    return 1
