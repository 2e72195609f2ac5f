"""Domain words of ../shared/design/domain.md as enums and dataclasses (no behaviour here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class RuleSet(StrEnum):
    PARTY = "party-2020"
    RESIDENTS = "residents-2025"
    COLLECTIVE = "collective-2025"


class Form(StrEnum):
    ASSEMBLY = "assembly"          # 党员大会
    PLENARY = "plenary"            # 委员会全体会议
    ALL = "all"                    # 全体选民
    HOUSEHOLD = "household"        # 户代表
    REPRESENTATIVE = "representative"  # 居民代表
    MEMBERS = "members"            # 成员大会
    DELEGATES = "delegates"        # 成员代表大会


FORMS_OF_RULES: dict[RuleSet, tuple[Form, ...]] = {
    RuleSet.PARTY: (Form.ASSEMBLY, Form.PLENARY),
    RuleSet.RESIDENTS: (Form.ALL, Form.HOUSEHOLD, Form.REPRESENTATIVE),
    RuleSet.COLLECTIVE: (Form.MEMBERS, Form.DELEGATES),
}


class PartyStatus(StrEnum):
    NONE = "none"                  # 非党员
    FULL = "full"                  # 正式党员
    PROBATIONARY = "probationary"  # 预备党员
    ON_PROBATION = "on_probation"  # 留党察看
    SUSPENDED = "suspended"        # 权利中止 (被依法留置、逮捕)


PARTY_STATUS_ZH: dict[PartyStatus, str] = {
    PartyStatus.NONE: "非党员",
    PartyStatus.FULL: "正式党员",
    PartyStatus.PROBATIONARY: "预备党员",
    PartyStatus.ON_PROBATION: "留党察看",
    PartyStatus.SUSPENDED: "权利中止",
}


class ExclusionReason(StrEnum):
    ILLNESS = "illness"            # 患有精神病或其他疾病导致不能正确表达意志
    ABROAD = "abroad"              # 自费出国半年以上
    SENTENCE = "sentence"          # 受刑事处罚正在服刑（未受留党察看以上处分）
    BEDRIDDEN = "bedridden"        # 年老体弱卧床不起、长期生活不能自理
    AWAY_TRANSFER = "away_transfer"  # 工作调动、下派锻炼、学习等半年以上，组织关系未转出


EXCLUSION_REASON_ZH: dict[ExclusionReason, str] = {
    ExclusionReason.ILLNESS: "因病不能正确表达本人意志",
    ExclusionReason.ABROAD: "自费出国半年以上",
    ExclusionReason.SENTENCE: "受刑事处罚正在服刑",
    ExclusionReason.BEDRIDDEN: "年老体弱卧床不起、生活不能自理",
    ExclusionReason.AWAY_TRANSFER: "外出半年以上且组织关系未转出",
}


class ContestKind(StrEnum):
    COMMITTEE = "committee"  # 委员: 差额
    LEADER = "leader"        # 书记、副书记、主任: 等额 allowed


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    gender: str | None
    birth_date: str | None
    id_number: str | None
    education: str
    branch: str
    resident_group: str
    household: str
    member_no: str
    party_status: PartyStatus
    resident_voter: bool
    household_rep: bool
    resident_rep: bool
    collective_member: bool
    collective_delegate: bool
    token: str
    pinyin: str = ""


class Organisation(StrEnum):
    PARTY_COMMITTEE = "party_committee"            # 社区党委
    PARTY_GENERAL_BRANCH = "party_general_branch"  # 党总支
    PARTY_BRANCH = "party_branch"                  # 党支部
    DISCIPLINE = "discipline"                      # 纪委
    RESIDENTS_COMMITTEE = "residents_committee"    # 居民委员会
    SUPERVISORY_COMMITTEE = "supervisory_committee"  # 居务监督委员会
    COLLECTIVE = "collective"                      # 股份经济合作社


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting of the 换届 (党员大会, 委员会全体会议, 选举大会 ...). `options` is the stored
    JSON object (keys of app.rules.options.RuleOptions); read it through app.meetings."""

    id: int
    code: str
    title: str
    community: str
    organisation: Organisation
    rules: RuleSet
    form: Form
    date: str
    venue: str
    options: dict[str, object]
    is_current: bool
