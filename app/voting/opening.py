"""One 开始投票 for the 会议 page and 投票计票: freeze 实到 for the next vote and open, on that
same freeze, the first round of every contest of the meeting that has not started yet (several
contests voted on at once share one snapshot). Later rounds (另行选举, 重新投票) are opened one
by one on 投票计票 or 结果 and take the latest freeze this contest has not voted on.

All in one transaction: a contest that cannot open (no candidates, quorum not met) refuses the
whole action, naming it, and nothing is frozen.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.attendance import Snapshot, next_vote_label, open_voting, snapshots
from app.clock import Clock
from app.meetings import Contest, Refusal, list_contests, voting_started
from app.model import Meeting
from app.rules import Round
from app.voting.model import State, VotingRound
from app.voting.rounds import open_round
from app.voting.store import list_rounds
from db.tx import transaction


@dataclass(frozen=True, slots=True)
class OpenedVote:
    snapshot: Snapshot
    rounds: tuple[VotingRound, ...]   # first rounds opened on it (none: a later vote)


class _Refused(Exception):
    """Carries a refusal out of the transaction so that it rolls back."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def contests_to_open(conn: sqlite3.Connection, meeting: Meeting) -> list[Contest]:
    """The contests whose first round 开始投票 on the 会议 page opens: those not started yet."""
    return [c for c in list_contests(conn, meeting.id) if not voting_started(conn, c.id)]


def vote_under_way(conn: sqlite3.Connection, meeting: Meeting) -> str | None:
    """Why the 会议 page's 开始投票 has nothing to do now, in Chinese; None when it has: a contest
    not started, or every round locked (a later vote may be frozen ahead of its round). While a
    round is voted or counted a second freeze belongs to no round (the next one is opened on
    结果 when this one is locked, and freezes then)."""
    if contests_to_open(conn, meeting):
        return None
    for c in list_contests(conn, meeting.id):
        rounds = list_rounds(conn, c.id)
        if rounds and rounds[-1].state is not State.LOCKED:
            r = rounds[-1]
            return (f"已开始投票（{r.snapshot.round_label}，冻结实到 {r.snapshot.present} 人）："
                    f"{r.label}的结果尚未锁定；下一轮（另行选举、重新投票）在“结果”页开始")
    return None


def open_vote(conn: sqlite3.Connection, meeting: Meeting, *, actor: str,
              clock: Clock) -> OpenedVote | Refusal:
    """Freeze 实到 under the next 第N次投票 and open the first round of each contest not yet
    started, on that freeze."""
    try:
        with transaction(conn):
            label = next_vote_label(snapshots(conn, meeting))
            snap = open_voting(conn, meeting, label, actor, clock)
            if isinstance(snap, Refusal):
                raise _Refused(snap)
            opened: list[VotingRound] = []
            for c in contests_to_open(conn, meeting):
                r = open_round(conn, c.id, actor=actor, clock=clock, kind=Round.FIRST,
                               snapshot_label=label)
                if isinstance(r, Refusal):
                    raise _Refused(Refusal(r.code, f"{c.title}：{r.message}"))
                opened.append(r)
    except _Refused as e:
        return e.refusal
    return OpenedVote(snap, tuple(opened))
