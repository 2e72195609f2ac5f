"""What several commands do first: open an existing database and find the meeting, saying on
stderr what is wrong (the caller returns its usage exit status on None)."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from app.meetings import Refusal, resolve_meeting
from app.model import Meeting
from db.connection import connect

if TYPE_CHECKING:
    from app.clock import Clock


def open_meeting(path: Path, code: str | None) -> tuple[sqlite3.Connection, Meeting] | None:
    """The open database and its meeting `code` (the current one for None); the caller closes
    the connection. None, with the reason on stderr, when the file or the meeting is missing."""
    try:
        conn = connect(path, create=False)
    except FileNotFoundError:
        print(f"数据库文件不存在 / database not found: {path}", file=sys.stderr)
        return None
    try:
        meeting = resolve_meeting(conn, code)
    except BaseException:
        conn.close()
        raise
    if isinstance(meeting, Refusal):
        conn.close()
        print(meeting.message, file=sys.stderr)
        return None
    return conn, meeting


def open_meeting_at(args: argparse.Namespace
                    ) -> tuple[Clock, sqlite3.Connection, Meeting] | None:
    """The clock of --at, then the open database --db and its meeting --meeting (the caller
    closes the connection); None, with the reason on stderr, when either is wrong."""
    from app.cli.counting import clock_at

    clock = clock_at(args.at)
    if clock is None:
        return None
    opened = open_meeting(args.db, args.meeting)
    if opened is None:
        return None
    return clock, *opened
