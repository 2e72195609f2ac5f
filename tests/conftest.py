"""Shared test fixtures. Qt runs offscreen; databases are real SQLite files in tmp_path."""

from __future__ import annotations

import datetime as dt
import functools
import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYTHONUTF8", "1")

from pdtest import FIXTURES, ROOT, SHARED, pollday_cmd  # noqa: E402,F401  (re-exported)


@pytest.fixture
def fixed_clock():
    from app.clock import FixedClock

    return FixedClock(dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8))), 1.0)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "election.db"


# --- outside tools the tests read our files back with ----------------------------------------
# A test module that calls one of these programs (or reads PDFs through pdf_tools) is marked
# `needs_tool(...)` at collection. Where a tool is missing the test is skipped and the reason
# names the tool and its package, so the count of skips says so (`-ra` lists them) — never a
# silent pass. On Linux CI (CI set) packaging/dev.py installs them all, so a missing one there
# fails the test instead of skipping it: CI cannot go green by losing its tools.
TOOLS = {
    "pdftotext": ("pdftotext", "Poppler: Debian poppler-utils"),
    "pdffonts": ("pdffonts", "Poppler: Debian poppler-utils"),
    "pdfinfo": ("pdfinfo", "Poppler: Debian poppler-utils"),
    "pdftoppm": ("pdftoppm", "Poppler: Debian poppler-utils"),
    "zbarimg": ("zbarimg", "ZBar: Debian zbar-tools"),
    "soffice": ("soffice", "LibreOffice: Debian libreoffice-calc-nogui"),
}
USES = {  # text in a test module -> the tools it needs
    "pdf_tools": ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm", "zbarimg"),
    **{f'"{t}"': (t,) for t in TOOLS},
    "soffice": ("soffice",),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs_tool(name, ...): runs only where that program is "
                                       "installed (added automatically from the module's text)")


@functools.cache
def _module_tools(path: str) -> tuple[str, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return ()
    return tuple(sorted({t for key, tools in USES.items() if key in text for t in tools}))


def _have(tool: str) -> bool:
    if tool == "soffice":
        return bool(shutil.which("soffice") or shutil.which("libreoffice"))
    return shutil.which(TOOLS[tool][0]) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        tools = set(_module_tools(str(item.path)))
        for mark in item.iter_markers("needs_tool"):
            tools.update(mark.args)
        if tools:
            item.add_marker(pytest.mark.needs_tool(*sorted(tools)))


def pytest_runtest_setup(item: pytest.Item) -> None:
    missing = sorted({t for m in item.iter_markers("needs_tool") for t in m.args if not _have(t)})
    if not missing:
        return
    what = "; ".join(f"{t} ({TOOLS[t][1]})" for t in missing)
    if os.environ.get("CI") and sys.platform.startswith("linux"):
        pytest.fail(f"CI lacks {what}: packaging/dev.py should have installed it")
    pytest.skip(f"not installed here: {what}")
