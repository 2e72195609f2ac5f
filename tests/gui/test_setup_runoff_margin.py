"""会议设置: the option runoff_margin (rules.md §1.3) as a tick box of a party meeting, stored as
"twenty_percent" / "more" and shown again when the meeting is edited."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from app import meetings
from app.rules.options import RunoffMargin
from tests.gui.test_setup_pages import ctx, shown  # noqa: F401  (ctx is a fixture)


def test_runoff_margin_tick_box(ctx, qtbot, shot) -> None:  # noqa: F811 (the fixture imported above)
    from ui.pages.setup_meeting import MeetingSetupPage

    page = shown(qtbot, MeetingSetupPage(ctx), (1366, 768))
    page.start_new()
    page.rules.setCurrentIndex(page.rules.findData("party-2020"))
    box = page.option_boxes["runoff_margin"]
    assert box.isVisibleTo(page) and not box.isChecked()
    assert "另行选举" in box.text() and "百分之二十" in page.option_notes["runoff_margin"].text()
    page.code.setText("dy")
    page.title.setText("党员大会")
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
    assert box.isChecked()
    got = page.save()
    assert got is not None and got.options["runoff_margin"] == "twenty_percent"
    assert meetings.rule_options(got).runoff_margin is RunoffMargin.TWENTY_PERCENT
    shot(page, "setup-meeting-runoff-margin")
    # Another meeting shown, then this one again: the box follows the stored option.
    page.list.setCurrentRow(0)
    row = next(i for i in range(page.list.count()) if "党员大会" in page.list.item(i).text()
               and page.all[i].code == "dy")
    page.list.setCurrentRow(row)
    assert page.option_boxes["runoff_margin"].isChecked()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)   # untick from the keyboard
    again = page.save()
    assert again is not None and again.options["runoff_margin"] == "more"
    page.start_new()
    page.rules.setCurrentIndex(page.rules.findData("residents-2025"))
    assert not page.option_boxes["runoff_margin"].isVisibleTo(page)
