"""Refused connection attempts: per address at most PER_WINDOW audit rows a minute, the rest
counted in one summary row; the dashboard's reader returns both, newest first."""

from __future__ import annotations

import datetime as dt

from app.clock import FixedClock, iso
from app.sync import refused_attempts, refused_total
from app.sync.refusals import MORE, ONE, PER_WINDOW, RefusalLimiter, client_ip
from db.audit import append, verify_chain
from db.connection import connect
from db.tx import transaction
from tests.app.sync.sync_venue import make_assembly


def test_at_most_n_rows_per_address_and_minute_the_rest_counted() -> None:
    lim = RefusalLimiter(per_window=3, window=60.0)
    admitted = [lim.admit(f"10.0.0.7:{5000 + i}", "bad_secret", i * 0.1, f"t{i}")
                for i in range(10)]
    assert admitted == [True] * 3 + [False] * 7          # a new port each time: same address
    assert lim.admit("10.0.0.8:1", "no_hello", 1.0, "u") # another address has its own bound
    assert lim.held == 7 and lim.due(30.0) == []         # the minute is not over
    [held] = lim.due(60.5)
    assert (held.address, held.count, held.reasons) == ("10.0.0.7", 7, {"bad_secret": 7})
    assert (held.first_at, held.last_at) == ("t3", "t9")
    assert lim.due(61.0) == [] and lim.held == 0         # written once, forgotten
    # a new minute: rows again; a window closed by the next attempt is not lost
    assert [lim.admit("10.0.0.7:1", "x", 100.0 + i, "v") for i in range(4)] == [True] * 3 + [False]
    assert lim.admit("10.0.0.7:1", "other_meeting", 170.0, "w")
    assert [h.count for h in lim.due(170.0)] == [1]
    assert [h.address for h in RefusalLimiter(1, 60).due(0, everything=True)] == []
    assert client_ip("[::1]:443") == "[::1]" and client_ip("host") == "host"


def test_reader_returns_rows_and_summaries_newest_first(tmp_path) -> None:
    db = tmp_path / "host.db"
    make_assembly(db, 2)
    conn = connect(db)
    at = iso(FixedClock(dt.datetime(2026, 11, 22, 9, 0), 1.0).now())
    with transaction(conn):
        for i in range(PER_WINDOW):
            append(conn, at=at, actor="冒充台", action=ONE, outcome="refused",
                   detail={"address": f"127.0.0.1:{i}", "reason": "bad_secret",
                           "desk": "冒充台"})
        append(conn, at=at, actor="", action=MORE, outcome="refused",
               detail={"address": "127.0.0.1", "count": 990,
                       "reasons": {"bad_secret": 980, "no_hello": 10}, "from": at, "to": at})
    got = refused_attempts(conn)
    assert len(got) == PER_WINDOW + 1
    assert (got[0].count, got[0].reason, got[0].address) == (990, "bad_secret,no_hello",
                                                             "127.0.0.1")
    assert got[1].count == 1 and got[1].desk == "冒充台" and got[1].address.endswith(f":{PER_WINDOW - 1}")
    assert refused_total(conn) == PER_WINDOW + 990
    assert len(refused_attempts(conn, limit=3)) == 3
    assert verify_chain(conn) == []
    conn.close()
