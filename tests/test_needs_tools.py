"""Where Poppler/ZBar/LibreOffice are missing (a Windows developer's laptop), the tests that read
files back with them are skipped with the tool named; on Linux CI a missing tool fails instead
(CI installs them). Run as a real pytest process on a module that calls pdftotext, with a PATH
that has no pdftotext."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pdtest import ROOT

MODULE = '''
import subprocess

def text_of(pdf):
    return subprocess.run(["pdftotext", pdf, "-"], check=True).stdout

def test_reads_a_pdf():
    assert text_of("x.pdf")

def test_needs_nothing():
    assert True
'''


def run(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(
        "from needs_tools import pytest_collection_modifyitems, pytest_configure,"
        " pytest_runtest_setup  # noqa: F401\n", encoding="utf-8")
    (tmp_path / "test_reader.py").write_text(MODULE, encoding="utf-8")
    bare = tmp_path / "bin"            # a PATH with python only: no pdftotext
    bare.mkdir()
    environ = {k: v for k, v in os.environ.items() if k != "CI"}
    environ.update(PATH=str(bare), PYTHONPATH=str(ROOT / "tests"), **env)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-ra", "-p", "no:cacheprovider",
                           "--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path)],
                          capture_output=True, text=True, env=environ, cwd=tmp_path, timeout=120)


def test_missing_tool_skips_naming_it(tmp_path: Path) -> None:
    got = run(tmp_path)
    assert got.returncode == 0, got.stdout + got.stderr
    assert "1 passed, 1 skipped" in got.stdout
    assert "pdftotext (Poppler: Debian poppler-utils)" in got.stdout


def test_missing_tool_fails_on_linux_ci(tmp_path: Path) -> None:
    got = run(tmp_path, CI="true")
    if sys.platform.startswith("linux"):
        assert got.returncode == 1 and "1 passed, 1 error" in got.stdout, got.stdout
        assert "CI lacks pdftotext" in got.stdout
    else:
        assert "1 passed, 1 skipped" in got.stdout
