"""The demo venue: a realistic, deterministic community 换届 to try every page on.

`build_demo(conn)` fills an empty database: one register of about 8,200 people (8,000 resident
voters in 12 residents' groups, 1,200 Party members in 11 branches), the 党员大会 (current
meeting) with exclusions, leaves, 11 desks and two contests, the 委员会全体会议 for 书记/副书记,
and the 居民委员会 election. The same seed gives byte-identical table contents, tokens included.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from dataclasses import dataclass

from app.clock import FixedClock, iso
from app.demo.people import make_register
from app.demo.venue import Venue
from app.meetings import list_meetings
from app.register.store import TokenFactory, add_persons, token_from
from app.session import mark_demo
from db import persons as db_persons
from db.tx import transaction

DEMO_SEED = 20261129
DEMO_DAY = dt.date(2026, 11, 29)
STAGES = ("setup", "signed-in", "final")
_TZ = dt.timezone(dt.timedelta(hours=8))
# Data is prepared the week before the meeting; the audit clock ticks one second per action.
PREPARED_AT = dt.datetime(2026, 11, 20, 9, 0, tzinfo=_TZ)


@dataclass(frozen=True, slots=True)
class DemoSummary:
    persons: int
    meetings: dict[str, int]   # meeting code -> id
    current: str


def token_factory(seed: int) -> TokenFactory:
    """Sign-in tokens made like real ones (store.token_from: 30 digits with a check digit)
    from a seeded generator."""
    rng = random.Random(seed ^ 0x5EED_70C)

    def make() -> str:
        return token_from(rng.randbytes)

    return make


def build_demo(conn: sqlite3.Connection, *, stage: str = "setup",
               seed: int = DEMO_SEED) -> DemoSummary:
    """Fill an empty, migrated database with the demo venue in one transaction."""
    if stage not in STAGES:
        raise ValueError(f"unknown demo stage {stage!r}; known: {', '.join(STAGES)}")
    from db import staff as db_staff

    # A staff list makes a database real: marked as the demo it would run in open mode
    if db_persons.count_persons(conn) or list_meetings(conn) or db_staff.active_count(conn):
        raise ValueError("the demo venue is built into an empty database only")
    drafts, age = make_register(seed, DEMO_DAY)
    clock = FixedClock(PREPARED_AT, 1.0)
    tokens = token_factory(seed)
    residents = [d for d in drafts if d.resident]
    outside = [d for d in drafts if not d.resident]
    with transaction(conn):
        ids = add_persons(conn, [d.record() for d in residents], iso(clock.now()), tokens,
                          actor="选举工作人员（演示）", source="居民名册（演示）")
        ids += add_persons(conn, [d.record() for d in outside], iso(clock.now()), tokens,
                           actor="选举工作人员（演示）", source="党员名册：居住在社区外的党员（演示）")
        venue = Venue(conn, residents + outside, ids, DEMO_DAY.isoformat(), clock,
                      random.Random(seed + 1), age)
        meetings = venue.build()
        mark_demo(conn)   # every window on it says so (a band: 演示数据，虚构)
        if stage != "setup":
            from app.demo.day import play

            play(conn, meetings["party"].id, stage, seed)
    return DemoSummary(persons=len(ids), meetings={k: m.id for k, m in meetings.items()},
                       current="party")
