"""db/meetings.py through app/meetings.py: meetings, current meeting, options, setup rows."""

from __future__ import annotations

import json

import pytest

from app.meetings import (
    Refusal,
    add_contest,
    add_desk,
    create_meeting,
    current_meeting,
    list_desks,
    list_meetings,
    meeting_by_code,
    resolve_meeting,
    rule_options,
    set_current,
    set_options,
)
from app.model import ContestKind, Form, Organisation, RuleSet
from db import meetings as q
from db.audit import verify_chain
from db.connection import connect

ACTOR = "选举工作人员"


def _party(conn, clock, code="party", **kw):
    m = create_meeting(conn, code=code, title="党员大会", community="新华街道翠湖社区",
                       organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                       form=Form.ASSEMBLY, date="2026-11-29", clock=clock, actor=ACTOR, **kw)
    assert not isinstance(m, Refusal), m
    return m


def test_first_meeting_becomes_current_and_current_moves(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    assert current_meeting(conn) is None
    party = _party(conn, fixed_clock)
    assert party.is_current and current_meeting(conn) == party
    res = create_meeting(conn, code="residents", title="居民委员会选举大会", community="翠湖社区",
                         organisation=Organisation.RESIDENTS_COMMITTEE, rules=RuleSet.RESIDENTS,
                         form=Form.ALL, date="2026-12-06", clock=fixed_clock, actor=ACTOR)
    assert not isinstance(res, Refusal)
    assert not res.is_current
    assert current_meeting(conn).code == "party"
    set_current(conn, res.id, clock=fixed_clock, actor=ACTOR)
    assert current_meeting(conn).code == "residents"
    assert [m.is_current for m in list_meetings(conn)] == [False, True]
    assert conn.execute("SELECT count(*) FROM meeting WHERE is_current = 1").fetchone()[0] == 1
    assert resolve_meeting(conn, None).code == "residents"
    assert resolve_meeting(conn, "party").code == "party"
    missing = resolve_meeting(conn, "nope")
    assert isinstance(missing, Refusal) and "party" in missing.message
    actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    assert actions == ["meeting_created", "meeting_created", "meeting_set_current"]
    assert verify_chain(conn) == []


def test_form_must_belong_to_rules_and_code_unique(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    bad = create_meeting(conn, code="x", title="t", community="c",
                         organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                         form=Form.HOUSEHOLD, date="2026-11-29", clock=fixed_clock, actor=ACTOR)
    assert isinstance(bad, Refusal) and bad.code == "FORM_NOT_OF_RULES"
    _party(conn, fixed_clock)
    dup = create_meeting(conn, code="party", title="t", community="c",
                         organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                         form=Form.PLENARY, date="2026-11-29", clock=fixed_clock, actor=ACTOR)
    assert isinstance(dup, Refusal) and dup.code == "CODE_TAKEN"
    assert len(list_meetings(conn)) == 1


def test_options_json_round_trip_and_defaults(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    m = _party(conn, fixed_clock)
    assert rule_options(m).quorum_inclusive is False
    assert rule_options(m).runoff_turnout_required is True
    m2 = set_options(conn, m.id, {"quorum_inclusive": True}, clock=fixed_clock, actor=ACTOR)
    assert not isinstance(m2, Refusal)
    assert rule_options(m2).quorum_inclusive is True
    stored = conn.execute("SELECT options FROM meeting WHERE id = ?", (m.id,)).fetchone()[0]
    assert json.loads(stored) == {"quorum_inclusive": True}
    with pytest.raises(ValueError):
        set_options(conn, m.id, {"quorum_percent": 80}, clock=fixed_clock, actor=ACTOR)
    assert meeting_by_code(conn, "party").options == {"quorum_inclusive": True}


def test_desks_and_contests(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    m = _party(conn, fixed_clock)
    d = add_desk(conn, m.id, "第一党支部签到台", ["第一党支部"], clock=fixed_clock, actor=ACTOR)
    assert not isinstance(d, Refusal) and d.scope == ("第一党支部",)
    again = add_desk(conn, m.id, "第一党支部签到台", [], clock=fixed_clock, actor=ACTOR)
    assert isinstance(again, Refusal) and again.code == "NAME_TAKEN"
    assert list_desks(conn, m.id) == [d]
    c1 = add_contest(conn, m.id, code="committee", title="委员", kind=ContestKind.COMMITTEE,
                     seats=7, clock=fixed_clock, actor=ACTOR)
    c2 = add_contest(conn, m.id, code="discipline", title="纪委委员", kind=ContestKind.COMMITTEE,
                     seats=3, clock=fixed_clock, actor=ACTOR)
    assert not isinstance(c1, Refusal) and not isinstance(c2, Refusal)
    assert (c1.position, c2.position) == (1, 2)
    assert [r[2] for r in q.select_contests(conn, m.id)] == ["committee", "discipline"]
    zero = add_contest(conn, m.id, code="z", title="z", kind=ContestKind.LEADER, seats=0,
                       clock=fixed_clock, actor=ACTOR)
    assert isinstance(zero, Refusal)


def test_update_and_removals_are_audited(db_path, fixed_clock) -> None:
    from app.meetings import (
        add_candidate,
        add_electors,
        elector_ids,
        list_candidates,
        remove_candidate,
        remove_desk,
        remove_elector,
        update_meeting,
    )

    conn = connect(db_path)
    m = _party(conn, fixed_clock)
    m2 = update_meeting(conn, m.id, venue="社区礼堂", date="2026-11-30", clock=fixed_clock,
                        actor=ACTOR)
    assert not isinstance(m2, Refusal)
    assert (m2.title, m2.date, m2.venue) == (m.title, "2026-11-30", "社区礼堂")
    assert isinstance(update_meeting(conn, m.id, date="30/11", clock=fixed_clock, actor=ACTOR),
                      Refusal)
    assert isinstance(update_meeting(conn, m.id, title=" ", clock=fixed_clock, actor=ACTOR),
                      Refusal)
    d = add_desk(conn, m.id, "总签到台", [], clock=fixed_clock, actor=ACTOR)
    assert remove_desk(conn, d.id, clock=fixed_clock, actor=ACTOR) == d
    assert list_desks(conn, m.id) == []
    assert isinstance(remove_desk(conn, d.id, clock=fixed_clock, actor=ACTOR), Refusal)
    c = add_contest(conn, m.id, code="c", title="委员", kind=ContestKind.COMMITTEE, seats=1,
                    clock=fixed_clock, actor=ACTOR)
    cand = add_candidate(conn, c.id, name="王毅", gender="M", clock=fixed_clock, actor=ACTOR)
    assert isinstance(remove_candidate(conn, cand.id, why="", clock=fixed_clock, actor=ACTOR),
                      Refusal)
    assert remove_candidate(conn, cand.id, why="本人申请退出", clock=fixed_clock,
                            actor=ACTOR) == cand
    assert list_candidates(conn, c.id) == []
    # Electors belong to a plenary only.
    assert isinstance(add_electors(conn, m.id, [], clock=fixed_clock, actor=ACTOR), Refusal)
    from app.register.store import PersonRecord, add_persons

    [pid] = add_persons(conn, [PersonRecord(name="赵敏")], "2026-11-22T08:00:00+08:00",
                        token_factory=lambda: "t1")
    plen = create_meeting(conn, code="plen", title="全体会议", community="c",
                          organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                          form=Form.PLENARY, date="2026-11-29", clock=fixed_clock, actor=ACTOR)
    assert add_electors(conn, plen.id, [pid, pid], clock=fixed_clock, actor=ACTOR) == 1
    assert elector_ids(conn, plen.id) == {pid}
    assert remove_elector(conn, plen.id, pid, clock=fixed_clock, actor=ACTOR) is True
    assert remove_elector(conn, plen.id, pid, clock=fixed_clock, actor=ACTOR) is False
    actions = [r[0] for r in conn.execute("SELECT action FROM audit ORDER BY id")]
    for a in ("meeting_updated", "desk_removed", "candidate_removed", "elector_removed"):
        assert actions.count(a) == 1, a
    detail = conn.execute("SELECT detail FROM audit WHERE action = 'candidate_removed'").fetchone()[0]
    assert "本人申请退出" in detail and "王毅" in detail
    assert verify_chain(conn) == []
