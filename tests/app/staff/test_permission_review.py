"""Gaps a review of the permission table found, each pinned where a staff list exists: a clerk's
correction that made a double-entry difference vanish without a 监票人, switching the current
meeting, a scannable ballot's layout written for anyone, a permission check that let the action
through when the database could not be read, and the round's named officials not enforced."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app import meetings
from app.meetings import Refusal
from app.model import Form, Meeting, Organisation, RuleSet
from app.permissions import check_path
from app.voting import (
    Sheet,
    VotingRound,
    compare_entries,
    correct_ballot,
    enter_ballot,
    enter_sheet,
    open_round,
    resolve_difference,
    resolve_sheet,
    set_officials,
    withdraw_ballot,
)
from app.voting.model import Comparison
from tests.app.staff.test_permission_gaps import _round, venue  # noqa: F401
from tests.app.staff.test_permissions import Venue, _written


def _differing(v: Venue) -> VotingRound:
    """Ballot 1: A (孙计票) reads ○--, B (李计票) reads ×--; ballot 2 is in A only (B has not
    reached it: shown as a difference too)."""
    r = _round(v)
    for entry, keys, clerk in (("A", "1", "孙计票"), ("B", "2", "李计票"), ("A", "1", "孙计票")):
        got = enter_ballot(v.conn, r.id, entry, keys, clerk=v.who[clerk], clock=v.clock)
        assert not isinstance(got, Refusal), got
    c = compare_entries(v.conn, r.id)
    assert isinstance(c, Comparison) and [d.seq for d in c.differences] == [1, 2]
    return r


def test_a_clerk_cannot_correct_a_difference_away(venue: Venue) -> None:  # noqa: F811
    """After the comparison showed ballot 1 differs, entry A's own clerk corrected A to read as
    B: the difference disappeared with no 监票人 looking at the paper."""
    v = venue
    r = _differing(v)
    before = _written(v.conn)
    for entry, keys, clerk in (("A", "2", "孙计票"), ("B", "1", "李计票")):
        got = correct_ballot(v.conn, r.id, entry, 1, keys, why="核对后更正",
                             clerk=v.who[clerk], clock=v.clock)
        assert isinstance(got, Refusal) and got.code == "DIFFERENCE_OPEN", got
        assert "未参加录入的监票人" in got.message and "第1张" in got.message
    withdrawn = withdraw_ballot(v.conn, r.id, "A", 1, why="重复", clerk=v.who["孙计票"],
                                clock=v.clock)
    assert isinstance(withdrawn, Refusal) and withdrawn.code == "DIFFERENCE_OPEN", withdrawn
    assert _written(v.conn) == before
    c = compare_entries(v.conn, r.id)
    assert isinstance(c, Comparison) and [d.seq for d in c.pending] == [1, 2]
    # A number B has not reached yet: the clerk fixes his own typo.
    fixed = correct_ballot(v.conn, r.id, "A", 2, "2", why="录错", clerk=v.who["孙计票"],
                           clock=v.clock)
    assert not isinstance(fixed, Refusal), fixed
    # The difference is resolved by a 监票人 who entered neither.
    got = resolve_difference(v.conn, r.id, 1, "B", why="核对原始选票", actor=v.who["周监票"],
                             clock=v.clock)
    assert not isinstance(got, Refusal), got


def test_a_clerk_corrects_freely_in_open_mode(db_path: Path) -> None:
    """No staff list: the free-text flow stays as it was (a correction may make A agree)."""
    from app import attendance as att
    from app.clock import FixedClock
    from db.connection import connect
    from tests.app.staff.test_permissions import CANDS, T0
    from tests.app.voting.voting_venue import small_meeting

    clock = FixedClock(T0, 1.0)
    conn = connect(db_path)
    try:
        s = small_meeting(conn, clock, RuleSet.PARTY, voters=6, candidates=CANDS, seats=1)
        for pid in s.voter_ids[:5]:
            att.sign_in(conn, s.meeting, pid, "一号台", "签到员", clock)
        r = open_round(conn, s.contest.id, actor="主持人", clock=clock, double_entry=True)
        assert isinstance(r, VotingRound), r
        enter_ballot(conn, r.id, "A", "1", clerk="甲", clock=clock)
        enter_ballot(conn, r.id, "B", "2", clerk="乙", clock=clock)
        got = correct_ballot(conn, r.id, "A", 1, "2", why="更正", clerk="甲", clock=clock)
        assert not isinstance(got, Refusal), got
    finally:
        conn.close()


def _sheet(r: VotingRound, approve: list[int]) -> Sheet:
    return Sheet(8, 1, dict(zip(r.names, approve, strict=True)),
                 dict(zip(r.names, [1, 1, 1], strict=True)), {})


def test_a_clerk_cannot_reenter_a_tally_sheet_to_match_the_other(venue: Venue) -> None:  # noqa: F811
    from app import attendance as att

    v = venue
    for pid in v.s.voter_ids[:10]:
        att.sign_in(v.conn, v.s.meeting, pid, "一号台", v.who["钱签到"], v.clock)
    r = open_round(v.conn, v.s.contest.id, actor=v.who["赵主持"], clock=v.clock, mode="tally",
                   double_entry=True)
    assert isinstance(r, VotingRound), r
    # Before B exists A may be re-entered (its own typo).
    for sheet, why in (([3, 2, 2], ""), ([3, 2, 1], "录错")):
        got = enter_sheet(v.conn, r.id, "A", _sheet(r, sheet), clerk=v.who["孙计票"],
                          clock=v.clock, why=why)
        assert not isinstance(got, Refusal), got
    got = enter_sheet(v.conn, r.id, "B", _sheet(r, [3, 2, 2]), clerk=v.who["李计票"],
                      clock=v.clock)
    assert not isinstance(got, Refusal), got
    before = _written(v.conn)
    for entry, sheet, clerk in (("A", [3, 2, 2], "孙计票"), ("B", [3, 2, 1], "李计票")):
        got = enter_sheet(v.conn, r.id, entry, _sheet(r, sheet), clerk=v.who[clerk],
                          clock=v.clock, why="核对")
        assert isinstance(got, Refusal) and got.code == "DIFFERENCE_OPEN", got
        assert "监票人" in got.message
    assert _written(v.conn) == before
    got = resolve_sheet(v.conn, r.id, _sheet(r, [3, 2, 2]), why="重新清点",
                        actor=v.who["周监票"], clock=v.clock)
    assert not isinstance(got, Refusal), got


def test_switching_the_current_meeting_is_the_hosts(venue: Venue) -> None:  # noqa: F811
    v = venue
    other = meetings.create_meeting(v.conn, code="m2", title="另一会议", community="幸福社区",
                                    organisation=Organisation.PARTY_BRANCH, rules=RuleSet.PARTY,
                                    form=Form.ASSEMBLY, date="2026-11-23", clock=v.clock,
                                    actor=v.who["赵主持"])
    assert isinstance(other, Meeting), other
    current = [m.id for m in meetings.list_meetings(v.conn) if m.is_current]
    before = _written(v.conn)
    for who in ("孙计票", "钱签到"):
        got = meetings.set_current(v.conn, other.id, clock=v.clock, actor=v.who[who])
        assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
        assert "主持人" in got.message
    plain = meetings.set_current(v.conn, other.id, clock=v.clock, actor="赵主持")   # no PIN
    assert isinstance(plain, Refusal) and plain.code == "NOT_ALLOWED", plain
    assert _written(v.conn) == before
    assert [m.id for m in meetings.list_meetings(v.conn) if m.is_current] == current
    got = meetings.set_current(v.conn, other.id, clock=v.clock, actor=v.who["赵主持"])
    assert not isinstance(got, Refusal) and got.is_current, got


def test_a_scannable_ballot_layout_is_written_by_the_host(venue: Venue) -> None:  # noqa: F811
    from app.scan.setup import layout_for_round

    v = venue
    r = _round(v)
    before = _written(v.conn)
    layouts = v.conn.execute("SELECT count(*) FROM scan_layout").fetchone()[0]

    def make(who: str) -> object:
        return layout_for_round(v.conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                                0, qr=False, actor=v.who.get(who, who),
                                at="2026-11-22T09:00:00+08:00")

    for who in ("孙计票", "打印"):
        got = make(who)
        assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
    assert _written(v.conn) == before
    assert v.conn.execute("SELECT count(*) FROM scan_layout").fetchone()[0] == layouts
    made = make("赵主持")
    assert not isinstance(made, Refusal), made
    again = make("孙计票")   # reprinting the layout already recorded writes nothing
    assert not isinstance(again, Refusal) and again.code == made.code  # type: ignore[attr-defined]


def test_a_permission_check_on_an_unreadable_database_refuses(tmp_path: Path) -> None:
    """check_path let export, backup and host mode through when the database could not be read."""
    junk = tmp_path / "选举.db"
    junk.write_bytes(b"not a database at all" * 400)
    for code in ("export", "backup", "host_mode"):
        denied = check_path(junk, code, "随便谁")
        assert denied is not None, code
        assert "无法确认操作权限" in denied.message and "选举.db" in denied.message
    empty = tmp_path / "plain.db"    # a readable database without a staff list: open mode
    sqlite3.connect(empty).close()
    assert check_path(empty, "export", "随便谁") is None
    assert check_path(tmp_path / "none.db", "export", "随便谁") is None   # the use case says why


def test_only_the_rounds_named_officials_enter_and_resolve(venue: Venue) -> None:  # noqa: F811
    v = venue
    r = _round(v)
    host = v.who["赵主持"]
    assert not isinstance(set_officials(v.conn, r.id, scrutineers=["周监票", "吴总监"],
                                        counters=["孙计票", "王双岗"], actor=host,
                                        clock=v.clock), Refusal)
    before = _written(v.conn)
    got = enter_ballot(v.conn, r.id, "B", "2", clerk=v.who["李计票"], clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "NOT_NAMED", got
    assert "孙计票、王双岗" in got.message and "李计票" in got.message
    assert _written(v.conn) == before
    for entry, keys, clerk in (("A", "1", "孙计票"), ("B", "2", "王双岗")):
        got = enter_ballot(v.conn, r.id, entry, keys, clerk=v.who[clerk], clock=v.clock)
        assert not isinstance(got, Refusal), got
    before = _written(v.conn)
    got = resolve_difference(v.conn, r.id, 1, "A", why="核对原始选票", actor=v.who["郑监票"],
                             clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "NOT_NAMED", got
    assert "周监票、吴总监" in got.message
    assert _written(v.conn) == before
    got = resolve_difference(v.conn, r.id, 1, "A", why="核对原始选票", actor=v.who["周监票"],
                             clock=v.clock)
    assert not isinstance(got, Refusal), got


def test_officials_named_before_the_staff_list_do_not_lock_out_its_members(venue: Venue) -> None:  # noqa: F811
    """Names typed in open mode (nobody on the list) restrict nobody: any 计票人 enters."""
    v = venue
    r = _round(v)
    v.conn.execute("INSERT INTO round_event (round_id, kind, actor, at, reason, detail)"
                   " VALUES (?, 'officials', 'open-mode', '2026-11-22T09:00:00+08:00', '',"
                   " '{\"scrutineers\": [\"曾凡荣\"], \"counters\": [\"王䶮\"]}')", (r.id,))
    v.conn.commit()
    got = enter_ballot(v.conn, r.id, "A", "1", clerk=v.who["孙计票"], clock=v.clock)
    assert not isinstance(got, Refusal), got


def test_an_entry_file_and_a_batch_come_only_from_the_rounds_named_tellers(
        venue: Venue, tmp_path: Path) -> None:  # noqa: F811
    """The second laptop's entry file and a batch entered under a non-person clerk (the
    scanner, `operator` the person) keep the round's named 计票人 too."""
    from app.rules import Ballot
    from app.voting import enter_ballots, transfer
    from tests.app.staff.test_permission_gaps import _entry_b_from_a_copy

    v = venue
    r = _round(v)
    doc = _entry_b_from_a_copy(v, r, tmp_path, "李计票")
    assert not isinstance(set_officials(v.conn, r.id, scrutineers=["周监票"],
                                        counters=["孙计票", "王双岗"], actor=v.who["赵主持"],
                                        clock=v.clock), Refusal)
    before = _written(v.conn)
    got = transfer.import_entry(v.conn, v.s.meeting, doc, file_name="b.pollday-entry",
                                actor=v.who["周监票"], clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "NOT_NAMED", got
    assert "李计票" in got.message and "未导入" in got.message
    stack = [Ballot("o--")]
    got = enter_ballots(v.conn, r.id, "A", stack, clerk="扫描仪", clock=v.clock,
                        operator=v.who["李计票"])
    assert isinstance(got, Refusal) and got.code == "NOT_NAMED", got
    assert _written(v.conn) == before
    assert enter_ballots(v.conn, r.id, "A", stack, clerk="扫描仪", clock=v.clock,
                         operator=v.who["孙计票"]) == 1
