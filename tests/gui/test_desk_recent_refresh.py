"""Walk finding: 本台最近签到 stayed as it was after a sign-out and a late sign-in made at the same
desk from the CLI on the same database (会议 and 多台签到 followed). The desk's poll now refills the
list when the database changed behind it (app.attendance.view.stamp), and only then."""

from __future__ import annotations

import subprocess

from tests.app.attendance.attendance_venue import pollday_cmd
from tests.gui.test_desk_page import choose_desk, desk_db, page, person, scan  # noqa: F401 (fixtures)


def recent_names(page) -> list[str]:  # noqa: F811
    return [page.recent.item(i).text().split()[-1] for i in range(page.recent.count())]


def test_the_recent_list_follows_sign_ins_made_elsewhere_on_the_poll(page, qtbot, shot):  # noqa: F811
    page.resize(1366, 768)
    choose_desk(page, "二号台")
    zeng, wang = person(page, "曾凡荣"), person(page, "王䶮")
    scan(qtbot, page.search_box, zeng.token)
    assert recent_names(page) == ["曾凡荣"]
    path = str(page.ctx.db_path)
    for extra, who in ((["--action", "sign-out"], zeng), ([], wang)):
        done = subprocess.run([*pollday_cmd(), "sign-in", "--db", path, "--desk", "二号台",
                               "--operator", "另一台", *extra, str(who.id)],
                              capture_output=True, text=True, encoding="utf-8", timeout=120,
                              stdin=subprocess.DEVNULL)
        assert done.returncode == 0, done.stdout + done.stderr
    filled = []
    real = page._show_recent
    page._show_recent = lambda *a: (filled.append(1), real(*a))[1]
    page.refresh_counter()                      # what the 2 s poll does
    qtbot.waitUntil(lambda: "王䶮" in recent_names(page), timeout=5000)
    assert recent_names(page)[0] == "王䶮"
    assert len(filled) == 1
    page.refresh_counter()                      # nothing changed since: the list is not re-read
    qtbot.waitUntil(lambda: page.refresh_op is None, timeout=5000)
    assert len(filled) == 1
    qtbot.wait(30)
    shot(page, "desk-recent-after-cli")
