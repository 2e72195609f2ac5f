"""Double entry on two laptops: B enters on a copy of the database, its entry file is imported
on the counting laptop, and the comparison and the count are the same as on one laptop.
Every bad file is refused with its name and why, and nothing is written."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from app.meetings import Refusal
from app.model import RuleSet
from app.rules import Ballot
from app.voting import (
    Comparison,
    VotingRound,
    compare_entries,
    correct_ballot,
    enter_ballots,
    open_round,
    withdraw_ballot,
)
from app.voting.transfer import (
    Imported,
    export_entry,
    import_entry,
    read_entry_file,
    summary,
    write_entry_file,
)
from db.connection import connect
from tests.app.sync.sync_venue import copy_db
from tests.app.voting.voting_venue import sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三", "丁四", "戊五"]
AT = "2026-11-29T11:00:00+08:00"


def _paper(n: int) -> list[Ballot]:
    rng = random.Random(7)
    return [Ballot("".join(rng.choices("oox-", k=4)) + "-") for _ in range(n)]


@pytest.fixture
def two_laptops(tmp_path, fixed_clock):
    """The counting laptop with an open round, and a copy made after the round opened."""
    one = tmp_path / "counting.db"
    conn = connect(one)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=60, candidates=CANDS, seats=4)
    sign_in_first(s, 60, fixed_clock)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock)
    assert isinstance(r, VotingRound)
    two = tmp_path / "second.db"
    copy_db(one, two)
    second = connect(two)
    yield conn, second, s.meeting, r, tmp_path
    conn.close()
    second.close()


def _entry_file(second, meeting, r, tmp_path: Path, name: str = "B.pollday-entry") -> Path:
    doc = export_entry(second, meeting, r.id, "B", AT)
    assert not isinstance(doc, Refusal), doc
    path = tmp_path / name
    write_entry_file(doc, path)
    return path


def _import(conn, meeting, path: Path, fixed_clock) -> Imported | Refusal:
    doc = read_entry_file(path)
    if isinstance(doc, Refusal):
        return doc
    return import_entry(conn, meeting, doc, file_name=path.name, actor="监票人", clock=fixed_clock)


def test_b_entered_on_the_second_laptop_compares_as_on_one(two_laptops, fixed_clock) -> None:
    conn, second, meeting, r, tmp = two_laptops
    paper = _paper(60)
    b = list(paper)
    b[9] = Ballot("xxxxx")                                    # B mistyped ballot 10 ...
    assert enter_ballots(conn, r.id, "A", paper, clerk="甲", clock=fixed_clock) == 60
    assert enter_ballots(second, r.id, "B", b[:40], clerk="乙", clock=fixed_clock) == 40
    assert not isinstance(correct_ballot(second, r.id, "B", 10, paper[9], why="核对原票",
                                         clerk="乙", clock=fixed_clock), Refusal)  # ... and fixed it
    first = _entry_file(second, meeting, r, tmp)               # half-way: 40 ballots
    assert "录入组B：40 张选票（41 条记录" in summary(json.loads(first.read_text("utf-8")))
    assert _import(conn, meeting, first, fixed_clock) == Imported(r.label, "B", 41, 0)
    assert _import(conn, meeting, first, fixed_clock) == Imported(r.label, "B", 0, 41)  # again
    assert enter_ballots(second, r.id, "B", b[40:], clerk="乙", clock=fixed_clock) == 20
    b[29] = Ballot("ooooo")
    assert not isinstance(correct_ballot(second, r.id, "B", 30, b[29], why="录错", clerk="乙",
                                         clock=fixed_clock), Refusal)
    assert not isinstance(withdraw_ballot(second, r.id, "B", 60, why="同一张选票重复录入",
                                          clerk="乙", clock=fixed_clock), Refusal)
    later = _entry_file(second, meeting, r, tmp, "B-2.pollday-entry")
    assert _import(conn, meeting, later, fixed_clock) == Imported(r.label, "B", 22, 41)
    here, there = compare_entries(conn, r.id), compare_entries(second, r.id)
    assert isinstance(here, Comparison) and isinstance(there, Comparison)
    assert [d.seq for d in here.differences] == [30, 60]
    assert (here.count_b, [d.seq for d in here.differences]) == (59, [30, 60])
    assert json.loads(later.read_text("utf-8"))["rows"][-1]["note"] == "同一张选票重复录入"
    rows = conn.execute("SELECT seq, action, clerk, note FROM ballot_entry WHERE entry = 'B'"
                        " ORDER BY id").fetchall()
    assert rows == second.execute("SELECT seq, action, clerk, note FROM ballot_entry"
                                  " WHERE entry = 'B' ORDER BY id").fetchall()
    audit = conn.execute("SELECT detail FROM audit WHERE action = 'ballot_entry_imported'").fetchall()
    assert [json.loads(d)["added"] for (d,) in audit] == [41, 22]


def test_bad_files_are_refused_and_nothing_is_written(two_laptops, fixed_clock) -> None:
    conn, second, meeting, r, tmp = two_laptops
    paper = _paper(10)
    assert enter_ballots(second, r.id, "B", paper, clerk="乙", clock=fixed_clock) == 10
    good = _entry_file(second, meeting, r, tmp)
    doc = json.loads(good.read_text("utf-8"))

    def variant(name: str, change) -> Path:
        d = json.loads(json.dumps(doc))
        change(d)
        path = tmp / name
        path.write_text(json.dumps(d, ensure_ascii=False), "utf-8")
        return path

    def resign(d):
        from app.voting.transfer import _digest
        d["sha256"] = _digest(d)

    cases = {
        variant("edited.pollday-entry", lambda d: d["rows"][3].update(marks="ooooo")):
            ("DAMAGED", "内容与校验值不符"),
        variant("other-candidates.pollday-entry",
                lambda d: (d["candidates"].reverse(), resign(d))): ("OTHER_CANDIDATES", "候选人"),
        variant("other-meeting.pollday-entry",
                lambda d: (d.update(meeting="nope"), resign(d))): ("OTHER_MEETING", "nope"),
        variant("bad-shape.pollday-entry",
                lambda d: (d["rows"][4].update(marks="oo"), resign(d))):
            ("BAD_ROW", "第 5 条记录（第5张）"),
        variant("no-note.pollday-entry",
                lambda d: (d["rows"][1].update(action="correct"), resign(d))):
            ("BAD_ROW", "没有写明原因"),
        variant("no-round.pollday-entry",
                lambda d: (d.update(round=9), resign(d))): ("NO_SUCH_ROUND", "开始投票之后复制"),
        variant("version.pollday-entry",
                lambda d: (d.update(format_version=2), resign(d))): ("VERSION", "版本 2"),
    }
    (tmp / "garbage.pollday-entry").write_bytes(b"\x00\xff not json")
    cases[tmp / "garbage.pollday-entry"] = ("NOT_AN_ENTRY_FILE", "不是 PollDay 录入文件")
    cases[tmp / "missing.pollday-entry"] = ("FILE_UNREADABLE", "无法读取")
    before = conn.execute("SELECT count(*) FROM ballot_entry").fetchone()[0]
    for path, (code, words) in cases.items():
        out = _import(conn, meeting, path, fixed_clock)
        assert isinstance(out, Refusal) and out.code == code, (path.name, out)
        assert path.name in out.message and words in out.message, out.message
    assert conn.execute("SELECT count(*) FROM ballot_entry").fetchone()[0] == before == 0
    # B was (wrongly) also typed here: the two B entries differ, nothing is merged
    assert enter_ballots(conn, r.id, "B", paper[:3] + [Ballot("xxxxx")], clerk="丙",
                         clock=fixed_clock) == 4
    out = _import(conn, meeting, good, fixed_clock)
    assert isinstance(out, Refusal) and out.code == "ENTRY_DIFFERS" and "第 1 条记录" in out.message
    assert conn.execute("SELECT count(*) FROM ballot_entry").fetchone()[0] == 4


def test_an_empty_entry_is_not_exported(two_laptops) -> None:
    _conn, second, meeting, r, _tmp = two_laptops
    out = export_entry(second, meeting, r.id, "B", AT)
    assert isinstance(out, Refusal) and out.code == "ENTRY_EMPTY"


def test_a_closed_round_takes_no_import(two_laptops, fixed_clock) -> None:
    conn, second, meeting, r, tmp = two_laptops
    assert enter_ballots(second, r.id, "B", _paper(5), clerk="乙", clock=fixed_clock) == 5
    path = _entry_file(second, meeting, r, tmp)
    # counting closed on the counting laptop (the row close_round writes once A and B agree)
    conn.execute("INSERT INTO round_event (round_id, kind, actor, at) VALUES (?, 'closed', 't', ?)",
                 (r.id, AT))
    out = _import(conn, meeting, path, fixed_clock)
    assert isinstance(out, Refusal) and out.code == "NOT_OPEN"
