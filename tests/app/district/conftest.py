"""The district tests' packages: `pollday demo-district` run once per session (the real exporter
behind it), copied per test where a test changes things."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

COMMUNITIES = 8


def pollday() -> list[str]:
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]


def run(*args: str | Path, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONUTF8="1")
    p = subprocess.run([*pollday(), *map(str, args)], capture_output=True, text=True,
                       encoding="utf-8", env=env, timeout=300)
    assert p.returncode in ok, (p.returncode, p.stdout, p.stderr)
    return p


def cli(*args: str | Path, ok: tuple[int, ...] = (0,)) -> str:
    """The same command in this process (for the secondary checks: saves a start-up)."""
    import contextlib
    import io

    from app.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([str(a) for a in args])
    assert code in ok, (code, out.getvalue())
    return out.getvalue()


def shared_demo(factory: pytest.TempPathFactory) -> Path:
    """`pollday demo-district` once per test session, whichever test folder asks first."""
    folder = factory.getbasetemp() / "demo-district-shared"
    done = folder / ".done"
    if not done.exists():
        run("demo-district", "--dir", folder, "--communities", str(COMMUNITIES))
        done.write_text("ok")
    return folder


def import_lines(db: Path, *packages: Path, subprocess: bool = False) -> list[dict[str, object]]:
    """`pollday district import` JSON lines: in a real subprocess, or in this process."""
    if subprocess:
        out = run("district", "import", "--db", db, *packages, ok=(0, 3)).stdout
    else:
        out = cli("district", "import", "--db", db, *packages, ok=(0, 3))
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return shared_demo(tmp_path_factory)


@pytest.fixture(scope="session")
def imported_db(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A district database with every demo package, the plan and the previous term."""
    db = tmp_path_factory.mktemp("district") / "district.db"
    lines = import_lines(db, demo_dir, subprocess=True)
    assert len(lines) == len(list(demo_dir.glob("*.pollday")))
    cli("district", "plan", "--db", db, demo_dir / "plan.xlsx")
    cli("district", "previous", "--db", db, demo_dir / "previous.xlsx")
    return db


@pytest.fixture(scope="session")
def report_json(imported_db: Path) -> dict[str, Any]:
    """`pollday district report --json` of the imported demo (a real subprocess)."""
    return json.loads(run("district", "report", "--db", imported_db, "--json").stdout)
