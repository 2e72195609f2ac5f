"""The dashboard's 班子结构与职务 tab (issue 16): a row per body, per post and for the 两委 with
counts beside shares, the 换届工作情况 paragraph, and the 35岁以下 choice."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from tests.gui.conftest import SHOTS
from tests.gui.test_district_page import _page, _wait_import, packages  # noqa: F401 (fixture)


def test_groups_summary_and_under_35_choice(qtbot, packages: Path, tmp_path: Path) -> None:  # noqa: F811
    window, page = _page(qtbot, tmp_path / "district.db")
    _wait_import(qtbot, page, sorted(packages.glob("*.pollday")))
    report = page.report
    assert report is not None and report.posts and report.two_committees is not None
    labels = [page.groups.item(r, 0).text() for r in range(page.groups.rowCount())]
    assert "党组织书记" in labels and "两委（每人计一次）" in labels
    party = next(b for b in report.bodies if b.body == "党组织委员会")
    row = labels.index("党组织委员会")
    share = party.data()["college_pct"]
    assert page.groups.item(row, 3).text() == f"{party.college}人（{share}%）"
    text = page.summary.toPlainText()
    assert f"新一届社区党组织委员会成员 {party.members}名" in text
    assert "两委" in text and "一肩挑" in text
    window.resize(1366, 768)
    page.tabs.setCurrentIndex(2)
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "district-groups.png"))
    before = report.two_committees.young
    assert page.young_box.isChecked()
    qtbot.mouseClick(page.young_box, Qt.MouseButton.LeftButton)
    assert not page.young_box.isChecked()
    after = page.report
    assert after is not None and not after.young_inclusive and after.two_committees is not None
    assert after.two_committees.young <= before
    assert "不满35岁" in page.summary.toPlainText()



def test_every_group_row_adds_up_with_a_column_for_the_unknown(
        qtbot, packages: Path, tmp_path: Path) -> None:  # noqa: F811
    """Walk finding (s72): 居委会 43 showed 留任 1 + 新进 5, 两委 86 showed 3 + 46, 居委会副主任 10
    showed 0 + 0 — the members with no previous-term record were in no column."""
    window, page = _page(qtbot, tmp_path / "district.db")
    _wait_import(qtbot, page, sorted(packages.glob("*.pollday")))
    heads = [page.groups.horizontalHeaderItem(c).text() for c in range(page.groups.columnCount())]
    assert "无上届资料" in heads

    def count(r: int, head: str) -> int:
        return int(page.groups.item(r, heads.index(head)).text().removesuffix("人"))

    assert page.groups.rowCount() > 0
    unknown = 0
    for r in range(page.groups.rowCount()):
        parts = count(r, "留任") + count(r, "新提拔/新进") + count(r, "无上届资料")
        assert parts == count(r, "人数"), page.groups.item(r, 0).text()
        unknown += count(r, "无上届资料")
    assert unknown > 0, "the demo has no member without a previous term: not exercised"
    window.resize(1366, 768)
    page.tabs.setCurrentIndex(2)
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "district-groups-unknown.png"))
