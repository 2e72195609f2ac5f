"""投票计票: choose the contest and round, open a round, officials and boxes, ballot entry A/B,
the double-entry comparison, tally sheets, the 唱票 big screen.

Every number and verdict comes from app.voting / app.rules; the tabs only show what the use
cases return (a Refusal's message in red, as it is).
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget

from ui.pages.context import PageContext


def create(ctx: PageContext) -> QWidget:
    from ui.pages.counting.page import CountingPage

    return CountingPage(ctx)
