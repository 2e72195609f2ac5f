"""Reading format-A ballots from synthetic scans of PollDay's own PDF (pdftoppm at 200 and 300 dpi):
no silent misread on a distorted deck, every broken page refused with its reason, upside-down
pages read, a scanner's PDF read by image extraction."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.scan.layout import build_layout
from app.scan.printing import render_scan_ballots
from app.scan.read import BLANK_FLAG, PageRead, PageRefused, read_page
from app.scan.source import pages_of
from tests.app.scan.synth import (
    SEED,
    ballot,
    broken,
    distort,
    render_blank,
    streak,
    write_deck,
)

TOOL = "pdftoppm"   # renders PollDay's PDF like a printer + scanner would see it
AT = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
NAMES = ("马晓东", "王淑芬", "刘志强", "欧阳·娜娜", "曾凡荣")


def _layout(code: int):
    made = build_layout(code, "中共示例社区委员会委员选举选票", 3, NAMES, 2)
    assert not isinstance(made, str)
    return made


@pytest.fixture(scope="module")
def blanks(tmp_path_factory: pytest.TempPathFactory) -> dict[object, np.ndarray]:
    folder = tmp_path_factory.mktemp("blank")
    out: dict[object, np.ndarray] = {}
    for code in (5, 6):
        pdf = folder / f"layout{code}.pdf"
        render_scan_ballots([(_layout(code), 1)], pdf, AT, election="0123456789ab", qr=False)
        for dpi in (200, 300):
            out[(code, dpi)] = render_blank(pdf, dpi, folder)
    return out


@pytest.mark.parametrize("dpi", [200, 300])
def test_a_distorted_deck_has_no_silent_misread(blanks, dpi: int) -> None:
    layout = _layout(5)
    rng = random.Random(SEED + dpi)
    boxes = read = human = 0
    for _ in range(20):
        img, truth = ballot(blanks[(5, dpi)], layout, dpi, rng, edge_rate=0.05,
                            write_in_rate=0.05)
        jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, rng.randint(60, 95)])[1]
        got = read_page(cv2.imdecode(jpg, cv2.IMREAD_GRAYSCALE), {5: layout})
        assert isinstance(got, PageRead), got       # the real-MFP set: nothing refused
        boxes += len(got.scores)
        if got.flags:
            human += 1
        else:
            read += 1
            assert got.marks == truth.marks, "silent misread"
    assert boxes >= 240 and read >= 12


@pytest.mark.parametrize("kind", ["missing_marker", "wrong_scale", "moved_marker"])
def test_broken_pages_are_always_refused(blanks, kind: str) -> None:
    layout = _layout(5)
    rng = random.Random(SEED)
    words = {"missing_marker": "缺少定位标记", "wrong_scale": "比例不对",
             "moved_marker": "拟合误差"}[kind]
    for i in range(8):
        dpi = (200, 300)[i % 2]
        got = read_page(broken(blanks[(5, dpi)], layout, dpi, rng, kind), {5: layout})
        assert isinstance(got, PageRefused) and words in got.reason, got


def test_an_unknown_layout_a_bitonal_or_a_low_resolution_scan_is_refused(blanks) -> None:
    layout = _layout(5)
    other = blanks[(6, 300)]
    got = read_page(other, {5: layout})
    assert isinstance(got, PageRefused) and "版式编号6未知" in got.reason
    bitonal = np.where(blanks[(5, 300)] < 128, 0, 255).astype(np.uint8)
    got = read_page(bitonal, {5: layout})
    assert isinstance(got, PageRefused) and "黑白二值" in got.reason
    low = cv2.resize(blanks[(5, 200)], None, fx=0.7, fy=0.7, interpolation=cv2.INTER_AREA)
    got = read_page(low, {5: layout})
    assert isinstance(got, PageRefused) and "dpi" in got.reason


def test_an_upside_down_page_reads_the_same(blanks) -> None:
    layout = _layout(5)
    rng = random.Random(3)
    img, truth = ballot(blanks[(5, 300)], layout, 300, rng, edge_rate=0, write_in_rate=0,
                        intent="oxo-x")
    flipped = cv2.rotate(img, cv2.ROTATE_180)
    got = read_page(flipped, {5: layout})
    assert isinstance(got, PageRead) and got.upside_down and got.marks == "oxo-x"
    assert not got.flags


def test_a_mark_over_a_box_edge_and_a_stray_dot_go_to_a_human(blanks) -> None:
    layout = _layout(5)
    px = 300 / 25.4
    img = blanks[(5, 300)].copy()
    box = layout.entries[0].approve                      # 马晓东 赞成: a stroke out of the box
    cx, cy = (box.x + box.w / 2) * px, (box.y + box.h / 2) * px
    cv2.line(img, (int(cx), int(cy)), (int(cx + 10 * px), int(cy - 2 * px)), 40, 6)
    d = layout.entries[1].disapprove                     # 王淑芬 不赞成: a 1.2 mm dot
    assert d is not None
    cv2.circle(img, (int((d.x + 6) * px), int((d.y + 6) * px)), int(0.6 * px), 40, -1)
    cv2.line(img, (int((layout.entries[2].approve.x + 3) * px), int((layout.entries[2].approve.y + 3) * px)),
             (int((layout.entries[2].approve.x + 9) * px), int((layout.entries[2].approve.y + 9) * px)), 40, 6)
    got = read_page(img, {5: layout})
    assert isinstance(got, PageRead)
    codes = [c for c, _ in got.flags]
    assert "MARK_OVER_EDGE" in codes and "DOUBTFUL_MARK" in codes
    assert any(t.startswith("马晓东") for _, t in got.flags)
    assert any(t.startswith("王淑芬") for _, t in got.flags)
    assert got.marks[2] == "o"


def test_a_blank_ballot_goes_to_a_human_with_its_scores(blanks) -> None:
    layout = _layout(5)
    img = distort(blanks[(5, 200)], 200 / 25.4, random.Random(1))
    got = read_page(img, {5: layout})
    assert isinstance(got, PageRead) and [c for c, _ in got.flags] == [BLANK_FLAG]
    assert got.marks == "-----" and all(s.ink < 0.004 for s in got.scores)


def test_a_scanners_pdf_is_read_from_its_embedded_images(blanks, tmp_path: Path) -> None:
    layout = _layout(5)
    truths = write_deck(blanks[(5, 300)], layout, 300, tmp_path, 3, as_pdf=True,
                        edge_rate=0, write_in_rate=0)
    pdf = tmp_path / "scan.pdf"
    pages = list(pages_of(pdf, pdf.read_bytes()))
    assert [p.page for p in pages] == [1, 2, 3]
    for p, truth in zip(pages, truths, strict=True):
        assert p.gray is not None and p.dpi is not None and abs(p.dpi - 300) < 2
        got = read_page(p.gray, {5: layout}, dpi_hint=p.dpi)
        assert isinstance(got, PageRead) and got.marks == truth.marks


def test_a_streak_through_the_boxes_goes_to_a_human_never_read_as_marks(blanks) -> None:
    layout = _layout(5)
    px = 300 / 25.4
    img, truth = ballot(blanks[(5, 300)], layout, 300, random.Random(8), edge_rate=0,
                        write_in_rate=0, intent="o-x--")
    box = layout.entries[1].approve                      # 王淑芬 赞成, left blank by the voter
    got = read_page(streak(img, int((box.x + 5) * px)), {5: layout})
    assert isinstance(got, PageRead) and got.flags
    assert any(c == "MARK_OVER_EDGE" and t.startswith("王淑芬") for c, t in got.flags)


def test_the_layout_qr_must_name_this_election(blanks, tmp_path: Path) -> None:
    layout = _layout(5)
    pdf = tmp_path / "qr.pdf"
    render_scan_ballots([(layout, 1)], pdf, AT, election="a1a1a1a1a1a1", qr=True)
    img = distort(render_blank(pdf, 200, tmp_path), 200 / 25.4, random.Random(2))
    ours = read_page(img, {5: layout}, election="a1a1a1a1a1a1", qr_layouts=frozenset({5}))
    assert isinstance(ours, PageRead)
    theirs = read_page(img, {5: layout}, election="b2b2b2b2b2b2", qr_layouts=frozenset({5}))
    assert isinstance(theirs, PageRefused) and "不属于本次选举" in theirs.reason
