"""Findings of the one-pass validation (rules.md §4): code, severity and the rule in Chinese."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


class Code(StrEnum):
    """The codes of rules.md §4, with their severity in the table's words:

    QUORUM_NOT_MET, TURNOUT_INSUFFICIENT, RETURNED_EXCEEDS_ISSUED: error.
    INSUFFICIENT_MARGIN: error; **warning** for a residents-2025 contest of kind `leader` (§2.4).
    CANDIDATE_NOT_ELIGIBLE: error (§1.3 被选举权; also refused when the candidate is added).
    TIE_AT_LAST_SEAT, SEATS_UNFILLED: error (settled by the next round or a recorded decision).
    ISSUED_NOT_EQUAL_PRESENT: warning (party, collective).
    NO_WOMAN_ELECTED: warning, once per residents' meeting, over the whole committee (§2.5).
    PROXY_LIMIT, PROXY_NOT_ALLOWED: error (§2.2).
    """


    QUORUM_NOT_MET = "QUORUM_NOT_MET"
    TURNOUT_INSUFFICIENT = "TURNOUT_INSUFFICIENT"
    RETURNED_EXCEEDS_ISSUED = "RETURNED_EXCEEDS_ISSUED"
    INSUFFICIENT_MARGIN = "INSUFFICIENT_MARGIN"
    CANDIDATE_NOT_ELIGIBLE = "CANDIDATE_NOT_ELIGIBLE"
    TIE_AT_LAST_SEAT = "TIE_AT_LAST_SEAT"
    SEATS_UNFILLED = "SEATS_UNFILLED"
    ISSUED_NOT_EQUAL_PRESENT = "ISSUED_NOT_EQUAL_PRESENT"
    NO_WOMAN_ELECTED = "NO_WOMAN_ELECTED"
    PROXY_LIMIT = "PROXY_LIMIT"
    PROXY_NOT_ALLOWED = "PROXY_NOT_ALLOWED"


# Short names of the findings for the validation page.
TITLE_ZH: dict[Code, str] = {
    Code.QUORUM_NOT_MET: "到会人数不足",
    Code.TURNOUT_INSUFFICIENT: "参加投票人数不足",
    Code.RETURNED_EXCEEDS_ISSUED: "收回选票多于发出选票",
    Code.INSUFFICIENT_MARGIN: "候选人差额不足",
    Code.CANDIDATE_NOT_ELIGIBLE: "候选人没有被选举权",
    Code.TIE_AT_LAST_SEAT: "末位得票相等",
    Code.SEATS_UNFILLED: "当选人数少于应选名额",
    Code.ISSUED_NOT_EQUAL_PRESENT: "发出选票数与实到人数不一致",
    Code.NO_WOMAN_ELECTED: "当选人中没有妇女成员",
    Code.PROXY_LIMIT: "受委托人接受委托超过三人",
    Code.PROXY_NOT_ALLOWED: "此选举形式不得委托投票",
}


@dataclass(frozen=True, slots=True)
class Finding:
    code: Code
    severity: Severity
    rule_zh: str          # the rule that applies, with its source
    detail_zh: str = ""   # the figures of this case

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    @property
    def title_zh(self) -> str:
        return TITLE_ZH[self.code]


def error(code: Code, rule_zh: str, detail_zh: str = "") -> Finding:
    return Finding(code, Severity.ERROR, rule_zh, detail_zh)


def warning(code: Code, rule_zh: str, detail_zh: str = "") -> Finding:
    return Finding(code, Severity.WARNING, rule_zh, detail_zh)
