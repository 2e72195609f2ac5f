"""Whether a meeting is under way (app.attendance.under_way): what closing the window asks
about is decided in the core, from the log."""

from __future__ import annotations

from app import attendance as att
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")


def test_under_way_once_anyone_signed_in_present_attending_or_gone(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    assert att.under_way(c, m) is None                        # nobody signed in yet
    # Signed in without a vote (列席) is under way though 实到 is 0.
    att.sign_in(c, m, ids["赵预备"], "一号台", "clerk", fixed_clock)
    s = att.under_way(c, m)
    assert s is not None and (s.present, s.attending) == (0, 1)
    assert att.under_way(c, venue.residents) is None          # another meeting: nothing yet
    # A voter signed in and then out (中途退场) keeps it under way.
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    att.sign_out(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    s = att.under_way(c, m)
    assert s is not None and (s.present, s.signed_out) == (0, 1)


def test_an_undone_sign_in_is_not_under_way(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    assert att.under_way(c, m) is not None
    r = att.undo_sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock, reason="签错了人")
    assert r.written, r
    assert att.under_way(c, m) is None
