"""The district tests' packages: `pollday demo-district` run once per session (the real exporter
behind it), copied per test where a test changes things."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

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


def import_lines(db: Path, *packages: Path) -> list[dict[str, object]]:
    p = run("district", "import", "--db", db, *packages, ok=(0, 3))
    return [json.loads(line) for line in p.stdout.splitlines()]


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-district")
    run("demo-district", "--dir", folder, "--communities", str(COMMUNITIES))
    return folder


@pytest.fixture(scope="session")
def imported_db(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A district database with every demo package, the plan and the previous term."""
    db = tmp_path_factory.mktemp("district") / "district.db"
    lines = import_lines(db, demo_dir)
    assert len(lines) == len(list(demo_dir.glob("*.pollday")))
    run("district", "plan", "--db", db, demo_dir / "plan.xlsx")
    run("district", "previous", "--db", db, demo_dir / "previous.xlsx")
    return db
