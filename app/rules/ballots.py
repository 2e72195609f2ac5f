"""Ballots: per-ballot validity (rules.md §1.4, §2.4) and the count of a contest.

A ballot is a `Ballot` tuple: one mark character per candidate in the contest's candidate order
(`o` 赞成 ○, `x` 不赞成 ×, `-` 弃权 / nothing), the write-ins marked ○, the write-ins written
without ○ (recorded, never a vote), and the scrutineers' "invalid as a whole" flag with a reason.
Being a plain tuple it hashes at C speed, so identical ballots are aggregated with a Counter and
the count works on (ballot, weight) pairs: scenario ballot groups and clerk-entered ballots go
through the same function. Per-candidate sums are taken column-wise over the joined mark strings
of all valid ballots of one weight, so 100,000 ballots cost a few string operations per candidate.

A write-in of a listed candidate's name (option `write_in_counts_for_candidate`, default on,
rules.md §6) is an approval of that candidate, even beside a × for them (the written ○ is the
later, explicit mark); it is one person for the over-marking rule and is reported in
`BallotCount.write_ins_for_candidates`. With the option off it is a separate person of that name.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from app.names import name_sort_key
from app.rules.options import RuleOptions

APPROVE = "o"
DISAPPROVE = "x"
ABSTAIN = "-"
MARKS = APPROVE + DISAPPROVE + ABSTAIN

REASON_DECLARED = "监票人认定无效"
REASON_OVER_MARKED = "所选人数多于应选人数"


class Ballot(NamedTuple):
    marks: str                                # one of "ox-" per candidate, candidate order
    write_ins: tuple[str, ...] = ()           # 另选他人, marked ○
    declared_invalid: bool = False            # scrutineers: cannot be read as a whole
    reason: str = ""                          # their reason, shown with the invalid ballot
    unmarked_write_ins: tuple[str, ...] = ()  # written without ○: not a vote (§1.4)


@dataclass(frozen=True, slots=True)
class BallotCheck:
    valid: bool
    approvals: int        # persons approved: candidates marked ○ plus distinct write-ins marked ○
    reason: str = ""      # why invalid, in Chinese; "" when valid
    write_ins_for_candidates: tuple[str, ...] = ()  # write-ins counted for a listed candidate


@dataclass(frozen=True, slots=True)
class TallyEntry:
    name: str
    approve: int
    disapprove: int
    abstain: int
    write_in: bool


@dataclass(frozen=True, slots=True)
class BallotCount:
    returned: int
    valid: int
    invalid: int
    invalid_reasons: tuple[tuple[str, int], ...]     # (reason, ballots), largest first
    tally: tuple[TallyEntry, ...]                    # approvals desc, ties in name order
    write_ins_for_candidates: tuple[tuple[str, int], ...] = ()  # noted per §6 (name, ballots)

    def approvals(self) -> dict[str, int]:
        return {e.name: e.approve for e in self.tally}


def _resolve(ballot: Ballot, candidates: Sequence[str],
             options: RuleOptions) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """Marks after write-ins of listed candidates are folded in, the remaining write-ins (distinct,
    in order) and the write-ins that were folded in."""
    marks = ballot.marks
    if not ballot.write_ins:
        return marks, (), ()
    index = {n: i for i, n in enumerate(candidates)} if options.write_in_counts_for_candidate else {}
    others: list[str] = []
    folded: list[str] = []
    chars = list(marks)
    for raw in ballot.write_ins:
        name = raw.strip()
        i = index.get(name)
        if i is not None:
            # The voter wrote a listed candidate's name with ○: an approval of that candidate.
            chars[i] = APPROVE
            if name not in folded:
                folded.append(name)
        elif name not in others:
            others.append(name)
    return "".join(chars), tuple(others), tuple(folded)


def _check_shape(ballot: Ballot, n: int) -> None:
    if len(ballot.marks) != n or ballot.marks.strip(MARKS):
        raise ValueError(f"ballot marks {ballot.marks!r} do not match {n} candidates")
    if any(not w.strip() for w in ballot.write_ins):
        raise ValueError("empty write-in name")


def check_ballot(ballot: Ballot, candidates: Sequence[str], seats: int,
                 options: RuleOptions | None = None) -> BallotCheck:
    """Validity of one ballot, for the clerk's entry form and for the count.

    Invalid when the scrutineers declared it so, or when the persons approved (candidates marked
    ○ plus write-ins marked ○) exceed the seats. A blank ballot is valid. Marks that do not fit the
    candidate list are a programming error (ValueError), not an invalid ballot."""
    opts = options or RuleOptions()
    _check_shape(ballot, len(candidates))
    marks, others, folded = _resolve(ballot, candidates, opts)
    approvals = marks.count(APPROVE) + len(others)
    if ballot.declared_invalid:
        return BallotCheck(False, approvals, ballot.reason.strip() or REASON_DECLARED, folded)
    if approvals > seats:
        return BallotCheck(False, approvals,
                           f"{REASON_OVER_MARKED}（选{approvals}人，应选{seats}名）", folded)
    return BallotCheck(True, approvals, "", folded)


def aggregate(ballots: Iterable[Ballot]) -> Counter[Ballot]:
    """Identical ballots with their number: the input of `count_ballots`."""
    return Counter(ballots)


def tally_order_key(entry: TallyEntry) -> tuple[int, tuple[object, ...], bool]:
    return (-entry.approve, name_sort_key(entry.name), entry.write_in)


def count_ballots(candidates: Sequence[str], seats: int, weighted: Iterable[tuple[Ballot, int]],
                  options: RuleOptions | None = None) -> BallotCount:
    """Count (ballot, weight) pairs for one contest: valid/invalid and the per-person tally."""
    opts = options or RuleOptions()
    n = len(candidates)
    valid_by_weight: defaultdict[int, list[str]] = defaultdict(list)
    write_in_votes: Counter[str] = Counter()
    folded_votes: Counter[str] = Counter()
    invalid_reasons: Counter[str] = Counter()
    returned = valid = 0
    for ballot, weight in weighted:
        if weight < 0:
            raise ValueError("negative ballot weight")
        if weight == 0:
            continue
        returned += weight
        marks = ballot.marks
        if not ballot.write_ins and not ballot.declared_invalid:
            # Fast path: the plain ballot without write-ins.
            if len(marks) != n or marks.strip(MARKS):
                _check_shape(ballot, n)
            if marks.count(APPROVE) > seats:
                invalid_reasons[REASON_OVER_MARKED] += weight
                continue
            valid += weight
            valid_by_weight[weight].append(marks)
            continue
        check = check_ballot(ballot, candidates, seats, opts)
        if not check.valid:
            reason = REASON_OVER_MARKED if check.reason.startswith(REASON_OVER_MARKED) else check.reason
            invalid_reasons[reason] += weight
            continue
        marks, others, folded = _resolve(ballot, candidates, opts)
        valid += weight
        valid_by_weight[weight].append(marks)
        for name in others:
            write_in_votes[name] += weight
        for name in folded:
            folded_votes[name] += weight
    approve = [0] * n
    disapprove = [0] * n
    for weight, rows in valid_by_weight.items():
        joined = "".join(rows)
        for j in range(n):
            column = joined[j::n]
            approve[j] += weight * column.count(APPROVE)
            disapprove[j] += weight * column.count(DISAPPROVE)
    entries = [TallyEntry(name, approve[j], disapprove[j], valid - approve[j] - disapprove[j], False)
               for j, name in enumerate(candidates)]
    entries += [TallyEntry(name, votes, 0, 0, True) for name, votes in write_in_votes.items()]
    entries.sort(key=tally_order_key)
    return BallotCount(
        returned=returned,
        valid=valid,
        invalid=returned - valid,
        invalid_reasons=tuple(sorted(invalid_reasons.items(), key=lambda kv: (-kv[1], kv[0]))),
        tally=tuple(entries),
        write_ins_for_candidates=tuple(sorted(folded_votes.items(),
                                              key=lambda kv: name_sort_key(kv[0]))),
    )
