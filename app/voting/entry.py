"""Ballot entry (录入选票): the compact keystroke form, entries A and B by two clerks, corrections.

Keystroke form: one digit per candidate in ballot order, 1 = ○ 赞成, 2 = × 不赞成, 0 or space =
blank (弃权); trailing blanks may be left out, Enter ends the ballot. "1201 12" is ○×-○-○× on a
seven-candidate ballot; a six-candidate ballot never needs more than 7 keystrokes (6 digits +
Enter), a blank ballot needs only Enter. Write-ins (另选他人, marked ○) and the scrutineers'
"invalid as a whole" flag are separate fields of the form.

An entered ballot is a row keyed (round, entry, seq). It is stored as typed: an over-marked ballot
is not flagged by the clerk, the counting core finds it (`check` of the returned `Entered`).
A correction is a new row under the same key (never an UPDATE) and is audited.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.clock import Clock, iso
from app.meetings import Refusal
from app.rules import ABSTAIN, APPROVE, DISAPPROVE, Ballot, BallotCheck, check_ballot
from app.rules.ballots import REASON_DECLARED
from app.voting.guard import clerk_refused, correction_refused, not_named, refused
from app.voting.model import ENTRIES, Entered, Mode, State, VotingRound
from app.voting.store import load_round
from db import voting as q
from db.audit import append
from db.tx import transaction

KEY_MARK = {"1": APPROVE, "2": DISAPPROVE, "0": ABSTAIN, " ": ABSTAIN}
MARK_KEY = {APPROVE: "1", DISAPPROVE: "2", ABSTAIN: "0"}


@dataclass(frozen=True, slots=True)
class KeyProblem:
    """Keys that do not make a ballot: the message says which key and why."""

    position: int      # 0-based position of the offending key (-1: too many keys)
    message: str


def parse_keys(keys: str, candidates: int) -> str | KeyProblem:
    """Marks (one of o x - per candidate) from the keystroke form; trailing blanks may be
    omitted and a final Enter (\\n or \\r) is ignored."""
    text = keys.rstrip("\r\n")
    if len(text) > candidates:
        return KeyProblem(-1, f"输入了{len(text)}个字符，本选票只有{candidates}名候选人")
    marks: list[str] = []
    for i, ch in enumerate(text):
        mark = KEY_MARK.get(ch)
        if mark is None:
            return KeyProblem(i, f"第{i + 1}位“{ch}”无效：1=赞成○，2=不赞成×，0或空格=弃权")
        marks.append(mark)
    return "".join(marks) + ABSTAIN * (candidates - len(marks))


def keys_for(marks: str) -> str:
    """The shortest keys that type `marks` (trailing blanks left out)."""
    return "".join(MARK_KEY[m] for m in marks.rstrip(ABSTAIN))


def keystrokes(marks: str) -> int:
    """Keystrokes to enter a ballot's marks in the compact form, Enter included."""
    return len(keys_for(marks)) + 1


def ballot_from_row(row: Sequence[object]) -> Ballot | None:
    """The Ballot of a ballot_entry row (columns of db.voting.ENTRY_COLUMNS); None if withdrawn."""
    present, marks, w, u, invalid, reason = row[5], row[6], row[7], row[8], row[9], row[10]
    if not present:
        return None
    write_ins: tuple[str, ...] = () if w == "[]" else tuple(json.loads(str(w)))
    unmarked: tuple[str, ...] = () if u == "[]" else tuple(json.loads(str(u)))
    return Ballot(str(marks), write_ins, bool(invalid), str(reason), unmarked)


def entry_values(r: VotingRound, entry: str, seq: int, action: str, ballot: Ballot | None,
            clerk: str, at: str, note: str = "", choice: str = "") -> q.EntryValues:
    if ballot is None:
        return (r.id, entry, seq, action, 0, "", "[]", "[]", 0, "", choice, clerk, at, note)
    reason = ballot.reason.strip()
    if ballot.declared_invalid and not reason:
        reason = REASON_DECLARED
    return (r.id, entry, seq, action, 1, ballot.marks,
            json.dumps([w.strip() for w in ballot.write_ins], ensure_ascii=False),
            json.dumps([w.strip() for w in ballot.unmarked_write_ins], ensure_ascii=False),
            int(ballot.declared_invalid), reason, choice, clerk, at, note)


def shape_problem(r: VotingRound, ballot: Ballot) -> Refusal | None:
    n = len(r.candidates)
    if len(ballot.marks) != n or ballot.marks.strip(APPROVE + DISAPPROVE + ABSTAIN):
        return Refusal("MARKS_INVALID", f"选票标记须为{n}位（每名候选人一位）")
    if any(not w.strip() for w in (*ballot.write_ins, *ballot.unmarked_write_ins)):
        return Refusal("WRITE_IN_EMPTY", "另选他人的姓名不能为空")
    return None


def _entered(r: VotingRound, entry: str, seq: int, ballot: Ballot | None, clerk: str, at: str,
             action: str) -> Entered:
    check = None if ballot is None else check_ballot(ballot, r.names, r.seats)
    return Entered(entry, seq, ballot, check, clerk, at, action)


def open_for_entry(conn: sqlite3.Connection, round_id: int, entry: str,
                    resolving: bool = False) -> VotingRound | Refusal:
    r = load_round(conn, round_id)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")
    if r.state is not State.OPEN:
        return Refusal("NOT_OPEN", f"{r.label} 已{'锁定' if r.state is State.LOCKED else '结束计票'}，不能再录入")
    if r.mode is not Mode.BALLOTS:
        return Refusal("TALLY_MODE", f"{r.label} 按正字计票单录入，不逐张录入选票")
    allowed = ("R",) if resolving else (ENTRIES if r.double_entry else ENTRIES[:1])
    if entry not in allowed:
        return Refusal("ENTRY_INVALID", f"录入组须为 {'/'.join(allowed)}")
    return r


def make_entry_ballot(r: VotingRound, keys_or_marks: str | Ballot, *,
                      write_ins: Iterable[str] = (), unmarked_write_ins: Iterable[str] = (),
                      invalid: bool = False, reason: str = "") -> Ballot | KeyProblem:
    """A Ballot from the form: keys ("1201") or a Ballot as it is."""
    if isinstance(keys_or_marks, Ballot):
        return keys_or_marks
    marks = parse_keys(keys_or_marks, len(r.candidates))
    if isinstance(marks, KeyProblem):
        return marks
    return Ballot(marks, tuple(write_ins), invalid, reason.strip(), tuple(unmarked_write_ins))


def enter_ballot(conn: sqlite3.Connection, round_id: int, entry: str,
                 ballot: str | Ballot, *, clerk: str, clock: Clock, seq: int | None = None,
                 write_ins: Iterable[str] = (), unmarked_write_ins: Iterable[str] = (),
                 invalid: bool = False, reason: str = "") -> Entered | Refusal:
    """Enter one ballot as read from the paper (keys like "1201 12" or a Ballot) under the next
    number of `entry` ('A' or 'B'; a withdrawn last number is taken again, db.voting.next_seq),
    or under `seq` when given and still free."""
    with transaction(conn):
        r = open_for_entry(conn, round_id, entry)
        if isinstance(r, Refusal):
            return r
        denied = clerk_refused(conn, round_id, entry, clerk, r.label)
        if denied is not None:
            return denied
        b = make_entry_ballot(r, ballot, write_ins=write_ins,
                              unmarked_write_ins=unmarked_write_ins, invalid=invalid,
                              reason=reason)
        if isinstance(b, KeyProblem):
            return Refusal("KEYS_INVALID", b.message)
        problem = shape_problem(r, b)
        if problem is not None:
            return problem
        if seq is None:
            seq = q.next_seq(conn, round_id, entry)   # a withdrawn last number is taken again
        elif seq < 1:
            return Refusal("SEQ_INVALID", "选票序号从 1 开始")
        elif q.select_standing_entry(conn, round_id, entry, seq) is not None:
            return Refusal("SEQ_TAKEN", f"录入组{entry}第{seq}张已录入，如需更正请用更正")
        at = iso(clock.now())
        q.insert_entries(conn, [entry_values(r, entry, seq, "enter", b, clerk, at)])
    return _entered(r, entry, seq, b, clerk, at, "enter")


def enter_ballots(conn: sqlite3.Connection, round_id: int, entry: str,
                  ballots: Sequence[Ballot], *, clerk: str, clock: Clock,
                  operator: str | None = None) -> int | Refusal:
    """Batch entry (imported or demo stacks): numbered after the entry's last ballot, in one
    transaction. Returns the number entered. `operator`: the person who may enter, where the
    clerk recorded is no person (the scanner, app.scan)."""
    with transaction(conn):
        r = open_for_entry(conn, round_id, entry)
        if isinstance(r, Refusal):
            return r
        denied = (clerk_refused(conn, round_id, entry, clerk, r.label) if operator is None
                  else refused(conn, "enter_ballots", operator)
                  or not_named(conn, round_id, "counters", operator, r.label))
        if denied is not None:
            return denied
        for b in ballots:
            problem = shape_problem(r, b)
            if problem is not None:
                return problem
        # typed stacks (the CLI) take a withdrawn last number again, as one ballot typed does;
        # the scanner's stack follows the last number (app.scan.adjudicate links its pages so)
        start = (q.next_seq(conn, round_id, entry) - 1 if operator is None
                 else q.max_seq(conn, round_id, entry))
        at = iso(clock.now())
        q.insert_entries(conn, (entry_values(r, entry, start + i, "enter", b, clerk, at)
                                for i, b in enumerate(ballots, 1)))
    return len(ballots)


def correct_ballot(conn: sqlite3.Connection, round_id: int, entry: str, seq: int,
                   ballot: str | Ballot | None, *, why: str, clerk: str, clock: Clock,
                   write_ins: Iterable[str] = (), unmarked_write_ins: Iterable[str] = (),
                   invalid: bool = False, reason: str = "") -> Entered | Refusal:
    """Correct an entered ballot: a new row under the same (round, entry, seq), audited.
    `ballot=None` withdraws the number (no such ballot, e.g. typed twice)."""
    if not why.strip():
        return Refusal("REASON_MISSING", "更正选票须说明原因")
    with transaction(conn):
        r = open_for_entry(conn, round_id, entry)
        if isinstance(r, Refusal):
            return r
        denied = clerk_refused(conn, round_id, entry, clerk, r.label)
        if denied is not None:
            return denied
        old = q.select_standing_entry(conn, round_id, entry, seq)
        if old is None:
            return Refusal("NO_SUCH_BALLOT", f"录入组{entry}没有第{seq}张")
        denied = correction_refused(conn, round_id, entry, seq, r.label)
        if denied is not None:
            return denied
        b: Ballot | None = None
        if ballot is not None:
            made = make_entry_ballot(r, ballot, write_ins=write_ins,
                                     unmarked_write_ins=unmarked_write_ins, invalid=invalid,
                                     reason=reason)
            if isinstance(made, KeyProblem):
                return Refusal("KEYS_INVALID", made.message)
            problem = shape_problem(r, made)
            if problem is not None:
                return problem
            b = made
        action = "withdraw" if b is None else "correct"
        at = iso(clock.now())
        q.insert_entries(conn, [entry_values(r, entry, seq, action, b, clerk, at, note=why.strip())])
        before = ballot_from_row(old)
        append(conn, at=at, actor=clerk, action=f"ballot_{action}", meeting_id=r.meeting_id,
               detail={"round_id": r.id, "entry": entry, "seq": seq,
                       "before": ballot_json(before), "after": ballot_json(b),
                       "why": why.strip()})
    return _entered(r, entry, seq, b, clerk, at, action)


def withdraw_ballot(conn: sqlite3.Connection, round_id: int, entry: str, seq: int, *, why: str,
                    clerk: str, clock: Clock) -> Entered | Refusal:
    return correct_ballot(conn, round_id, entry, seq, None, why=why, clerk=clerk, clock=clock)


def ballot_json(b: Ballot | None) -> dict[str, object] | None:
    if b is None:
        return None
    return {"marks": b.marks, "write_ins": list(b.write_ins), "invalid": b.declared_invalid,
            "reason": b.reason, "unmarked_write_ins": list(b.unmarked_write_ins)}


def entries(conn: sqlite3.Connection, round_id: int, entry: str) -> list[Entered]:
    """The standing ballots of one entry, by number (withdrawn numbers included, ballot None)."""
    r = load_round(conn, round_id)
    if r is None:
        return []
    out = []
    checks: dict[Ballot, BallotCheck] = {}     # identical ballots are checked once
    for row in q.select_standing_entries(conn, round_id, entry):
        b = ballot_from_row(row)
        check = None
        if b is not None:
            check = checks.get(b)
            if check is None:
                check = checks[b] = check_ballot(b, r.names, r.seats)
        out.append(Entered(entry, int(row[3]), b, check, str(row[12]), str(row[13]),
                           str(row[4])))
    return out


def history(conn: sqlite3.Connection, round_id: int, entry: str, seq: int) -> list[Entered]:
    """Every row ever written under (round, entry, seq), oldest first."""
    r = load_round(conn, round_id)
    if r is None:
        return []
    return [_entered(r, entry, seq, ballot_from_row(row), str(row[12]), str(row[13]),
                     str(row[4])) for row in q.select_entry_history(conn, round_id, entry, seq)]


def over_returned(r: VotingRound, entered: int) -> bool:
    """More ballots `entered` in one entry than the boxes gave back (收回), where the box
    figures are registered (validation refuses the lock until the numbers agree)."""
    return bool(r.boxes) and entered > r.returned


def scans_counted(conn: sqlite3.Connection, round_id: int) -> bool:
    """The round's 录入组 A holds scanned ballot pages counted into it (the scan stands for the
    A entry; a double-entered round's B is typed)."""
    from db.scan import counted_pages

    return bool(counted_pages(conn, round_id))
