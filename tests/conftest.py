"""Shared test fixtures. Qt runs offscreen; databases are real SQLite files in tmp_path."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHONUTF8", "1")
# The per-user data folder (installation key, logs) of this test session and of every process
# it starts: never the real profile of whoever runs the tests.
os.environ.setdefault("POLLDAY_HOME", tempfile.mkdtemp(prefix="pollday-home-"))

from pdtest import FIXTURES, ROOT, SHARED, pollday_cmd  # noqa: E402,F401  (re-exported)


@pytest.fixture
def fixed_clock():
    from app.clock import FixedClock

    return FixedClock(dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), 1.0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "election.db"


# Outside tools (pdftotext, zbarimg, LibreOffice): skip naming the tool where missing.
from needs_tools import (  # noqa: E402,F401  (pytest hooks)
    pytest_collection_modifyitems,
    pytest_configure,
    pytest_runtest_setup,
)
