"""Start-up of `pollday`: a command module's top level imports nothing heavy (each checked in a
fresh interpreter), a command's parser is built without the other commands' modules running
their registration, and every module names the commands it registers."""

from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import subprocess
import sys

import pytest

from app.cli import build_parser, requested

PACKAGES = ("app.cli", "ui")
# What a top level must not load: the pinyin dictionary, PDF and Qt stacks, and the rest of what
# only some commands need (the database layer included: opening a file is a command's work).
HEAVY = ("pypinyin", "reportlab", "PySide6", "qrcode", "PIL", "cryptography", "openpyxl",
         "zeroconf", "pycrdt", "sqlite_utils", "asyncio", "app.documents", "app.voting",
         "app.attendance", "app.register", "app.meetings", "db")


def _modules() -> list[str]:
    out = []
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        out += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)
                if m.name.startswith("cmd_")]
    return out


def _loaded_after(code: str) -> list[str]:
    probe = (f"import sys, json\n{code}\n"
             f"print(json.dumps(sorted({{m.split('.')[0] if m.split('.')[0] != 'app' else "
             f"'.'.join(m.split('.')[:2]) for m in sys.modules}})))")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120, check=True)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    return sorted(h for h in HEAVY if h in loaded)


@pytest.mark.parametrize("module", _modules())
def test_command_module_top_level_is_cheap(module: str) -> None:
    assert _loaded_after(f"import {module}") == [], f"{module} imports these at its top level"


def test_version_and_one_command_load_only_what_they_need() -> None:
    version = ("from ui.launcher import main\n"
               "try:\n    main(['--version'])\nexcept SystemExit:\n    pass")
    assert _loaded_after(version) == []
    ballot = ("from app.cli import build_parser\n"
              "build_parser(('app.cli', 'ui'), ['ballot', 'enter', '--help'])")
    assert _loaded_after(ballot) == []


def _registered(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_every_module_names_its_commands() -> None:
    for name in _modules():
        module = importlib.import_module(name)
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        module.register(sub)
        assert set(getattr(module, "COMMANDS", ())) == _registered(parser), name


def test_only_the_asked_commands_module_registers() -> None:
    assert requested(None) is None and requested(["--version"]) == ""
    assert requested(["-h"]) is None and requested(["ballot", "--help"]) == "ballot"
    assert _registered(build_parser(PACKAGES, ["--version"])) == set()
    assert _registered(build_parser(PACKAGES, ["compare", "--db", "x"])) == {"compare", "resolve"}
    everything = _registered(build_parser(PACKAGES))
    assert {"ballot", "tally", "compare", "resolve", "bench", "print", "meeting"} <= everything
    # A typo: every command is registered, so argparse's error lists them all.
    assert _registered(build_parser(PACKAGES, ["balot"])) == everything
