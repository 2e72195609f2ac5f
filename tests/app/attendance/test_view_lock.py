"""The attendance view's lock is per connection.

Reported (issue 14 item 15): one lock served every connection, so a sign-in on the GUI thread's
connection waited while the window's worker connection rebuilt its own view of the register
(~140 ms on the demo after an audited change, longer on a big register). A sign-in now waits
only for work on its own connection."""

from __future__ import annotations

import threading

from app import attendance as att
from app.attendance import view
from db.connection import connect
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")


def test_a_sign_in_does_not_wait_for_another_connection_rebuilding_its_view(
        venue, db_path, fixed_clock) -> None:
    gui = venue.conn
    worker = connect(db_path, create=False)
    answers: list[att.Result] = []
    try:
        att.attendance_summary(worker, venue.party)          # the worker holds a view too
        with view.lock(worker):                              # ... and is rebuilding it now
            t = threading.Thread(target=lambda: answers.append(att.sign_in(
                gui, venue.party, venue.ids["张三"], desk="一号台", operator="t",
                clock=fixed_clock)))
            t.start()
            t.join(10)
            assert not t.is_alive(), "the sign-in waited for the other connection's view"
        assert [a.written for a in answers] == [True]
        # Both connections see it once the worker's view is free again.
        assert venue.ids["张三"] in att.attendance_summary(worker, venue.party).present_ids
    finally:
        att.forget(worker)
        worker.close()


def test_two_threads_sharing_one_connection_still_take_turns(venue, fixed_clock) -> None:
    conn = venue.conn
    answers: list[att.Result] = []
    with view.lock(conn):
        t = threading.Thread(target=lambda: answers.append(att.sign_in(
            conn, venue.party, venue.ids["李四"], desk="一号台", operator="t",
            clock=fixed_clock)))
        t.start()
        t.join(0.5)
        assert t.is_alive() and not answers        # waits for the connection's lock
    t.join(10)
    assert [a.written for a in answers] == [True]



def _slip_in(other, venue, fixed_clock, slipped) -> None:
    """Another connection signs 王䶮 in (and commits), once."""
    if not slipped:
        slipped.append(att.sign_in(other, venue.party, venue.ids["王䶮"], desk="二号台",
                                   operator="t", clock=fixed_clock))


def test_a_sign_in_committed_by_another_connection_right_after_ours_is_counted(
        venue, db_path, fixed_clock, monkeypatch) -> None:
    """Without one lock for all connections, another connection may commit between our COMMIT
    and our view taking its new stamp: the view must still read that event (实到 stayed 1
    instead of 2 until something else changed)."""
    gui, other = venue.conn, connect(db_path, create=False)
    att.attendance_summary(gui, venue.party)                     # the view is built
    slipped: list[att.Result] = []
    real_apply = view.View.apply

    def apply(self, e) -> None:
        real_apply(self, e)
        if e.person_id == venue.ids["张三"]:
            _slip_in(other, venue, fixed_clock, slipped)

    monkeypatch.setattr(view.View, "apply", apply)
    try:
        got = att.sign_in(gui, venue.party, venue.ids["张三"], desk="一号台", operator="t",
                          clock=fixed_clock)
        assert got.written and [r.written for r in slipped] == [True]
        present = att.attendance_summary(gui, venue.party).present_ids
        assert {venue.ids["王䶮"], venue.ids["张三"]} <= present
    finally:
        att.forget(other)
        other.close()

