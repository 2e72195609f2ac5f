"""Two laptops work offline on copies of the same database and exchange their logs at random
moments: after a full exchange both agree on everything (实到, standings, double sign-ins)."""

from __future__ import annotations

import random
import sqlite3

import pytest

from app import attendance as att
from app.attendance import Outcome
from db.connection import connect
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")

VOTERS = ("张三", "李四", "王䶮", "𠮷祥", "欧阳娜娜", "阿依古丽·买买提", "周请假")


def _copy(conn, path):
    dst = sqlite3.connect(path)
    conn.backup(dst)
    dst.close()
    return connect(path)


def _state(conn, meeting):
    s = att.attendance_summary(conn, meeting)
    standings = {}
    for e in att.events(conn, meeting):
        st = att.standing_of(conn, meeting, e.person_id)
        standings[e.person_id] = (st.sign_in.key if st.sign_in else None,
                                  st.out.key if st.out else None,
                                  tuple(d.key for d in st.duplicates))
    return (s.present, s.signed_out, sorted(s.present_ids), standings,
            [(d.standing.key, d.duplicate.key) for d in s.duplicates])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_laptops_converge(venue, fixed_clock, tmp_path, seed: int) -> None:
    rng = random.Random(seed)
    m, ids = venue.party, venue.ids
    laptops = {"A台": venue.conn, "B台": _copy(venue.conn, tmp_path / "b.db")}
    for _ in range(60):
        desk = rng.choice(list(laptops))
        conn = laptops[desk]
        pid = ids[rng.choice(VOTERS)]
        action = rng.random()
        if action < 0.5:
            r = att.sign_in(conn, m, pid, desk, "clerk", fixed_clock)
            assert r.outcome in (Outcome.SIGNED_IN, Outcome.ALREADY_SIGNED_IN)
        elif action < 0.65:
            att.undo_sign_in(conn, m, pid, desk, "clerk", fixed_clock, "误签")
        elif action < 0.8:
            att.sign_out(conn, m, pid, desk, "clerk", fixed_clock)
        elif action < 0.9:
            att.return_(conn, m, pid, desk, "clerk", fixed_clock)
        else:  # one laptop hears from the other
            other = next(c for d, c in laptops.items() if d != desk)
            att.merge_events(conn, m, att.export_events(other, m))
    a, b = laptops["A台"], laptops["B台"]
    att.merge_events(a, m, att.export_events(b, m))
    att.merge_events(b, m, att.export_events(a, m))
    assert _state(a, m) == _state(b, m)
    # after the exchange, every person has at most one standing sign-in, never counted twice
    s = att.attendance_summary(a, m)
    assert s.present == len(s.present_ids) <= len(VOTERS)
    b.close()
