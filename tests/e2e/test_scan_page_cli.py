"""A scannable page of two contests of one round through `pollday` as real processes (issue 17
item 1): the page printed with both contests (委员 in format A, 纪委委员 in format B), marked and
"scanned" (synthetic scans of the printed PDF), imported, adjudicated as one ballot paper (the
flags name their contest; a write-in and an overvote decided per contest), counted into each
contest's entry A, closed and locked: both contests' locked tallies are what the voters meant.
A page of one contest, or of contests that do not fit one A4 page, is refused at printing."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from app.scan.layout import Layout
from app.scan.setup import known_layouts
from app.voting.entry import keys_for
from db.connection import connect
from tests.app.scan.synth import distort, draw_b, draw_mark, jpeg, render_blank, write_name
from tests.e2e.test_scan_check_cli import signed_in_meeting
from tests.e2e.test_scan_cli import ACTOR, WRITE_IN, ok, refused

DPI = 300
PX = DPI / 25.4


def _mark(img: np.ndarray, lay: Layout, meant: tuple[str, str], rng: random.Random, *,
          write_in: bool, tick: bool) -> None:
    a, b = lay.blocks()
    for e, m in zip(a.entries, meant[0], strict=False):
        if m in "ox":
            box = e.approve if m == "o" else e.disapprove
            assert box is not None
            draw_mark(img, box, PX, rng)
    if write_in:
        e = a.entries[len(a.candidates)]
        write_name(img, e.name_rect, PX, rng)
        draw_mark(img, e.approve, PX, rng)
    for k, (e, m) in enumerate(zip(b.entries, meant[1], strict=False)):
        if tick and k == 0:
            draw_b(img, e.approve, PX, rng, "tick")
        elif m in "ox":
            draw_b(img, e.approve, PX, rng, "o_closed" if m == "o" else "x")


@pytest.mark.slow
def test_a_page_of_two_contests_from_print_to_lock(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    voters = signed_in_meeting(tmp_path, db, 60, 23)
    full = [p for p in voters if p["status"] == "full"]
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 2, "--code", "committee",
       "--operator", ACTOR)
    ok("contest", "add", "--db", db, "--title", "委员", "--body", "纪律检查委员会", "--seats", 1,
       "--code", "discipline", "--kind", "committee", "--operator", ACTOR)
    for c in full[:3]:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    for c in full[3:5]:
        ok("candidate", "add", "--db", db, "--contest", "discipline", c["id"], "--operator", ACTOR)
    ok("scan", "setup", "--db", db, "--markers", "--qr", "--operator", ACTOR)
    ok("scan", "format", "--db", db, "--contest", "discipline", "B", "--operator", ACTOR)
    pdf = tmp_path / "page.pdf"
    assert "至少两项选举" in refused("print", "scan-ballot-page", "--db", db, "--out", pdf,
                                    "--contest", "committee")
    ok("print", "scan-ballot-page", "--db", db, "--out", pdf, "--contest", "committee",
       "--contest", "discipline", "--count", 2)
    for code in ("committee", "discipline"):
        ok("round", "open", "--db", db, "--contest", code, "--single-entry", "--operator", ACTOR)
    # The round has only the page: the deck of one contest is the page's deck (every block);
    # its scan is tested in tests/e2e/test_scan_testdeck_page_cli.py.
    deck = json.loads(ok("scan", "testdeck", "--db", db, "--contest", "committee", "--out",
                         tmp_path / "deck.pdf", "--operator", ACTOR, "--json"))
    assert len(deck["pages"]) == 20 and all("|" in p["expect"] for p in deck["pages"])
    others = [p for p in voters if p not in full[:5]]
    for code in ("committee", "discipline"):
        ok("officials", "set", "--db", db, "--contest", code, "--scrutineers",
           f"{others[0]['name']}、{others[1]['name']}", "--counters", others[2]["name"])
    conn = connect(db)
    lay = known_layouts(conn)[1].layout   # the page (the deck's test layouts come after)
    conn.close()
    assert lay.multi and [p.format for p in lay.blocks()] == ["A", "B"]

    n = 24
    rng = random.Random(2417)
    meant: list[tuple[str, str]] = []
    for _ in range(n):
        a = "".join(rng.choice("oox-") for _ in range(3))
        if a.count("o") > 2:
            a = "ox-"
        b = rng.choice(["o-", "-o", "xo", "ox", "x-", "--"])
        meant.append((a, b))
    write_in_at, tick_at, overvote_at = 3, 7, 11
    meant[write_in_at] = ("o--", meant[write_in_at][1])   # + a write-in: 2 approvals
    meant[tick_at] = (meant[tick_at][0], "o-")              # a √ the adjudicators read as ○
    meant[overvote_at] = ("ooo", "-o")                      # committee invalid, discipline valid
    blank = render_blank(pdf, DPI, tmp_path)
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, m in enumerate(meant):
        img = blank.copy()
        _mark(img, lay, m, rng, write_in=i == write_in_at, tick=i == tick_at)
        (scans / f"scan{i + 1:03d}.jpg").write_bytes(
            jpeg(distort(img, PX, rng, upside_down=i == 5), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", n, "--json", scans))
    assert got["pages"] == n and not got["refused"], got["refused"]

    waiting = json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"]
    flagged = {w["position"]: w for w in waiting}
    assert {write_in_at + 1, tick_at + 1, overvote_at + 1} <= set(flagged)
    texts = {c["code"]: c["text"] for c in flagged[overvote_at + 1]["flags"]}
    assert texts["OVERVOTE"].startswith("【委员】"), texts
    tick_texts = [c["text"] for c in flagged[tick_at + 1]["flags"]]
    assert any(t.startswith("【纪律检查委员会委员】") for t in tick_texts), tick_texts
    assert "FLAGS_PENDING" in refused("scan", "count", "--db", db, "--contest", "discipline")
    # One run of marks per contest on the page, a write-in naming its contest's number.
    first = waiting[0]
    assert "须给出2段" in refused("scan", "adjudicate", "--db", db, "--page", first["page_id"],
                                 "--marks", "120", "--operator", others[0]["name"], "--second",
                                 others[1]["name"])
    assert "本页第3项没有另选他人栏" in refused(
        "scan", "adjudicate", "--db", db, "--page", first["page_id"], "--marks", "120|10",
        "--write-in", f"3:{WRITE_IN}", "--operator", others[0]["name"], "--second",
        others[1]["name"])
    for w in waiting:
        i = w["position"] - 1
        a, b = meant[i]
        args: list[object] = ["scan", "adjudicate", "--db", db, "--page", w["page_id"],
                              "--marks", f"{keys_for(a) or '000'}|{keys_for(b) or '00'}",
                              "--operator", others[0]["name"], "--second", others[1]["name"]]
        if i == write_in_at:
            args += ["--write-in", f"1:{WRITE_IN}"]
        if i == overvote_at:
            args += ["--invalid", "1:多选：赞成3人，多于应选2名"]
        ok(*args)
    pages = json.loads(ok("scan", "adjudicate", "--db", db, "--json"))
    assert pages["pending"] == []
    # Unflagged pages were read as meant, per contest.
    from app.scan.adjudicate import all_pages

    conn = connect(db)
    read = {p.position: p for p in all_pages(conn)}
    conn.close()
    for i, (a, b) in enumerate(meant):
        if read[i + 1].status == "read":
            assert read[i + 1].marks == f"{a}|{b}", (i, read[i + 1].marks)
    overvote = read[overvote_at + 1].decision_parts
    assert [b.declared_invalid for b in overvote] == [True, False]

    for code in ("committee", "discipline"):
        counted = json.loads(ok("scan", "count", "--db", db, "--contest", code, "--json"))
        assert counted["entered"] == n, counted
        ok("box", "set", "--db", db, "--contest", code, "--printed", n + 2, "--issued", n,
           "--returned", n)
        ok("round", "close", "--db", db, "--contest", code)
        ok("scan", "testdeck", "--db", db, "--contest", code, "--acknowledge-untested",
           "扫描仪无法测试，已核对", "--operator", ACTOR)   # the deck was printed, not scanned
    status = json.loads(ok("scan", "status", "--db", db, "--json"))
    assert all(r["balanced"] for r in status["rounds"]), status["rounds"]
    ok("lock", "--db", db, "--operator", ACTOR)
    doc = json.loads(ok("results", "--db", db, "--json"))
    for k, contest in enumerate(doc["contests"]):
        r = contest["rounds"][0]
        assert r["state"] == "locked"
        out = r["output"]["contests"][0]
        tally = {t["name"]: t for t in out["tally"]}
        names = lay.blocks()[k].candidates
        valid = [m[k] for i, m in enumerate(meant) if not (k == 0 and i == overvote_at)]
        assert out["ballots"]["invalid"] == (1 if k == 0 else 0)
        for j, name in enumerate(names):
            c = Counter(m[j] for m in valid)
            assert (tally[name]["approve"], tally[name]["disapprove"]) == (c["o"], c["x"]), name
        if k == 0:
            assert tally[WRITE_IN]["approve"] == 1
