"""Every round: 收回 = ballots read + ballots entered by keyboard (issue 17 item 5). The same
paper sheet scanned again as another file (other bytes, so the hash guard does not see it) would
be counted twice: a batch that would make the round's scanned ballots more than the 收回
registered for its boxes is refused whole at import, naming the round, the batch's files and the
batches already in; a round with no box figures yet is not checked (validation asks for them)."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

from PIL import Image

from app.meetings import Refusal
from app.scan.batch import import_batch
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from app.scan.watch import FolderWatch
from app.voting import record_box
from tests.app.scan.synth import render_blank, write_deck
from tests.app.staff.test_permission_gaps import _round, venue  # noqa: F401
from tests.app.staff.test_permissions import Venue

TOOL = "pdftoppm"
INTENTS = ["o--", "-o-", "--x"]


def test_a_sheet_scanned_again_as_another_file_is_refused_at_import(
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
    got = record_box(v.conn, r.id, "主票箱", printed=10, issued=3, returned=3,
                     actor=v.who["周监票"], clock=v.clock)
    assert not isinstance(got, Refusal), got
    teller = v.who["孙计票"]
    first = tmp_path / "first"
    first.mkdir()
    for name in ("scan0001.jpg", "scan0002.jpg"):
        shutil.copy(made / name, first)
    got = import_batch(v.conn, db_path, first, 2, operator=teller, clock=v.clock)
    assert not isinstance(got, Refusal) and got.batch_id == 1, got
    # the third ballot, in a watched folder; then sheet 1 rescanned and saved as another JPEG
    folder = tmp_path / "mfp"
    folder.mkdir()
    w = FolderWatch(folder, db_path, operator=str(teller), clock=v.clock)
    assert w.start() is None
    shutil.copy(made / "scan0003.jpg", folder)
    for _ in range(3):
        w.step(v.conn)
    w.count(1, 1)
    got_events = w.step(v.conn)
    assert [e.kind for e in got_events] == ["imported"], got_events
    again = io.BytesIO()
    Image.open(made / "scan0001.jpg").save(again, "JPEG", quality=80)
    assert again.getvalue() != (made / "scan0001.jpg").read_bytes()
    (folder / "scan0001-重扫.jpg").write_bytes(again.getvalue())
    events = []
    for _ in range(3):
        events += w.step(v.conn)
    assert [e.kind for e in events] == ["read"], events
    w.count(2, 1)
    events = w.step(v.conn)
    assert [e.kind for e in events] == ["batch_refused"], events
    words = events[0].words
    assert events[0].detail["code"] == "OVER_RETURNED"
    assert "scan0001-重扫.jpg" in words and "已导入的3张（第1、2批）" in words, words
    assert "共4张，多于票箱登记收回的3张，整批未导入" in words, words
    assert v.conn.execute("SELECT count(*) FROM scan_batch").fetchone()[0] == 2
    assert w.view().waiting()[0].state == "not_imported"   # waits: set aside, or fix 收回
    # the box figures were wrong (4 returned): corrected, the same batch imports
    got = record_box(v.conn, r.id, "主票箱", printed=10, issued=4, returned=4,
                     actor=v.who["周监票"], clock=v.clock)
    assert not isinstance(got, Refusal), got
    w.count(2, 1)
    assert [e.kind for e in w.step(v.conn)] == ["imported"]
