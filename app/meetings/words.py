"""The Chinese words for a meeting's rule set, form, organisation and options, as the setup
screens and commands show them (rules.md §6 for what each option decides)."""

from __future__ import annotations

from app.model import Form, Organisation, RuleSet
from app.rules.options import RuleOptions, RunoffMargin

RULES_ZH: dict[RuleSet, str] = {
    RuleSet.PARTY: "党内选举（基层组织选举工作条例 2020）",
    RuleSet.RESIDENTS: "居民委员会选举（居民委员会组织法 2025）",
    RuleSet.COLLECTIVE: "集体经济组织选举（农村集体经济组织法 2025）",
}

FORM_ZH: dict[Form, str] = {
    Form.ASSEMBLY: "党员大会",
    Form.PLENARY: "委员会全体会议",
    Form.ALL: "全体选民直接选举",
    Form.HOUSEHOLD: "每户派代表选举",
    Form.REPRESENTATIVE: "居民代表选举",
    Form.MEMBERS: "成员大会",
    Form.DELEGATES: "成员代表大会",
}

ORGANISATION_ZH: dict[Organisation, str] = {
    Organisation.PARTY_COMMITTEE: "社区党委",
    Organisation.PARTY_GENERAL_BRANCH: "社区党总支",
    Organisation.PARTY_BRANCH: "社区党支部",
    Organisation.DISCIPLINE: "社区纪委",
    Organisation.RESIDENTS_COMMITTEE: "居民委员会",
    Organisation.SUPERVISORY_COMMITTEE: "居务监督委员会",
    Organisation.COLLECTIVE: "股份经济合作社",
}

# option key -> (short label, what ticking it means, in words)
OPTION_ZH: dict[str, tuple[str, str]] = {
    "quorum_inclusive": (
        "到会人数恰好五分之四也算有效",
        "党内选举：条例要求到会人数“超过”应到的五分之四；勾选后按旧解释，恰好五分之四也可进行选举。"
        "默认不勾选。"),
    "runoff_turnout_required": (
        "另行选举也须过半数选民参加",
        "居民委员会选举：另行选举时仍须有过半数选民（户代表、居民代表）参加投票，选举才有效。"
        "默认勾选。"),
    "write_in_counts_for_candidate": (
        "另选他人写的是候选人本人时计入该候选人",
        "选票上另选他人一栏写了候选人本人的姓名并画○，按投该候选人赞成票计算。默认勾选。"),
    "runoff_margin": (
        "另行选举委员也须差额百分之二十",
        "党内选举：条例原文未见另行选举委员时候选人差额的规定。默认候选人数多于应选人数即可（不得等额）；"
        "勾选后与第一次选举相同，候选人数应比应选人数多百分之二十以上。书记、副书记和票数相等时的"
        "重新投票不受影响。默认不勾选。"),
}


def option_ticked(options: RuleOptions, key: str) -> bool:
    """Whether an option's tick box is ticked for these options (runoff_margin: ticked is
    twenty_percent; the others are booleans)."""
    if key == "runoff_margin":
        return options.runoff_margin is RunoffMargin.TWENTY_PERCENT
    return bool(getattr(options, key))


def parse_bool(text: str) -> bool | None:
    """'true'/'false' and their usual spellings (是/否, 1/0, yes/no); None when not a yes or no."""
    t = text.strip().lower()
    if t in ("1", "true", "yes", "y", "on", "是"):
        return True
    if t in ("0", "false", "no", "n", "off", "否"):
        return False
    return None
