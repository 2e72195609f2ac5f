"""Staff PINs (issue 15): what one offline guess of a PIN costs, and how long 1,000 wrong PINs
take through the sign-on use case with its throttle (the wrong-PIN delay kept in the database)."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from app.bench import median, metric
from app.clock import FixedClock
from app.staff import SCRYPT_N, SCRYPT_P, SCRYPT_R, add_staff, hash_pin, sign_on, throttle_delay_s

GUESSES = 7
THROUGH_USE_CASE = 10
WRONG = 1000
T0 = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@metric("pin_guess_ms", unit="ms", target=50, better="gt", issue="Staff sign-on and PINs")
def pin_guess_ms(folder: Path) -> float:
    """Median of 7 scrypt hashes of a 6-digit PIN with the stored parameters: what each guess
    costs someone holding the database file (who skips the throttle)."""
    salt = os.urandom(16)
    times: list[float] = []
    for i in range(GUESSES):
        start = time.perf_counter()
        hash_pin(f"{i:06d}", salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
        times.append((time.perf_counter() - start) * 1000)
    return median(times)


class _Jump:
    """A clock the bench moves past each wait (the waits are added from the schedule)."""

    def __init__(self) -> None:
        self.t = T0

    def now(self) -> dt.datetime:
        return self.t


@metric("pin_1000_wrong_min", unit="min", target=480, better="gt",
        issue="Staff sign-on and PINs")
def pin_1000_wrong_min(folder: Path) -> float:
    """Minutes 1,000 wrong PINs take at a laptop through app.staff.sign_on: the measured time of
    one wrong try through the use case (scrypt, the throttle row and the audit row written; median
    of 10) × 1,000, plus the waits the throttle schedule imposes before each try. Target: more
    than a polling day (8 hours)."""
    from db.connection import connect

    conn = connect(folder / "staff-bench.db")
    try:
        got = add_staff(conn, "主持人", ["主持人"], "246810", actor="", clock=FixedClock(T0))
        assert not hasattr(got, "code"), got
        clock = _Jump()
        times: list[float] = []
        for i in range(THROUGH_USE_CASE):
            start = time.perf_counter()
            refused = sign_on(conn, "主持人", f"{900000 + i}", clock=clock)
            times.append(time.perf_counter() - start)
            assert hasattr(refused, "code") and refused.code == "PIN_WRONG", refused
            clock.t += dt.timedelta(seconds=throttle_delay_s(i + 1))
    finally:
        conn.close()
    waits = sum(throttle_delay_s(k) for k in range(WRONG))   # before try k+1, after k wrong
    return (median(times) * WRONG + waits) / 60
