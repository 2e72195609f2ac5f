"""Database backups (on demand and every N minutes) and `pollday export` / `pollday backup` in
subprocesses."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.export import verify_package
from app.export.backup import BackupScheduler, backup_database
from app.export.stick import StickWriteError
from tests.app.export.conftest import AT, Exported
from tests.conftest import pollday_cmd


def _count(db: Path, table: str) -> int:
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        c.close()


def test_backup_is_a_complete_checked_copy(exported: Exported, tmp_path: Path) -> None:
    b = backup_database(exported.db, tmp_path / "stick", at=AT)
    assert b.path.name == "pollday-backup-新华街道翠湖社区-20261129-180000.db"
    assert [p.name for p in (tmp_path / "stick").iterdir()] == [b.path.name]
    for table in ("person", "ballot_entry", "audit", "attendance_event"):
        assert _count(b.path, table) == _count(exported.db, table)
    c = sqlite3.connect(b.path)
    assert c.execute("SELECT count(*) FROM person WHERE length(id_number) = 18"
                     " AND id_number NOT LIKE '%*%'").fetchone()[0] > 8000   # not minimised
    c.close()


def test_backup_to_a_missing_drive_raises_with_a_clear_message(exported: Exported,
                                                               tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StickWriteError) as err:
        backup_database(exported.db, blocker / "sub", at=AT)
    assert "备份失败" in str(err.value) and "没有留下完整的备份文件" in str(err.value)


def test_scheduler_backs_up_every_n_minutes_and_keeps_the_last(exported: Exported,
                                                              tmp_path: Path) -> None:
    clock = FixedClock(AT, 60.0)   # one minute per reading
    sched = BackupScheduler(clock, interval_min=3)
    stick = tmp_path / "stick"

    def run(now: dt.datetime) -> object:
        return backup_database(exported.db, stick, at=now, keep=2)

    assert sched.tick(run) is None   # disabled
    sched.enable()
    results = [sched.tick(run) for _ in range(12)]  # type: ignore[arg-type]
    made = [r for r in results if r is not None]
    assert len(made) == 4   # minutes 3, 6, 9 and 12
    assert sched.last_ok is not None and sched.last_error == ""
    assert len(list(stick.glob("pollday-backup-*.db"))) == 2
    sched.disable()
    assert sched.tick(run) is None  # type: ignore[arg-type]
    sched.enable(interval_min=1)

    def fail(now: dt.datetime) -> object:
        raise StickWriteError("备份失败：U 盘不见了")

    out = [sched.tick(fail) for _ in range(3)]  # type: ignore[arg-type]
    assert any(isinstance(o, StickWriteError) for o in out)
    assert "U 盘不见了" in sched.last_error


def test_export_and_backup_cli(exported: Exported, tmp_path: Path, home: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "copy.db"
    src = sqlite3.connect(exported.db)
    src.execute("VACUUM INTO ?", (str(db),))
    src.close()
    stick = tmp_path / "stick"
    res = subprocess.run([*pollday_cmd(), "export", "--db", str(db), "--to", str(stick),
                          "--meeting", "party", "--at", "2026-11-29T18:30:00+08:00"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    path = Path(res.stdout.strip())
    assert path.parent == stick and path.name == "新华街道翠湖社区-20261129-183000.pollday"
    v = verify_package(path)
    assert v.ok and [m["code"] for m in v.meetings] == ["party"]
    assert v.short_hash in res.stderr and v.fingerprint in res.stderr
    c = sqlite3.connect(db)
    last = json.loads(c.execute("SELECT value FROM setting WHERE key = 'export.last_package'")
                      .fetchone()[0])
    audit = c.execute("SELECT detail FROM audit WHERE action = 'package_exported'").fetchall()
    c.close()
    assert last["short_hash"] == v.short_hash and last["fingerprint"] == v.fingerprint
    assert len(audit) == 1
    res = subprocess.run([*pollday_cmd(), "backup", "--db", str(db), "--to", str(stick)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert Path(res.stdout.strip()).name.startswith("pollday-backup-新华街道翠湖社区-")
    from app.cli import main

    assert main(["export", "--db", str(tmp_path / "none.db"), "--to", str(stick)]) == 2
    assert "不存在" in capsys.readouterr().err
