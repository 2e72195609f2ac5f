"""What a window remembers of a database between runs, and whether it is the demo: small facts in
the database's `setting` table (kept out of the hand-over package, db/snapshot.py)."""

from __future__ import annotations

import sqlite3

from db import settings
from db.identity import DatabaseFileChanged
from db.tx import transaction

LAST_PAGE = "gui.last_page"   # "step" or "step/tab title"
OPERATOR = "gui.operator"    # the 值班人 typed in the window's header
DEMO = "demo.fictional"       # written by the demo builder: the data are made up
OUTPUT_FOLDER = "gui.output_folder"   # where this database's printouts go (a path of this PC)


def _get(conn: sqlite3.Connection, key: str) -> str | None:
    """The stored value, or None when unset or the file cannot be read (the page says why)."""
    try:
        return settings.get(conn, key)
    except sqlite3.Error:
        return None


def _put(conn: sqlite3.Connection, key: str, value: str) -> bool:
    """Store `value`; False when the database cannot be written (read-only media, file gone)."""
    try:
        with transaction(conn):
            settings.put(conn, key, value)
    except (sqlite3.Error, OSError, DatabaseFileChanged):
        return False
    return True


def mark_demo(conn: sqlite3.Connection) -> None:
    """Called inside the demo build's transaction."""
    settings.put(conn, DEMO, "演示数据，虚构")


def is_demo(conn: sqlite3.Connection) -> bool:
    return _get(conn, DEMO) is not None   # an unreadable file is no demo


def remember_page(conn: sqlite3.Connection, step: str, tab: str | None) -> bool:
    """Store the page on screen; False when the database cannot be written (read-only media)."""
    value = f"{step}/{tab}" if tab else step
    return _get(conn, LAST_PAGE) == value or _put(conn, LAST_PAGE, value)


def last_page(conn: sqlite3.Connection) -> tuple[str, str | None] | None:
    """(step, tab or None) last shown on this database, or None."""
    value = _get(conn, LAST_PAGE)
    if not value:
        return None
    step, _, tab = value.partition("/")
    return step, (tab or None)


def operator(conn: sqlite3.Connection) -> str:
    return _get(conn, OPERATOR) or ""


def set_operator(conn: sqlite3.Connection, name: str) -> bool:
    return _put(conn, OPERATOR, name)


def output_folder(conn: sqlite3.Connection) -> str:
    """The folder the clerk chose for this database's printouts, or "" when not chosen yet."""
    return _get(conn, OUTPUT_FOLDER) or ""


def set_output_folder(conn: sqlite3.Connection, folder: str) -> bool:
    """Remember the printouts' folder; False when the database cannot be written."""
    return _put(conn, OUTPUT_FOLDER, folder)
