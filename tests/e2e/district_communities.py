"""Communities built through the app for the district acceptance test (issue 16): each one a real
election database (register, a 党员大会 electing the committee and its 书记, a 居民会议 electing
the residents' committee and its 主任), its posts, 兼职 marks and previous-term members set with
the command line, exported by the real exporter. Every person and every elected seat is also
returned as plain data, so the test computes the figures by hand from what it asked for."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from app.attendance import sign_in
from app.clock import FixedClock
from app.keys import InstallationKey
from app.meetings import Contest, Refusal, add_candidate, add_contest, create_meeting
from app.model import ContestKind, Form, Meeting, Organisation, PartyStatus, RuleSet
from app.register.store import PersonRecord, add_persons
from app.rules import make_ballot
from app.voting import (
    close_round,
    enter_ballots,
    lock_round,
    open_round,
    record_box,
    set_officials,
)
from db.connection import connect

TZ = dt.timezone(dt.timedelta(hours=8))
SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
EDUCATION = ("大学本科", "大专", "高中", "中专", "硕士研究生", "初中", "大学专科", "本科")
PEOPLE = 30


@dataclass
class Person:
    pid: int
    name: str
    gender: str
    birth: str            # YYYY-MM-DD
    education: str


@dataclass
class Seat:
    person: Person
    body: str             # 党组织委员会 | 居委会
    post: str             # 委员 | 书记 | 主任
    part_time: bool = False


@dataclass
class Built:
    name: str
    db: Path
    package: Path
    date: str
    party_expected: int
    party_present: int
    res_expected: int
    res_present: int
    seats: list[Seat] = field(default_factory=list)
    previous: set[tuple[int, str, str]] = field(default_factory=set)   # (pid, body, post)


def _ok(x: object) -> object:
    assert not isinstance(x, Refusal), x
    return x


def key_of(name: str) -> InstallationKey:
    return InstallationKey(Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(f"issue16:{name}".encode()).digest()))


def _people(i: int) -> list[PersonRecord]:
    names = ["".join(t) for t in itertools.islice(itertools.product(SURNAMES, GIVEN, GIVEN),
                                                   i * PEOPLE, (i + 1) * PEOPLE)]
    out = []
    for k, name in enumerate(names):
        # Ages 26-60; the months around the election month (11) test the completed age.
        year = 1966 + (k * 7 + i * 3) % 35
        month = 1 + (k * 5 + i) % 12
        # Three more women on the committees: 33 of 96 members, 34.375% — an exact tie.
        woman = (k + i) % 3 == 0 or (k == 1 and i in (3, 7, 13))
        out.append(PersonRecord(
            name, "F" if woman else "M", birth_date=f"{year}-{month:02d}-15",
            education=EDUCATION[(k + 2 * i) % len(EDUCATION)], branch="第一支部",
            household=f"H{k}", household_rep=True, party_status=PartyStatus.FULL,
            resident_voter=True))
    return out


def _vote(conn: object, clock: FixedClock, contest: Contest, winners: list[str],
          names: list[str], present: int) -> None:
    import sqlite3

    assert isinstance(conn, sqlite3.Connection)
    r = _ok(open_round(conn, contest.id, actor="主持人", clock=clock))
    paper = [make_ballot(r.names, winners) for _ in range(present)]   # type: ignore[attr-defined]
    rid = r.id   # type: ignore[attr-defined]
    _ok(enter_ballots(conn, rid, "A", paper, clerk="甲", clock=clock))
    _ok(enter_ballots(conn, rid, "B", paper, clerk="乙", clock=clock))
    _ok(record_box(conn, rid, "主票箱", printed=present + 5, issued=present, returned=present,
                   actor="秘书处", clock=clock))
    _ok(set_officials(conn, rid, scrutineers=["监票人甲", "监票人乙"], counters=["计票人甲"],
                      actor="主持人", clock=clock))
    _ok(close_round(conn, rid, actor="主持人", clock=clock))
    _ok(lock_round(conn, rid, actor="主持人", clock=clock))


def build_community(folder: Path, i: int, cli: object, *, party_only: bool = False) -> Built:
    """Community `i`: committee of 5 (6 for i % 3 == 2), 书记 its first member; residents'
    committee of 3 and a 主任 (the 书记 himself — 一肩挑 — when i % 4 == 0). `party_only`: the
    package of a community that has held its 党员大会 only (the committee's 委员, no 书记 yet, no
    居民选举会议)."""
    from app.export.build import build_package

    name = f"第{i + 1:02d}社区"
    day = dt.date(2026, 11, 20) + dt.timedelta(days=i % 6)
    clock = FixedClock(dt.datetime(day.year, day.month, day.day, 8, 30, tzinfo=TZ), 1.0)
    db = folder / f"c{i:02d}.db"
    conn = connect(db)
    records = _people(i)
    counter = itertools.count(1)
    ids = add_persons(conn, records, clock.now().isoformat(),
                      lambda: f"c{i}t{next(counter):05d}")
    people = [Person(pid, r.name, r.gender or "", r.birth_date or "", r.education)
              for pid, r in zip(ids, records, strict=True)]
    party = create_meeting(conn, code="party", title="党员大会", community=name,
                           organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                           form=Form.ASSEMBLY, date=day.isoformat(), clock=clock, actor="t")
    residents = create_meeting(conn, code="residents", title="居民选举会议", community=name,
                               organisation=Organisation.RESIDENTS_COMMITTEE,
                               rules=RuleSet.RESIDENTS, form=Form.ALL, date=day.isoformat(),
                               clock=clock, actor="t")
    assert isinstance(party, Meeting) and isinstance(residents, Meeting)
    pbody, rbody = f"中共{name}委员会", f"{name}居民委员会"
    seats = 6 if i % 3 == 2 else 5
    committee = [people[k] for k in range(seats + (2 if seats == 6 else 1))]   # 差额 20%
    secretary = committee[0]
    r_members = [people[k] for k in (10, 11, 12, 13)]
    director = secretary if i % 4 == 0 else people[14]
    contests: list[tuple[Meeting, str, str, str, ContestKind, int, list[Person], list[Person]]] = [
        (party, "committee", "委员", pbody, ContestKind.COMMITTEE, seats, committee,
         committee[:seats]),
        (party, "secretary", "党委书记", pbody, ContestKind.LEADER, 1, [secretary], [secretary]),
        (residents, "member", "委员", rbody, ContestKind.COMMITTEE, 3, r_members, r_members[:3]),
        (residents, "director", "居委会主任", rbody, ContestKind.LEADER, 1, [director],
         [director])]
    if party_only:
        contests = contests[:1]
    made: list[tuple[Meeting, Contest, list[Person]]] = []
    for meeting, code, title, body, kind, n, cands, _won in contests:
        contest = _ok(add_contest(conn, meeting.id, code=code, title=title, kind=kind, seats=n,
                                  body=body, clock=clock, actor="t"))
        assert isinstance(contest, Contest)
        for p in cands:
            _ok(add_candidate(conn, contest.id, name=p.name, person_id=p.pid, clock=clock,
                              actor="t"))
        made.append((meeting, contest, cands))
    party_present = 25 + i % 6           # of 30: > 4/5
    res_present = 20 + (i * 7) % 11      # of 30: > 1/2
    for pid in ids[:party_present]:
        sign_in(conn, party, pid, "主签到台", "签到员", clock)
    for pid in ids[:res_present]:
        sign_in(conn, residents, pid, "主签到台", "签到员", clock)
    conn.close()

    # Posts chosen in setup by the command line (the titles above are free text).
    assert callable(cli)
    if not party_only:
        cli("contest", "set-post", "--db", db, "--meeting", "party", "--contest", "secretary",
            "--post", "书记")
        cli("contest", "set-post", "--db", db, "--meeting", "residents", "--contest",
            "director", "--post", "主任")
    part_time = {committee[seats - 1].pid} if i % 3 == 0 else set()
    for p in committee:
        if p.pid in part_time:
            cli("candidate", "part-time", "--db", db, "--meeting", "party", "--contest",
                "committee", p.name)
    previous: set[tuple[int, str, str]] = set()
    if i % 2 == 0:                      # the 书记 held the post before: 留任
        previous |= {(secretary.pid, "党组织委员会", "书记"), (secretary.pid, "党组织委员会", "委员")}
    else:                               # a former 委员 only: 新提拔 as 书记, 留任 as member
        previous.add((secretary.pid, "党组织委员会", "委员"))
    previous.add((people[11].pid, "居委会", "委员"))
    previous.add((people[20].pid, "党组织委员会", "委员"))   # not re-elected: counts nowhere
    for pid, body, post in sorted(previous):
        cli("previous-term", "mark", "--db", db, str(pid), "--body", body, "--post", post)

    conn = connect(db)
    for (meeting, contest, cands), (_m, _c, _t, _b, _k, _n, _cands, won) in zip(
            made, contests, strict=True):
        present = party_present if meeting.code == "party" else res_present
        _vote(conn, clock, contest, [p.name for p in won], [p.name for p in cands], present)
    conn.close()

    if party_only:
        # The 居民选举会议 is not held yet: the package carries the 党员大会 only.
        built = build_package(db, key=key_of(name), meeting_code="party",
                              at=dt.datetime(day.year, day.month, day.day, 18, 0, tzinfo=TZ))
    else:
        built = build_package(db, key=key_of(name),
                              at=dt.datetime(day.year, day.month, day.day, 18, 0, tzinfo=TZ))
    assert not isinstance(built, Refusal), built
    package = folder / built.name
    package.write_bytes(built.data)
    out = Built(name, db, package, day.isoformat(), 30, party_present,
                0 if party_only else 30, 0 if party_only else res_present, previous=previous)
    for p in committee[:seats]:
        out.seats.append(Seat(p, "党组织委员会", "委员", p.pid in part_time))
    if party_only:
        return out
    out.seats.append(Seat(secretary, "党组织委员会", "书记"))
    for p in r_members[:3]:
        out.seats.append(Seat(p, "居委会", "委员"))
    out.seats.append(Seat(director, "居委会", "主任"))
    return out
