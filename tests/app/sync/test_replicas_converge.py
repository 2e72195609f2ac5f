"""In-process replicas, no network: random sign-ins (and undo, sign-out, a chair's resolution)
on several laptops, random partial exchanges of document updates in any order, then a full
exchange: every replica shows the same attendance, nobody counted twice, every double sign-in
listed everywhere."""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import attendance as att
from app.clock import FixedClock
from app.sync import Replica
from db.connection import connect
from tests.app.sync.sync_venue import copy_db, make_assembly

N_PERSONS = 6
_TEMPLATE: dict[str, object] = {}


def _template() -> tuple[Path, object]:
    if not _TEMPLATE:
        d = Path(tempfile.mkdtemp(prefix="pollday-sync-"))
        atexit.register(shutil.rmtree, d, True)
        m, _tokens = make_assembly(d / "template.db", N_PERSONS)
        _TEMPLATE.update(path=d / "template.db", meeting=m)
    return _TEMPLATE["path"], _TEMPLATE["meeting"]  # type: ignore[return-value]


def _state(r: Replica):
    s = att.attendance_summary(r.conn, r.meeting)
    return (s.present, sorted(s.present_ids), s.signed_out,
            sorted((d.standing.key, d.duplicate.key) for d in s.duplicates),
            sorted(e.key for e in att.events(r.conn, r.meeting)))


def _exchange(a: Replica, b: Replica) -> None:
    """a sends b what b lacks (one direction, like one y-sync step)."""
    b.receive(a.doc.get_update(b.doc.get_state()))
    b.flush()


op = st.one_of(
    st.tuples(st.just("sign_in"), st.integers(0, 2), st.integers(1, N_PERSONS)),
    st.tuples(st.just("undo"), st.integers(0, 2), st.integers(1, N_PERSONS)),
    st.tuples(st.just("out"), st.integers(0, 2), st.integers(1, N_PERSONS)),
    st.tuples(st.just("resolve"), st.integers(0, 2), st.integers(0, 5)),
    st.tuples(st.just("send"), st.integers(0, 2), st.integers(0, 2)),
    st.tuples(st.just("restart"), st.integers(0, 2), st.just(0)),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(op, min_size=1, max_size=40))
def test_random_interleavings_and_partitions_converge(ops) -> None:
    template, meeting = _template()
    clock = FixedClock(dt.datetime(2026, 11, 22, 8, 30), 1.0)
    with tempfile.TemporaryDirectory() as d:
        paths = [Path(d) / f"r{i}.db" for i in range(3)]
        for p in paths:
            copy_db(template, p)
        reps = [Replica(connect(p), meeting) for p in paths]
        desks = ["一号台", "二号台", "主机"]
        try:
            for kind, i, x in ops:
                r = reps[i]
                if kind == "sign_in":
                    att.sign_in(r.conn, meeting, x, desks[i], "t", clock)
                elif kind == "undo":
                    att.undo_sign_in(r.conn, meeting, x, desks[i], "t", clock, "误签")
                elif kind == "out":
                    att.sign_out(r.conn, meeting, x, desks[i], "t", clock)
                elif kind == "resolve":
                    dups = att.attendance_summary(r.conn, meeting).duplicates
                    if dups:
                        att.resolve_duplicate(r.conn, meeting, dups[x % len(dups)].duplicate.key,
                                              desks[i], "chair", clock, "同一人两处签到")
                elif kind == "send" and x != i:
                    r.publish()
                    _exchange(r, reps[x])
                elif kind == "restart":   # the laptop restarts from its own database
                    r.publish()
                    r.flush()
                    att.forget(r.conn)
                    r.conn.close()
                    reps[i] = r = Replica(connect(paths[i]), meeting)
                # whatever happened, nobody is counted twice anywhere
                s = att.attendance_summary(r.conn, meeting)
                assert s.present == len(s.present_ids) <= N_PERSONS
            for r in reps:
                r.publish()
            for a in reps:
                for b in reps:
                    if a is not b:
                        _exchange(a, b)
            states = [_state(r) for r in reps]
            assert states[0] == states[1] == states[2]
        finally:
            for r in reps:
                att.forget(r.conn)
                r.conn.close()
