"""Paths and helpers shared by the tests. Import as `from pdtest import ...`.

Not in conftest.py: several folders have their own conftest.py, and `from conftest import` would
pick whichever of them pytest loaded last."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def pollday_cmd() -> list[str]:
    """The installed console script when present, else the module (same code)."""
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]


# Every pytest-qt wait gets at least this long before it fails (tests/conftest.py).
WAIT_FLOOR_MS = 20000
