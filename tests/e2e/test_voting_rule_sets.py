"""residents-2025 through a tie re-vote and collective-2025 through a runoff, each to a completed,
locked election: recorded through the use cases, read back with `pollday results --json`, every
round recounted from its exported scenario by `pollday scenario run`."""

from __future__ import annotations

from app.meetings import Refusal
from app.model import RuleSet
from app.rules import Ballot
from app.voting import (
    Comparison,
    RoundValidation,
    Sheet,
    VotingRound,
    close_round,
    compare_entries,
    enter_ballot,
    enter_ballots,
    enter_sheet,
    lock_round,
    open_round,
    record_box,
    resolve_difference,
    set_officials,
    unlock_round,
)
from db.connection import connect
from tests.app.voting.voting_venue import ballots, sign_in_first, small_meeting
from tests.e2e.voting_cli import recount_every_round, results


def _ok(x):
    assert not isinstance(x, Refusal), x
    return x


def _finish(conn, r: VotingRound, clock, boxes: list[tuple[str, int, bool]]) -> VotingRound:
    for name, n, mobile in boxes:
        _ok(record_box(conn, r.id, name, printed=n + 5, issued=n, returned=n, mobile=mobile,
                       actor="秘书处", clock=clock))
    _ok(set_officials(conn, r.id, scrutineers=["监票人甲", "监票人乙", "监票人丙"],
                      counters=["计票人甲"], actor="主持人", clock=clock))
    return _ok(close_round(conn, r.id, actor="主持人", clock=clock))


def test_residents_election_through_a_tie_revote(tmp_path, fixed_clock) -> None:
    db = tmp_path / "residents.db"
    conn = connect(db)
    s = small_meeting(conn, fixed_clock, RuleSet.RESIDENTS, voters=20, code="residents",
                      candidates=["林静", "何志刚", "罗敏"], seats=2)
    sign_in_first(s, 18, fixed_clock)
    r1 = _ok(open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock))
    assert r1.snapshot.present == 18
    i = {n: k for k, n in enumerate(r1.names)}
    # 林静 14, 何志刚 10, 罗敏 10 of 18 voted: both qualify (2*10 > 18), the last seat is tied.
    paper = ballots(r1.names, [(6, ["林静", "何志刚"]), (6, ["林静", "罗敏"]),
                               (4, ["何志刚", "罗敏"]), (2, ["林静"])])
    _ok(enter_ballots(conn, r1.id, "A", paper, clerk="甲", clock=fixed_clock))
    typo = list(paper)
    marks = list(typo[3].marks)
    marks[i["罗敏"]] = "o"                        # B typed one ○ too many on ballot 4
    typo[3] = Ballot("".join(marks))
    _ok(enter_ballots(conn, r1.id, "B", typo, clerk="乙", clock=fixed_clock))
    c = _ok(compare_entries(conn, r1.id))
    assert isinstance(c, Comparison) and [d.seq for d in c.differences] == [4]
    assert c.differences[0].b is not None and c.differences[0].a == paper[3]
    _ok(resolve_difference(conn, r1.id, 4, "A", why="核对原票", actor="监票人甲",
                           clock=fixed_clock))
    r1 = _finish(conn, r1, fixed_clock, [("主票箱", 15, False), ("流动票箱", 3, True)])
    refused = lock_round(conn, r1.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and "TIE_AT_LAST_SEAT" in refused.message
    r2 = _ok(open_round(conn, s.contest.id, kind="tie_revote", actor="主持人", clock=fixed_clock))
    assert list(r2.names) == ["何志刚", "罗敏"] and r2.seats == 1    # stroke order
    _ok(lock_round(conn, r1.id, actor="主持人", clock=fixed_clock))   # settled by the re-vote
    stays = unlock_round(conn, r1.id, why="复核", actor="主持人", clock=fixed_clock)
    assert isinstance(stays, Refusal) and stays.code == "LATER_ROUND_EXISTS"
    for keys in ["1"] * 11 + ["01"] * 6 + [""]:         # 何志刚 11, 罗敏 6, one blank
        _ok(enter_ballot(conn, r2.id, "A", keys, clerk="甲", clock=fixed_clock))
        _ok(enter_ballot(conn, r2.id, "B", keys, clerk="乙", clock=fixed_clock))
    r2 = _finish(conn, r2, fixed_clock, [("主票箱", 18, False)])
    locked = _ok(lock_round(conn, r2.id, actor="主持人", clock=fixed_clock))
    assert isinstance(locked, RoundValidation)
    conn.close()
    doc = results(db, "residents")
    (contest,) = doc["contests"]
    assert doc["complete"] and not doc["one_pass_success"]
    assert set(contest["elected"]) == {"林静", "何志刚"}
    outs = [r["output"] for r in contest["rounds"]]
    assert outs[0]["quorum"] is None                         # residents: turnout, not quorum
    assert outs[0]["contests"][0]["status"] == "tie_revote"
    assert outs[0]["contests"][0]["tie"] == {"seats": 1, "names": ["何志刚", "罗敏"]}
    assert outs[1]["contests"][0]["status"] == "elected"
    assert outs[1]["contests"][0]["elected"] == ["何志刚"]
    assert all(r["state"] == "locked" for r in contest["rounds"])
    assert recount_every_round(db, doc, tmp_path) == 2


def test_collective_election_through_a_runoff_counted_on_tally_sheets(tmp_path,
                                                                       fixed_clock) -> None:
    db = tmp_path / "collective.db"
    conn = connect(db)
    s = small_meeting(conn, fixed_clock, RuleSet.COLLECTIVE, voters=15, code="coop",
                      candidates=["甲一", "乙二", "丙三", "丁四"], seats=3)
    sign_in_first(s, 9, fixed_clock)                  # 3*9 < 2*15: no quorum yet
    refused = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(refused, Refusal) and refused.code == "QUORUM_NOT_MET"
    sign_in_first(s, 15, fixed_clock)
    r1 = _ok(open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock))
    # 甲一 14, 乙二 12 elected (3*v >= 2*15 needs 10); 丙三 9, 丁四 8: one seat to a runoff.
    paper = ballots(r1.names, [(7, ["甲一", "乙二", "丙三"]), (5, ["甲一", "乙二", "丁四"]),
                               (2, ["甲一", "丙三", "丁四"]), (1, ["丁四"])])
    _ok(enter_ballots(conn, r1.id, "A", paper, clerk="甲", clock=fixed_clock))
    _ok(enter_ballots(conn, r1.id, "B", paper, clerk="乙", clock=fixed_clock))
    r1 = _finish(conn, r1, fixed_clock, [("主票箱", 15, False)])
    r2 = _ok(open_round(conn, s.contest.id, kind="runoff", actor="主持人", clock=fixed_clock,
                        mode="tally"))
    assert list(r2.names) == ["丁四", "丙三"] and r2.seats == 1      # stroke order: 丁 before 丙
    sheet = Sheet(15, 0, {"丙三": 11, "丁四": 4}, {"丙三": 2, "丁四": 5})
    _ok(enter_sheet(conn, r2.id, "A", sheet, clerk="甲", clock=fixed_clock))
    _ok(enter_sheet(conn, r2.id, "B", sheet, clerk="乙", clock=fixed_clock))
    r2 = _finish(conn, r2, fixed_clock, [("主票箱", 15, False)])
    _ok(lock_round(conn, r1.id, actor="主持人", clock=fixed_clock))
    _ok(lock_round(conn, r2.id, actor="主持人", clock=fixed_clock))
    conn.close()
    doc = results(db, "coop")
    (contest,) = doc["contests"]
    assert doc["complete"] and not doc["one_pass_success"]
    assert contest["elected"] == ["甲一", "乙二", "丙三"]
    first, runoff = (r["output"] for r in contest["rounds"])
    assert first["quorum"] == {"expected": 15, "present": 15, "met": True}
    assert first["contests"][0]["runoff"] == {"seats": 1, "ranking": ["丙三", "丁四"]}
    assert runoff["contests"][0]["status"] == "elected"
    tally = {t["name"]: [t["approve"], t["disapprove"], t["abstain"]]
             for t in runoff["contests"][0]["tally"]}
    assert tally == {"丙三": [11, 2, 2], "丁四": [4, 5, 6]}
    assert recount_every_round(db, doc, tmp_path) == 2
