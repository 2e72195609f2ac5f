"""A small party assembly and a residents' election in a real SQLite file (a helper module,
not a conftest.py: `from conftest import` elsewhere must keep finding tests/conftest.py).
Test modules import the `venue` fixture from here."""

from __future__ import annotations

import itertools
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.meetings import add_exclusion, add_leave, create_meeting
from app.model import ExclusionReason, Form, Meeting, Organisation, PartyStatus, RuleSet
from app.register.store import PersonRecord, add_persons
from db.connection import connect

NOW = "2026-11-22T08:00:00+08:00"


@dataclass
class Venue:
    conn: object
    party: Meeting
    residents: Meeting
    ids: dict[str, int]


def _tokens():
    n = itertools.count(1)
    return lambda: f"tok{next(n):05d}"


def make_venue(db_path, clock) -> Venue:
    conn = connect(db_path)
    full = PartyStatus.FULL
    records = [
        PersonRecord("张三", "M", branch="第一支部", party_status=full, id_number="11010519491231002X",
                     resident_voter=True, household="H1", household_rep=True),
        PersonRecord("李四", "M", branch="第一支部", party_status=full, resident_voter=True,
                     household="H1"),
        PersonRecord("王䶮", "F", branch="第二支部", party_status=full, resident_voter=True,
                     household="H2", household_rep=True),
        PersonRecord("𠮷祥", "M", branch="第二支部", party_status=full, resident_voter=True,
                     household="H3", household_rep=True),
        PersonRecord("欧阳娜娜", "F", branch="第二支部", party_status=full, resident_voter=True,
                     household="H4", household_rep=True),
        PersonRecord("阿依古丽·买买提", "F", branch="第三支部", party_status=full,
                     resident_voter=True, household="H5", household_rep=True),
        PersonRecord("赵预备", "M", branch="第三支部", party_status=PartyStatus.PROBATIONARY,
                     resident_voter=True, household="H6", household_rep=True),
        PersonRecord("钱察看", "M", branch="第三支部", party_status=PartyStatus.ON_PROBATION,
                     resident_voter=True),
        PersonRecord("孙病假", "F", branch="第一支部", party_status=full, resident_voter=True),
        PersonRecord("周请假", "F", branch="第一支部", party_status=full, resident_voter=True),
        PersonRecord("吴居民", "F", resident_group="一组", resident_voter=True, household="H7",
                     household_rep=True),
        PersonRecord("郑居民", "M", resident_group="一组", resident_voter=True, household="H8",
                     household_rep=True),
    ]
    ids = add_persons(conn, records, NOW, _tokens())
    by_name = {r.name: i for r, i in zip(records, ids, strict=True)}
    party = create_meeting(conn, code="party", title="党员大会", community="幸福社区",
                           organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                           form=Form.ASSEMBLY, date="2026-11-22", make_current=True, clock=clock,
                           actor="t")
    residents = create_meeting(conn, code="residents", title="选举大会", community="幸福社区",
                               organisation=Organisation.RESIDENTS_COMMITTEE,
                               rules=RuleSet.RESIDENTS, form=Form.ALL, date="2026-11-29",
                               clock=clock, actor="t")
    assert isinstance(party, Meeting) and isinstance(residents, Meeting)
    add_exclusion(conn, party.id, by_name["孙病假"], ExclusionReason.BEDRIDDEN,
                  approval_ref="街党工委〔2026〕12号", approved_on="2026-11-10", clock=clock,
                  actor="t", detail="脑梗后遗症，长期卧床")
    add_leave(conn, party.id, by_name["周请假"], "出差", clock=clock, actor="t")
    return Venue(conn, party, residents, by_name)


@pytest.fixture(name="venue")
def venue_fixture(db_path, fixed_clock) -> Venue:
    return make_venue(db_path, fixed_clock)


def pollday_cmd() -> list[str]:
    """The installed console script when present, else the module (same code)."""
    exe = Path(sys.executable).parent / ("pollday.exe" if os.name == "nt" else "pollday")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "ui.launcher"]
