"""Proxy voting (委托投票), rules.md §1.1 and §2.2: PROXY_NOT_ALLOWED and PROXY_LIMIT.

The sign-in desk calls `check_proxy` before recording one appointment; the one-pass validation
calls `proxy_findings` over all appointments of the meeting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from app.model import Form, RuleSet
from app.rules.findings import Code, Finding, error

MAX_APPOINTMENTS = 3
RESIDENTS_PROXY_SOURCE = "《城市居民委员会组织法》第十九条"


def proxies_allowed(rules: RuleSet, form: Form) -> bool:
    """Only residents' elections in forms `all` and `household`; never party (no proxy voting)
    and never a representatives' election. Collective: the law is silent; the charter decides
    and the app does not record proxies."""
    return rules is RuleSet.RESIDENTS and form in (Form.ALL, Form.HOUSEHOLD)


def _not_allowed(rules: RuleSet, form: Form, proxy: str) -> Finding:
    if rules is RuleSet.PARTY:
        rule = "党内选举不得委托他人代为投票（《中国共产党基层组织选举工作条例》）"
    elif rules is RuleSet.RESIDENTS:
        rule = f"以居民代表形式选举的，不得委托投票（{RESIDENTS_PROXY_SOURCE}）"
    else:
        rule = "本选举未设委托投票"
    return error(Code.PROXY_NOT_ALLOWED, rule, f"受委托人：{proxy}（{form.value}）")


def check_proxy(rules: RuleSet, form: Form, proxy: str, held: int,
                candidates: Iterable[str] = ()) -> Finding | None:
    """May `proxy`, already holding `held` appointments, accept one more?"""
    if not proxies_allowed(rules, form):
        return _not_allowed(rules, form, proxy)
    if proxy in set(candidates):
        return error(Code.PROXY_NOT_ALLOWED, f"候选人不得接受委托（{RESIDENTS_PROXY_SOURCE}）",
                     f"受委托人：{proxy}")
    if held + 1 > MAX_APPOINTMENTS:
        return error(Code.PROXY_LIMIT, f"每一选民接受委托不得超过三人（{RESIDENTS_PROXY_SOURCE}）",
                     f"受委托人：{proxy}，已接受委托{held}人")
    return None


def proxy_findings(rules: RuleSet, form: Form, appointments: Iterable[tuple[str, str]],
                   candidates: Iterable[str] = ()) -> list[Finding]:
    """All proxy findings of a meeting; `appointments` are (principal, proxy) pairs."""
    pairs = list(appointments)
    if not pairs:
        return []
    if not proxies_allowed(rules, form):
        return [_not_allowed(rules, form, proxy) for _, proxy in pairs]
    names = set(candidates)
    found: list[Finding] = []
    for proxy, held in sorted(Counter(p for _, p in pairs).items()):
        if proxy in names:
            found.append(error(Code.PROXY_NOT_ALLOWED, f"候选人不得接受委托（{RESIDENTS_PROXY_SOURCE}）",
                               f"受委托人：{proxy}"))
        if held > MAX_APPOINTMENTS:
            found.append(error(Code.PROXY_LIMIT, f"每一选民接受委托不得超过三人（{RESIDENTS_PROXY_SOURCE}）",
                               f"受委托人：{proxy}，接受委托{held}人"))
    return found
