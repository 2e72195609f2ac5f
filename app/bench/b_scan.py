"""Scanner counting, format A (issue 17).

- scan_pages_per_min_300dpi: a batch of 40 marked 300-dpi JPEG pages imported end to end — hashing,
  the read-only archive copy, reading every page, the database rows (one process, 2 cores).
- scan_silent_misreads: on a synthetic deck of >= 10,000 boxes (half 200, half 300 dpi; clean
  and open circles, ticks, crosses, scribbles, heavy dots, a few marks crossing a box edge;
  rotation ±3°, scale ±2 %, shift ±5 mm, blur, noise, JPEG q 60-95, light toner 60 %, some pages
  upside down), ballots read wrong and not sent to a human.
- scan_to_human_pct: the same deck's ballots sent to a human (write-ins excluded: none in it).
- scan_broken_refused_pct: pages with a marker missing, printed at 93-95 % or with one marker moved
  1.5 mm (a fold) that are refused.

The synthetic scans come from the test generator (tests/app/scan/synth.py, OpenCV for drawing and
distorting): these metrics run from the source tree with the test extras installed.
"""

from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

from app.bench import metric

ISSUE = "Counting from the office scanner (format A)"
NAMES = ("马晓东", "王淑芬", "刘志强", "李建军", "张喆", "陈珺", "欧阳红梅", "单国栋", "曾凡荣")
AT = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _synth() -> Any:
    import importlib
    import sys

    root = Path(__file__).resolve().parent.parent.parent
    if (root / "tests").is_dir() and str(root) not in sys.path:
        sys.path.append(str(root))
    try:
        return importlib.import_module("tests.app.scan.synth")
    except ImportError as exc:  # the frozen app ships neither tests/ nor OpenCV
        raise RuntimeError("扫描计票的基准须在源码目录中运行（需要 tests/ 和测试依赖 OpenCV）") from exc


def _layout(code: int = 1) -> Any:
    from app.scan.layout import build_layout

    made = build_layout(code, "中共示例社区委员会委员选举选票", 7, NAMES, 7)
    assert not isinstance(made, str)
    return made


def _blank(folder: Path, dpi: int) -> Any:
    from app.scan.printing import render_scan_ballots

    pdf = folder / "ballot.pdf"
    if not pdf.exists():
        render_scan_ballots([(_layout(), 1)], pdf, AT, election="0123456789ab", qr=False)
    return _synth().render_blank(pdf, dpi, folder)


def _database(path: Path) -> Any:
    """A database with one contest whose scannable layout (code 1) is registered."""
    from app.clock import FixedClock
    from app.meetings import add_contest, create_meeting
    from app.model import ContestKind, Form, Meeting, Organisation, RuleSet
    from app.scan.setup import layout_for_round
    from db.connection import connect

    clock = FixedClock(AT, 1.0)
    conn = connect(path)
    m = create_meeting(conn, code="bench", title="bench", community="c",
                       organisation=Organisation.PARTY_BRANCH, rules=RuleSet.PARTY,
                       form=Form.ASSEMBLY, date="2026-11-22", clock=clock, actor="bench")
    assert isinstance(m, Meeting)
    contest = add_contest(conn, m.id, code="c", title="委员", kind=ContestKind.COMMITTEE,
                          seats=7, clock=clock, actor="bench")
    cid = getattr(contest, "id")  # noqa: B009 - a Contest (a Refusal would fail here)
    lay = _layout()
    got = layout_for_round(conn, cid, 1, lay.heading, lay.seats, lay.candidates, lay.write_ins,
                           qr=False, actor="bench", at="2026-11-22T09:00:00+08:00")
    assert getattr(got, "code", None) == 1, got
    return conn


@metric("scan_pages_per_min_300dpi", "pages/min", 120, "gt", issue=ISSUE)
def scan_pages_per_min_300dpi(scratch: Path) -> float:
    from app.clock import FixedClock
    from app.scan.batch import ImportResult, import_batch

    synth = _synth()
    folder = scratch / "scans"
    synth.write_deck(_blank(scratch, 300), _layout(), 300, folder, 40, edge_rate=0.0,
                     write_in_rate=0.0)
    db = scratch / "speed.db"
    conn = _database(db)
    try:
        start = time.perf_counter()
        got = import_batch(conn, db, folder, 40, operator="bench", clock=FixedClock(AT, 1.0))
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    assert isinstance(got, ImportResult) and got.pages == 40 and not got.refused, got
    return 40 / elapsed * 60


@cache
def deck_result() -> dict[str, float]:
    """Read the synthetic deck once for the three accuracy metrics."""
    from app.scan.read import PageRead, read_page
    from app.scan.source import pages_of as _pages

    def pages_of(path: Path, data: bytes) -> list[Any]:
        return list(_pages(path, data))

    synth = _synth()
    layout = _layout()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        blanks = {dpi: _blank(folder, dpi) for dpi in (200, 300)}
    rng = random.Random(synth.SEED)
    pages = boxes = human = wrong = refused = 0
    while boxes < 10_000:
        dpi = (200, 300)[pages % 2]
        img, truth = synth.ballot(blanks[dpi], layout, dpi, rng, edge_rate=0.005,
                                  write_in_rate=0.0)
        page = pages_of(Path("page.jpg"), synth.jpeg(img, rng))[0]   # as the import decodes
        assert page.gray is not None
        got = read_page(page.gray, {layout.code: layout}, dpi_hint=page.dpi)
        pages += 1
        if not isinstance(got, PageRead):
            refused += 1
            continue
        boxes += len(got.scores)
        if got.flags:
            human += 1
        elif got.marks != truth.marks:
            wrong += 1
    broken = broken_refused = 0
    for kind in ("missing_marker", "wrong_scale", "moved_marker"):
        for i in range(25):
            dpi = (200, 300)[i % 2]
            got = read_page(synth.broken(blanks[dpi], layout, dpi, rng, kind),
                            {layout.code: layout})
            broken += 1
            broken_refused += not isinstance(got, PageRead)
    read = pages - refused
    return {"pages": pages, "boxes": boxes, "wrong": wrong,
            "human_pct": 100 * human / max(1, read), "refused_pct": 100 * refused / pages,
            "broken_refused_pct": 100 * broken_refused / broken}


@metric("scan_silent_misreads", "ballots", 0, "le", issue=ISSUE)
def scan_silent_misreads(scratch: Path) -> float:
    return float(deck_result()["wrong"])


@metric("scan_to_human_pct", "%", 3, "le", issue=ISSUE)
def scan_to_human_pct(scratch: Path) -> float:
    return float(deck_result()["human_pct"])


@metric("scan_refused_pct_real_mfp", "%", 1, "le", issue=ISSUE)
def scan_refused_pct_real_mfp(scratch: Path) -> float:
    return float(deck_result()["refused_pct"])


@metric("scan_broken_refused_pct", "%", 99.99, "gt", issue=ISSUE)
def scan_broken_refused_pct(scratch: Path) -> float:
    return float(deck_result()["broken_refused_pct"])
