"""Backups into folders whose names mean something in a URI (`h#d`, `50%20off`, `why?`): the
check reads the backup itself, not a file named by the part of the path before the `#`.

Seen before the fix: in a folder named `h#d` the read-only check opened `h` (an empty file) and
said "ok" whatever the backup held."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.export import backup as backup_mod
from app.export.backup import backup_database
from app.export.stick import StickWriteError
from db import files as dbfiles
from tests.app.export.conftest import AT, Exported

ODD = ["h#d", "50%20off", "a%3Fb#c", "百分之%25"] + ([] if sys.platform == "win32" else ["why?x"])


def rows(db: Path, table: str) -> int:
    c = sqlite3.connect(dbfiles.ro_uri(db), uri=True)
    try:
        return int(c.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        c.close()


@pytest.mark.parametrize("folder", ODD)
def test_backup_into_an_odd_folder_is_the_whole_database_and_checks(
        exported: Exported, tmp_path: Path, folder: str) -> None:
    stick = tmp_path / "stick" / folder
    b = backup_database(exported.db, stick, at=AT)
    assert b.path.parent == stick and b.path.exists()
    assert dbfiles.integrity_ok(b.path)
    assert rows(b.path, "person") == rows(exported.db, "person") > 1000
    # the decoy the old URI opened is never created
    assert sorted(p.name for p in stick.parent.iterdir()) == [folder]


@pytest.mark.parametrize("folder", ["h#d", "50%20off"])
def test_a_damaged_backup_in_an_odd_folder_is_caught(
        exported: Exported, tmp_path: Path, folder: str, monkeypatch: pytest.MonkeyPatch) -> None:
    stick = tmp_path / "stick" / folder
    stick.mkdir(parents=True)
    # What `file:.../h#d/x.db` and `file:.../50%20off/x.db` would open instead: a healthy
    # database at the wrong path. A check that reads it says "ok".
    name = backup_mod.backup_name("新华街道翠湖社区", AT)
    decoy = {"h#d": stick.parent / "h", "50%20off": stick.parent / "50 off" / name}[folder]
    decoy.parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(decoy).close()
    real_fsync = backup_mod.fsync_file

    def damaging_stick(path: Path) -> None:
        """The stick stores other bytes in the middle of the copy."""
        with open(path, "r+b") as f:
            f.seek(path.stat().st_size // 2)
            f.write(b"\xff" * 8192)
        real_fsync(path)

    monkeypatch.setattr(backup_mod, "fsync_file", damaging_stick)
    with pytest.raises(StickWriteError) as err:
        backup_database(exported.db, stick, at=AT)
    assert "备份回读检查失败" in str(err.value)
    assert [p for p in stick.iterdir() if p.suffix == ".db"] == []


def test_pollday_backup_cli_into_h_hash_d(exported: Exported, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    stick = tmp_path / "h#d"
    assert main(["backup", "--db", str(exported.db), "--to", str(stick), "--at",
                 AT.isoformat()]) == 0
    out = Path(capsys.readouterr().out.strip())
    assert out.parent == stick and dbfiles.integrity_ok(out)


def test_backup_names_from_odd_communities_are_files_in_the_folder(tmp_path: Path) -> None:
    for community in ("CON", "翠湖:社区", "a/b\\c", "社区\u202eexe.", "   ", "[第一]社区*"):
        name = backup_mod.backup_name(community, AT)
        p = tmp_path / name
        p.write_bytes(b"x")
        assert p.parent == tmp_path and name.startswith(backup_mod.PREFIX)
        assert not name.upper().startswith("CON.")
    assert backup_mod.backup_name("新华街道翠湖社区", AT) == \
        "pollday-backup-新华街道翠湖社区-20261129-180000.db"


def test_pruning_keeps_the_newest_even_with_glob_characters_in_the_community(
        tmp_path: Path) -> None:
    import datetime as dt

    names = [backup_mod.backup_name("[第一]社区", AT + dt.timedelta(minutes=i)) for i in range(4)]
    for n in names:
        (tmp_path / n).write_bytes(b"x")
    removed = backup_mod._prune(tmp_path, names[-1], keep=2)
    assert sorted(p.name for p in removed) == names[:2]
    assert sorted(p.name for p in tmp_path.iterdir()) == names[2:]
