"""A page of several contests of one round (issue 17 item 1): each contest's block has its own
boxes, write-in rows and format (A or B); the page is read per contest, the flags name the
contest; a page that does not fit one A4 sheet is refused at setup with the reason."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import numpy as np
import pytest

from app.scan.layout import (
    FORMAT_A,
    FORMAT_B,
    FORMAT_MULTI,
    Layout,
    PartSpec,
    build_layout,
    build_page_layout,
    layout_from_json,
)
from app.scan.printing import render_scan_ballots
from app.scan.read import (
    DOUBT_FLAG,
    OVERVOTE_FLAG,
    WRITE_IN_FLAG,
    PageRead,
    decide_parts,
    read_page,
)
from app.scan.source import pages_of
from tests.app.scan.synth import distort, draw_b, draw_mark, jpeg, write_name

AT = dt.datetime(2026, 11, 22, 8, 0)
SPECS = (PartSpec(11, 1, FORMAT_A, "居民委员会主任", 1, ("王小明", "李华"), 1),
         PartSpec(12, 1, FORMAT_A, "居民委员会副主任", 2, ("张三", "李四", "赵五"), 1),
         PartSpec(13, 1, FORMAT_B, "居民委员会委员", 3, ("钱一", "孙二", "周三", "吴四", "郑五"), 1))
DPI = 300
PX = DPI / 25.4


def _layout() -> Layout:
    made = build_page_layout(9, "示例社区第十二届居民委员会选举选票", SPECS)
    assert isinstance(made, Layout), made
    return made


@pytest.fixture(scope="module")
def blank(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    from tests.app.scan.synth import render_blank

    folder = tmp_path_factory.mktemp("multi")
    pdf = folder / "multi.pdf"
    render_scan_ballots([(_layout(), 1)], pdf, AT, election="0123456789ab", qr=False)
    return render_blank(pdf, DPI, folder)


def _mark(img: np.ndarray, lay: Layout, meant: list[str], rng: random.Random) -> None:
    """meant: per block, o x - per candidate (format A: a mark in the 赞成 or 不赞成 box; B: a
    hand-drawn ○ or × in the one box), "v" a tick (√) in a format-B box."""
    for part, marks in zip(lay.blocks(), meant, strict=True):
        for e, m in zip(part.entries, marks, strict=False):
            if part.format == FORMAT_A and m in "ox":
                box = e.approve if m == "o" else e.disapprove
                assert box is not None
                draw_mark(img, box, PX, rng)
            elif part.format == FORMAT_B and m in "oxv":
                draw_b(img, e.approve, PX, rng, {"o": "o_closed", "x": "x", "v": "tick"}[m])


def _read(img: np.ndarray, rng: random.Random, lay: Layout) -> PageRead:
    page = next(iter(pages_of(Path("scan.jpg"), jpeg(distort(img, PX, rng), rng))))
    got = read_page(page.gray, {lay.code: lay}, dpi_hint=page.dpi)
    assert isinstance(got, PageRead), got
    return got


def test_a_page_of_three_contests_keeps_each_block_and_round_trips() -> None:
    lay = _layout()
    assert lay.multi and lay.format == FORMAT_MULTI
    assert [p.contest_id for p in lay.blocks()] == [11, 12, 13]
    assert [p.format for p in lay.blocks()] == [FORMAT_A, FORMAT_A, FORMAT_B]
    assert layout_from_json(9, lay.geometry_json()) == lay
    tops = [p.top_mm for p in lay.blocks()]
    assert tops == sorted(tops)
    # Every box of a block lies below its own heading and above the next block's.
    for part, nxt in zip(lay.blocks(), [*tops[1:], 250.0], strict=True):
        assert all(part.top_mm <= e.approve.y and e.approve.y + e.approve.h <= nxt
                   for e in part.entries)
    # A single-contest layout is what it was (no blocks of its own, same JSON).
    one = build_layout(3, "选票", 2, ("甲", "乙"), 1)
    assert isinstance(one, Layout) and not one.multi and len(one.blocks()) == 1
    assert "parts" not in one.geometry_json()


def test_a_page_that_does_not_fit_one_sheet_is_refused_with_the_reason() -> None:
    big = (*SPECS, PartSpec(14, 1, FORMAT_B, "居民小组长", 1, ("甲", "乙", "丙"), 1))
    why = build_page_layout(9, "选票", big)
    assert isinstance(why, str)
    assert "多于一页的选票不能扫描计票" in why and "居民小组长" in why and "毫米" in why
    mixed = (SPECS[0], PartSpec(12, 2, FORMAT_A, "副主任", 1, ("甲",), 0))
    assert build_page_layout(9, "选票", mixed) == "同一张选票上的各项选举须是同一轮次"


@pytest.mark.slow
def test_each_contest_of_the_page_is_read_in_its_own_format(blank: np.ndarray) -> None:
    lay = _layout()
    rng = random.Random(1717)
    clean = ["ox", "o-x", "ox-o-"]
    for _ in range(6):
        img = blank.copy()
        _mark(img, lay, clean, rng)
        got = _read(img, rng, lay)
        assert got.marks == "ox|o-x|ox-o-", (got.marks, got.flags)
        assert got.flags == ()
    # An overvote in the first contest, a tick (√) in the third and a write-in in the second:
    # each flag names its contest; the other contest's reading stands.
    img = blank.copy()
    _mark(img, lay, ["oo", "o--", "v----"], rng)
    wi = lay.blocks()[1].entries[-1]
    write_name(img, wi.name_rect, PX, rng)
    got = _read(img, rng, lay)
    codes = {c: t for c, t in got.flags}
    assert codes[OVERVOTE_FLAG].startswith("【居民委员会主任】"), got.flags
    assert codes[DOUBT_FLAG].startswith("【居民委员会委员】") and "钱一" in codes[DOUBT_FLAG]
    assert codes[WRITE_IN_FLAG].startswith("【居民委员会副主任】")
    assert got.write_in_boxes == (100,)          # block 1, row 0
    parts = decide_parts(lay, got.scores)
    assert [p.marks for p in parts][:2] == ["oo", "o--"]
    assert [p.part.contest_id for p in parts] == [11, 12, 13]


def test_the_adjudication_view_outlines_a_box_of_any_block() -> None:
    from app.scan.view import _rect_of

    lay = _layout()
    rect, words = _rect_of(lay, "p2.c0m")
    assert rect == lay.blocks()[2].entries[0].approve and words == "【居民委员会委员】钱一 方格"
    rect, words = _rect_of(lay, "p1.w0n")
    assert rect == lay.blocks()[1].entries[-1].name_rect and "【居民委员会副主任】另选他人1" in words
    single = build_layout(3, "选票", 2, ("甲", "乙"), 1)
    assert isinstance(single, Layout)
    assert _rect_of(single, "c1d") == (single.entries[1].disapprove, "乙 不赞成")


def test_the_adjudication_line_starts_from_each_contests_reading() -> None:
    from app.scan.multi import keys_of_reading

    assert keys_of_reading("ox-") == "12"              # a single contest: as before
    assert keys_of_reading("---") == "0"
    assert keys_of_reading("ox|o-x|---") == "12|102|0"
