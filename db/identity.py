"""Is the file a connection writes to still the file at its path?

SQLite keeps writing to the file it opened even when someone deletes it, or replaces it with
another file (a copy dragged over it, a restored backup): sign-ins then go into a file nobody
will ever open again, or SQLite reports "malformed" when the new file's pages meet the old
WAL. So every connection PollDay opens remembers the identity of its file (device and inode
from os.stat; on Windows os.stat fills st_ino with the file index and st_dev with the volume
serial number), and `db.tx.transaction` checks it before and after each write, refusing in
words that name the file.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class FileIdentity:
    path: Path
    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        st = os.stat(path)
        return cls(path, st.st_dev, st.st_ino)


class DatabaseFileChanged(Exception):
    """The database file at the connection's path was deleted or replaced since it was opened.
    Its message speaks to the clerk (app.logs.describe_error keeps it)."""

    def __init__(self, path: Path, *, deleted: bool) -> None:
        what = "已被删除或移走" if deleted else "已被另一个文件替换"
        super().__init__(
            f"数据库文件 {path} 在本程序打开之后{what}，刚才的操作没有写入，"
            "以免写进一个再也没人打开的文件。之前已确认的记录在原来那个文件里："
            "请先找回它（被移到的位置、回收站，或最近的备份），再关闭本窗口（或命令）重新打开。")
        self.path = path
        self.deleted = deleted


class PollDayConnection(sqlite3.Connection):
    """sqlite3.Connection that knows which file it opened (set by db.connection.connect)."""

    file_identity: FileIdentity | None = None


def remember(conn: sqlite3.Connection, path: Path) -> None:
    """Record the identity of `path` on a connection just opened on it."""
    if isinstance(conn, PollDayConnection):
        try:
            conn.file_identity = FileIdentity.of(path)
        except OSError:
            conn.file_identity = None


def check(conn: sqlite3.Connection) -> None:
    """Raise DatabaseFileChanged when the connection's file is no longer at its path."""
    known = getattr(conn, "file_identity", None)
    if not isinstance(known, FileIdentity):
        return
    try:
        now = FileIdentity.of(known.path)
    except FileNotFoundError:
        raise DatabaseFileChanged(known.path, deleted=True) from None
    except OSError:
        return  # cannot stat (permissions, a stick going away): SQLite's own error will tell
    if (now.device, now.inode) != (known.device, known.inode):
        raise DatabaseFileChanged(known.path, deleted=False)
