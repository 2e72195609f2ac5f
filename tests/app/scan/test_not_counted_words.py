"""Scans imported and not counted: validation names the button as the 扫描认定 tab labels it
(「计入录入组 A」; it said 扫描认定页“计入本轮”, a button nobody could find — walk C finding 4)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from app.meetings import Refusal
from app.scan.batch import import_batch
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from app.voting import record_box, validate_round
from tests.app.scan.synth import render_blank, write_deck
from tests.app.staff.test_permission_gaps import _round, venue  # noqa: F401
from tests.app.staff.test_permissions import Venue

INTENTS = ["o--", "-o-"]


def test_scans_not_counted_name_the_count_button_as_labelled(
        venue: Venue, tmp_path: Path, db_path: Path) -> None:  # noqa: F811
    v = venue
    r = _round(v)
    layout = layout_for_round(v.conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                              0, qr=False, actor=v.who["赵主持"], at="2026-11-22T09:00:00+08:00")
    assert not isinstance(layout, Refusal), layout
    pdf = tmp_path / "ballot.pdf"
    render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                        qr=False)
    made = tmp_path / "made"
    write_deck(render_blank(pdf, 200, tmp_path), layout, 200, made, len(INTENTS),
               intents=INTENTS, edge_rate=0.0, write_in_rate=0.0)
    got = record_box(v.conn, r.id, "主票箱", printed=10, issued=2, returned=2,
                     actor=v.who["周监票"], clock=v.clock)
    assert not isinstance(got, Refusal), got
    folder = tmp_path / "batch"
    folder.mkdir()
    for name in ("scan0001.jpg", "scan0002.jpg"):
        shutil.copy(made / name, folder)
    got = import_batch(v.conn, db_path, folder, 2, operator=v.who["孙计票"], clock=v.clock)
    assert not isinstance(got, Refusal), got
    checked = validate_round(v.conn, r.id)
    assert not isinstance(checked, Refusal), checked
    words = [p.message for p in checked.problems if p.code == "SCANS_NOT_COUNTED"]
    assert len(words) == 1 and "尚有2张未计入" in words[0], words
    assert "「计入录入组 A」" in words[0] and "计入本轮" not in words[0], words[0]
