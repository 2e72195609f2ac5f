"""The adjudication image of a page fed upside down is shown the right way up: the same picture,
outlines and crop as the page fed the right way."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
from PIL import Image

from app.bench.b_scan import AT, _blank, _database, _layout
from app.clock import FixedClock
from app.scan.adjudicate import all_pages
from app.scan.batch import ImportResult, import_batch
from app.scan.view import PageView, page_view
from tests.app.scan.synth import SEED, ballot

TOOL = "pdftoppm"


def test_an_upside_down_page_is_shown_the_right_way_up(tmp_path: Path) -> None:
    layout = _layout()
    img, _truth = ballot(_blank(tmp_path, 200), layout, 200, random.Random(SEED),
                         edge_rate=1.0, write_in_rate=0.0)     # a mark over a box edge: flagged
    folder = tmp_path / "scans"
    folder.mkdir()
    Image.fromarray(img).save(folder / "a-upright.png", dpi=(200, 200))
    Image.fromarray(np.ascontiguousarray(img[::-1, ::-1])).save(folder / "b-turned.png",
                                                                 dpi=(200, 200))
    db = tmp_path / "day.db"
    conn = _database(db)
    try:
        got = import_batch(conn, db, folder, 2, operator="t", clock=FixedClock(AT, 1.0))
        assert isinstance(got, ImportResult) and not got.refused, got
        pages = sorted(all_pages(conn), key=lambda p: p.position)
        assert [r[0] for r in conn.execute("SELECT upside_down FROM scan_page ORDER BY position")
                ] == [0, 1]
        views = [page_view(conn, db, p.id, {1: layout}) for p in pages]
    finally:
        conn.close()
    upright, turned = views
    assert isinstance(upright, PageView) and isinstance(turned, PageView)
    assert np.array_equal(upright.gray, turned.gray)          # the picture the right way up
    assert upright.crop is not None and turned.crop is not None
    assert max(abs(a - b) for a, b in zip(upright.crop, turned.crop, strict=True)) <= 3
    assert upright.outlines, "the mark over the edge is outlined"
    assert [o.label for o in upright.outlines] == [o.label for o in turned.outlines]
    for a, b in zip(upright.outlines, turned.outlines, strict=True):
        assert np.abs(np.array(a.points) - np.array(b.points)).max() <= 3
