"""Who may, asked before the work: a button or field whose action the signed-on person may not
do (app.permissions) is disabled, its tooltip naming who may; pressed anyway (by a shortcut),
the refusal comes at once, before any file dialog, diff or confirmation.

The rule stays app.permissions.check (the use case checks again when it writes); this only
asks it early, and again whenever the signed-on person or the staff list changes. In open mode
nothing is refused and nothing changes here."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app import permissions
from ui.pages.context import PageContext


def denied(ctx: PageContext, code: str) -> str | None:
    """Why the signed-on person may not do `code` (the words of app.permissions), or None."""
    try:
        got = permissions.check(ctx.conn, code, ctx.actor)
    except sqlite3.Error:   # the use case says what is wrong with the file when it is tried
        return None
    return got.message if got is not None else None


class Gate(QObject):
    """Widgets gated by one action code each: enabled only where the person may (and where the
    page's own state allows: `otherwise`), the tooltip saying who may when not."""

    def __init__(self, ctx: PageContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[tuple[QWidget, str, str, Callable[[], bool]]] = []
        ctx.actor_changed.connect(lambda _a: self.refresh())
        ctx.staff_changed.connect(self.refresh)

    def add(self, widget: QWidget, code: str,
            otherwise: Callable[[], bool] = lambda: True) -> None:
        """Gate `widget` by `code`; `otherwise`: the page's own reason to enable it."""
        self.rows.append((widget, code, widget.toolTip(), otherwise))
        self.refresh()

    def set_tip(self, widget: QWidget, tip: str) -> None:
        """The tooltip shown when the person may (the page's own words)."""
        self.rows = [(w, c, tip if w is widget else t, o) for w, c, t, o in self.rows]
        self.refresh()

    def refresh(self) -> None:
        said: dict[str, str | None] = {}
        for widget, code, tip, otherwise in self.rows:
            if code not in said:
                said[code] = denied(self.ctx, code)
            why = said[code]
            widget.setEnabled(why is None and otherwise())
            widget.setToolTip(why if why is not None else tip)
