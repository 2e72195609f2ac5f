"""Tally-sheet mode (正字计票单): instead of every ballot, the counters' totals per candidate
(赞成 / 不赞成), the write-ins' approvals, and the valid and invalid counts, entered twice (A, B)
and compared; where they differ, a resolved sheet (R) after recounting, audited.

The counting core counts ballots, so a sheet is turned into an equivalent stack of ballots
(`sheet_ballots`) with exactly the sheet's totals and no ballot approving more persons than the
seats: approvals are dealt round the valid ballots in turn (McNaughton's wrap-around), each
candidate's disapprovals on the ballots right after their approvals. The same stack is exported
as a scenario, so a recount by `pollday scenario run` agrees.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.clock import Clock, iso
from app.meetings import Refusal
from app.rules import ABSTAIN, APPROVE, DISAPPROVE, Ballot
from app.voting.guard import clerk_refused, resolver_refused
from app.voting.model import Mode, State, VotingRound
from app.voting.store import load_round
from db import voting as q
from db.audit import append
from db.tx import transaction

SHEET_INVALID_REASON = "计票单：无效票"


@dataclass(frozen=True, slots=True)
class Sheet:
    valid: int
    invalid: int
    approve: dict[str, int]                       # every candidate of the round
    disapprove: dict[str, int]
    write_ins: dict[str, int] = field(default_factory=dict)   # 另选他人 with ○

    def as_json(self) -> dict[str, object]:
        return {"valid": self.valid, "invalid": self.invalid, "approve": self.approve,
                "disapprove": self.disapprove, "write_ins": self.write_ins}

    @classmethod
    def from_json(cls, d: Mapping[str, object]) -> Sheet:
        def ints(x: object) -> dict[str, int]:
            assert isinstance(x, dict)
            return {str(k): int(v) for k, v in x.items()}
        valid, invalid = d["valid"], d["invalid"]
        assert isinstance(valid, int) and isinstance(invalid, int)
        return cls(valid, invalid, ints(d["approve"]), ints(d["disapprove"]),
                   ints(d.get("write_ins", {})))


@dataclass(frozen=True, slots=True)
class SheetDifference:
    line: str            # candidate or write-in name, or 有效票 / 无效票
    a: int | None
    b: int | None


@dataclass(frozen=True, slots=True)
class SheetComparison:
    a: Sheet | None
    b: Sheet | None
    resolved: Sheet | None
    differences: tuple[SheetDifference, ...]

    @property
    def agreed(self) -> Sheet | None:
        """The sheet that counts: A when A and B agree, else the resolved one (or None)."""
        if self.a is not None and self.b is not None and not self.differences:
            return self.a
        return self.resolved


def check_sheet(r: VotingRound, sheet: Sheet) -> str:
    """What is impossible on a sheet for this round ("" when consistent)."""
    names = set(r.names)
    if set(sheet.approve) != names or set(sheet.disapprove) != names:
        return "计票单须列出本轮每一名候选人的赞成票和不赞成票"
    if min([sheet.valid, sheet.invalid, *sheet.approve.values(), *sheet.disapprove.values(),
            *sheet.write_ins.values()]) < 0:
        return "票数不能为负数"
    clash = sorted(set(sheet.write_ins) & names)
    if clash:
        return f"另选他人不能是本轮候选人（请计入候选人的赞成票）：{'、'.join(clash)}"
    if any(not w.strip() or v == 0 for w, v in sheet.write_ins.items()):
        return "另选他人须有姓名和票数"
    for n in r.names:
        if sheet.approve[n] + sheet.disapprove[n] > sheet.valid:
            return f"{n} 的赞成票与不赞成票之和多于有效票 {sheet.valid} 张"
    for w, v in sheet.write_ins.items():
        if v > sheet.valid:
            return f"另选他人 {w} 的票数多于有效票 {sheet.valid} 张"
    total = sum(sheet.approve.values()) + sum(sheet.write_ins.values())
    if total > r.seats * sheet.valid:
        return (f"赞成票合计{total}张，多于有效票{sheet.valid}张×应选{r.seats}名：有效票不可能如此，"
                "请复核")
    return ""


def sheet_ballots(names: Sequence[str], sheet: Sheet) -> list[tuple[Ballot, int]]:
    """A stack of ballots with exactly the sheet's totals (see the module docstring)."""
    n, v = len(names), sheet.valid
    rows = [[ABSTAIN] * n for _ in range(v)]
    writes: list[list[str]] = [[] for _ in range(v)]
    p = 0
    for j, name in enumerate(names):
        a, d = sheet.approve[name], sheet.disapprove[name]
        for k in range(a):
            rows[(p + k) % v][j] = APPROVE
        for k in range(d):
            rows[(p + a + k) % v][j] = DISAPPROVE
        p = (p + a) % v if v else 0
    for w in sorted(sheet.write_ins):
        a = sheet.write_ins[w]
        for k in range(a):
            writes[(p + k) % v].append(w)
        p = (p + a) % v if v else 0
    stack = Counter(Ballot("".join(rows[i]), tuple(writes[i])) for i in range(v))
    out = list(stack.items())
    if sheet.invalid:
        out.append((Ballot(ABSTAIN * n, (), True, SHEET_INVALID_REASON), sheet.invalid))
    return out


def _load(conn: sqlite3.Connection, round_id: int, entry: str) -> Sheet | None:
    row = q.select_standing_sheet(conn, round_id, entry)
    return None if row is None else Sheet.from_json(json.loads(row[3]))


def _tally_round(conn: sqlite3.Connection, round_id: int) -> VotingRound | Refusal:
    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    if r.mode is not Mode.TALLY:
        return Refusal("BALLOT_MODE", f"{r.label} 逐张录入选票，不使用计票单")
    return r


def enter_sheet(conn: sqlite3.Connection, round_id: int, entry: str, sheet: Sheet, *,
                clerk: str, clock: Clock, why: str = "") -> Sheet | Refusal:
    """Enter (or re-enter: the latest stands) tally sheet A or B; R is `resolve_sheet`."""
    if entry not in ("A", "B"):
        return Refusal("ENTRY_INVALID", "计票单录入组须为 A 或 B")
    return _write(conn, round_id, entry, sheet, clerk=clerk, clock=clock, why=why)


def resolve_sheet(conn: sqlite3.Connection, round_id: int, sheet: Sheet, *, why: str,
                  actor: str, clock: Clock) -> Sheet | Refusal:
    """The sheet agreed after recounting where A and B differ (audited)."""
    if not why.strip():
        return Refusal("REASON_MISSING", "确认计票单须说明依据（如：重新清点）")
    return _write(conn, round_id, "R", sheet, clerk=actor, clock=clock, why=why)


def _write(conn: sqlite3.Connection, round_id: int, entry: str, sheet: Sheet, *, clerk: str,
           clock: Clock, why: str) -> Sheet | Refusal:
    with transaction(conn):
        r = _tally_round(conn, round_id)
        if isinstance(r, Refusal):
            return r
        if r.state is not State.OPEN:
            return Refusal("NOT_OPEN", f"{r.label} 已结束计票")
        if entry == "B" and not r.double_entry:
            return Refusal("SINGLE_ENTRY", f"{r.label} 为单人录入")
        denied = (resolver_refused(conn, round_id, clerk, r.label) if entry == "R"
                  else clerk_refused(conn, round_id, entry, clerk, r.label))
        if denied is None and entry != "R":
            denied = _reentry_refused(conn, r, entry)
        if denied is not None:
            return denied
        problem = check_sheet(r, sheet)
        if problem:
            return Refusal("SHEET_INCONSISTENT", problem)
        at = iso(clock.now())
        q.insert_sheet(conn, round_id=round_id, entry=entry,
                       counts_json=json.dumps(sheet.as_json(), ensure_ascii=False,
                                              sort_keys=True),
                       clerk=clerk, at=at, note=why.strip())
        if entry == "R" or why.strip():
            append(conn, at=at, actor=clerk, action="tally_sheet_" + ("resolved" if entry == "R"
                                                                      else "reentered"),
                   meeting_id=r.meeting_id,
                   detail={"round_id": r.id, "entry": entry, "sheet": sheet.as_json(),
                           "why": why.strip()})
    return sheet


def _reentry_refused(conn: sqlite3.Connection, r: VotingRound, entry: str) -> Refusal | None:
    """Where a staff list exists, a clerk does not re-enter sheet A or B while the other sheet
    differs from it: making them agree is the recount a 监票人 who entered neither confirms
    (resolve_sheet), not a clerk's re-entry."""
    from app.permissions import enforced

    if not enforced(conn) or not r.double_entry:
        return None
    other = "B" if entry == "A" else "A"
    mine, theirs = _load(conn, r.id, entry), _load(conn, r.id, other)
    if mine is None or theirs is None or _lines(mine) == _lines(theirs):
        return None
    return Refusal("DIFFERENCE_OPEN", f"{r.label}的计票单A和B不一致，不能由录入人重新录入使两者一致："
                   "须重新清点，由一名未参加录入的监票人确认计票单")


def _lines(s: Sheet) -> dict[str, int]:
    out = {"有效票": s.valid, "无效票": s.invalid}
    out.update({f"{n} 赞成": v for n, v in s.approve.items()})
    out.update({f"{n} 不赞成": v for n, v in s.disapprove.items()})
    out.update({f"{n}（另选）": v for n, v in s.write_ins.items()})
    return out


def compare_sheets(conn: sqlite3.Connection, round_id: int) -> SheetComparison | Refusal:
    r = _tally_round(conn, round_id)
    if isinstance(r, Refusal):
        return r
    a, b, res = _load(conn, round_id, "A"), _load(conn, round_id, "B"), _load(conn, round_id, "R")
    if not r.double_entry:
        return SheetComparison(a, a, res, ())
    diffs: list[SheetDifference] = []
    if a is not None and b is not None:
        la, lb = _lines(a), _lines(b)
        for line in [*la, *(k for k in lb if k not in la)]:
            if la.get(line) != lb.get(line):
                diffs.append(SheetDifference(line, la.get(line), lb.get(line)))
    return SheetComparison(a, b, res, tuple(diffs))


def counted_sheet(conn: sqlite3.Connection, r: VotingRound) -> list[tuple[Ballot, int]] | Refusal:
    c = compare_sheets(conn, r.id)
    if isinstance(c, Refusal):
        return c
    if c.a is None or (r.double_entry and c.b is None):
        return Refusal("SHEET_MISSING", f"{r.label} 的计票单须由两人分别录入（A、B）")
    sheet = c.agreed
    if sheet is None:
        shown = "；".join(f"{d.line} A={d.a} B={d.b}" for d in c.differences[:10])
        return Refusal("DIFFERENCES_PENDING", f"A、B 计票单不一致，须重新清点后确认：{shown}")
    return sheet_ballots(r.names, sheet)
