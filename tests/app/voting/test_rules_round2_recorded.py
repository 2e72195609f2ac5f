"""Round 2 of the rules on a recorded election (real SQLite file): 被选举权 refused when a
candidate is added and found again by the validation (rules.md §1.3, §4), and NO_WOMAN_ELECTED
judged over every contest of the residents' meeting (§2.5)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

import pytest

from app.clock import Clock
from app.meetings import (
    Contest,
    Refusal,
    add_candidate,
    add_contest,
    create_meeting,
    rule_options,
    set_options,
)
from app.model import ContestKind, Form, Organisation, PartyStatus, RuleSet
from app.register.store import PersonRecord, add_persons
from app.results import export_round
from app.rules import Code
from app.rules.options import RunoffMargin
from app.scenario import InputProblem, parse_scenario
from app.scenario_run import outcome_json, run_scenario
from app.voting import (
    MeetingValidation,
    RoundValidation,
    VotingRound,
    enter_ballots,
    open_round,
    validate_meeting,
    validate_round,
)
from db import persons as db_persons
from db.connection import connect
from tests.app.voting.voting_venue import NOW, ballots, sign_in_first, small_meeting


def _ok(x):  # type: ignore[no-untyped-def]
    assert not isinstance(x, Refusal), x
    return x


def _recount(conn: sqlite3.Connection, v: RoundValidation) -> dict[str, Any]:
    """The round exported as a scenario and run as `pollday scenario run` runs it; it must print
    exactly the round's output."""
    exported = _ok(export_round(conn, v.round))
    parsed = parse_scenario(json.loads(json.dumps(exported)))
    assert not isinstance(parsed, InputProblem), parsed.line()
    out = outcome_json(run_scenario(parsed))
    assert out == v.output()
    return exported


# --- 被选举权 when a candidate is added (the use case of the 选举事项 page and the CLI) -----------

STATUSES = [("正式甲", PartyStatus.FULL), ("预备乙", PartyStatus.PROBATIONARY),
            ("察看丙", PartyStatus.ON_PROBATION), ("中止丁", PartyStatus.SUSPENDED),
            ("群众戊", PartyStatus.NONE)]


def _party(conn: sqlite3.Connection, clock: Clock, rules: RuleSet = RuleSet.PARTY,
           ) -> tuple[Contest, dict[str, int]]:
    records = [PersonRecord(n, "M", branch="第二支部", party_status=s, resident_voter=True)
               for n, s in STATUSES]
    n = iter(range(1, 100))
    ids = add_persons(conn, records, NOW, lambda: f"tok{next(n):04d}")
    form = Form.ASSEMBLY if rules is RuleSet.PARTY else Form.ALL
    org = (Organisation.PARTY_COMMITTEE if rules is RuleSet.PARTY
           else Organisation.RESIDENTS_COMMITTEE)
    m = _ok(create_meeting(conn, code="m", title="选举", community="幸福社区", organisation=org,
                           rules=rules, form=form, date="2026-11-22", clock=clock, actor="t"))
    c = _ok(add_contest(conn, m.id, code="wy", title="委员", kind=ContestKind.COMMITTEE, seats=3,
                        clock=clock, actor="t"))
    return c, dict(zip([s[0] for s in STATUSES], ids, strict=True))


@pytest.mark.parametrize(("name", "words"), [
    ("预备乙", "预备党员"), ("察看丙", "留党察看"), ("中止丁", "权利中止"), ("群众戊", "不是中共党员")])
def test_a_party_candidate_without_the_right_to_stand_is_refused_with_the_reason(
        tmp_path, fixed_clock, name: str, words: str) -> None:
    conn = connect(tmp_path / "e.db")
    contest, ids = _party(conn, fixed_clock)
    got = add_candidate(conn, contest.id, name="", person_id=ids[name], clock=fixed_clock,
                        actor="t")
    assert isinstance(got, Refusal) and got.code == "CANDIDATE_NOT_ELIGIBLE"
    assert name in got.message and words in got.message and "被选举权" in got.message
    assert "第二支部" in got.message
    # Nothing written: the list is empty and no audit row says it was added.
    assert conn.execute("SELECT count(*) FROM candidate").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit WHERE action = 'candidate_added'"
                        ).fetchone()[0] == 0


def test_a_probationary_namesake_of_a_candidate_is_told_he_cannot_stand(tmp_path,
                                                                         fixed_clock) -> None:
    """Two 张伟: the full member is a candidate, then the 预备党员 is chosen — the reason is the
    right to stand, not 'add a note to tell the namesakes apart' (a clerk's walk)."""
    conn = connect(tmp_path / "e.db")
    contest, _ = _party(conn, fixed_clock)
    n = iter(range(500, 600))
    full, probationary = add_persons(conn, [
        PersonRecord("张伟", "M", branch="第一支部", party_status=PartyStatus.FULL,
                     resident_voter=True),
        PersonRecord("张伟", "M", branch="第二支部", party_status=PartyStatus.PROBATIONARY,
                     resident_voter=True)], NOW, lambda: f"zw{next(n):04d}")
    _ok(add_candidate(conn, contest.id, name="", person_id=full, clock=fixed_clock, actor="t"))
    got = add_candidate(conn, contest.id, name="", person_id=probationary, clock=fixed_clock,
                        actor="t")
    assert isinstance(got, Refusal) and got.code == "CANDIDATE_NOT_ELIGIBLE"
    assert "预备党员" in got.message and "同名" not in got.message


def test_a_full_member_is_added(tmp_path, fixed_clock) -> None:
    conn = connect(tmp_path / "e.db")
    contest, ids = _party(conn, fixed_clock)
    got = _ok(add_candidate(conn, contest.id, name="", person_id=ids["正式甲"],
                            clock=fixed_clock, actor="t"))
    assert got.name == "正式甲"


def test_a_typed_name_is_checked_against_the_register(tmp_path, fixed_clock) -> None:
    conn = connect(tmp_path / "e.db")
    contest, _ = _party(conn, fixed_clock)
    refused = add_candidate(conn, contest.id, name=" 预备乙 ", clock=fixed_clock, actor="t")
    assert isinstance(refused, Refusal) and refused.code == "CANDIDATE_NOT_ELIGIBLE"
    assert "预备党员" in refused.message
    # Not on the register at all: nothing to check it against, added as typed.
    _ok(add_candidate(conn, contest.id, name="外来人", clock=fixed_clock, actor="t"))
    # Two of that name, one a full member: it may be them.
    add_persons(conn, [PersonRecord("预备乙", "F", party_status=PartyStatus.FULL)], NOW,
                lambda: "tok-second")
    _ok(add_candidate(conn, contest.id, name="预备乙", clock=fixed_clock, actor="t"))


def test_residents_candidates_are_not_held_to_party_status(tmp_path, fixed_clock) -> None:
    conn = connect(tmp_path / "e.db")
    contest, ids = _party(conn, fixed_clock, RuleSet.RESIDENTS)
    _ok(add_candidate(conn, contest.id, name="", person_id=ids["群众戊"], clock=fixed_clock,
                      actor="t"))


# --- 被选举权 found again by the validation ----------------------------------------------------

def _counted_round(conn: sqlite3.Connection, clock: Clock, contest_id: int,
                   groups: Sequence[tuple[int, Sequence[str]]]) -> VotingRound:
    r = _ok(open_round(conn, contest_id, actor="主持人", clock=clock))
    paper = ballots(r.names, groups)
    for entry, clerk in (("A", "甲"), ("B", "乙")):
        _ok(enter_ballots(conn, r.id, entry, paper, clerk=clerk, clock=clock))
    return r


def test_a_candidate_who_lost_the_right_after_being_added_blocks_the_result(
        tmp_path, fixed_clock) -> None:
    conn = connect(tmp_path / "party.db")
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=10,
                      candidates=["林静", "何志刚", "罗敏", "张伟"], seats=3)
    sign_in_first(s, 10, fixed_clock)
    r = _counted_round(conn, fixed_clock, s.contest.id, [(10, ["林静", "何志刚", "罗敏"])])
    v = _ok(validate_round(conn, r.id))
    assert isinstance(v, RoundValidation) and v.result is not None
    assert v.result.status.value == "elected"
    # The register is corrected: 罗敏 is a 预备党员 (a re-import or a clerk's edit).
    pid = s.voter_ids[2]
    db_persons.update_person(conn, pid, {"party_status": PartyStatus.PROBATIONARY.value})
    conn.commit()
    v = _ok(validate_round(conn, r.id))
    assert v.result is not None and v.result.status.value == "setup_invalid"
    (f,) = [f for f in v.findings if f.code is Code.CANDIDATE_NOT_ELIGIBLE]
    assert f.is_error and "罗敏" in f.detail_zh
    assert not v.may_lock and f in v.blocking
    assert v.output()["contests"][0]["status"] == "setup_invalid"
    exported = _recount(conn, v)
    assert [c["name"] for c in exported["contests"][0]["candidates"]
            if c.get("eligible", True) is False] == ["罗敏"]


def test_a_round_of_a_meeting_with_the_runoff_option_recounts_the_same(tmp_path,
                                                                      fixed_clock) -> None:
    conn = connect(tmp_path / "party.db")
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=10,
                      candidates=["林静", "何志刚", "罗敏", "张伟"], seats=3)
    _ok(set_options(conn, s.meeting.id, {"runoff_margin": "twenty_percent"}, clock=fixed_clock,
                    actor="t"))
    sign_in_first(s, 10, fixed_clock)
    r = _counted_round(conn, fixed_clock, s.contest.id, [(10, ["林静", "何志刚", "罗敏"])])
    exported = _recount(conn, _ok(validate_round(conn, r.id)))
    assert exported["options"]["runoff_margin"] == "twenty_percent"


# --- option runoff_margin kept with the meeting ---------------------------------------------

def test_the_runoff_margin_option_is_stored_with_the_meeting(tmp_path, fixed_clock) -> None:
    conn = connect(tmp_path / "e.db")
    m = _ok(create_meeting(conn, code="p", title="党员大会", community="幸福社区",
                           organisation=Organisation.PARTY_BRANCH, rules=RuleSet.PARTY,
                           form=Form.ASSEMBLY, date="2026-11-22",
                           options={"runoff_margin": "twenty_percent"}, clock=fixed_clock,
                           actor="t"))
    assert rule_options(m).runoff_margin is RunoffMargin.TWENTY_PERCENT
    m = _ok(set_options(conn, m.id, {"quorum_inclusive": True}, clock=fixed_clock, actor="t"))
    assert rule_options(m).runoff_margin is RunoffMargin.TWENTY_PERCENT
    m = _ok(set_options(conn, m.id, {"runoff_margin": "more"}, clock=fixed_clock, actor="t"))
    opts = rule_options(m)
    assert opts.runoff_margin is RunoffMargin.MORE and opts.quorum_inclusive is True
    with pytest.raises(ValueError):
        set_options(conn, m.id, {"runoff_margin": "less"}, clock=fixed_clock, actor="t")


# --- NO_WOMAN_ELECTED over the whole recorded committee -------------------------------------

def _residents_day(tmp_path, clock: Clock, director_gender: str) -> MeetingValidation:
    """委员: 林静(M) and 罗敏(M) elected over 何志刚(F); 主任: the person of `director_gender`
    elected over the other."""
    conn = connect(tmp_path / f"residents-{director_gender}.db")
    # small_meeting: the i-th person is F when i is odd → 林静 M, 何志刚 F, 罗敏 M.
    s = small_meeting(conn, clock, RuleSet.RESIDENTS, voters=20,
                      candidates=["林静", "何志刚", "罗敏"], seats=2)
    sign_in_first(s, 20, clock)
    people = {p.id: p for p in db_persons.list_persons(conn)}
    woman = next(people[i] for i in s.voter_ids[3:] if people[i].gender == "F")
    man = next(people[i] for i in s.voter_ids[3:] if people[i].gender == "M")
    director = _ok(add_contest(conn, s.meeting.id, code="zr", title="主任",
                               kind=ContestKind.LEADER, seats=1, clock=clock, actor="t"))
    for p in (woman, man):
        _ok(add_candidate(conn, director.id, name="", person_id=p.id, clock=clock, actor="t"))
    _counted_round(conn, clock, s.contest.id, [(16, ["林静", "罗敏"]), (4, ["何志刚"])])
    winner = woman if director_gender == "F" else man
    _counted_round(conn, clock, director.id, [(15, [winner.name]), (5, [])])
    mv = validate_meeting(conn, s.meeting.id)
    assert isinstance(mv, MeetingValidation)
    return mv


def test_an_all_male_committee_is_found_over_every_contest(tmp_path, fixed_clock) -> None:
    mv = _residents_day(tmp_path, fixed_clock, "M")
    assert [c.elected for c in mv.contests][0] == ("林静", "罗敏")
    found = [(v.round.contest_code, f.code) for v in mv.rounds for f in v.findings
             if f.code is Code.NO_WOMAN_ELECTED]
    assert found == [("committee", Code.NO_WOMAN_ELECTED)]           # once, on the 委员 line
    assert not any(f.is_error for f in mv.findings if f.code is Code.NO_WOMAN_ELECTED)


def test_a_woman_elected_director_clears_an_all_male_committee_line(tmp_path,
                                                                    fixed_clock) -> None:
    mv = _residents_day(tmp_path, fixed_clock, "F")
    assert not [f for f in mv.findings if f.code is Code.NO_WOMAN_ELECTED]
    conn = connect(tmp_path / "residents-F.db")
    for v in mv.rounds:
        _recount(conn, v)
    # The 委员 round judged alone, as its exported scenario is by `scenario run`, still warns:
    # the meeting's judgement is what the results page and the validation show.
    committee = mv.contests[0].rounds[0]
    alone = {f["code"] for f in committee.output()["contests"][0]["findings"]}
    assert alone == {"NO_WOMAN_ELECTED"}


def test_not_judged_before_every_contest_is_counted(tmp_path, fixed_clock) -> None:
    conn = connect(tmp_path / "r.db")
    s = small_meeting(conn, fixed_clock, RuleSet.RESIDENTS, voters=20,
                      candidates=["林静", "何志刚", "罗敏"], seats=2)
    sign_in_first(s, 20, fixed_clock)
    director = _ok(add_contest(conn, s.meeting.id, code="zr", title="主任",
                               kind=ContestKind.LEADER, seats=1, clock=fixed_clock, actor="t"))
    _counted_round(conn, fixed_clock, s.contest.id, [(16, ["林静", "罗敏"]), (4, ["何志刚"])])
    mv = validate_meeting(conn, s.meeting.id)
    assert isinstance(mv, MeetingValidation) and director.id == mv.contests[1].contest_id
    assert not [f for f in mv.findings if f.code is Code.NO_WOMAN_ELECTED]

