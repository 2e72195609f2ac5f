"""Small meetings of each rule set in a real SQLite file, for the voting tests (a helper module,
imported as tests.app.voting.voting_venue)."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from app.attendance import sign_in
from app.clock import Clock
from app.meetings import Contest, Refusal, add_candidate, add_contest, create_meeting
from app.model import ContestKind, Form, Meeting, Organisation, PartyStatus, RuleSet
from app.register.store import PersonRecord, add_persons
from app.rules import Ballot, make_ballot

NOW = "2026-11-22T08:00:00+08:00"
_ORG = {RuleSet.PARTY: Organisation.PARTY_COMMITTEE,
        RuleSet.RESIDENTS: Organisation.RESIDENTS_COMMITTEE,
        RuleSet.COLLECTIVE: Organisation.COLLECTIVE}
_FORM = {RuleSet.PARTY: Form.ASSEMBLY, RuleSet.RESIDENTS: Form.ALL,
         RuleSet.COLLECTIVE: Form.MEMBERS}
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"


@dataclass
class Small:
    conn: sqlite3.Connection
    meeting: Meeting
    contest: Contest
    voter_ids: list[int]
    candidates: list[str]


def _names(n: int) -> list[str]:
    pairs = itertools.product(SURNAMES, GIVEN, GIVEN)
    return [a + b + c for a, b, c in itertools.islice(pairs, n)]


def small_meeting(conn: sqlite3.Connection, clock: Clock, rules: RuleSet, *, voters: int,
                  candidates: Sequence[str], seats: int, code: str = "m",
                  kind: ContestKind = ContestKind.COMMITTEE) -> Small:
    """A meeting whose `voters` people all have a vote; candidates are on the register too
    (the first of the voters are renamed to the candidates' names)."""
    names = list(candidates) + _names(voters)[len(candidates):]
    records = []
    for i, name in enumerate(names[:voters]):
        gender = "F" if i % 2 else "M"
        records.append(PersonRecord(
            name, gender, branch="第一支部", household=f"H{i}", household_rep=True,
            party_status=PartyStatus.FULL if rules is RuleSet.PARTY else PartyStatus.NONE,
            resident_voter=rules is RuleSet.RESIDENTS,
            collective_member=rules is RuleSet.COLLECTIVE))
    counter = itertools.count(1)
    ids = add_persons(conn, records, NOW, lambda: f"{code}tok{next(counter):05d}")
    meeting = create_meeting(conn, code=code, title=f"{code} 选举", community="幸福社区",
                             organisation=_ORG[rules], rules=rules, form=_FORM[rules],
                             date="2026-11-22", clock=clock, actor="t")
    assert isinstance(meeting, Meeting)
    contest = add_contest(conn, meeting.id, code="committee", title="委员", kind=kind,
                          seats=seats, clock=clock, actor="t")
    assert isinstance(contest, Contest)
    by_name = dict(zip(names, ids, strict=False))
    for name in candidates:
        c = add_candidate(conn, contest.id, name=name, person_id=by_name[name], clock=clock,
                          actor="t")
        assert not isinstance(c, Refusal), c
    return Small(conn, meeting, contest, ids, list(candidates))


def sign_in_first(s: Small, n: int, clock: Clock) -> None:
    for pid in s.voter_ids[:n]:
        sign_in(s.conn, s.meeting, pid, "主签到台", "签到员", clock)


def ballots(names: Sequence[str], groups: Sequence[tuple[int, Sequence[str]]]) -> list[Ballot]:
    """count × a ballot approving the named persons (others blank)."""
    return [make_ballot(names, approve) for n, approve in groups for _ in range(n)]
