"""Shared test fixtures. Qt runs offscreen; databases are real SQLite files in tmp_path."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHONUTF8", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pollday_cmd() -> list[str]:
    """The installed console script when present, else the module (same code)."""
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]


@pytest.fixture
def fixed_clock():
    from app.clock import FixedClock

    return FixedClock(dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), 1.0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "election.db"
