"""The residents' committee as a whole (rules.md §2.5, Art. 8): 居民委员会成员中，应当有妇女成员.

NO_WOMAN_ELECTED is judged over every contest of the residents' meeting (主任, 副主任 and 委员 lines
together), once, and reported on the kind-`committee` contest (the first one; a meeting without
a 委员 line has nowhere to report it, as a lone 主任 round has not). It is judged only when every contest has every seat filled, every
elected person's gender is known and nobody elected is F: a woman elected 主任 satisfies the rule.
A runoff or tie re-vote round alone does not show the whole committee and is never judged alone.

Two callers: a conformance scenario (`judge_scenario`: each contest is one round, so a scenario
holding a runoff or re-vote round is not the whole committee) and the recorded meeting
(app.voting.validate: every round of every contest, `no_woman_finding` over their union).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from app.model import ContestKind, RuleSet
from app.rules.contest import Contest, ContestResult, Status
from app.rules.findings import Code, Finding, warning
from app.rules.thresholds import Round

RULE_ZH = ("居民委员会由主任、副主任和委员共五至九人组成。居民委员会成员中，应当有妇女成员"
           "（《城市居民委员会组织法》第八条）")


def no_woman_finding(rules: RuleSet, all_filled: bool,
                     elected_genders: Sequence[str | None]) -> Finding | None:
    """The warning, or None. `all_filled`: every contest of the meeting has all its seats
    filled; `elected_genders`: the gender of every person elected to the committee."""
    if rules is not RuleSet.RESIDENTS or not all_filled or not elected_genders:
        return None
    if any(g not in ("M", "F") for g in elected_genders) or "F" in elected_genders:
        return None
    return warning(Code.NO_WOMAN_ELECTED, RULE_ZH,
                   f"当选的{len(elected_genders)}名居民委员会成员中没有女性")


def report_index(kinds: Sequence[ContestKind]) -> int | None:
    """Which contest carries the meeting's NO_WOMAN_ELECTED: the first of kind committee."""
    return next((i for i, k in enumerate(kinds) if k is ContestKind.COMMITTEE), None)


def judge_scenario(rules: RuleSet, contests: Sequence[Contest],
                   results: Sequence[ContestResult]) -> tuple[ContestResult, ...]:
    """The results with NO_WOMAN_ELECTED added once when the contests, each one round, show the
    whole committee elected without a woman."""
    out = tuple(results)
    if not contests or any(c.round is not Round.FIRST for c in contests):
        return out
    filled = all(r.status is Status.ELECTED for r in results)
    genders: list[str | None] = []
    for c, r in zip(contests, results, strict=True):
        of = {x.name: x.gender for x in c.candidates}
        genders.extend(of.get(name) for name in r.elected)  # a write-in's gender is unknown
    found = no_woman_finding(rules, filled, genders)
    i = report_index([c.kind for c in contests])
    if found is None or i is None:
        return out
    target = out[i]
    return (out[:i] + (dataclasses.replace(target, findings=target.findings + (found,)),)
            + out[i + 1:])
