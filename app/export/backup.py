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


def backup_name(community: str, at: dt.datetime) -> str:
    safe = safe_filename(_SPACES.sub("_", community).strip("._"), fallback="pollday")
    return f"{PREFIX}{safe}-{at.strftime('%Y%m%d-%H%M%S')}.db"


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
        name = backup_name(_community(conn), at)
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
    return Backup(final, final.stat().st_size, removed)


def _quick_check(path: Path) -> bool:
    return dbfiles.integrity_ok(path)


def _prune(folder: Path, name: str, keep: int) -> tuple[Path, ...]:
    stem = name[: -len("-YYYYMMDD-HHMMSS.db")]
    mine = sorted(p for p in folder.glob(f"{glob.escape(stem)}-*.db") if len(p.name) == len(name))
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
