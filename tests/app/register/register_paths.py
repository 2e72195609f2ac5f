"""Paths and the console script for the register tests (kept here rather than imported from a
conftest, which another folder's conftest of the same module name can shadow)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
LIBREOFFICE_XLSX = FIXTURES / "register" / "register-20k-libreoffice.xlsx"


def pollday_cmd() -> list[str]:
    """The installed console script when present, else the module (same code)."""
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]
