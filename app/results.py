"""Results of recorded rounds as JSON (`pollday results`), and a recorded round exported as a
conformance scenario (`pollday scenario export`) that `pollday scenario run` recounts on its own.

Each round's output is exactly what `pollday scenario run` prints for the exported round (the
same builder, app.scenario_run.outcome_json); the meeting adds every contest's elected over all
its rounds, `one_pass_success` (rules.md §4) and the findings judged over the whole meeting.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.meetings import Contest, Refusal, get_contest, get_meeting, list_contests
from app.model import Meeting
from app.rules import ABSTAIN, APPROVE, DISAPPROVE, Ballot
from app.voting import (
    MeetingValidation,
    RoundValidation,
    VotingRound,
    counted,
    round_by_number,
    validate_loaded,
    validate_meeting,
)
from db.privacy import masked


def round_json(v: RoundValidation) -> dict[str, Any]:
    r = v.round
    out: dict[str, Any] = {
        "round": r.number,
        "round_id": r.id,
        "kind": r.kind.value,
        "state": r.state.value,
        "seats": r.seats,
        "candidates": list(r.names),
        "snapshot": {"label": r.snapshot.round_label, "taken_at": r.snapshot.taken_at,
                     "expected": r.snapshot.expected, "present": r.snapshot.present},
        "boxes": [{"name": b.name, "mobile": b.mobile, "printed": b.printed,
                   "issued": b.issued, "returned": b.returned, "spoiled": b.spoiled}
                  for b in r.boxes],
        "scrutineers": list(r.officials.scrutineers),
        "counters": list(r.officials.counters),
        "may_lock": v.may_lock,
        "problems": [{"code": p.code, "message": p.message} for p in v.problems],
        "settled": [c.value for c in v.settled],
        "hash": r.lock.hash if r.lock else None,
        "output": v.output() if v.result is not None else None,
    }
    if r.no_fill is not None:
        out["no_fill"] = {"decided_by": r.no_fill.decided_by, "why": r.no_fill.why}
    return out


def meeting_json(mv: MeetingValidation) -> dict[str, Any]:
    m = mv.meeting
    return {
        "meeting": m.code,
        "title": m.title,
        "rules": m.rules.value,
        "form": m.form.value,
        "contests": [{"id": c.code, "title": c.title, "seats": c.seats,
                      "elected": list(c.elected), "complete": c.complete,
                      "rounds": [round_json(v) for v in c.rounds]} for c in mv.contests],
        "complete": mv.complete,
        "one_pass_success": mv.one_pass_success,
        # Judged over every contest of the meeting (NO_WOMAN_ELECTED, rules.md §2.5); a round's
        # output judges that round alone, as `scenario run` does its exported scenario.
        "findings": [{"code": f.code.value, "severity": f.severity.value, "rule": f.rule_zh,
                      "detail": f.detail_zh}
                     for v in mv.rounds for f in v.committee_findings],
    }


def results(conn: sqlite3.Connection, meeting: Meeting) -> dict[str, Any]:
    mv = validate_meeting(conn, meeting.id)
    assert not isinstance(mv, Refusal)  # the meeting exists
    return meeting_json(mv)


def find_contest(conn: sqlite3.Connection, meeting: Meeting, ref: str) -> Contest | Refusal:
    """A contest by code within the meeting, or by its database id."""
    for c in list_contests(conn, meeting.id):
        if c.code == ref:
            return c
    if ref.isdigit():
        c2 = get_contest(conn, int(ref))
        if c2 is not None:
            return c2
    known = "、".join(c.code for c in list_contests(conn, meeting.id)) or "无"
    return Refusal("NO_SUCH_CONTEST", f"会议 {meeting.code} 没有选举事项 {ref}（现有：{known}）")


def _group(names: tuple[str, ...], ballot: Ballot, count: int) -> dict[str, Any]:
    g: dict[str, Any] = {"count": count}
    approve = [n for n, m in zip(names, ballot.marks, strict=True) if m == APPROVE]
    disapprove = [n for n, m in zip(names, ballot.marks, strict=True) if m == DISAPPROVE]
    if approve:
        g["approve"] = approve
    if disapprove:
        g["disapprove"] = disapprove
    write_ins = list(dict.fromkeys(w.strip() for w in ballot.write_ins))
    if write_ins:
        g["write_in"] = write_ins
    if ballot.declared_invalid:
        g["invalid"] = True
        if ballot.reason:
            g["reason"] = masked(ballot.reason)   # no ID number typed in goes out
    return g


def _group_key(item: tuple[Ballot, int]) -> tuple[int, str, tuple[str, ...], bool, str]:
    b, n = item
    # Approvals first, then the order of the marks: a stable, readable order of the groups.
    rank = b.marks.replace(APPROVE, "0").replace(DISAPPROVE, "1").replace(ABSTAIN, "2")
    return (-n, rank, b.write_ins, b.declared_invalid, b.reason)


def export_round(conn: sqlite3.Connection, r: VotingRound) -> dict[str, Any] | Refusal:
    """The recorded round as a scenario (spec/scenario-format.md) from the counted stack."""
    meeting = get_meeting(conn, r.meeting_id)
    assert meeting is not None
    stack = counted(conn, r)
    if isinstance(stack, Refusal):
        return stack
    v = validate_loaded(conn, r)
    rm, contest = v.rules_meeting, v.contest
    meeting_part: dict[str, Any] = {"form": rm.form.value, "eligible": rm.eligible}
    if rm.excluded:
        meeting_part["excluded"] = rm.excluded
    meeting_part["present"] = rm.present
    names = contest.names
    groups = [_group(names, b, n) for b, n in sorted(stack, key=_group_key) if n > 0]
    return {
        "name": v.name,
        "title": f"{meeting.title} {r.label}",
        "rules": meeting.rules.value,
        # Booleans, and runoff_margin as stored ("more" / "twenty_percent", rules.md §1.3).
        "options": {k: val if k == "runoff_margin" else bool(val)
                    for k, val in sorted(meeting.options.items())},
        "meeting": meeting_part,
        "contests": [{
            "id": contest.id,
            "title": contest.title,
            "kind": contest.kind.value,
            "round": contest.round.value,
            "seats": contest.seats,
            "candidates": [{"name": c.name, **({"gender": c.gender} if c.gender else {}),
                            **({} if c.eligible else {"eligible": False})}
                           for c in contest.candidates],
            "ballots": {"issued": contest.issued, "returned": sum(n for _, n in stack)},
            "ballot_groups": groups,
        }],
    }


def export_contest_round(conn: sqlite3.Connection, meeting: Meeting, contest_ref: str,
                         number: int) -> dict[str, Any] | Refusal:
    contest = find_contest(conn, meeting, contest_ref)
    if isinstance(contest, Refusal):
        return contest
    r = round_by_number(conn, contest.id, number)
    if r is None:
        return Refusal("NO_SUCH_ROUND", f"{contest.title} 没有第{number}轮")
    return export_round(conn, r)
