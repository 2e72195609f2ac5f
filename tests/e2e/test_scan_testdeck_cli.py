"""The test deck (issue 17 item 7) through `pollday` as real processes: the round's deck printed
(20 pages, each with its own test layout code and the pattern to mark), every page rendered and
marked as its pattern says (tick, circle, cross, nothing, faint pencil, outside the box, both
boxes, a write-in, more approvals than seats) by hand-like strokes, distorted like a scanner,
imported as a batch: every page reads as meant or is sent to a human where the pattern says; the
result is stored, printed by `pollday scan testdeck --result` and in the audit; the deck never
reaches the adjudication queue nor the round's count. A page marked against its pattern fails."""

from __future__ import annotations

import json
import math
import random
import subprocess
from pathlib import Path

import cv2
import numpy as np
import pytest

from app.scan.layout import Layout, Rect
from db.connection import connect
from tests.app.scan.synth import distort, jpeg, write_name
from tests.e2e.test_scan_check_cli import feed, signed_in_meeting
from tests.e2e.test_scan_cli import ACTOR, ok, refused

TOOL = "pdftoppm"
DPI = 300


def _line(img: np.ndarray, pts: list[tuple[float, float]], px: float, ink: int, w: float) -> None:
    arr = np.array([(int(x * px * 16), int(y * px * 16)) for x, y in pts], np.int32)
    cv2.polylines(img, [arr], False, ink, max(1, round(w * px)), cv2.LINE_AA, shift=4)


def mark(img: np.ndarray, kind: str, box: Rect, px: float, rng: random.Random, *,
         ink: int = 30, w: float = 0.6) -> None:
    cx, cy = box.x + box.w / 2 + rng.uniform(-1, 1), box.y + box.h / 2 + rng.uniform(-1, 1)
    h = rng.uniform(3.0, 4.0)
    if kind == "tick":
        _line(img, [(cx - h, cy), (cx - h * 0.3, cy + h * 0.8), (cx + h, cy - h)], px, ink, w)
    elif kind == "cross":
        t = math.radians(rng.uniform(25, 65))
        for s in (1, -1):
            dx, dy = h * math.cos(t), h * math.sin(t) * s
            _line(img, [(cx - dx, cy - dy), (cx + dx, cy + dy)], px, ink, w)
    elif kind == "circle":
        gap = rng.uniform(10, 40)
        _line(img, [(cx + h * math.cos(math.radians(a)), cy + h * 0.9 * math.sin(math.radians(a)))
                    for a in np.linspace(0, 360 - gap, 40)], px, ink, w)
    else:
        raise ValueError(kind)


def mark_page(img: np.ndarray, layout: Layout, actions: list[str], rng: random.Random) -> None:
    """Mark one deck page as its printed pattern says."""
    px = DPI / 25.4
    for e, act in zip(layout.entries, actions, strict=True):
        if act == "tick_a":
            mark(img, "tick", e.approve, px, rng)
        elif act == "circle_a":
            mark(img, "circle", e.approve, px, rng)
        elif act == "cross_d":
            assert e.disapprove is not None
            mark(img, "cross", e.disapprove, px, rng)
        elif act == "circle_d":
            assert e.disapprove is not None
            mark(img, "circle", e.disapprove, px, rng)
        elif act == "faint_a":     # a light pencil: grey, thin
            mark(img, "tick", e.approve, px, rng, ink=150, w=0.35)
        elif act == "outside_a":   # beside the box, not into it
            b = e.approve
            _line(img, [(b.x + b.w + 0.8, b.y + 6), (b.x + b.w + 1.6, b.y + 8),
                        (b.x + b.w + 3.2, b.y + 3)], px, 30, 0.6)
        elif act == "both":
            assert e.disapprove is not None
            mark(img, "tick", e.approve, px, rng)
            mark(img, "tick", e.disapprove, px, rng)
        elif act == "write_in":
            write_name(img, e.name_rect, px, rng)
            mark(img, "tick", e.approve, px, rng)
        else:
            assert act in ("blank", "wi_blank"), act


def _render(pdf: Path, out: Path) -> list[np.ndarray]:
    subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(out / "deck")],
                   check=True, timeout=120)
    pages = sorted(out.glob("deck-*.png"))
    return [cv2.imread(str(p), cv2.IMREAD_GRAYSCALE) for p in pages]


@pytest.mark.slow
def test_the_marked_test_deck_reads_as_its_pattern_and_is_recorded(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    voters = signed_in_meeting(tmp_path, db, 30, 7)
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 2, "--code", "committee",
       "--operator", ACTOR)
    for c in [p for p in voters if p["status"] == "full"][:3]:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    ok("scan", "setup", "--db", db, "--markers", "--operator", ACTOR)
    ok("round", "open", "--db", db, "--contest", "committee", "--operator", ACTOR)
    deck_pdf = tmp_path / "deck.pdf"
    # The deck is the round's ballot: refused until the ballot is printed.
    assert "NO_LAYOUT" in refused("scan", "testdeck", "--db", db, "--contest", "committee",
                                  "--out", deck_pdf)
    ok("print", "scan-ballots", "--db", db, "--out", tmp_path / "b.pdf", "--contest", "committee",
       "--count", 1)
    doc = json.loads(ok("scan", "testdeck", "--db", db, "--contest", "committee", "--out",
                        deck_pdf, "--operator", ACTOR, "--json"))
    assert len(doc["pages"]) == 20 and len({p["layout"] for p in doc["pages"]}) == 20
    assert all(p["layout"] != 1 for p in doc["pages"])     # never the ballot's own layout
    # Printed again: the same deck (the same test layout codes).
    again = json.loads(ok("scan", "testdeck", "--db", db, "--contest", "committee", "--out",
                          tmp_path / "deck2.pdf", "--json"))
    assert [p["layout"] for p in again["pages"]] == [p["layout"] for p in doc["pages"]]
    before = feed("scan", "testdeck", "--db", db, "--result", text="")
    assert before.returncode == 1 and "已打印20页，尚未扫描导入" in before.stdout

    from app.scan.testdeck import deck_pages

    conn = connect(db)
    pages = sorted((p for p, _c, _r in deck_pages(conn)), key=lambda p: p.page_no)
    conn.close()
    kinds = {a for p in pages for a in p.plan.actions}
    assert {"tick_a", "circle_a", "cross_d", "blank", "faint_a", "outside_a", "both",
            "write_in"} <= kinds, kinds
    images = _render(deck_pdf, tmp_path)
    assert len(images) == 20
    rng = random.Random(20)
    scans = tmp_path / "deck-scans"
    scans.mkdir()
    for p, img in zip(pages, images, strict=True):
        marked = img.copy()
        mark_page(marked, p.layout, list(p.plan.actions), rng)
        (scans / f"deck{p.page_no:02d}.jpg").write_bytes(
            jpeg(distort(marked, DPI / 25.4, rng, upside_down=p.page_no == 7), rng))
    # One page of the deck scanned and passed is not a passed deck.
    first = tmp_path / "deck-first"
    first.mkdir()
    (scans / "deck01.jpg").rename(first / "deck01.jpg")
    assert [t["passed"] for t in json.loads(ok("scan", "import", "--db", db, "--count", 1,
                                               "--json", first))["testdeck"]] == [True]
    part = feed("scan", "testdeck", "--db", db, "--contest", "committee", "--result", text="")
    assert part.returncode == 1 and "未完成：19/20 页未导入" in part.stdout, part.stdout
    assert "合格" not in part.stdout.replace("才合格", "")
    got = json.loads(ok("scan", "import", "--db", db, "--count", 19, "--json", scans))
    bad = [t for t in got["testdeck"] if not t["passed"]]
    assert len(got["testdeck"]) == 19 and not bad, bad
    assert json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"] == []
    status = json.loads(ok("scan", "status", "--db", db, "--json"))["batches"][1]
    assert status["pending"] == 0 and status["test_deck"] == 19 and status["flagged"] > 0
    result = json.loads(ok("scan", "testdeck", "--db", db, "--result", "--json"))
    assert result["passed"] and len(result["pages"]) == 20
    assert "扫描测试：20页，通过20页，未通过0页：合格" in ok("scan", "testdeck", "--db", db, "--result")
    audit = ok("audit", "list", "--db", db)
    assert "扫描测试选票 19 页：通过 19 页" in audit and "打印第 1 套扫描测试选票 20 页" in audit
    # Never counted: the round's scan has no page.
    counted = json.loads(ok("scan", "count", "--db", db, "--contest", "committee", "--json"))
    assert counted["entered"] == 0

    # A deck page marked against its pattern (the tick put in the other box) fails, named.
    clean = next(p for p in pages if p.plan.actions[0] == "tick_a" and not p.plan.must_flag
                 and "faint_a" not in p.plan.actions)
    wrong = list(clean.plan.actions)
    wrong[0] = "cross_d"
    more = tmp_path / "again"
    more.mkdir()
    img = images[clean.page_no - 1].copy()
    mark_page(img, clean.layout, wrong, rng)
    (more / "wrong.jpg").write_bytes(jpeg(distort(img, DPI / 25.4, rng), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", 1, "--json", more))
    assert [t["passed"] for t in got["testdeck"]] == [False]
    assert "第1名候选人应读作o，读作x" in got["testdeck"][0]["why"]
    out = feed("scan", "testdeck", "--db", db, "--result", text="")
    assert out.returncode == 1 and "未通过1页" in out.stdout and "不合格" in out.stdout
