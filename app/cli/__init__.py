"""`pollday` command line. Each sub-command lives in its own module `cmd_*.py` (here in app/cli
for the Qt-free commands, in ui/ for the ones that need Qt) and defines

    def register(sub: argparse._SubParsersAction) -> None

which adds its parser(s) with `set_defaults(func=run)`; `run(args) -> int` returns the exit status.
Modules are discovered by name, so adding a command never touches a shared list.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence
from types import ModuleType

from app import __version__


def command_modules(package: str) -> list[ModuleType]:
    pkg = importlib.import_module(package)
    names = sorted(m.name for m in pkgutil.iter_modules(pkg.__path__) if m.name.startswith("cmd_"))
    return [importlib.import_module(f"{package}.{n}") for n in names]


def build_parser(packages: Sequence[str] = ("app.cli",)) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pollday", description="PollDay 选举日现场管理 — 社区“两委”换届选举现场管理")
    parser.add_argument("--version", action="version", version=f"PollDay {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for package in packages:
        for module in command_modules(package):
            module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None, packages: Sequence[str] = ("app.cli",)) -> int:
    for stream in (sys.stdout, sys.stderr):
        # Windows consoles default to a legacy code page; names must print as given.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(encoding="utf-8")
    parser = build_parser(packages)
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    return int(func(args))


if __name__ == "__main__":
    raise SystemExit(main())
