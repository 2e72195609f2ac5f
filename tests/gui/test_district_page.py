"""The district dashboard (`pollday --district DB`): import of many packages off the GUI thread
with a per-package result list, cancel, the plan and previous term, the figures shown, exports,
and screenshots for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.gui.conftest import SHOTS


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.app.district.conftest import shared_demo

    return shared_demo(tmp_path_factory)   # demo-district, shared with tests/app/district


def _page(qtbot, db: Path):
    from ui.app_main import make_app
    from ui.pages.district_page import DistrictWindow

    make_app()
    window = DistrictWindow(db)
    qtbot.addWidget(window)
    window.show()
    return window, window.page


def _wait_import(qtbot, page, paths: list[Path]):
    task = page.start_import(paths)
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    return task


def test_import_figures_and_exports(qtbot, packages, tmp_path: Path) -> None:
    window, page = _page(qtbot, tmp_path / "district.db")
    assert page.table.rowCount() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "district-empty.png"))
    files = sorted(packages.glob("*.pollday"))
    _wait_import(qtbot, page, files)
    texts = [page.results.item(i).text() for i in range(page.results.count())]
    assert len(texts) == len(files)
    assert sum(t.startswith("拒收") for t in texts) == 1
    assert any("被改动" in t and "results/party.json" in t for t in texts)
    assert sum(t.startswith("已导入（取代") for t in texts) == 1
    assert page.load_sheet("plan", packages / "plan.xlsx") == "已导入 10 个社区"
    assert page.load_sheet("previous", packages / "previous.xlsx").startswith("已导入")
    h = page.report.headline()
    assert page.table.rowCount() == h["communities"] == 10
    assert page.tiles["未开始"].value.text() == "2"
    assert page.rate_tiles["one_pass_rate"].value.text() == f"{h['one_pass_rate']}%"
    assert page.makeup_bars.groups and page.stage_bars.counts
    window.resize(1360, 860)
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "district-dashboard.png"))
    assert page.export(tmp_path / "汇总.xlsx", False) == ""
    assert page.export(tmp_path / "报告.pdf", False) == ""
    assert page.export(tmp_path / "日报.xlsx", True) == ""
    assert (tmp_path / "汇总.xlsx").stat().st_size > 0 and (tmp_path / "报告.pdf").exists()
    # The same packages again: duplicates (and the tampered one still refused).
    _wait_import(qtbot, page, files)
    again = [page.results.item(i).text() for i in range(page.results.count())]
    assert sum(t.startswith("重复") for t in again) == len(files) - 1


def test_cancel_stops_between_packages(qtbot, packages, tmp_path: Path) -> None:
    window, page = _page(qtbot, tmp_path / "district.db")
    files = sorted(packages.glob("*.pollday")) * 4
    task = page.start_import(files)
    assert page.cancel_button.isVisible() and page.progress.isVisible()
    page.cancel_import()
    qtbot.waitUntil(lambda: page.task is None, timeout=60000)
    assert task.outcome is not None
    texts = [page.results.item(i).text() for i in range(page.results.count())]
    assert texts[-1].startswith("已取消")
    assert len(texts) - 1 < len(files)
    assert page.import_button.isEnabled() and not page.cancel_button.isVisible()


def test_pollday_district_opens_its_window(tmp_path: Path) -> None:
    """`pollday --district DB` (the launcher's district mode) shows the dashboard; an election
    database is refused with a message, not migrated."""
    import os
    import subprocess

    from tests.app.district.conftest import pollday

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONUTF8="1")
    p = subprocess.run([*pollday(), "--district", str(tmp_path / "d.db"), "--quit-after-show"],
                       capture_output=True, text=True, encoding="utf-8", env=env, timeout=120)
    assert p.returncode == 0 and "district window shown" in p.stdout, p.stderr
    assert (tmp_path / "d.db").exists()
    from db.connection import connect

    connect(tmp_path / "election.db").close()
    p = subprocess.run([*pollday(), "--district", str(tmp_path / "election.db"),
                        "--quit-after-show"], capture_output=True, text=True, encoding="utf-8",
                       env=env, timeout=120)
    assert p.returncode == 1 and "不是区（街道）换届办汇总数据库" in p.stderr
