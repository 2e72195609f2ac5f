"""A sign-out ends the sign-in it names, a return the sign-out it names: one written without
having seen the person signed in ends nothing, even when its clock orders it after a sign-in made
on a laptop that had not heard of it (the fuzz of tests/e2e/test_sync_fuzz.py once lost two
acknowledged sign-ins of a desk this way; tests/e2e/test_sync_sign_out_bound.py is the same
through real processes)."""

from __future__ import annotations

import sqlite3

from app import attendance as att
from app.attendance import Outcome
from db.connection import connect
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")


def _copy(conn, path):
    dst = sqlite3.connect(path)
    conn.backup(dst)
    dst.close()
    return connect(path)


def _token(conn, pid: int) -> str:
    return str(conn.execute("SELECT token FROM person WHERE id = ?", (pid,)).fetchone()[0])


def _event(desk: str, seq: int, clock: int, kind: str, token: str, ref: str) -> dict[str, object]:
    return {"desk": desk, "seq": seq, "clock": clock, "kind": kind, "person": token,
            "operator": "", "at": "2026-11-22T08:31:00+08:00", "reason": "", "ref": ref}


def test_a_sign_out_that_never_saw_the_sign_in_ends_nothing(venue, fixed_clock, tmp_path):
    host, m, ids = venue.conn, venue.party, venue.ids
    desk = _copy(host, tmp_path / "desk.db")            # 一号台, not hearing from the room
    first = att.sign_in(host, m, ids["张三"], "主机", "clerk", fixed_clock).event
    assert first is not None
    # 一号台 signs 李四 and 王䶮 in; the host has meanwhile a valid sign-out from 二号台 of each,
    # naming a sign-in it saw (张三's, as the fuzz's rogue did) or none, ordered after 一号台's
    for name in ("李四", "王䶮"):
        assert att.sign_in(desk, m, ids[name], "一号台", "clerk", fixed_clock).written
    ahead = max(e.clock for e in att.events(desk, m)) + 1000
    att.merge_events(host, m, [
        _event("二号台", 1, ahead, "sign_out", _token(host, ids["李四"]), first.key),
        _event("二号台", 2, ahead + 1, "sign_out", _token(host, ids["王䶮"]), "二号台:9")])
    assert att.merge_events(host, m, att.export_events(desk, m)) == 2
    s = att.attendance_summary(host, m)
    assert {ids["李四"], ids["王䶮"], ids["张三"]} <= s.present_ids and s.signed_out == 0
    # the desk, hearing from the host, agrees
    att.merge_events(desk, m, att.export_events(host, m))
    assert att.attendance_summary(desk, m).present_ids == s.present_ids


def test_sign_out_and_return_name_what_they_end(venue, fixed_clock):
    c, m, ids = venue.conn, venue.party, venue.ids
    sign_in = att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock).event
    out = att.sign_out(c, m, ids["张三"], "二号台", "clerk", fixed_clock)
    assert out.outcome is Outcome.SIGNED_OUT and out.event is not None and sign_in is not None
    assert out.event.ref == sign_in.key
    back = att.return_(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    assert back.outcome is Outcome.RETURNED and back.event is not None
    assert back.event.ref == out.event.key
    assert ids["张三"] in att.attendance_summary(c, m).present_ids


def test_a_return_that_names_no_sign_out_of_the_person_brings_nobody_back(venue, fixed_clock):
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    out = att.sign_out(c, m, ids["张三"], "一号台", "clerk", fixed_clock).event
    assert out is not None
    top = max(e.clock for e in att.events(c, m))
    att.merge_events(c, m, [_event("二号台", 1, top + 1, "return", _token(c, ids["张三"]),
                                   "一号台:9")])
    assert ids["张三"] not in att.attendance_summary(c, m).present_ids
    att.merge_events(c, m, [_event("二号台", 2, top + 2, "return", _token(c, ids["张三"]),
                                   out.key)])
    assert ids["张三"] in att.attendance_summary(c, m).present_ids


def test_a_sign_out_at_the_desk_of_a_double_sign_in_ends_the_stay(venue, fixed_clock, tmp_path):
    """Signed in at two desks that had not heard of each other, signed out at the second: the
    sign-out names the double sign-in, and the person is out everywhere."""
    a, m, ids = venue.conn, venue.party, venue.ids
    b = _copy(a, tmp_path / "b.db")
    att.sign_in(a, m, ids["李四"], "一号台", "clerk", fixed_clock)
    att.sign_in(b, m, ids["李四"], "二号台", "clerk", fixed_clock)
    assert att.sign_out(b, m, ids["李四"], "二号台", "clerk", fixed_clock).written
    att.merge_events(a, m, att.export_events(b, m))
    att.merge_events(b, m, att.export_events(a, m))
    for conn in (a, b):
        s = att.attendance_summary(conn, m)
        assert ids["李四"] not in s.present_ids and s.signed_out == 1


def test_a_sign_out_of_a_log_written_before_it_named_one_still_ends_the_sign_in(venue,
                                                                                fixed_clock):
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    top = max(e.clock for e in att.events(c, m))
    att.merge_events(c, m, [_event("旧台", 1, top + 1, "sign_out", _token(c, ids["张三"]), "")])
    assert ids["张三"] not in att.attendance_summary(c, m).present_ids
