"""The archive of scan originals under an interrupted or replayed import: what a killed import
left half-written is removed before the next batch is written; a batch folder no committed batch
owns (a database put back from an older copy beside a newer archive) is never deleted: it is set
aside, and the new batch gets its own folder."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.bench.b_scan import AT, _blank, _database, _layout
from app.clock import FixedClock
from app.scan.batch import ImportResult, archive_folder, import_batch
from tests.app.scan.synth import write_deck

TOOL = "pdftoppm"


def test_leftovers_are_swept_and_unowned_originals_are_kept(tmp_path: Path) -> None:
    folder = tmp_path / "scans"
    write_deck(_blank(tmp_path, 200), _layout(), 200, folder, 2, edge_rate=0.0,
               write_in_rate=0.0)
    db = tmp_path / "day.db"
    archive = archive_folder(db)
    half = archive / "batch-0001.partial"              # an import killed while writing
    half.mkdir(parents=True)
    (half / "x.jpg").write_bytes(b"half")
    os.chmod(half / "x.jpg", stat.S_IREAD)
    older = archive / "batch-0001"                     # originals of a batch this file lacks
    older.mkdir()
    (older / "kept.jpg").write_bytes(b"an original")
    conn = _database(db)
    try:
        got = import_batch(conn, db, folder, 2, operator="t", clock=FixedClock(AT, 1.0))
    finally:
        conn.close()
    assert isinstance(got, ImportResult) and got.batch_id == 1, got
    assert not half.exists()
    assert (archive / "batch-0001.unclaimed" / "kept.jpg").read_bytes() == b"an original"
    assert sorted(p.name[17:] for p in older.iterdir()) == ["scan0001.jpg", "scan0002.jpg"]
