"""准备 · 会议设置, 不计入与请假, 委托, 签到台设置: a real election set up in the GUI."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app import attendance, meetings, proxies
from app.clock import FixedClock
from app.model import Form, RuleSet
from db import persons as db_persons
from db.connection import connect
from tests.gui.conftest import CLOCK_START, make_db


@pytest.fixture
def ctx(qtbot, tmp_path):
    from ui.app_main import make_app
    from ui.pages.context import PageContext

    make_app()
    path = make_db(tmp_path / "setup.db")
    conn = connect(path)
    c = PageContext(conn, path, clock=FixedClock(CLOCK_START, 1.0), actor="setup-test")
    yield c
    conn.close()


def shown(qtbot, page, size: tuple[int, int] = (1180, 720)):
    qtbot.addWidget(page)
    page.resize(*size)
    page.show()
    qtbot.waitExposed(page)
    return page


def pick(picker, query: str):
    picker.box.setText(query)
    return picker.pick(0)


def test_meeting_form_creates_and_edits_a_meeting(ctx, qtbot, shot):
    from ui.pages.setup_meeting import MeetingSetupPage

    page = shown(qtbot, MeetingSetupPage(ctx))
    assert page.list.count() == 2
    page.start_new()
    page.rules.setCurrentIndex(page.rules.findData("party-2020"))
    # The rule set decides the forms offered.
    assert [page.form.itemText(i) for i in range(page.form.count())] == ["党员大会", "委员会全体会议"]
    assert page.option_boxes["quorum_inclusive"].isVisibleTo(page)
    assert not page.option_boxes["runoff_turnout_required"].isVisibleTo(page)
    page.title.setText("中共翠湖社区委员会第一次全体会议")
    assert page.save() is None and "会议代码" in page.message.text()  # names the field
    page.code.setText("plenary")
    page.form.setCurrentIndex(page.form.findData("plenary"))
    page.option_boxes["quorum_inclusive"].setChecked(True)
    got = page.save()
    assert got is not None and got.form is Form.PLENARY and got.community == "新华街道翠湖社区"
    assert meetings.rule_options(got).quorum_inclusive
    assert page.list.count() == 3 and not got.is_current
    page.code.setText("plenary")  # the code field is locked while editing: a new one is needed
    page.start_new()
    page.code.setText("plenary")
    page.title.setText("重复")
    assert page.save() is None and "已存在" in page.message.text()
    # Edit the venue of the new meeting and make it current.
    page.list.setCurrentRow(2)
    assert not page.code.isEnabled() and not page.rules.isEnabled()
    page.venue.setText("社区党群服务中心三楼")
    seen = []
    ctx.meeting_changed.connect(seen.append)
    assert page.save() is not None
    assert page.make_current() is not None and ctx.meeting.code == "plenary"
    assert ctx.meeting.venue == "社区党群服务中心三楼" and seen
    assert page.list.item(2).text().startswith("★")
    shot(page, "setup-meeting")
    page.start_new()
    page.rules.setCurrentIndex(page.rules.findData("residents-2025"))
    assert [page.form.itemText(i) for i in range(page.form.count())] == [
        "全体选民直接选举", "每户派代表选举", "居民代表选举"]
    assert page.option_boxes["runoff_turnout_required"].isVisibleTo(page)
    assert not page.option_boxes["quorum_inclusive"].isVisibleTo(page)
    shot(page, "setup-meeting-new")


def test_exclusion_drops_expected_and_leave_does_not(ctx, qtbot, shot):
    from ui.pages.setup_exclusions import ExclusionsPage

    page = shown(qtbot, ExclusionsPage(ctx))
    assert ctx.meeting.rules is RuleSet.PARTY
    assert page.expected.text().startswith("应到 4 人")  # four 正式党员
    assert pick(page.picker, "zfr").name == "曾凡荣"
    assert page.add_exclusion() is None and "批准文号" in page.message.text()
    page.picker.box.setText("zfr")
    qtbot.keyClick(page.picker.box, Qt.Key.Key_Return)
    assert page.picker.person.name == "曾凡荣" and page.focusWidget() is page.reason
    page.reason.setCurrentIndex(page.reason.findData("abroad"))
    page.approval.setText("街党工委〔2026〕12号")
    ex = page.add_exclusion()
    assert ex is not None and page.expected.text().startswith("应到 3 人")
    assert page.ex_table.item(0, 1).text() == "自费出国半年以上"
    # A 预备党员 has no vote: refused with the reason, 应到 unchanged.
    pick(page.picker, "吉")
    page.approval.setText("X")
    assert page.add_exclusion() is None and "预备党员" in page.message.text()
    # 请假 stays in 应到.
    pick(page.picker, "oyhm")
    page.leave_reason.setEditText("出差")
    assert page.add_leave() is not None
    assert page.expected.text().startswith("应到 3 人") and "请假 1 人" in page.expected.text()
    shot(page, "setup-exclusions")
    # Lift with a reason.
    page.ex_table.selectRow(0)
    page.ask_lift()
    assert not page.dialog.ok_button.isEnabled()
    page.dialog.reason.setEditText("本人已回到社区")
    page.dialog.ok_button.click()
    assert page.expected.text().startswith("应到 4 人") and page.ex_table.rowCount() == 0
    # A residents' meeting has no exclusions.
    ctx.switch_meeting(meetings.meeting_by_code(ctx.conn, "residents").id)
    assert not page.ex_group.isEnabled() and "不能经批准不计入应到" in page.ex_note.text()


def test_plenary_electors_make_its_expected(ctx, qtbot, shot):
    from ui.pages.setup_exclusions import ExclusionsPage

    plenary = meetings.create_meeting(
        ctx.conn, code="plenary", title="委员会第一次全体会议", community="新华街道翠湖社区",
        organisation=meetings.meeting_by_code(ctx.conn, "party").organisation,
        rules=RuleSet.PARTY, form=Form.PLENARY, date="2026-11-22", clock=ctx.clock, actor="t")
    page = shown(qtbot, ExclusionsPage(ctx))
    assert not page.elector_group.isVisibleTo(page)
    ctx.switch_meeting(plenary.id)
    assert page.elector_group.isVisibleTo(page) and page.expected.text().startswith("应到 0 人")
    for q in ("zfr", "oyhm", "zz"):
        pick(page.picker, q)
        assert page.add_elector()
    pick(page.picker, "zz")
    assert not page.add_elector() and "已是选举人" in page.message.text()
    assert page.expected.text().startswith("应到 3 人") and page.elector_table.rowCount() == 3
    shot(page, "setup-electors")
    page.elector_table.selectRow(2)
    page.remove_elector()
    assert page.expected.text().startswith("应到 2 人")


def test_refused_proxy_shows_its_reason(ctx, qtbot, shot):
    from ui.pages.setup_proxies import ProxiesPage

    page = shown(qtbot, ProxiesPage(ctx))
    assert not page.form_group.isEnabled() and "不能委托" in page.note.text()  # party meeting
    ctx.switch_meeting(meetings.meeting_by_code(ctx.conn, "residents").id)
    assert page.form_group.isEnabled()
    holder = pick(page.holder, "zz")
    # By keyboard: search, ↓ to the second match, Enter; Enter goes on to the next field.
    page.principal.box.setFocus()
    page.principal.box.setText("王")
    assert len(page.principal.found) >= 1
    page.principal.box.setText("z")
    names = [p.name for p in page.principal.found]
    assert len(names) >= 2
    qtbot.keyClick(page.principal.box, Qt.Key.Key_Down)
    qtbot.keyClick(page.principal.box, Qt.Key.Key_Return)
    assert page.principal.person.name == names[1] and page.focusWidget() is page.holder.box
    page.principal.clear()
    for q in ("zfr", "oyhm", "sgd"):
        pick(page.principal, q)
        pick(page.holder, "zz")
        page.document.setText(f"WT-{q}")
        assert page.add_proxy() is not None
    assert page.table.rowCount() == 3
    pick(page.principal, "王")
    pick(page.holder, "zz")
    assert page.add_proxy() is None
    assert "不能登记" in page.message.text() and "3" in page.message.text()
    assert len(proxies.list_proxies(ctx.conn, ctx.meeting)) == 3 and holder.name == "张喆"
    pick(page.principal, "zz")
    pick(page.holder, "zz")
    assert page.add_proxy() is None and "本人" in page.message.text()
    shot(page, "setup-proxies")
    page.table.selectRow(0)
    page.ask_revoke()
    page.dialog.reason.setEditText("委托人本人到会")
    page.dialog.ok_button.click()
    assert page.table.rowCount() == 2


def test_desk_with_a_scope(ctx, qtbot, shot):
    from ui.pages.setup_desks import DesksSetupPage

    page = shown(qtbot, DesksSetupPage(ctx))
    scopes = [page.scope.item(i).text() for i in range(page.scope.count())]
    assert scopes == ["第一党支部", "第二党支部", "第三党支部", "第一居民小组"]  # register order
    assert page.add_desk() is None and "名称" in page.message.text()
    page.name.setText("一号台")
    page.set_checked(["第一党支部", "第二党支部"])
    desk = page.add_desk()
    assert desk is not None and desk.scope == ("第一党支部", "第二党支部")
    assert page.table.item(0, 1).text() == "第一党支部、第二党支部"
    assert page.table.item(0, 2).text() == "3"  # 曾凡荣, 王䶮, 欧阳红梅 (吉𠮷 is 预备党员)
    assert "1 名" in page.uncovered.text()  # 张喆 of 第三党支部
    page.name.setText("一号台")
    assert page.add_desk() is None and "已存在" in page.message.text()
    page.name.setText("二号台")
    page.set_checked(["第三党支部"])
    assert page.add_desk() is not None
    assert "每一名" in page.uncovered.text()
    shot(page, "setup-desks")
    page.table.selectRow(1)
    page.remove_desk()
    assert [d.name for d in meetings.list_desks(ctx.conn, ctx.meeting.id)] == ["一号台"]


def test_new_database_to_a_sign_in(qtbot, tmp_path: Path, shot):
    """文件 → 新建: an empty register, the 会议设置 tab, a meeting, a register imported, a desk,
    a sign-in."""
    from PySide6.QtWidgets import QApplication

    from app.register.importer import ImportStatus, import_register
    from tests.app.meetings.meeting_setup_csv import id_number, write_register_csv
    from ui.app_main import make_app
    from ui.main_window import MainWindow, create_database

    make_app()
    first_path = tmp_path / "first.db"
    create_database(first_path).close()
    first = MainWindow(connect(first_path), first_path)
    qtbot.addWidget(first)
    first.show()
    path = tmp_path / "翠湖社区换届.db"
    titles = [a.text() for a in first.menuBar().actions()[0].menu().actions()]
    assert titles[:2] == ["新建选举数据库(&N)…", "打开(&O)…"] and titles[-1] == "退出(&X)"
    window = first.open_window(path, new=True)  # what 文件 → 新建选举数据库… does after its dialog
    assert window is not None and not first.isVisible()
    qtbot.addWidget(window)
    conn = window.ctx.conn
    assert db_persons.list_persons(conn) == [] and meetings.list_meetings(conn) == []
    page = window.current_page()
    assert page.objectName() == "MeetingSetupPage" and page.heading.text() == "新建会议"
    window.showNormal()  # the offscreen screen is smaller than a laptop's: it was maximised
    window.resize(1280, 800)
    qtbot.wait(30)
    shot(window, "setup-new-database-start")
    page.code.setText("party")
    page.title.setText("中共翠湖社区委员会换届选举党员大会")
    page.community.setText("新华街道翠湖社区")
    assert page.save() is not None
    assert window.ctx.meeting is not None and window.ctx.meeting.code == "party"
    assert window.header.community.text() == "新华街道翠湖社区"
    r = import_register(conn, write_register_csv(tmp_path / "名册.csv"),
                        now="2026-11-22T08:00:00+08:00", actor="test")
    assert r.status is ImportStatus.IMPORTED and r.count == 6
    window.ctx.register_changed.emit()
    desks = window.show_step("prepare", tab="签到台设置")
    desks.name.setText("一号台")
    assert desks.add_desk() is not None
    shot(window, "setup-new-database")
    # The desk page signs 王秀兰 in by the last digits of her ID number.
    signin = window.show_step("signin", tab="签到台")
    signin.desk_box.setCurrentIndex(signin.desk_box.findText("一号台"))
    signin.search_box.setText(id_number(1)[-6:])
    qtbot.waitUntil(lambda: [p.name for p in signin.found] == ["王秀兰"])
    qtbot.keyClick(signin.search_box, Qt.Key.Key_Return)
    assert "王秀兰" in signin.feedback.text()
    wang = attendance.find_person(conn, id_number(1))
    assert wang is not None
    assert attendance.standing_of(conn, window.ctx.meeting, wang.id).sign_in.desk == "一号台"
    window.close()
    QApplication.processEvents()
