"""Sign-in use cases over the append-only log: results, 实到, undo, sign-out, exclusions."""

from __future__ import annotations

import sqlite3

import pytest

from app import attendance as att
from app.attendance import Outcome
from app.electorate import NoVote
from db.connection import connect
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")


def test_sign_in_counts_once_whatever_the_desk(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    r = att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.SIGNED_IN and r.present == 1 and r.written
    again = att.sign_in(c, m, str(ids["张三"]), "一号台", "clerk", fixed_clock)
    other = att.sign_in(c, m, "tok00001", "二号台", "clerk", fixed_clock)  # by QR token
    by_id_no = att.sign_in(c, m, "11010519491231002x", "二号台", "clerk", fixed_clock)
    for x in (again, other, by_id_no):
        assert x.outcome is Outcome.ALREADY_SIGNED_IN
        assert x.present == 1 and not x.written
        assert x.standing is not None and x.standing.desk == "一号台"
        assert x.standing.at == r.event.at and "一号台" in x.message
    s = att.attendance_summary(c, m)
    assert s.present == 1
    assert c.execute("SELECT count(*) FROM attendance_event").fetchone()[0] == 1


def test_summary_expected_excluded_leave_and_rule(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    # 8 full members, 1 excluded → 应到 7; 请假 still counts
    s = att.attendance_summary(c, m)
    assert (s.registered, s.expected, s.excluded, s.leave, s.present) == (8, 7, 1, 1, 0)
    assert s.quorum_met is False and "五分之四" in s.rule and s.rate == "0.00%"
    for name in ("张三", "李四", "王䶮", "𠮷祥", "欧阳娜娜"):
        att.sign_in(c, m, ids[name], "一号台", "clerk", fixed_clock)
    s = att.attendance_summary(c, m)
    assert s.present == 5 and s.quorum_met is False  # 25 > 28 fails
    assert s.rate == "71.43%" and s.fraction == "5/7"
    r = att.sign_in(c, m, ids["阿依古丽·买买提"], "二号台", "clerk", fixed_clock)
    assert r.present == 6
    s = att.attendance_summary(c, m)
    assert s.quorum_met is True and s.rate == "85.71%"
    assert s.quorum.required == 6
    assert [(d.desk, d.signed_in) for d in s.desks] == [("一号台", 5), ("二号台", 1)]
    assert s.as_json()["duplicates"] == []


def test_no_vote_attends_but_not_counted(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    r = att.sign_in(c, m, ids["赵预备"], "一号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.NO_VOTE and r.no_vote is NoVote.PROBATIONARY
    assert r.written and r.present == 0 and "列席" in r.message
    again = att.sign_in(c, m, ids["赵预备"], "一号台", "clerk", fixed_clock)
    assert again.outcome is Outcome.ALREADY_SIGNED_IN
    outsider = att.sign_in(c, m, ids["吴居民"], "一号台", "clerk", fixed_clock)
    assert outsider.outcome is Outcome.NO_VOTE and not outsider.written
    assert outsider.no_vote is NoVote.NOT_PARTY_MEMBER
    s = att.attendance_summary(c, m)
    assert s.present == 0 and s.attending == 1


def test_excluded_needs_lift_then_sign_in(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    r = att.sign_in(c, m, ids["孙病假"], "一号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.EXCLUDED and not r.written and r.exclusion is not None
    assert att.lift_exclusion(c, m, ids["孙病假"], "一号台", "clerk", fixed_clock,
                              " ").outcome is Outcome.REASON_MISSING
    lifted = att.lift_exclusion(c, m, ids["孙病假"], "一号台", "clerk", fixed_clock, "本人到会")
    assert lifted.outcome is Outcome.LIFTED
    s = att.attendance_summary(c, m)
    assert (s.expected, s.excluded) == (8, 0)
    r = att.sign_in(c, m, ids["孙病假"], "一号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.SIGNED_IN and r.present == 1
    actions = [a for (a,) in c.execute("SELECT action FROM audit")]
    assert "exclusion_lifted" in actions


def test_unknown_person(venue, fixed_clock) -> None:
    r = att.sign_in(venue.conn, venue.party, "no-such-token", "一号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.UNKNOWN and r.person is None and not r.written


def test_undo_needs_reason_and_allows_a_new_sign_in(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["李四"], "一号台", "clerk", fixed_clock)
    r = att.undo_sign_in(c, m, ids["李四"], "一号台", "clerk", fixed_clock, "  ")
    assert r.outcome is Outcome.REASON_MISSING and r.present == 1
    r = att.undo_sign_in(c, m, ids["李四"], "一号台", "clerk", fixed_clock, "误签：同名")
    assert r.outcome is Outcome.UNDONE and r.present == 0
    assert att.undo_sign_in(c, m, ids["李四"], "一号台", "clerk", fixed_clock,
                            "x").outcome is Outcome.NOT_SIGNED_IN
    r = att.sign_in(c, m, ids["李四"], "二号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.SIGNED_IN and r.present == 1
    # the database refuses an undo without a reason even behind the use case's back
    with pytest.raises(sqlite3.IntegrityError):
        c.execute("INSERT INTO attendance_event (meeting_id, desk, seq, clock, kind, person_id,"
                  " at, ref) VALUES (?, 'x', 1, 99, 'undo_sign_in', ?, 't', 'a:1')",
                  (m.id, ids["李四"]))


def test_sign_out_and_return(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    assert att.return_(c, m, ids["张三"], "一号台", "c", fixed_clock).outcome is Outcome.NOT_OUT
    r = att.sign_out(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.SIGNED_OUT and r.present == 0
    assert att.sign_out(c, m, ids["张三"], "一号台", "c", fixed_clock).outcome is Outcome.ALREADY_OUT
    # a second sign-in while out does not bring them back: return does
    assert att.sign_in(c, m, ids["张三"], "一号台", "c",
                       fixed_clock).outcome is Outcome.ALREADY_SIGNED_IN
    s = att.attendance_summary(c, m)
    assert s.present == 0 and s.signed_out == 1
    r = att.return_(c, m, ids["张三"], "二号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.RETURNED and r.present == 1


def test_log_is_append_only(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    with pytest.raises(sqlite3.IntegrityError):
        c.execute("UPDATE attendance_event SET desk = 'x'")
    with pytest.raises(sqlite3.IntegrityError):
        c.execute("DELETE FROM attendance_event")


def test_other_connection_sees_changes(venue, fixed_clock, db_path) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    att.sign_in(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    other = connect(db_path)
    assert att.attendance_summary(other, m).present == 1
    att.sign_in(other, m, ids["李四"], "二号台", "clerk", fixed_clock)
    # the first connection's cached view notices the other connection's commit
    r = att.sign_in(c, m, ids["李四"], "一号台", "clerk", fixed_clock)
    assert r.outcome is Outcome.ALREADY_SIGNED_IN and r.present == 2
    other.close()


def _copy(conn, path):
    dst = sqlite3.connect(path)
    conn.backup(dst)
    dst.close()
    return connect(path)


def test_merge_two_desks_earliest_wins_and_duplicates_listed(venue, fixed_clock,
                                                            tmp_path) -> None:
    a, m, ids = venue.conn, venue.party, venue.ids
    b = _copy(a, tmp_path / "laptop-b.db")
    att.sign_in(a, m, ids["王䶮"], "A台", "clerk", fixed_clock)           # 08:30:00 at A
    att.sign_in(b, m, ids["王䶮"], "B台", "clerk", fixed_clock)           # 08:30:01 at B
    att.sign_in(b, m, ids["𠮷祥"], "B台", "clerk", fixed_clock)
    from_b, from_a = att.export_events(b, m), att.export_events(a, m)
    assert att.merge_events(a, m, from_b) == 2
    assert att.merge_events(a, m, from_b) == 0          # idempotent: keyed desk:seq
    assert att.merge_events(b, m, from_a) == 1
    for conn in (a, b):
        s = att.attendance_summary(conn, m)
        assert s.present == 2                              # 王䶮 once, 𠮷祥 once
        assert [(d.name, d.standing.key, d.duplicate.key) for d in s.duplicates] == [
            ("王䶮", "A台:1", "B台:1")]                        # the earlier one stands
    # a later local event orders after everything merged (hybrid logical clock)
    r = att.sign_out(a, m, ids["𠮷祥"], "A台", "clerk", fixed_clock)
    assert r.event is not None and r.present == 1
    assert r.event.clock > max(e.clock for e in att.events(a, m) if e.key != r.event.key)
    bad = att.resolve_duplicate(a, m, "B台:1", "A台", "主持人", fixed_clock, "")
    assert bad.outcome is Outcome.REASON_MISSING
    ok = att.resolve_duplicate(a, m, "B台:1", "A台", "主持人", fixed_clock, "同一人两台签到")
    assert ok.outcome is Outcome.RESOLVED
    assert att.attendance_summary(a, m).duplicates == ()
    assert att.resolve_duplicate(a, m, "B台:1", "A台", "x", fixed_clock,
                                 "again").outcome is Outcome.NO_SUCH_EVENT
    b.close()


def test_open_voting_freezes_present(venue, fixed_clock) -> None:
    c, m, ids = venue.conn, venue.party, venue.ids
    for name in ("张三", "李四", "王䶮", "𠮷祥", "欧阳娜娜", "阿依古丽·买买提"):
        att.sign_in(c, m, ids[name], "一号台", "clerk", fixed_clock)
    snap = att.open_voting(c, m, "第一轮", "秘书处", fixed_clock)
    assert isinstance(snap, att.Snapshot)
    assert (snap.expected, snap.present, snap.quorum_met) == (7, 6, True)
    assert len(snap.person_ids) == 6 and ids["张三"] in snap.person_ids
    att.sign_out(c, m, ids["张三"], "一号台", "clerk", fixed_clock)
    again = att.snapshot(c, m, "第一轮")
    assert again == snap                                   # frozen
    assert att.open_voting(c, m, "第一轮", "x", fixed_clock).code == "SNAPSHOT_EXISTS"
    with pytest.raises(sqlite3.IntegrityError):
        c.execute("UPDATE attendance_snapshot SET present = 7")


def test_one_connection_shared_by_a_worker_and_a_timer(venue, fixed_clock) -> None:
    """A desk page signs in on a worker thread while the quorum panel reads on another."""
    import threading

    c, m, ids = venue.conn, venue.party, venue.ids
    errors: list[BaseException] = []
    done = threading.Event()

    def reader() -> None:
        try:
            while not done.is_set():
                s = att.attendance_summary(c, m)
                assert 0 <= s.present <= 7
        except BaseException as e:  # noqa: BLE001  (reported below)
            errors.append(e)

    t = threading.Thread(target=reader)
    t.start()
    names = ("张三", "李四", "王䶮", "𠮷祥", "欧阳娜娜", "阿依古丽·买买提", "周请假")
    try:
        for name in names:
            att.sign_in(c, m, ids[name], "一号台", "clerk", fixed_clock)
    finally:
        done.set()
        t.join()
    assert errors == []
    assert att.attendance_summary(c, m).present == 7
