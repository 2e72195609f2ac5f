"""Meeting quorum (会议有效) and residents' turnout (选举有效), rules.md §1.2, §2.3, §3.

One entry point, `check_quorum`, serves the live quorum panel at sign-in and the one-pass
validation: given the rule set, the form and the counts, it returns 应到, 实到 (or 参加投票人数),
whether the rule is met, the smallest count that meets it and the rule in Chinese words.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from app.model import FORMS_OF_RULES, Form, RuleSet
from app.rules.options import RuleOptions

PARTY_SOURCE = "《中国共产党基层组织选举工作条例》"
RESIDENTS_SOURCE = "《城市居民委员会组织法》第十九条"
COLLECTIVE_SOURCE = "《农村集体经济组织法》"


@dataclass(frozen=True, slots=True)
class QuorumResult:
    rules: RuleSet
    form: Form
    kind: str            # "quorum" (会议有效, party / collective) or "turnout" (选举有效, residents)
    expected: int        # 应到 (party: eligible − excluded; residents: the form's base; collective: all)
    present: int         # 实到 (party / collective) or 参加投票的人数 (residents)
    met: bool
    required: int        # the smallest `present` that meets the rule
    rule_zh: str         # the rule in words, for the quorum panel and the validation page
    code: str            # finding code when not met: QUORUM_NOT_MET or TURNOUT_INSUFFICIENT

    @property
    def missing(self) -> int:
        """How many more people are needed (0 when met)."""
        return max(0, self.required - self.present)

    @property
    def threshold(self) -> Fraction:
        """The share of 应到 the rule compares 实到 with (four fifths, two thirds, one half)."""
        if self.rules is RuleSet.PARTY:
            return Fraction(4, 5)
        if self.rules is RuleSet.RESIDENTS:
            return Fraction(2, 3) if self.form is Form.REPRESENTATIVE else Fraction(1, 2)
        return Fraction(2, 3)

    @property
    def rate_basis_points(self) -> int:
        """出席率 in 1/10000, rounded down (integer arithmetic; 8087 → 80.87%)."""
        return self.present * 10000 // self.expected if self.expected > 0 else 0


def expected_count(rules: RuleSet, eligible: int, excluded: int = 0) -> int:
    """应到: party subtracts approved exclusions (§1.1); other rule sets have none."""
    return eligible - excluded if rules is RuleSet.PARTY else eligible


def _min_greater(num: int, den: int, base: int) -> int:
    """Smallest n with den*n > num*base."""
    return num * base // den + 1


def _min_at_least(num: int, den: int, base: int) -> int:
    """Smallest n with den*n >= num*base."""
    return -(-num * base // den)


_RESIDENTS_BASE_ZH = {
    Form.ALL: "本居住地区全体有选举权的居民",
    Form.HOUSEHOLD: "本居住地区的户",
    Form.REPRESENTATIVE: "居民代表",
}

_COLLECTIVE_BASE_ZH = {
    Form.MEMBERS: "全体成员",
    Form.DELEGATES: "全体成员代表",
}


def check_quorum(rules: RuleSet, form: Form, *, eligible: int, present: int,
                 excluded: int = 0, voted: int | None = None,
                 options: RuleOptions | None = None) -> QuorumResult:
    """The quorum of a meeting (party, collective) or the turnout of a residents' election.

    For residents the rule counts 参加投票的人数 (`voted`, ballots returned in the round); before
    the vote the sign-in panel leaves `voted` out and gets a live estimate from `present`.
    Raises ValueError only for a form that does not belong to the rule set or negative counts
    (caller bugs; scenario input is checked first).
    """
    opts = options or RuleOptions()
    if rules is RuleSet.RESIDENTS and voted is not None:
        present = voted
    if form not in FORMS_OF_RULES[rules]:
        raise ValueError(f"form {form} does not belong to rule set {rules}")
    if min(eligible, present, excluded) < 0:
        raise ValueError("counts must not be negative")
    expected = expected_count(rules, eligible, excluded)
    if rules is RuleSet.PARTY:
        body = "委员会全体会议" if form is Form.PLENARY else "党员大会"
        if opts.quorum_inclusive:
            met = 5 * present >= 4 * expected
            required = _min_at_least(4, 5, expected)
            words = f"{body}有选举权的到会人数不少于应到会人数的五分之四（{PARTY_SOURCE}；选项：含本数）"
        else:
            met = 5 * present > 4 * expected
            required = _min_greater(4, 5, expected)
            words = f"{body}有选举权的到会人数超过应到会人数的五分之四（{PARTY_SOURCE}）"
        return QuorumResult(rules, form, "quorum", expected, present, met, required, words,
                            "QUORUM_NOT_MET")
    if rules is RuleSet.RESIDENTS:
        who = _RESIDENTS_BASE_ZH[form]
        if form is Form.REPRESENTATIVE:
            met = 3 * present > 2 * expected
            required = _min_greater(2, 3, expected)
            words = f"参加投票的居民代表超过{who}的三分之二，选举有效（{RESIDENTS_SOURCE}）"
        else:
            met = 2 * present > expected
            required = _min_greater(1, 2, expected)
            voters = "户代表" if form is Form.HOUSEHOLD else "选民"
            words = f"参加投票的{voters}超过{who}的半数，选举有效（{RESIDENTS_SOURCE}）"
        return QuorumResult(rules, form, "turnout", expected, present, met, required, words,
                            "TURNOUT_INSUFFICIENT")
    who = _COLLECTIVE_BASE_ZH[form]
    met = 3 * present >= 2 * expected
    required = _min_at_least(2, 3, expected)
    meeting = "成员代表大会" if form is Form.DELEGATES else "成员大会"
    words = f"{meeting}应当有{who}三分之二以上出席（{COLLECTIVE_SOURCE}）"
    return QuorumResult(rules, form, "quorum", expected, present, met, required, words,
                        "QUORUM_NOT_MET")
