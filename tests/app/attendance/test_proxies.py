"""Residents' proxies (rules.md §2.2) at entry and at sign-in; households."""

from __future__ import annotations

from app import attendance as att
from app import proxies
from app.meetings import Refusal, add_candidate, add_contest, create_meeting
from app.model import ContestKind, Form, Meeting, Organisation, RuleSet
from app.register.store import PersonRecord, add_persons
from db import persons
from tests.app.attendance.attendance_venue import venue_fixture  # noqa: F401  (fixture "venue")

NOW = "2026-11-22T08:00:00+08:00"


def _people(c, names):
    return {n: persons.get_person(c, i) for n, i in names.items()}


def test_proxy_limits_and_candidates(venue, fixed_clock) -> None:
    c, m = venue.conn, venue.residents
    extra = add_persons(c, [PersonRecord(f"选民{i}", resident_voter=True) for i in range(5)], NOW)
    ids = dict(venue.ids) | {f"选民{i}": pid for i, pid in enumerate(extra)}
    p = _people(c, ids)
    holder = p["吴居民"]
    for i in range(3):
        got = proxies.add_proxy(c, m, p[f"选民{i}"], holder, document_ref=f"W-{i}",
                                clock=fixed_clock, actor="t")
        assert isinstance(got, proxies.Proxy)
    fourth = proxies.add_proxy(c, m, p["选民3"], holder, clock=fixed_clock, actor="t")
    assert isinstance(fourth, Refusal) and fourth.code == "PROXY_LIMIT"
    twice = proxies.add_proxy(c, m, p["选民0"], p["郑居民"], clock=fixed_clock, actor="t")
    assert isinstance(twice, Refusal) and twice.code == "PROXY_EXISTS"
    contest = add_contest(c, m.id, code="jw", title="委员", kind=ContestKind.COMMITTEE, seats=5,
                          clock=fixed_clock, actor="t")
    add_candidate(c, contest.id, name="郑居民", person_id=ids["郑居民"], clock=fixed_clock,
                  actor="t")
    cand = proxies.add_proxy(c, m, p["选民3"], p["郑居民"], clock=fixed_clock, actor="t")
    assert isinstance(cand, Refusal) and cand.code == "PROXY_NOT_ALLOWED"
    assert "候选人" in cand.message
    # at sign-in the holder represents 3 principals: the live turnout counts them
    r = att.sign_in(c, m, holder.id, "一号台", "clerk", fixed_clock)
    assert r.outcome is att.Outcome.SIGNED_IN
    assert [x.name for x in r.proxies_for] == ["选民0", "选民1", "选民2"]
    s = att.attendance_summary(c, m)
    assert s.present == 1 and s.represented == 3 and s.counted == 4
    assert r.ballots == 4 and "发选票 4 张（本人 1 + 委托 3：选民0、选民1、选民2）" in r.message
    # a principal who comes after the holder signed in is stopped: one vote, one ballot
    late = att.sign_in(c, m, ids["选民1"], "一号台", "clerk", fixed_clock)
    assert late.outcome is att.Outcome.DELEGATED and not late.written
    assert late.message.startswith("已委托 吴居民；吴居民 已于 08:30 签到并代为投票")
    assert late.delegated_to == holder and late.standing == r.event
    s = att.attendance_summary(c, m)
    assert s.present == 1 and s.represented == 3 and s.counted == 4
    # the chair cannot revoke it any more: the holder has the ballot
    no = att.revoke_proxy_and_sign_in(c, m, ids["选民1"], "一号台", "t", fixed_clock, "本人到会")
    assert no.outcome is att.Outcome.DELEGATED and not no.written
    assert len(proxies.list_proxies(c, m)) == 3
    assert proxies.proxy_findings(c, m) == []
    listed = proxies.list_proxies(c, m)
    assert [(x.principal.name, x.proxy.name) for x in listed][:1] == [("选民0", "吴居民")]


def test_limit_checked_again_at_sign_in(venue, fixed_clock) -> None:
    """A fourth appointment that slipped in (e.g. merged data) is not honoured at sign-in."""
    c, m = venue.conn, venue.residents
    extra = add_persons(c, [PersonRecord(f"选民{i}", resident_voter=True) for i in range(4)], NOW)
    holder = venue.ids["郑居民"]
    for pid in extra:
        c.execute("INSERT INTO proxy (meeting_id, principal_id, proxy_id, recorded_at)"
                  " VALUES (?, ?, ?, ?)", (m.id, pid, holder, NOW))
    r = att.sign_in(c, m, holder, "一号台", "clerk", fixed_clock)
    assert len(r.proxies_for) == 3 and r.proxy_problems == ("PROXY_LIMIT",)
    assert "选民3" in r.message
    assert [code for code, _ in proxies.proxy_findings(c, m)] == ["PROXY_LIMIT"]


def test_no_proxy_in_representative_form_or_party(venue, fixed_clock) -> None:
    c = venue.conn
    rep = create_meeting(c, code="reps", title="居民代表会议", community="幸福社区",
                         organisation=Organisation.RESIDENTS_COMMITTEE, rules=RuleSet.RESIDENTS,
                         form=Form.REPRESENTATIVE, date="2026-11-30", clock=fixed_clock,
                         actor="t")
    assert isinstance(rep, Meeting)
    p = _people(c, venue.ids)
    for m in (rep, venue.party):
        got = proxies.add_proxy(c, m, p["张三"], p["李四"], clock=fixed_clock, actor="t")
        assert isinstance(got, Refusal) and got.code == "PROXY_NOT_ALLOWED"
    not_voter = add_persons(c, [PersonRecord("外来人")], NOW)[0]
    got = proxies.add_proxy(c, venue.residents, p["张三"], persons.get_person(c, not_voter),
                            clock=fixed_clock, actor="t")
    assert isinstance(got, Refusal) and got.code == "PROXY_NOT_ALLOWED"


def test_household_form_counts_households(venue, fixed_clock) -> None:
    c = venue.conn
    hh = create_meeting(c, code="hh", title="户代表选举", community="幸福社区",
                        organisation=Organisation.RESIDENTS_COMMITTEE, rules=RuleSet.RESIDENTS,
                        form=Form.HOUSEHOLD, date="2026-11-30", clock=fixed_clock, actor="t")
    assert isinstance(hh, Meeting)
    li = persons.get_person(c, venue.ids["李四"])
    voter = proxies.household_voter(c, hh, li)
    assert voter is not None and voter.name == "张三"
    r = att.sign_in(c, hh, li.id, "一号台", "clerk", fixed_clock)
    assert r.outcome is att.Outcome.NO_VOTE and "张三" in r.message
    att.sign_in(c, hh, venue.ids["张三"], "一号台", "clerk", fixed_clock)
    s = att.attendance_summary(c, hh)
    assert s.expected == 8 and s.households_present == 1 and s.counted == 1
    assert "户" in s.rule


def test_principal_before_holder_is_stopped_and_the_chair_may_revoke(venue, fixed_clock) -> None:
    """Before the holder came: the principal is not signed in on a plain scan; revoking the
    proxy (reason required, audited) signs the principal in, and the holder then gets 1 ballot."""
    c, m = venue.conn, venue.residents
    p = _people(c, venue.ids)
    got = proxies.add_proxy(c, m, p["李四"], p["吴居民"], clock=fixed_clock, actor="t")
    assert isinstance(got, proxies.Proxy)
    first = att.sign_in(c, m, p["李四"].id, "一号台", "clerk", fixed_clock)
    assert first.outcome is att.Outcome.DELEGATED and not first.written
    assert "吴居民 尚未签到" in first.message and first.standing is None
    assert att.attendance_summary(c, m).present == 0
    missing = att.revoke_proxy_and_sign_in(c, m, p["李四"].id, "一号台", "t", fixed_clock, " ")
    assert missing.outcome is att.Outcome.REASON_MISSING
    assert len(proxies.list_proxies(c, m)) == 1
    ok = att.revoke_proxy_and_sign_in(c, m, p["李四"].id, "一号台", "主持人", fixed_clock,
                                      "委托人本人到会")
    assert ok.outcome is att.Outcome.SIGNED_IN and ok.written and ok.ballots == 1
    assert proxies.list_proxies(c, m) == []
    audit = [r[0] for r in c.execute("SELECT action FROM audit ORDER BY id")]
    assert "proxy_revoked" in audit
    holder = att.sign_in(c, m, p["吴居民"].id, "一号台", "clerk", fixed_clock)
    assert holder.outcome is att.Outcome.SIGNED_IN and holder.ballots == 1
    assert "委托" not in holder.message
    assert att.attendance_summary(c, m).present == 2
