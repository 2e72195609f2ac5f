"""Printouts go where the clerk chose (issue 14, item 11): one output folder per database, asked
once at the first print, named in every print button's tooltip, 打开文件夹 after printing."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices

from app import meetings
from tests.gui.conftest import wait_for
from tests.gui.test_contests_page import contests_page
from tests.gui.test_setup_pages import ctx, pick, shown  # noqa: F401  (fixture)
from ui import filedialogs


def click(qtbot, button) -> None:
    button.setFocus()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def print_click(qtbot, page, button) -> None:
    """A print button: the PDF is made behind the progress dialog; wait for the answer box."""
    page.box = None
    assert button.isEnabled() and button.isVisible(), button.text()
    clicked: list[bool] = []
    button.clicked.connect(lambda: clicked.append(True))
    click(qtbot, button)
    try:
        wait_for(qtbot, lambda: page.box is not None and page.box.isVisible())
    except AssertionError as e:   # which step was lost: the click, or the answer
        raise AssertionError(f"clicked {clicked}; box {page.box!r}; {e}") from e


def box_button(box, text):
    return next(b for b in box.buttons() if b.text() == text)


def test_two_pages_print_into_the_one_folder_asked_once(ctx, qtbot, tmp_path, monkeypatch,  # noqa: F811
                                                        shot, real_output_folder):
    from ui.pages.setup_desks import DesksSetupPage
    from ui.pages.setup_proxies import ProxiesPage

    chosen = tmp_path / "我的打印件"
    chosen.mkdir()
    asked: list[str] = []

    def dialog(_parent, caption="", directory=""):
        asked.append(directory)
        return str(chosen)

    monkeypatch.setattr(filedialogs, "get_existing_directory", dialog)
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)

    desks = shown(qtbot, DesksSetupPage(ctx), (1366, 768))
    assert "第一次打印时请选择输出文件夹" in desks.signin_button.toolTip()
    print_click(qtbot, desks, desks.signin_button)
    assert len(asked) == 1 and Path(asked[0]) == ctx.db_path.parent / "打印文件"
    signin = chosen / "party-签到表.pdf"
    assert signin.exists(), desks.box.text()
    assert str(signin) in desks.box.text()
    shot(desks.box, "output-folder-done")
    click(qtbot, box_button(desks.box, "打开文件夹"))
    assert opened == [str(chosen)]

    proxies = shown(qtbot, ProxiesPage(ctx), (1366, 768))
    ctx.switch_meeting(meetings.meeting_by_code(ctx.conn, "residents").id)
    pick(proxies.principal, "oyhm")
    pick(proxies.holder, "zz")
    assert proxies.add_proxy() is not None
    print_click(qtbot, proxies, proxies.print_button)
    assert len(asked) == 1  # asked once, remembered
    listed = chosen / "residents-委托投票名单.pdf"
    assert listed.exists(), proxies.box.text()
    for b in (desks.signin_button, desks.attendance_button, proxies.print_button):
        assert f"输出到：{chosen}" in b.toolTip(), b.text()
    assert "按支部或居民小组" in desks.signin_button.toolTip()  # its own words kept
    shot(proxies, "output-folder-proxies")

    # 更改输出文件夹… asks again, and every tooltip follows.
    other = tmp_path / "U盘"
    other.mkdir()
    chosen = other
    click(qtbot, box_button(proxies.box, "更改输出文件夹…"))
    assert len(asked) == 2
    assert f"输出到：{other}" in desks.signin_button.toolTip()
    assert f"输出到：{other}" in proxies.print_button.toolTip()
    print_click(qtbot, desks, desks.attendance_button)
    assert (other / "residents-出席情况报告.pdf").exists(), desks.box.text()
    assert len(asked) == 2


def test_ballots_and_results_go_to_the_chosen_folder(qtbot, tmp_path, monkeypatch, shot,
                                                    real_output_folder):
    chosen = tmp_path / "选票打印"
    chosen.mkdir()
    asked: list[str] = []
    monkeypatch.setattr(filedialogs, "get_existing_directory",
                        lambda _p, caption="", directory="": asked.append(directory) or str(chosen))
    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    gen = contests_page(qtbot, tmp_path, (1366, 768))
    page = next(gen)
    try:
        page.title_box.setCurrentText("委员")
        page.seats_box.setValue(3)
        page.add_contest()
        for name in ("李强", "王毅", "丁薛祥", "李干杰"):
            page.search_box.setText(name)
            page.add_typed()
        click(qtbot, page.ballots_button)
        qtbot.waitUntil(lambda: page.ballots_task is None, timeout=30000)
        assert (chosen / "party-c1-ballots.pdf").exists(), page.message.text()
        assert len(asked) == 1
        assert f"输出到：{chosen}" in page.ballots_button.toolTip()
        assert page.open_folder_button.isVisible()
        click(qtbot, page.open_folder_button)
        assert opened == [str(chosen)]
        shot(page, "output-folder-contests")
    finally:
        next(gen, None)


def test_open_without_a_pdf_reader_says_where_the_file_is(ctx, qtbot, tmp_path, monkeypatch,  # noqa: F811
                                                          shot):
    """A walk: 打开 on a laptop with no PDF reader did nothing at all (only the log said so)."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.pages.setup_desks import DesksSetupPage

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: False)   # no program for it
    desks = shown(qtbot, DesksSetupPage(ctx), (1366, 768))
    print_click(qtbot, desks, desks.signin_button)
    made = next(p for p in (ctx.db_path.parent / "打印文件").glob("*.pdf"))
    click(qtbot, box_button(desks.box, "打开"))
    wait_for(qtbot, lambda: isinstance(QApplication.activeModalWidget(), QMessageBox)
             and QApplication.activeModalWidget().objectName() == "notOpenedBox")
    said = QApplication.activeModalWidget()
    assert "没有找到能打开这个文件的程序" in said.text() and str(made) in said.text()
    shot(said, "output-folder-no-reader")
    said.close()
