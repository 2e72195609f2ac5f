"""What every page is given: the open database, the current meeting, the clock and who acts,
with change signals.

Pages read through app/ and db/ functions with `ctx.conn` (GUI thread) and give work that runs
in a ui.tasks.Task the `ctx.db_path` to open its own connection (a SQLite connection stays in
the thread that uses it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app import meetings, session
from app.clock import Clock, SystemClock
from app.model import Meeting
from app.permissions import Actor
from ui import filedialogs, ops

UNNAMED = session.UNNAMED


def default_actor() -> str:
    """Who acts when nobody has written a name in the header's 值班人 field. Records show it as
    登记人, so a person's words, never a login name such as `gui:root`."""
    return UNNAMED


class PageContext(QObject):
    meeting_changed = Signal(object)  # Meeting | None
    register_changed = Signal()  # the register was imported or edited
    message = Signal(str)  # a short line for the status bar
    voting_opened = Signal()  # 开始投票 on any page (实到 frozen, rounds opened): others follow
    actor_changed = Signal(object)  # a staff member signed on (or 切换人员): the Actor
    staff_changed = Signal()  # the staff list was edited (工作人员名单)
    desks_changed = Signal()  # a sign-in desk was added or removed (签到台设置)
    screen_locked = Signal()  # idle lock or 退出登录: typed PINs on the pages are dropped

    def __init__(self, conn: sqlite3.Connection, db_path: Path, *, clock: Clock | None = None,
                 actor: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.conn = conn
        self.db_path = Path(db_path)
        filedialogs.protect(self.db_path)  # no dialog may hand it to a reader or a writer
        ops.attach(self.db_path)  # its worker (ui.ops) may open it, even after an earlier release
        self.clock: Clock = clock or SystemClock()
        self.operator = actor or session.operator(conn)
        self.actor = self.operator or default_actor()
        self.meeting: Meeting | None = meetings.current_meeting(conn)

    def set_operator(self, name: str) -> None:
        """The 值班人 typed in the header: every later record names this person (remembered for
        this database)."""
        name = " ".join(name.split())
        if name == self.operator:
            return
        self.operator = name
        self.actor = name or default_actor()
        session.set_operator(self.conn, name)
        self.message.emit(f"值班人：{name}" if name else "值班人未填写")

    def set_actor(self, actor: Actor) -> None:
        """A staff member signed on with their PIN: the Actor object itself (never a rebuilt
        string, which would be an unverified name) acts in every use case from now on."""
        self.operator = actor
        self.actor = actor
        self.actor_changed.emit(actor)

    def meetings(self) -> list[Meeting]:
        return meetings.list_meetings(self.conn)

    def switch_meeting(self, meeting_id: int) -> str:
        """Make another meeting current (stored, so the CLI and other desks agree).
        Returns a refusal message, or "" when done."""
        if self.meeting is not None and self.meeting.id == meeting_id:
            return ""
        got = meetings.set_current(self.conn, meeting_id, clock=self.clock, actor=self.actor)
        if isinstance(got, meetings.Refusal):
            return got.message
        self.meeting = got
        self.meeting_changed.emit(got)
        return ""
