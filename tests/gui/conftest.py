"""GUI fixtures: a small election database with known names, and the main window on it."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import pytest

from app.clock import FixedClock
from app.model import Form, Organisation, PartyStatus, RuleSet
from app.register.idcard import make_id_number
from app.register.store import PersonRecord, add_persons

# Screenshots for a person to look at: outside the repository, in the system temp folder.
SHOTS = Path(os.environ.get("POLLDAY_SHOTS", Path(tempfile.gettempdir()) / "pollday-shots"))
CLOCK_START = dt.datetime(2026, 11, 22, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))

# (name, gender, born, party status, branch)
PEOPLE = (
    ("曾凡荣", "M", dt.date(1962, 3, 1), PartyStatus.FULL, "第一党支部"),
    ("王䶮", "F", dt.date(1975, 8, 9), PartyStatus.FULL, "第一党支部"),
    ("吉𠮷", "M", dt.date(1958, 1, 20), PartyStatus.PROBATIONARY, "第二党支部"),
    ("欧阳红梅", "F", dt.date(1970, 5, 5), PartyStatus.FULL, "第二党支部"),
    ("单国栋", "M", dt.date(1988, 12, 30), PartyStatus.NONE, ""),
    ("张喆", "M", dt.date(1990, 7, 7), PartyStatus.FULL, "第三党支部"),
)


def person_records() -> list[PersonRecord]:
    out = []
    for seq, (name, gender, born, status, branch) in enumerate(PEOPLE, start=11):
        out.append(PersonRecord(
            name=name, gender=gender, birth_date=born.isoformat(),
            id_number=make_id_number("110105", born, seq, gender), education="大学本科",
            branch=branch, resident_group="第一居民小组", household=f"{seq:04d}",
            party_status=status, resident_voter=True))
    return out


def make_db(path: Path, *, people: bool = True) -> Path:
    from app import meetings
    from db.connection import connect

    conn = connect(path)
    clock = FixedClock(CLOCK_START, 1.0)
    for code, title, org, rules, form in (
            ("party", "中共翠湖社区委员会换届选举党员大会", Organisation.PARTY_COMMITTEE,
             RuleSet.PARTY, Form.ASSEMBLY),
            ("residents", "翠湖社区第十二届居民委员会选举大会", Organisation.RESIDENTS_COMMITTEE,
             RuleSet.RESIDENTS, Form.ALL)):
        got = meetings.create_meeting(conn, code=code, title=title, community="新华街道翠湖社区",
                                      organisation=org, rules=rules, form=form,
                                      date="2026-11-22", clock=clock, actor="test")
        assert not isinstance(got, meetings.Refusal), got
    if people:
        add_persons(conn, person_records(), "2026-11-20T10:00:00+08:00", actor="test")
    conn.close()
    return path


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    return make_db(tmp_path / "election.db")


@pytest.fixture
def window(qtbot, small_db):
    yield from open_window(qtbot, small_db)


@pytest.fixture
def empty_window(qtbot, tmp_path):
    """The main window on a database with meetings but nobody on the register yet."""
    yield from open_window(qtbot, make_db(tmp_path / "empty.db", people=False))


def open_window(qtbot, path: Path):
    from ui.app_main import make_app, open_main_window

    make_app()
    w = open_main_window(path)
    assert w is not None
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    page = w.show_step("prepare")
    qtbot.waitUntil(page.is_loaded, timeout=5000)
    yield w
    w.close()


@pytest.fixture
def shot():
    """shot(widget, name): save a screenshot for a person to look at (outside the repository)."""

    def save(widget, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        assert widget.grab().save(str(path))
        return path

    return save


@pytest.fixture
def real_output_folder():
    """Asked for by a test that drives the output-folder dialog itself (through filedialogs)."""


@pytest.fixture(autouse=True)
def _output_folder_suggestion_taken(request, monkeypatch):
    """Tests of printing take the suggested output folder (`打印文件` beside the database) as a
    clerk pressing 选择 in the first print's folder dialog would; tests/gui/test_output_folder.py
    drives the dialog itself."""
    if "real_output_folder" in request.fixturenames:
        return
    from ui import output_folder

    monkeypatch.setattr(output_folder, "choose_folder",
                        lambda _parent, suggestion: str(suggestion))


def busy_report() -> str:
    """What the GUI is still doing (for a wait that timed out): background tasks, database
    operations waiting or running, and the visible top-level windows and dialogs."""
    import threading

    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    from ui import ops
    from ui.tasks import Task

    tasks = [f"{getattr(t._fn, '__qualname__', t._fn)!s} running={t.is_running()}"
             for t in Task._running]
    pending = [f"{op.title} on {Path(op.database).name} done={op.done}" for op in ops._pending]
    tops = [f"{type(w).__name__} {w.windowTitle()!r}" for w in QApplication.topLevelWidgets()
            if w.isVisible()]
    windows = [f"{type(w).__name__} {w.objectName()!r} {w.title()!r}"
               for w in QGuiApplication.topLevelWindows() if w.isVisible()]
    popup, modal = QApplication.activePopupWidget(), QApplication.activeModalWidget()
    threads = sorted(t.name for t in threading.enumerate())
    return (f"tasks {tasks}; database operations {pending}; visible windows {tops}; "
            f"visible QWindows {windows}; popup {popup!r}; modal {modal!r}; "
            f"modal window {QGuiApplication.modalWindow()!r}; "
            f"mouse buttons {QGuiApplication.mouseButtons()!r}; threads {threads}")


def wait_for(qtbot, condition, timeout: int = 30000) -> None:
    """qtbot.waitUntil that says what was still busy when it ran out."""
    try:
        qtbot.waitUntil(condition, timeout=timeout)
    except Exception as e:
        raise AssertionError(f"waited {timeout / 1000:g} s: {busy_report()}") from e


# A test's pollers end with it. A poller waiting for a dialog that never came in its own test
# (QTimer.singleShot calling itself again) ran on into the next tests and closed their boxes:
# tests/gui/test_one_owner.py's file-dialog answerer (`act`) closed the 打印 message of
# tests/gui/test_print_buttons.py and test_output_folder.py in full runs. The owner is the test's
# node id as pytest sets it (a module-level counter would not do: this file is imported twice,
# as pytest's conftest and as tests.gui.conftest by the test modules).


def _current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" (", 1)[0]


def later(ms: int, fn) -> None:
    """QTimer.singleShot for a test's own helpers: never runs once the test that asked ended."""
    from PySide6.QtCore import QTimer

    owner = _current_test()

    def run() -> None:
        if owner and _current_test() == owner:
            fn()

    QTimer.singleShot(ms, run)
