"""Ballots carry no number (选票的票面除规定的项目外，不得编号或作任何记号): every copy of a round's
ballot is the same, read back with pdftotext and compared as rendered page images; a 盖章处 box is
printed for the meeting's seal; the 发票收票记录 states how many ballots were printed."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.clock import FixedClock
from app.documents.ballots import SEAL, SEAL_TOP, SIDE
from app.documents.page import PAGE_H, PAGE_W
from app.documents.results_doc import BoxDoc, ContestDoc, RoundDoc
from app.documents.tally_record import printed_line, render_record
from db.connection import connect
from tests.app.documents.pdf_tools import page_count, pdf_text, render_pages, squash
from tests.app.documents.results_venue import build

AT = "2026-11-22T08:00:00+08:00"
LATER = "2026-11-23T21:45:00+08:00"
COPIES = 6          # two to a page: 3 pages


@pytest.fixture(scope="module")
def venue_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    old = os.environ.get("POLLDAY_HOME")
    os.environ["POLLDAY_HOME"] = str(home)
    path = tmp_path_factory.mktemp("db") / "party.db"
    conn = connect(path)
    build(conn, FixedClock(dt.datetime(2026, 11, 22, 8, 30,
                                       tzinfo=dt.timezone(dt.timedelta(hours=8))), 1.0))
    conn.close()
    yield path
    if old is None:
        del os.environ["POLLDAY_HOME"]
    else:
        os.environ["POLLDAY_HOME"] = old


def _print(db: Path, out: Path, *args: str, at: str = AT) -> Path:
    assert main(["print", *args, "--db", str(db), "--out", str(out), "--at", at]) == 0
    return out


def _page_text(pdf: Path, page: int, y: float = 0, h: float = PAGE_H) -> str:
    """pdftotext of one page (or a horizontal band of it, in points from the top)."""
    return subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page),
                           "-x", "0", "-y", str(int(y)), "-W", str(int(PAGE_W)), "-H",
                           str(int(h)), str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def ballots(venue_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ballots")
    return _print(venue_db, out / "round1.pdf", "ballots", "--round", "1",
                  "--count", str(COPIES))


def test_no_number_or_mark_on_any_ballot(ballots: Path) -> None:
    text = squash(pdf_text(ballots))
    assert text.count("王䶮李𠮷祥张喆欧阳娜娜") == COPIES
    assert "编号" not in text and "批次" not in text
    # No serial, date or time in any form: the only figures are the seats and candidates.
    assert re.findall(r"\d+", text.replace("沿虚线裁开", "")) == (
        ["3", "4", "1", "3", "2", "3", "4", "5"] * COPIES)


def test_every_page_and_both_halves_are_the_same(ballots: Path, tmp_path: Path) -> None:
    pages = page_count(ballots)
    assert pages == COPIES // 2
    texts = [_page_text(ballots, p) for p in range(1, pages + 1)]
    assert texts[0].strip() and all(t == texts[0] for t in texts)
    half = PAGE_H / 2
    top = squash(_page_text(ballots, 1, 0, half)).replace("沿虚线裁开", "")
    bottom = squash(_page_text(ballots, 1, half, half))
    assert "选举选票" in top and top == bottom
    pngs = render_pages(ballots, tmp_path / "png", dpi=100)
    assert len(pngs) == pages
    first = pngs[0].read_bytes()
    assert all(p.read_bytes() == first for p in pngs[1:])


def test_printing_again_later_gives_the_same_ballot(venue_db: Path, ballots: Path,
                                                    tmp_path: Path) -> None:
    again = _print(venue_db, tmp_path / "again.pdf", "ballots", "--round", "1", "--count", "2",
                   at=LATER)
    a = render_pages(ballots, tmp_path / "a", dpi=100, first=1, last=1)
    b = render_pages(again, tmp_path / "b", dpi=100)
    assert a[0].read_bytes() == b[0].read_bytes()


def _pgm(pdf: Path, dpi: int, out: Path) -> tuple[int, int, bytes]:
    """Page 1 as an 8-bit grey image: (width, height, pixels)."""
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(out)], check=True)
    data = out.with_suffix(".pgm").read_bytes()
    header = data.split(b"\n", 3)
    assert header[0] == b"P5"
    w, h = map(int, header[1].split())
    return w, h, header[3]


def test_the_seal_box_is_printed_on_each_ballot(ballots: Path, tmp_path: Path) -> None:
    assert squash(pdf_text(ballots)).count("盖章处") == COPIES
    dpi = 100
    w, h, px = _pgm(ballots, dpi, tmp_path / "p1")
    scale = dpi / 72

    def dark(x: float, y: float) -> bool:  # x, y in points from the top-left
        return px[int(y * scale) * w + int(x * scale)] < 128

    for half in (0.0, PAGE_H / 2):
        left, right = PAGE_W - SIDE - SEAL, PAGE_W - SIDE
        top, bottom = half + SEAL_TOP, half + SEAL_TOP + SEAL
        ys = [top + SEAL * k / 40 for k in range(3, 38)]
        xs = [left + SEAL * k / 40 for k in range(3, 38)]
        # Dashed edges: a good share of each edge is ink (within a pixel of the line).
        for edge in (
            [any(dark(left + d, y) for d in (-1, 0, 1)) for y in ys],
            [any(dark(right + d, y) for d in (-1, 0, 1)) for y in ys],
            [any(dark(x, top + d) for d in (-1, 0, 1)) for x in xs],
            [any(dark(x, bottom + d) for d in (-1, 0, 1)) for x in xs],
        ):
            assert sum(edge) >= len(edge) // 3
        # Inside: empty, apart from the faint label (grey, lighter than the 128 threshold).
        inner = [dark(x, y) for x in xs[2:-2] for y in ys[2:-2]]
        assert not any(inner)


def test_tally_record_states_the_printed_count(venue_db: Path, tmp_path: Path) -> None:
    pdf = _print(venue_db, tmp_path / "tally.pdf", "tally-record")
    text = squash(pdf_text(pdf))
    # Both rounds: 主票箱 printed 30.
    assert text.count("本轮选票共印制30张。选票不编号、不作任何记号，每张票面相同") == 2
    assert "主票箱3028280" in text


def _round(boxes: tuple[BoxDoc, ...]) -> RoundDoc:
    return RoundDoc(number=1, label="第一轮选举", seats=3, candidates=("甲", "乙"), expected=30,
                    present=28, issued=28, returned=28, valid=28, invalid=0, tally=(),
                    elected=(), boxes=boxes)


def test_printed_count_blank_until_known_and_overuse_flagged(tmp_path: Path) -> None:
    assert "共印制______张" in printed_line(None)
    assert "共印制______张" in printed_line(_round((BoxDoc("主票箱", printed=None),)))
    two = _round((BoxDoc("主票箱", False, 20, 18, 18, 1), BoxDoc("流动票箱", True, 10, 10, 10, 0)))
    assert "共印制30张" in printed_line(two)
    contest = ContestDoc("c", "委员", "中共某社区委员会", 3, ("甲", "乙"))
    over = _round((BoxDoc("主票箱", False, 25, 28, 28, 2),))
    out = render_record("某会议", [(contest, two), (contest, over), (contest, None)],
                        tmp_path / "t.pdf", dt.datetime(2026, 11, 22, 9, 0))
    text = squash(pdf_text(out.path))
    assert "共印制30张" in text and "共印制25张" in text and "共印制______张" in text
    assert "发出与作废合计30张，多于印制的25张" in text
    assert text.count("多于印制") == 1
