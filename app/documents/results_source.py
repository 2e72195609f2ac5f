"""The result documents' values read from a database: ballots per contest and round, the box
records, and the locked result (through app.voting's validation, which goes through the counting
core). Documents that publish a result (公告, 报告单, 当选证书) are refused unless every round of
every contest is locked: a notice of figures that can still change must not reach the wall."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from collections.abc import Sequence
from dataclasses import replace

from app import attendance as att
from app.documents.results_doc import (
    BallotDoc,
    BoxDoc,
    ContestDoc,
    ResultDoc,
    RoundDoc,
    TallyRow,
    ordinal,
)
from app.meetings import Contest, Refusal, list_candidates, list_contests
from app.model import Meeting, RuleSet
from app.names import sort_names
from app.posts import printed_body
from app.rules import Round
from app.rules.contest import STATUS_ZH
from app.voting import (
    MeetingValidation,
    RoundValidation,
    State,
    VotingRound,
    list_rounds,
    validate_meeting,
)
from db.privacy import masked

KIND_ZH = {Round.FIRST: "选举", Round.RUNOFF: "另行选举", Round.TIE_REVOTE: "重新投票"}
STANDARD_BOXES = (BoxDoc("主票箱"), BoxDoc("流动票箱（一）", True), BoxDoc("流动票箱（二）", True))


def round_label(r: VotingRound) -> str:
    kind = "选举" if r.kind is Round.FIRST else f"（{KIND_ZH[r.kind]}）"
    return f"第{ordinal(r.number - 1)}轮{kind}"


def issuer_of(meeting: Meeting) -> str:
    """Who signs the notice and the certificates: the meeting itself (党员大会 / 成员大会), or
    the residents' election committee for a residents' election."""
    explicit = meeting.options.get("issuer")
    if isinstance(explicit, str) and explicit.strip():
        return explicit.strip()
    if meeting.rules is RuleSet.RESIDENTS:
        return f"{meeting.community}居民选举委员会"
    return meeting.title


def _contest_candidates(conn: sqlite3.Connection, contest: Contest) -> tuple[str, ...]:
    return tuple(sort_names(c.name for c in list_candidates(conn, contest.id)))


def _boxes(r: VotingRound) -> tuple[BoxDoc, ...]:
    return tuple(BoxDoc(b.name, b.mobile, b.printed, b.issued, b.returned, b.spoiled)
                 for b in r.boxes)


def _base_round(r: VotingRound) -> RoundDoc:
    s = r.snapshot
    return RoundDoc(r.number, round_label(r), r.seats, r.names, s.expected, s.present, r.issued,
                    r.returned, 0, 0, (), (), boxes=_boxes(r), scrutineers=r.officials.scrutineers,
                    counters=r.officials.counters, result_hash=r.lock.hash if r.lock else "",
                    locked=r.state is State.LOCKED, kind=r.kind.value,
                    decision=r.lock.decision if r.lock else "",
                    decided_by=(r.lock.actor, r.lock.second) if r.lock and r.lock.decision else (),
                    decided_at=r.lock.at if r.lock and r.lock.decision else "")


def _round_doc(v: RoundValidation) -> RoundDoc:
    base = _base_round(v.round)
    res = v.result
    if res is None:
        return base
    c = res.count
    elected = set(res.elected)
    tally = tuple(TallyRow(e.name, e.approve, e.disapprove, e.abstain, e.write_in,
                           e.name in elected) for e in c.tally)
    return replace(base, issued=res.issued, returned=c.returned, valid=c.valid,
                   invalid=c.invalid, tally=tally, elected=res.elected,
                   outcome_zh=STATUS_ZH[res.status], threshold_zh=res.threshold_zh,
                   invalid_reasons=tuple((masked(why), n) for why, n in c.invalid_reasons))


def meeting_hash(rounds: Sequence[RoundDoc], meeting: Meeting) -> str:
    """The meeting's short result hash: over the locked rounds' hashes in order (12 hex)."""
    text = "\n".join([meeting.code, *(f"{r.label}:{r.result_hash}" for r in rounds)])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def result_code(mv: MeetingValidation) -> str:
    """The 结果校验码 the notice and the count report print, from a validation already made
    ("" until every round is locked): the 结果 page shows the same value in the same words."""
    rounds = [_round_doc(v) for co in mv.contests for v in co.rounds]
    locked = bool(rounds) and all(r.locked for r in rounds)
    return meeting_hash(rounds, mv.meeting) if locked else ""


def result_doc(conn: sqlite3.Connection, meeting: Meeting,
               key_fp: str | None = None) -> ResultDoc | Refusal:
    """The meeting's result as it stands (locked or not); `key_fp` None: the installation key's
    fingerprint (the key is created on first use)."""
    from app.keys import load_or_create

    mv = validate_meeting(conn, meeting.id)
    if isinstance(mv, Refusal):
        return mv
    contests = {c.id: c for c in list_contests(conn, meeting.id)}
    docs: list[ContestDoc] = []
    for co in mv.contests:
        c = contests[co.contest_id]
        docs.append(ContestDoc(c.code, c.title, c.body, c.seats, _contest_candidates(conn, c),
                               tuple(_round_doc(v) for v in co.rounds)))
    rounds = [r for c in docs for r in c.rounds]
    locked = bool(rounds) and all(r.locked for r in rounds)
    return ResultDoc(meeting.community, meeting.code, meeting.title, meeting.rules, meeting.date,
                     meeting.venue, issuer_of(meeting), tuple(docs),
                     meeting_hash(rounds, meeting) if locked else "",
                     load_or_create().fingerprint if key_fp is None else key_fp, locked)


def locked_result_doc(conn: sqlite3.Connection, meeting: Meeting, what: str,
                      key_fp: str | None = None) -> ResultDoc | Refusal:
    """The result, or a refusal naming what is not locked yet."""
    doc = result_doc(conn, meeting, key_fp)
    if isinstance(doc, Refusal):
        return doc
    unvoted = [c.post for c in doc.contests if not c.rounds]
    open_rounds = [f"{c.title}{r.label}" for c in doc.contests for r in c.rounds if not r.locked]
    if not doc.contests:
        return Refusal("NO_CONTESTS", f"{meeting.title} 没有选举事项，不能打印{what}")
    if unvoted or open_rounds:
        parts = []
        if unvoted:
            parts.append("尚未投票：" + "、".join(unvoted))
        if open_rounds:
            parts.append("尚未锁定：" + "、".join(open_rounds))
        return Refusal("NOT_LOCKED", f"选举结果尚未锁定，不能打印{what}（" + "；".join(parts)
                       + "）。请先完成验证并锁定结果。")
    return doc


def ballot_docs(conn: sqlite3.Connection, meeting: Meeting, at: dt.datetime, *,
                contests: Sequence[str] | None = None, round_no: int | None = None,
                count: int | None = None) -> list[BallotDoc] | Refusal:
    """Ballots of each contest: of round `round_no`, else of the latest round, else (nothing
    opened yet) of the first round from the contest's candidates."""
    chosen = [c for c in list_contests(conn, meeting.id) if not contests or c.code in contests]
    if contests and len(chosen) < len(set(contests)):
        known = {c.code for c in chosen}
        return Refusal("NO_SUCH_CONTEST", "没有这些选举事项："
                       + "、".join(c for c in contests if c not in known))
    default_count = count
    if default_count is None:
        default_count = att.attendance_summary(conn, meeting).expected
    out: list[BallotDoc] = []
    for c in chosen:
        rounds = list_rounds(conn, c.id)
        r: VotingRound | None = rounds[-1] if rounds else None
        if round_no is not None:
            r = next((x for x in rounds if x.number == round_no), None)
            if r is None and round_no != 1:
                return Refusal("NO_SUCH_ROUND", f"{c.title} 没有第{round_no}轮")
        n = default_count
        if count is None and r is not None:
            printed = sum(b.printed for b in r.boxes)
            n = printed or r.snapshot.present
        out.append(BallotDoc(
            heading=f"{printed_body(c.body)}{c.title}选举选票",
            seats=r.seats if r else c.seats,
            candidates=r.names if r else _contest_candidates(conn, c),
            round_label="" if r is None or r.kind is Round.FIRST else KIND_ZH[r.kind],
            count=max(0, n)))
    return out


def box_rounds(conn: sqlite3.Connection, meeting: Meeting,
               contests: Sequence[str] | None = None) -> list[tuple[ContestDoc, RoundDoc | None]]:
    """Every round of the chosen contests with its box records; a contest with no round yet
    gives (contest, None): a blank form to fill in by hand."""
    from app.voting import meeting_rounds

    by_contest: dict[int, list[VotingRound]] = {}
    for r in meeting_rounds(conn, meeting.id):
        by_contest.setdefault(r.contest_id, []).append(r)
    out: list[tuple[ContestDoc, RoundDoc | None]] = []
    for c in list_contests(conn, meeting.id):
        if contests and c.code not in contests:
            continue
        doc = ContestDoc(c.code, c.title, c.body, c.seats, _contest_candidates(conn, c))
        rounds = by_contest.get(c.id, [])
        if not rounds:
            out.append((doc, None))
        out.extend((doc, _base_round(r)) for r in rounds)
    return out
