"""A file refused on opening (not a database; a newer schema) is not left open: on Windows an
open handle keeps the USB stick it is on from being ejected (found by a clerk's walk: 打开… a
renamed CSV, clear message, and the file still held 10 s later)."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from db.connection import SchemaTooNew, connect

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="reads /proc/self/fd (Linux)")


def held(path: Path) -> bool:
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith(str(path)):
                return True
        except OSError:
            continue
    return False


def test_not_a_database_is_refused_and_let_go(tmp_path: Path) -> None:
    bad = tmp_path / "不是数据库.db"
    bad.write_text("姓名,性别\n张三,男\n" * 200, encoding="utf-8")
    with pytest.raises(sqlite3.DatabaseError):
        connect(bad, create=False)
    assert not held(bad)


def test_a_newer_schema_is_refused_and_let_go(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    raw = sqlite3.connect(newer)
    raw.execute("PRAGMA user_version = 999")
    raw.close()
    with pytest.raises(SchemaTooNew):
        connect(newer, create=False)
    assert not held(newer)
