"""One-pass validation (一次性验证, rules.md §4): every contest's round and the meeting's proxies
checked at once, every finding listed, before a result may be locked and printed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.rules.ballots import Ballot, count_ballots
from app.rules.contest import Contest, ContestResult, Meeting, decide_contest, meeting_quorum
from app.rules.contest import one_pass_success as _one_pass
from app.rules.findings import Finding
from app.rules.options import RuleOptions
from app.rules.proxies import proxy_findings
from app.rules.quorum import QuorumResult


@dataclass(frozen=True, slots=True)
class RoundInput:
    contest: Contest
    ballots: Sequence[tuple[Ballot, int]]  # (ballot, weight); aggregate clerk entries first


@dataclass(frozen=True, slots=True)
class Validation:
    quorum: QuorumResult | None
    results: tuple[ContestResult, ...]
    meeting_findings: tuple[Finding, ...]   # proxies

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.meeting_findings + tuple(f for r in self.results for f in r.findings)

    @property
    def may_lock(self) -> bool:
        """No error anywhere: warnings are shown but do not block locking."""
        return not any(f.is_error for f in self.findings)

    @property
    def one_pass_success(self) -> bool:
        return _one_pass(self.results) and not any(f.is_error for f in self.meeting_findings)


def make_ballot(candidates: Sequence[str], approve: Iterable[str] = (),
                disapprove: Iterable[str] = (), write_ins: Iterable[str] = (),
                declared_invalid: bool = False, reason: str = "") -> Ballot:
    """A ballot from names, as a clerk enters it; unknown or doubly marked names are a
    programming error (the entry form offers only the listed candidates)."""
    marks = dict.fromkeys(candidates, "-")
    for names, mark in ((approve, "o"), (disapprove, "x")):
        for name in names:
            if marks.get(name) != "-":
                raise ValueError(f"{name!r} is not a candidate or is marked twice")
            marks[name] = mark
    return Ballot("".join(marks.values()), tuple(write_ins), declared_invalid, reason)


def validate(meeting: Meeting, rounds: Iterable[RoundInput], options: RuleOptions | None = None,
             proxies: Iterable[tuple[str, str]] = ()) -> Validation:
    """Count and decide every round, then add the proxy findings of the meeting."""
    opts = options or RuleOptions()
    quorum = meeting_quorum(meeting, opts)
    results: list[ContestResult] = []
    candidates: set[str] = set()
    for r in rounds:
        count = count_ballots(r.contest.names, r.contest.seats, r.ballots, opts)
        results.append(decide_contest(meeting, r.contest, count, opts, quorum))
        candidates.update(r.contest.names)
    extra = proxy_findings(meeting.rules, meeting.form, proxies, candidates)
    return Validation(quorum, tuple(results), tuple(extra))
