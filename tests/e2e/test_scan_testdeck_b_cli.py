"""The test deck of a format-B contest (one box for ○ / ×) through `pollday` as real processes:
20 pages, each with its own test layout code and the pattern to mark (○, ×, nothing, √, a faint
pencil ○, a ○ outside the box, a write-in, more approvals than seats), marked with the synthetic
generator's hand-like ○ and × (tests/app/scan/synth.py draw_b), distorted like a scanner and
imported: every page reads as meant or is sent to a human where the pattern says (√ and the ○
outside the box must go to a human); a page marked against its pattern fails, named."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

from app.scan.layout import Layout, Rect
from db.connection import connect
from tests.app.scan.synth import _poly, distort, draw_b, jpeg, write_name
from tests.e2e.test_scan_check_cli import feed, signed_in_meeting
from tests.e2e.test_scan_cli import ACTOR, ok
from tests.e2e.test_scan_testdeck_cli import DPI, _render

PX = DPI / 25.4


def _circle(img: np.ndarray, cx: float, cy: float, r: float, ink: int, w: float) -> None:
    pts = [((cx + r * np.cos(a)) * PX, (cy + r * np.sin(a)) * PX)
           for a in np.linspace(0, 2 * np.pi, 48)]
    _poly(img, pts, ink, max(1, round(w * PX)))


def mark_page_b(img: np.ndarray, layout: Layout, actions: list[str], rng: random.Random) -> None:
    """Mark one format-B deck page as its printed pattern says."""
    for e, act in zip(layout.entries, actions, strict=True):
        box: Rect = e.approve
        if act == "o_b":
            draw_b(img, box, PX, rng, rng.choice(("o_closed", "o_open")))
        elif act == "x_b":
            draw_b(img, box, PX, rng, "x")
        elif act == "tick_b":
            draw_b(img, box, PX, rng, "tick")
        elif act == "faint_b":      # a light pencil: grey, thin
            _circle(img, box.x + box.w / 2, box.y + box.h / 2, 4.0, 150, 0.35)
        elif act == "outside_b":    # a small ○ beside the box's right edge, not into it
            _circle(img, box.x + box.w + 2.2, box.y + box.h / 2, 1.5, 30, 0.6)
        elif act == "write_in_b":
            write_name(img, e.name_rect, PX, rng)
            draw_b(img, box, PX, rng, "o_closed")
        else:
            assert act in ("blank_b", "wi_blank"), act


@pytest.mark.slow
def test_the_format_b_test_deck_reads_as_its_pattern(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    voters = signed_in_meeting(tmp_path, db, 30, 7)
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 2, "--code", "committee",
       "--operator", ACTOR)
    for c in [p for p in voters if p["status"] == "full"][:4]:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    ok("scan", "setup", "--db", db, "--markers", "--operator", ACTOR)
    ok("scan", "format", "--db", db, "--contest", "committee", "B", "--operator", ACTOR)
    ok("round", "open", "--db", db, "--contest", "committee", "--operator", ACTOR)
    ok("print", "scan-ballots", "--db", db, "--out", tmp_path / "b.pdf", "--contest", "committee",
       "--count", 1)
    deck_pdf = tmp_path / "deck.pdf"
    doc = json.loads(ok("scan", "testdeck", "--db", db, "--contest", "committee", "--out",
                        deck_pdf, "--operator", ACTOR, "--json"))
    assert len(doc["pages"]) == 20 and len({p["layout"] for p in doc["pages"]}) == 20

    from app.scan.testdeck import deck_pages

    conn = connect(db)
    pages = sorted((p for p, _c, _r in deck_pages(conn)), key=lambda p: p.page_no)
    formats = {str(r[0]) for r in conn.execute(
        "SELECT format FROM scan_layout WHERE test_deck = 1")}
    conn.close()
    assert formats == {"B"}
    assert all(p.layout.format == "B" for p in pages)
    kinds = {a for p in pages for a in p.plan.actions}
    assert {"o_b", "x_b", "blank_b", "tick_b", "faint_b", "outside_b", "write_in_b"} <= kinds
    images = _render(deck_pdf, tmp_path)
    assert len(images) == 20
    rng = random.Random(21)
    scans = tmp_path / "deck-scans"
    scans.mkdir()
    for p, img in zip(pages, images, strict=True):
        marked = img.copy()
        mark_page_b(marked, p.layout, list(p.plan.actions), rng)
        (scans / f"deck{p.page_no:02d}.jpg").write_bytes(
            jpeg(distort(marked, PX, rng, upside_down=p.page_no == 5), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", 20, "--json", scans))
    bad = [t for t in got["testdeck"] if not t["passed"]]
    assert len(got["testdeck"]) == 20 and not bad, bad
    assert json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"] == []
    assert "扫描测试：20页，通过20页，未通过0页：合格" in ok("scan", "testdeck", "--db", db, "--result")
    counted = json.loads(ok("scan", "count", "--db", db, "--contest", "committee", "--json"))
    assert counted["entered"] == 0

    # A page marked against its pattern (× where the pattern says ○) fails, named; a √ read
    # without a human would fail too (the pattern says a human must look).
    clean = next(p for p in pages if p.plan.actions[0] == "o_b" and not p.plan.must_flag
                 and "faint_b" not in p.plan.actions)
    wrong = list(clean.plan.actions)
    wrong[0] = "x_b"
    more = tmp_path / "again"
    more.mkdir()
    img = images[clean.page_no - 1].copy()
    mark_page_b(img, clean.layout, wrong, rng)
    (more / "wrong.jpg").write_bytes(jpeg(distort(img, PX, rng), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", 1, "--json", more))
    assert [t["passed"] for t in got["testdeck"]] == [False]
    assert "第1名候选人应读作o，读作x" in got["testdeck"][0]["why"]
    out = feed("scan", "testdeck", "--db", db, "--result", text="")
    assert out.returncode == 1 and "未通过1页" in out.stdout

