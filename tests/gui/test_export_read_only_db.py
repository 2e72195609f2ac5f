"""The 报送 page's export from a database on a read-only file system (a write-protected stick):
the package is written and its short hash and fingerprint come back; that it could not be
recorded in the database goes to the log instead of failing the export."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.export.verify import verify_package
from tests.app.attendance.attendance_venue import make_venue
from ui.pages.export_page import export_work
from ui.tasks import CancelToken


def test_export_work_from_a_read_only_file_system(tmp_path: Path, fixed_clock) -> None:
    if sys.platform != "linux" or os.geteuid() != 0:
        pytest.skip("a read-only tmpfs needs root on Linux")
    source = tmp_path / "venue.db"
    v = make_venue(source, fixed_clock)
    v.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    v.conn.close()
    mount = tmp_path / "stick"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        db = mount / "选举.db"
        shutil.copyfile(source, db)
        assert subprocess.run(["mount", "-o", "remount,ro", str(mount)]).returncode == 0
        work = export_work(db, tmp_path / "out", FixedClock(fixed_clock.now(), 1.0))
        built, written = work(lambda *_a: None, CancelToken())
        assert written.path.exists() and len(built.short_hash) == 12 and built.fingerprint
        assert verify_package(written.path).ok
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
