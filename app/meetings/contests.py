"""Changing a contest (选举事项) before voting on it starts: its seats, or withdrawing it; and the
candidate-margin check in the words the 选举事项 page and `pollday candidate list` show.

Once a round of the contest is open its seats and existence are history (the round carries its
own seats and candidates): both changes are refused then. Every write is audited.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.clock import Clock, iso
from app.meetings.core import Refusal, get_meeting, setup_refused
from app.meetings.items import Contest, get_contest, list_candidates
from app.model import ContestKind, RuleSet
from app.rules import Round, margin_finding
from db import meetings as q
from db.audit import append
from db.tx import transaction


@dataclass(frozen=True, slots=True)
class MarginCheck:
    """The first-round candidate margin (rules.md §1.3, §2.4) in words."""

    ok: bool
    is_error: bool        # False for a warning (a residents' leader contest)
    words: str


def margin_check(rules: RuleSet, kind: ContestKind, seats: int, candidates: int) -> MarginCheck:
    f = margin_finding(rules, kind, Round.FIRST, seats, candidates)
    if f is None:
        return MarginCheck(True, False, f"✓ 候选人{candidates}名，应选{seats}名：符合候选人差额规定")
    return MarginCheck(False, f.is_error, f"✗ {f.title_zh}：{f.detail_zh}。{f.rule_zh}")


def contest_margin(conn: sqlite3.Connection, contest: Contest) -> MarginCheck:
    m = get_meeting(conn, contest.meeting_id)
    assert m is not None  # foreign key
    return margin_check(m.rules, contest.kind, contest.seats,
                        len(list_candidates(conn, contest.id)))


def _before_voting(conn: sqlite3.Connection, contest_id: int, what: str) -> Contest | Refusal:
    """The contest, or why it cannot be changed (what: the change, in words): it does not
    exist, or a round of it has been opened."""
    c = get_contest(conn, contest_id)
    if c is None:
        return Refusal("NOT_FOUND", f"选举事项 {contest_id} 不存在")
    if q.contest_has_rounds(conn, c.id):
        return Refusal("VOTING_STARTED", f"{c.title}（{c.code}）已开始投票，不能再{what}")
    return c


def set_contest_seats(conn: sqlite3.Connection, contest_id: int, seats: int, *, clock: Clock,
                      actor: str) -> Contest | Refusal:
    """Change the number of seats (应选名额) before the first round."""
    if seats < 1:
        return Refusal("SEATS_INVALID", "应选名额至少为 1")
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        c = _before_voting(conn, contest_id, "改应选名额")
        if isinstance(c, Refusal):
            return c
        q.update_contest_seats(conn, contest_id, seats)
        append(conn, at=iso(clock.now()), actor=actor, action="contest_seats_changed",
               meeting_id=c.meeting_id,
               detail={"contest_id": c.id, "code": c.code, "title": c.title, "from": c.seats,
                       "to": seats})
    return Contest(c.id, c.meeting_id, c.code, c.title, c.body, c.kind, seats, c.position,
                   c.post)


def withdraw_contest(conn: sqlite3.Connection, contest_id: int, *, why: str, clock: Clock,
                     actor: str) -> Contest | Refusal:
    """Withdraw a contest and its candidates before the first round (the reason and the
    candidates' names are kept in the audit log)."""
    if not why.strip():
        return Refusal("REASON_MISSING", "撤销选举事项须说明原因")
    with transaction(conn):
        denied = setup_refused(conn, actor)
        if denied is not None:
            return denied
        c = _before_voting(conn, contest_id, "撤销")
        if isinstance(c, Refusal):
            return c
        names = [x.name for x in list_candidates(conn, contest_id)]
        q.delete_contest(conn, contest_id)
        append(conn, at=iso(clock.now()), actor=actor, action="contest_removed",
               meeting_id=c.meeting_id,
               detail={"contest_id": c.id, "code": c.code, "title": c.title, "seats": c.seats,
                       "candidates": names, "why": why.strip()})
    return c
