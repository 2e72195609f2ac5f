"""Double entry (双人录入): entries A and B compared ballot by ballot (by number), only the
differences shown side by side; each difference is resolved by choosing A, B or a corrected
reading after looking at the paper (audited). The counted stack is the resolved one: where A and B
agree, their reading; where they differ, the resolution (R).

Equality compares what counts: the marks, the write-ins marked ○ and the invalid flag (two clerks
may word an invalid ballot's reason differently; A's wording is kept)."""

from __future__ import annotations

import itertools
import sqlite3
from collections import Counter
from collections.abc import Iterable

from app.clock import Clock, iso
from app.meetings import Refusal
from app.rules import Ballot
from app.voting.entry import (
    ballot_from_row,
    ballot_json,
    entry_values,
    open_for_entry,
    shape_problem,
)
from app.voting.guard import resolver_refused
from app.voting.model import Comparison, Difference, Mode, VotingRound
from app.voting.store import load_round
from db import voting as q
from db.audit import append
from db.tx import transaction

Reading = Ballot | None
# A raw reading: (present, marks, write_ins JSON, unmarked JSON, invalid, reason, choice), as
# db.voting.select_readings returns it after the seq; compared and counted without building a
# Ballot for every row (10,000 ballots compare in a few tens of milliseconds).
Raw = tuple[int, str, str, str, int, str, str]


def _same(a: Reading, b: Reading) -> bool:
    if a is None or b is None:
        return a is b
    return (a.marks == b.marks and a.write_ins == b.write_ins
            and a.declared_invalid == b.declared_invalid)


def _raw_key(x: Raw | None) -> tuple[object, ...] | None:
    if x is None or not x[0]:
        return None
    return (x[1], x[2], x[4])


def _to_ballot(x: Raw | None) -> Reading:
    if x is None:
        return None
    return ballot_from_row((None, None, None, None, None, *x[:6]))


def _raw(conn: sqlite3.Connection, round_id: int, entry: str) -> dict[int, Raw]:
    out: dict[int, Raw] = {}
    for row in q.select_readings(conn, round_id, entry):
        out[int(row[0])] = tuple(row[1:])
    return out


def _compare(conn: sqlite3.Connection, r: VotingRound, only: frozenset[int] | None = None
             ) -> tuple[Comparison, dict[int, Raw], dict[int, Raw]]:
    """`only`: the numbers compared (a scanned round checked by a blind sample,
    app/scan/check.py); None: every number."""
    a = _raw(conn, r.id, "A")
    b = _raw(conn, r.id, "B")
    res = _raw(conn, r.id, "R")
    diffs: list[Difference] = []
    agreed = 0
    get_a, get_b = a.get, b.get
    seqs = a.keys() | b.keys()
    for seq in sorted(seqs if only is None else seqs & only):
        x, y = get_a(seq), get_b(seq)
        kx, ky = _raw_key(x), _raw_key(y)
        if kx is None and ky is None:
            continue  # withdrawn (or never typed) by both clerks: no ballot, not an agreeing one
        if kx == ky:
            agreed += 1
            continue
        chosen = res.get(seq)
        diffs.append(Difference(seq, _to_ballot(x), _to_ballot(y), chosen is not None,
                                _to_ballot(chosen), chosen[6] if chosen else ""))
    count_a = sum(1 for v in a.values() if v[0])
    count_b = sum(1 for v in b.values() if v[0])
    return Comparison(r.id, count_a, count_b, agreed, tuple(diffs)), a, res


def compare_entries(conn: sqlite3.Connection, round_id: int) -> Comparison | Refusal:
    """A against B, number by number: only the differences, each with its resolution if any."""
    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    if r.mode is not Mode.BALLOTS:
        return Refusal("TALLY_MODE", f"{r.label} 按正字计票单录入，请比对计票单")
    if not r.double_entry:
        return Refusal("SINGLE_ENTRY", f"{r.label} 为单人录入，无须比对")
    from app.scan.check import compared_seqs

    return _compare(conn, r, compared_seqs(conn, r))[0]


def resolve_difference(conn: sqlite3.Connection, round_id: int, seq: int, choice: str, *,
                       why: str, actor: str, clock: Clock,
                       reading: Ballot | None = None) -> Difference | Refusal:
    """Resolve the difference at `seq` after looking at the paper: choice 'A' or 'B' takes that
    clerk's reading; 'paper' takes `reading` (None: there is no such ballot). Audited."""
    if choice not in ("A", "B", "paper"):
        return Refusal("CHOICE_INVALID", "须选择 A、B 或按原票更正（paper）")
    if not why.strip():
        return Refusal("REASON_MISSING", "处理录入差异须说明依据（如：核对原始选票）")
    with transaction(conn):
        r = open_for_entry(conn, round_id, "R", resolving=True)
        if isinstance(r, Refusal):
            return r
        if not r.double_entry:
            return Refusal("SINGLE_ENTRY", f"{r.label} 为单人录入，无须比对")
        denied = resolver_refused(conn, round_id, actor, r.label)
        if denied is not None:
            return denied
        a = q.select_standing_entry(conn, round_id, "A", seq)
        b = q.select_standing_entry(conn, round_id, "B", seq)
        ra = None if a is None else ballot_from_row(a)
        rb = None if b is None else ballot_from_row(b)
        if _same(ra, rb):
            return Refusal("NO_DIFFERENCE", f"第{seq}张 A、B 录入一致，无须处理")
        chosen = {"A": ra, "B": rb, "paper": reading}[choice]
        if chosen is not None:
            problem = shape_problem(r, chosen)
            if problem is not None:
                return problem
        at = iso(clock.now())
        action = "resolve"
        q.insert_entries(conn, [entry_values(r, "R", seq, action, chosen, actor, at, note=why.strip(),
                                        choice=choice)])
        append(conn, at=at, actor=actor, action="ballot_difference_resolved",
               meeting_id=r.meeting_id,
               detail={"round_id": r.id, "seq": seq, "choice": choice, "a": ballot_json(ra),
                       "b": ballot_json(rb), "reading": ballot_json(chosen),
                       "why": why.strip()})
    return Difference(seq, ra, rb, True, chosen, choice)


def counted_ballots(conn: sqlite3.Connection, r: VotingRound) -> list[tuple[Ballot, int]] | Refusal:
    """The resolved stack as (ballot, weight) pairs for the counting core; refused while a
    difference is pending (the message lists the numbers)."""
    if not r.double_entry:
        return _stack(x for x in _raw(conn, r.id, "A").values())
    from app.scan.check import check_state

    checked = check_state(conn, r)   # a scanned round checked by a blind sample
    blocked = checked.blocking(r.label)
    if blocked is not None:
        return blocked
    only = checked.seqs if checked.mode == "sample" and not checked.full_required else None
    comparison, a, res = _compare(conn, r, only)
    pending = comparison.pending
    if pending:
        shown = "、".join(str(d.seq) for d in pending[:20])
        more = f"等{len(pending)}张" if len(pending) > 20 else ""
        return Refusal("DIFFERENCES_PENDING",
                       f"A、B 录入不一致的选票尚未处理：第{shown}张{more}")
    differing = {d.seq for d in comparison.differences}
    agreed = (x for seq, x in a.items() if seq not in differing)
    return _stack(itertools.chain(agreed, (res[seq] for seq in differing)))


def _stack(raws: Iterable[Raw]) -> list[tuple[Ballot, int]]:
    """(ballot, weight) pairs of the present readings (identical rows counted once)."""
    counts = Counter(x[:6] for x in raws if x[0])
    out: list[tuple[Ballot, int]] = []
    for key, n in counts.items():
        ballot = _to_ballot((*key, ""))
        assert ballot is not None
        out.append((ballot, n))
    return out
