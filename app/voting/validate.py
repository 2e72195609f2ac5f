"""One-pass validation of recorded rounds (rules.md §4) through the counting core, and the lock.

This module only feeds the core: 应到 / 实到 from the round's frozen snapshot, issued from the
boxes, ballots from the resolved entry (or the agreed tally sheet). The core decides status,
elected, tie, runoff and findings. On top of the core's findings, locking needs what only the
recorded round can tell: counting finished (A and B resolved, round closed), 监票人 and 计票人
named, the boxes' returned figures equal to the ballots counted.

A round whose decision is a tie re-vote or a runoff carries the error TIE_AT_LAST_SEAT or
SEATS_UNFILLED. That error is *settled* (and no longer blocks locking that round) once the next
round of the contest has been opened from it, or, for SEATS_UNFILLED, once the meeting's decision
not to fill the remaining seats is recorded (rules.md §1.6, §4). The finding stays in the output.

A locked round keeps its canonical JSON (sorted keys, no spaces) and a short hash, the first 12
hex digits of its SHA-256, that the printed notice carries.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, replace
from typing import Any

from app.clock import Clock, iso
from app.meetings import Refusal, get_meeting, list_contests, rule_options
from app.meetings.items import Contest as MeetingContest
from app.meetings.items import candidate_problem
from app.model import ContestKind, Meeting, RuleSet
from app.posts import default_body
from app.rules import Ballot, Candidate, Code, Contest, ContestResult, RuleOptions, Status
from app.rules import Meeting as RulesMeeting
from app.rules import validate as core_validate
from app.rules.committee import judge_scenario, no_woman_finding, report_index
from app.rules.contest import one_pass_success as core_one_pass
from app.rules.findings import Finding
from app.rules.proxies import proxy_findings
from app.scenario_run import ScenarioOutcome, outcome_json
from app.voting.compare import counted_ballots
from app.voting.model import Mode, State, VotingRound
from app.voting.store import load_round, meeting_rounds
from app.voting.tally import counted_sheet
from db import voting as q
from db.audit import append
from db.tx import transaction

SETTLED_BY_NEXT_ROUND = (Code.TIE_AT_LAST_SEAT, Code.SEATS_UNFILLED)
TWO_POSTS = "ELECTED_TO_TWO_POSTS"   # a Problem code: see TWO_POSTS_RULE_ZH
# Problems the lock may pass with a decision recorded in words (the supervising office's, when
# the rules are silent): the round is then locked with the decision named, never a clean result.
DECIDABLE = frozenset({TWO_POSTS})
DECISION_MIN = 4   # characters of the decision, at least
DECISION_HINT_ZH = "街道（乡镇）选举工作指导机构意见：……"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something about the recorded round (not a rule) that blocks locking."""

    code: str
    message: str
    decision: str = ""   # the decision recorded at the lock that passed it (DECIDABLE only)


@dataclass(frozen=True, slots=True)
class RoundValidation:
    round: VotingRound
    result: ContestResult | None          # None while the counted stack is incomplete
    meeting_findings: tuple[Finding, ...]  # proxies (residents)
    problems: tuple[Problem, ...]
    settled: tuple[Code, ...]             # errors settled by a later round or a recorded decision
    name: str                              # the round's scenario name (export / results)
    rules_meeting: RulesMeeting
    contest: Contest
    options: RuleOptions
    # NO_WOMAN_ELECTED judged over the whole residents' committee (every contest, every round;
    # rules.md §2.5): set by validate_meeting on the last round of the committee contest.
    committee_findings: tuple[Finding, ...] = ()

    @property
    def findings(self) -> tuple[Finding, ...]:
        own = self.result.findings if self.result is not None else ()
        return self.meeting_findings + own + self.committee_findings

    @property
    def blocking(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error and f.code not in self.settled)

    @property
    def open_problems(self) -> tuple[Problem, ...]:
        """The problems no recorded decision has passed."""
        return tuple(p for p in self.problems if not p.decision)

    @property
    def decided(self) -> tuple[Problem, ...]:
        """The problems a decision recorded at the lock passed (the round is locked)."""
        return tuple(p for p in self.problems if p.decision)

    @property
    def may_lock(self) -> bool:
        return self.result is not None and not self.blocking and not self.open_problems

    @property
    def needs_decision(self) -> tuple[Problem, ...]:
        """The problems that alone keep the round from being locked and that the lock passes
        with a decision in words (DECIDABLE); () when anything else blocks, or nothing."""
        if self.result is None or self.blocking or self.round.state is State.LOCKED:
            return ()
        open_ = self.open_problems
        if open_ and all(p.code in DECIDABLE for p in open_):
            return open_
        return ()

    @property
    def lock_reasons(self) -> list[str]:
        """Why the round cannot be locked (empty when it can): what lock_round refuses with,
        and what the 结果 page shows beside its disabled 锁定结果."""
        # A DECIDABLE problem beside another error: the way out named too (the greyed
        # 锁定结果's tooltip said only 不能锁定, a tester's walk).
        later = "。其他问题解决后，如街道（乡镇）选举工作指导机构同意，记录其意见即可锁定"
        others = bool(self.blocking) or any(p.code not in DECIDABLE for p in self.open_problems)
        return ([p.message + (later if others and p.code in DECIDABLE else "")
                 for p in self.open_problems]
                + [f"{f.title_zh}（{f.code.value}）{f.detail_zh}" for f in self.blocking])

    def output(self) -> dict[str, Any]:
        """The round in the output format of spec/scenario-format.md (as `scenario run`)."""
        assert self.result is not None
        from app.rules import meeting_quorum

        quorum = meeting_quorum(self.rules_meeting, self.options)
        # As `scenario run` judges this round's exported scenario: the round alone is the
        # meeting there (rules.md §2.5), so a recount prints exactly this output. The meeting's
        # own judgement over every contest is `committee_findings`.
        results = judge_scenario(self.rules_meeting.rules, [self.contest], [self.result])
        return outcome_json(ScenarioOutcome(self.name, quorum, results, core_one_pass(results)))


def round_name(meeting: Meeting, r: VotingRound) -> str:
    return f"{meeting.code}-{r.contest_code}-{r.number}"


def rules_meeting(meeting: Meeting, r: VotingRound) -> RulesMeeting:
    s = r.snapshot
    eligible = s.expected + s.excluded if meeting.rules is RuleSet.PARTY else s.expected
    excluded = s.excluded if meeting.rules is RuleSet.PARTY else 0
    return RulesMeeting(meeting.rules, meeting.form, eligible, excluded, s.present)


def rules_contest(conn: sqlite3.Connection, r: VotingRound, meeting: Meeting) -> Contest:
    """The round as the core sees it; each candidate's 被选举权 read from the register now (a
    register re-import may have changed it since the candidate was added, rules.md §1.3)."""
    kind = next(c.kind for c in list_contests(conn, r.meeting_id) if c.id == r.contest_id)
    issued = r.issued if r.boxes else r.snapshot.present
    cands = tuple(Candidate(c.name, c.gender,
                            candidate_problem(conn, meeting, person_id=c.person_id,
                                              name=c.name) is None)
                  for c in r.candidates)
    return Contest(r.contest_code, r.contest_title, ContestKind(kind), r.kind, r.seats, cands,
                   issued)


def counted(conn: sqlite3.Connection, r: VotingRound) -> list[tuple[Ballot, int]] | Refusal:
    """The counted stack: resolved double entry, or the agreed tally sheet."""
    return counted_sheet(conn, r) if r.mode is Mode.TALLY else counted_ballots(conn, r)


def decide_round(conn: sqlite3.Connection, r: VotingRound) -> ContestResult | Refusal:
    v = _validate_own(conn, r)   # the decision alone: what other contests tell does not change it
    if v.result is None:
        return Refusal(v.problems[0].code, v.problems[0].message)
    return v.result


def _next_round_exists(conn: sqlite3.Connection, r: VotingRound) -> bool:
    return q.next_round_number(conn, r.contest_id) > r.number + 1


def validate_loaded(conn: sqlite3.Connection, r: VotingRound) -> RoundValidation:
    """The round validated, with what other contests of the meeting tell about it (a person
    elected to a second post of the same body, TWO_POSTS_RULE_ZH)."""
    return _with_second_posts(conn, _validate_own(conn, r), None)


def _validate_own(conn: sqlite3.Connection, r: VotingRound) -> RoundValidation:
    """The round validated alone."""
    meeting = get_meeting(conn, r.meeting_id)
    assert meeting is not None
    from app.proxies import appointments

    options = rule_options(meeting)
    rm = rules_meeting(meeting, r)
    contest = rules_contest(conn, r, meeting)
    name = round_name(meeting, r)
    problems: list[Problem] = []
    stack = counted(conn, r)
    pairs = appointments(conn, meeting) if meeting.rules is RuleSet.RESIDENTS else []
    meeting_findings: tuple[Finding, ...] = ()
    if isinstance(stack, Refusal):
        problems.append(Problem(stack.code, stack.message))
        candidates = set(contest.names)
        meeting_findings = tuple(proxy_findings(meeting.rules, meeting.form, pairs, candidates))
        return RoundValidation(r, None, meeting_findings, tuple(problems), (), name, rm, contest,
                               options)
    from app.rules import RoundInput

    v = core_validate(rm, [RoundInput(contest, stack)], options, proxies=pairs)
    result = v.results[0]
    ballots = sum(n for _, n in stack)
    if not r.boxes:
        problems.append(Problem("NO_BOXES", "尚未登记票箱的发出、收回票数"))
    elif ballots > r.returned:
        problems.append(Problem("BOX_RETURNED_MISMATCH",
                                f"录入（计票）{ballots}张，多于票箱登记收回{r.returned}张："
                                "请核对是否重复录入（撤销多出的序号），或更正票箱的收回数"))
    elif r.returned != ballots:
        problems.append(Problem("BOX_RETURNED_MISMATCH",
                                f"票箱登记收回{r.returned}张，录入（计票）{ballots}张，须核对"))
    if not r.officials.complete:
        problems.append(Problem("OFFICIALS_MISSING", "须登记本轮的监票人和计票人"))
    if r.state is State.OPEN:
        problems.append(Problem("NOT_CLOSED", "计票尚未结束（请主持人在“投票计票”页结束计票）"))
    waiting = _scans_not_counted(conn, r)
    if waiting:
        problems.append(Problem("SCANS_NOT_COUNTED", waiting))
    from app.scan.deck_gate import problems as deck_problems  # scanned without a passed test

    problems.extend(Problem(*d) for d in deck_problems(conn, r.id))
    settled: list[Code] = []
    if _next_round_exists(conn, r):
        settled.extend(SETTLED_BY_NEXT_ROUND)
    elif r.no_fill is not None:
        settled.append(Code.SEATS_UNFILLED)
    return RoundValidation(r, result, v.meeting_findings, tuple(problems), tuple(settled), name,
                           rm, contest, options)


def _scans_not_counted(conn: sqlite3.Connection, r: VotingRound) -> str:
    """Scanned ballots of the round that were imported but never counted into it, in words."""
    from app.scan.adjudicate import round_scan

    scan = round_scan(conn, r.id)
    if isinstance(scan, Refusal):
        return ""
    left = [p for p in scan.pages if p.status != "refused" and p.id not in scan.counted]
    if not left:
        return ""
    shown = "、".join(f"第{p.batch}批第{p.position}张" for p in left[:5])
    more = f"等{len(left)}张" if len(left) > 5 else ""
    return (f"扫描导入的本轮选票尚有{len(left)}张未计入（{shown}{more}）：须在计票中计入"
            "（“投票计票”页扫描认定中的「计入录入组 A」，或 pollday scan count），或核对这一批是否导入错了")


def validate_round(conn: sqlite3.Connection, round_id: int) -> RoundValidation | Refusal:
    """The one-pass validation of one recorded round: the core's findings, plus what blocks
    locking."""
    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    return validate_loaded(conn, r)


@dataclass(frozen=True, slots=True)
class ContestOutcome:
    contest_id: int
    code: str
    title: str
    seats: int
    rounds: tuple[RoundValidation, ...]
    elected: tuple[str, ...]       # over all rounds, in order of election
    complete: bool                 # every seat filled, or the rest not to be filled by decision

    @property
    def unfilled(self) -> int:
        return self.seats - len(self.elected)


@dataclass(frozen=True, slots=True)
class MeetingValidation:
    meeting: Meeting
    contests: tuple[ContestOutcome, ...]

    @property
    def rounds(self) -> tuple[RoundValidation, ...]:
        return tuple(v for c in self.contests for v in c.rounds)

    @property
    def findings(self) -> tuple[Finding, ...]:
        return tuple(f for v in self.rounds for f in v.findings)

    @property
    def complete(self) -> bool:
        return bool(self.contests) and all(c.complete for c in self.contests)

    @property
    def may_lock(self) -> bool:
        return bool(self.rounds) and all(v.may_lock for v in self.rounds)

    @property
    def one_pass_success(self) -> bool:
        """一次性选举成功: every contest completed in one first round, no error finding."""
        if not self.contests or any(len(c.rounds) != 1 for c in self.contests):
            return False
        results = [c.rounds[0].result for c in self.contests]
        if any(r is None for r in results):
            return False
        proxies_ok = not any(f.is_error for v in self.rounds for f in v.meeting_findings)
        one_post_each = not any(p.code == TWO_POSTS for v in self.rounds for p in v.problems)
        return (core_one_pass([r for r in results if r is not None]) and proxies_ok
                and one_post_each)


def _contest_outcome(code: str, title: str, cid: int, seats: int,
                     rounds: list[RoundValidation]) -> ContestOutcome:
    elected: list[str] = []
    complete = False
    for v in rounds:
        if v.result is None:
            complete = False
            continue
        elected.extend(n for n in v.result.elected if n not in elected)
        status = v.result.status.value
        complete = status == "elected" or (status == "runoff_needed" and v.round.no_fill
                                           is not None)
    return ContestOutcome(cid, code, title, seats, tuple(rounds), tuple(elected), complete)


def validate_meeting(conn: sqlite3.Connection, meeting_id: int) -> MeetingValidation | Refusal:
    """Every contest of the meeting with every round validated, the elected over all rounds."""
    meeting = get_meeting(conn, meeting_id)
    if meeting is None:
        return Refusal("NO_SUCH_MEETING", f"会议 {meeting_id} 不存在")
    by_contest: dict[int, list[RoundValidation]] = {}
    own = [_validate_own(conn, r) for r in meeting_rounds(conn, meeting_id)]
    for v in own:
        by_contest.setdefault(v.round.contest_id, []).append(_with_second_posts(conn, v, own))
    listed = list_contests(conn, meeting_id)
    contests = tuple(_contest_outcome(c.code, c.title, c.id, c.seats, by_contest.get(c.id, []))
                     for c in listed)
    contests = _judge_committee(meeting, contests, [c.kind for c in listed])
    return MeetingValidation(meeting, contests)


def _judge_committee(meeting: Meeting, contests: tuple[ContestOutcome, ...],
                     kinds: list[ContestKind]) -> tuple[ContestOutcome, ...]:
    """rules.md §2.5 over the whole committee: every contest's persons elected over all its
    rounds, judged once every contest's last round elected all its seats; the finding goes on
    the last round of the committee contest."""
    if meeting.rules is not RuleSet.RESIDENTS or not contests:
        return contests
    filled = all(c.rounds and c.rounds[-1].result is not None
                 and c.rounds[-1].result.status is Status.ELECTED for c in contests)
    genders: list[str | None] = []
    for c in contests:
        of: dict[str, str | None] = {}
        for v in c.rounds:
            of.update((x.name, x.gender) for x in v.contest.candidates)
        genders.extend(of.get(name) for name in c.elected)   # a write-in's gender is unknown
    found = no_woman_finding(meeting.rules, filled, genders)
    i = report_index(kinds)
    if found is None or i is None:
        return contests
    target = contests[i]
    last = replace(target.rounds[-1], committee_findings=(found,))
    judged = replace(target, rounds=target.rounds[:-1] + (last,))
    return contests[:i] + (judged,) + contests[i + 1:]


# --- one person, two posts of one body ------------------------------------------------------

# rules.md is silent on a person elected to two posts of the same body. A residents' committee
# fills 主任, 副主任 and 委员 as posts of one body (Art. 8: 居民委员会由主任、副主任和委员共五至九人组成):
# the app takes the conservative reading. A person already elected to a post of a body is not a
# candidate for another post of the same body in the same meeting (a losing 主任 candidate may
# stand for 委员: only the elected are held). Adding such a candidate is refused unless a reason is
# given (the warning); a round that elects such a person is locked only with the supervising
# office's decision recorded in words (DECIDABLE, lock_round `decision`), unless the candidacy is
# withdrawn before voting. Residents' meetings only: a party 书记 is elected from among the 委员.
TWO_POSTS_RULE_ZH = ("同一届委员会的成员只担任一个职务：已当选某一职务的人，不再作为同一委员会另一职务的"
                     "候选人（选举规则对此没有明文规定，本软件从严处理；是否可以，由街道（乡镇）"
                     "选举工作指导机构决定）")


@dataclass(frozen=True, slots=True)
class HeldPost:
    """A person elected to a post in a round whose counting has finished."""

    name: str
    person_id: int | None     # None for a write-in
    contest_id: int
    post: str                 # the contest's post (its title when no post is set)
    body: str                 # the body type (居委会 …)
    round_id: int
    round_label: str
    locked: bool

    def is_person(self, name: str, person_id: int | None) -> bool:
        if self.person_id is not None and person_id is not None:
            return self.person_id == person_id
        return self.name == name.strip()

    def words(self) -> str:
        """e.g. 张静 已当选本届居委会委员（委员第1轮（选举），已锁定）"""
        locked = "，已锁定" if self.locked else ""
        return f"{self.name} 已当选本届{self.body}{self.post}（{self.round_label}{locked}）"


def contest_body(meeting: Meeting, contest: MeetingContest) -> str:
    """The body the contest elects: chosen in setup, else the meeting's obvious one."""
    return contest.body or default_body(meeting.organisation.value, contest.post)


def posts_held(conn: sqlite3.Connection, meeting: Meeting,
               own: list[RoundValidation] | None = None) -> list[HeldPost]:
    """Who holds which post of which body after the meeting's finished rounds (closed or
    locked). Residents' meetings only (see TWO_POSTS_RULE_ZH); [] otherwise."""
    if meeting.rules is not RuleSet.RESIDENTS:
        return []
    contests = {c.id: c for c in list_contests(conn, meeting.id)}
    if own is None:
        own = [_validate_own(conn, r) for r in meeting_rounds(conn, meeting.id)
               if r.state is not State.OPEN]
    out: list[HeldPost] = []
    for v in own:
        r = v.round
        c = contests.get(r.contest_id)
        if r.state is State.OPEN or v.result is None or c is None:
            continue
        ids = {x.name: x.person_id for x in r.candidates}
        body = contest_body(meeting, c)
        out.extend(HeldPost(name, ids.get(name), c.id, c.post or c.title, body, r.id, r.label,
                            r.state is State.LOCKED)
                   for name in v.result.elected if body)
    return out


def second_post(conn: sqlite3.Connection, meeting: Meeting, contest: MeetingContest, *,
                name: str, person_id: int | None) -> HeldPost | None:
    """The post of the same body that this person already holds, when `contest` is another
    post (TWO_POSTS_RULE_ZH), else None: asked when a candidate is added."""
    return _other_post(posts_held(conn, meeting), contest.id, contest_body(meeting, contest),
                       name, person_id)


def _other_post(held: list[HeldPost], contest_id: int, body: str, name: str,
                person_id: int | None) -> HeldPost | None:
    """The post of `body` this person holds from a contest other than `contest_id`, or None."""
    return next((h for h in held if h.contest_id != contest_id and h.body == body
                 and h.is_person(name, person_id)), None)


def candidate_posts(conn: sqlite3.Connection, meeting: Meeting,
                    contest: MeetingContest) -> dict[int, HeldPost]:
    """Candidate id → the post of the same body she already holds from another contest
    (TWO_POSTS_RULE_ZH): the candidate list says so beside her name."""
    from app.meetings import list_candidates

    body = contest_body(meeting, contest)
    held = [h for h in posts_held(conn, meeting) if h.contest_id != contest.id and h.body == body]
    out: dict[int, HeldPost] = {}
    for cand in list_candidates(conn, contest.id) if held else []:
        h = next((h for h in held if h.is_person(cand.name, cand.person_id)), None)
        if h is not None:
            out[cand.id] = h
    return out


def _with_second_posts(conn: sqlite3.Connection, v: RoundValidation,
                       own: list[RoundValidation] | None) -> RoundValidation:
    """The round refused locking when it elects a person who holds another post of the same
    body from another contest's round opened before it: only the later election (the round that
    made her hold a second post) carries the problem, the earlier round stays clean whatever
    is locked or re-counted since (a tester's 主任 round was flagged once the later 委员 round
    was locked with the office's opinion). A round locked before this check existed is found
    too: validation says so."""
    r = v.round
    if (v.result is None or not v.result.elected
            or v.rules_meeting.rules is not RuleSet.RESIDENTS):
        return v
    this_locked = r.state is State.LOCKED
    meeting = get_meeting(conn, r.meeting_id)
    assert meeting is not None
    this = next(c for c in list_contests(conn, r.meeting_id) if c.id == r.contest_id)
    body = contest_body(meeting, this)
    ids = {x.name: x.person_id for x in r.candidates}
    held = [h for h in posts_held(conn, meeting, own)
            if h.contest_id != r.contest_id and h.body == body
            and h.round_id < r.id]   # ids follow the opening order
    decision = r.lock.decision if this_locked and r.lock is not None else ""
    found: list[Problem] = []
    for name in v.result.elected:
        h = next((h for h in held if h.is_person(name, ids.get(name))), None)
        if h is not None:
            text = f"{h.words()}，本轮又当选{this.post or this.title}：{TWO_POSTS_RULE_ZH}"
            if decision:   # the words carried in the package with the problem (format 4)
                text += f"。锁定时记录的决定：{decision}（{decided_by(r)}）"
            found.append(Problem(TWO_POSTS, text, decision))
    return replace(v, problems=v.problems + tuple(found)) if found else v


def decided_by(r: VotingRound) -> str:
    """Who locked the round with a decision: e.g. 监票甲、监票乙锁定."""
    if r.lock is None:
        return ""
    who = "、".join(x for x in (r.lock.actor, r.lock.second) if x)
    return f"{who}锁定" if who else "锁定"


def held_by_candidates(conn: sqlite3.Connection, meeting: Meeting,
                       contest_ids: list[int] | None = None,
                       names: tuple[str, ...] | None = None) -> list[str]:
    """At 开始投票: each candidate of the contests about to vote (all when None) who already
    holds another post of the same body (TWO_POSTS_RULE_ZH), in words naming her and the post
    (`names`: only these candidates, e.g. the round's).
    A warning, never a refusal: she may have been listed before the other contest elected her."""
    if meeting.rules is not RuleSet.RESIDENTS:
        return []
    from app.meetings import list_candidates

    held = posts_held(conn, meeting)
    if not held:
        return []
    out: list[str] = []
    for c in list_contests(conn, meeting.id):
        if contest_ids is not None and c.id not in contest_ids:
            continue
        body = contest_body(meeting, c)
        for cand in list_candidates(conn, c.id):
            if names is not None and cand.name not in names:   # a runoff's narrowed list
                continue
            h = _other_post(held, c.id, body, cand.name, cand.person_id)
            if h is not None:
                out.append(f"{c.title}候选人 {h.words()}；如再当选{c.post or c.title}，"
                           f"须记录街道（乡镇）选举工作指导机构的意见才能锁定该轮结果")
    return out


# --- lock -------------------------------------------------------------------------------------

def canonical(v: RoundValidation, decision: str = "") -> str:
    """The canonical JSON of a round's result (what the hash covers). `decision`: the
    supervising office's decision the round is locked on (DECIDABLE), covered by the hash so
    that it cannot be rewritten under the printed hash; the key is there only when a decision
    is, so a lock without one has the same JSON and hash as before the key existed."""
    r = v.round
    s = r.snapshot
    doc = {
        "meeting_id": r.meeting_id,
        "contest": r.contest_code,
        "round": r.number,
        "kind": r.kind.value,
        "snapshot": {"label": s.round_label, "taken_at": s.taken_at, "expected": s.expected,
                     "present": s.present, "excluded": s.excluded},
        "boxes": [{"name": b.name, "mobile": b.mobile, "printed": b.printed, "issued": b.issued,
                   "returned": b.returned, "spoiled": b.spoiled} for b in r.boxes],
        "scrutineers": list(r.officials.scrutineers),
        "counters": list(r.officials.counters),
        "no_fill": None if r.no_fill is None else {"decided_by": r.no_fill.decided_by,
                                                   "why": r.no_fill.why},
        "result": v.output(),
    }
    if decision:
        doc["decision"] = decision
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def short_hash(canonical_json: str) -> str:
    return hashlib.sha256(canonical_json.encode("utf-8")).hexdigest()[:12]


def lock_round(conn: sqlite3.Connection, round_id: int, *, actor: str,
               clock: Clock, second: str | None = None,
               decision: str = "") -> RoundValidation | Refusal:
    """Lock a closed round's result: refused with every reason while an error finding stands or
    the round is incomplete (counting, officials, boxes). Audited with the hash. Where a staff
    list exists, two different 监票人 lock (`actor` and `second`, each signed on with a PIN;
    the 总监票人 is one of the 监票人); both names are in the round event and the audit.

    A round whose only problems are DECIDABLE (a person elected to a second post of the same
    body, on which the rules are silent) is locked with `decision`, the supervising office's
    decision in words (at least DECISION_MIN characters): stored with the lock and audited
    with both people; validation then shows the round locked with the decision named."""
    from app.permissions import check_two

    with transaction(conn):
        denied = check_two(conn, "lock_result", actor, second)
        if denied is not None:
            return Refusal("NOT_ALLOWED", denied.message)
        r = load_round(conn, round_id)
        if r is None:
            return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
        if r.state is State.LOCKED:
            return Refusal("ALREADY_LOCKED", f"{r.label} 已锁定（{r.lock.hash if r.lock else ''}）")
        v = validate_loaded(conn, r)
        words = decision.strip()
        passed = v.needs_decision
        if not v.may_lock and not passed:
            return Refusal("LOCK_REFUSED", f"{r.label} 不能锁定：" + "；".join(v.lock_reasons))
        if passed and len(words) < DECISION_MIN:
            return Refusal("DECISION_MISSING",
                           f"{r.label} 不能锁定：" + "；".join(v.lock_reasons)
                           + f"。如街道（乡镇）选举工作指导机构同意，须写明其意见（至少 {DECISION_MIN} 个字）"
                           "后锁定：在锁定对话框的“指导机构意见”中填写，命令行加 --decision 意见")
        if not passed:
            words = ""   # nothing to decide: no decision is recorded with this lock
        text = canonical(v, words)
        h = short_hash(text)
        at = iso(clock.now())
        both = {"second": str(second)} if second else {}
        decided = ({"decision": words, "decided": [p.code for p in passed]} if words else {})
        q.insert_event(conn, round_id=round_id, kind="locked", actor=actor, at=at,
                       detail_json=json.dumps({"hash": h, "canonical": text, **both, **decided},
                                              ensure_ascii=False))
        append(conn, at=at, actor=actor, action="round_locked", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "contest": r.contest_code, "number": r.number,
                       "hash": h, **both, "status": v.result.status.value if v.result else "",
                       "elected": list(v.result.elected) if v.result else [], **decided})
        loaded = load_round(conn, round_id)
        assert loaded is not None
    return validate_loaded(conn, loaded)


def unlock_round(conn: sqlite3.Connection, round_id: int, *, why: str, actor: str,
                 clock: Clock) -> VotingRound | Refusal:
    """Unlock a locked round (reason required, audited): it is open for corrections again.
    Refused once a later round of the contest exists."""
    if not why.strip():
        return Refusal("REASON_MISSING", "解除锁定须说明原因")
    from app.permissions import check

    with transaction(conn):
        denied = check(conn, "unlock_result", actor)
        if denied is not None:
            return Refusal("NOT_ALLOWED", denied.message)
        r = load_round(conn, round_id)
        if r is None:
            return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
        if r.state is not State.LOCKED or r.lock is None:
            return Refusal("NOT_LOCKED", f"{r.label} 未锁定")
        if _next_round_exists(conn, r):
            # The next round was planned from this round's decision: changing it now would
            # leave that round on a decision that no longer stands.
            return Refusal("LATER_ROUND_EXISTS",
                           f"{r.contest_title} 已按{r.label}的结果进行了下一轮，不能解除锁定")
        at = iso(clock.now())
        q.insert_event(conn, round_id=round_id, kind="unlocked", actor=actor, at=at,
                       reason=why.strip(), detail_json=json.dumps({"hash": r.lock.hash}))
        append(conn, at=at, actor=actor, action="round_unlocked", meeting_id=r.meeting_id,
               detail={"round_id": round_id, "hash": r.lock.hash, "why": why.strip()})
        out = load_round(conn, round_id)
    assert out is not None
    return out
