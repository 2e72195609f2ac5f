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


def test_doubtful_scans_are_decided_by_the_rounds_named_scrutineers(
        venue: Venue, tmp_path: Path, db_path: Path) -> None:  # noqa: F811
    """Where the round names its 监票人, a flagged scanned ballot is decided by them (or the
    总监票人 with one of them); before they are named, by any two 监票人."""
    from app.scan.adjudicate import decide, pending
    from app.voting import set_officials

    v = venue
    r = _round(v)
    layout = layout_for_round(v.conn, r.contest_id, r.number, "委员选举选票", r.seats, r.names,
                              0, qr=False, actor=v.who["赵主持"], at="2026-11-22T09:00:00+08:00")
    assert not isinstance(layout, Refusal), layout
    pdf = tmp_path / "ballot.pdf"
    render_scan_ballots([(layout, 1)], pdf, dt.datetime(2026, 11, 22, 9, 0), election="x",
                        qr=False)
    folder = tmp_path / "scans"
    write_deck(render_blank(pdf, 200, tmp_path), layout, 200, folder, 3,
               intents=["oo-", "o--", "-oo"], edge_rate=0.0, write_in_rate=0.0)  # 2 overvotes
    got = import_batch(v.conn, db_path, folder, 3, operator=v.who["孙计票"], clock=v.clock)
    assert not isinstance(got, Refusal) and got.flagged == 2, got
    first, second = pending(v.conn)
    assert first.needs_two and second.needs_two
    # No 监票人 named yet: any two 监票人 decide.
    done = decide(v.conn, first.id, "110", first=v.who["王双岗"], second=v.who["周监票"],
                  clock=v.clock)
    assert not isinstance(done, Refusal), done
    assert not isinstance(set_officials(v.conn, r.id, scrutineers=["周监票", "郑监票"],
                                        counters=["孙计票"], actor=v.who["赵主持"],
                                        clock=v.clock), Refusal)
    before = _written(v.conn)
    got = decide(v.conn, second.id, "011", first=v.who["王双岗"], second=v.who["周监票"],
                 clock=v.clock)
    assert isinstance(got, Refusal) and got.code == "NOT_NAMED", got
    assert "周监票、郑监票" in got.message and "总监票人吴总监" in got.message, got.message
    assert "王双岗 不是本轮指定的监票人" in got.message, got.message
    assert _written(v.conn) == before and len(pending(v.conn)) == 1
    # The 总监票人 with a named 监票人 decides.
    done = decide(v.conn, second.id, "011", first=v.who["吴总监"], second=v.who["郑监票"],
                  clock=v.clock)
    assert not isinstance(done, Refusal), done
    assert pending(v.conn) == []
