"""投票计票 and 结果 say who may before the work (walk C findings 1-4): signed on as a 计票人 or a
签到员, the 监票人 · 票箱 form, 结束计票 and 开始新一轮 are off with a tooltip naming who may; as a
签到员 the 逐张录入 line takes no ballot and says who may; as the 总监票人 on 结果 the 不再补选
dialog does not open. 切换人员 drops a ballot typed and not entered and the last person's
message. The 不再补选 dialog's 决定人 is the meeting's own kind; the 未计入 reason names the
button as it is labelled."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app import voting
from app.meetings import Refusal
from db.connection import connect
from tests.gui.test_counting_page import counting_db
from tests.gui.test_counting_results import counted_round
from tests.gui.test_refused_before_the_work import switch_to
from tests.gui.test_staff_signon import add_staff_list, open_signed_on


def open_round_db(tmp_path):
    path = counting_db(tmp_path / "count.db")
    add_staff_list(path)
    return path


def counting_page(window, mode: voting.Mode = voting.Mode.BALLOTS):
    page = window.show_step("voting")
    page.reload()
    if page.round is None:   # the 主持人 opens the first round (a use case, as the CLI would)
        from app import staff
        from tests.gui.test_staff_signon import CLOCK, PIN
        conn = window.ctx.conn
        host = staff.sign_on(conn, "赵主持", PIN["赵主持"], clock=CLOCK)
        got = voting.open_round(conn, page.contest.id, actor=host, clock=CLOCK, mode=mode)
        assert not isinstance(got, Refusal), got
        page.reload()
    assert page.round is not None
    return page


def test_a_teller_finds_the_officials_and_boxes_off_and_a_scrutineer_may_register_boxes(
        qtbot, tmp_path, shot):
    path = open_round_db(tmp_path)
    gen, window = open_signed_on(qtbot, path, "孙计票")
    window.resize(1366, 768)
    page = counting_page(window)
    page.tabs.setCurrentIndex(0)
    setup = page.setup_tab
    for w in (setup.scrutineers, setup.officials_button, page.close_button, page.open_button):
        assert not w.isEnabled() and "主持人" in w.toolTip(), w
    assert not setup.box_button.isEnabled() and not setup.returned.isEnabled()
    assert "监票人" in setup.box_button.toolTip() and "孙计票" in setup.box_button.toolTip()
    qtbot.wait(50)
    shot(window, "counting-setup-teller")
    setup.returned.setFocus()
    qtbot.keyClicks(setup.returned, "4")                  # a disabled field takes no key
    assert setup.returned.value() == 0
    assert setup.save_box() is None                       # reached anyway: said at once
    assert "不能登记票箱" in page.message.text() and "监票人" in page.message.text()
    # The 计票人 enters ballots: the line is his.
    page.tabs.setCurrentIndex(1)
    assert page.entry_tab.line.isEnabled()
    switch_to(qtbot, window, "周监票")
    assert page.message.text() == ""                      # the last person's refusal went
    assert setup.box_button.isEnabled() and setup.returned.isEnabled()
    assert not setup.officials_button.isEnabled()         # still the 主持人's
    assert not page.entry_tab.line.isEnabled()
    gen.close()


def test_a_desk_clerk_cannot_type_a_ballot_and_the_next_person_finds_the_line_empty(
        qtbot, tmp_path, shot):
    path = open_round_db(tmp_path)
    gen, window = open_signed_on(qtbot, path, "李计票")
    window.resize(1366, 768)
    page = counting_page(window)
    page.tabs.setCurrentIndex(1)
    entry = page.entry_tab
    entry.line.setFocus()
    qtbot.keyClick(entry.line, Qt.Key.Key_1)              # a ○ typed, not entered
    assert entry.line.keys == "1" and "有效" in entry.line.status
    switch_to(qtbot, window, "钱签到")
    assert entry.line.keys == "" and entry.last.text() == ""   # nothing of 李计票's left
    assert not entry.line.isEnabled() and "计票人" in entry.line.toolTip()
    assert "不能录入" in entry.line.status and "计票人" in entry.line.status
    entry.line.setFocus()
    qtbot.keyClick(entry.line, Qt.Key.Key_1)              # takes no key, no verdict
    assert entry.line.keys == "" and "有效" not in entry.line.status
    assert not page.close_button.isEnabled() and "主持人" in page.close_button.toolTip()
    assert not page.setup_tab.scrutineers.isEnabled()
    qtbot.wait(50)
    shot(window, "counting-entry-desk-clerk")
    page.close_counting()   # 结束计票 reached anyway is refused by the use case, and said
    assert "不能结束计票" in page.message.text()
    switch_to(qtbot, window, "李计票")
    assert page.message.text() == "" and entry.line.keys == ""
    assert entry.line.isEnabled() and "有效" not in entry.line.status
    gen.close()


def test_the_chief_scrutineer_gets_no_no_fill_dialog_and_the_host_gets_the_meetings_kind(
        qtbot, tmp_path, shot):
    path = counting_db(tmp_path / "nofill.db")
    # Two seats unfilled: 会议决定不再补选 is offered for the round.
    counted_round(path, ["ooo---", "ooo---", "ooo---", "---ooo"])
    conn = connect(path)   # the meeting is the 委员会全体会议 (its register aside)
    conn.execute("UPDATE meeting SET form = 'plenary' WHERE code = 'party'")
    conn.commit()
    conn.close()
    add_staff_list(path)
    gen, window = open_signed_on(qtbot, path, "吴总监")
    window.resize(1366, 768)
    page = window.show_step("results")
    qtbot.waitUntil(lambda: page.is_idle() and page.validation is not None, timeout=5000)
    assert "会议决定不再补选" in page.lock_why.text()   # what makes it lockable, still said
    assert not page.no_fill_button.isEnabled() and "主持人" in page.no_fill_button.toolTip()
    why = page.lock_why.text()
    assert why.startswith("不能锁定") and page.lock_why.isVisible()
    qtbot.wait(50)
    shot(window, "results-chief-no-fill-off")
    page.ask_no_fill()                                    # reached anyway: no dialog
    assert page.dialog is None
    assert "主持人" in page.message.text()
    switch_to(qtbot, window, "赵主持")
    assert page.message.text() == "" and page.lock_why.isVisible()   # the reason is back
    assert page.no_fill_button.isEnabled()
    qtbot.mouseClick(page.no_fill_button, Qt.MouseButton.LeftButton)
    assert page.dialog is not None and page.dialog.isVisible()
    assert page.dialog.decided_by.text() == "委员会全体会议表决通过"
    shot(page.dialog, "results-no-fill-plenary")
    page.dialog.reject()
    gen.close()


def test_the_scan_count_button_is_labelled_as_the_results_reason_names_it(qtbot, tmp_path):
    """The words of tests/app/scan/test_not_counted_words.py are the button's own label."""
    path = open_round_db(tmp_path)
    gen, window = open_signed_on(qtbot, path, "孙计票")
    page = counting_page(window)
    assert page.scan_tab.count_button.text() == "计入录入组 A"
    assert page.tabs.tabText(4).startswith("扫描认定")
    gen.close()


def test_the_idle_lock_keeps_the_same_persons_typed_ballot(qtbot, tmp_path):
    from tests.gui.test_staff_signon import PIN

    path = open_round_db(tmp_path)
    gen, window = open_signed_on(qtbot, path, "李计票")
    page = counting_page(window)
    page.tabs.setCurrentIndex(1)
    entry = page.entry_tab
    entry.line.setFocus()
    qtbot.keyClick(entry.line, Qt.Key.Key_1)
    window.lock()                                          # the idle lock: his own screen
    form = window.lock_overlay.form
    assert form.name() == "李计票"
    form.pin.setFocus()
    qtbot.keyClicks(form.pin, PIN["李计票"])
    qtbot.keyClick(form.pin, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not window.locked, timeout=3000)
    assert entry.line.keys == "1" and "有效" in entry.line.status   # back to his ballot
    gen.close()


def test_a_desk_clerk_finds_the_tally_sheet_buttons_off(qtbot, tmp_path, shot):
    path = open_round_db(tmp_path)
    gen, window = open_signed_on(qtbot, path, "钱签到")
    window.resize(1366, 768)
    page = counting_page(window, voting.Mode.TALLY)
    page.tabs.setCurrentIndex(3)
    tally = page.tally_tab
    assert not tally.save_button.isEnabled() and "计票人" in tally.save_button.toolTip()
    assert not tally.resolve_button.isEnabled() and "监票人" in tally.resolve_button.toolTip()
    assert not page.clerk_box.isVisible()   # signed on: the entries carry her, no name typed
    qtbot.wait(50)
    shot(window, "counting-tally-desk-clerk")
    tally.ask_resolve()                   # reached anyway: no question asked
    assert tally.dialog is None and "不能确认计票单" in page.message.text()
    switch_to(qtbot, window, "孙计票")
    assert tally.save_button.isEnabled() and page.message.text() == ""
    assert not tally.resolve_button.isEnabled()   # no differences yet (and not his)
    gen.close()
