"""The gate bounds an event's clock by this laptop's wall time (app.clock.AHEAD_LIMIT, a day),
not by the highest clock it knows: a laptop with a plainly wrong date is refused, one set eight
hours ahead (a wrong time zone) is not, an empty log takes today's clocks, and accepting one event
cannot move the bound for the next ("highest known + 10^6" could creep)."""

from __future__ import annotations

import datetime as dt

from pycrdt import Doc, Map

from app.clock import AHEAD_LIMIT, FixedClock, hlc_of
from app.sync.gate import Gate
from app.sync.refusals import REASON_ZH
from db.connection import connect
from tests.app.sync.rogue import body, unsigned
from tests.app.sync.sync_venue import make_assembly

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 11, 22, 9, 0, tzinfo=TZ)


def _update(key: str, value: str) -> bytes:
    doc: Doc = Doc()
    events = doc.get("events", type=Map)
    events[key] = value
    return doc.get_update()


def _refusal(gate: Gate, seq: int, clock: int) -> str:
    got = gate.admit(_update(f"二号台:{seq}", unsigned(body("二号台", seq, clock, "sign_in",
                                                             "tok"))))
    return "" if got is None else got.reason


def test_a_clock_ahead_of_the_wall_time_is_refused_whatever_the_log_holds(tmp_path) -> None:
    _meeting, _tokens = make_assembly(tmp_path / "host.db", 3)
    conn = connect(tmp_path / "host.db", create=False)
    try:
        gate = Gate(conn, Doc(), clock=FixedClock(NOW))
        assert _refusal(gate, 1, hlc_of(NOW + dt.timedelta(days=2))) == "clock_ahead"
        assert _refusal(gate, 1, hlc_of(NOW + dt.timedelta(hours=8))) not in ("clock_ahead", "")
        assert _refusal(gate, 1, 2**63 - 1) == "clock_ahead"
        # just inside the bound: past the clock check (refused later: nobody signed it)
        inside = hlc_of(NOW + AHEAD_LIMIT - dt.timedelta(seconds=1))
        assert _refusal(gate, 1, inside) not in ("clock_ahead", "")
        # the bound is the wall time, whatever the log holds: an empty log takes today's clocks,
        # and a later clock is refused however high the log's own clocks are
        assert conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0] == 0
        assert _refusal(gate, 2, inside + (1 << 30)) == "clock_ahead"
        assert "一天" in REASON_ZH["clock_ahead"]
    finally:
        conn.close()
