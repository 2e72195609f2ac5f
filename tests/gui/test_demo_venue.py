"""`pollday` with no database: the demo venue is built behind a progress dialog, then opened;
and the register view stays virtual with 20,000 persons."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QProgressDialog, QWidget

from app.electorate import electorate
from app.model import PartyStatus, Person
from db import persons as db_persons
from tests.gui.conftest import later, wait_for
from ui import pages
from ui.pages.register_model import PersonTableModel
from ui.tasks import Task


def loading_labels(window: QWidget) -> list[str]:
    return [w.text() for w in window.findChildren(QLabel)
            if w.isVisibleTo(window) and w.text().startswith("正在")]


def settle(qtbot, window: QWidget) -> None:
    """A page shows its figures once its background work is done: what a person sees after a
    moment, not the first frame (正在统计…, 正在验证…)."""
    qtbot.wait(50)  # the page's first refresh is queued (QTimer 0) after it is shown
    wait_for(qtbot, lambda: not Task._running and not loading_labels(window))
    qtbot.wait(50)  # the layout request the last setText posted (a label grown to its text)


def test_no_database_builds_and_opens_the_demo_venue(qtbot, tmp_path, monkeypatch, shot):
    from ui import app_main

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("POLLDAY_HOME", str(tmp_path / "home"))  # no election database used yet
    seen_dialog = []

    def look() -> None:  # while the build runs, the progress dialog is up
        seen_dialog.extend(d.labelText() for d in app_main.QApplication.topLevelWidgets()
                           if isinstance(d, QProgressDialog) and d.isVisible())

    later(300, look)
    window = app_main.start_gui([])
    assert window is not None
    qtbot.addWidget(window)
    path = tmp_path / "data" / "PollDay" / "demo.db"
    assert app_main.demo_db_path() == path and path.exists()
    assert not path.with_name("demo.db.part").exists()
    assert seen_dialog and "演示社区" in seen_dialog[0]
    assert window.header.community.text() == "新华街道翠湖社区"
    assert window.header.switcher.count() == 3
    page = window.show_step("prepare")
    qtbot.waitUntil(page.is_loaded, timeout=10000)
    total = db_persons.count_persons(window.ctx.conn)
    assert total > 8000 and page.count_label.text() == f"共 {total} 人"
    window.resize(1280, 800)
    window.show()  # laid out as on a laptop screen, not at the hidden window's size hint
    qtbot.waitExposed(window)
    for number, step in enumerate(pages.STEPS, start=1):
        window.show_step(step.key)
        settle(qtbot, window)
        shot(window, f"demo-{number}-{step.key}")
    # The vote column agrees with the core's electorate in every meeting, the plenary included.
    page = window.show_step("prepare")
    vote_col = page.model.columnCount() - 1
    for m in window.ctx.meetings():
        window.ctx.switch_meeting(m.id)
        votes = sum(page.model.index(r, vote_col).data() == "有"
                    for r in range(page.model.rowCount()))
        assert votes == electorate(window.ctx.conn, m).registered, m.code
    window.close()
    # The second start opens the existing demo without building it again.
    mtime = path.stat().st_mtime_ns
    again = app_main.start_gui([])
    assert again is not None
    qtbot.addWidget(again)
    assert path.stat().st_mtime_ns == mtime or again.ctx.db_path == path
    again.close()


def person(i: int) -> Person:
    return Person(id=i, name=f"测试{i}", gender="F", birth_date="1970-01-01",
                  id_number=f"11010519700101{i % 10000:04d}", education="高中", branch="第一党支部",
                  resident_group="第一居民小组", household=str(i), member_no="",
                  party_status=PartyStatus.FULL, resident_voter=True, household_rep=False,
                  resident_rep=False, collective_member=False, collective_delegate=False,
                  token=str(i))


class CountingModel(PersonTableModel):
    calls = 0

    def data(self, index, role=0):
        CountingModel.calls += 1
        return super().data(index, role)


def test_twenty_thousand_rows_paint_only_what_is_visible(window, qtbot):
    page = window.current_page()
    model = CountingModel(page)
    model.set_meeting(window.ctx.meeting)
    page.model = model
    page.table.setModel(model)
    page.all_persons = [person(i) for i in range(1, 20001)]
    page.apply_filter()
    assert model.rowCount() == 20000 and page.count_label.text() == "共 20000 人"
    page.table.scrollToBottom()
    CountingModel.calls = 0
    page.table.grab()
    visible_rows = (page.table.viewport().height()
                    // page.table.verticalHeader().defaultSectionSize() + 2)
    # A frame asks for the cells on screen (a dozen roles each), not for 20,000 rows.
    assert 0 < CountingModel.calls < visible_rows * model.columnCount() * 16
    assert model.index(19999, 0).data() == "测试20000"
    frames, calls = [], []
    for row in range(0, 20000, 2000):
        CountingModel.calls = 0
        started = time.thread_time()  # CPU time of this (the GUI) thread: not the machine's load
        page.table.scrollTo(model.index(row, 0))
        page.table.grab()
        frames.append((time.thread_time() - started) * 1000)
        calls.append(CountingModel.calls)
    # Every frame, wherever it is scrolled to, asks only for the cells on screen.
    assert max(calls) < visible_rows * model.columnCount() * 16, calls
    # Offscreen software painting of the whole table takes 20-50 ms of CPU (the model's own
    # share is ~5 ms); a view touching every row would take seconds.
    assert sorted(frames)[len(frames) // 2] < 100, frames
