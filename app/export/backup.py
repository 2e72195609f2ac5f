"""Backup copies of the election database on the stick: on demand, and every N minutes.

A backup is the full database (not minimised: it is the venue's own copy, to carry on if the
laptop dies), written by VACUUM INTO to a temporary name on the drive, fsynced, renamed and
checked (PRAGMA integrity_check). The periodic backup is `BackupScheduler.tick()`, which the GUI
calls from a QTimer; it keeps the last `keep` periodic copies.
"""

from __future__ import annotations

import datetime as dt
import glob
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.clock import Clock
from app.export import format as fmt
from app.export.stick import StickWriteError
from app.fileio import fsync_dir, fsync_file, replace_with_retry, safe_filename
from app.permissions import Denied, check
from db import files as dbfiles
from db import snapshot
from db.connection import connect

PREFIX = "pollday-backup-"
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Backup:
    path: Path
    size: int
    removed: tuple[Path, ...] = ()   # older periodic copies pruned
    scans: str = ""                  # what became of the scan originals, in words ("" if none)
    audit_broken: str = ""           # the database's audit log does not verify: in words


_STAMP = len("-YYYYMMDD-HHMMSS.db")


def backup_name(community: str, at: dt.datetime, *, audit_broken: bool = False) -> str:
    """The backup's file name; a copy of a database whose audit log does not verify ends in
    -审计不完整, so nobody restores it taking it for a good one."""
    from app.audit_log import BACKUP_MARK

    safe = safe_filename(_SPACES.sub("_", community).strip("._"), fallback="pollday")
    mark = "-" + safe_filename(BACKUP_MARK) if audit_broken else ""
    return f"{PREFIX}{safe}-{at.strftime('%Y%m%d-%H%M%S')}{mark}.db"


def _community(conn: sqlite3.Connection) -> str:
    from app.meetings import list_meetings

    meetings = list_meetings(conn)
    return meetings[0].community if meetings else ""


def backup_database(db_path: Path, folder: Path, *, at: dt.datetime,
                    keep: int | None = None, actor: str | None = None,
                    periodic: bool = False) -> Backup | Denied:
    """A checked copy of the database in `folder`; with `keep`, only the newest `keep` copies of
    this community stay. Raises StickWriteError when the drive fails.

    A backup by hand is the `actor`'s action (permission `backup`: the 主持人 where a staff list
    exists; refused before anything is written, the Denied says who may). The `periodic` copy
    (BackupScheduler: nobody asked for it, it keeps the venue's data safe) is not refused."""
    conn = connect(db_path, create=False)
    try:
        denied = None if periodic else check(conn, "backup", actor)
        if denied is not None:
            return denied
        archived = _archived(conn)
        # Never lose data: a database edited outside the program is backed up too, but its
        # copy is named for what it is (the export's advice: do not restore from those).
        # Only the first row that does not verify is named: no need to read and describe
        # every entry as check_chain does for the 审计日志 page.
        from app.audit_log import broken_words
        from db.audit import first_break

        first = first_break(conn)
        broken = "" if first is None else broken_words(first[0])
        name = backup_name(_community(conn), at, audit_broken=bool(broken))
        final = folder / name
        tmp = folder / f".{name}{fmt.TEMP_SUFFIX}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for stale in folder.glob(f".{PREFIX}*{fmt.TEMP_SUFFIX}"):
                stale.unlink(missing_ok=True)
            snapshot.vacuum_into(conn, tmp)
            snapshot.rollback_journal(tmp)
            fsync_file(tmp)
            replace_with_retry(tmp, final)
            fsync_dir(folder)
        except (OSError, sqlite3.Error) as e:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
            raise StickWriteError(f"备份失败：{e}（{folder}）。没有留下完整的备份文件，"
                                  "请检查 U 盘后重试。",
                                  temp_left=tmp if tmp.exists() else None) from e
    finally:
        conn.close()
    if not _quick_check(final):
        final.unlink(missing_ok=True)
        raise StickWriteError(f"备份回读检查失败：{final.name} 已删除，请换一个 U 盘重试。")
    removed = _prune(folder, name, keep) if keep else ()
    scans = _copy_scans(db_path, folder, archived, periodic=periodic)
    return Backup(final, final.stat().st_size, removed, scans, broken)


PERIODIC_SCANS_MAX = 200 * 1024 * 1024   # the periodic copy leaves larger scan archives out


def _archived(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """(path relative to the database's folder, SHA-256, size) of every archived scan file."""
    from db import scan as sq

    return [(str(f[3]), str(f[2]), int(f[4])) for b in sorted(sq.batch_ids(conn))
            for f in sq.files(conn, b)]


def _copy_scans(db_path: Path, folder: Path, archived: list[tuple[str, str, int]], *,
                periodic: bool) -> str:
    """Copy the `<database name>-scans` archive beside the backup (the same folder name, so the
    backup opened there finds its scans); files already there with the recorded SHA-256 are
    kept. Each copy is read back and checked against the database's SHA-256. Raises
    StickWriteError when a copy fails or differs."""
    import hashlib

    from app.fileio import write_atomic

    if not archived:
        return ""
    src_root, dst_root = db_path.parent, folder

    def good(path: Path, sha: str) -> bool:
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest() == sha
        except OSError:
            return False

    todo = [(rel, sha, size) for rel, sha, size in archived if not good(dst_root / rel, sha)]
    total = sum(size for *_x, size in archived)
    if periodic and sum(size for *_x, size in todo) > PERIODIC_SCANS_MAX:
        import logging

        mb = sum(size for *_x, size in todo) / 1024 / 1024
        said = (f"扫描原件（{len(todo)}个文件，约{mb:.0f} MB）太大，自动备份未复制："
                "请点“备份数据库”（pollday backup）备份扫描原件")
        logging.getLogger(__name__).warning("periodic backup: %s", said)
        return said
    scans_dir = Path(archived[0][0]).parts[0]
    for rel, sha, _size in todo:
        source = src_root / rel
        if not good(source, sha):
            raise StickWriteError(f"扫描原件 {source} 缺失或与数据库记录的校验值不符，"
                                  "未能备份扫描原件；数据库已备份")
        target = dst_root / rel
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(target, source.read_bytes())
        except OSError as e:
            raise StickWriteError(f"备份扫描原件失败：{e}（{target}）。数据库已备份，"
                                  "请检查 U 盘后重试。") from e
        if not good(target, sha):
            raise StickWriteError(f"备份扫描原件回读检查失败：{target} 与数据库记录的校验值不符，"
                                  "请换一个 U 盘重试。")
    return (f"扫描原件{len(archived)}个文件（{total / 1024 / 1024:.1f} MB）已复制到 "
            f"{dst_root / scans_dir}，逐个核对校验值无误")


def _quick_check(path: Path) -> bool:
    return dbfiles.integrity_ok(path)


def _prune(folder: Path, name: str, keep: int) -> tuple[Path, ...]:
    """The older periodic copies of this community, of the same kind (marked -审计不完整 or
    not: copies of a tampered database never push the good ones out)."""
    from app.audit_log import BACKUP_MARK

    marked = name.endswith(f"-{BACKUP_MARK}.db")
    tail = _STAMP + (len(BACKUP_MARK) + 1 if marked else 0)
    stem = name[: -tail]
    mine = sorted(p for p in folder.glob(f"{glob.escape(stem)}-*.db")
                  if len(p.name) == len(name) and p.name.endswith(f"-{BACKUP_MARK}.db") == marked)
    removed = []
    for p in mine[:-keep]:
        try:
            p.unlink()
            removed.append(p)
        except OSError:
            pass
    return tuple(removed)


class BackupScheduler:
    """Every `interval_min` minutes, while enabled, `tick()` runs the backup function.

    The GUI drives it with a QTimer (every few seconds) and runs the returned work off the GUI
    thread; here it is plain state over a passed-in clock, so a test steps time by hand."""

    def __init__(self, clock: Clock, interval_min: float = 10.0) -> None:
        self.clock = clock
        self.interval = dt.timedelta(minutes=interval_min)
        self.enabled = False
        self.next_due: dt.datetime | None = None
        self.last_ok: dt.datetime | None = None
        self.last_error = ""

    def enable(self, interval_min: float | None = None) -> None:
        if interval_min is not None:
            self.interval = dt.timedelta(minutes=interval_min)
        self.enabled = True
        self.next_due = self.clock.now() + self.interval

    def disable(self) -> None:
        self.enabled = False
        self.next_due = None

    def due(self, now: dt.datetime | None = None) -> bool:
        now = self.clock.now() if now is None else now
        return self.enabled and self.next_due is not None and now >= self.next_due

    def take_due(self) -> dt.datetime | None:
        """The time of a backup that is due now (the next one is scheduled from it), or None.
        The GUI runs the backup off the GUI thread and reports with `record`."""
        now = self.clock.now()
        if not self.due(now):
            return None
        self.next_due = now + self.interval
        return now

    def record(self, at: dt.datetime, outcome: Backup | StickWriteError) -> None:
        if isinstance(outcome, StickWriteError):
            self.last_error = str(outcome)
        else:
            self.last_ok = at
            self.last_error = ""

    def tick(self, run: Callable[[dt.datetime], Backup]) -> Backup | StickWriteError | None:
        """Run `run(now)` when due; its error is kept (last_error) and returned, not raised:
        a missing stick must not stop the day."""
        now = self.take_due()
        if now is None:
            return None
        try:
            result: Backup | StickWriteError = run(now)
        except StickWriteError as e:
            result = e
        self.record(now, result)
        return result
