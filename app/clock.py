"""Time is passed in, so tests and PDFs are reproducible."""

from __future__ import annotations

import datetime as dt
from typing import Protocol


class Clock(Protocol):
    def now(self) -> dt.datetime: ...


class SystemClock:
    def now(self) -> dt.datetime:
        return dt.datetime.now().astimezone().replace(microsecond=0)


class FixedClock:
    """A clock for tests: starts at `start` and advances `step_s` seconds per call."""

    def __init__(self, start: dt.datetime, step_s: float = 0.0) -> None:
        self._t = start
        self._step = dt.timedelta(seconds=step_s)

    def now(self) -> dt.datetime:
        t = self._t
        self._t = t + self._step
        return t


def iso(t: dt.datetime) -> str:
    return t.isoformat(timespec="seconds")
