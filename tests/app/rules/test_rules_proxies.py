"""Proxy rules (rules.md §1.1, §2.2)."""

from __future__ import annotations

import pytest

from app.model import Form, RuleSet
from app.rules.findings import Code
from app.rules.proxies import check_proxy, proxies_allowed, proxy_findings


@pytest.mark.parametrize(("rules", "form", "allowed"), [
    (RuleSet.RESIDENTS, Form.ALL, True), (RuleSet.RESIDENTS, Form.HOUSEHOLD, True),
    (RuleSet.RESIDENTS, Form.REPRESENTATIVE, False), (RuleSet.PARTY, Form.ASSEMBLY, False),
    (RuleSet.COLLECTIVE, Form.MEMBERS, False),
])
def test_where_proxies_are_allowed(rules: RuleSet, form: Form, allowed: bool) -> None:
    assert proxies_allowed(rules, form) is allowed
    f = check_proxy(rules, form, "张三", 0)
    assert (f is None) is allowed
    if f is not None:
        assert f.code is Code.PROXY_NOT_ALLOWED and f.is_error


def test_at_most_three_appointments() -> None:
    assert check_proxy(RuleSet.RESIDENTS, Form.ALL, "张三", 2) is None
    f = check_proxy(RuleSet.RESIDENTS, Form.ALL, "张三", 3)
    assert f is not None and f.code is Code.PROXY_LIMIT


def test_candidate_may_not_be_a_proxy() -> None:
    f = check_proxy(RuleSet.RESIDENTS, Form.ALL, "张三", 0, candidates=["张三"])
    assert f is not None and f.code is Code.PROXY_NOT_ALLOWED


def test_findings_over_the_meeting() -> None:
    pairs = [("甲", "张三"), ("乙", "张三"), ("丙", "张三"), ("丁", "张三"), ("戊", "李四")]
    found = proxy_findings(RuleSet.RESIDENTS, Form.HOUSEHOLD, pairs, candidates=["李四"])
    assert sorted(f.code.value for f in found) == ["PROXY_LIMIT", "PROXY_NOT_ALLOWED"]
    assert proxy_findings(RuleSet.RESIDENTS, Form.ALL, pairs[:3]) == []
    assert len(proxy_findings(RuleSet.PARTY, Form.ASSEMBLY, pairs[:2])) == 2
