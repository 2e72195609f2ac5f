"""What the results printed from a validation may show, and the entry's count against the
boxes (app.voting.report, app.voting.entry.over_returned): decided in the core, the 结果 and
逐张录入 pages only show it."""

from __future__ import annotations

from app.meetings import Contest, Refusal, add_contest, create_meeting
from app.model import ContestKind, Form, Meeting, Organisation, RuleSet
from app.voting import (
    MeetingValidation,
    VotingRound,
    close_round,
    enter_ballots,
    load_round,
    lock_round,
    open_round,
    record_box,
    set_officials,
    validate_meeting,
)
from app.voting.entry import over_returned
from app.voting.report import NEEDS_LOCK, not_entered, not_final, unlocked
from db.connection import connect
from tests.app.voting.voting_venue import ballots, sign_in_first, small_meeting

CANDS = ["甲一", "乙二", "丙三"]


def _validated(conn, meeting_id: int) -> MeetingValidation:
    mv = validate_meeting(conn, meeting_id)
    assert isinstance(mv, MeetingValidation), mv
    return mv


def test_nothing_entered_not_voted_and_not_locked_until_the_lock(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    s = small_meeting(conn, fixed_clock, RuleSet.PARTY, voters=6, candidates=CANDS, seats=2)
    sign_in_first(s, 6, fixed_clock)
    second = add_contest(conn, s.meeting.id, code="sj", title="书记", kind=ContestKind.LEADER,
                         seats=1, clock=fixed_clock, actor="t")
    assert isinstance(second, Contest)
    r = open_round(conn, s.contest.id, actor="主持人", clock=fixed_clock, double_entry=False)
    assert isinstance(r, VotingRound)
    mv = _validated(conn, s.meeting.id)
    v = mv.contests[0].rounds[0]
    assert not_entered(v)                    # no ballot yet: printed as 尚未录入, never zeros
    assert unlocked(mv) == [r.label]
    why = not_final(mv, NEEDS_LOCK["notice"])
    assert why is not None and f"尚未锁定：{r.label}" in why and "尚未投票：书记" in why
    assert why.startswith("选举结果尚未锁定，不能打印公告")
    enter_ballots(conn, r.id, "A", ballots(r.names, [(6, ["甲一", "乙二"])]), clerk="甲",
                  clock=fixed_clock)
    mv = _validated(conn, s.meeting.id)
    assert not not_entered(mv.contests[0].rounds[0])
    # The boxes gave back 5: six ballots entered are more, five are not; no box, no comparison.
    assert not over_returned(load_round(conn, r.id), 99)
    record_box(conn, r.id, "主票箱", printed=8, issued=6, returned=5, actor="x", clock=fixed_clock)
    boxed = load_round(conn, r.id)
    assert over_returned(boxed, 6) and not over_returned(boxed, 5)
    record_box(conn, r.id, "主票箱", printed=8, issued=6, returned=6, actor="x", clock=fixed_clock)
    set_officials(conn, r.id, scrutineers=["监票甲", "监票乙"], counters=["计票甲"], actor="x",
                  clock=fixed_clock)
    close_round(conn, r.id, actor="主持人", clock=fixed_clock)
    assert not isinstance(lock_round(conn, r.id, actor="主持人", clock=fixed_clock), Refusal)
    mv = _validated(conn, s.meeting.id)
    assert unlocked(mv) == []
    why = not_final(mv, "当选证书")
    assert why is not None and "尚未锁定：" not in why and "（尚未投票：书记）" in why
    conn.close()


def test_a_meeting_without_contests_prints_nothing_final(db_path, fixed_clock) -> None:
    conn = connect(db_path)
    m = create_meeting(conn, code="x", title="空会议", community="幸福社区",
                       organisation=Organisation.PARTY_COMMITTEE, rules=RuleSet.PARTY,
                       form=Form.ASSEMBLY, date="2026-11-22", clock=fixed_clock, actor="t")
    assert isinstance(m, Meeting)
    mv = _validated(conn, m.id)
    assert not_final(mv, "公告") == "空会议 没有选举事项，不能打印公告"
    assert unlocked(mv) == []
    conn.close()
