"""A search's rows read their attendance at once (app.attendance.standings_of), the same as one
standing_of per row, which the desk page called for every row."""

from __future__ import annotations

from app import attendance as att
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")


def test_standings_of_reads_a_search_s_rows_at_once(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    att.sign_in(c, m, ids["李四"], "二号台", "clerk", fixed_clock)
    att.sign_out(c, m, ids["李四"], "二号台", "clerk", fixed_clock)
    rows = [ids["张三"], ids["李四"], ids["王䶮"]]
    got = att.standings_of(c, m, rows)
    assert list(got) == rows
    assert got == {pid: att.standing_of(c, m, pid) for pid in rows}
    assert got[ids["张三"]].sign_in.desk == "一号台" and got[ids["张三"]].out is None
    assert got[ids["李四"]].out is not None
    assert got[ids["王䶮"]].sign_in is None                    # not signed in
