"""A staff list on the demo database (issue 15: "the demo venue runs in open mode"): the GUI and
the CLI, as separate processes on the same file, agree that it is open mode — nobody is asked for
a PIN — and both say so where the list is seen (the demo band, `pollday staff`), so a trainee who
added a list does not take the missing PIN check for a fault."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from app.permissions import DEMO_LIST_OPEN
from tests.app.attendance.attendance_venue import pollday_cmd
from tests.gui.conftest import open_window


def pollday(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*pollday_cmd(), *args], capture_output=True, text=True,
                          encoding="utf-8", timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def test_a_staff_list_on_the_demo_is_open_mode_in_gui_and_cli_and_both_say_so(
        qtbot, tmp_path: Path, shot):
    path = tmp_path / "demo.db"
    done = pollday("demo", "--db", str(path), "--stage", "setup")
    assert done.returncode == 0, done.stderr
    for name, role, pin in (("张主持", "主持人", "480917"), ("李签到", "签到员", "592031")):
        done = pollday("staff", "--db", str(path), "add", name, "--role", role,
                       env={"POLLDAY_NEW_PIN": pin})
        assert done.returncode == 0, done.stderr
        assert DEMO_LIST_OPEN in done.stderr        # the CLI says the list is not enforced here
    done = pollday("staff", "--db", str(path), "list")
    assert done.returncode == 0 and "李签到" in done.stdout and DEMO_LIST_OPEN in done.stderr
    # The CLI asks no PIN of a listed name (no POLLDAY_PIN, no terminal): open mode, as the GUI.
    done = pollday("sign-in", "--db", str(path), "--desk", "第一党支部签到台", "--operator", "李签到",
                   "--here-anyway", "3")
    assert done.returncode == 0, done.stderr
    assert "PIN" not in done.stdout + done.stderr

    gen = open_window(qtbot, path)
    window = next(gen)
    window.resize(1366, 768)
    band = window.demo_band
    assert band is not None and band.isVisible()
    assert not window.enforced and not window.locked and window.sign_on_dialog is None
    assert window.signed_label.text() == "开放模式，无需登录"
    assert DEMO_LIST_OPEN in band.text() and "演示数据，虚构" in band.text()
    qtbot.wait(50)
    shot(window, "demo-with-staff-list-band")
    page = window.show_step("prepare", tab="工作人员名单")   # no 「每人用PIN登录」 here either
    assert DEMO_LIST_OPEN in page.heading.text() and "PIN登录本机" not in page.heading.text()
    qtbot.wait(50)
    shot(window, "demo-with-staff-list-page")
    gen.close()
