"""Another laptop's log: export with persons named by token, merge keyed by desk:seq."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Any

from app.attendance.figures import events
from app.attendance.log import Kind
from app.attendance.view import serialized
from app.clock import AHEAD_LIMIT, SystemClock, hlc_limit, hlc_time
from app.model import Meeting
from db import attendance as q
from db import sync as qs
from db.tx import transaction

MAX_SEQ = (1 << 31) - 1


def clock_limit(now: dt.datetime | None = None) -> int:
    """The highest event clock this laptop takes from another (app.clock.hlc_limit): wall time
    `now` (default: this laptop's) plus AHEAD_LIMIT, whatever the log holds (a bound that grew
    with the highest clock known would let one laptop push it further at every exchange)."""
    return hlc_limit(now if now is not None else SystemClock().now())


def _span(delta: dt.timedelta) -> str:
    if delta >= dt.timedelta(days=2):
        return f"约 {delta.days} 天"
    if delta >= dt.timedelta(hours=1):
        return f"约 {int(delta.total_seconds() // 3600)} 小时"
    return f"约 {int(delta.total_seconds() // 60)} 分钟"


def ahead_words(clock: int, now: dt.datetime | None = None) -> str:
    """Why `clock` is refused, in words: how far its wall time is ahead of this laptop's."""
    t = hlc_time(clock)
    here = now if now is not None else SystemClock().now()
    if here.tzinfo is None:
        here = here.astimezone()
    limit = _span(AHEAD_LIMIT).removeprefix("约 ")
    if t is None:
        return f"签到记录的时钟值 {str(clock)[:24]} 超出范围（比本机时间快 {limit}以上）"
    return (f"签到记录的时间（{t.astimezone(here.tzinfo):%Y-%m-%d %H:%M}）比本机时间快"
            f"{_span(t - here)}（超过 {limit}）：请核对两台电脑的日期和时间")


def export_events(conn: sqlite3.Connection, meeting: Meeting) -> list[dict[str, Any]]:
    """The meeting's log with persons named by token (ids differ between laptops)."""
    evs = events(conn, meeting)
    tokens = q.tokens_of(conn, {e.person_id for e in evs})
    sigs = qs.sigs_of(conn, [e.id for e in evs])
    return [{"desk": e.desk, "seq": e.seq, "clock": e.clock, "kind": str(e.kind),
             "person": tokens[e.person_id], "operator": e.operator, "at": e.at,
             "reason": e.reason, "ref": e.ref, "sig": sigs.get(e.id)} for e in evs]


@serialized
def merge_events(conn: sqlite3.Connection, meeting: Meeting,
                 foreign: Iterable[dict[str, Any]], now: dt.datetime | None = None) -> int:
    """Add events from another desk's log (as `export_events` writes them); events known by
    desk:seq are skipped and nothing is overwritten. Merged events are known: later local
    events take a clock after them (app.clock.next_hlc). A clock ahead of `now` (this laptop's
    wall time by default) by more than app.clock.AHEAD_LIMIT, or a seq of 2^31 or more, is
    refused (ValueError; nothing merged), so no laptop can push the room's clock far ahead.
    An event's signature (`sig`, hex) is kept with it. Returns how many were new."""
    rows = list(foreign)
    with transaction(conn):
        ids = q.person_ids_by_token(conn, (r["person"] for r in rows))
        limit = clock_limit(now)
        added = 0
        for r in rows:
            pid = ids.get(r["person"])
            if pid is None:
                raise ValueError(f"event {r['desk']}:{r['seq']} names a person not on this "
                                 "register")
            seq, clock = int(r["seq"]), int(r["clock"])
            if not 0 < seq <= MAX_SEQ:
                raise ValueError(f"签到记录 {r['desk']}:{str(r['seq'])[:24]} 的序号超出范围")
            if clock <= 0:
                raise ValueError(f"签到记录 {r['desk']}:{seq} 的时钟值无效（{str(clock)[:24]}）")
            if clock > limit:
                raise ValueError(f"签到记录 {r['desk']}:{seq}：{ahead_words(clock, now)}")
            sig = r.get("sig")
            added += qs.insert_event_if_new(conn, (
                meeting.id, r["desk"], seq, clock, Kind(r["kind"]).value, pid,
                r.get("operator", ""), r["at"], r.get("reason", ""), r.get("ref", "")),
                sig if isinstance(sig, str) and sig else None)
    return added
