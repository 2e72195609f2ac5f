"""The double sign-in that stands is the earlier one in time (hybrid logical clock).

Reported: 陈俊杰 signed in on the host at 03:08:03, then on a desk that was offline at 03:08:05;
after reconnecting the desk's 03:08:05 stood (有效) and the host's 03:08:03 was listed as the
重复, under "以先签到的为准", and the per-desk counts credited the desk. The host had written more
events than the desk, so its Lamport clock was higher: "earliest (clock, desk)" was not earliest
in time. Events now carry a hybrid logical clock (wall time, then a logical counter)."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import subprocess

import pytest

from app import attendance as att
from app.attendance.merge import ahead_words, clock_limit
from app.clock import AHEAD_LIMIT, FixedClock, hlc_of, hlc_time, next_hlc
from app.meetings import current_meeting
from app.model import PartyStatus
from app.register.store import PersonRecord, add_persons
from db.connection import connect
from tests.app.attendance.attendance_venue import (
    NOW,
    pollday_cmd,
    venue_fixture,  # noqa: F401  (fixture "venue")
)

TZ = dt.timezone(dt.timedelta(hours=8))
HOST, DESK = "主机", "二号台"


def _pollday(*args: str) -> subprocess.CompletedProcess[str]:
    r = subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True,
                       encoding="utf-8", timeout=120)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def _sign_in(db, desk: str, at: str, *tokens: str) -> None:
    r = _pollday("sign-in", "--db", str(db), "--desk", desk, "--at", at, "--", *tokens)
    assert [json.loads(x)["result"] for x in r.stdout.splitlines()] == ["signed_in"] * len(tokens)


def _copy(src, path):
    dst = sqlite3.connect(path)
    src.backup(dst)
    dst.close()


def test_the_earlier_sign_in_stands_although_the_later_laptop_had_the_lower_clock(
        venue, db_path, tmp_path) -> None:
    conn = venue.conn
    add_persons(conn, [PersonRecord("陈俊杰", "M", branch="第一支部",
                                    party_status=PartyStatus.FULL)], NOW, lambda: "tok-cjj")
    desk_db = tmp_path / "desk.db"
    _copy(conn, desk_db)                       # the desk's copy, before the day
    att.forget(conn)
    conn.close()
    host_db = db_path
    # the host has been signing in since 03:00 (its log, and its clock, is ahead of the desk's)
    _sign_in(host_db, HOST, "2026-11-22T03:00:00+08:00", "tok00001", "tok00002", "tok00003")
    _sign_in(host_db, HOST, "2026-11-22T03:08:03+08:00", "tok-cjj")
    # the desk, offline, signs the same man in two seconds later
    _sign_in(desk_db, DESK, "2026-11-22T03:08:05+08:00", "tok-cjj")

    host, desk = connect(host_db, create=False), connect(desk_db, create=False)
    try:
        m = current_meeting(host)
        assert m is not None
        from_desk, from_host = att.export_events(desk, m), att.export_events(host, m)
        assert att.merge_events(host, m, from_desk) == 1          # the desk reconnects
        assert att.merge_events(desk, m, from_host) == 4
        for c in (host, desk):
            s = att.attendance_summary(c, m)
            assert [(d.name, d.standing.desk, d.standing.at[11:19], d.duplicate.desk,
                     d.duplicate.at[11:19]) for d in s.duplicates] == [
                ("陈俊杰", HOST, "03:08:03", DESK, "03:08:05")]
            assert [(d.desk, d.signed_in) for d in s.desks] == [(HOST, 4)]
            assert s.present == 4
    finally:
        for c in (host, desk):
            att.forget(c)
            c.close()

    # the command line says the same, on either laptop
    for db in (host_db, desk_db):
        r = _pollday("attendance", "--db", str(db), "--json")
        out = json.loads(r.stdout)
        assert [(d["name"], d["standing"], d["standing_at"], d["duplicate"], d["duplicate_at"])
                for d in out["duplicates"]] == [
            ("陈俊杰", f"{HOST}:4", "2026-11-22T03:08:03+08:00", f"{DESK}:1",
             "2026-11-22T03:08:05+08:00")]
        assert out["desks"] == [{"desk": HOST, "signed_in": 4}]
        text = _pollday("attendance", "--db", str(db)).stdout
        assert f"重复签到待处理 1 起：陈俊杰（{DESK}:1）" in text


def test_a_clock_orders_after_the_wall_time_and_after_every_event_seen() -> None:
    t = dt.datetime(2026, 11, 22, 3, 8, 3, tzinfo=TZ)
    assert hlc_time(hlc_of(t)) == t
    assert next_hlc(0, t) == hlc_of(t)                     # an empty log: the wall time
    assert next_hlc(90, t) == hlc_of(t)                    # the Lamport clocks before: older
    seen = hlc_of(t + dt.timedelta(seconds=2))
    assert next_hlc(seen, t) == seen + 1                   # behind what it saw: just after it
    assert next_hlc(seen, t) < hlc_of(t + dt.timedelta(seconds=2, milliseconds=1))
    assert hlc_of(dt.datetime(2248, 1, 1, tzinfo=TZ)) < 2**53   # exact in any JSON reader
    assert hlc_time(90) is None and hlc_time(2**63 - 1) is None


def test_a_laptop_whose_clock_runs_ahead_drags_only_the_persons_it_signed(venue) -> None:
    """A desk set eight hours ahead (a wrong time zone) still shares its sign-ins: the next
    events of the person it signed order after its own, every other person's keep the wall
    time, and a sign-in of the same person elsewhere stands over it. A date plainly wrong (more
    than a day ahead) is refused, in words, and nothing is merged."""
    conn, m, ids = venue.conn, venue.party, venue.ids
    now = dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ)
    tokens = dict(conn.execute("SELECT name, token FROM person"))

    def event(seq: int, clock: int, name: str) -> dict[str, object]:
        return {"desk": "快钟台", "seq": seq, "clock": clock, "kind": "sign_in",
                "person": tokens[name], "operator": "", "at": "2026-11-22T17:00:00+08:00",
                "reason": "", "ref": ""}

    with pytest.raises(ValueError, match="比本机时间快约 2 天"):
        att.merge_events(conn, m, [event(1, hlc_of(now + dt.timedelta(days=2)), "张三")],
                         now=now)
    with pytest.raises(ValueError, match="超出范围"):
        att.merge_events(conn, m, [event(1, 2**62, "张三")], now=now)
    assert att.events(conn, m) == []                        # nothing merged
    assert clock_limit(now) < hlc_of(now + AHEAD_LIMIT + dt.timedelta(milliseconds=1))

    eight_hours = hlc_of(now + dt.timedelta(hours=8))
    assert att.merge_events(conn, m, [event(1, eight_hours, "张三")], now=now) == 1
    clock = FixedClock(now)
    out = att.sign_out(conn, m, ids["张三"], "一号台", "clerk", clock)
    assert out.event is not None and out.event.clock == eight_hours + 1   # after what it acts on
    other = att.sign_in(conn, m, ids["李四"], "一号台", "clerk", clock)
    assert other.event is not None and other.event.clock == hlc_of(now)   # the room keeps time
    # 王䶮 signed at the fast desk, and at an honest desk that had not heard of it yet
    assert att.merge_events(conn, m, [event(2, eight_hours + 5, "王䶮"),
                                      {**event(1, hlc_of(now), "王䶮"), "desk": "二号台",
                                       "at": "2026-11-22T09:00:00+08:00"}], now=now) == 2
    st = att.standing_of(conn, m, ids["王䶮"])
    assert st.sign_in is not None and st.sign_in.key == "二号台:1"
    assert [d.key for d in st.duplicates] == ["快钟台:2"]
    assert "快约 30 小时" in ahead_words(hlc_of(now + dt.timedelta(hours=30)), now)


def test_same_moment_on_two_laptops_orders_by_desk_name(venue, tmp_path) -> None:
    a, m, ids = venue.conn, venue.party, venue.ids
    _copy(a, tmp_path / "b.db")
    b = connect(tmp_path / "b.db", create=False)
    same = FixedClock(dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ))
    try:
        att.sign_in(b, m, ids["王䶮"], "B台", "clerk", same)
        att.sign_in(a, m, ids["王䶮"], "A台", "clerk", same)
        att.merge_events(a, m, att.export_events(b, m))
        s = att.attendance_summary(a, m)
        assert [(d.standing.key, d.duplicate.key) for d in s.duplicates] == [("A台:1", "B台:1")]
    finally:
        att.forget(b)
        b.close()


def test_a_kept_database_of_the_lamport_log_keeps_its_order(tmp_path) -> None:
    """A database from before (clocks 1, 2, 3 ... 90): its sign-ins stay before every new one,
    a person it signed in stays signed in there, a new double sign-in is listed after it."""
    import shutil
    from pathlib import Path

    path = tmp_path / "v5.db"
    shutil.copy(Path(__file__).parents[2] / "fixtures" / "schema-v5.db", path)
    conn = connect(path, create=False)
    try:
        m = current_meeting(conn)
        assert m is not None and max(e.clock for e in att.events(conn, m)) == 90
        now = FixedClock(dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ))
        again = att.sign_in(conn, m, "fixture-token-1", "三号台", "clerk", now)
        assert again.outcome is att.Outcome.ALREADY_SIGNED_IN and again.standing is not None
        assert again.standing.key == "一号台:1"
        merged = {"desk": "四号台", "seq": 1, "clock": hlc_of(dt.datetime(2026, 11, 22, 8, 0,
                                                                         tzinfo=TZ)),
                  "kind": "sign_in", "person": "fixture-token-1", "operator": "",
                  "at": "2026-11-22T08:00:00+08:00", "reason": "", "ref": ""}
        assert att.merge_events(conn, m, [merged], now=now.now()) == 1
        st = att.standing_of(conn, m, again.person.id if again.person else 0)
        assert st.sign_in is not None and st.sign_in.key == "一号台:1"
        assert [d.key for d in st.duplicates] == ["四号台:1"]
        r = att.sign_in(conn, m, "fixture-token-2", "三号台", "clerk", now)
        assert r.event is not None and r.event.clock == hlc_of(now.now())
    finally:
        att.forget(conn)
        conn.close()
