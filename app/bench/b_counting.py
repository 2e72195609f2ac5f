"""Counting speed: 100,000 ballots × 11 candidates through aggregation, validity, tally and the
decision of the contest (rules.md, all checks)."""

from __future__ import annotations

import random
import time
from pathlib import Path

from app.bench import median, metric
from app.model import ContestKind, Form, RuleSet
from app.rules import (
    Ballot,
    Candidate,
    Contest,
    Meeting,
    Round,
    aggregate,
    count_ballots,
    decide_contest,
)

CANDIDATES = ("王建国", "刘芳", "李明", "张伟", "陈静", "赵磊", "孙丽", "周强", "吴敏", "郑华", "冯涛")
SEATS = 9
BALLOTS = 100_000


def random_ballots(n: int, seed: int = 2026) -> list[Ballot]:
    """Ballots as a clerk or a database would hand them over: mark strings, a few write-ins,
    a few declared invalid; roughly one in ten over-marked."""
    rng = random.Random(seed)
    out: list[Ballot] = []
    for i in range(n):
        marks = "".join(rng.choices("oox-", k=len(CANDIDATES)))
        if i % 97 == 0:
            out.append(Ballot(marks.replace("o", "-", 3), ("钱进",)))
        elif i % 1000 == 1:
            out.append(Ballot(marks, declared_invalid=True, reason="无法辨认"))
        else:
            out.append(Ballot(marks))
    return out


def count_once(ballots: list[Ballot]) -> float:
    meeting = Meeting(RuleSet.PARTY, Form.ASSEMBLY, eligible=110_000, excluded=0, present=BALLOTS)
    contest = Contest("committee", "委员", ContestKind.COMMITTEE, Round.FIRST, SEATS,
                      tuple(Candidate(n) for n in CANDIDATES), issued=BALLOTS)
    start = time.perf_counter()
    count = count_ballots(contest.names, SEATS, aggregate(ballots).items())
    decide_contest(meeting, contest, count)
    return time.perf_counter() - start


@metric("count_ballots_100k_s", "s", 0.5, "lt", issue="The counting core")
def count_ballots_100k_s(scratch: Path) -> float:
    ballots = random_ballots(BALLOTS)
    return median([count_once(ballots) for _ in range(5)])
