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

from pdtest import FIXTURES, ROOT, SHARED, WAIT_FLOOR_MS, pollday_cmd  # noqa: E402,F401  (re-exported)


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

# Every wait of pytest-qt gets at least WAIT_FLOOR_MS before it fails. A wait returns as soon as
# its condition holds, so this costs a passing test nothing; the few seconds written in the tests
# were meant for a quiet machine, and a loaded two-core CI machine (a PIN hash, a PDF and a
# worker thread queued behind each other) may need more. Speed is measured by `pollday bench`. A wait that is meant to run out (raising=False, as assertNotEmitted
# uses) keeps its own timeout.


@pytest.fixture(autouse=True, scope="session")
def _waits_have_room():
    try:
        from pytestqt.qtbot import QtBot
    except ImportError:   # no Qt test plugin: nothing to widen
        yield
        return
    names = ("waitUntil", "waitSignal", "waitSignals", "waitExposed", "waitActive",
             "waitCallback")
    originals = {name: getattr(QtBot, name) for name in names}

    def widened(original):
        def wait(self, *args, **kwargs):
            timeout = kwargs.get("timeout", 5000)
            if kwargs.get("raising") is not False and timeout is not None \
                    and 0 < timeout < WAIT_FLOOR_MS:
                kwargs["timeout"] = WAIT_FLOOR_MS
            return original(self, *args, **kwargs)
        wait.__wrapped__ = original
        return wait

    for name, original in originals.items():
        setattr(QtBot, name, widened(original))
    yield
    for name, original in originals.items():
        setattr(QtBot, name, original)
