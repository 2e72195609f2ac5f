"""A whole day on a NEW database, as a clerk does it (issue 14): a meeting created on 会议设置, a
register imported through the import dialog, two desks, sign-ins with the traps (full pinyin of a
near namesake, two 张伟, a person of the other desk, an undo), 开始投票, a contest whose 预备党员
candidate is refused, ballots entered twice with one difference, the result locked and printed,
and the package exported and verified."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

from PySide6.QtCore import Qt

from app import attendance, voting
from app.export.verify import verify_package
from app.register.idcard import make_id_number
from app.voting import keys_for
from db import persons as db_persons
from db.connection import connect
from tests.gui.test_desk_page import choose_desk, type_chinese
from ui import filedialogs
from ui.widgets.feedback import Tone

BRANCHES = ("第一党支部", "第二党支部", "第十一党支部", "离退休党支部")
SURNAMES = "王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁"
GIVEN = "秀英桂兰国华建军志强玉梅淑珍德明海燕文静丽娟春生"


def register_rows() -> list[tuple[str, str, str, str]]:
    """(姓名, 性别, 所在党支部, 人员类别): 40 people, unique but for the two 张伟."""
    rows = [("张伟", "男", "第一党支部", "正式党员"), ("张伟", "男", "第一党支部", "预备党员"),
            ("程明", "男", "第一党支部", "正式党员"), ("程敏", "女", "第一党支部", "正式党员"),
            ("阿依古丽·买买提", "女", "第十一党支部", "正式党员")]
    i = 0
    while len(rows) < 40:
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 2) % len(GIVEN)] + GIVEN[(i * 3 + 1) % len(GIVEN)]
        rows.append((name, "男" if i % 2 else "女", BRANCHES[i % 4], "正式党员"))
        i += 1
    return rows


def write_register(path: Path) -> Path:
    lines = ["序号,姓名,性别,公民身份号码,所在党支部,人员类别"]
    for n, (name, gender, branch, status) in enumerate(register_rows(), start=1):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=173 * n)
        number = make_id_number("420106", born, 100 + n, "M" if gender == "男" else "F")
        lines.append(f"{n},{name},{gender},{number},{branch},{status}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def named(conn, name: str):
    return [p for p in db_persons.list_persons(conn) if p.name == name]


def signed_in(ctx, pid: int):
    return attendance.standing_of(ctx.conn, ctx.meeting, pid).sign_in


def test_a_clerks_day_on_a_new_database(qtbot, tmp_path, monkeypatch, shot):
    from ui.app_main import make_app, open_main_window

    make_app()
    path = tmp_path / "翠湖社区换届.db"
    connect(path).close()                      # new, empty
    window = open_main_window(path)
    assert window is not None
    qtbot.addWidget(window)
    window.show()
    window.showNormal()
    window.resize(1366, 768)
    qtbot.waitExposed(window)
    ctx = window.ctx
    try:
        # --- 会议设置: the first meeting ---------------------------------------------------------
        page = window.show_step("prepare", tab="会议设置")
        assert page.objectName() == "MeetingSetupPage"
        page.code.setText("party")
        page.title.setText("中共翠湖社区委员会换届选举党员大会")
        page.community.setText("新华街道翠湖社区")
        assert page.save() is not None, page.message.text()
        assert ctx.meeting is not None and ctx.meeting.code == "party"
        shot(window, "clerk-1-meeting")

        # --- 名册: 导入名册… with the file dialog answered ----------------------------------------
        csv = write_register(tmp_path / "党员名册.csv")
        monkeypatch.setattr(filedialogs, "get_open_file_name",
                            lambda *a, **k: (str(csv), "CSV 文件 (*.csv)"))
        register = window.show_step("prepare", tab="名册")
        qtbot.mouseClick(register.import_button, Qt.MouseButton.LeftButton)
        from ui.pages.import_dialog import ImportDialog
        qtbot.waitUntil(lambda: any(d.isVisible() for d in window.findChildren(ImportDialog)),
                        timeout=5000)
        dialog = next(d for d in window.findChildren(ImportDialog) if d.isVisible())
        qtbot.waitUntil(lambda: dialog.stage not in ("idle", "reading"), timeout=10000)
        assert dialog.stage == "preview", dialog.summary.text()
        assert "共 40 人" in dialog.summary.text()
        shot(dialog, "clerk-2-import-preview")
        qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.stage == "done", timeout=20000)
        assert dialog.imported is not None and dialog.imported.count == 40
        dialog.close()
        assert db_persons.count_persons(ctx.conn) == 40
        assert len(named(ctx.conn, "张伟")) == 2

        # --- 签到台设置: two desks --------------------------------------------------------------
        desks = window.show_step("prepare", tab="签到台设置")
        scopes = [desks.scope.item(i).text() for i in range(desks.scope.count())]
        assert scopes[:4] == list(BRANCHES), scopes
        desks.name.setText("一号台")
        desks.set_checked(["第一党支部", "第十一党支部"])
        assert desks.add_desk() is not None, desks.message.text()
        desks.name.setText("二号台")
        desks.set_checked(["第二党支部", "离退休党支部"])
        assert desks.add_desk() is not None, desks.message.text()
        assert "每一名" in desks.uncovered.text()
        shot(window, "clerk-3-desks")

        # --- 签到台 as 一号台, with the traps ------------------------------------------------------
        desk = window.show_step("signin", tab="签到台")
        window.activateWindow()                # the import dialog had it; F9 needs it back
        qtbot.waitUntil(window.isActiveWindow, timeout=3000)
        choose_desk(desk, "一号台")
        qtbot.waitUntil(lambda: desk.counter.text() == "实到 0 / 应到 39", timeout=5000)
        cheng_ming, cheng_min = named(ctx.conn, "程明")[0], named(ctx.conn, "程敏")[0]
        desk.search_box.setFocus()
        qtbot.keyClicks(desk.search_box, "chengmin", delay=45)   # typed: not a scan
        qtbot.waitUntil(lambda: desk.search_box.text() == "chengmin")
        qtbot.keyClick(desk.search_box, Qt.Key.Key_Return)
        assert desk.feedback.tone is Tone.GREEN and "程敏" in desk.feedback.text()
        assert signed_in(ctx, cheng_min.id).desk == "一号台"
        assert signed_in(ctx, cheng_ming.id) is None
        # Two 张伟: asked, the full member listed before the 预备党员; ↓↓ Enter picks the second.
        zhangs = named(ctx.conn, "张伟")
        full_zhang = next(z for z in zhangs if z.party_status.value == "full")
        prob_zhang = next(z for z in zhangs if z is not full_zhang)
        type_chinese(desk.search_box, "张伟")
        qtbot.keyClick(desk.search_box, Qt.Key.Key_Return)
        assert all(signed_in(ctx, z.id) is None for z in zhangs)
        assert "有 2 人" in desk.feedback.text() and desk.focusWidget() is desk.results
        assert [p.id for p in desk.found] == [full_zhang.id, prob_zhang.id]
        qtbot.wait(30)
        shot(window, "clerk-4-namesakes")
        qtbot.keyClick(desk.results, Qt.Key.Key_Down)
        qtbot.keyClick(desk.results, Qt.Key.Key_Down)
        qtbot.keyClick(desk.results, Qt.Key.Key_Return)
        # The 预备党员 attends without a vote: amber, not counted in 实到.
        assert desk.feedback.tone is Tone.AMBER, desk.feedback.text()
        assert signed_in(ctx, full_zhang.id) is None
        assert desk.focusWidget() is desk.search_box
        type_chinese(desk.search_box, "张伟")
        qtbot.keyClick(desk.search_box, Qt.Key.Key_Return)
        qtbot.keyClick(desk.results, Qt.Key.Key_Down)
        qtbot.keyClick(desk.results, Qt.Key.Key_Return)
        assert desk.feedback.tone is Tone.GREEN and "张伟" in desk.feedback.text()
        assert signed_in(ctx, full_zhang.id).desk == "一号台"
        # A person of 二号台 typed here: asked; F9 signs in here.
        other = next(p for p in db_persons.list_persons(ctx.conn) if p.branch == "第二党支部")
        type_chinese(desk.search_box, other.name)
        qtbot.waitUntil(lambda: [p.id for p in desk.found] == [other.id], timeout=3000)
        qtbot.keyClick(desk.search_box, Qt.Key.Key_Return)
        assert desk.feedback.tone is Tone.AMBER and "属于二号台（第二党支部）" in desk.feedback.text()
        assert signed_in(ctx, other.id) is None
        qtbot.keyClick(desk.search_box, Qt.Key.Key_F9)
        assert desk.feedback.tone is Tone.GREEN and other.name in desk.feedback.text()
        assert signed_in(ctx, other.id).desk == "一号台"
        # The rest of 一号台's members by their cards' codes (a scanner burst).
        everyone = db_persons.list_persons(ctx.conn)
        done = {cheng_min.id, full_zhang.id, prob_zhang.id, other.id}
        first = [p for p in everyone if p.branch in ("第一党支部", "第十一党支部")
                 and p.id not in done]
        for p in first:
            qtbot.keyClicks(desk.search_box, p.token)
            qtbot.keyClick(desk.search_box, Qt.Key.Key_Return)
            assert desk.feedback.tone is Tone.GREEN, (p.name, desk.feedback.text())
        present = 3 + len(first)
        qtbot.waitUntil(lambda: desk.counter.text() == f"实到 {present} / 应到 39", timeout=5000)
        # Undo a chosen one (not the last) with a reason: 程明 was signed in by mistake.
        lst = desk.recent
        row = next(i for i in range(lst.count()) if lst.item(i).text().endswith("程明"))
        rect = lst.visualItemRect(lst.item(row))
        qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseClick(desk.undo_chosen_button, Qt.MouseButton.LeftButton)
        assert desk.dialog is not None and not desk.dialog.ok_button.isEnabled()
        desk.dialog.reason.setEditText("签到时认错了人")
        qtbot.mouseClick(desk.dialog.ok_button, Qt.MouseButton.LeftButton)
        assert signed_in(ctx, cheng_ming.id) is None
        present -= 1
        qtbot.waitUntil(lambda: desk.counter.text() == f"实到 {present} / 应到 39", timeout=5000)
        # 二号台's own people at their desk, all but two (absent).
        choose_desk(desk, "二号台")
        second = [p for p in everyone if p.branch in ("第二党支部", "离退休党支部")
                  and p.id != other.id][2:]
        for p in second:
            qtbot.keyClicks(desk.search_box, p.token)
            qtbot.keyClick(desk.search_box, Qt.Key.Key_Return)
            assert desk.feedback.tone is Tone.GREEN, (p.name, desk.feedback.text())
        present += len(second)
        assert present == 36                   # 39 正式党员 less 程明 (undone) and two absent
        qtbot.waitUntil(lambda: desk.counter.text() == f"实到 {present} / 应到 39", timeout=5000)
        assert attendance.attendance_summary(ctx.conn, ctx.meeting).present == present
        shot(window, "clerk-5-desk")

        # --- 选举事项: 委员, 3 seats, 4 candidates; Enter never adds a guess ---------------------
        contests = window.show_step("prepare", tab="选举事项")
        contests.title_box.setCurrentText("委员")
        contests.seats_box.setValue(3)
        contest = contests.add_contest()
        assert contest is not None, contests.message.text()
        contests.search_box.setFocus()
        type_chinese(contests.search_box, "张伟")
        qtbot.keyClick(contests.search_box, Qt.Key.Key_Return)
        assert contests.table.rowCount() == 0 and "有 2 人" in contests.message.text()

        def choose(target) -> None:
            row = [p.id for p in contests.found].index(target.id)
            for _ in range(row + 1):            # the first ↓ highlights the first
                qtbot.keyClick(contests.search_box, Qt.Key.Key_Down)
            qtbot.keyClick(contests.search_box, Qt.Key.Key_Return)

        choose(prob_zhang)                      # the 预备党员: refused, with the reason
        assert contests.table.rowCount() == 0
        assert "预备党员" in contests.message.text() and "被选举权" in contests.message.text()
        contests.search_box.clear()
        type_chinese(contests.search_box, "张伟")
        choose(full_zhang)
        assert contests.table.rowCount() == 1
        contests.search_box.clear()
        qtbot.keyClicks(contests.search_box, "chengmin")   # 程敏 and 程明 (prefix): asked
        qtbot.keyClick(contests.search_box, Qt.Key.Key_Return)
        assert contests.table.rowCount() == 1 and "有 2 人" in contests.message.text()
        choose(cheng_min)
        uniques = [p for p in second if p.name not in ("张伟", "程明", "程敏")][:2]
        for p in uniques:
            contests.search_box.clear()
            type_chinese(contests.search_box, p.name)
            qtbot.waitUntil(lambda p=p: [f.id for f in contests.found] == [p.id], timeout=3000)
            qtbot.keyClick(contests.search_box, Qt.Key.Key_Return)
        names = {contests.table.item(r, 1).text() for r in range(contests.table.rowCount())}
        assert names == {"张伟", "程敏", uniques[0].name, uniques[1].name}
        assert "符合" in contests.margin.text(), contests.margin.text()
        shot(window, "clerk-6-contests")

        # --- 会议: 开始投票 freezes 实到 --------------------------------------------------------
        meeting = window.show_step("meeting")
        meeting.open_button.setFocus()
        qtbot.keyClick(meeting.open_button, Qt.Key.Key_Space)
        box = meeting.confirm
        assert box is not None and box.isVisible() and "委员" in box.text()
        qtbot.keyClick(box.defaultButton(), Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: not box.isVisible(), timeout=3000)
        qtbot.waitUntil(meeting.is_idle, timeout=10000)  # written on the database's worker
        qtbot.waitUntil(lambda: f"冻结实到 {present} 人" in meeting.panel.rule.text(), timeout=3000)
        shot(window, "clerk-7-meeting")

        # --- 投票计票: officials, the box, the ballots typed twice -------------------------------
        counting = window.show_step("voting")
        r = counting.round
        assert r is not None and r.snapshot.present == present and r.seats == 3
        setup = counting.setup_tab
        setup.scrutineers.setText("、".join(p.name for p in second[-3:-1]))
        setup.counters.setText(second[-1].name)
        assert setup.save_officials() is not None, counting.message.text()
        setup.printed.setValue(40)
        assert setup.issued.value() == present
        setup.returned.setValue(present)
        setup.spoiled.setValue(0)
        assert setup.save_box() is not None, counting.message.text()
        # Ballot order is r.names; the first two approved by all, the third by two in three.
        truth = ["ooo-" if i % 3 else "oo-o" for i in range(present)]
        typed_b = list(truth)
        typed_b[4] = "oo-o" if truth[4] == "ooo-" else "ooo-"     # B misread slip 5
        counting.tabs.setCurrentIndex(1)
        entry = counting.entry_tab
        for stack in (truth, typed_b):
            if stack is typed_b:
                counting.entry_b.setChecked(True)
            qtbot.waitUntil(lambda: not entry.loading, timeout=5000)
            for marks in stack:
                entry.line.setFocus()
                qtbot.keyClicks(entry.line, keys_for(marks))
                qtbot.keyClick(entry.line, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: not entry.loading, timeout=5000)
            assert len(entry.entered) == present
        counting.tabs.setCurrentIndex(2)
        compare = counting.compare_tab
        compare.refresh()
        assert [d.seq for d in compare.view.differences] == [5]
        shot(window, "clerk-8-compare")
        compare.view.table.selectRow(0)
        compare.view.buttons["A"].click()
        compare.dialog.ok_button.click()
        assert "已全部处理" in compare.view.summary.text()
        counting.close_counting()
        assert counting.round.state is voting.State.CLOSED, counting.message.text()

        # --- 结果: validate, lock (both codes shown), the notice printed -------------------------
        results = window.show_step("results")
        qtbot.waitUntil(lambda: results.is_idle() and results.validation is not None,
                        timeout=10000)
        assert results.current.may_lock, results.current.problems
        qtbot.mouseClick(results.lock_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: results.is_idle() and results.current.round.lock is not None,
                        timeout=10000)
        lock = results.current.round.lock.hash
        assert f"本轮锁定校验码 {lock}" in results.message.text()
        found = re.search(r"结果校验码 ([0-9a-f]{12})", results.summary.text())
        assert found is not None, results.summary.text()
        code = found.group(1)
        count = results.current.result.count
        assert count.returned == present and count.valid == present
        approvals = count.approvals()
        first_two = present
        third = sum(m[2] == "o" for m in truth)
        assert sorted(approvals.values(), reverse=True) == [first_two, first_two, third,
                                                           present - third]
        qtbot.mouseClick(results.print_panel.buttons["notice"], Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "notice" not in results.print_panel.tasks, timeout=60000)
        notice = subprocess.run(
            ["pdftotext", str(results.print_panel.folder() / "party-notice.pdf"), "-"],
            capture_output=True, text=True, check=True).stdout.replace(" ", "")
        assert f"结果校验码{code}" in notice
        winners = [n for n, v in approvals.items() if v > present / 2]
        assert len(winners) == 3 and all(n in notice for n in winners)
        assert set(results.current.result.elected) == set(winners)
        shot(window, "clerk-9-results")

        # --- 报送: the package to a folder, verified ---------------------------------------------
        stick = tmp_path / "U盘"
        stick.mkdir()
        monkeypatch.setattr(filedialogs, "get_existing_directory", lambda *a, **k: str(stick))
        export = window.show_step("report", tab="U盘报送包")
        export.choose_folder()
        assert export.target == stick
        qtbot.mouseClick(export.export_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(export.is_idle, timeout=30000)
        assert export.last is not None, export.status.text()
        built, written = export.last
        assert written.path.parent == stick and written.path.exists()
        assert verify_package(written.path).ok
        shot(window, "clerk-10-export")
    finally:
        window.close()
