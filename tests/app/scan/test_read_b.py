"""Reading format-B ballots (one box per candidate: ○ 赞成, × 不赞成, blank 弃权) from synthetic
scans of PollDay's own PDF at 200 and 300 dpi, distorted like an office MFP (rotation ±3°, scale
±2 %, shift ±5 mm, blur, noise, JPEG q 60-95, light toner): no silent misread; open ○ never read
as ×; √, dots, scribbles and marks over the box edge go to a human; every box keeps its ○-score,
×-score and margin."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import numpy as np
import pytest

from app.scan.layout import FORMAT_A, FORMAT_B, build_layout, layout_from_json, max_entries
from app.scan.printing import render_scan_ballots
from app.scan.read import DOUBT_FLAG, EDGE_FLAG, O_MARK, X_MARK, PageRead, read_page
from app.scan.source import pages_of
from tests.app.scan.synth import SEED, ballot_b, jpeg

TOOL = "pdftoppm"
AT = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.UTC)
NAMES = ("马晓东", "王淑芬", "刘志强", "欧阳·娜娜", "曾凡荣", "单国栋")


def _layout(code: int = 7):
    made = build_layout(code, "中共示例社区委员会委员选举选票", 4, NAMES, 2, FORMAT_B)
    assert not isinstance(made, str)
    return made


@pytest.fixture(scope="module")
def blanks(tmp_path_factory: pytest.TempPathFactory) -> dict[int, np.ndarray]:
    from tests.app.scan.synth import render_blank

    folder = tmp_path_factory.mktemp("blank-b")
    pdf = folder / "layout-b.pdf"
    render_scan_ballots([(_layout(), 1)], pdf, AT, election="0123456789ab", qr=False)
    return {dpi: render_blank(pdf, dpi, folder) for dpi in (200, 300)}


def _read(img: np.ndarray, rng: random.Random) -> PageRead:
    page = next(iter(pages_of(Path("scan.jpg"), jpeg(img, rng))))   # as the import decodes
    assert page.gray is not None
    got = read_page(page.gray, {7: _layout()}, dpi_hint=page.dpi)
    assert isinstance(got, PageRead), got                       # the real-MFP set: none refused
    return got


def test_the_format_b_layout_has_one_box_per_candidate_and_keeps_its_format() -> None:
    lay = _layout()
    assert lay.format == FORMAT_B
    assert all(e.disapprove is None and e.approve.w >= 12 for e in lay.entries)
    again = layout_from_json(7, lay.geometry_json())
    assert again == lay
    a = build_layout(7, "选票", 4, NAMES, 2)
    assert not isinstance(a, str) and a.format == FORMAT_A
    assert layout_from_json(7, a.geometry_json()) == a
    too_many = build_layout(7, "选票", 4, tuple(f"候选人{i}" for i in range(max_entries("B"))), 1,
                            FORMAT_B)
    assert isinstance(too_many, str) and "多于一页的选票不能扫描计票" in too_many


@pytest.mark.parametrize("dpi", [200, 300])
def test_a_distorted_format_b_deck_has_no_silent_misread(blanks, dpi: int) -> None:
    """~200 boxes per resolution, many hard marks among them: every ballot the machine did not
    send to a human reads as the voter meant; a box holding √, a dot, a scribble or a mark over
    the edge always sends its ballot to a human."""
    layout = _layout()
    rng = random.Random(SEED + dpi)
    boxes = read = hard = 0
    for _ in range(34):
        img, truth = ballot_b(blanks[dpi], layout, dpi, rng, hard_rate=0.08, edge_rate=0.04)
        got = _read(img, rng)
        boxes += len(NAMES)
        hard += "?" in truth.marks
        if not got.flags:
            read += 1
            assert got.marks == truth.marks, ("silent misread", truth.marks_drawn, got.marks)
        if "?" in truth.marks:
            assert got.flags, truth.marks_drawn
    assert boxes >= 200 and read >= 15 and hard >= 3


def test_open_circles_read_as_circles_or_go_to_a_human_never_as_crosses(blanks) -> None:
    layout = _layout()
    rng = random.Random(SEED + 1)
    states = []
    for i in range(12):
        dpi = (200, 300)[i % 2]
        img, _truth = ballot_b(blanks[dpi], layout, dpi, rng, kinds=["o_open"] * 4 + ["", ""])
        got = _read(img, rng)
        states += [s.state for s in got.scores if s.key[0] == "c" and s.key[1] in "0123"]
    assert X_MARK not in states
    assert states.count(O_MARK) >= 0.9 * len(states), states


@pytest.mark.parametrize("kind", ["tick", "dot", "scribble"])
def test_a_tick_a_dot_or_a_scribble_goes_to_a_human(blanks, kind: str) -> None:
    layout = _layout()
    rng = random.Random(SEED + len(kind))
    for i in range(6):
        dpi = (200, 300)[i % 2]
        img, _truth = ballot_b(blanks[dpi], layout, dpi, rng, kinds=[kind, "o_closed", "x"])
        got = _read(img, rng)
        box = next(s for s in got.scores if s.key == "c0m")
        assert box.state not in (O_MARK, X_MARK), (kind, box.as_json())
        assert any(code == DOUBT_FLAG and NAMES[0] in text for code, text in got.flags)


def test_a_mark_over_the_box_edge_goes_to_a_human(blanks) -> None:
    layout = _layout()
    rng = random.Random(SEED + 3)
    for i, kind in enumerate(["o_closed+edge", "x+edge", "tick+edge"]):
        dpi = (200, 300)[i % 2]
        img, _truth = ballot_b(blanks[dpi], layout, dpi, rng, kinds=["", kind, "o_closed"])
        got = _read(img, rng)
        assert any(code == EDGE_FLAG and NAMES[1] in text for code, text in got.flags), kind


def test_each_box_keeps_its_circle_score_cross_score_and_margin(blanks) -> None:
    layout = _layout()
    rng = random.Random(SEED + 4)
    img, truth = ballot_b(blanks[300], layout, 300, rng, kinds=["o_closed", "x", "", "o_open"])
    got = _read(img, rng)
    assert not got.flags and got.marks == truth.marks == "ox-o--"
    by = {s.key: s.as_json() for s in got.scores}
    circle, cross, blank = by["c0m"], by["c1m"], by["c2m"]
    assert circle["o"] >= 0.6 and circle["x"] <= 0.15 and circle["margin"] >= 0.5
    assert cross["x"] >= 0.6 and cross["o"] <= 0.15 and cross["margin"] <= -0.5
    assert blank["state"] == "blank" and blank["o"] == blank["x"] == 0
    assert {"ring", "coverage", "fill", "explained", "balance", "solidity"} <= set(
        circle["shape"])
    json.dumps(by)                                    # stored as JSON with the page


@pytest.mark.parametrize("dpi", [200, 300])
def test_a_page_at_the_real_mfp_extremes_is_read(blanks, dpi: int) -> None:
    """The real-MFP set's worst corner — 3°, +2 % and 5 mm — brings the top-left marker within
    ~1 mm of the image's edge: it was refused (缺少定位标记：左上; 3 of 1,115 pages of the
    format-B deck)."""
    import cv2

    from tests.app.scan.synth import draw_b

    layout = _layout()
    px = dpi / 25.4
    img = blanks[dpi].copy()
    draw_b(img, layout.entries[0].approve, px, random.Random(1), "o_closed")
    h, w = img.shape
    m = cv2.getRotationMatrix2D((w / 2, h / 2), 3.0, 1.02)
    m[0, 2] -= 5 * px
    m[1, 2] -= 5 * px
    img = cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
    got = read_page(img, {7: layout}, dpi_hint=float(dpi))
    assert isinstance(got, PageRead), got
    assert got.marks == "o-----" and got.residual_mm < 0.3



def test_a_scanner_streak_through_a_box_goes_to_a_human(blanks) -> None:
    """A vertical streak (dust on the glass) down the page through a box holding a ○, nothing or
    a √: the box never reads as ○ or ×, and the ballot goes to a human (a streak with a slash
    would look like a ×)."""
    from app.scan.markers import project
    from app.scan.read import dpi_of, locate
    from tests.app.scan.synth import streak

    layout = _layout()
    rng = random.Random(SEED + 6)
    for kind in ("o_closed", "", "tick"):
        img, _truth = ballot_b(blanks[300], layout, 300, rng, kinds=[kind, "x", "o_closed"])
        located = locate(img, dpi_of(img, 300.0), {7: layout})
        assert not isinstance(located, str)
        box = layout.entries[0].approve
        x, _y = project(located[1], np.array([[box.x + box.w / 2, box.y + box.h / 2]]))[0]
        got = read_page(streak(img, int(x), darkness=40, width=4), {7: layout}, dpi_hint=300.0)
        assert isinstance(got, PageRead), got
        first = next(s for s in got.scores if s.key == "c0m")
        assert first.state not in (O_MARK, X_MARK), (kind, first.as_json())
        assert any(NAMES[0] in text for _code, text in got.flags), (kind, got.flags)


def test_a_circle_over_a_cross_a_filled_box_and_a_slash_are_neither_but_a_retraced_circle_is():
    """The classifier alone, on clean drawings (8 px/mm, the box's inside): a ○ drawn over a ×
    (the voter changed their mind), a box inked solid and a single slash score as neither ○ nor
    ×; a ○ traced twice is a ○."""
    import math

    import cv2

    from app.scan.read import PX_MM, SHAPE_MIN, SHAPE_OTHER_MAX
    from app.scan.shape import shape_of

    def canvas() -> np.ndarray:
        return np.full((int(12.6 * PX_MM),) * 2, 255, np.uint8)

    def ring(d_mm: float) -> np.ndarray:
        img, c, r = canvas(), 6.3 * PX_MM, d_mm / 2 * PX_MM
        pts = [(c + r * math.cos(t), c + 0.9 * r * math.sin(t))
               for t in np.linspace(0, 2 * math.pi, 64)]
        cv2.polylines(img, [np.array(pts, np.int32)], False, 40, 5, cv2.LINE_AA)
        return img

    def cross() -> np.ndarray:
        img, c, h = canvas(), int(6.3 * PX_MM), int(3.5 * PX_MM)
        cv2.line(img, (c - h, c - h), (c + h, c + h), 40, 5)
        cv2.line(img, (c - h, c + h), (c + h, c - h), 40, 5)
        return img

    solid = canvas()
    cv2.rectangle(solid, (20, 20), (80, 80), 30, -1)
    slash = canvas()
    cv2.line(slash, (20, 80), (80, 20), 40, 5)
    for name, img in (("⊗", np.minimum(ring(10), cross())), ("solid", solid), ("/", slash)):
        sh = shape_of(img < 150, PX_MM)
        assert sh.o < SHAPE_MIN and sh.x < SHAPE_MIN, (name, sh)
    retraced = shape_of(np.minimum(ring(9), ring(9.6)) < 150, PX_MM)
    assert retraced.o >= SHAPE_MIN and retraced.x <= SHAPE_OTHER_MAX, retraced
    clean_cross = shape_of(cross() < 150, PX_MM)
    assert clean_cross.x >= SHAPE_MIN and clean_cross.arms == 4, clean_cross
