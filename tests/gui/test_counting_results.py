"""结果: validation findings with their colours, lock refused with an error and allowed without,
unlock with a reason, the meeting's decision not to fill, the next round pre-filled, documents
to PDF off the GUI thread and to a printer."""

from __future__ import annotations

import subprocess

import pytest
from PySide6.QtPrintSupport import QPrinter

from app import attendance, meetings, voting
from app.clock import FixedClock
from app.model import ContestKind
from app.rules import Ballot, Round
from db.connection import connect
from tests.gui.conftest import CLOCK_START
from tests.gui.test_counting_page import BALLOT_ORDER, counting_db
from ui.pages.results_page import GREEN, RED

ACTOR = "results-test"


def counted_round(path, ballots: list[str], *, code: str = "wy") -> int:
    """A closed first round of contest `code` with `ballots` (marks in ballot order) entered
    twice."""
    conn = connect(path)
    clock = FixedClock(CLOCK_START.replace(hour=10), 1.0)
    party = meetings.meeting_by_code(conn, "party")
    contest = next(c for c in meetings.list_contests(conn, party.id) if c.code == code)
    r = voting.open_round(conn, contest.id, actor=ACTOR, clock=clock, kind=Round.FIRST)
    assert not isinstance(r, meetings.Refusal), r
    assert code != "wy" or r.names == BALLOT_ORDER
    voting.set_officials(conn, r.id, scrutineers=["曾凡荣"], counters=["王䶮"], actor=ACTOR,
                         clock=clock)
    voting.record_box(conn, r.id, "主票箱", printed=6, issued=4, returned=len(ballots),
                      actor=ACTOR, clock=clock)
    for entry in "AB":
        voting.enter_ballots(conn, r.id, entry, [Ballot(m) for m in ballots], clerk=ACTOR,
                             clock=clock)
    closed = voting.close_round(conn, r.id, actor=ACTOR, clock=clock)
    assert not isinstance(closed, meetings.Refusal), closed
    attendance.forget(conn)
    conn.close()
    return r.id


def open_results(qtbot, path):
    from ui.app_main import make_app
    from ui.pages.context import PageContext
    from ui.pages.results_page import ResultsPage

    make_app()
    conn = connect(path)
    ctx = PageContext(conn, path, clock=FixedClock(CLOCK_START.replace(hour=11), 1.0), actor=ACTOR)
    p = ResultsPage(ctx)
    qtbot.addWidget(p)
    p.resize(1280, 800)
    p.show()
    qtbot.waitExposed(p)
    qtbot.waitUntil(lambda: p.is_idle() and p.validation is not None, timeout=5000)
    return p


def validate(qtbot, p):
    p.run_validation()
    qtbot.waitUntil(p.is_idle, timeout=5000)


def findings_text(p) -> list[str]:
    return [p.findings.item(i).text() for i in range(p.findings.count())]


@pytest.fixture
def db(tmp_path):
    return counting_db(tmp_path / "results.db")


def test_lock_refused_with_an_error_then_no_fill_decision_allows_it(qtbot, db, shot):
    # Only 丁薛祥, 习近平, 王毅 get more than half of 实到 4: two seats unfilled.
    counted_round(db, ["ooo---", "ooo---", "ooo---", "---ooo"])
    p = open_results(qtbot, db)
    try:
        assert "尚未完成" in p.summary.text()
        texts = findings_text(p)
        assert any("[错误] 当选人数少于应选名额" in t and "规则：" in t for t in texts)
        assert p.findings.item(0).foreground().color().name() == RED
        assert p.next_button.isEnabled() and p.no_fill_button.isEnabled()
        shot(p, "results-error")
        p.lock()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert "不能锁定" in p.message.text() and "SEATS_UNFILLED" in p.message.text()
        # The meeting decides not to fill: recorded with who and why, then lockable.
        p.ask_no_fill()
        p.dialog.why.setText("当选三人已达委员会最低人数")
        assert p.dialog.decided_by.text() == "党员大会表决通过"
        p.dialog.buttons.accepted.emit()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert any("[已处理]" in t for t in findings_text(p))
        assert any("会议决定不再补选：党员大会表决通过" in t for t in findings_text(p))
        p.lock()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert "已锁定，本轮锁定校验码" in p.message.text()
        assert "已锁定" in p.heading.text() and p.unlock_button.isEnabled()
        assert "选举已完成" in p.summary.text()
        shot(p, "results-no-fill-locked")
    finally:
        p.close()
        p.ctx.conn.close()


def test_runoff_round_is_created_with_seats_and_candidates(qtbot, db):
    counted_round(db, ["ooo---", "ooo---", "ooo---", "---ooo"])
    p = open_results(qtbot, db)
    try:
        p.open_next_round()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert "另行选举" in p.message.text() and "应选 2 名" in p.message.text()
        assert p.rounds.count() == 2
        runoff = p.items[-1].round
        assert runoff.kind is Round.RUNOFF and runoff.seats == 2
        assert set(runoff.names) == {"王沪宁", "李强", "李干杰"}
        assert p.items[0].settled  # the first round's SEATS_UNFILLED is settled by the runoff
    finally:
        p.close()
        p.ctx.conn.close()


def test_tie_at_the_last_seats_opens_a_re_vote_among_the_tied(qtbot, db):
    conn = connect(db)
    clock = FixedClock(CLOCK_START, 1.0)
    party = meetings.meeting_by_code(conn, "party")
    c = meetings.add_contest(conn, party.id, code="jw", title="纪委委员",
                             kind=ContestKind.COMMITTEE, seats=3, clock=clock, actor=ACTOR)
    for name in ("赵一", "钱二", "孙三", "周四"):
        meetings.add_candidate(conn, c.id, name=name, clock=clock, actor=ACTOR)
    conn.close()
    # Every candidate approved on three of four ballots: four qualify for three seats, all tied.
    counted_round(db, ["ooo-", "oo-o", "o-oo", "-ooo"], code="jw")
    p = open_results(qtbot, db)
    try:
        p.rounds.setCurrentRow(0)
        assert p.current.round.contest_code == "jw"
        assert any("末位得票相等" in t for t in findings_text(p))
        assert p.next_button.text() == "开始重新投票…" and p.next_button.isEnabled()
        assert not p.no_fill_button.isEnabled()
        p.open_next_round()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert "重新投票" in p.message.text()
        revote = p.items[-1].round
        assert revote.kind is Round.TIE_REVOTE and len(revote.names) == 4
    finally:
        p.close()
        p.ctx.conn.close()


def test_clean_round_locks_unlocks_with_reason_and_prints(qtbot, db, tmp_path, shot):
    counted_round(db, ["ooooo-", "ooooo-", "ooooo-", "-ooooo"])
    p = open_results(qtbot, db)
    try:
        assert "一次性选举成功" in p.summary.text() and p.lock_button.isEnabled()
        assert p.rounds.item(0).foreground().color().name() == GREEN
        # Before the lock the result documents are refused, with the reason (before a folder is asked).
        task = p.print_panel.make_pdf("notice")
        qtbot.waitUntil(lambda: "notice" in p.print_panel.last, timeout=20000)
        assert isinstance(p.print_panel.last["notice"], meetings.Refusal)
        assert "未能生成" in p.print_panel.status.text()
        p.lock()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert "已锁定，本轮锁定校验码" in p.message.text()
        h = p.current.round.lock.hash
        assert h in p.heading.text()
        for kind in ("notice", "count-report"):
            task = p.print_panel.make_pdf(kind)
            assert task is not None
            qtbot.waitUntil(lambda k=kind: k not in p.print_panel.tasks, timeout=30000)
            out = p.print_panel.folder() / f"party-{kind}.pdf"
            assert out.exists(), p.print_panel.status.text()
            text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                                  check=True).stdout
            assert "丁薛祥" in "".join(text.split())
        shot(p, "results-locked-printed")
        # The system print dialog opens window-modal (no nested event loop) ...
        p.print_panel.ask_print()
        assert p.print_panel.dialog.isVisible()
        p.print_panel.dialog.reject()
        # ... and the printer gets the same content drawn with QPainter (here into a PDF file).
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printed = tmp_path / "printer.pdf"
        printer.setOutputFileName(str(printed))
        assert p.print_panel.print_to(printer) == 1
        text = "".join(subprocess.run(["pdftotext", str(printed), "-"], capture_output=True,
                                      text=True, check=True).stdout.split())
        assert "丁薛祥赞成3" in text and h in text and "当选" in text
        # Unlock needs a reason.
        p.ask_unlock()
        assert not p.dialog.ok_button.isEnabled()
        p.dialog.reason.setEditText("发现录入错误，须更正后重新锁定")
        p.dialog.ok_button.click()
        qtbot.waitUntil(p.is_idle, timeout=5000)
        assert "已解除锁定" in p.message.text()
        # Counting reopened: 锁定结果 waits for 结束计票, and says so beside it.
        assert not p.lock_button.isEnabled() and "计票尚未结束" in p.lock_why.text()
    finally:
        p.close()
        p.ctx.conn.close()
