"""Scanner counting where a staff list exists: a scan batch is imported and counted into entry A
by a 计票人 (not by anyone at the laptop), and the count works at all (the ballots are recorded
under the scanner's name, which is no staff member)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.meetings import Refusal
from app.scan.adjudicate import count_round
from app.scan.batch import import_batch
from app.scan.printing import render_scan_ballots
from app.scan.setup import layout_for_round
from tests.app.scan.synth import render_blank, write_deck
from tests.app.staff.test_permission_gaps import _round, _written, venue  # noqa: F401
from tests.app.staff.test_permissions import Venue

TOOL = "pdftoppm"
INTENTS = ["o--", "-o-", "--x", "x-o"]


def test_a_scan_batch_is_imported_and_counted_by_a_teller(venue: Venue,  # noqa: F811
                                                          tmp_path: Path, db_path: Path) -> None:
    v = venue
    r = _round(v)
    layout = layout_for_round(v.conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                              0, qr=False, actor=v.who["赵主持"], at="2026-11-22T09:00:00+08:00")
    assert not isinstance(layout, Refusal), layout
    pdf = tmp_path / "ballot.pdf"
    render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                        qr=False)
    folder = tmp_path / "scans"
    write_deck(render_blank(pdf, 200, tmp_path), layout, 200, folder, len(INTENTS),
               intents=INTENTS, edge_rate=0.0, write_in_rate=0.0)
    before = _written(v.conn)
    for who in ("钱签到", "冯工作"):
        got = import_batch(v.conn, db_path, folder, len(INTENTS), operator=v.who[who],
                           clock=v.clock)
        assert isinstance(got, Refusal) and got.code == "NOT_ALLOWED", got
        assert "计票人" in got.message
    assert _written(v.conn) == before
    assert v.conn.execute("SELECT count(*) FROM scan_batch").fetchone()[0] == 0
    got = import_batch(v.conn, db_path, folder, len(INTENTS), operator=v.who["孙计票"],
                       clock=v.clock)
    assert not isinstance(got, Refusal) and got.read == len(INTENTS), got
    before = _written(v.conn)
    refused = count_round(v.conn, r.id, operator=v.who["钱签到"], clock=v.clock)
    assert isinstance(refused, Refusal) and refused.code == "NOT_ALLOWED", refused
    assert _written(v.conn) == before
    assert count_round(v.conn, r.id, operator=v.who["孙计票"], clock=v.clock) == len(INTENTS)
