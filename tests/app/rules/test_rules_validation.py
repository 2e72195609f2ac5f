"""The one-pass validation over a meeting's rounds and proxies."""

from __future__ import annotations

import pytest

from app.model import ContestKind, Form, RuleSet
from app.rules import Candidate, Contest, Meeting, Round, aggregate
from app.rules.findings import Code
from app.rules.validation import RoundInput, make_ballot, validate

NAMES = ("孙丽", "周强", "吴敏")


def _round(seats: int, ballots: list[tuple[list[str], int]], cid: str = "c",
           issued: int | None = None) -> RoundInput:
    contest = Contest(cid, cid, ContestKind.COMMITTEE, Round.FIRST, seats,
                      tuple(Candidate(n, "F") for n in NAMES),
                      sum(k for _, k in ballots) if issued is None else issued)
    entered = [make_ballot(NAMES, approve) for approve, k in ballots for _ in range(k)]
    return RoundInput(contest, list(aggregate(entered).items()))


def test_clean_meeting_may_lock_and_is_one_pass() -> None:
    meeting = Meeting(RuleSet.RESIDENTS, Form.ALL, 100)
    v = validate(meeting, [_round(2, [(["孙丽", "周强"], 60)])])
    assert v.quorum is None
    assert v.may_lock and v.one_pass_success and v.findings == ()
    assert set(v.results[0].elected) == {"孙丽", "周强"}


def test_proxy_errors_block_locking() -> None:
    meeting = Meeting(RuleSet.RESIDENTS, Form.REPRESENTATIVE, 30)
    v = validate(meeting, [_round(2, [(["孙丽", "周强"], 25)])], proxies=[("甲", "乙")])
    assert [f.code for f in v.meeting_findings] == [Code.PROXY_NOT_ALLOWED]
    assert not v.may_lock and not v.one_pass_success


def test_warnings_do_not_block_locking() -> None:
    meeting = Meeting(RuleSet.PARTY, Form.ASSEMBLY, 60, present=60)
    v = validate(meeting, [_round(2, [(["孙丽", "周强"], 60)], issued=61)])
    assert [f.code for f in v.findings] == [Code.ISSUED_NOT_EQUAL_PRESENT]
    assert v.may_lock and v.one_pass_success


def test_make_ballot_refuses_unknown_and_double_marks() -> None:
    assert make_ballot(NAMES, ["孙丽"], ["吴敏"]).marks == "o-x"
    with pytest.raises(ValueError):
        make_ballot(NAMES, ["不存在"])
    with pytest.raises(ValueError):
        make_ballot(NAMES, ["孙丽"], ["孙丽"])
