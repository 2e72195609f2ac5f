"""Reading recorded rounds (轮次) back: the round with its candidates, officials, boxes, state
and lock, as the events say. Every other module of app.voting reads rounds through here; this
module imports none of them (the import direction is model → store → entry → compare / tally →
validate → progression → rounds)."""

from __future__ import annotations

import json
import sqlite3

from app.attendance import Snapshot, snapshot
from app.meetings import Refusal, get_contest, get_meeting
from app.rules import Round
from app.voting.model import (
    Box,
    LockInfo,
    Mode,
    NoFill,
    Officials,
    RoundCandidate,
    State,
    VotingRound,
)
from db import attendance as qa
from db import voting as q


def _snapshot(conn: sqlite3.Connection, snapshot_id: int) -> Snapshot:
    row = qa.select_snapshot(conn, snapshot_id)
    assert row is not None  # foreign key
    meeting = get_meeting(conn, int(row[1]))
    assert meeting is not None
    s = snapshot(conn, meeting, str(row[2]))
    assert s is not None
    return s


def load_round(conn: sqlite3.Connection, round_id: int) -> VotingRound | None:
    row = q.select_round(conn, round_id)
    if row is None:
        return None
    rid, mid, cid, number, kind, seats, sid, follows, mode, double, at, by = row
    contest = get_contest(conn, int(cid))
    assert contest is not None
    cands = tuple(RoundCandidate(int(p), n, g, None if pid is None else int(pid))
                  for _, p, n, g, pid in q.select_round_candidates(conn, rid))
    state = State.OPEN
    officials = Officials()
    no_fill: NoFill | None = None
    lock: LockInfo | None = None
    for _, _, ekind, actor, eat, reason, detail_s in q.select_events(conn, rid):
        detail = json.loads(detail_s)
        if ekind == "officials":
            officials = Officials(tuple(detail["scrutineers"]), tuple(detail["counters"]),
                                  actor, eat)
        elif ekind == "no_fill":
            no_fill = NoFill(detail["decided_by"], reason, actor, eat)
        elif ekind == "closed":
            state = State.CLOSED
        elif ekind == "reopened":
            state = State.OPEN
        elif ekind == "locked":
            state = State.LOCKED
            lock = LockInfo(eat, actor, detail["hash"], detail["canonical"],
                            str(detail.get("decision", "")), str(detail.get("second", "")))
        elif ekind == "unlocked":
            state, lock = State.OPEN, None
    boxes = tuple(Box(n, bool(m), int(p), int(i), int(r), int(s), a, t)
                  for _, _, n, m, p, i, r, s, a, t in q.select_boxes(conn, rid))
    return VotingRound(int(rid), int(mid), int(cid), contest.code, contest.title, int(number),
                       Round(kind), int(seats), cands, _snapshot(conn, int(sid)),
                       None if follows is None else int(follows), Mode(mode), bool(double), at,
                       by, state, officials, boxes, no_fill, lock)


def must_round(conn: sqlite3.Connection, round_id: int) -> VotingRound | Refusal:
    r = load_round(conn, round_id)
    return r if r is not None else Refusal("NO_SUCH_ROUND", f"轮次 {round_id} 不存在")


def list_rounds(conn: sqlite3.Connection, contest_id: int) -> list[VotingRound]:
    out = []
    for row in q.select_rounds_of_contest(conn, contest_id):
        r = load_round(conn, int(row[0]))
        assert r is not None
        out.append(r)
    return out


def meeting_rounds(conn: sqlite3.Connection, meeting_id: int) -> list[VotingRound]:
    """Every round of a meeting, contest by contest (contest order), round by round."""
    out = []
    for row in q.select_rounds_of_meeting(conn, meeting_id):
        r = load_round(conn, int(row[0]))
        assert r is not None
        out.append(r)
    return out


def round_by_number(conn: sqlite3.Connection, contest_id: int, number: int) -> VotingRound | None:
    for row in q.select_rounds_of_contest(conn, contest_id):
        if int(row[3]) == number:
            return load_round(conn, int(row[0]))
    return None
