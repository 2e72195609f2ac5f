"""Counting core: quorum, ballots, thresholds and findings of rules.md, as pure functions."""

from app.rules.options import RuleOptions
from app.rules.quorum import QuorumResult, check_quorum, expected_count

__all__ = ["QuorumResult", "RuleOptions", "check_quorum", "expected_count"]
