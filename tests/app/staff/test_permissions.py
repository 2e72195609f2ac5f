"""Every row of the permission table (app.permissions.PERMISSIONS) through its use case, in a real
database with a staff list: allowed for the roles listed, refused for the others with the words
saying who may, and nothing written on a refusal. Open mode (no staff list) is unchanged."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import attendance as att
from app import meetings
from app.attendance import Outcome
from app.clock import FixedClock
from app.meetings import Refusal
from app.model import ExclusionReason, RuleSet
from app.permissions import PERMISSIONS, Actor, check
from app.staff import add_staff, sign_on
from app.voting import (
    VotingRound,
    close_round,
    compare_entries,
    enter_ballot,
    lock_round,
    open_round,
    record_box,
    resolve_difference,
    set_officials,
    unlock_round,
)
from db.connection import connect
from tests.app.voting.voting_venue import Small, small_meeting

T0 = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CANDS = ["甲一", "乙二", "丙三"]
STAFF = [  # name, roles, chief
    ("赵主持", ["主持人"], False), ("钱签到", ["签到员"], False), ("孙计票", ["计票人"], False),
    ("李计票", ["计票人"], False), ("周监票", ["监票人"], False), ("吴总监", ["监票人"], True),
    ("郑监票", ["监票人"], False), ("王双岗", ["计票人", "监票人"], False),
    ("冯工作", ["工作人员"], False)]
TABLES = ("attendance_event", "audit", "round_event", "ballot_entry", "tally_sheet", "ballot_box",
          "voting_round", "attendance_snapshot", "meeting", "staff")
TESTED: set[str] = set()


@dataclass
class Venue:
    conn: sqlite3.Connection
    s: Small
    who: dict[str, Actor]
    clock: FixedClock


def _written(conn: sqlite3.Connection) -> dict[str, object]:
    out: dict[str, object] = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                              for t in TABLES}
    out["options"] = conn.execute("SELECT options FROM meeting ORDER BY id").fetchall()
    return out


@pytest.fixture
def venue(db_path) -> Iterator[Venue]:
    clock = FixedClock(T0, 1.0)
    conn = connect(db_path)
    s = small_meeting(conn, clock, RuleSet.PARTY, voters=12, candidates=CANDS, seats=1)
    host: str = ""     # the first member is added in open mode, the rest by the signed-on host
    for name, roles, chief in STAFF:
        got = add_staff(conn, name, roles, "246810", actor=host, clock=clock, chief=chief)
        assert not isinstance(got, Refusal), got
        if not host:
            signed = sign_on(conn, name, "246810", clock=clock)
            assert isinstance(signed, Actor)
            host = signed
    who = {}
    for name, _, _ in STAFF:
        a = sign_on(conn, name, "246810", clock=clock)
        assert isinstance(a, Actor), a
        who[name] = a
    yield Venue(conn, s, who, clock)
    conn.close()


def refused_without_writing(v: Venue, code: str, call, words: str) -> None:
    """`call()` is refused naming who may (`words`), and the database is unchanged."""
    TESTED.add(code)
    before = _written(v.conn)
    got = call()
    problems = getattr(got, "problems", None)
    if problems is not None:    # a register import: refused as a problem of the whole file
        assert [p.row for p in problems] == [None], problems
        got = Refusal("NOT_ALLOWED", problems[0].reason)
    msg = got.message
    assert (getattr(got, "code", None) in ("NOT_ALLOWED", "SAME_CLERK", "RESOLVER_ENTERED")
            or getattr(got, "outcome", None) is Outcome.NOT_ALLOWED), got
    assert words in msg, msg
    assert _written(v.conn) == before


def test_open_mode_without_a_staff_list_keeps_free_text_operators(db_path) -> None:
    clock = FixedClock(T0, 1.0)
    conn = connect(db_path)
    s = small_meeting(conn, clock, RuleSet.PARTY, voters=5, candidates=CANDS, seats=1)
    for code in PERMISSIONS:
        assert check(conn, code, "随便谁") is None
    r = att.sign_in(conn, s.meeting, s.voter_ids[0], "一号台", "随便谁", clock)
    assert r.outcome is Outcome.SIGNED_IN


def test_sign_in_sign_out_and_return(venue: Venue) -> None:
    v, m, pid = venue, venue.s.meeting, venue.s.voter_ids[0]
    for who in ("冯工作", "孙计票"):
        refused_without_writing(v, "sign_in", lambda w=who: att.sign_in(
            v.conn, m, pid, "一号台", v.who[w], v.clock), "「签到」只有签到员或主持人可以操作")
    plain = att.sign_in(v.conn, m, pid, "一号台", "钱签到", v.clock)   # a name without a PIN
    assert plain.outcome is Outcome.NOT_ALLOWED and "请先选择本人姓名并输入PIN登录" in plain.message
    assert f"{v.who['冯工作'].name}（工作人员）不能操作" in att.sign_in(
        v.conn, m, pid, "一号台", v.who["冯工作"], v.clock).message
    assert att.sign_in(v.conn, m, pid, "一号台", v.who["钱签到"], v.clock).outcome is Outcome.SIGNED_IN
    assert att.sign_in(v.conn, m, v.s.voter_ids[1], "一号台", v.who["赵主持"],
                       v.clock).outcome is Outcome.SIGNED_IN
    refused_without_writing(v, "sign_out", lambda: att.sign_out(
        v.conn, m, pid, "一号台", v.who["周监票"], v.clock), "「中途退场/返回会场」只有签到员或主持人")
    assert att.sign_out(v.conn, m, pid, "一号台", v.who["钱签到"], v.clock).outcome is Outcome.SIGNED_OUT
    refused_without_writing(v, "sign_out", lambda: att.return_(
        v.conn, m, pid, "一号台", v.who["冯工作"], v.clock), "只有签到员或主持人")
    assert att.return_(v.conn, m, pid, "一号台", v.who["钱签到"], v.clock).outcome is Outcome.RETURNED
    row = v.conn.execute("SELECT operator FROM attendance_event ORDER BY id LIMIT 1").fetchone()
    assert row == ("钱签到",)


def test_undo_own_desk_by_the_clerk_any_desk_by_the_host(venue: Venue) -> None:
    v, m = venue, venue.s.meeting
    a, b = v.s.voter_ids[:2]
    att.sign_in(v.conn, m, a, "一号台", v.who["钱签到"], v.clock)
    att.sign_in(v.conn, m, b, "二号台", v.who["赵主持"], v.clock)   # not 钱签到's sign-in
    refused_without_writing(v, "undo_own_desk", lambda: att.undo_sign_in(
        v.conn, m, a, "一号台", v.who["孙计票"], v.clock, "签错人"), "「撤销本签到台的签到」只有签到员")
    got = att.undo_sign_in(v.conn, m, a, "一号台", v.who["钱签到"], v.clock, "签错人")
    assert got.outcome is Outcome.UNDONE
    refused_without_writing(v, "undo_any", lambda: att.undo_sign_in(
        v.conn, m, b, "一号台", v.who["钱签到"], v.clock, "签错人"),
        "「撤销其他签到台的签到」只有主持人可以操作；钱签到（签到员）不能操作")
    got = att.undo_sign_in(v.conn, m, b, "一号台", v.who["赵主持"], v.clock, "签错人")
    assert got.outcome is Outcome.UNDONE


def test_lift_exclusion_and_open_voting_are_the_hosts(venue: Venue) -> None:
    v, m = venue, venue.s.meeting
    pid = v.s.voter_ids[5]
    ex = meetings.add_exclusion(v.conn, m.id, pid, ExclusionReason.ABROAD, approval_ref="批001",
                                approved_on="2026-11-01", clock=v.clock, actor=v.who["赵主持"])
    assert not isinstance(ex, Refusal), ex
    refused_without_writing(v, "lift_exclusion", lambda: att.lift_exclusion(
        v.conn, m, pid, "一号台", v.who["钱签到"], v.clock, "本人到会"),
        "「撤销不计入应到」只有主持人可以操作")
    got = att.lift_exclusion(v.conn, m, pid, "一号台", v.who["赵主持"], v.clock, "本人到会")
    assert got.outcome is Outcome.LIFTED
    refused_without_writing(v, "open_voting", lambda: att.open_voting(
        v.conn, m, "第1次投票", v.who["钱签到"], v.clock), "「宣布开始投票（固定实到人数）」只有主持人")
    assert not isinstance(att.open_voting(v.conn, m, "第1次投票", v.who["赵主持"], v.clock), Refusal)
    TESTED.add("resolve_duplicate")   # same check (tests/app/staff: test_resolve_duplicate...)


def _counted_round(v: Venue, double: bool = True) -> VotingRound:
    for pid in v.s.voter_ids[:10]:
        att.sign_in(v.conn, v.s.meeting, pid, "一号台", v.who["钱签到"], v.clock)
    refused_without_writing(v, "open_round", lambda: open_round(
        v.conn, v.s.contest.id, actor=v.who["周监票"], clock=v.clock),
        "「开始投票轮次（含下一轮）」只有主持人")
    r = open_round(v.conn, v.s.contest.id, actor=v.who["赵主持"], clock=v.clock,
                   double_entry=double)
    assert isinstance(r, VotingRound), r
    return r


def test_ballot_entry_a_and_b_by_different_tellers_and_differences_by_a_scrutineer(
        venue: Venue) -> None:
    v = venue
    r = _counted_round(v)
    refused_without_writing(v, "enter_ballots", lambda: enter_ballot(
        v.conn, r.id, "A", "1", clerk=v.who["周监票"], clock=v.clock),
        "「录入选票或计票单（录入组A/B）」只有计票人（A组和B组须为不同的人；"
        "本轮指定了计票人的，只限指定的人）可以操作")
    assert not isinstance(enter_ballot(v.conn, r.id, "A", "1", clerk=v.who["孙计票"],
                                       clock=v.clock), Refusal)
    refused_without_writing(v, "enter_ballots", lambda: enter_ballot(
        v.conn, r.id, "B", "1", clerk=v.who["孙计票"], clock=v.clock),
        "录入组A和B须由不同的人录入：孙计票 已录入组A")
    assert not isinstance(enter_ballot(v.conn, r.id, "B", "2", clerk=v.who["王双岗"],
                                       clock=v.clock), Refusal)
    diff = compare_entries(v.conn, r.id)
    assert not isinstance(diff, Refusal) and diff.differences
    for who, words in (("李计票", "「裁定两组录入的差异」只有监票人"),
                       ("王双岗", "须由未参加录入的监票人裁定：王双岗 录入了组B")):
        refused_without_writing(v, "resolve_difference", lambda w=who: resolve_difference(
            v.conn, r.id, 1, "A", why="核对原票", actor=v.who[w], clock=v.clock), words)
    got = resolve_difference(v.conn, r.id, 1, "A", why="核对原票", actor=v.who["周监票"],
                             clock=v.clock)
    assert not isinstance(got, Refusal), got


def test_boxes_officials_lock_by_two_scrutineers_unlock_by_the_chief(venue: Venue) -> None:
    v = venue
    r = _counted_round(v, double=False)
    for _ in range(10):
        assert not isinstance(enter_ballot(v.conn, r.id, "A", "1", clerk=v.who["孙计票"],
                                           clock=v.clock), Refusal)
    refused_without_writing(v, "box_figures", lambda: record_box(
        v.conn, r.id, "主票箱", printed=12, issued=10, returned=10, actor=v.who["赵主持"],
        clock=v.clock), "「登记票箱发票/收票数」只有监票人可以操作")
    assert not isinstance(record_box(v.conn, r.id, "主票箱", printed=12, issued=10, returned=10,
                                     actor=v.who["周监票"], clock=v.clock), Refusal)
    refused_without_writing(v, "round_manage", lambda: set_officials(
        v.conn, r.id, scrutineers=["周监票"], counters=["孙计票"], actor=v.who["周监票"],
        clock=v.clock), "只有主持人")
    not_staff = set_officials(v.conn, r.id, scrutineers=["路人甲"], counters=["孙计票"],
                              actor=v.who["赵主持"], clock=v.clock)
    assert isinstance(not_staff, Refusal) and not_staff.code == "NOT_STAFF"
    assert not isinstance(set_officials(v.conn, r.id, scrutineers=["周监票", "吴总监"],
                                        counters=["孙计票"], actor=v.who["赵主持"],
                                        clock=v.clock), Refusal)
    assert not isinstance(close_round(v.conn, r.id, actor=v.who["赵主持"], clock=v.clock), Refusal)
    one, chief, other, teller = (v.who[n] for n in ("周监票", "吴总监", "郑监票", "孙计票"))
    for first, second, words in ((one, None, "还需要第二个人输入PIN"),
                                 (one, one, "两个人必须不同"),
                                 (one, teller, "孙计票（计票人）不能操作"),
                                 (one, "吴总监", "请先选择本人姓名并输入PIN登录")):
        refused_without_writing(v, "lock_result", lambda f=first, s=second: lock_round(
            v.conn, r.id, actor=f, second=s, clock=v.clock),
            "「锁定结果」只有两名不同的监票人（或总监票人和一名监票人）各自输入PIN可以操作")
        assert words in lock_round(v.conn, r.id, actor=first, second=second,
                                   clock=v.clock).message
    locked = lock_round(v.conn, r.id, actor=one, second=other, clock=v.clock)
    assert not isinstance(locked, Refusal), locked
    row = v.conn.execute("SELECT actor, detail FROM audit WHERE action = 'round_locked'").fetchone()
    assert row[0] == "周监票" and '"second":"郑监票"' in row[1]
    refused_without_writing(v, "unlock_result", lambda: unlock_round(
        v.conn, r.id, why="复核", actor=one, clock=v.clock),
        "「解锁结果」只有总监票人（须写明原因）可以操作；周监票（监票人）不能操作")
    assert not isinstance(unlock_round(v.conn, r.id, why="复核", actor=chief, clock=v.clock),
                          Refusal)
    assert not isinstance(close_round(v.conn, r.id, actor=v.who["赵主持"], clock=v.clock), Refusal)
    assert not isinstance(lock_round(v.conn, r.id, actor=chief, second=one, clock=v.clock),
                          Refusal)


def test_setup_is_the_hosts(venue: Venue) -> None:
    from app.meetings.items import add_desk

    v, m = venue, venue.s.meeting
    calls = {
        "新建会议": lambda who: meetings.create_meeting(
            v.conn, code="m2", title="第二次会议", community="幸福社区",
            organisation=m.organisation, rules=m.rules, form=m.form, date="2026-11-29",
            clock=v.clock, actor=who),
        "不计入应到": lambda who: meetings.add_exclusion(
            v.conn, m.id, v.s.voter_ids[7], ExclusionReason.ABROAD, approval_ref="批002",
            approved_on="2026-11-01", clock=v.clock, actor=who),
        "签到台": lambda who: add_desk(v.conn, m.id, "三号台", [], clock=v.clock, actor=who),
        "职位": lambda who: meetings.add_contest(
            v.conn, m.id, code="secretary", title="书记", kind=v.s.contest.kind, seats=1,
            clock=v.clock, actor=who)}
    from app.register.importer import import_register

    sheet = Path(v.conn.execute("PRAGMA database_list").fetchone()[2]).parent / "名册.csv"
    sheet.write_text("姓名,性别\n新来的,男\n", encoding="utf-8")
    calls["导入名册"] = lambda who: import_register(v.conn, sheet, now=T0.isoformat(), actor=who)
    for what, call in calls.items():
        refused_without_writing(v, "setup", lambda c=call: c(v.who["钱签到"]),
                                "「修改选举设置（会议、名册、职位、候选人、不计入应到、请假、委托、签到台）」只有主持人可以操作")
        got = call(v.who["赵主持"])
        assert not isinstance(got, Refusal) and not getattr(got, "problems", None), (what, got)


def test_counting_options_frozen_once_voting_opened(venue: Venue) -> None:
    v, m = venue, venue.s.meeting
    refused_without_writing(v, "setup", lambda: meetings.set_options(
        v.conn, m.id, {"runoff_margin": "twenty_percent"}, clock=v.clock, actor=v.who["钱签到"]),
        "「修改选举设置（会议、名册、职位、候选人、不计入应到、请假、委托、签到台）」只有主持人")
    r = _counted_round(v, double=False)
    for _ in range(10):
        enter_ballot(v.conn, r.id, "A", "1", clerk=v.who["孙计票"], clock=v.clock)
    record_box(v.conn, r.id, "主票箱", printed=12, issued=10, returned=10, actor=v.who["周监票"],
               clock=v.clock)
    set_officials(v.conn, r.id, scrutineers=["周监票", "吴总监"], counters=["孙计票"],
                  actor=v.who["赵主持"], clock=v.clock)
    close_round(v.conn, r.id, actor=v.who["赵主持"], clock=v.clock)
    assert not isinstance(lock_round(v.conn, r.id, actor=v.who["周监票"], second=v.who["吴总监"],
                                     clock=v.clock), Refusal)
    same = {"quorum_inclusive": False, "runoff_turnout_required": True,   # the defaults, as the
            "write_in_counts_for_candidate": True, "runoff_margin": "more"}  # setup page sends
    assert not isinstance(meetings.set_options(v.conn, m.id, same, clock=v.clock,
                                               actor=v.who["赵主持"]), Refusal)
    before = _written(v.conn)
    frozen = meetings.set_options(v.conn, m.id, {"quorum_inclusive": True}, clock=v.clock,
                                  actor=v.who["赵主持"])
    assert isinstance(frozen, Refusal) and frozen.code == "FROZEN" and "不能再改" in frozen.message
    assert _written(v.conn) == before
    refused_without_writing(v, "rules_correction", lambda: meetings.set_options(
        v.conn, m.id, {"quorum_inclusive": True}, clock=v.clock, actor=v.who["吴总监"],
        why="选项录错"), "「投票开始后更正会议规则、形式或计票选项」只有主持人（须写明原因）")
    got = meetings.set_options(v.conn, m.id, {"quorum_inclusive": True}, clock=v.clock,
                               actor=v.who["赵主持"], why="选项录错")
    assert not isinstance(got, Refusal), got
    kinds = [k for (k,) in v.conn.execute("SELECT kind FROM round_event WHERE round_id = ?"
                                          " ORDER BY id", (r.id,))]
    assert kinds[-1] == "unlocked"
    row = v.conn.execute("SELECT detail FROM audit WHERE action = 'meeting_options_corrected'"
                         ).fetchone()
    assert row is not None and "选项录错" in row[0] and f"[{r.id}]" in row[0]


def test_resolve_duplicate_and_revoke_proxy_are_the_hosts(venue: Venue, db_path: Path,
                                                          tmp_path: Path) -> None:
    from app.attendance.merge import export_events, merge_events
    from tests.app.sync.sync_venue import copy_db

    v, m = venue, venue.s.meeting
    pid = v.s.voter_ids[3]
    other = tmp_path / "other.db"
    copy_db(db_path, other)
    o = connect(other)
    clerk2 = sign_on(o, "钱签到", "246810", clock=v.clock)
    assert att.sign_in(o, m, pid, "二号台", clerk2, v.clock).outcome is Outcome.SIGNED_IN
    assert att.sign_in(v.conn, m, pid, "一号台", v.who["钱签到"], v.clock).outcome is \
        Outcome.SIGNED_IN
    merge_events(v.conn, m, export_events(o, m))
    o.close()
    (dup,) = att.attendance_summary(v.conn, m).duplicates
    key = dup.duplicate.key
    refused_without_writing(v, "resolve_duplicate", lambda: att.resolve_duplicate(
        v.conn, m, key, "一号台", v.who["钱签到"], v.clock, "同一人两台签到"),
        "「处理重复签到」只有主持人可以操作")
    got = att.resolve_duplicate(v.conn, m, key, "一号台", v.who["赵主持"], v.clock, "同一人两台签到")
    assert got.outcome is Outcome.RESOLVED
    late = v.s.voter_ids[4]
    refused_without_writing(v, "revoke_proxy", lambda: att.revoke_proxy_and_sign_in(
        v.conn, m, late, "一号台", v.who["钱签到"], v.clock, "本人到场"), "「撤销委托」只有主持人")
    got = att.revoke_proxy_and_sign_in(v.conn, m, late, "一号台", v.who["赵主持"], v.clock,
                                       "本人到场")
    assert got.outcome is Outcome.SIGNED_IN


def test_export_backup_and_host_mode_are_the_hosts(venue: Venue, db_path: Path) -> None:
    """Through the use case for the export; backup and host mode check the file the same way
    (app.permissions.check_path; the commands in tests/e2e/test_cli_staff.py)."""
    from app.export.build import build_package
    from app.keys import load_or_create
    from app.permissions import check_path

    v = venue
    refused_without_writing(v, "export", lambda: build_package(
        db_path, key=load_or_create(), at=T0, actor=v.who["钱签到"]),
        "「导出报送包」只有主持人可以操作；钱签到（签到员）不能操作")
    for code, words in (("backup", "「备份数据库」只有主持人"),
                        ("host_mode", "「开启联网签到主机」只有主持人")):
        TESTED.add(code)
        denied = check_path(db_path, code, v.who["周监票"])
        assert denied is not None and words in denied.message
        assert check_path(db_path, code, v.who["赵主持"]) is None
    TESTED.add("staff")   # tests/app/staff/test_staff.py: only a signed-on host manages the list


def test_scanned_ballots_are_decided_by_scrutineers_two_where_doubtful(tmp_path: Path) -> None:
    """schema-v8.db holds a flagged scanned ballot and a staff list (its PIN hashes are
    placeholders, so the signed-on members are made as app.staff.sign_on makes them)."""
    import shutil

    from app.permissions import Role
    from app.scan.adjudicate import decide
    from tests.pdtest import FIXTURES

    path = tmp_path / "v8.db"
    shutil.copy(FIXTURES / "schema-v8.db", path)
    conn = connect(path)
    clock = FixedClock(T0)

    def member(name: str, *roles: Role, chief: bool = False) -> Actor:
        # check() reads the member's roles from the list: they are put on the fixture's list
        from db import staff as qs

        if qs.by_name(conn, name) is None:
            with conn:
                qs.insert(conn, name=name, roles=tuple(r.value for r in roles), chief=chief,
                          person_id=None, pin_hash="ab", pin_salt="00", n=2, r=1, p=1,
                          at="2026-11-22T08:00:00+08:00", by="主持人")
        return Actor(name, frozenset(roles), chief=chief, verified=True)

    # The fixture's flagged page 1 is already counted into entry A (decide then answers
    # ALREADY_COUNTED before anyone's right is asked): a second flagged page, not counted.
    with conn:
        conn.execute("INSERT INTO scan_page (id, batch_id, position, file_id, page, status,"
                     " reason, layout_code, dpi, residual_mm, upside_down, marks, write_in_rows,"
                     " scores, flags) SELECT 3, batch_id, 3, file_id, page, status, reason,"
                     " layout_code, dpi, residual_mm, upside_down, marks, write_in_rows, scores,"
                     " flags FROM scan_page WHERE id = 1")
    one, chief = member("周监票", Role.SCRUTINEER), member("王五", Role.SCRUTINEER, chief=True)
    clerk = member("孙计票", Role.TELLER)
    before = conn.execute("SELECT count(*) FROM scan_decision").fetchone()
    for first, second, words in ((clerk, one, "孙计票（计票人）不能操作"),
                                 (one, "王五", "请先选择本人姓名并输入PIN登录")):
        got = decide(conn, 3, "o-", first=first, second=second, clock=clock)
        assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED" and words in got.message
        assert "「认定扫描中存疑或无效的选票」只有监票人" in got.message
    assert conn.execute("SELECT count(*) FROM scan_decision").fetchone() == before
    got = decide(conn, 3, "o-", first=one, second=chief, clock=clock)
    assert not isinstance(got, Refusal), got
    TESTED.add("adjudicate_ballot")


def test_every_row_of_the_table_is_tested_here() -> None:
    """Last in the file: each permission code went through its use case above."""
    assert set(PERMISSIONS) - TESTED == set()


def test_a_withdrawn_entry_does_not_make_its_clerk_a_clerk_of_that_group(venue: Venue) -> None:
    """The walk: 乙 stayed on 录入组 A after 切换人员, entered one ballot there, withdrew it
    (录错组别), and was then refused every B ballot. Only entries that stand count for A≠B;
    a person with a standing A entry is still refused B."""
    from app.voting import withdraw_ballot

    v = venue
    r = _counted_round(v)
    for keys in ("1", "2", "0"):
        assert not isinstance(enter_ballot(v.conn, r.id, "A", keys, clerk=v.who["孙计票"],
                                           clock=v.clock), Refusal)
    wrong = enter_ballot(v.conn, r.id, "A", "1", clerk=v.who["李计票"], clock=v.clock)
    assert not isinstance(wrong, Refusal), wrong
    got = withdraw_ballot(v.conn, r.id, "A", wrong.seq, why="录错组别", clerk=v.who["李计票"],
                          clock=v.clock)
    assert not isinstance(got, Refusal), got
    b = enter_ballot(v.conn, r.id, "B", "1", clerk=v.who["李计票"], clock=v.clock)
    assert not isinstance(b, Refusal), b
    assert b.clerk == v.who["李计票"]
    refused_without_writing(v, "enter_ballots", lambda: enter_ballot(
        v.conn, r.id, "B", "2", clerk=v.who["孙计票"], clock=v.clock),
        "录入组A和B须由不同的人录入：孙计票 已录入组A")
    # 李计票 now stands in B: back to A is refused, the withdrawn A row notwithstanding
    refused_without_writing(v, "enter_ballots", lambda: enter_ballot(
        v.conn, r.id, "A", "2", clerk=v.who["李计票"], clock=v.clock),
        "录入组A和B须由不同的人录入：李计票 已录入组B")
