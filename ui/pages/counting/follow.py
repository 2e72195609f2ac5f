"""A counting tab follows writes made elsewhere (the command line, another window on the same
file): while it is shown, PRAGMA data_version is looked at every two seconds (a read of a
counter, no query of the tables) and the tab refreshed when another connection wrote."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

EVERY_MS = 2000


def follow_changes(tab: QWidget, conn: Callable[[], sqlite3.Connection],
                   refresh: Callable[[], None]) -> QTimer:
    from app.attendance.view import stamp

    def now() -> object:
        try:
            c = conn()
            return (id(c), stamp(c)[0])
        except sqlite3.Error:
            return None

    seen: list[object] = [now()]

    def look() -> None:
        if not tab.isVisible():
            return     # a change while hidden: refreshed at the first look once shown
        got = now()
        if got is not None and got != seen[0]:
            seen[0] = got
            refresh()

    timer = QTimer(tab)
    timer.setInterval(EVERY_MS)
    timer.timeout.connect(look)
    timer.start()
    return timer
