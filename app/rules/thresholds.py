"""Candidate margins (rules.md §1.3, §2.4, §3) and election thresholds (§1.6, §2.5, §3).

Margins, by round:
- party-2020 committee: first round `5*(c - s) >= s` (at least 20% more candidates); runoff
  (另行选举) `c > s` by default, option `runoff_margin` = `twenty_percent` for the first round's
  rule. The 2020 条例 text sets no margin for a runoff: the finding cites rules.md §1.3 itself.
  Leader (书记、副书记): `c >= s` (等额 allowed) in the first round and a runoff.
- residents-2025: `c > s` in the first round and a runoff (Art. 18); error for kind committee,
  only a warning for kind leader (主任、副主任: the provincial rule decides).
- collective-2025: the law sets no margin; none is checked (a charter may add one).
- A tie re-vote (就票数相等的被选举人重新投票) is held among exactly the tied persons, whom the
  previous round decided: no margin check at all, under every rule set.

Thresholds: residents-2025 tie re-vote uses the first-round majority `2*approve > voted`, as a
re-vote repeats the round that produced the tie; runoff: `3*approve >= voted`. Nobody is elected
with zero approvals, whatever the base.
"""

from __future__ import annotations

from enum import StrEnum

from app.model import ContestKind, Form, RuleSet
from app.rules.findings import Code, Finding, error, warning
from app.rules.options import RunoffMargin
from app.rules.quorum import PARTY_SOURCE, RESIDENTS_SOURCE


class Round(StrEnum):
    FIRST = "first"
    RUNOFF = "runoff"          # 另行选举
    TIE_REVOTE = "tie_revote"  # 就票数相等的被选举人重新投票


RESIDENTS_MARGIN_SOURCE = "《城市居民委员会组织法》第十八条"
COLLECTIVE_SOURCE = "《农村集体经济组织法》"


RUNOFF_MARGIN_SOURCE = ("本软件选举规则 rules.md §1.3：条例原文未见另行选举差额的规定，默认候选人数多于"
                        "应选人数，可选差额百分之二十；实践中不得等额补选委员")


def margin_finding(rules: RuleSet, kind: ContestKind, round_: Round, seats: int,
                   candidates: int,
                   runoff_margin: RunoffMargin = RunoffMargin.MORE) -> Finding | None:
    """INSUFFICIENT_MARGIN (error, or warning for a residents' leader contest) or None."""
    c, s = candidates, seats
    detail = f"候选人{c}名，应选{s}名"
    if round_ is Round.TIE_REVOTE:
        return None  # among exactly the tied persons (rules.md §1.3)
    if rules is RuleSet.PARTY:
        if kind is ContestKind.LEADER:
            if c >= s:
                return None
            return error(Code.INSUFFICIENT_MARGIN,
                         f"书记、副书记可以实行等额选举，候选人数不得少于应选人数（{PARTY_SOURCE}）", detail)
        if round_ is Round.FIRST or runoff_margin is RunoffMargin.TWENTY_PERCENT:
            if 5 * (c - s) >= s:
                return None
            need = s + -(-s // 5)
            source = PARTY_SOURCE if round_ is Round.FIRST else RUNOFF_MARGIN_SOURCE
            what = "委员候选人数" if round_ is Round.FIRST else "另行选举委员，候选人数"
            return error(Code.INSUFFICIENT_MARGIN, f"{what}应多于应选人数的百分之二十（{source}）",
                         f"{detail}，至少应有{need}名")
        if c > s:
            return None
        return error(Code.INSUFFICIENT_MARGIN,
                     f"另行选举委员，候选人数应多于应选人数（{RUNOFF_MARGIN_SOURCE}）",
                     f"{detail}，至少应有{s + 1}名")
    if rules is RuleSet.RESIDENTS:
        if c > s:
            return None
        if kind is ContestKind.LEADER:
            return warning(Code.INSUFFICIENT_MARGIN,
                           "主任、副主任候选人数按本省选举办法确定，一般应多于应选名额（仅提示，不影响选举有效）",
                           detail)
        return error(Code.INSUFFICIENT_MARGIN,
                     f"候选人名额应当多于应选名额（{RESIDENTS_MARGIN_SOURCE}）", detail)
    return None


def qualifies(rules: RuleSet, round_: Round, approve: int, *, present: int, voted: int,
              everyone: int) -> bool:
    """Whether `approve` votes reach the threshold of the rule set and round.

    `present` 实到 (party), `voted` ballots returned (residents), `everyone` all members or
    delegates (collective)."""
    if approve <= 0:
        return False
    if rules is RuleSet.PARTY:
        return 2 * approve > present
    if rules is RuleSet.RESIDENTS:
        if round_ is Round.RUNOFF:
            return 3 * approve >= voted
        return 2 * approve > voted
    return 3 * approve >= 2 * everyone


def threshold_zh(rules: RuleSet, round_: Round, form: Form) -> str:
    if rules is RuleSet.PARTY:
        return f"被选举人获得的赞成票超过实到会有选举权的人数的一半，始得当选（{PARTY_SOURCE}）"
    if rules is RuleSet.RESIDENTS:
        if round_ is Round.RUNOFF:
            return f"另行选举时，以得票多的当选，但得票数不得少于已投选票数的三分之一（{RESIDENTS_SOURCE}）"
        return f"候选人获得参加投票的选民过半数的选票，始得当选（{RESIDENTS_SOURCE}）"
    who = "全体成员代表" if form is Form.DELEGATES else "全体成员"
    return f"经{who}三分之二以上同意，始得当选（{COLLECTIVE_SOURCE}）"
