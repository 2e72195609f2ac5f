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


# --- the hybrid logical clock of the attendance log ------------------------------------------
# An event's `clock` is wall time in milliseconds shifted left by LOGICAL_BITS, plus a logical
# counter in the low bits (Kulkarni et al., "Logical Physical Clocks", 2014; VotingWorks' poll book
# orders check-ins the same way). A new event takes max(now, highest clock known + 1), and
# merging another laptop's events makes them known: so an event always orders after every event
# it acts upon (as a Lamport clock does), and between laptops that had not heard from each other
# "earlier" means earlier by their wall clocks. "Known" is per person (app.attendance.desk): the
# log folds each person's events apart, so nothing else needs ordering, and a laptop whose clock
# runs ahead can only make later events of the persons it signed order after its own, never the
# whole room's. The value stays below 2^53 until the year 2248, so it is exact in any JSON reader;
# clocks of the Lamport log before (1, 2, 3 ...) order before every new one. More than
# 2^LOGICAL_BITS events of one person in one millisecond carry into the next.
LOGICAL_BITS = 10
# How far ahead of this laptop's wall time an event from another laptop may be before it is
# refused (audited): a date that is plainly wrong. Within it, a laptop whose clock is off (a
# wrong time zone is 8 hours) still shares its sign-ins; they just lose a double sign-in to
# any other desk's, and only the persons it signed carry its time.
AHEAD_LIMIT = dt.timedelta(days=1)


def hlc_of(t: dt.datetime) -> int:
    """The hybrid clock value of wall time `t` with logical counter 0."""
    return int(t.timestamp() * 1000) << LOGICAL_BITS


def next_hlc(known: int, now: dt.datetime) -> int:
    """The clock of a new event written at `now` after events whose highest clock is `known`:
    later than `now` and than each of them."""
    return max(hlc_of(now), known + 1)


def hlc_limit(now: dt.datetime) -> int:
    """The highest clock accepted from another laptop by a laptop whose wall time is `now`."""
    return hlc_of(now + AHEAD_LIMIT) | ((1 << LOGICAL_BITS) - 1)


def hlc_time(value: int) -> dt.datetime | None:
    """The wall time (UTC) in a hybrid clock value; None for a Lamport clock of the log before
    (a value below 2001-01-01), and for a value past the year 9999."""
    ms = value >> LOGICAL_BITS
    if not 978_307_200_000 <= ms < 253_402_300_800_000:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
