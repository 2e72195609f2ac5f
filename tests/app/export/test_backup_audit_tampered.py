"""A tester edited the audit log with sqlite3 OUTSIDE the program, then pressed 备份数据库 (and
let the automatic backup run): the copies were named pollday-backup-…-<time>.db exactly like a
good one, while the export refusal told her to restore "the last backup whose log is complete"
— the newest copies on the stick were broken ones. Now the backup still happens (never lose
data) but its name ends -审计不完整 and it says which row broke; the export's advice says such
copies are not for restoring, and what to do when no good backup exists."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from app.export.backup import Backup, backup_database
from tests.app.export.conftest import AT, Exported
from tests.app.export.test_export_audit_tampered import tamper_outside


def _tampered(exported: Exported, tmp_path: Path) -> Path:
    db = tmp_path / "tampered.db"
    shutil.copyfile(exported.db, db)
    tamper_outside(db)
    return db


def test_backup_of_a_tampered_database_is_marked(exported: Exported, tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    good = backup_database(exported.db, stick, at=AT)
    assert isinstance(good, Backup) and good.audit_broken == ""
    assert "审计不完整" not in good.path.name
    db = _tampered(exported, tmp_path)
    b = backup_database(db, stick, at=AT + dt.timedelta(minutes=1))
    assert isinstance(b, Backup), b
    assert b.path.exists() and b.size > 0                      # the data is still kept
    assert b.path.name.endswith("-审计不完整.db"), b.path.name
    assert b.path.name.startswith("pollday-backup-")
    assert b.audit_broken == "审计记录不完整（第 5 条起无法核实）", b.audit_broken


def test_periodic_marked_copies_never_push_out_the_good_ones(exported: Exported,
                                                             tmp_path: Path) -> None:
    stick = tmp_path / "stick"
    goods = [backup_database(exported.db, stick, at=AT + dt.timedelta(minutes=i), keep=2,
                             periodic=True) for i in range(2)]
    db = _tampered(exported, tmp_path)
    for i in range(3):
        b = backup_database(db, stick, at=AT + dt.timedelta(minutes=10 + i), keep=2,
                            periodic=True)
        assert isinstance(b, Backup)
    names = sorted(p.name for p in stick.glob("pollday-backup-*.db"))
    assert all(isinstance(g, Backup) and g.path.exists() for g in goods), names
    assert len([n for n in names if n.endswith("-审计不完整.db")]) == 2, names
    assert len(names) == 4, names


def test_export_advice_names_marked_backups_and_no_good_backup(exported: Exported,
                                                               tmp_path: Path) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from app.export.build import Refusal, build_package
    from app.keys import InstallationKey

    got = build_package(_tampered(exported, tmp_path),
                        key=InstallationKey(Ed25519PrivateKey.generate()), at=AT)
    assert isinstance(got, Refusal), got
    assert "“-审计不完整”结尾的备份" in got.message and "不能用来恢复" in got.message
    assert "如果没有审计记录完整的备份" in got.message
    assert "审计链头" in got.message and "选举工作领导小组" in got.message


def test_backup_cli_says_the_copy_is_marked(exported: Exported, tmp_path: Path) -> None:
    from tests.app.export.test_export_audit_tampered import _run

    stick = tmp_path / "stick"
    p = _run("backup", "--db", _tampered(exported, tmp_path), "--to", stick,
             "--at", AT.isoformat(), home=exported.home)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().endswith("-审计不完整.db"), p.stdout
    assert "审计记录不完整（第 5 条起无法核实）" in p.stderr and "不能用它恢复" in p.stderr
