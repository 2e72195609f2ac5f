"""The demo venue: deterministic, realistic, and built through the audited setup code."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest
from pdtest import ROOT

from app.cli import main
from app.clock import FixedClock
from app.demo import DEMO_DAY, DEMO_SEED, build_demo, token_factory
from app.demo import names as nm
from app.demo.people import make_register
from app.electorate import NoVote, electorate, has_vote, load_persons
from app.meetings import (
    Refusal,
    current_meeting,
    lift_exclusion,
    list_candidates,
    list_contests,
    list_desks,
    list_exclusions,
    list_leaves,
    meeting_by_code,
)
from app.model import ExclusionReason, Form, PartyStatus
from app.register.idcard import IdInfo, parse_id_number
from db.audit import verify_chain
from db.connection import connect

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
PROVINCES = {"11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
             "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
             "63", "64", "65"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    conn = connect(path)
    started = time.process_time()  # CPU time: a busy test machine must not fail this
    summary = build_demo(conn)
    elapsed = time.process_time() - started
    assert elapsed < 5.0, f"demo build took {elapsed:.1f} s of CPU"
    yield conn, summary, load_persons(conn)
    conn.close()


def dump(conn: sqlite3.Connection) -> list[str]:
    return list(conn.iterdump())


def test_two_builds_are_identical_and_the_seed_matters(demo, tmp_path) -> None:
    conn, _, _ = demo
    # Another process with another string-hash seed: nothing may depend on set order.
    path = tmp_path / "again.db"
    code = "import sys; from app.cli import main; raise SystemExit(main(sys.argv[1:]))"
    subprocess.run([sys.executable, "-c", code, "demo", "--db", str(path)], cwd=ROOT, check=True,
                   capture_output=True, env={**os.environ, "PYTHONHASHSEED": "4242"})
    again = sqlite3.connect(path)
    assert dump(again) == dump(conn)
    again.close()
    tokens = [r[0] for r in conn.execute("SELECT token FROM person ORDER BY id LIMIT 50")]
    seeded = token_factory(DEMO_SEED)
    assert [seeded() for _ in range(50)] == tokens
    other = token_factory(7)
    assert [other() for _ in range(50)] != tokens
    assert len(set(tokens)) == 50 and all(re.fullmatch(r"[0-9]{30}", t) for t in tokens)
    every = [r[0] for r in conn.execute("SELECT token FROM person")]
    assert not [t for t in every if t.startswith("-")]  # a PERSON argument, not an option
    drafts, _ = make_register(7, DEMO_DAY)
    assert [d.name for d in drafts[:200]] != [r[0] for r in conn.execute(
        "SELECT name FROM person ORDER BY id LIMIT 200")]


def test_build_refuses_a_database_with_data(demo) -> None:
    conn, _, _ = demo
    before = dump(conn)
    with pytest.raises(ValueError, match="empty database"):
        build_demo(conn)
    with pytest.raises(ValueError, match="stage"):
        build_demo(conn, stage="dusk")  # not a stage
    assert dump(conn) == before


def test_party_register_counts(demo) -> None:
    conn, _, persons = demo
    members = [p for p in persons if p.party_status != PartyStatus.NONE]
    status = Counter(p.party_status for p in members)
    assert 1150 <= len(members) <= 1250
    assert 0.04 <= status[PartyStatus.PROBATIONARY] / len(members) <= 0.06
    assert 1 <= status[PartyStatus.ON_PROBATION] <= 5
    assert 1 <= status[PartyStatus.SUSPENDED] <= 5
    branches = Counter(p.branch for p in members)
    assert len(branches) == 11 and {"第一党支部", "离退休党支部", "两新组织党支部"} <= set(branches)
    assert all(p.member_no for p in members)
    assert len({p.member_no for p in members}) == len(members)
    # Most members live in the community; some (两新组织, 离退休) live elsewhere.
    residents = sum(p.resident_voter for p in members)
    assert 0.75 * len(members) < residents < len(members)
    retired = [p for p in members if p.branch == "离退休党支部"]
    assert all(age(p.birth_date) >= 60 for p in retired)


def test_party_meeting_setup(demo) -> None:
    conn, _, persons = demo
    party = current_meeting(conn)
    assert party is not None and party.code == "party" and party.form == Form.ASSEMBLY
    e = electorate(conn, party, persons)
    full = sum(p.party_status == PartyStatus.FULL for p in persons)
    assert e.registered == full
    exclusions = list_exclusions(conn, party.id)
    assert 14 <= len(exclusions) <= 17
    assert {x.reason for x in exclusions} == set(ExclusionReason)
    assert all(x.approval_ref and dt.date.fromisoformat(x.approved_on) < DEMO_DAY
               for x in exclusions)
    assert e.expected == full - len(exclusions)
    leaves = list_leaves(conn, party.id)
    assert 25 <= len(leaves) <= 35
    assert not {x.person_id for x in leaves} & {x.person_id for x in exclusions}
    desks = list_desks(conn, party.id)
    assert len(desks) == 11
    assert sorted(d.scope for d in desks) == sorted((b,) for b in {p.branch for p in e.voters})
    contests = {c.title: c for c in list_contests(conn, party.id)}
    assert [(c.seats, len(list_candidates(conn, c.id))) for c in contests.values()] == [(7, 9),
                                                                                         (3, 4)]
    for c in contests.values():
        for cand in list_candidates(conn, c.id):
            assert cand.person_id in {p.id for p in e.voters}


def test_plenary_and_residents_meetings(demo) -> None:
    conn, _, persons = demo
    plenary = meeting_by_code(conn, "plenary")
    assert plenary is not None and plenary.form == Form.PLENARY
    committee = next(c for c in list_contests(conn, current_meeting(conn).id) if c.seats == 7)
    electors = electorate(conn, plenary, persons)
    assert {p.id for p in electors.voters} == {c.person_id for c in list_candidates(conn, committee.id)}
    assert [(c.title, c.seats) for c in list_contests(conn, plenary.id)] == [("书记", 1), ("副书记", 1)]

    residents = meeting_by_code(conn, "residents")
    assert residents is not None and residents.form == Form.ALL
    e = electorate(conn, residents, persons)
    assert 7500 <= e.registered <= 8500
    groups = Counter(p.resident_group for p in e.voters)
    assert len(groups) == 12
    households = Counter(p.household for p in e.voters)
    assert set(households.values()) == {1, 2, 3, 4, 5}
    reps = [p for p in e.voters if p.household_rep]
    assert sorted(p.household for p in reps) == sorted(households)  # one rep per household
    assert 55 <= sum(p.resident_rep for p in persons) <= 65
    assert len(list_desks(conn, residents.id)) == 12
    contests = {c.title: c for c in list_contests(conn, residents.id)}
    assert list(contests) == ["主任", "副主任", "委员"]
    assert contests["主任"].seats == 1 and contests["副主任"].seats in (1, 2)
    members = list_candidates(conn, contests["委员"].id)
    assert contests["委员"].seats == 5 and len(members) >= 6
    assert any(c.gender == "F" for c in members)
    voter_ids = {p.id for p in e.voters}
    assert all(c.person_id in voter_ids for ct in contests.values()
               for c in list_candidates(conn, ct.id))
    # Household form: the base is the number of households (rules.md §2.1).
    by_household = electorate(conn, dataclasses.replace(residents, form=Form.HOUSEHOLD), persons)
    assert by_household.registered == len(households) == by_household.households


def test_has_vote_differs_per_meeting(demo) -> None:
    conn, _, persons = demo
    party = meeting_by_code(conn, "party")
    residents = meeting_by_code(conn, "residents")
    plain = next(p for p in persons if p.party_status == PartyStatus.NONE and p.resident_voter)
    assert has_vote(plain, party).reason is NoVote.NOT_PARTY_MEMBER
    assert has_vote(plain, residents).has_vote
    prob = next(p for p in persons if p.party_status == PartyStatus.PROBATIONARY and p.resident_voter)
    right = has_vote(prob, party)
    assert not right.has_vote and right.attends and right.reason is NoVote.PROBATIONARY
    assert has_vote(prob, residents).has_vote
    away = next(p for p in persons if p.party_status == PartyStatus.FULL and not p.resident_voter)
    assert has_vote(away, party).has_vote
    assert has_vote(away, residents).reason is NoVote.NOT_RESIDENT_VOTER
    for status in (PartyStatus.ON_PROBATION, PartyStatus.SUSPENDED):
        p = next(p for p in persons if p.party_status == status)
        assert has_vote(p, party).reason is NoVote(status.value)


def test_hard_names_are_present(demo) -> None:
    _, _, persons = demo
    names = [p.name for p in persons]
    text = "".join(names)
    for ch in nm.RARE_CHARS:
        assert ch in text, ch
    assert "𠮷" in {n[0] for n in names}  # a character outside the BMP as a surname
    for s in nm.COMPOUND_SURNAMES:
        assert any(n.startswith(s) for n in names), s
    minority = [n for n in names if "·" in n]
    assert len(minority) >= 10 and "阿依古丽·买买提" in minority
    for s in nm.HETERONYM_SURNAMES:
        assert sum(n.startswith(s) for n in names) >= 2, s
    by_name: dict[str, list[str | None]] = {}
    for p in persons:
        by_name.setdefault(p.name, []).append(p.id_number)
    for name, _, count in nm.DUPLICATE_NAMES:
        ids = [i for i in by_name[name] if i]
        assert len(ids) >= count and len(set(ids)) == len(ids), name
    # Two Party members of the same name in one branch.
    same_branch = Counter((p.name, p.branch) for p in persons if p.branch)
    assert same_branch.most_common(1)[0][1] >= 2
    surnames = Counter(nm.family_name_of(n) for n in names if "·" not in n)
    top = [s for s, _ in surnames.most_common(5)]
    assert set(top[:3]) <= {"王", "李", "张", "刘", "陈"}


def test_id_numbers_valid_and_consistent(demo) -> None:
    _, _, persons = demo
    with_id = [p for p in persons if p.id_number]
    without = [p for p in persons if not p.id_number]
    assert len(with_id) == len({p.id_number for p in with_id})
    for p in with_id:
        n = p.id_number
        assert re.fullmatch(r"\d{17}[\dX]", n), n
        total = sum(int(c) * w for c, w in zip(n[:17], WEIGHTS, strict=True))
        assert "10X98765432"[total % 11] == n[17], n
        assert n[:2] in PROVINCES, n
        assert f"{n[6:10]}-{n[10:12]}-{n[12:14]}" == p.birth_date, p
        assert ("M" if int(n[16]) % 2 else "F") == p.gender, p
        assert isinstance(parse_id_number(n, DEMO_DAY), IdInfo), n  # the importer agrees
    assert 50 <= len(without) <= 150
    assert all(re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", p.birth_date or "") for p in without)
    assert any(len(p.birth_date or "") == 7 for p in without)  # 出生年月 only
    ages = [age(p.birth_date) for p in persons]
    assert min(ages) >= 18 and max(ages) <= 95 and max(ages) >= 90 and min(ages) <= 20
    assert set(Counter(p.education for p in persons)) == {"初中及以下", "高中/中专", "大专", "本科",
                                                           "研究生"}


def age(birth: str | None) -> int:
    assert birth
    y, m = int(birth[:4]), int(birth[5:7])
    d = int(birth[8:10]) if len(birth) == 10 else 1
    return DEMO_DAY.year - y - ((DEMO_DAY.month, DEMO_DAY.day) < (m, d))


def test_setup_is_audited_and_chain_verifies(demo, tmp_path) -> None:
    conn, _, _ = demo
    party = meeting_by_code(conn, "party")
    audited = conn.execute("SELECT detail FROM audit WHERE action = 'exclusion_added'").fetchall()
    assert len(audited) == len(list_exclusions(conn, party.id))
    refs = {x.approval_ref for x in list_exclusions(conn, party.id)}
    assert all(any(r in d for r in refs) for (d,) in audited)
    actions = Counter(r[0] for r in conn.execute("SELECT action FROM audit"))
    assert actions["register.add"] == 2 and actions["meeting_created"] == 3
    assert actions["leave_added"] == len(list_leaves(conn, party.id))
    assert verify_chain(conn) == []
    # Lifting on a copy: audited, and the chain still verifies.
    copy = sqlite3.connect(tmp_path / "copy.db", isolation_level=None)
    conn.backup(copy)
    ex = list_exclusions(copy, party.id)[0]
    clock = FixedClock(dt.datetime(2026, 11, 29, 8, 0), 1.0)
    lifted = lift_exclusion(copy, ex.id, why="经核实已康复", clock=clock, actor="t")
    assert not isinstance(lifted, Refusal)
    last = copy.execute("SELECT action, detail FROM audit ORDER BY id DESC LIMIT 1").fetchone()
    assert last[0] == "exclusion_lifted" and ex.approval_ref in last[1]
    assert verify_chain(copy) == []


def test_cli_refuses_to_overwrite_without_force(tmp_path, capsys) -> None:
    path = tmp_path / "venue.db"
    connect(path).close()  # an empty PollDay database may be filled
    assert main(["demo", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    conn = sqlite3.connect(path)
    assert f"名册 {conn.execute('SELECT count(*) FROM person').fetchone()[0]} 人" in out
    assert out.count("（当前会议）") == 1 and "party:" in out and "residents:" in out
    conn.execute("INSERT INTO setting (key, value) VALUES ('marker', 'kept')")
    conn.commit()
    conn.close()
    assert main(["demo", "--db", str(path)]) == 1
    assert "--force" in capsys.readouterr().err
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM setting WHERE key = 'marker'").fetchone() == ("kept",)
    conn.close()
    with pytest.raises(SystemExit):
        main(["demo", "--db", str(path), "--stage", "dusk"])
    other = tmp_path / "notes.txt"
    other.write_text("not a database")
    assert main(["demo", "--db", str(other)]) == 1
    assert other.read_text() == "not a database"
    assert main(["demo", "--db", str(other), "--force", "--stage", "setup"]) == 0
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT count(*) FROM meeting").fetchone() == (3,)
    conn.close()
