"""What a window remembers of a database between runs, and whether it is the demo: small facts in
the database's `setting` table (kept out of the hand-over package, db/snapshot.py). What the
laptop remembers across databases (the ones used last) is a small file in the per-user folder."""

from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

from app import home
from app.fileio import write_atomic
from db import settings
from db.identity import DatabaseFileChanged
from db.tx import transaction

LAST_PAGE = "gui.last_page"   # "step" or "step/tab title"
OPERATOR = "gui.operator"    # the 值班人 typed in the window's header
UNNAMED = "值班人未填写"      # shown while nobody has written a name: never a person's name
DEMO = "demo.fictional"       # written by the demo builder: the data are made up
OUTPUT_FOLDER = "gui.output_folder"   # where this database's printouts go (a path of this PC)
RECENT_FILE = "recent-databases.json"  # in the per-user folder: election databases, last first
RECENT_KEPT = 10
IDLE_LOCK = "gui.idle_lock_minutes"   # the idle lock where a staff list exists; 0 = never
IDLE_LOCK_DEFAULT = 15
DESK = "gui.desk"   # the 签到台 chosen last on the 签到 page
EXPORT_FOLDER = "gui.export_folder"   # a folder chosen on the 报送 page for the package

log = logging.getLogger(__name__)


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
    """Called inside the demo build's transaction (and on an old demo file). A database with a
    staff list is never marked: the demo runs in open mode, it would switch the list off."""
    from db import staff

    if staff.active_count(conn):
        return
    settings.put(conn, DEMO, "演示数据，虚构")


def is_demo(conn: sqlite3.Connection) -> bool:
    return _get(conn, DEMO) is not None   # an unreadable file is no demo


def joined_desk(conn: sqlite3.Connection) -> str | None:
    """The desk name this database joined its host as (None: not a desk's database)."""
    from db import sync as sync_store

    peer = sync_store.select_peer(conn)
    return None if peer is None else str(peer[2])


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


def idle_lock_minutes(conn: sqlite3.Connection) -> int:
    """Minutes without a key or click before the window locks (where a staff list exists)."""
    value = _get(conn, IDLE_LOCK)
    try:
        return max(0, int(value)) if value is not None else IDLE_LOCK_DEFAULT
    except ValueError:
        return IDLE_LOCK_DEFAULT


def set_idle_lock_minutes(conn: sqlite3.Connection, minutes: int) -> bool:
    return _put(conn, IDLE_LOCK, str(max(0, int(minutes))))


def output_folder(conn: sqlite3.Connection) -> str:
    """The folder the clerk chose for this database's printouts, or "" when not chosen yet."""
    return _get(conn, OUTPUT_FOLDER) or ""


def set_output_folder(conn: sqlite3.Connection, folder: str) -> bool:
    """Remember the printouts' folder; False when the database cannot be written."""
    return _put(conn, OUTPUT_FOLDER, folder)


def desk_choice(conn: sqlite3.Connection) -> str:
    """The 签到台 chosen last on this database's 签到 page ("" when never chosen)."""
    return _get(conn, DESK) or ""


def set_desk_choice(conn: sqlite3.Connection, desk: str) -> bool:
    return _get(conn, DESK) == desk or _put(conn, DESK, desk)


def export_folder(conn: sqlite3.Connection) -> str:
    """The folder chosen last for the package on the 报送 page ("" when none)."""
    return _get(conn, EXPORT_FOLDER) or ""


def set_export_folder(conn: sqlite3.Connection, folder: str) -> bool:
    return _get(conn, EXPORT_FOLDER) == folder or _put(conn, EXPORT_FOLDER, folder)


# --- the election databases used last on this laptop -------------------------------------------

def _recent_path() -> Path:
    return home.data_home() / RECENT_FILE


def recent_databases() -> list[Path]:
    """Election databases opened on this laptop, the last used first (files may be gone since)."""
    try:
        got = json.loads(_recent_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []               # never written, or unreadable: nothing remembered
    if not isinstance(got, list):
        return []
    return [Path(p) for p in got if isinstance(p, str) and p]


def remember_database(path: Path) -> bool:
    """Put `path` first in the recent list; False when the per-user folder cannot be written."""
    target = Path(path).resolve()
    paths = [target, *(p for p in recent_databases() if p != target)][:RECENT_KEPT]
    try:
        _recent_path().parent.mkdir(parents=True, exist_ok=True)
        write_atomic(_recent_path(), json.dumps([str(p) for p in paths], ensure_ascii=False))
    except OSError:
        log.warning("could not remember the recent database %s", target, exc_info=True)
        return False
    return True


def last_database() -> Path | None:
    """The election database used last, when its file is still there (a USB stick may be out:
    then None, and the start screen decides, not an older election)."""
    recent = recent_databases()
    return recent[0] if recent and recent[0].is_file() else None
