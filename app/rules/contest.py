"""The outcome of one contest's round: status, elected, tie re-vote, runoff and all findings.

Status precedence (scenario-format.md): quorum_not_met, setup_invalid, void_revote,
turnout_insufficient elect nobody and, when several apply, the first in that order is the status
while `findings` list all of them. Otherwise the tally decides elected / tie_revote /
runoff_needed (rules.md §1.6, §2.5, §3).

NO_WOMAN_ELECTED is not a finding of one round: it is judged over the whole residents' committee
(every contest of the meeting) by app.rules.committee.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from app.model import ContestKind, Form, RuleSet
from app.rules.ballots import BallotCount, TallyEntry
from app.rules.findings import Code, Finding, error, warning
from app.rules.options import RuleOptions
from app.rules.quorum import PARTY_SOURCE, QuorumResult, check_quorum
from app.rules.thresholds import Round, margin_finding, qualifies, threshold_zh


class Status(StrEnum):
    ELECTED = "elected"
    TIE_REVOTE = "tie_revote"
    RUNOFF_NEEDED = "runoff_needed"
    VOID_REVOTE = "void_revote"
    QUORUM_NOT_MET = "quorum_not_met"
    TURNOUT_INSUFFICIENT = "turnout_insufficient"
    SETUP_INVALID = "setup_invalid"


STATUS_ZH: dict[Status, str] = {
    Status.ELECTED: "选举有效，名额已选足",
    Status.TIE_REVOTE: "末位得票相等，须就票数相等的被选举人重新投票",
    Status.RUNOFF_NEEDED: "当选人数不足应选名额，须另行选举",
    Status.VOID_REVOTE: "选举无效，应当重新选举",
    Status.QUORUM_NOT_MET: "到会人数不足，不能进行选举",
    Status.TURNOUT_INSUFFICIENT: "参加投票人数不足，选举无效",
    Status.SETUP_INVALID: "候选人设置不符合规定",
}

# Blocking findings in status order.
_BLOCKING: tuple[tuple[Code, Status], ...] = (
    (Code.QUORUM_NOT_MET, Status.QUORUM_NOT_MET),
    (Code.INSUFFICIENT_MARGIN, Status.SETUP_INVALID),
    (Code.CANDIDATE_NOT_ELIGIBLE, Status.SETUP_INVALID),
    (Code.RETURNED_EXCEEDS_ISSUED, Status.VOID_REVOTE),
    (Code.TURNOUT_INSUFFICIENT, Status.TURNOUT_INSUFFICIENT),
)


@dataclass(frozen=True, slots=True)
class Candidate:
    name: str
    gender: str | None = None  # "M" / "F" / None when unknown
    eligible: bool = True      # 被选举权 (rules.md §1.3); False makes the contest setup_invalid


@dataclass(frozen=True, slots=True)
class Meeting:
    rules: RuleSet
    form: Form
    eligible: int
    excluded: int = 0
    present: int | None = None  # 实到 at the round's snapshot; residents may leave it out


@dataclass(frozen=True, slots=True)
class Contest:
    id: str
    title: str
    kind: ContestKind
    round: Round
    seats: int
    candidates: tuple[Candidate, ...]
    issued: int

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.candidates)


@dataclass(frozen=True, slots=True)
class Tie:
    seats: int
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Runoff:
    seats: int
    ranking: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContestResult:
    contest_id: str
    round: Round
    status: Status
    issued: int
    count: BallotCount
    elected: tuple[str, ...]
    tie: Tie | None
    runoff: Runoff | None
    findings: tuple[Finding, ...]
    threshold_zh: str
    turnout: QuorumResult | None  # residents: the turnout rule applied to this round

    @property
    def has_error(self) -> bool:
        return any(f.is_error for f in self.findings)


def meeting_quorum(meeting: Meeting, options: RuleOptions | None = None) -> QuorumResult | None:
    """The meeting's quorum (party, collective); None for residents, whose rule is turnout."""
    if meeting.rules is RuleSet.RESIDENTS:
        return None
    if meeting.present is None:
        raise ValueError("present (实到) is required for party and collective meetings")
    return check_quorum(meeting.rules, meeting.form, eligible=meeting.eligible,
                        excluded=meeting.excluded, present=meeting.present, options=options)


ELIGIBILITY_RULE_ZH: dict[RuleSet, str] = {
    RuleSet.PARTY: ("只有有表决权、选举权和被选举权的正式党员可以作为候选人；预备党员、受留党察看处分"
                    f"期间的党员、党员权利中止的党员不能作为候选人（{PARTY_SOURCE}第五条）"),
    RuleSet.RESIDENTS: "候选人应当是本居住地区有选举权和被选举权的居民（《城市居民委员会组织法》第十六条）",
    RuleSet.COLLECTIVE: "候选人应当是本集体经济组织的成员（《农村集体经济组织法》）",
}


def eligibility_finding(rules: RuleSet, candidates: Sequence[Candidate]) -> Finding | None:
    """CANDIDATE_NOT_ELIGIBLE (error) naming every candidate without 被选举权, or None."""
    names = [c.name for c in candidates if not c.eligible]
    if not names:
        return None
    return error(Code.CANDIDATE_NOT_ELIGIBLE, ELIGIBILITY_RULE_ZH[rules],
                 f"{'、'.join(names)}没有被选举权，不能作为候选人")


def _setup_findings(meeting: Meeting, contest: Contest, count: BallotCount,
                    quorum: QuorumResult | None, turnout: QuorumResult | None,
                    options: RuleOptions) -> list[Finding]:
    found: list[Finding] = []
    if quorum is not None and not quorum.met:
        found.append(error(Code.QUORUM_NOT_MET, quorum.rule_zh,
                           f"应到{quorum.expected}人，实到{quorum.present}人，至少需{quorum.required}人"))
    margin = margin_finding(meeting.rules, contest.kind, contest.round, contest.seats,
                            len(contest.candidates), options.runoff_margin)
    if margin is not None:
        found.append(margin)
    eligibility = eligibility_finding(meeting.rules, contest.candidates)
    if eligibility is not None:
        found.append(eligibility)
    if count.returned > contest.issued:
        found.append(error(Code.RETURNED_EXCEEDS_ISSUED,
                           f"收回的选票数多于发出的选票数，选举无效，应当重新选举（{PARTY_SOURCE}；各地选举办法同）",
                           f"发出{contest.issued}张，收回{count.returned}张"))
    if turnout is not None and not turnout.met:
        found.append(error(Code.TURNOUT_INSUFFICIENT, turnout.rule_zh,
                           f"应参加{turnout.expected}，参加投票{turnout.present}，至少需{turnout.required}"))
    if meeting.rules is not RuleSet.RESIDENTS and meeting.present is not None \
            and contest.issued != meeting.present:
        found.append(warning(Code.ISSUED_NOT_EQUAL_PRESENT, "发出的选票数应当与实到会有选举权的人数相等",
                             f"发出{contest.issued}张，实到{meeting.present}人"))
    return found


def _residents_turnout(meeting: Meeting, contest: Contest, count: BallotCount,
                       options: RuleOptions) -> QuorumResult | None:
    if meeting.rules is not RuleSet.RESIDENTS:
        return None
    if contest.round is Round.RUNOFF and not options.runoff_turnout_required:
        return None
    return check_quorum(meeting.rules, meeting.form, eligible=meeting.eligible,
                        present=meeting.present or 0, voted=count.returned, options=options)


def _qualified(meeting: Meeting, contest: Contest, count: BallotCount) -> list[TallyEntry]:
    present = meeting.present if meeting.present is not None else 0
    return [e for e in count.tally
            if qualifies(meeting.rules, contest.round, e.approve, present=present,
                         voted=count.returned, everyone=meeting.eligible)]


def decide_contest(meeting: Meeting, contest: Contest, count: BallotCount,
                   options: RuleOptions | None = None,
                   quorum: QuorumResult | None = None) -> ContestResult:
    """Decide one round of one contest from its count. `quorum` defaults to the meeting's."""
    opts = options or RuleOptions()
    if quorum is None:
        quorum = meeting_quorum(meeting, opts)
    turnout = _residents_turnout(meeting, contest, count, opts)
    findings = _setup_findings(meeting, contest, count, quorum, turnout, opts)
    rule = threshold_zh(meeting.rules, contest.round, meeting.form)

    def result(status: Status, elected: Iterable[TallyEntry] = (), tie: Tie | None = None,
               runoff: Runoff | None = None) -> ContestResult:
        return ContestResult(contest.id, contest.round, status, contest.issued, count,
                             tuple(e.name for e in elected), tie, runoff, tuple(findings), rule,
                             turnout)

    codes = {f.code for f in findings if f.is_error}
    for code, status in _BLOCKING:
        if code in codes:
            return result(status)
    seats = contest.seats
    qualified = _qualified(meeting, contest, count)
    if len(qualified) > seats and qualified[seats].approve == qualified[seats - 1].approve:
        cut = qualified[seats - 1].approve
        above = [e for e in qualified if e.approve > cut]
        tied = [e for e in qualified if e.approve == cut]
        tie = Tie(seats - len(above), tuple(e.name for e in tied))
        findings.append(error(Code.TIE_AT_LAST_SEAT, "如遇票数相等不能确定当选人时，应当就票数相等的被选举人重新投票",
                              f"{'、'.join(tie.names)}得票均为{cut}，剩余名额{tie.seats}名"))
        return result(Status.TIE_REVOTE, above, tie=tie)
    elected = qualified[:seats]
    if len(elected) < seats:
        chosen = {id(e) for e in elected}
        ranking = tuple(e.name for e in count.tally if e.approve > 0 and id(e) not in chosen)
        runoff = Runoff(seats - len(elected), ranking)
        findings.append(error(Code.SEATS_UNFILLED, f"{rule}；当选人数少于应选名额时，对不足的名额另行选举",
                              f"应选{seats}名，当选{len(elected)}名，另行选举{runoff.seats}名"))
        return result(Status.RUNOFF_NEEDED, elected, runoff=runoff)
    return result(Status.ELECTED, elected)


def one_pass_success(results: Iterable[ContestResult]) -> bool:
    """一次性选举成功: every contest elected in its first round with no error finding."""
    items = list(results)
    return bool(items) and all(r.status is Status.ELECTED and r.round is Round.FIRST
                               and not r.has_error for r in items)
