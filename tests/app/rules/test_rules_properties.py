"""Properties of the count and the decision over random contests (hypothesis)."""

from __future__ import annotations

import random
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from app.model import ContestKind, Form, RuleSet
from app.rules import (
    Ballot,
    Candidate,
    Contest,
    ContestResult,
    Meeting,
    Round,
    Status,
    check_ballot,
    count_ballots,
    decide_contest,
)

NAMES = ("王建国", "刘芳", "李明", "张伟", "陈静", "赵磊", "孙丽")
WRITE_INS = ("钱进", "林海", "刘芳")
FORMS = {RuleSet.PARTY: Form.ASSEMBLY, RuleSet.RESIDENTS: Form.ALL, RuleSet.COLLECTIVE: Form.MEMBERS}
BLOCKED = {Status.QUORUM_NOT_MET, Status.SETUP_INVALID, Status.VOID_REVOTE,
           Status.TURNOUT_INSUFFICIENT}


@dataclass(frozen=True)
class Case:
    meeting: Meeting
    contest: Contest
    groups: tuple[tuple[Ballot, int], ...]

    def decide(self, groups: list[tuple[Ballot, int]] | None = None) -> ContestResult:
        g = list(self.groups) if groups is None else groups
        count = count_ballots(self.contest.names, self.contest.seats, g)
        return decide_contest(self.meeting, self.contest, count)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    rules = draw(st.sampled_from(list(RuleSet)))
    seats = draw(st.integers(1, 4))
    n = seats + draw(st.integers(1, 3))
    round_ = draw(st.sampled_from(list(Round)))
    # Mostly approvals among the first seats + 1 candidates, so that surpluses and ties at the
    # last seat are common; sometimes anything up to seats + 1 (over-marked).
    popular = st.integers(0, seats).map(lambda left: set(range(seats + 1)) - {left})
    approved = st.one_of(popular, popular, st.sets(st.integers(0, n - 1), max_size=seats + 1))
    group = st.tuples(
        approved,
        st.text(alphabet="x-", min_size=n, max_size=n),
        st.lists(st.sampled_from(WRITE_INS), max_size=2, unique=True) if draw(st.booleans())
        else st.just([]),
        st.booleans() if draw(st.booleans()) else st.just(False),
        st.integers(0, 25),
    )
    raw = [("".join("o" if i in a else other[i] for i in range(n)), w, inv, k)
           for a, other, w, inv, k in draw(st.lists(group, max_size=6))]
    if draw(st.booleans()):
        # Mirror every ballot with the first two candidates swapped: they tie exactly.
        raw += [(m[1] + m[0] + m[2:], w, inv, k) for m, w, inv, k in raw]
    groups = tuple((Ballot(m, tuple(w), inv, ""), k) for m, w, inv, k in raw)
    returned = sum(k for _, k in groups)
    present = returned + draw(st.integers(0, 4))
    eligible = present + draw(st.integers(0, 1 + present // 4))
    issued = draw(st.sampled_from([returned] * 4 + [present, max(0, returned - 1)]))
    meeting = Meeting(rules, FORMS[rules], eligible, 0,
                      None if rules is RuleSet.RESIDENTS else present)
    contest = Contest("c", "c", ContestKind.COMMITTEE, round_, seats,
                      tuple(Candidate(x) for x in NAMES[:n]), issued)
    return Case(meeting, contest, groups)


def meets_threshold(case: Case, approve: int, voted: int) -> bool:
    """rules.md §1.6, §2.5, §3 restated independently of the code under test."""
    m = case.meeting
    if m.rules is RuleSet.PARTY:
        return 2 * approve > (m.present or 0)
    if m.rules is RuleSet.COLLECTIVE:
        return 3 * approve >= 2 * m.eligible and approve > 0
    if case.contest.round is Round.RUNOFF:
        return 3 * approve >= voted and approve > 0
    return 2 * approve > voted


@settings(max_examples=100, deadline=None)
@given(cases())
def test_counts_add_up(case: Case) -> None:
    r = case.decide()
    c = r.count
    assert c.valid + c.invalid == c.returned == sum(k for _, k in case.groups)
    checked_valid = sum(k for b, k in case.groups
                        if check_ballot(b, case.contest.names, case.contest.seats).valid)
    assert c.valid == checked_valid
    for e in c.tally:
        assert min(e.approve, e.disapprove, e.abstain) >= 0
        if not e.write_in:
            assert e.approve + e.disapprove + e.abstain == c.valid
        else:
            assert e.approve > 0 and e.disapprove == e.abstain == 0
    assert [e.approve for e in c.tally] == sorted((e.approve for e in c.tally), reverse=True)


@settings(max_examples=100, deadline=None)
@given(cases())
def test_elected_obey_seats_and_thresholds(case: Case) -> None:
    r = case.decide()
    seats = case.contest.seats
    approvals = r.count.approvals()
    assert len(r.elected) <= seats
    for name in r.elected:
        assert meets_threshold(case, approvals[name], r.count.returned)
    if r.status in BLOCKED:
        assert r.elected == () and r.tie is None and r.runoff is None
        assert any(f.is_error for f in r.findings)
    if r.status is Status.ELECTED:
        assert len(r.elected) == seats
    if r.status is Status.TIE_REVOTE:
        assert r.tie is not None and len(r.tie.names) > r.tie.seats
        assert len(r.elected) + r.tie.seats == seats
        assert len({approvals[x] for x in r.tie.names}) == 1
    if r.status is Status.RUNOFF_NEEDED:
        assert r.runoff is not None and len(r.elected) + r.runoff.seats == seats
        assert set(r.runoff.ranking).isdisjoint(r.elected)
    # Never an arbitrary choice among equals: everyone elected has more approvals than anyone
    # not elected (the tied go to a re-vote instead).
    others = [e.approve for e in r.count.tally if e.name not in r.elected]
    for name in r.elected:
        assert all(a < approvals[name] for a in others)
    # Nobody who meets the threshold is left out while a seat stays empty.
    if r.status is Status.RUNOFF_NEEDED:
        assert all(not meets_threshold(case, approvals[x], r.count.returned)
                   for x in r.runoff.ranking)  # type: ignore[union-attr]


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_ballot_order_and_grouping_never_change_the_outcome(case: Case, rnd: random.Random) -> None:
    singles = [(b, 1) for b, k in case.groups for _ in range(k)]
    rnd.shuffle(singles)
    assert case.decide(singles) == case.decide()
    regrouped = list(case.groups)
    rnd.shuffle(regrouped)
    assert case.decide(regrouped) == case.decide()


@settings(max_examples=120, deadline=None)
@given(cases(), st.data())
def test_more_approvals_never_unelect(case: Case, data: st.DataObject) -> None:
    r = case.decide()
    names = case.contest.names
    elected = [x for x in r.elected if x in names]
    if not elected:
        return
    who = data.draw(st.sampled_from(elected))
    j = names.index(who)
    seats = case.contest.seats
    # A valid ballot without an approval for `who` that stays valid with one more approval.
    options = [i for i, (b, k) in enumerate(case.groups)
               if k > 0 and b.marks[j] != "o" and not b.declared_invalid and who not in b.write_ins
               and check_ballot(b, names, seats).approvals < seats]
    if not options:
        return
    i = data.draw(st.sampled_from(options))
    ballot, k = case.groups[i]
    better = ballot._replace(marks=ballot.marks[:j] + "o" + ballot.marks[j + 1:])
    groups = [*case.groups[:i], (ballot, k - 1), (better, 1), *case.groups[i + 1:]]
    assert who in case.decide(groups).elected
