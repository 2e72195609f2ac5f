"""What the next round of a contest is (rules.md §1.6, §2.5, §3): decided here, once, for the
counting page, the results page, the CLI (`pollday round next|open`) and `open_round`.

After a round is counted its decision says what follows:
- seats unfilled (RUNOFF_NEEDED) → 另行选举 (runoff) for the remaining seats among the previous
  round's runoff ranking (narrowed by the chair's choice), unless the meeting decided not to fill;
- a tie at the last seat (TIE_REVOTE) → 重新投票 among exactly the tied, for the seats they
  compete for;
- a void round (VOID_REVOTE, QUORUM_NOT_MET, TURNOUT_INSUFFICIENT) → the same round again, same
  kind, seats and candidates;
- every seat filled (ELECTED) → nothing: the contest is complete.
Candidates carried over keep their register link and gender from the contest's list where the
name is there, else from the previous round.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.meetings import Refusal, get_contest, list_candidates
from app.model import Meeting, RuleSet
from app.rules import ContestResult, Round, Status
from app.voting.model import State, VotingRound
from app.voting.store import list_rounds
from app.voting.validate import decide_round

# The next round's kind follows the previous round's decision (open_round refuses a mismatch).
NEXT_KIND = {Status.RUNOFF_NEEDED: Round.RUNOFF, Status.TIE_REVOTE: Round.TIE_REVOTE}
RERUN = (Status.VOID_REVOTE, Status.QUORUM_NOT_MET, Status.TURNOUT_INSUFFICIENT)
KIND_ZH = {Round.FIRST: "第一轮选举", Round.RUNOFF: "另行选举",
           Round.TIE_REVOTE: "重新投票（票数相等）"}

# (name, gender, register id) of a candidate of the round to open
Planned = tuple[str, str | None, int | None]


@dataclass(frozen=True, slots=True)
class NextRound:
    """The round the contest's last decision calls for."""

    contest_id: int
    number: int                      # 第N轮 it would be
    kind: Round
    seats: int
    candidates: tuple[Planned, ...]  # as the contest's list or the decision gives them
    previous: VotingRound | None
    why: str                         # in words, for the page and the CLI

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c[0] for c in self.candidates)


def follow_up(result: ContestResult | None, r: VotingRound) -> Round | None:
    """The kind of round a counted round's decision calls for: a runoff or a tie re-vote, or
    None (complete, void — re-run as it was —, still counting, or the meeting decided not to
    fill the rest)."""
    if result is None or r.state is State.OPEN:
        return None
    kind = NEXT_KIND.get(result.status)
    if kind is Round.RUNOFF and r.no_fill is not None:
        return None
    return kind


def is_last(r: VotingRound, rounds: Iterable[VotingRound]) -> bool:
    """No later round of `r`'s contest among `rounds`."""
    return not any(x.contest_id == r.contest_id and x.number > r.number for x in rounds)


def may_open_next(result: ContestResult | None, r: VotingRound, rounds: Iterable[VotingRound]
                  ) -> bool:
    """开始下一轮 is offered for `r`: the last round of its contest, whose decision calls for a
    runoff or a tie re-vote (`follow_up`)."""
    return is_last(r, rounds) and follow_up(result, r) is not None


def may_decide_no_fill(result: ContestResult | None, r: VotingRound,
                       rounds: Iterable[VotingRound], meeting: Meeting | None) -> bool:
    """会议决定不再补选 is offered for `r`: the last round of a party meeting's contest, its counting
    finished, seats left unfilled, not decided yet (app.voting.record_no_fill refuses anything
    else). Not while counting: a round with nothing entered yet elects nobody, and the decision
    was recorded on it (a tester's walk)."""
    return (is_last(r, rounds) and r.state is not State.OPEN
            and result is not None and result.status is Status.RUNOFF_NEEDED
            and r.no_fill is None and meeting is not None and meeting.rules is RuleSet.PARTY)


def suggested_kind(conn: sqlite3.Connection, previous: VotingRound | None) -> Round:
    """The kind to propose for the next round (the dialog's default)."""
    if previous is None or previous.state is State.OPEN:
        return Round.FIRST
    decision = decide_round(conn, previous)
    if isinstance(decision, Refusal):
        return previous.kind
    return NEXT_KIND.get(decision.status, previous.kind)


def plan_round(conn: sqlite3.Connection, contest_id: int, kind: Round,
               previous: VotingRound | None, chosen: Sequence[str] | None
               ) -> tuple[int, list[Planned], str] | Refusal:
    """Seats, candidates and why (in words) of a new round of `kind` after `previous`, or the
    refusal."""
    contest = get_contest(conn, contest_id)
    if contest is None:
        return Refusal("NO_SUCH_CONTEST", f"选举事项 {contest_id} 不存在")
    listed = {c.name: (c.name, c.gender, c.person_id) for c in list_candidates(conn, contest_id)}
    if previous is None:
        if kind is not Round.FIRST:
            return Refusal("NO_PREVIOUS_ROUND", "另行选举或重新投票须在第一轮之后进行")
        return contest.seats, list(listed.values()), f"第一轮选举，应选{contest.seats}名"
    if previous.state is State.OPEN:
        return Refusal("PREVIOUS_OPEN", f"{previous.label} 尚未结束计票，不能开始下一轮")
    decision = decide_round(conn, previous)
    if isinstance(decision, Refusal):
        return decision
    status = decision.status
    prev_cands: list[Planned] = [(c.name, c.gender, c.person_id) for c in previous.candidates]
    if status in RERUN:
        if kind is not previous.kind:
            return Refusal("KIND_MISMATCH",
                           f"{previous.label} 无效，应按原轮次重新进行（{previous.kind.value}）")
        return (previous.seats, prev_cands,
                f"{previous.label} 无效，按原轮次重新投票，应选{previous.seats}名")
    by_name = {**{c[0]: c for c in prev_cands}, **listed}
    if status is Status.RUNOFF_NEEDED and decision.runoff is not None:
        if kind is not Round.RUNOFF:
            return Refusal("KIND_MISMATCH", "上一轮当选人数不足，应当另行选举（runoff）")
        if previous.no_fill is not None:
            return Refusal("NO_FILL_DECIDED", "会议已决定不再补选剩余名额")
        pool = list(decision.runoff.ranking)
        names = list(chosen) if chosen else pool
        outside = [n for n in names if n not in pool]
        if outside:
            return Refusal("NOT_IN_RANKING",
                           f"另行选举的候选人须在上一轮未当选的得票人中产生：{'、'.join(outside)}")
        return (decision.runoff.seats, [by_name.get(n, (n, None, None)) for n in names],
                f"{previous.label} 当选人数不足，另行选举剩余{decision.runoff.seats}名")
    if status is Status.TIE_REVOTE and decision.tie is not None:
        if kind is not Round.TIE_REVOTE:
            return Refusal("KIND_MISMATCH", "上一轮末位得票相等，应当就票数相等的被选举人重新投票（tie_revote）")
        return (decision.tie.seats, [by_name.get(n, (n, None, None)) for n in decision.tie.names],
                f"{previous.label} 末位得票相等，就票数相等的被选举人重新投票，"
                f"应选{decision.tie.seats}名")
    return Refusal("CONTEST_COMPLETE", f"{previous.label} 已选足名额，无须再投票")


def next_round(conn: sqlite3.Connection, contest_id: int, kind: Round | None = None,
               chosen: Sequence[str] | None = None) -> NextRound | Refusal:
    """The next round of the contest: `kind` as asked, or as the last decision calls for."""
    rounds = list_rounds(conn, contest_id)
    previous = rounds[-1] if rounds else None
    k = suggested_kind(conn, previous) if kind is None else kind
    plan = plan_round(conn, contest_id, k, previous, chosen)
    if isinstance(plan, Refusal):
        return plan
    seats, cands, why = plan
    number = previous.number + 1 if previous is not None else 1
    return NextRound(contest_id, number, k, seats, tuple(cands), previous, why)
