"""The test deck of a page of several contests (issue 17 items 1 and 7) through `pollday` as real
processes: the page of 委员 (format A) and 纪律检查委员会委员 (format B) printed with `pollday print
scan-ballot-page`, its deck of 20 pages printed with `pollday scan testdeck --contest committee
--contest discipline` (each page its own test layout, the pattern of every block printed under
each name; each block's special pages — blank, overvote, write-in, √, outside the box — fall
where the other block is marked plainly), every page marked as its pattern says with the
synthetic generator's strokes (format A: test_scan_testdeck_cli.mark_page; format B:
test_scan_testdeck_b_cli.mark_page_b), distorted like a scanner, one upside down, imported:
20/20 pass, the deck never reaches the adjudication queue nor a count; a page marked against its
pattern in the second contest fails, naming that contest."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import numpy as np
import pytest

from app.scan.layout import Layout
from db.connection import connect
from tests.app.scan.synth import distort, jpeg
from tests.e2e.test_scan_check_cli import feed, signed_in_meeting
from tests.e2e.test_scan_cli import ACTOR, ok, refused
from tests.e2e.test_scan_testdeck_b_cli import mark_page_b
from tests.e2e.test_scan_testdeck_cli import DPI, _render, mark_page

TOOL = "pdftoppm"
PX = DPI / 25.4


def mark_deck_page(img: np.ndarray, layout: Layout, actions: list[str],
                   rng: random.Random) -> None:
    """Each block marked in its own format, with its own share of the page's actions."""
    at = 0
    for part in layout.blocks():
        n = len(part.entries)
        mine = actions[at:at + n]
        at += n
        (mark_page_b if part.format == "B" else mark_page)(img, part, mine, rng)  # type: ignore[arg-type]
    assert at == len(actions)


def two_contest_page(tmp_path: Path, db: Path) -> list[dict[str, object]]:
    """委员 (2 of 3, format A) and 纪律检查委员会委员 (1 of 2, format B) of one round, both open,
    printed on one page (2 copies); the voters signed in."""
    voters = signed_in_meeting(tmp_path, db, 40, 17)
    full = [p for p in voters if p["status"] == "full"]
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 2, "--code", "committee",
       "--operator", ACTOR)
    ok("contest", "add", "--db", db, "--title", "委员", "--body", "纪律检查委员会", "--seats", 1,
       "--code", "discipline", "--kind", "committee", "--operator", ACTOR)
    for c in full[:3]:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    for c in full[3:5]:
        ok("candidate", "add", "--db", db, "--contest", "discipline", c["id"], "--operator", ACTOR)
    ok("scan", "setup", "--db", db, "--markers", "--operator", ACTOR)
    ok("scan", "format", "--db", db, "--contest", "discipline", "B", "--operator", ACTOR)
    for code in ("committee", "discipline"):
        ok("round", "open", "--db", db, "--contest", code, "--operator", ACTOR)
    ok("print", "scan-ballot-page", "--db", db, "--out", tmp_path / "page.pdf", "--contest",
       "committee", "--contest", "discipline", "--count", 2)
    return voters


@pytest.mark.slow
def test_the_test_deck_of_a_page_of_two_contests_reads_as_its_pattern(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    two_contest_page(tmp_path, db)
    deck_pdf = tmp_path / "deck.pdf"
    # A contest that does not exist: said, nothing made.
    assert "没有这些选举事项：committee2" in refused("scan", "testdeck", "--db", db, "--contest", "committee",
                                  "--contest", "committee2", "--out", deck_pdf)
    doc = json.loads(ok("scan", "testdeck", "--db", db, "--contest", "committee", "--contest",
                        "discipline", "--out", deck_pdf, "--operator", ACTOR, "--json"))
    assert len(doc["pages"]) == 20 and len({p["layout"] for p in doc["pages"]}) == 20
    assert all("|" in p["expect"] for p in doc["pages"])
    text = subprocess.run(["pdftotext", "-l", "1", str(deck_pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "扫描测试选票" in text and "不计票" in text and "两格都不画" in text, text

    from app.scan.testdeck import deck_pages

    conn = connect(db)
    pages = sorted((p for p, _c, _r in deck_pages(conn)), key=lambda p: p.page_no)
    conn.close()
    assert all(p.layout.multi and len(p.plan.parts) == 2 for p in pages)
    kinds = {a for p in pages for a in p.plan.actions}
    assert {"tick_a", "circle_a", "cross_d", "blank", "faint_a", "outside_a", "both", "o_b",
            "x_b", "blank_b", "tick_b", "faint_b", "outside_b"} <= kinds, kinds
    # A blank block of one contest beside a plainly marked block of the other.
    assert any(set(p.plan.parts[0].actions) <= {"blank", "wi_blank"}
               and not p.plan.parts[1].must_flag for p in pages)
    assert any(set(p.plan.parts[1].actions) <= {"blank_b", "wi_blank"}
               and not p.plan.parts[0].must_flag for p in pages)
    images = _render(deck_pdf, tmp_path)
    assert len(images) == 20
    rng = random.Random(1720)
    scans = tmp_path / "deck-scans"
    scans.mkdir()
    for p, img in zip(pages, images, strict=True):
        marked = img.copy()
        mark_deck_page(marked, p.layout, list(p.plan.actions), rng)
        (scans / f"deck{p.page_no:02d}.jpg").write_bytes(
            jpeg(distort(marked, PX, rng, upside_down=p.page_no == 4), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", 20, "--json", scans))
    bad = [t for t in got["testdeck"] if not t["passed"]]
    assert len(got["testdeck"]) == 20 and not bad, bad
    assert json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"] == []
    for code in ("committee", "discipline"):   # the deck counts for each contest on the page
        assert "20页，通过20页，未通过0页：合格" in ok("scan", "testdeck", "--db", db, "--contest",
                                                  code, "--result")
        counted = json.loads(ok("scan", "count", "--db", db, "--contest", code, "--json"))
        assert counted["entered"] == 0

    # A page marked against its pattern in the second contest (× where it says ○) fails.
    clean = next(p for p in pages if p.plan.parts[1].actions[0] == "o_b"
                 and not p.plan.must_flag and "faint_b" not in p.plan.actions
                 and "faint_a" not in p.plan.actions)
    wrong = list(clean.plan.actions)
    first_b = len(clean.layout.blocks()[0].entries)
    wrong[first_b] = "x_b"
    more = tmp_path / "again"
    more.mkdir()
    img = images[clean.page_no - 1].copy()
    mark_deck_page(img, clean.layout, wrong, rng)
    (more / "wrong.jpg").write_bytes(jpeg(distort(img, PX, rng), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", 1, "--json", more))
    assert [t["passed"] for t in got["testdeck"]] == [False]
    assert "第2项第1名候选人应读作o，读作x" in got["testdeck"][0]["why"], got["testdeck"]
    out = feed("scan", "testdeck", "--db", db, "--result", text="")
    assert out.returncode == 1 and "未通过1页" in out.stdout
