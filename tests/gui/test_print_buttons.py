"""准备 · 签到台设置 and 委托: the sign-in paper printed from buttons (into the database's output
folder, worker, message)."""

from __future__ import annotations

import subprocess

from app import meetings, proxies
from tests.gui.conftest import wait_for
from tests.gui.test_setup_pages import ctx, pick, shown  # noqa: F401  (fixture)
from ui import output_folder


def save_to(monkeypatch, path) -> None:
    """The output folder the first print asks for: the folder of `path` (the file name is the
    document's own)."""
    monkeypatch.setattr(output_folder, "choose_folder", lambda *a: str(path.parent))


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_desk_page_prints_signin_sheets_and_attendance(ctx, qtbot, tmp_path, monkeypatch, shot):  # noqa: F811
    from ui.pages.setup_desks import DesksSetupPage

    page = shown(qtbot, DesksSetupPage(ctx))
    for button, name in ((page.signin_button, "签到表"), (page.attendance_button, "出席情况报告")):
        out = tmp_path / f"party-{name}.pdf"
        save_to(monkeypatch, out)
        page.box = None
        button.click()  # returns at once: the PDF is made behind the progress dialog
        wait_for(qtbot, lambda: page.box is not None and page.box.isVisible())
        assert out.exists(), page.box.text()
        assert "已生成" in page.box.text() and str(out) in page.box.text()
        assert any(b.text() == "打开" for b in page.box.buttons())
        if name == "签到表":
            assert "欧阳红梅" in pdf_text(out)
            shot(page.box, "print-signin-done")
        page.box.close()
    shot(page, "setup-desks-print")


def test_unprintable_name_is_refused_naming_the_person(ctx, qtbot, tmp_path, monkeypatch):  # noqa: F811
    from ui.pages.setup_desks import DesksSetupPage

    ctx.conn.execute("UPDATE person SET name = ? WHERE name = ?", ("张\U000f0001", "张喆"))
    ctx.conn.commit()
    page = shown(qtbot, DesksSetupPage(ctx))
    out = tmp_path / "bad.pdf"
    save_to(monkeypatch, out)
    page.signin_button.click()
    wait_for(qtbot, lambda: page.box is not None and page.box.isVisible())
    assert not out.exists()
    text = page.box.text()
    assert "未能生成" in text and "张\U000f0001" in text and "U+F0001" in text
    page.box.close()


def test_proxy_page_prints_the_proxy_list(ctx, qtbot, tmp_path, monkeypatch):  # noqa: F811
    from ui.pages.setup_proxies import ProxiesPage

    page = shown(qtbot, ProxiesPage(ctx))
    assert not page.print_button.isEnabled()  # party meeting: no proxies
    ctx.switch_meeting(meetings.meeting_by_code(ctx.conn, "residents").id)
    assert page.print_button.isEnabled()
    pick(page.principal, "oyhm")
    pick(page.holder, "zz")
    assert page.add_proxy() is not None
    assert len(proxies.list_proxies(ctx.conn, ctx.meeting)) == 1
    got = tmp_path / "residents-委托投票名单.pdf"
    save_to(monkeypatch, got)
    page.print_button.click()
    wait_for(qtbot, lambda: page.box is not None and page.box.isVisible())
    assert got.exists(), page.box.text()
    text = pdf_text(got)
    assert "欧阳红梅" in text and "张喆" in text
    assert str(got) in page.box.text()
    page.box.close()

