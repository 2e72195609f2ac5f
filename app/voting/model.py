"""Dataclasses of the voting work: rounds, boxes, officials, entered ballots, differences."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.attendance import Snapshot
from app.rules import Ballot, BallotCheck, Round

ENTRIES = ("A", "B")


class State(StrEnum):
    OPEN = "open"        # voting and counting: ballots may be entered and corrected
    CLOSED = "closed"    # counting finished: the decision stands, nothing is entered
    LOCKED = "locked"    # result locked (监票人、计票人 named; canonical JSON and hash)


class Mode(StrEnum):
    BALLOTS = "ballots"  # every ballot entered (double entry A/B)
    TALLY = "tally"      # 正字 tally sheets: totals per candidate, entered twice


@dataclass(frozen=True, slots=True)
class RoundCandidate:
    position: int
    name: str
    gender: str | None
    person_id: int | None


@dataclass(frozen=True, slots=True)
class Box:
    """发票/收票记录 of one box (主票箱 or 流动票箱)."""

    name: str
    mobile: bool
    printed: int
    issued: int
    returned: int
    spoiled: int
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class Officials:
    scrutineers: tuple[str, ...] = ()   # 监票人
    counters: tuple[str, ...] = ()      # 计票人
    actor: str = ""
    at: str = ""

    @property
    def complete(self) -> bool:
        return bool(self.scrutineers) and bool(self.counters)


@dataclass(frozen=True, slots=True)
class NoFill:
    """The meeting's decision not to fill the remaining seats (party, rules.md §1.6)."""

    decided_by: str
    why: str
    actor: str
    at: str


@dataclass(frozen=True, slots=True)
class LockInfo:
    at: str
    actor: str
    hash: str               # first 12 hex of sha256 of the canonical JSON
    canonical: str          # the canonical JSON of the locked result
    # The decision recorded at the lock for a problem the lock may pass with one
    # (app.voting.validate.DECIDABLE: ELECTED_TO_TWO_POSTS), e.g. 街道选举工作指导机构意见：…
    decision: str = ""
    second: str = ""        # the second person who locked (two-person lock)


@dataclass(frozen=True, slots=True)
class VotingRound:
    id: int
    meeting_id: int
    contest_id: int
    contest_code: str
    contest_title: str
    number: int
    kind: Round
    seats: int
    candidates: tuple[RoundCandidate, ...]
    snapshot: Snapshot
    follows_id: int | None
    mode: Mode
    double_entry: bool
    opened_at: str
    opened_by: str
    state: State
    officials: Officials
    boxes: tuple[Box, ...]
    no_fill: NoFill | None
    lock: LockInfo | None

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.candidates)

    @property
    def label(self) -> str:
        kind = {Round.FIRST: "选举", Round.RUNOFF: "另行选举", Round.TIE_REVOTE: "重新投票"}[self.kind]
        return f"{self.contest_title}第{self.number}轮（{kind}）"

    @property
    def issued(self) -> int:
        return sum(b.issued for b in self.boxes)

    @property
    def returned(self) -> int:
        return sum(b.returned for b in self.boxes)


@dataclass(frozen=True, slots=True)
class Entered:
    """A ballot as it stands under (round, entry, seq), with the core's check of it."""

    entry: str
    seq: int
    ballot: Ballot | None       # None: withdrawn (no ballot under this number)
    check: BallotCheck | None
    clerk: str
    at: str
    action: str


@dataclass(frozen=True, slots=True)
class Difference:
    """One seq where entry A and entry B disagree, side by side."""

    seq: int
    a: Ballot | None
    b: Ballot | None
    resolved: bool
    reading: Ballot | None      # the resolved reading (None: no ballot) when resolved
    choice: str                 # 'A' | 'B' | 'paper' | '' (pending)


LOCK_CODE_ZH = "本轮锁定校验码"    # a round's lock hash: screen, CLI and the 当选证书
RESULT_CODE_ZH = "结果校验码"      # the meeting's hash in the 公告 and 报告单 footers and the package


def locked_words(label: str, lock_hash: str) -> str:
    """What the 结果 page and `pollday validate --lock` say when a round is locked."""
    return f"{label} 已锁定，{LOCK_CODE_ZH} {lock_hash}（印在当选证书上）"


@dataclass(frozen=True, slots=True)
class Comparison:
    round_id: int
    count_a: int
    count_b: int
    agreed: int
    differences: tuple[Difference, ...]

    @property
    def pending(self) -> tuple[Difference, ...]:
        return tuple(d for d in self.differences if not d.resolved)

    @property
    def compared(self) -> int:
        """The ballot numbers compared (standing in A or B): agreed + differences."""
        return self.agreed + len(self.differences)

    @property
    def complete(self) -> bool:
        return not self.pending
