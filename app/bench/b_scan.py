"""Scanner counting, format A (issue 17).

- scan_pages_per_min_300dpi: a batch of 40 marked 300-dpi JPEG pages imported end to end — hashing,
  the read-only archive copy, reading every page, the database rows (one process, 2 cores).
- scan_added_time_pct_40ppm: 4,000 ballots fed through a 40 pages/min scanner (100 minutes of
  feed) in batches of 100 landing every 2.5 minutes, the clerk importing each batch as it lands
  (the reading of one batch overlaps the scanning of the next; imports one at a time): the time
  the software adds after the last page lands, over the feed time. Each import is the real path
  (hashing, the read-only archive copy, reading every 300-dpi page, the database rows). Measured
  on the first 3 batches only (100 synthetic pages, later batches the same images made distinct
  files by bytes after the JPEG's end), the other 37 taken as long as the slowest measured: an
  extrapolation, made because 4,000 synthetic pages take too long to generate here.
- scan_silent_misreads: on a synthetic deck of >= 10,000 boxes (half 200, half 300 dpi; clean
  and open circles, ticks, crosses, scribbles, heavy dots, a few marks crossing a box edge;
  rotation ±3°, scale ±2 %, shift ±5 mm, blur, noise, JPEG q 60-95, light toner 60 %, some pages
  upside down), ballots read wrong and not sent to a human.
- scan_to_human_pct: the same deck's ballots sent to a human (write-ins excluded: none in it).
- scan_broken_refused_pct: pages with a marker missing, printed at 93-95 % or with one marker moved
  1.5 mm (a fold) that are refused.

Format B (one box per candidate: ○ 赞成, × 不赞成, blank 弃权; the shape classifier):
- scan_b_pages_per_min_300dpi: as scan_pages_per_min_300dpi, with format-B ballots.
- scan_b_silent_misreads / scan_b_to_human_pct / scan_b_refused_pct_real_mfp: a deck of >= 10,000
  candidate boxes (half 200, half 300 dpi; closed and open ○ 6-12 mm with gaps of 10-60°, pen
  0.3-1.2 mm, × at 20-70°, and 0.5 % of marks √, dots or scribbles, 0.5 % over the box edge; the
  same real-MFP distortions); write-ins excluded.
- scan_b_hard_marks_to_human_pct: ballots holding a √, a dot, a scribble or a mark over the box
  edge (one each, 400 ballots) sent to a human: must be all of them.

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

from app.bench import NeedsSourceTree, metric

ISSUE = "Counting from the office scanner (format A)"
ISSUE_B = "Counting from the office scanner (format B: one box for ○ / ×)"
NAMES = ("马晓东", "王淑芬", "刘志强", "李建军", "张喆", "陈珺", "欧阳红梅", "单国栋", "曾凡荣")
NEEDS_SOURCE = ("needs the source tree: 扫描计票的基准用测试生成器（tests/app/scan/synth.py，OpenCV）合成"
                "扫描件，须在源码目录中装好测试依赖后运行（pip install -e .[test]），打包的程序不带它们")
AT = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def _synth() -> Any:
    import importlib
    import sys

    root = Path(__file__).resolve().parent.parent.parent
    if getattr(sys, "frozen", False) or not (root / "tests").is_dir():
        raise NeedsSourceTree(NEEDS_SOURCE)       # the frozen app ships neither tests/ nor OpenCV
    if str(root) not in sys.path:
        sys.path.append(str(root))
    try:
        return importlib.import_module("tests.app.scan.synth")
    except ImportError as exc:  # a checkout without the test extras (OpenCV)
        raise NeedsSourceTree(f"{NEEDS_SOURCE}（缺少 {exc.name or exc}）") from exc


def _layout(code: int = 1, fmt: str = "A") -> Any:
    from app.scan.layout import build_layout

    made = build_layout(code, "中共示例社区委员会委员选举选票", 7, NAMES, 7 if fmt == "A" else 3, fmt)
    assert not isinstance(made, str)
    return made


def _blank(folder: Path, dpi: int, fmt: str = "A") -> Any:
    from app.scan.printing import render_scan_ballots

    pdf = folder / f"ballot-{fmt}.pdf"
    if not pdf.exists():
        render_scan_ballots([(_layout(1, fmt), 1)], pdf, AT, election="0123456789ab", qr=False)
    return _synth().render_blank(pdf, dpi, folder)


def _database(path: Path, fmt: str = "A") -> Any:
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
    lay = _layout(1, fmt)
    got = layout_for_round(conn, cid, 1, lay.heading, lay.seats, lay.candidates, lay.write_ins,
                           qr=False, actor="bench", at="2026-11-22T09:00:00+08:00", fmt=fmt)
    assert getattr(got, "code", None) == 1, got
    return conn


@metric("scan_pages_per_min_300dpi", "pages/min", 120, "gt", issue=ISSUE)
def scan_pages_per_min_300dpi(scratch: Path) -> float:
    return _pages_per_min(scratch, "A")


@metric("scan_b_pages_per_min_300dpi", "pages/min", 120, "gt", issue=ISSUE_B)
def scan_b_pages_per_min_300dpi(scratch: Path) -> float:
    return _pages_per_min(scratch, "B")


def _pages_per_min(scratch: Path, fmt: str) -> float:
    from app.clock import FixedClock
    from app.scan.batch import ImportResult, import_batch

    synth = _synth()
    folder = scratch / f"scans-{fmt}"
    if fmt == "A":
        synth.write_deck(_blank(scratch, 300), _layout(), 300, folder, 40, edge_rate=0.0,
                         write_in_rate=0.0)
    else:
        rng = random.Random(synth.SEED)
        blank = _blank(scratch, 300, "B")
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(40):
            img, _truth = synth.ballot_b(blank, _layout(1, "B"), 300, rng, hard_rate=0.0,
                                         edge_rate=0.0)
            (folder / f"scan{i + 1:04d}.jpg").write_bytes(synth.jpeg(img, rng))
    db = scratch / f"speed-{fmt}.db"
    conn = _database(db, fmt)
    try:
        start = time.perf_counter()
        got = import_batch(conn, db, folder, 40, operator="bench", clock=FixedClock(AT, 1.0))
        elapsed = time.perf_counter() - start
    finally:
        conn.close()
    assert isinstance(got, ImportResult) and got.pages == 40 and not got.refused, got
    return 40 / elapsed * 60


FEED_PAGES, FEED_PPM, FEED_BATCH, FEED_MEASURED = 4000, 40, 100, 3


@metric("scan_added_time_pct_40ppm", "%", 10, "lt", issue=ISSUE)
def scan_added_time_pct_40ppm(scratch: Path) -> float:
    from app.clock import FixedClock
    from app.scan.batch import ImportResult, import_batch

    synth = _synth()
    one = scratch / "deck"
    synth.write_deck(_blank(scratch, 300), _layout(), 300, one, FEED_BATCH, edge_rate=0.0,
                     write_in_rate=0.0)
    deck = [(p.name, p.read_bytes()) for p in sorted(one.iterdir())]
    db = scratch / "feed.db"
    conn = _database(db)
    took: list[float] = []
    try:
        for b in range(FEED_MEASURED):
            folder = scratch / f"batch{b + 1}"
            folder.mkdir()
            for name, data in deck:      # batch 1 as written; later ones distinct files
                (folder / name).write_bytes(data + bytes([b]) * b)
            start = time.perf_counter()
            got = import_batch(conn, db, folder, FEED_BATCH, operator="bench",
                               clock=FixedClock(AT, 1.0))
            took.append(time.perf_counter() - start)
            assert isinstance(got, ImportResult) and got.pages == FEED_BATCH, got
    finally:
        conn.close()
    batches = FEED_PAGES // FEED_BATCH
    return feed_added_pct([*took, *[max(took)] * (batches - len(took))], FEED_BATCH, FEED_PPM)


def feed_added_pct(import_s: list[float], batch: int, ppm: float) -> float:
    """Batches of `batch` pages land every batch/ppm minutes; each is imported when it has landed
    and the previous import is done. The time from the last page landing to the last import's
    end, in % of the feed time."""
    every = batch / ppm * 60
    done = 0.0
    for i, t in enumerate(import_s):
        done = max(done, (i + 1) * every) + t
    feed = len(import_s) * every
    return (done - feed) / feed * 100


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


@cache
def deck_result_b() -> dict[str, Any]:
    """The format-B deck, read once for its metrics (see the module's docstring)."""
    from app.scan.read import PageRead, read_page
    from app.scan.source import pages_of

    synth = _synth()
    layout = _layout(1, "B")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        blanks = {dpi: _blank(folder, dpi, "B") for dpi in (200, 300)}
    rng = random.Random(synth.SEED + 2)

    def read(img: Any) -> Any:
        page = next(iter(pages_of(Path("page.jpg"), synth.jpeg(img, rng))))  # as imported
        assert page.gray is not None
        return read_page(page.gray, {layout.code: layout}, dpi_hint=page.dpi)

    pages = boxes = human = wrong = refused = plain = plain_doubt = 0
    reasons: list[str] = []
    while boxes < 10_000:
        dpi = (200, 300)[pages % 2]
        img, truth = synth.ballot_b(blanks[dpi], layout, dpi, rng, hard_rate=0.005,
                                    edge_rate=0.005)
        got = read(img)
        pages += 1
        if not isinstance(got, PageRead):
            refused += 1
            reasons.append(got.reason)
            continue
        boxes += len(layout.candidates)
        for k, meant in enumerate(truth.marks):
            if meant in "ox":
                plain += 1
                plain_doubt += \
                    next(s for s in got.scores if s.key == f"c{k}m").state == "doubt"
        if got.flags:
            human += 1
        elif got.marks != truth.marks:
            wrong += 1
    hard = hard_human = 0
    kinds = [*synth.HARD_KINDS, "o_closed+edge", "x+edge", "tick+edge"]
    for i in range(400):
        dpi = (200, 300)[i % 2]
        marks = ["o_closed", "x", "", "o_open", "x", "", "o_closed", "", ""]
        marks[rng.randrange(len(marks))] = kinds[i % len(kinds)]
        img, truth = synth.ballot_b(blanks[dpi], layout, dpi, rng, kinds=marks)
        got = read(img)
        if isinstance(got, PageRead):
            hard += 1
            hard_human += bool(got.flags)
            wrong += not got.flags and got.marks != truth.marks
    read_pages = pages - refused
    return {"pages": pages, "boxes": boxes, "wrong": wrong,
            "human_pct": 100 * human / max(1, read_pages), "refused_pct": 100 * refused / pages,
            "hard_human_pct": 100 * hard_human / max(1, hard),
            "plain_doubt_pct": 100 * plain_doubt / max(1, plain), "refusals": reasons}


@metric("scan_b_silent_misreads", "ballots", 0, "le", issue=ISSUE_B)
def scan_b_silent_misreads(scratch: Path) -> float:
    return float(deck_result_b()["wrong"])


@metric("scan_b_to_human_pct", "%", 10, "le", issue=ISSUE_B)
def scan_b_to_human_pct(scratch: Path) -> float:
    return float(deck_result_b()["human_pct"])


@metric("scan_b_plain_marks_to_human_pct", "%", 2, "le", issue=ISSUE_B)
def scan_b_plain_marks_to_human_pct(scratch: Path) -> float:
    """Boxes holding a plain ○ or × (no √, dot, scribble, no edge) the reader could not tell."""
    return float(deck_result_b()["plain_doubt_pct"])


@metric("scan_b_refused_pct_real_mfp", "%", 1, "le", issue=ISSUE_B)
def scan_b_refused_pct_real_mfp(scratch: Path) -> float:
    return float(deck_result_b()["refused_pct"])


@metric("scan_b_hard_marks_to_human_pct", "%", 99.99, "gt", issue=ISSUE_B)
def scan_b_hard_marks_to_human_pct(scratch: Path) -> float:
    return float(deck_result_b()["hard_human_pct"])
