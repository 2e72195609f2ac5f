"""Counting core: quorum, ballots, thresholds and findings of rules.md, as pure functions.

Entry points for the GUI pages and the CLI:
- `check_quorum`: 应到 / 实到 / met / the rule in words (live quorum panel, residents' turnout).
- `check_ballot`: one ballot's validity while a clerk types it.
- `count_ballots`: (ballot, weight) pairs → valid / invalid / tally in tally order.
- `decide_contest`: one round's status, elected, tie re-vote, runoff and §4 findings.
- `one_pass_success`: 一次性选举成功 over a meeting's contests.
- `validate`: the one-pass validation of a meeting (all rounds and proxies, every finding).
- `check_proxy` / `proxy_findings`: proxy rules at sign-in and in validation.
"""

from app.rules.ballots import (
    ABSTAIN,
    APPROVE,
    DISAPPROVE,
    Ballot,
    BallotCheck,
    BallotCount,
    TallyEntry,
    aggregate,
    check_ballot,
    count_ballots,
)
from app.rules.contest import (
    STATUS_ZH,
    Candidate,
    Contest,
    ContestResult,
    Meeting,
    Runoff,
    Status,
    Tie,
    decide_contest,
    meeting_quorum,
    one_pass_success,
)
from app.rules.findings import Code, Finding, Severity
from app.rules.options import RuleOptions
from app.rules.proxies import check_proxy, proxies_allowed, proxy_findings
from app.rules.quorum import QuorumResult, check_quorum, expected_count
from app.rules.thresholds import Round, margin_finding, qualifies, threshold_zh
from app.rules.validation import RoundInput, Validation, make_ballot, validate

__all__ = [
    "ABSTAIN", "APPROVE", "DISAPPROVE", "STATUS_ZH", "Ballot", "BallotCheck", "BallotCount",
    "Candidate", "Code", "Contest", "ContestResult", "Finding", "Meeting", "QuorumResult",
    "Round", "RuleOptions", "Runoff", "Severity", "Status", "TallyEntry", "Tie", "aggregate",
    "check_ballot", "check_quorum", "count_ballots", "decide_contest", "expected_count",
    "check_proxy", "margin_finding", "meeting_quorum", "one_pass_success", "proxies_allowed",
    "proxy_findings", "qualifies", "threshold_zh", "RoundInput", "Validation", "make_ballot",
    "validate",
]
