"""Format B (one box per candidate: ○ 赞成, × 不赞成, blank 弃权) end to end through `pollday` as
real processes: choose the format for the contest, print the scannable ballot, mark and "scan"
every copy (synthetic 300-dpi scans of the printed PDF, tests/app/scan/synth.py: closed and open
○, × at 20-70°, a few √ and dots), import, list the flagged ballots with each box's ○-score,
×-score and margin, decide them (two people for doubtful ones), count, close, lock; the locked
tally equals what the voters meant."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from app.scan.setup import known_layouts
from app.voting.entry import keys_for
from db.audit import rows
from db.connection import connect
from tests.app.scan.synth import ballot_b, jpeg, render_blank
from tests.e2e.test_scan_check_cli import signed_in_meeting
from tests.e2e.test_scan_cli import ok, pollday

TOOL = "pdftoppm"
ACTOR = "选举工作人员"


@pytest.mark.slow
def test_format_b_from_print_to_lock_through_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    voters = signed_in_meeting(tmp_path, db, 70, 18)
    cands = [p for p in voters if p["status"] == "full"][:5]
    others = [p for p in voters if p not in cands]
    ok("contest", "add", "--db", db, "--title", "委员", "--seats", 3, "--code", "committee",
       "--operator", ACTOR)
    for c in cands:
        ok("candidate", "add", "--db", db, "--contest", "committee", c["id"], "--operator", ACTOR)
    ok("scan", "setup", "--db", db, "--markers", "--operator", ACTOR)
    assert pollday("scan", "format", "--db", db, "--contest", "nosuch", "B").returncode == 1
    said = ok("scan", "format", "--db", db, "--contest", "committee", "B", "--operator", ACTOR)
    assert "画○为赞成，画×为不赞成，不画为弃权" in said
    pdf = tmp_path / "ballots.pdf"
    ok("print", "scan-ballots", "--db", db, "--out", pdf, "--contest", "committee", "--count", 2)
    ok("round", "open", "--db", db, "--contest", "committee", "--single-entry", "--operator", ACTOR)
    names = json.loads(ok("round", "list", "--db", db, "--contest", "committee", "--json"))[0][
        "candidates"]
    ok("officials", "set", "--db", db, "--contest", "committee", "--scrutineers",
       f"{others[0]['name']}、{others[1]['name']}", "--counters", others[2]["name"])
    conn = connect(db)
    layout = known_layouts(conn)[1].layout
    audited = [e for e in rows(conn) if e["action"] == "scan_format_setting"]
    conn.close()
    assert layout.format == "B" and layout.candidates == tuple(names)
    assert audited and audited[0]["actor"] == ACTOR and audited[0]["detail"]["format"] == "B"

    # What each voter means; a few mark 赞成 with √ or a heavy dot (a human decides those).
    rng = random.Random(1818)
    n = len(voters)
    intents, kinds = [], []
    for i in range(n):
        meant = "".join("o" if k < 3 and rng.random() < 0.8 else
                        ("x" if rng.random() < 0.4 else "-") for k in range(len(names)))
        drawn = ["" if m == "-" else "x" if m == "x" else rng.choice(["o_closed", "o_open"])
                 for m in meant]
        if i % 12 == 5 and "o" in meant:
            drawn[meant.index("o")] = rng.choice(["tick", "dot"])
        intents.append(meant)
        kinds.append(drawn)
    blank = render_blank(pdf, 300, tmp_path)
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(n):
        img, truth = ballot_b(blank, layout, 300, rng, kinds=kinds[i])
        assert truth.marks.replace("?", "o") == intents[i]
        (scans / f"scan{i + 1:04d}.jpg").write_bytes(jpeg(img, rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", n, "--json", scans))
    assert got["pages"] == n and not got["refused"]

    listed = ok("scan", "adjudicate", "--db", db)
    assert "○分" in listed and "×分" in listed and "差" in listed
    waiting = json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"]
    hard = {i + 1 for i in range(n) if any(k in ("tick", "dot") for k in kinds[i])}
    assert hard <= {w["position"] for w in waiting}, "every √ and dot goes to a human"
    for w in waiting:
        boxes = [s for s in w["scores"] if s["key"].endswith("m")]
        assert boxes and all({"o", "x", "margin"} <= set(s) for s in boxes)
        meant = intents[w["position"] - 1]
        args: list[object] = ["scan", "adjudicate", "--db", db, "--page", w["page_id"],
                              "--marks", keys_for(meant) or "0", "--operator", others[0]["name"]]
        if w["two_people"]:
            args += ["--second", others[1]["name"]]
        ok(*args)
    assert json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"] == []
    counted = json.loads(ok("scan", "count", "--db", db, "--contest", "committee", "--json"))
    assert counted["entered"] == n
    ok("box", "set", "--db", db, "--contest", "committee", "--printed", n + 5, "--issued", n,
       "--returned", n)
    ok("round", "close", "--db", db, "--contest", "committee")
    ok("scan", "testdeck", "--db", db, "--contest", "committee", "--acknowledge-untested",
       "扫描仪无法测试，已核对", "--operator", ACTOR)   # no test deck was scanned
    ok("lock", "--db", db, "--operator", ACTOR)
    doc = json.loads(ok("results", "--db", db, "--json"))
    r = doc["contests"][0]["rounds"][0]
    assert r["state"] == "locked"
    tally = {t["name"]: t for t in r["output"]["contests"][0]["tally"]}
    valid = [m for m in intents if m.count("o") <= 3]
    assert r["output"]["contests"][0]["ballots"]["invalid"] == n - len(valid)
    for k, name in enumerate(names):
        c = Counter(m[k] for m in valid)
        assert (tally[name]["approve"], tally[name]["disapprove"]) == (c["o"], c["x"]), name
