"""Ways around the permission table found by attacking it, each pinned where a staff list exists:
a use case that wrote without asking who acts, a refused action that wrote, an Actor that stays
good after its member left the list."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import meetings
from app.clock import FixedClock
from app.meetings import Refusal
from app.model import RuleSet
from app.permissions import Actor, Role
from app.staff import add_staff, sign_on
from app.voting import VotingRound, enter_ballot, open_round, transfer
from db.connection import connect
from tests.app.staff.test_permissions import CANDS, STAFF, T0, Venue, _written
from tests.app.voting.voting_venue import small_meeting


@pytest.fixture
def venue(db_path: Path) -> Iterator[Venue]:
    """The venue of test_permissions: a meeting and a staff list, everyone signed on."""
    clock = FixedClock(T0, 1.0)
    conn = connect(db_path)
    s = small_meeting(conn, clock, RuleSet.PARTY, voters=12, candidates=CANDS, seats=1)
    who: dict[str, Actor] = {}
    for name, roles, chief in STAFF:
        got = add_staff(conn, name, roles, "246810", actor=who.get("赵主持", ""), clock=clock,
                        chief=chief)
        assert not isinstance(got, Refusal), got
        a = sign_on(conn, name, "246810", clock=clock)
        assert isinstance(a, Actor), a
        who[name] = a
    yield Venue(conn, s, who, clock)
    conn.close()


def _round(v: Venue) -> VotingRound:
    from app import attendance as att

    for pid in v.s.voter_ids[:10]:
        att.sign_in(v.conn, v.s.meeting, pid, "一号台", v.who["钱签到"], v.clock)
    r = open_round(v.conn, v.s.contest.id, actor=v.who["赵主持"], clock=v.clock,
                   double_entry=True)
    assert isinstance(r, VotingRound), r
    return r


def _entry_b_from_a_copy(v: Venue, r: VotingRound, tmp: Path, clerk: str) -> dict[str, object]:
    """Clerk `clerk` enters B on a second laptop holding a copy of the database; its file."""
    copy_path = tmp / "second-laptop.db"
    dest = sqlite3.connect(copy_path)
    v.conn.backup(dest)
    dest.close()
    other = connect(copy_path)
    try:
        who = sign_on(other, clerk, "246810", clock=v.clock)
        assert not isinstance(who, Refusal), who
        got = enter_ballot(other, r.id, "B", "1", clerk=who, clock=v.clock)
        assert not isinstance(got, Refusal), got
        doc = transfer.export_entry(other, v.s.meeting, r.id, "B", at="2026-11-22T10:00:00+08:00")
        assert isinstance(doc, dict), doc
        return doc
    finally:
        other.close()


def test_an_entry_file_of_the_same_teller_as_entry_a_is_refused(venue: Venue,
                                                                   tmp_path: Path) -> None:
    """A = B through the second laptop: 孙计票 enters A here and B on a copy; importing B's file
    wrote it without the SAME_CLERK rule of keyboard entry."""
    v = venue
    r = _round(v)
    doc = _entry_b_from_a_copy(v, r, tmp_path, "孙计票")
    assert not isinstance(enter_ballot(v.conn, r.id, "A", "1", clerk=v.who["孙计票"],
                                       clock=v.clock), Refusal)
    before = _written(v.conn)
    got = transfer.import_entry(v.conn, v.s.meeting, doc, file_name="b.pollday-entry",
                                actor=v.who["周监票"], clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "SAME_CLERK", got
    assert "孙计票 已录入组A" in got.message
    assert _written(v.conn) == before


def test_an_entry_file_is_imported_only_by_the_counting_team(venue: Venue,
                                                             tmp_path: Path) -> None:
    v = venue
    r = _round(v)
    doc = _entry_b_from_a_copy(v, r, tmp_path, "李计票")
    before = _written(v.conn)
    for who in ("钱签到", "冯工作"):
        got = transfer.import_entry(v.conn, v.s.meeting, doc, file_name="b.pollday-entry",
                                    actor=v.who[who], clock=v.clock)
        assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
        assert "计票人或监票人" in got.message, got.message
    plain = transfer.import_entry(v.conn, v.s.meeting, doc, file_name="b.pollday-entry",
                                  actor="周监票", clock=v.clock)   # a name without a PIN
    assert isinstance(plain, Refusal) and plain.code == "NOT_ALLOWED", plain
    assert _written(v.conn) == before
    got = transfer.import_entry(v.conn, v.s.meeting, doc, file_name="b.pollday-entry",
                                actor=v.who["周监票"], clock=v.clock)
    assert not isinstance(got, Refusal) and got.added == 1, got


def test_an_entry_file_naming_someone_off_the_list_is_refused(venue: Venue,
                                                             tmp_path: Path) -> None:
    """The file is not signed: its clerk names are claims. Where a staff list exists each must be
    a 计票人 of this list."""
    v = venue
    r = _round(v)
    doc = _entry_b_from_a_copy(v, r, tmp_path, "李计票")
    rows = doc["rows"]
    assert isinstance(rows, list)
    for clerk in ("路人甲", "钱签到"):
        forged = {**doc, "rows": [{**rows[0], "clerk": clerk}]}
        forged["sha256"] = transfer._digest(forged)
        before = _written(v.conn)
        got = transfer.import_entry(v.conn, v.s.meeting, forged, file_name="b.pollday-entry",
                                    actor=v.who["周监票"], clock=v.clock)
        assert isinstance(got, Refusal) and got.code == "NOT_STAFF", got
        assert clerk in got.message
        assert _written(v.conn) == before


def test_a_member_taken_off_the_list_can_no_longer_act(venue: Venue) -> None:
    """The 主持人 removes 钱签到 (and a second 主持人 removes the first): the Actors they signed on
    with before are refused from then on, naming why, and nothing is written."""
    from app import attendance as att
    from app.attendance import Outcome
    from app.staff import remove_staff

    v, m = venue, venue.s.meeting
    assert not isinstance(add_staff(v.conn, "陈主持", ["主持人"], "135790", actor=v.who["赵主持"],
                                    clock=v.clock), Refusal)
    second_host = sign_on(v.conn, "陈主持", "135790", clock=v.clock)
    assert isinstance(second_host, Actor)
    clerk = v.who["钱签到"]
    assert not isinstance(remove_staff(v.conn, "钱签到", actor=v.who["赵主持"], clock=v.clock),
                          Refusal)
    before = _written(v.conn)
    got = att.sign_in(v.conn, m, v.s.voter_ids[0], "一号台", clerk, v.clock)
    assert got.outcome is Outcome.NOT_ALLOWED, got
    assert "钱签到 已不在工作人员名单中" in got.message, got.message
    assert _written(v.conn) == before
    assert not isinstance(remove_staff(v.conn, "赵主持", actor=second_host, clock=v.clock),
                          Refusal)
    before = _written(v.conn)
    again = add_staff(v.conn, "钱签到", ["签到员"], "135790", actor=v.who["赵主持"],
                      clock=v.clock)
    assert isinstance(again, Refusal) and again.code == "NOT_ALLOWED", again
    assert _written(v.conn) == before


def test_a_plenary_elector_is_removed_only_by_the_host(venue: Venue) -> None:
    from app.model import Form, Organisation

    v = venue
    host = v.who["赵主持"]
    m = meetings.create_meeting(v.conn, code="qw", title="党委全体会议", community="测试社区",
                                organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                                form=Form.PLENARY, date="2026-11-22", clock=v.clock, actor=host)
    assert not isinstance(m, Refusal), m
    pid = v.s.voter_ids[0]
    assert meetings.add_electors(v.conn, m.id, [pid], clock=v.clock, actor=host) == 1
    before = _written(v.conn)
    got = meetings.remove_elector(v.conn, m.id, pid, clock=v.clock, actor=v.who["钱签到"])
    assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
    assert _written(v.conn) == before
    assert meetings.elector_ids(v.conn, m.id) == {pid}
    assert meetings.remove_elector(v.conn, m.id, pid, clock=v.clock, actor=host) is True


def test_the_scan_print_setting_is_the_hosts(venue: Venue) -> None:
    from app.scan.setup import print_setting, set_print_setting

    v = venue
    before = _written(v.conn)
    got = set_print_setting(v.conn, v.s.meeting.id, markers=True, qr=False,
                            actor=v.who["孙计票"], clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
    assert _written(v.conn) == before and not print_setting(v.conn, v.s.meeting.id).markers
    got = set_print_setting(v.conn, v.s.meeting.id, markers=True, qr=False,
                            actor=v.who["赵主持"], clock=v.clock)
    assert not isinstance(got, Refusal) and got.markers


def test_revoking_a_desk_is_the_hosts(venue: Venue) -> None:
    from app.sync.registry import revoke_desk
    from db import sync as qs

    v = venue
    with v.conn:
        qs.insert_desk_key(v.conn, desk="一号台", public_key="00" * 32, certificate="00" * 64,
                           at="2026-11-22T08:00:00+08:00")
    before = _written(v.conn)
    words = revoke_desk(v.conn, "一号台", reason="笔记本遗失", actor=v.who["钱签到"],
                        clock=v.clock)
    assert "主持人" in words, words
    assert _written(v.conn) == before
    assert revoke_desk(v.conn, "一号台", reason="笔记本遗失", actor=v.who["赵主持"],
                       clock=v.clock) == ""


def test_desks_receive_the_pins_of_those_who_sign_on_there_only(tmp_path: Path) -> None:
    """A desk laptop holds the hashes of the staff who may sign on there (签到员, 主持人): a
    stolen desk must not hand the 监票人's and 计票人's hashes to an offline guesser (lock,
    unlock, entry are theirs). The register version is the same on both sides."""
    from app.sync import register
    from db import sync as q
    from db.tx import transaction
    from tests.app.sync.sync_venue import copy_db, make_assembly

    clock = FixedClock(T0, 1.0)
    host = tmp_path / "host.db"
    make_assembly(host, 10)
    desk = tmp_path / "desk.db"
    copy_db(host, desk)
    h = connect(host)
    assert not isinstance(add_staff(h, "赵主持", ["主持人"], "246810", actor="", clock=clock),
                          Refusal)
    chair = sign_on(h, "赵主持", "246810", clock=clock)
    assert isinstance(chair, Actor)
    for name, roles, chief in (("钱签到", ["签到员"], False), ("吴总监", ["监票人"], True),
                               ("孙计票", ["计票人"], False)):
        assert not isinstance(add_staff(h, name, roles, "135792", actor=chair, clock=clock,
                                        chief=chief), Refusal)
    joined = tmp_path / "joined.db"
    q.copy_for_desk(h, joined)
    refresh = tmp_path / "refresh.db"
    q.copy_register_for_desk(h, refresh)
    version = q.register_version(h)
    h.close()
    for f in (joined, refresh):
        c = sqlite3.connect(f)
        hashes = dict(c.execute("SELECT name, pin_hash FROM staff").fetchall())
        c.close()
        assert hashes["吴总监"] == "" and hashes["孙计票"] == "", f
        assert hashes["赵主持"] and hashes["钱签到"], f
    assert q.register_version_of_file(refresh) == version
    d = connect(desk)
    with transaction(d):
        register.record_joined(d)
    register.take(d, host, desk="一号台", clock=clock)   # even from the whole host file
    assert isinstance(sign_on(d, "钱签到", "135792", clock=clock), Actor)
    assert isinstance(sign_on(d, "赵主持", "246810", clock=clock), Actor)
    assert isinstance(sign_on(d, "吴总监", "135792", clock=clock), Refusal)
    assert d.execute("SELECT pin_hash FROM staff WHERE name = '吴总监'").fetchone() == ("",)
    d.close()


def test_one_person_cannot_be_two_members_under_two_spellings(venue: Venue) -> None:
    """Two rows for one person would let them be both people of a two-person action (lock,
    doubtful ballots) or A and B: a name that differs only in spaces, full-width letters or
    case, or a second member linked to the same register person, is refused."""
    v = venue
    host = v.who["赵主持"]
    for name in ("周 监票", "周监票\u3000", "王双岗 "):
        got = add_staff(v.conn, name, ["监票人"], "135790", actor=host, clock=v.clock)
        assert isinstance(got, Refusal) and got.code == "NAME_TAKEN", (name, got)
    assert not isinstance(add_staff(v.conn, "Li Ming", ["监票人"], "135790", actor=host,
                                    clock=v.clock), Refusal)
    for name in ("ＬＩ ＭＩＮＧ", "liming"):
        got = add_staff(v.conn, name, ["监票人"], "135790", actor=host, clock=v.clock)
        assert isinstance(got, Refusal) and got.code == "NAME_TAKEN", (name, got)
    pid = v.s.voter_ids[3]
    assert not isinstance(add_staff(v.conn, "甲监票", ["监票人"], "135790", actor=host,
                                    clock=v.clock, person_id=pid), Refusal)
    before = _written(v.conn)
    got = add_staff(v.conn, "乙监票", ["监票人"], "135790", actor=host, clock=v.clock,
                    person_id=pid)
    assert isinstance(got, Refusal) and got.code == "PERSON_TAKEN", got
    assert "甲监票" in got.message
    assert _written(v.conn) == before


def test_two_rows_of_one_person_from_before_are_not_two_people(venue: Venue) -> None:
    """Rows written before the list refused them (or by hand): the two-person check still sees
    one person under two spellings, or two names linked to one register person."""
    from app.permissions import check_two
    from app.voting import lock_round
    from db import staff as qs

    v = venue
    pid = v.s.voter_ids[4]
    with v.conn:
        for name in ("甲监票", "甲 监票", "乙监票"):
            qs.insert(v.conn, name=name, roles=("scrutineer",), chief=False,
                      person_id=pid if name != "甲 监票" else None, pin_hash="ab",
                      pin_salt="00", n=2, r=1, p=1, at="2026-11-22T08:00:00+08:00", by="赵主持")
    a, spaced, b = (Actor(n, frozenset({Role.SCRUTINEER}), verified=True)
                    for n in ("甲监票", "甲 监票", "乙监票"))
    for second in (spaced, b):
        denied = check_two(v.conn, "lock_result", a, second)
        assert denied is not None and "是同一人" in denied.message, second
    assert check_two(v.conn, "lock_result", a, v.who["周监票"]) is None
    r = _round(v)
    before = _written(v.conn)
    got = lock_round(v.conn, r.id, actor=a, second=b, clock=v.clock)
    assert isinstance(got, Refusal) and "是同一人" in got.message, got
    assert _written(v.conn) == before


def test_a_database_with_a_staff_list_never_becomes_the_demo(db_path: Path) -> None:
    """The demo runs in open mode: a new election database whose only content is its staff
    list must not be filled with the demo (and marked as it), which would switch the list off."""
    from app import session
    from app.demo import build_demo
    from app.permissions import enforced

    conn = connect(db_path)
    clock = FixedClock(T0, 1.0)
    assert not isinstance(add_staff(conn, "赵主持", ["主持人"], "246810", actor="", clock=clock),
                          Refusal)
    with pytest.raises(ValueError):
        build_demo(conn)
    assert not session.is_demo(conn) and enforced(conn)
    conn.close()


def test_a_database_with_a_staff_list_put_where_the_demo_lives_is_not_marked_demo(
        db_path: Path) -> None:
    """The window marks this laptop's demo file (an old demo without the marker): a real
    database copied there (a file dialog can copy files) must keep its staff list in force."""
    from app import session
    from app.permissions import enforced

    conn = connect(db_path)
    clock = FixedClock(T0, 1.0)
    assert not isinstance(add_staff(conn, "赵主持", ["主持人"], "246810", actor="", clock=clock),
                          Refusal)
    from db.tx import transaction

    with transaction(conn):   # what ui.app_main.mark_old_demo does on the demo file
        if not session.is_demo(conn):
            session.mark_demo(conn)
    assert not session.is_demo(conn) and enforced(conn)
    conn.close()


def test_a_clerk_cannot_make_another_desk_their_own_to_undo_its_sign_ins(venue: Venue) -> None:
    """「撤销本签到台的签到」: the desk a 签到员 names must be one this laptop serves. On the host,
    a joined desk (its key registered) is another desk's; on a joined desk, only its own name is.
    Naming the other desk (the host's desk list, `pollday sign-in --desk`) undid its sign-ins."""
    from app import attendance as att
    from app.attendance import Outcome
    from db import sync as qs

    v, m = venue, venue.s.meeting
    a, b = v.s.voter_ids[:2]
    with v.conn:
        qs.insert_desk_key(v.conn, desk="二号台", public_key="00" * 32, certificate="00" * 64,
                           at="2026-11-22T08:00:00+08:00")
    assert att.sign_in(v.conn, m, a, "二号台", v.who["赵主持"], v.clock).outcome is \
        Outcome.SIGNED_IN   # (as if the joined desk's sign-in arrived)
    assert att.sign_in(v.conn, m, b, "一号台", v.who["钱签到"], v.clock).outcome is \
        Outcome.SIGNED_IN
    before = _written(v.conn)
    got = att.undo_sign_in(v.conn, m, a, "二号台", v.who["钱签到"], v.clock, "签错人")
    assert got.outcome is Outcome.NOT_ALLOWED, got
    assert "「撤销其他签到台的签到」只有主持人" in got.message
    assert _written(v.conn) == before
    assert att.undo_sign_in(v.conn, m, b, "一号台", v.who["钱签到"], v.clock,
                            "签错人").outcome is Outcome.UNDONE
    # a joined desk (一号台) serves itself only
    with v.conn:
        qs.insert_peer(v.conn, room="r", meeting_code=m.code, desk="一号台", instance="i",
                       joined_at="2026-11-22T08:00:00+08:00")
    assert att.sign_in(v.conn, m, b, "三号台", v.who["赵主持"], v.clock).outcome is \
        Outcome.SIGNED_IN
    before = _written(v.conn)
    got = att.undo_sign_in(v.conn, m, b, "三号台", v.who["钱签到"], v.clock, "签错人")
    assert got.outcome is Outcome.NOT_ALLOWED, got
    assert _written(v.conn) == before


def test_the_idle_lock_minutes_are_the_hosts(venue: Venue) -> None:
    """The idle lock guards a laptop left alone; a 签到员 at 准备 · 工作人员名单 set it to 0
    (never) for this database, asked by nobody."""
    from app import session
    from app.staff import set_idle_lock

    v = venue
    got = set_idle_lock(v.conn, 0, actor=v.who["钱签到"], clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
    assert session.idle_lock_minutes(v.conn) == session.IDLE_LOCK_DEFAULT
    assert set_idle_lock(v.conn, 5, actor=v.who["赵主持"], clock=v.clock) == 5
    assert session.idle_lock_minutes(v.conn) == 5


def test_the_scannable_ballot_format_and_the_test_deck_are_the_hosts(venue: Venue) -> None:
    """What the scannable ballots print (format A/B per contest) and the test deck (it takes
    layout codes) were written for anyone at the laptop."""
    from app.scan import testdeck
    from app.scan.setup import contest_format, set_contest_format

    v = venue
    c = v.s.contest
    before = _written(v.conn)
    got = set_contest_format(v.conn, v.s.meeting.id, c.id, "B", contest=c.title,
                             actor=v.who["孙计票"], clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
    assert contest_format(v.conn, c.id) == "A" and _written(v.conn) == before
    deck = testdeck.make_deck(v.conn, c.id, 1, actor=v.who["钱签到"], clock=v.clock)
    assert isinstance(deck, Refusal) and deck.code == "NOT_ALLOWED", deck
    assert _written(v.conn) == before
    assert not isinstance(set_contest_format(v.conn, v.s.meeting.id, c.id, "B", contest=c.title,
                                             actor=v.who["赵主持"], clock=v.clock), Refusal)
    assert contest_format(v.conn, c.id) == "B"


def test_a_clerk_switching_the_desk_list_does_not_undo_another_desks_sign_ins(
        venue: Venue) -> None:
    """Walk finding: on a laptop serving several desks (not a joined desk), 张签到 was refused
    undoing 杜海燕 (signed at 二号台 by 王签到), switched the 签到台 list to 二号台 and undid her.
    There a 签到员's 「撤销本签到台的签到」 is a sign-in they recorded themselves."""
    from app import attendance as att
    from app.attendance import Outcome

    v, m = venue, venue.s.meeting
    got = add_staff(v.conn, "王签到", ["签到员"], "246810", actor=v.who["赵主持"], clock=v.clock)
    assert not isinstance(got, Refusal), got
    wang = sign_on(v.conn, "王签到", "246810", clock=v.clock)
    assert isinstance(wang, Actor), wang
    zhang = v.who["钱签到"]
    a, b = v.s.voter_ids[:2]
    assert att.sign_in(v.conn, m, a, "一号台", zhang, v.clock).outcome is Outcome.SIGNED_IN
    assert att.sign_in(v.conn, m, b, "二号台", wang, v.clock).outcome is Outcome.SIGNED_IN
    before = _written(v.conn)
    for desk in ("一号台", "二号台"):   # the desk list switched to 二号台: still refused
        got = att.undo_sign_in(v.conn, m, b, desk, zhang, v.clock, "签错人")
        assert got.outcome is Outcome.NOT_ALLOWED, (desk, got)
        assert "「撤销其他签到台的签到」只有主持人" in got.message
    assert _written(v.conn) == before
    # their own sign-in they undo, whichever desk the list shows; the 主持人 undoes any
    assert att.undo_sign_in(v.conn, m, a, "二号台", zhang, v.clock, "签错人").outcome is \
        Outcome.UNDONE
    assert att.undo_sign_in(v.conn, m, b, "一号台", v.who["赵主持"], v.clock, "签错人").outcome \
        is Outcome.UNDONE
