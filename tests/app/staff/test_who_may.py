"""Who the sign-on dialogs offer for the lock and the unlock (app.permissions.who_may): the
rule lives in the core, the results page only shows the names."""

from __future__ import annotations

from app.clock import FixedClock
from app.meetings import Refusal
from app.permissions import Actor, check, who_may
from app.staff import add_staff, remove_staff, sign_on
from db.connection import connect

STAFF = [("赵主持", ["主持人"], False), ("周监票", ["监票人"], False), ("吴总监", ["监票人"], True),
         ("孙计票", ["计票人"], False), ("王双岗", ["计票人", "监票人"], False)]


def test_the_lock_offers_the_scrutineers_and_the_unlock_the_chief(db_path, fixed_clock: FixedClock
                                                                   ) -> None:
    conn = connect(db_path)
    assert who_may(conn, "lock_result") == []          # no staff list: nobody to offer
    host: str = ""
    for name, roles, chief in STAFF:
        got = add_staff(conn, name, roles, "246810", actor=host, clock=fixed_clock, chief=chief)
        assert not isinstance(got, Refusal), got
        if not host:
            signed = sign_on(conn, name, "246810", clock=fixed_clock)
            assert isinstance(signed, Actor)
            host = signed
    assert who_may(conn, "lock_result") == ["周监票", "吴总监", "王双岗"]
    assert who_may(conn, "lock_result", but="周监票") == ["吴总监", "王双岗"]
    assert who_may(conn, "unlock_result") == ["吴总监"]
    assert who_may(conn, "enter_ballots") == ["孙计票", "王双岗"]
    # The names offered are those check() lets through.
    chief = sign_on(conn, "吴总监", "246810", clock=fixed_clock)
    plain = sign_on(conn, "周监票", "246810", clock=fixed_clock)
    assert check(conn, "unlock_result", chief) is None
    assert check(conn, "unlock_result", plain) is not None
    # A member taken off the list is offered no more.
    assert not isinstance(remove_staff(conn, "王双岗", actor=host, clock=fixed_clock), Refusal)
    assert who_may(conn, "lock_result") == ["周监票", "吴总监"]
    conn.close()
