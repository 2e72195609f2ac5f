"""What `pollday print KIND` can print: a small registry filled by the renderer modules.

A renderer module in app/documents registers its kind(s) with `@print_kind(...)`; `discover()`
imports every module of the package, so adding a document never touches a shared list. A render
function takes the connection, the meeting, the output path, the time to print on the paper
and the parsed options, and returns what it wrote (or a Refusal for an expected "no")."""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import pkgutil
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.meetings import Refusal
from app.model import Meeting


@dataclass(frozen=True, slots=True)
class Printed:
    path: Path
    pages: int
    items: int           # persons / rows / ballots printed
    note: str = ""


RenderFunc = Callable[[sqlite3.Connection, Meeting, Path, dt.datetime, argparse.Namespace],
                      "Printed | Refusal"]
ArgsFunc = Callable[[argparse.ArgumentParser], None]


@dataclass(frozen=True, slots=True)
class PrintKind:
    name: str
    help: str
    render: RenderFunc
    add_arguments: ArgsFunc | None = None


KINDS: dict[str, PrintKind] = {}


def print_kind(name: str, help: str,
               add_arguments: ArgsFunc | None = None) -> Callable[[RenderFunc], RenderFunc]:
    def deco(func: RenderFunc) -> RenderFunc:
        KINDS[name] = PrintKind(name, help, func, add_arguments)
        return func

    return deco


def discover(package: str = "app.documents") -> dict[str, PrintKind]:
    pkg = importlib.import_module(package)
    for m in pkgutil.iter_modules(pkg.__path__):
        importlib.import_module(f"{package}.{m.name}")
    return KINDS
