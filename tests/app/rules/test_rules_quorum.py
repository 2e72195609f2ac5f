"""Quorum and turnout boundaries of rules.md §1.2, §2.3, §3."""

from __future__ import annotations

import pytest

from app.model import Form, RuleSet
from app.rules import RuleOptions, check_quorum

INCL = RuleOptions(quorum_inclusive=True)


@pytest.mark.parametrize(("expected", "present", "met"), [
    (115, 92, False),   # exactly four fifths is not "超过"
    (115, 93, True),
    (100, 80, False),   # exactly 4/5
    (100, 81, True),
    (120, 93, False),
    (7, 6, True),
    (5, 4, False),
    (5, 5, True),
])
def test_party_quorum_strict(expected: int, present: int, met: bool) -> None:
    q = check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=expected, present=present)
    assert q.met is met
    assert q.expected == expected
    assert q.kind == "quorum" and q.code == "QUORUM_NOT_MET"
    assert "超过应到会人数的五分之四" in q.rule_zh


def test_party_quorum_inclusive_option_accepts_exactly_four_fifths() -> None:
    q = check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=100, present=80, options=INCL)
    assert q.met and q.required == 80
    assert not check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=100, present=79,
                            options=INCL).met
    assert check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=100, present=80).required == 81


def test_party_exclusions_reduce_expected() -> None:
    q = check_quorum(RuleSet.PARTY, Form.PLENARY, eligible=120, excluded=5, present=93)
    assert (q.expected, q.present, q.met) == (115, 93, True)
    assert "委员会全体会议" in q.rule_zh


@pytest.mark.parametrize(("form", "base", "voted", "met"), [
    (Form.ALL, 1000, 500, False),          # exactly half
    (Form.ALL, 1000, 501, True),
    (Form.HOUSEHOLD, 400, 200, False),
    (Form.HOUSEHOLD, 401, 201, True),
    (Form.REPRESENTATIVE, 30, 20, False),  # exactly two thirds is not "超过"
    (Form.REPRESENTATIVE, 30, 21, True),
])
def test_residents_turnout_per_form(form: Form, base: int, voted: int, met: bool) -> None:
    q = check_quorum(RuleSet.RESIDENTS, form, eligible=base, present=voted)
    assert q.met is met and q.kind == "turnout" and q.code == "TURNOUT_INSUFFICIENT"
    assert q.expected == base


def test_residents_ignore_exclusions() -> None:
    assert check_quorum(RuleSet.RESIDENTS, Form.ALL, eligible=10, excluded=3, present=6).expected == 10


@pytest.mark.parametrize(("form", "base", "present", "met"), [
    (Form.MEMBERS, 300, 200, True),     # exactly two thirds: "以上" includes it
    (Form.MEMBERS, 300, 199, False),
    (Form.DELEGATES, 31, 21, True),     # 63 >= 62
    (Form.DELEGATES, 31, 20, False),
])
def test_collective_quorum(form: Form, base: int, present: int, met: bool) -> None:
    q = check_quorum(RuleSet.COLLECTIVE, form, eligible=base, present=present)
    assert q.met is met and q.expected == base


@pytest.mark.parametrize(("rules", "form", "opts"), [
    (RuleSet.PARTY, Form.ASSEMBLY, RuleOptions()),
    (RuleSet.PARTY, Form.ASSEMBLY, INCL),
    (RuleSet.RESIDENTS, Form.ALL, RuleOptions()),
    (RuleSet.RESIDENTS, Form.REPRESENTATIVE, RuleOptions()),
    (RuleSet.COLLECTIVE, Form.MEMBERS, RuleOptions()),
])
def test_required_is_the_smallest_count_that_meets(rules: RuleSet, form: Form,
                                                   opts: RuleOptions) -> None:
    for expected in range(0, 60):
        q = check_quorum(rules, form, eligible=expected, present=0, options=opts)
        first = next(p for p in range(0, expected + 2)
                     if check_quorum(rules, form, eligible=expected, present=p, options=opts).met)
        assert q.required == first
        assert q.missing == first


def test_form_must_belong_to_rule_set() -> None:
    with pytest.raises(ValueError):
        check_quorum(RuleSet.PARTY, Form.ALL, eligible=10, present=9)


def test_rate_basis_points_is_integer() -> None:
    q = check_quorum(RuleSet.PARTY, Form.ASSEMBLY, eligible=115, present=93)
    assert q.rate_basis_points == 8086


def test_residents_count_voted_when_given() -> None:
    q = check_quorum(RuleSet.RESIDENTS, Form.ALL, eligible=100, present=70, voted=50)
    assert (q.present, q.met) == (50, False)
    assert check_quorum(RuleSet.RESIDENTS, Form.ALL, eligible=100, present=70).met
