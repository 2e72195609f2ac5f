"""The blind keyboard sample (issue 17 item 6) on a page of several contests of one round, through
`pollday` as real processes: 委员 (format A) and 纪律检查委员会委员 (format B) on one page, both
rounds double entry; 12 pages scanned, one with 委员 left blank (a flag about 委员 only), one with a
√ in 纪律检查委员会委员 (a flag about that contest only); both decided and both contests counted
into their entry A. Each round's sample is drawn from ITS unflagged ballots: a page flagged only
about the other contest was machine-read for this one and is in the population. Clerk B keys each
contest's drawn ballots, named by batch and position, blind; one slip in 委员 is resolved for the
scan by a third person; both rounds close with the tallies the voters meant."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from app.scan.setup import known_layouts
from app.voting.entry import keys_for
from db.connection import connect
from tests.app.scan.synth import distort, jpeg, render_blank
from tests.e2e.test_scan_check_cli import _enter
from tests.e2e.test_scan_cli import ACTOR, ok, refused
from tests.e2e.test_scan_page_cli import PX, _mark
from tests.e2e.test_scan_testdeck_page_cli import two_contest_page

N = 12
BLANK_AT, TICK_AT = 3, 6     # positions (1-based) of the pages flagged about one contest


@pytest.mark.slow
def test_each_contest_of_a_shared_page_is_sampled_from_its_own_unflagged_ballots(
        tmp_path: Path) -> None:
    db = tmp_path / "day.db"
    two_contest_page(tmp_path, db)
    conn = connect(db)
    lay = known_layouts(conn)[1].layout
    conn.close()
    rng = random.Random(1746)
    meant = [(rng.choice(["oo-", "o-o", "-ox", "x-o", "ox-", "o--"]),
              rng.choice(["o-", "-o", "x-", "xo", "ox"])) for _ in range(N)]
    meant[BLANK_AT - 1] = ("---", meant[BLANK_AT - 1][1])
    meant[TICK_AT - 1] = (meant[TICK_AT - 1][0], "o-")    # the √ the people read as ○
    blank = render_blank(tmp_path / "page.pdf", 300, tmp_path)
    scans = tmp_path / "scans"
    scans.mkdir()
    for i, m in enumerate(meant):
        img = blank.copy()
        _mark(img, lay, m, rng, write_in=False, tick=i == TICK_AT - 1)
        (scans / f"p{i + 1:02d}.jpg").write_bytes(jpeg(distort(img, PX, rng), rng))
    got = json.loads(ok("scan", "import", "--db", db, "--count", N, "--json", scans))
    assert got["pages"] == N and not got["refused"], got
    waiting = json.loads(ok("scan", "adjudicate", "--db", db, "--json"))["pending"]
    assert sorted(w["position"] for w in waiting) == [BLANK_AT, TICK_AT], waiting
    for w in waiting:
        a, b = meant[w["position"] - 1]
        ok("scan", "adjudicate", "--db", db, "--page", w["page_id"], "--marks",
           f"{keys_for(a) or '000'}|{keys_for(b) or '00'}", "--operator", "赵监票", "--second",
           "钱监票")
    for code in ("committee", "discipline"):
        assert json.loads(ok("scan", "count", "--db", db, "--contest", code,
                             "--json"))["entered"] == N
        ok("box", "set", "--db", db, "--contest", code, "--printed", N + 2, "--issued", N,
           "--returned", N)
        ok("scan", "check", "--db", db, "--contest", code, "--mode", "sample", "--operator",
           ACTOR)

    samples = {}
    for code, flagged_at in (("committee", BLANK_AT), ("discipline", TICK_AT)):
        R = ("--db", db, "--contest", code)
        drawn = json.loads(ok("scan", "check", *R, "--draw", "--operator", ACTOR, "--json"))
        # Fewer than 100: every unflagged ballot of the contest, the other's flag no matter.
        assert drawn["population"] == N - 1 == drawn["size"], drawn
        positions = [s["position"] for s in drawn["sample"]]
        assert sorted(positions) == [p for p in range(1, N + 1) if p != flagged_at], positions
        listed = ok("scan", "check", *R)
        assert "第1批第" in listed and "|" not in listed
        samples[code] = drawn["sample"]
    assert "NOTHING_TO_DRAW" in refused("scan", "check", "--db", db, "--contest", "committee",
                                        "--draw", "--operator", ACTOR)

    # Clerk B keys each contest's ballots from the paper, blind; one slip in 委员.
    for k, code in enumerate(("committee", "discipline")):
        R = ("--db", db, "--contest", code)
        typed = [meant[int(s["position"]) - 1][k] for s in samples[code]]
        if code == "committee":
            typed[2] = ("x" if typed[2][0] != "x" else "-") + typed[2][1:]
        _enter(R, [keys_for(t) or "0" * len(t) for t in typed])
    R = ("--db", db, "--contest", "committee")
    diffs = json.loads(ok("compare", *R))
    assert [d["seq"] for d in diffs["differences"]] == [samples["committee"][2]["seq"]], diffs
    ok("resolve", *R, "--seq", samples["committee"][2]["seq"], "--take", "A", "--operator",
       "总监票人", "--reason", "核对原始选票")
    assert json.loads(ok("compare", "--db", db, "--contest", "discipline"))["differences"] == []
    for code in ("committee", "discipline"):
        ok("round", "close", "--db", db, "--contest", code)
    doc = json.loads(ok("results", "--db", db, "--json"))
    for k, contest in enumerate(doc["contests"]):
        out = contest["rounds"][0]["output"]["contests"][0]
        tally = {t["name"]: t for t in out["tally"]}
        for j, name in enumerate(lay.blocks()[k].candidates):
            c = Counter(m[k][j] for m in meant)
            assert (tally[name]["approve"], tally[name]["disapprove"]) == (c["o"], c["x"]), name
