"""A whole polling day through the main window on a demo community's 党员大会 (240 members):
contest and candidates on the 选举事项 page, sign-ins at the desk page and through the use case,
a round opened on the 投票计票 page, officials and the box, 200 ballots typed twice key by key
with three deliberate differences, the differences resolved, counting closed, validation, lock,
documents printed, and the locked result equal to `pollday scenario run` on the round exported by
`pollday scenario export`."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess

from pdtest import pollday_cmd
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import attendance, voting
from app.demo.names import full_name
from app.model import PartyStatus, RuleSet
from app.register.idcard import make_id_number
from app.register.store import PersonRecord, add_persons
from app.rules import Ballot, Round, check_ballot
from app.voting import keys_for
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import make_db, open_window

MEMBERS = 240
PRESENT = 200
SEATS = 7
CANDIDATES = 9
# The chance that a voter approves each candidate (ballot order), and disapproves.
APPROVE_PCT = (92, 88, 80, 76, 72, 66, 61, 30, 18)
DISAPPROVE_PCT = 5
DIFFERENT = {17: "flip", 88: "flip", 150: "blank"}  # B's slips: (seq -> what B did)


def community(path):
    """make_db's meetings plus 240 full members in three branches, unique names."""
    make_db(path, people=False)
    rng = random.Random(20261122)
    names: set[str] = set()
    records = []
    while len(records) < MEMBERS:
        gender = "F" if rng.random() < 0.45 else "M"
        born = dt.date(rng.randint(1945, 2000), rng.randint(1, 12), rng.randint(1, 28))
        name = full_name(rng, gender, born.year)
        if name in names:
            continue
        names.add(name)
        seq = len(records) + 100
        records.append(PersonRecord(
            name=name, gender=gender, birth_date=born.isoformat(),
            id_number=make_id_number("420102", born, seq, gender), education="本科",
            branch=("第一党支部", "第二党支部", "离退休党支部")[seq % 3],
            resident_group="第一居民小组", household=f"{seq:04d}",
            party_status=PartyStatus.FULL, resident_voter=True))
    conn = connect(path)
    add_persons(conn, records, "2026-11-20T10:00:00+08:00", actor="demo")
    conn.close()
    return path


def true_ballots(names: tuple[str, ...]) -> list[Ballot]:
    rng = random.Random(7)
    out = []
    for _ in range(PRESENT):
        marks = ""
        for pct in APPROVE_PCT:
            roll = rng.randrange(100)
            marks += "o" if roll < pct else "x" if roll < pct + DISAPPROVE_PCT else "-"
        out.append(Ballot(marks))
    return out


def b_slip(b: Ballot, what: str) -> Ballot:
    if what == "blank":
        return Ballot("-" * len(b.marks))
    i = 3
    flipped = {"o": "x", "x": "o", "-": "o"}[b.marks[i]]
    return Ballot(b.marks[:i] + flipped + b.marks[i + 1:])


def type_stack(qtbot, tab, ballots: list[Ballot]) -> int:
    keystrokes = 0
    qtbot.waitUntil(lambda: not tab.loading, timeout=5000)
    for b in ballots:
        keys = keys_for(b.marks)
        tab.line.setFocus()
        qtbot.keyClicks(tab.line, keys)
        qtbot.keyClick(tab.line, Qt.Key.Key_Return)
        keystrokes += len(keys) + 1
    return keystrokes


def test_a_whole_polling_day(qtbot, tmp_path, shot):
    path = community(tmp_path / "day.db")
    window = next(open_window(qtbot, path))
    ctx = window.ctx
    try:
        assert ctx.meeting.rules is RuleSet.PARTY
        persons = db_persons.list_persons(ctx.conn)

        # --- 准备 · 选举事项: 委员, 7 seats, 9 candidates from the register ----------------------
        contests = window.show_step("prepare", tab="选举事项")
        contests.title_box.setCurrentText("委员")
        contests.seats_box.setValue(SEATS)
        contest = contests.add_contest()
        chosen = persons[10:10 + CANDIDATES]
        for p in chosen:
            contests.search_box.setText(p.name)
            row = next(i for i, f in enumerate(contests.found) if f.id == p.id)
            contests.results.setCurrentRow(row)
            assert contests.add_found() is not None
        assert "符合" in contests.margin.text()
        shot(window, "day-1-contests")

        # --- 签到: three at the desk page, the rest through the use case ------------------------
        desk = window.show_step("signin")
        voters = [p for p in persons if p not in chosen][:PRESENT - CANDIDATES] + chosen
        for p in voters[:3]:
            result = desk.sign_in(p)
            assert result.outcome is attendance.Outcome.SIGNED_IN
        shot(window, "day-2-desk")
        for p in voters[3:]:
            r = attendance.sign_in(ctx.conn, ctx.meeting, p, "第一党支部签到台", "clerk", ctx.clock)
            assert r.outcome is attendance.Outcome.SIGNED_IN
        assert attendance.attendance_summary(ctx.conn, ctx.meeting).present == PRESENT
        meeting = window.show_step("meeting")
        qtbot.wait(50)
        shot(window, "day-3-meeting")
        # 开始投票 on the 会议 page freezes 实到; a late-comer after it does not change the round.
        qtbot.mouseClick(meeting.open_button, Qt.MouseButton.LeftButton)
        meeting.confirm.button(QMessageBox.StandardButton.Ok).click()
        qtbot.waitUntil(meeting.is_idle, timeout=10000)  # written on the database's worker
        late = [p for p in persons if p not in voters][0]
        r = attendance.sign_in(ctx.conn, ctx.meeting, late, "第一党支部签到台", "clerk", ctx.clock)
        assert r.outcome is attendance.Outcome.SIGNED_IN
        assert attendance.attendance_summary(ctx.conn, ctx.meeting).present == PRESENT + 1

        # --- 投票计票: open the round, officials, the box --------------------------------------
        counting = window.show_step("voting")
        r = counting.round  # one 开始投票: the 会议 page's opened the first round too
        assert r is not None and r.kind is Round.FIRST and r.snapshot.present == PRESENT and r.seats == SEATS
        assert r.snapshot.round_label == "第1次投票"  # the one the 会议 page froze
        officials = [p.name for p in voters[:3]]
        counting.setup_tab.scrutineers.setText("、".join(officials[:2]))
        counting.setup_tab.counters.setText(officials[2])
        assert counting.setup_tab.save_officials() is not None
        setup = counting.setup_tab
        setup.printed.setValue(220)
        assert setup.issued.value() == PRESENT
        setup.returned.setValue(PRESENT)
        setup.spoiled.setValue(2)
        assert setup.save_box() is not None
        shot(window, "day-4-setup")

        # --- 200 ballots, typed twice key by key -------------------------------------------------
        truth = true_ballots(r.names)
        counting.tabs.setCurrentIndex(1)
        entry = counting.entry_tab
        keys_a = type_stack(qtbot, entry, truth)
        qtbot.waitUntil(lambda: not entry.loading, timeout=5000)
        assert len(entry.entered) == PRESENT and keys_a <= PRESENT * (CANDIDATES + 1)
        shot(window, "day-5-entry-a")
        counting.entry_b.setChecked(True)
        typed_b = [b_slip(b, DIFFERENT[i]) if i in DIFFERENT else b
                   for i, b in enumerate(truth, start=1)]
        type_stack(qtbot, entry, typed_b)
        qtbot.waitUntil(lambda: not entry.loading, timeout=5000)
        assert len(entry.entered) == PRESENT

        # --- 双录比对: three differences, resolved after looking at the paper --------------------
        counting.tabs.setCurrentIndex(2)
        compare = counting.compare_tab
        compare.refresh()
        assert [d.seq for d in compare.view.differences] == sorted(DIFFERENT)
        shot(window, "day-6-compare")
        for row, seq in enumerate(sorted(DIFFERENT)):
            compare.view.table.selectRow(row)
            if seq == 150:  # typed from the paper
                compare.view.buttons["paper"].click()
                compare.paper.clear()
                qtbot.keyClicks(compare.paper, keys_for(truth[seq - 1].marks))
                qtbot.keyClick(compare.paper, Qt.Key.Key_Return)
            else:
                compare.view.buttons["A"].click()
            compare.dialog.ok_button.click()
        assert "已全部处理" in compare.view.summary.text()
        counting.close_counting()
        assert counting.round.state is voting.State.CLOSED, counting.message.text()

        # --- 结果: validate, lock, print ----------------------------------------------------------
        results = window.show_step("results")
        qtbot.waitUntil(lambda: results.is_idle() and results.validation is not None,
                        timeout=10000)
        assert results.current.may_lock, results.current.problems
        results.lock()
        qtbot.waitUntil(results.is_idle, timeout=10000)
        assert "已锁定，本轮锁定校验码" in results.message.text()
        assert "一次性选举成功" in results.summary.text()
        locked = results.current.round
        for kind in ("notice", "count-report", "certificates"):
            results.print_panel.make_pdf(kind)
            qtbot.waitUntil(lambda k=kind: k not in results.print_panel.tasks, timeout=60000)
            assert (results.print_panel.folder() / f"party-{kind}.pdf").exists(), \
                results.print_panel.status.text()
        shot(window, "day-7-results-locked")

        # The locked result is what the counting core says of the true stack ...
        valid = [b for b in truth if check_ballot(b, r.names, SEATS).valid]
        result = results.current.result
        assert result.count.valid == len(valid) and result.count.returned == PRESENT
        for i, name in enumerate(r.names):
            approvals = sum(b.marks[i] == "o" for b in valid)
            assert result.count.approvals()[name] == approvals
        # ... and what `pollday scenario run` says of the exported round.
        scenario = tmp_path / "round.json"
        subprocess.run([*pollday_cmd(), "scenario", "export", "--db", str(path), "--contest",
                        contest.code, "--round", "1", "--out", str(scenario)], check=True,
                       capture_output=True, text=True)
        ran = subprocess.run([*pollday_cmd(), "scenario", "run", str(scenario)], check=True,
                             capture_output=True, text=True)
        canonical = json.loads(locked.lock.canonical)
        assert json.loads(ran.stdout) == canonical["result"]
        assert len(canonical["result"]["contests"][0]["elected"]) == SEATS
    finally:
        window.close()
