"""Who votes per meeting and form (rules.md §1.1, §2.1, §3); exclusions, leaves, candidates."""

from __future__ import annotations

import itertools

import pytest

from app.electorate import NoVote, electorate, has_vote
from app.meetings import (
    Refusal,
    add_candidate,
    add_contest,
    add_electors,
    add_exclusion,
    add_leave,
    create_meeting,
    lift_exclusion,
    list_candidates,
    list_exclusions,
    list_leaves,
    remove_leave,
)
from app.model import (
    ContestKind,
    ExclusionReason,
    Form,
    Meeting,
    Organisation,
    PartyStatus,
    Person,
    RuleSet,
)
from app.names import name_sort_key
from app.register.store import PersonRecord, add_persons
from db.audit import verify_chain
from db.connection import connect

ACTOR = "选举工作人员"
NOW = "2026-11-22T08:00:00+08:00"


def _person(**kw) -> Person:
    base = dict(id=1, name="张三", gender="M", birth_date="1970-01-01", id_number=None,
                education="", branch="", resident_group="", household="", member_no="",
                party_status=PartyStatus.NONE, resident_voter=False, household_rep=False,
                resident_rep=False, collective_member=False, collective_delegate=False, token="t")
    base.update(kw)
    return Person(**base)


def _meeting(rules: RuleSet, form: Form) -> Meeting:
    return Meeting(id=1, code="m", title="t", community="c",
                   organisation=Organisation.PARTY_COMMITTEE, rules=rules, form=form,
                   date="2026-11-29", venue="", options={}, is_current=True)


ASSEMBLY = _meeting(RuleSet.PARTY, Form.ASSEMBLY)
PLENARY = _meeting(RuleSet.PARTY, Form.PLENARY)


@pytest.mark.parametrize(("status", "votes", "reason", "attends"), [
    (PartyStatus.FULL, True, None, True),
    (PartyStatus.PROBATIONARY, False, NoVote.PROBATIONARY, True),
    (PartyStatus.ON_PROBATION, False, NoVote.ON_PROBATION, True),
    (PartyStatus.SUSPENDED, False, NoVote.SUSPENDED, True),
    (PartyStatus.NONE, False, NoVote.NOT_PARTY_MEMBER, False),
])
def test_party_assembly_only_full_members_vote(status, votes, reason, attends) -> None:
    # A resident flag never gives a vote at the 党员大会.
    right = has_vote(_person(party_status=status, resident_voter=True), ASSEMBLY)
    assert (right.has_vote, right.reason, right.attends) == (votes, reason, attends)
    assert bool(right) is votes
    assert (right.reason_zh == "") is votes


def test_plenary_needs_elector_row_and_rights() -> None:
    full = _person(party_status=PartyStatus.FULL)
    assert has_vote(full, PLENARY, is_elector=True).has_vote
    assert has_vote(full, PLENARY).reason is NoVote.NOT_ELECTOR
    prob = _person(party_status=PartyStatus.PROBATIONARY)
    right = has_vote(prob, PLENARY, is_elector=True)
    assert right.reason is NoVote.PROBATIONARY and not right.attends


FLAGS = ("resident_voter", "household_rep", "resident_rep", "collective_member",
         "collective_delegate")
FORM_FLAG = {Form.ALL: "resident_voter", Form.HOUSEHOLD: "household_rep",
             Form.REPRESENTATIVE: "resident_rep", Form.MEMBERS: "collective_member",
             Form.DELEGATES: "collective_delegate"}


@pytest.mark.parametrize("form", list(FORM_FLAG))
def test_residents_and_collective_forms_read_their_flag(form: Form) -> None:
    rules = RuleSet.COLLECTIVE if form in (Form.MEMBERS, Form.DELEGATES) else RuleSet.RESIDENTS
    meeting = _meeting(rules, form)
    for bits in itertools.product((False, True), repeat=len(FLAGS)):
        flags = dict(zip(FLAGS, bits, strict=True))
        for status in PartyStatus:  # party status is irrelevant outside party meetings
            right = has_vote(_person(party_status=status, **flags), meeting)
            assert right.has_vote is flags[FORM_FLAG[form]]
            if not right.has_vote:
                assert right.reason is not None and right.reason.value == "not_" + FORM_FLAG[form]


@pytest.fixture
def setup(db_path, fixed_clock):
    conn = connect(db_path)
    recs = [
        PersonRecord(name="王建国", gender="M", party_status=PartyStatus.FULL, branch="第一党支部",
                     resident_voter=True),
        PersonRecord(name="李秀英", gender="F", party_status=PartyStatus.FULL, branch="第一党支部"),
        PersonRecord(name="赵敏", gender="F", party_status=PartyStatus.PROBATIONARY,
                     branch="第一党支部", resident_voter=True),
        PersonRecord(name="曾伟", gender="M", party_status=PartyStatus.SUSPENDED, branch="第一党支部"),
        PersonRecord(name="欧阳淼", gender="F", party_status=PartyStatus.FULL, branch="第二党支部"),
        PersonRecord(name="张伟", gender="M", resident_voter=True),
    ]
    tokens = (f"tok{i}" for i in itertools.count())
    ids = add_persons(conn, recs, NOW, token_factory=lambda: next(tokens))
    party = create_meeting(conn, code="party", title="党员大会", community="翠湖社区",
                           organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                           form=Form.ASSEMBLY, date="2026-11-29", clock=fixed_clock, actor=ACTOR)
    assert isinstance(party, Meeting)
    return conn, ids, party, fixed_clock


def test_electorate_expected_excludes_exclusions_not_leaves(setup) -> None:
    conn, ids, party, clock = setup
    e = electorate(conn, party)
    assert [p.name for p in e.voters] == ["王建国", "李秀英", "欧阳淼"]
    assert [p.name for p in e.non_voting] == ["赵敏", "曾伟"]
    assert (e.registered, e.expected) == (3, 3)
    ex = add_exclusion(conn, party.id, ids[1], ExclusionReason.BEDRIDDEN,
                       approval_ref="街道党工委〔2026〕7号", approved_on="2026-11-10",
                       clock=clock, actor=ACTOR)
    assert not isinstance(ex, Refusal)
    lv = add_leave(conn, party.id, ids[4], "出差", clock=clock, actor=ACTOR)
    assert not isinstance(lv, Refusal)
    e = electorate(conn, party)
    assert (e.registered, e.expected) == (3, 2)
    assert e.excluded_ids == {ids[1]} and e.leave_ids == {ids[4]}
    assert [p.name for p in e.expected_persons] == ["王建国", "欧阳淼"]
    assert [x.person_name for x in list_leaves(conn, party.id)] == ["欧阳淼"]


def test_exclusion_refusals(setup) -> None:
    conn, ids, party, clock = setup
    kw = dict(approved_on="2026-11-10", clock=clock, actor=ACTOR)
    no_ref = add_exclusion(conn, party.id, ids[0], ExclusionReason.ILLNESS, approval_ref=" ", **kw)
    assert isinstance(no_ref, Refusal) and no_ref.code == "APPROVAL_MISSING"
    no_vote = add_exclusion(conn, party.id, ids[2], ExclusionReason.ILLNESS, approval_ref="x", **kw)
    assert isinstance(no_vote, Refusal) and no_vote.code == "NO_VOTE" and "预备党员" in no_vote.message
    bad_date = add_exclusion(conn, party.id, ids[0], ExclusionReason.ILLNESS, approval_ref="x",
                             approved_on="2026-13-01", clock=clock, actor=ACTOR)
    assert isinstance(bad_date, Refusal)
    assert add_leave(conn, party.id, ids[0], "", clock=clock, actor=ACTOR)
    on_leave = add_exclusion(conn, party.id, ids[0], ExclusionReason.ILLNESS, approval_ref="x", **kw)
    assert isinstance(on_leave, Refusal) and on_leave.code == "ON_LEAVE"
    assert not isinstance(remove_leave(conn, party.id, ids[0], clock=clock, actor=ACTOR), Refusal)
    ok = add_exclusion(conn, party.id, ids[0], ExclusionReason.ILLNESS, approval_ref="x", **kw)
    assert not isinstance(ok, Refusal)
    twice = add_exclusion(conn, party.id, ids[0], ExclusionReason.ABROAD, approval_ref="y", **kw)
    assert isinstance(twice, Refusal) and twice.code == "ALREADY_EXCLUDED"
    assert len(list_exclusions(conn, party.id)) == 1


def test_exclusion_add_and_lift_are_audited(setup) -> None:
    conn, ids, party, clock = setup
    ex = add_exclusion(conn, party.id, ids[0], ExclusionReason.ABROAD,
                       approval_ref="翠湖社区党委〔2026〕3号", approved_on="2026-11-01",
                       detail="自费出国探亲", clock=clock, actor=ACTOR)
    assert not isinstance(ex, Refusal)
    assert electorate(conn, party).expected == 2
    assert isinstance(lift_exclusion(conn, ex.id, why="", clock=clock, actor=ACTOR), Refusal)
    lifted = lift_exclusion(conn, ex.id, why="本人已回国，到会参加选举", clock=clock, actor=ACTOR)
    assert lifted == ex
    assert list_exclusions(conn, party.id) == []
    assert electorate(conn, party).expected == 3
    rows = conn.execute("SELECT action, detail FROM audit WHERE action LIKE 'exclusion%'"
                        " ORDER BY id").fetchall()
    assert [r[0] for r in rows] == ["exclusion_added", "exclusion_lifted"]
    assert "翠湖社区党委〔2026〕3号" in rows[1][1] and "本人已回国" in rows[1][1]
    assert verify_chain(conn) == []
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("UPDATE audit SET detail = '{}' WHERE action = 'exclusion_lifted'")
    assert verify_chain(conn) != []


def test_plenary_electorate_from_elector_rows(setup) -> None:
    conn, ids, _party, clock = setup
    plenary = create_meeting(conn, code="plenary", title="委员会全体会议", community="翠湖社区",
                             organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                             form=Form.PLENARY, date="2026-11-29", clock=clock, actor=ACTOR)
    assert isinstance(plenary, Meeting)
    assert add_electors(conn, plenary.id, [ids[0], ids[2], ids[4]], clock=clock, actor=ACTOR) == 3
    e = electorate(conn, plenary)
    # 赵敏 is an elector row but a 预备党员: no vote.
    assert [p.name for p in e.voters] == ["王建国", "欧阳淼"]
    assert e.non_voting == ()


def test_candidates_listed_in_name_order(setup) -> None:
    conn, ids, party, clock = setup
    c = add_contest(conn, party.id, code="committee", title="委员", kind=ContestKind.COMMITTEE,
                    seats=1, clock=clock, actor=ACTOR)
    assert not isinstance(c, Refusal)
    for name in ("诸葛亮", "王毅", "马晓东"):
        assert not isinstance(add_candidate(conn, c.id, name=name, gender="M", clock=clock,
                                            actor=ACTOR), Refusal)
    linked = add_candidate(conn, c.id, name="", person_id=ids[4], clock=clock, actor=ACTOR)
    assert not isinstance(linked, Refusal)
    assert (linked.name, linked.gender) == ("欧阳淼", "F")
    dup = add_candidate(conn, c.id, name="王毅", clock=clock, actor=ACTOR)
    assert isinstance(dup, Refusal) and dup.code == "NAME_TAKEN"
    names = [x.name for x in list_candidates(conn, c.id)]
    assert names == sorted(names, key=name_sort_key)
    assert sorted(names) == sorted(["诸葛亮", "王毅", "马晓东", "欧阳淼"])


def test_exclusions_only_in_party_meetings(setup) -> None:
    conn, ids, _party, clock = setup
    res = create_meeting(conn, code="res", title="居民委员会选举大会", community="翠湖社区",
                         organisation=Organisation.RESIDENTS_COMMITTEE, rules=RuleSet.RESIDENTS,
                         form=Form.ALL, date="2026-12-06", clock=clock, actor=ACTOR)
    assert isinstance(res, Meeting)
    refused = add_exclusion(conn, res.id, ids[0], ExclusionReason.ILLNESS, approval_ref="x",
                            approved_on="2026-11-10", clock=clock, actor=ACTOR)
    assert isinstance(refused, Refusal) and refused.code == "NOT_PARTY_MEETING"
    e = electorate(conn, res)
    assert [p.name for p in e.voters] == ["王建国", "赵敏", "张伟"]
    assert e.expected == e.registered == 3
