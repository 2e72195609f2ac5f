"""party-2020 end to end through the demo: `pollday demo --stage final` gives a complete, LOCKED
党员大会 election (委员 through a runoff), double-entered with resolved differences; every round
recounts the same from its exported scenario; the build is deterministic and fast."""

from __future__ import annotations

import time

from app.attendance import attendance_summary
from app.demo import build_demo
from app.meetings import meeting_by_code
from db.audit import verify_chain
from db.connection import connect
from tests.e2e.voting_cli import pollday, recount_every_round, results


def test_demo_final_is_a_complete_locked_party_election(tmp_path) -> None:
    db = tmp_path / "final.db"
    started = time.perf_counter()
    done = pollday("demo", "--db", str(db), "--stage", "final")
    elapsed = time.perf_counter() - started
    assert done.returncode == 0, done.stderr
    assert elapsed < 20, f"demo final took {elapsed:.1f} s"
    doc = results(db, "party")
    hashes = [r["hash"] for c in doc["contests"] for r in c["rounds"]]
    assert all(h in done.stdout for h in hashes) and "委员当选" in done.stdout
    assert doc["complete"] and not doc["one_pass_success"]
    committee, discipline = doc["contests"]
    assert committee["id"] == "committee" and len(committee["elected"]) == 7
    assert [r["kind"] for r in committee["rounds"]] == ["first", "runoff"]
    first, runoff = (r["output"]["contests"][0] for r in committee["rounds"])
    assert first["status"] == "runoff_needed" and first["runoff"]["seats"] == 1
    assert [f["code"] for f in first["findings"]] == ["SEATS_UNFILLED"]
    assert committee["rounds"][0]["settled"] == ["TIE_AT_LAST_SEAT", "SEATS_UNFILLED"]
    assert runoff["status"] == "elected" and len(runoff["elected"]) == 1
    assert set(committee["rounds"][1]["candidates"]) <= set(first["runoff"]["ranking"])
    assert [r["output"]["contests"][0]["status"] for r in discipline["rounds"]] == ["elected"]
    assert len(discipline["elected"]) == 3
    for r in committee["rounds"] + discipline["rounds"]:
        assert r["state"] == "locked" and len(r["hash"]) == 12
        assert len(r["scrutineers"]) == 2 and len(r["counters"]) == 2
        assert not set(r["scrutineers"] + r["counters"]) & set(r["candidates"])
        ballots = r["output"]["contests"][0]["ballots"]
        assert ballots["issued"] == r["snapshot"]["present"] == ballots["returned"]
        assert ballots["invalid"] >= 1
    conn = connect(db)
    try:
        resolved = conn.execute("SELECT count(*) FROM audit"
                                " WHERE action = 'ballot_difference_resolved'").fetchone()[0]
        assert resolved == 9                       # three differences in each of the 3 rounds
        assert conn.execute("SELECT count(DISTINCT entry) FROM ballot_entry").fetchone()[0] == 3
        assert verify_chain(conn) == []
    finally:
        conn.close()
    assert recount_every_round(db, doc, tmp_path) == 3
    # Deterministic: a second build locks the very same results.
    again = tmp_path / "again.db"
    assert pollday("demo", "--db", str(again), "--stage", "final").returncode == 0
    doc2 = results(again, "party")
    assert [r["hash"] for c in doc2["contests"] for r in c["rounds"]] == \
        [r["hash"] for c in doc["contests"] for r in c["rounds"]]


def test_demo_signed_in_stage(tmp_path) -> None:
    conn = connect(tmp_path / "signed.db")
    try:
        build_demo(conn, stage="signed-in")
        party = meeting_by_code(conn, "party")
        assert party is not None
        s = attendance_summary(conn, party)
        assert s.quorum_met and s.present == 93 * s.expected // 100   # 93% of 应到 came
        assert s.attending == 6                    # 预备党员 came, 列席 without a vote
        events = conn.execute("SELECT count(*) FROM attendance_event").fetchone()[0]
        assert events == s.present + s.attending   # the 4 non-members turned away left no event
        assert conn.execute("SELECT count(*) FROM voting_round").fetchone()[0] == 0
    finally:
        conn.close()
