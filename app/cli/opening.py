"""What several commands do first: open an existing database and find the meeting, saying on
stderr what is wrong (the caller returns its usage exit status when either gives None)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from app.meetings import Refusal, resolve_meeting
from app.model import Meeting
from db.connection import connect


def open_db(path: Path) -> sqlite3.Connection | None:
    try:
        return connect(path, create=False)
    except FileNotFoundError:
        print(f"数据库文件不存在 / database not found: {path}", file=sys.stderr)
        return None


def meeting_or_say(conn: sqlite3.Connection, code: str | None) -> Meeting | None:
    meeting = resolve_meeting(conn, code)
    if isinstance(meeting, Refusal):
        print(meeting.message, file=sys.stderr)
        return None
    return meeting
