"""A voter who leaves ONE contest of a shared scannable page blank (issue 17 items 1 and 3) through
`pollday` as real processes: that is a blank ballot of that contest only (rules.md §1.4: valid,
it abstains on every candidate; blank ballots go to a human by default), so the page's flag holds
back that contest's count and not the other's: 纪律检查委员会委员 counts at once, 委员 waits
for the blank to be confirmed (by one person); the confirmation may not change the other
contest's block, already counted as read."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from app.scan.setup import known_layouts
from db.connection import connect
from tests.app.scan.synth import distort, draw_b, draw_mark, jpeg, render_blank
from tests.e2e.test_scan_cli import ok, refused
from tests.e2e.test_scan_testdeck_page_cli import two_contest_page

DPI = 200
PX = DPI / 25.4


@pytest.mark.slow
def test_a_contest_left_blank_on_a_shared_page_holds_back_only_that_contest(
        tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    two_contest_page(tmp_path, db)
    conn = connect(db)
    lay = known_layouts(conn)[1].layout
    conn.close()
    a, b = lay.blocks()
    blank = render_blank(tmp_path / "page.pdf", DPI, tmp_path)
    rng = random.Random(173)
    scans = tmp_path / "scans"
    scans.mkdir()
    # committee: page 2 left blank; discipline: ○ for its first candidate on every page.
    for i in range(4):
        img = blank.copy()
        if i != 1:
            draw_mark(img, a.entries[i % 3].approve, PX, rng)
        draw_b(img, b.entries[0].approve, PX, rng, "o_closed")
        (scans / f"p{i + 1}.jpg").write_bytes(jpeg(distort(img, PX, rng), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", 4, "--json", scans))
    assert got["pages"] == 4 and got["flagged"] == 1 and not got["refused"], got
    waiting = json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"]
    assert [w["position"] for w in waiting] == [2]
    assert [c["code"] for c in waiting[0]["flags"]] == ["BLANK_BALLOT"]
    assert waiting[0]["flags"][0]["text"].startswith("【委员】")

    # The discipline contest's blocks are all read: it counts now (it waited before).
    counted = json.loads(ok("scan", "count", "--db", db, "--contest", "discipline", "--json"))
    assert counted["entered"] == 4, counted
    said = refused("scan", "count", "--db", db, "--contest", "committee")
    assert "FLAGS_PENDING" in said and "第1批第2张" in said, said

    page_id = waiting[0]["page_id"]
    # Confirming the blank may not change the discipline block already counted as read.
    said = refused("scan", "adjudicate", "--db", db, "--page", page_id, "--marks", "000|20",
                   "--operator", "赵监票")
    assert "ALREADY_COUNTED" in said and "第2项" in said, said
    ok("scan", "adjudicate", "--db", db, "--page", page_id, "--marks", "000|10",
       "--operator", "赵监票")
    counted = json.loads(ok("scan", "count", "--db", db, "--contest", "committee", "--json"))
    assert counted["entered"] == 4, counted
    # Nothing counted twice: each contest's entry A holds the four pages once.
    counted = json.loads(ok("scan", "count", "--db", db, "--contest", "discipline", "--json"))
    assert counted["entered"] == 0, counted
