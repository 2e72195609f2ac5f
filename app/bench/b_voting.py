"""Ballot entry and double entry.

- entry_keystrokes_6: the most keystrokes any six-candidate ballot needs in the compact form
  (one digit per candidate, trailing blanks left out, Enter), over all 3^6 ballots.
- double_entry_compare_10k_ms: entry A against entry B of a 10,000-ballot round read from the
  database, only the differences returned (median of 5).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from pathlib import Path

from app.bench import median, metric

ISSUE = "Voting rounds, ballot counting, one-pass validation, results and printed documents"
CANDIDATES = ("王建国", "刘芳", "李明", "张伟", "陈静", "赵磊")


@metric("entry_keystrokes_6", "keys", 7, "le", issue=ISSUE)
def entry_keystrokes_6(scratch: Path) -> float:
    from app.voting import keystrokes, parse_keys

    worst = 0
    for marks in itertools.product("ox-", repeat=6):
        m = "".join(marks)
        keys = "".join({"o": "1", "x": "2", "-": "0"}[c] for c in m).rstrip("0")
        assert parse_keys(keys + "\n", 6) == m
        worst = max(worst, keystrokes(m))
    return float(worst)


def _round_with_entries(path: Path, n: int) -> int:
    from app.attendance import sign_in
    from app.clock import FixedClock
    from app.meetings import add_candidate, add_contest, create_meeting
    from app.model import ContestKind, Form, Meeting, Organisation, PartyStatus, RuleSet
    from app.register.store import PersonRecord, add_persons
    from app.rules import Ballot
    from app.voting import VotingRound, enter_ballots, open_round
    from db.connection import connect

    clock = FixedClock(dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                       1.0)
    conn = connect(path)
    names = list(CANDIDATES) + [f"党员{i:03d}" for i in range(20)]
    counter = itertools.count()
    ids = add_persons(conn, [PersonRecord(x, party_status=PartyStatus.FULL, branch="一支部")
                             for x in names], "2026-11-22T07:00:00+08:00",
                      lambda: f"bench{next(counter)}")
    m = create_meeting(conn, code="bench", title="bench", community="c",
                       organisation=Organisation.PARTY_BRANCH, rules=RuleSet.PARTY,
                       form=Form.ASSEMBLY, date="2026-11-22", clock=clock, actor="bench")
    assert isinstance(m, Meeting)
    contest = add_contest(conn, m.id, code="c", title="委员", kind=ContestKind.COMMITTEE, seats=5,
                          clock=clock, actor="bench")
    assert not isinstance(contest, Exception) and hasattr(contest, "id")
    for pid in ids[:6]:
        add_candidate(conn, contest.id, name="", person_id=pid, clock=clock, actor="bench")
    for pid in ids:
        sign_in(conn, m, pid, "台", "bench", clock)
    r = open_round(conn, contest.id, actor="bench", clock=clock)
    assert isinstance(r, VotingRound)
    rng = random.Random(7)
    stack = [Ballot("".join(rng.choices("oox-", k=5)) + "-") for _ in range(n)]
    other = list(stack)
    for i in rng.sample(range(n), 30):
        other[i] = Ballot("x" * 6)
    enter_ballots(conn, r.id, "A", stack, clerk="甲", clock=clock)
    enter_ballots(conn, r.id, "B", other, clerk="乙", clock=clock)
    conn.close()
    return r.id


@metric("double_entry_compare_10k_ms", "ms", 200, "lt", issue=ISSUE)
def double_entry_compare_10k_ms(scratch: Path) -> float:
    from app.voting import Comparison, compare_entries
    from db.connection import connect

    path = scratch / "double_entry.db"
    path.unlink(missing_ok=True)
    round_id = _round_with_entries(path, 10_000)
    conn = connect(path)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        c = compare_entries(conn, round_id)
        times.append((time.perf_counter() - start) * 1000)
        assert isinstance(c, Comparison) and c.count_a == 10_000 and len(c.differences) <= 30
    conn.close()
    return median(times)
